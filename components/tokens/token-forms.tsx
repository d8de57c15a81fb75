"use client";

import { useActionState } from "react";
import { TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SecretOnce } from "@/components/ui/secret-once";
import { SubmitButton } from "@/components/ui/submit-button";
import { ConfirmedButton } from "@/components/ui/confirmed-button";
import type { ActionResult } from "@/lib/actions/define-action";

type Action<T = unknown> = (state: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>;

/**
 * Create a token; its secret is shown once, here, until the page is left, or until that token is
 * revoked (`activeIds` no longer names it): a revoked token's secret is not left on screen.
 */
export function CreateTokenForm({ action, activeIds }: { action: Action<{ token: string; name: string; id: string }>; activeIds: string[] }) {
  const [state, formAction] = useActionState(action, null);
  const created = state?.ok && state.data ? state.data : null;
  return (
    <form action={formAction} className="flex flex-col gap-4" aria-label="Create token" noValidate>
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-64 flex-1">
          <TextField id="token-name" name="name" label="Token name" hint="What will use it, e.g. “deploy script”." required defaultValue={state && !state.ok ? state.values?.name : undefined} error={state && !state.ok ? state.fields?.name : undefined} />
        </div>
        <SubmitButton pendingLabel="Creating…">Create token</SubmitButton>
      </div>
      {state && !state.ok ? <FormMessage result={state} /> : null}
      {created && activeIds.includes(created.id) ? <SecretOnce label={`Your new token “${created.name}”`} value={created.token} /> : null}
      {created && !activeIds.includes(created.id) ? (
        <p role="status" className="text-sm text-muted">
          “{created.name}” was revoked: its secret no longer works and is no longer shown.
        </p>
      ) : null}
    </form>
  );
}

/** Revoke, after a confirmation in place (scripts using the token stop at once: a stray click must not do that). */
export function RevokeTokenButton({ id, name, action }: { id: string; name: string; action: Action }) {
  return <ConfirmedButton action={action} fields={{ id }} label="Revoke" name={name} consequence="Scripts using it stop at once." confirmLabel="Yes, revoke" pendingLabel="Revoking…" />;
}
