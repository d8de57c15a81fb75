"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

export function RevokeAuthorizationButton({ action, linkId, name }: { action: (s: ActionResult | null, f: FormData) => Promise<ActionResult>; linkId: string; name: string }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col items-start gap-1">
      <input type="hidden" name="linkId" value={linkId} />
      <SubmitButton size="sm" variant="danger" aria-label={`Revoke authorization of ${name}`} pendingLabel="Revoking…">
        Revoke
      </SubmitButton>
      {state && !state.ok ? <FormMessage result={state} /> : null}
    </form>
  );
}
