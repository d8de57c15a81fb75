"use client";

import { useActionState } from "react";
import { TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SecretOnce } from "@/components/ui/secret-once";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

type Action<T = unknown> = (state: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>;

export function CreateTokenForm({ action }: { action: Action<{ token: string; name: string }> }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-4" aria-label="Create token" noValidate>
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-64 flex-1">
          <TextField id="token-name" name="name" label="Token name" hint="What will use it, e.g. “deploy script”." required defaultValue={state && !state.ok ? state.values?.name : undefined} error={state && !state.ok ? state.fields?.name : undefined} />
        </div>
        <SubmitButton pendingLabel="Creating…">Create token</SubmitButton>
      </div>
      {state && !state.ok ? <FormMessage result={state} /> : null}
      {state?.ok && state.data ? <SecretOnce label={`Your new token “${state.data.name}”`} value={state.data.token} /> : null}
    </form>
  );
}

export function RevokeTokenButton({ id, name, action }: { id: string; name: string; action: Action }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col items-start gap-1">
      <input type="hidden" name="id" value={id} />
      <SubmitButton size="sm" variant="danger" aria-label={`Revoke ${name}`} pendingLabel="Revoking…">
        Revoke
      </SubmitButton>
      {state && !state.ok ? <FormMessage result={state} /> : null}
    </form>
  );
}
