"use client";

import { Disclosure } from "@/components/ui/disclosure";

import { useActionState } from "react";
import { TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

type Action = (s: ActionResult | null, f: FormData) => Promise<ActionResult>;

/** "Make primary"; once it is, says so (and, right after, what happened), in the same place. */
export function SetPrimaryButton({ action, id, version, primary }: { action: Action; id: string; version: number; primary: boolean }) {
  const [state, formAction] = useActionState(action, null);
  if (primary) return state?.ok ? <FormMessage result={state} /> : null;
  return (
    <form action={formAction} className="flex flex-col gap-1">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="version" value={version} />
      <SubmitButton size="sm" variant="secondary">
        Make primary
      </SubmitButton>
      {state && !state.ok ? <FormMessage result={state} /> : null}
    </form>
  );
}

/** Switch a deprecated authentication type off (never on). */
export function LegacyOffButton({ action, id, version, which }: { action: Action; id: string; version: number; which: "trustedApps" | "basicAccess" }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-1">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="version" value={version} />
      <input type="hidden" name="which" value={which} />
      <SubmitButton size="sm" variant="secondary">
        Switch off {which === "trustedApps" ? "Trusted Applications" : "Basic Access"}
      </SubmitButton>
      <FormMessage result={state} />
    </form>
  );
}

const RESET_TEXT = {
  incoming: "Forgets the remote's consumer (a stale consumer key gives consumer_key_unknown), revokes every token issued to it and fetches its consumer info again.",
  outgoing: "Discards every access token this app holds for the link: people must authorize again.",
} as const;

/** Reset one direction, after an explicit confirmation. */
export function ResetDirection({ action, id, direction }: { action: Action; id: string; direction: "incoming" | "outgoing" }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <Disclosure className="rounded-md border border-border p-3" label={`Reset ${direction} OAuth…`}>
      <form action={formAction} className="mt-2 flex flex-col gap-2" aria-label={`Reset ${direction}`}>
        <p className="text-sm text-muted">{RESET_TEXT[direction]} Other links and settings are not touched.</p>
        <input type="hidden" name="id" value={id} />
        <input type="hidden" name="direction" value={direction} />
        <div>
          <SubmitButton size="sm" variant="danger" pendingLabel="Resetting…">
            Reset {direction}
          </SubmitButton>
        </div>
        <FormMessage result={state} />
      </form>
    </Disclosure>
  );
}

/** Delete, confirmed by typing the link's name. */
export function DeleteLink({ action, id, name }: { action: Action; id: string; name: string }) {
  // On success the action redirects to the list.
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Delete link">
      <input type="hidden" name="id" value={id} />
      <TextField id="confirmName" label={`Type "${name}" to delete this link`} autoComplete="off" error={state && !state.ok ? state.fields?.confirmName : undefined} />
      <div>
        <SubmitButton variant="danger" pendingLabel="Deleting…">
          Delete link
        </SubmitButton>
      </div>
      {state && !state.ok && !state.fields ? <FormMessage result={state} /> : null}
    </form>
  );
}
