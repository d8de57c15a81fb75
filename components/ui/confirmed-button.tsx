"use client";

import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

/**
 * A danger button that asks first, in place (what stops at once must not follow a stray click):
 * the first press shows the consequence with a confirm and a keep button; the confirm sends the
 * action with its hidden `fields`, and a refusal is said beside it.
 */
export function ConfirmedButton({
  action,
  fields,
  label,
  name,
  consequence,
  confirmLabel,
  pendingLabel,
}: {
  action: (s: ActionResult | null, f: FormData) => Promise<ActionResult>;
  fields: Record<string, string>;
  /** the verb on the button: "Revoke", "Delete" */
  label: string;
  /** what it acts on, for the accessible names: "Revoke {name}", "Confirm revoking {name}" */
  name: string;
  consequence: string;
  confirmLabel: string;
  pendingLabel: string;
}) {
  const [state, formAction] = useActionState(action, null);
  const [asking, setAsking] = useState(false);
  const confirmId = `confirm-${label.toLowerCase()}-${Object.values(fields).join("-")}`;
  return (
    <form action={formAction} className="flex flex-col items-start gap-1">
      {Object.entries(fields).map(([field, value]) => (
        <input key={field} type="hidden" name={field} value={value} />
      ))}
      <Button type="button" size="sm" variant="danger" aria-label={`${label} ${name}`} aria-expanded={asking} aria-controls={confirmId} onClick={() => setAsking((a) => !a)}>
        {label}
      </Button>
      {asking ? (
        <span id={confirmId} role="group" aria-label={`Confirm ${label.toLowerCase().replace(/e$/, "")}ing ${name}`} className="flex flex-wrap items-center gap-2 text-sm">
          <span>{consequence}</span>
          <SubmitButton size="sm" variant="danger" pendingLabel={pendingLabel} autoFocus>
            {confirmLabel}
          </SubmitButton>
          <Button type="button" variant="secondary" size="sm" onClick={() => setAsking(false)}>
            Keep it
          </Button>
        </span>
      ) : null}
      {state && !state.ok ? <FormMessage result={state} /> : null}
    </form>
  );
}
