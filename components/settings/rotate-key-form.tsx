"use client";

import { Disclosure } from "@/components/ui/disclosure";

import { useActionState } from "react";
import { SelectField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

type Action = (s: ActionResult | null, f: FormData) => Promise<ActionResult>;

/** Key rotation: a separate, confirmed act that names every link whose remote must be updated. */
export function RotateKeyForm({ action, affected }: { action: Action; affected: { id: string; name: string; displayUrl: string }[] }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <Disclosure className="rounded-md border border-border p-3" label="Rotate this app's key pair…">
      <form action={formAction} className="mt-3 flex flex-col gap-3" aria-label="Rotate key pair">
        <p className="text-sm text-muted">
          A new key pair replaces the current one at once. Until each remote admin pastes the new public key, requests this app signs for them fail with
          signature_invalid.
        </p>
        {affected.length ? (
          <div className="text-sm">
            <p className="font-medium">Links whose remote admin must update our public key:</p>
            <ul className="ml-5 list-disc" data-testid="rotation-affected">
              {affected.map((l) => (
                <li key={l.id}>
                  {l.name} <span className="text-muted">({l.displayUrl})</span>
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <p className="text-sm">No link signs with this key yet.</p>
        )}
        <div className="w-48">
          <SelectField id="bits" label="Key size" defaultValue="2048">
            <option value="2048">2048 bits</option>
            <option value="3072">3072 bits</option>
            <option value="4096">4096 bits</option>
          </SelectField>
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="confirm" /> I will send the new public key to those admins
        </label>
        {state && !state.ok && state.fields?.confirm ? <p className="text-xs text-danger" role="alert">{state.fields.confirm}</p> : null}
        <div>
          <SubmitButton variant="danger" pendingLabel="Generating…">
            Rotate key pair
          </SubmitButton>
        </div>
        <FormMessage result={state} />
      </form>
    </Disclosure>
  );
}
