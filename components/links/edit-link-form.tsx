"use client";

import { Disclosure } from "@/components/ui/disclosure";

import { useActionState } from "react";
import { SelectField, TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

type Action = (s: ActionResult | null, f: FormData) => Promise<ActionResult>;

/**
 * Edit a link's name, type and URLs (the version read guards against a concurrent change). A new
 * RPC URL is a relocation: the server reads the manifest there and refuses another application.
 */
export function EditLinkForm({
  action,
  link,
  types,
  open = false,
}: {
  /** Opened from the list's Edit. */
  open?: boolean;
  action: Action;
  link: { id: string; version: number; name: string; type: string; rpcUrl: string | null; displayUrl: string };
  types: { value: string; label: string }[];
}) {
  const [state, formAction] = useActionState(action, null);
  const fields = state && !state.ok ? state.fields : undefined;
  const values = state && !state.ok ? state.values : undefined;
  return (
    <Disclosure id="edit" className="rounded-md border border-border p-3" label="Edit name, type and URLs…" defaultOpen={open || Boolean(values)}>
      <form action={formAction} className="mt-3 grid gap-3 sm:grid-cols-2" aria-label="Edit link" key={values ? JSON.stringify(values) : `saved-${JSON.stringify([link.name, link.type, link.rpcUrl, link.displayUrl])}`}>
        <input type="hidden" name="id" value={link.id} />
        <input type="hidden" name="version" value={link.version} />
        <TextField id="edit-name" name="name" label="Name" defaultValue={values?.name ?? link.name} error={fields?.name} />
        <SelectField id="edit-type" name="type" label="Type" defaultValue={values?.type ?? link.type} error={fields?.type}>
          {types.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </SelectField>
        <TextField
          id="edit-rpcUrl"
          name="rpcUrl"
          label="RPC URL"
          hint="Changing it relocates the link: the application there must be this one."
          defaultValue={values?.rpcUrl ?? link.rpcUrl ?? ""}
          error={fields?.rpcUrl}
        />
        <TextField id="edit-displayUrl" name="displayUrl" label="Display URL" defaultValue={values?.displayUrl ?? link.displayUrl} error={fields?.displayUrl} />
        <div className="flex flex-col gap-2 sm:col-span-2">
          <FormMessage result={state} />
          <div>
            <SubmitButton pendingLabel="Saving…">Save link</SubmitButton>
          </div>
        </div>
      </form>
    </Disclosure>
  );
}
