"use client";

import { useActionState } from "react";
import { TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

/** An external application that only calls in (OAuth 2.0): a name is all it takes; its page then turns OAuth 2.0 on. */
export function CreateExternalApplicationForm({ action }: { action: (s: ActionResult | null, f: FormData) => Promise<ActionResult> }) {
  const [state, formAction] = useActionState(action, null);
  const fields = state && !state.ok ? state.fields : undefined;
  return (
    <form action={formAction} className="flex max-w-2xl flex-col gap-3" aria-label="Create an external application">
      <TextField id="externalName" name="name" label="Its name" placeholder="CI server" required error={fields?.name} hint="No URL: this app never calls it. Its people authorize it with OAuth 2.0." />
      <FormMessage result={state} />
      <div>
        <SubmitButton variant="secondary" pendingLabel="Creating…">
          Create external application
        </SubmitButton>
      </div>
    </form>
  );
}
