"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

/**
 * A one-click revoke: a form with the action's hidden fields and a danger button, which shows the
 * action's refusal (on success the revoked row goes away with the page's revalidation).
 */
export function RevokeButton({ action, fields, label, ariaLabel }: { action: (s: ActionResult | null, f: FormData) => Promise<ActionResult>; fields: Record<string, string>; label: string; ariaLabel: string }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col items-start gap-1">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <SubmitButton size="sm" variant="danger" aria-label={ariaLabel} pendingLabel="Revoking…">
        {label}
      </SubmitButton>
      {state && !state.ok ? <FormMessage result={state} /> : null}
    </form>
  );
}
