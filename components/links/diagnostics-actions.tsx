"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

type Action = (s: ActionResult | null, f: FormData) => Promise<ActionResult>;

/** "Check now": runs every check (network included) and shows the outcome. */
export function CheckNowButton({ action, id }: { action: Action; id: string }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-1" aria-label="Check the link now">
      <input type="hidden" name="id" value={id} />
      <div>
        <SubmitButton size="sm" variant="secondary" pendingLabel="Checking…">
          Check now
        </SubmitButton>
      </div>
      <FormMessage result={state} />
    </form>
  );
}

/** A fix applied on this side (then the link is checked again). */
export function FixButton({ action, id, fix, label }: { action: Action; id: string; fix: string; label: string }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-1" aria-label={label}>
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="fix" value={fix} />
      <div>
        <SubmitButton size="sm" pendingLabel="Applying…">
          {label}
        </SubmitButton>
      </div>
      <FormMessage result={state} />
    </form>
  );
}

/** Disable (both directions stop; settings kept) or enable the link. */
export function EnableLinkButton({ action, id, version, enabled }: { action: Action; id: string; version: number; enabled: boolean }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-1">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="version" value={version} />
      <input type="hidden" name="enabled" value={enabled ? "false" : "true"} />
      <SubmitButton size="sm" variant="secondary" pendingLabel={enabled ? "Disabling…" : "Enabling…"}>
        {enabled ? "Disable link" : "Enable link"}
      </SubmitButton>
      {state && !state.ok ? <FormMessage result={state} /> : null}
    </form>
  );
}

/** Applies what the remote's diagnostics proposed, once an admin here confirms. */
export function ApplyProposalButton({ action, id, out, incoming, refetch }: { action: Action; id: string; out?: string; incoming?: string; refetch: boolean }) {
  // Once applied the page shows the link as proposed: nothing is left to apply, and what applying said stays on screen.
  const nothingLeft = !out && !incoming && !refetch;
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-1" aria-label="Apply the proposed change">
      <input type="hidden" name="id" value={id} />
      {out ? <input type="hidden" name="out" value={out} /> : null}
      {incoming ? <input type="hidden" name="in" value={incoming} /> : null}
      {refetch ? <input type="hidden" name="refetch" value="true" /> : null}
      <div>
        <SubmitButton size="sm" pendingLabel="Applying…" disabled={nothingLeft}>
          Apply the proposed change
        </SubmitButton>
      </div>
      <FormMessage result={state} />
    </form>
  );
}
