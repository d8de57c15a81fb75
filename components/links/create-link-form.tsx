"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { SelectField, TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

type Result = ActionResult<{ id: string }>;
type Levels = { threeLegged: boolean; twoLegged: boolean; impersonation: boolean };

const LEVELS = [
  ["3lo", "threeLegged", "3-legged OAuth (as each person, after they authorize)"],
  ["2lo", "twoLegged", "2-legged OAuth (as one set user)"],
  ["2loi", "impersonation", "2-legged OAuth with impersonation (as the same username; both applications share one user base)"],
] as const;

/** Checkboxes for one direction's levels, prefilled; the action reads `<prefix>3lo`, `<prefix>2lo`, `<prefix>2loi`. */
function LevelChoices({ prefix, legend, levels }: { prefix: "in" | "out"; legend: string; levels: Levels }) {
  return (
    <fieldset className="flex flex-col gap-2 rounded-md border border-border p-3">
      <legend className="px-1 text-sm font-medium">{legend}</legend>
      {LEVELS.map(([suffix, key, label]) => (
        <label key={suffix} className="flex items-start gap-2 text-sm">
          <input type="checkbox" name={`${prefix}${suffix}`} defaultChecked={levels[key]} className="mt-1" />
          <span>{label}</span>
        </label>
      ))}
    </fieldset>
  );
}
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
  /** Levels to set once the link is created, prefilled from the address of a "create the link back" page (the admin can change them). */
  proposed?: { outgoing?: Levels; incoming?: Levels };
}) {
  const router = useRouter();
  const [state, formAction] = useActionState(action, null);
  const [manual, setManual] = useState(false);
  const failed = state && !state.ok ? state : null;
  const discoveryFailed = Boolean(failed?.message.includes("Create the link manually"));
  const values = failed?.values;

  useEffect(() => {
    // What the creation said (and any warning) waits for the link's page in a flash cookie.
    if (state?.ok && state.data) router.push(`/links/${state.data.id}`);
  }, [state, router]);

  const showManual = manual || discoveryFailed;
  return (
    <form action={formAction} className="flex max-w-2xl flex-col gap-4" aria-label="Create link" noValidate>
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
      {proposed?.incoming ? <input type="hidden" name="setIncoming" value="on" /> : null}
      {proposed?.incoming ? <LevelChoices prefix="in" legend="Incoming (that application → this one) to turn on once created" levels={proposed.incoming} /> : null}
      {proposed?.outgoing ? <input type="hidden" name="setOutgoing" value="on" /> : null}
      {proposed?.outgoing ? <LevelChoices prefix="out" legend="Outgoing (this one → that application) to turn on once created" levels={proposed.outgoing} /> : null}
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
