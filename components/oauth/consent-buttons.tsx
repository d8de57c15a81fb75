"use client";

import { SubmitButton } from "@/components/ui/submit-button";

/** Allow and Deny on a consent page, sent as the form's `decision`. */
export function ConsentButtons() {
  return (
    <div className="flex gap-2">
      <SubmitButton name="decision" value="allow" pendingLabel="Allowing…">
        Allow
      </SubmitButton>
      <SubmitButton name="decision" value="deny" variant="secondary" pendingLabel="Denying…">
        Deny
      </SubmitButton>
    </div>
  );
}
