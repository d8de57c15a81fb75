"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

type Action = (s: ActionResult | null, f: FormData) => Promise<ActionResult>;

/** Allow or Deny an external application acting as the signed-in person (incoming OAuth 2.0): the request travels in hidden fields and is checked again on the server. */
export function OAuth2ConsentForm({ action, params }: { action: Action; params: Record<string, string> }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Authorize application">
      {Object.entries(params).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <FormMessage result={state} />
      <div className="flex gap-2">
        <SubmitButton name="decision" value="allow" pendingLabel="Allowing…">
          Allow
        </SubmitButton>
        <SubmitButton name="decision" value="deny" variant="secondary" pendingLabel="Denying…">
          Deny
        </SubmitButton>
      </div>
    </form>
  );
}
