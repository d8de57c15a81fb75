"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { ConsentButtons } from "@/components/oauth/consent-buttons";
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
      <ConsentButtons />
    </form>
  );
}
