"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { SelectField, TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

type Result = ActionResult<{ id: string; warnings: string[] }>;
const TYPES = [
  ["generic", "Generic"],
  ["jira", "Jira"],
  ["confluence", "Confluence"],
  ["bitbucket", "Bitbucket"],
  ["bamboo", "Bamboo"],
  ["applink-admin", "Applink Admin"],
] as const;

/**
 * The create wizard: enter a URL and the server reads the remote's manifest; when none answers,
 * the same form offers manual creation (name and type).
 */
export function CreateLinkForm({
  action,
  initialRpcUrl,
  proposed,
}: {
  action: (s: Result | null, f: FormData) => Promise<Result>;
  initialRpcUrl?: string;
  /** Levels another instance proposed for this link back (applied after creation). */
  proposed?: { out?: string; in?: string };
}) {
  const router = useRouter();
  const [state, formAction] = useActionState(action, null);
  const [manual, setManual] = useState(false);
  const failed = state && !state.ok ? state : null;
  const discoveryFailed = Boolean(failed?.message.includes("Create the link manually"));
  const values = failed?.values;

  useEffect(() => {
    if (state?.ok && state.data) {
      const next = new URLSearchParams({ created: "1" });
      if (state.data.warnings.length) next.set("warning", state.data.warnings.join("\n"));
      router.push(`/links/${state.data.id}?${next}`);
    }
  }, [state, router]);

  const showManual = manual || discoveryFailed;
  return (
    <form action={formAction} className="flex max-w-2xl flex-col gap-4" aria-label="Create link" noValidate>
      {proposed?.out ? <input type="hidden" name="proposeOut" value={proposed.out} /> : null}
      {proposed?.in ? <input type="hidden" name="proposeIn" value={proposed.in} /> : null}
      <TextField
        id="rpcUrl"
        label="Application URL"
        placeholder="https://jira.example.com"
        required
        defaultValue={values?.rpcUrl ?? initialRpcUrl}
        hint="The base URL this server uses to reach the application. Its manifest fills in the rest."
        error={failed?.fields?.rpcUrl && !discoveryFailed ? failed.fields.rpcUrl : undefined}
      />
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="fetchConsumer" defaultChecked className="mt-1" />
        <span>Also set up incoming from the remote&apos;s consumer info (its consumer key and public key).</span>
      </label>
      {failed && discoveryFailed ? (
        <div role="alert" className="rounded-md bg-warning/10 px-3 py-2 text-sm text-warning">
          {failed.message} Fill in a name and type below to create it as given.
        </div>
      ) : (
        <FormMessage result={failed} />
      )}
      {showManual ? (
        <fieldset className="grid gap-4 rounded-md border border-border p-4 sm:grid-cols-2">
          <legend className="px-1 text-sm font-medium">Manual creation</legend>
          <TextField id="name" label="Name" defaultValue={values?.name} error={failed?.fields?.name} />
          <SelectField key={values?.type ?? "generic"} id="type" label="Type" defaultValue={values?.type ?? "generic"} error={failed?.fields?.type}>
            {TYPES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </SelectField>
          <TextField id="displayUrl" label="Display URL" hint="Where browsers are sent; defaults to the application URL." defaultValue={values?.displayUrl} error={failed?.fields?.displayUrl} />
        </fieldset>
      ) : (
        <button type="button" className="self-start text-sm text-accent underline" onClick={() => setManual(true)}>
          Enter the details by hand instead
        </button>
      )}
      <div>
        <SubmitButton pendingLabel="Reading the manifest…">{showManual ? "Create link" : "Discover and create"}</SubmitButton>
      </div>
    </form>
  );
}
