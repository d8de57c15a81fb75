"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { ConsentButtons } from "@/components/oauth/consent-buttons";
import type { ActionResult } from "@/lib/actions/define-action";

type Action = (s: ActionResult<{ verifier: string | undefined }> | null, f: FormData) => Promise<ActionResult<{ verifier: string | undefined }>>;

/** Allow or Deny a linked application acting as the signed-in person (incoming 3LO). */
export function ConsentForm({ action, token, linkName }: { action: Action; token: string; linkName: string }) {
  const [state, formAction] = useActionState(action, null);
  const verifier = state?.ok ? state.data?.verifier : undefined;
  if (state?.ok) {
    return (
      <div role="status" className="flex flex-col gap-2 text-sm">
        <p>{state.message}</p>
        {verifier ? (
          <p>
            Enter this code in {linkName}: <strong className="font-mono text-base" data-testid="oauth-verifier">{verifier}</strong>
          </p>
        ) : null}
      </div>
    );
  }
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Authorize application">
      <input type="hidden" name="oauth_token" value={token} />
      <FormMessage result={state} />
      <ConsentButtons />
    </form>
  );
}
