"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { SelectField, TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

type Result = ActionResult<{ id: string }>;
type Levels = { threeLegged: boolean; twoLegged: boolean; impersonation: boolean };
type LevelKey = keyof Levels;

const LEVELS = [
  ["3lo", "threeLegged", "3-legged OAuth (as each person, after they authorize)"],
  ["2lo", "twoLegged", "2-legged OAuth (as one set user)"],
  ["2loi", "impersonation", "2-legged OAuth with impersonation (as the same username; both applications share one user base)"],
] as const;

/** What a link gets when nothing is proposed: Atlassian's wizard defaults (3LO and 2LO out, 3LO in). */
const DEFAULT_OUTGOING: Levels = { threeLegged: true, twoLegged: true, impersonation: false };
const DEFAULT_INCOMING: Levels = { threeLegged: true, twoLegged: false, impersonation: false };

const TYPES = [
  ["generic", "Generic"],
  ["jira", "Jira"],
  ["confluence", "Confluence"],
  ["bitbucket", "Bitbucket"],
  ["bamboo", "Bamboo"],
  ["applink-admin", "Applink Admin"],
] as const;

/** Checkboxes for one direction's levels; the action reads `<prefix>3lo`, `<prefix>2lo`, `<prefix>2loi`. */
function LevelChoices({ prefix, legend, levels, onChange, children }: { prefix: "in" | "out"; legend: string; levels: Levels; onChange: (key: LevelKey, on: boolean) => void; children?: React.ReactNode }) {
  return (
    <fieldset className="flex flex-col gap-2 rounded-md border border-border p-3">
      <legend className="px-1 text-sm font-medium">{legend}</legend>
      {LEVELS.map(([suffix, key, label]) => (
        <label key={suffix} className="flex items-start gap-2 text-sm">
          <input type="checkbox" name={`${prefix}${suffix}`} checked={levels[key]} onChange={(e) => onChange(key, e.target.checked)} className="mt-1" />
          <span>{label}</span>
        </label>
      ))}
      {children}
    </fieldset>
  );
}

/**
 * The create wizard: enter a URL and the server reads the remote's manifest (when none answers,
 * the same form offers manual creation), with the levels each direction gets, created exactly as
 * shown. On a create-back page (`proposed`, from another instance's "Set up this app on …") the
 * levels that match the other end are prefilled, and what only this admin can decide is asked
 * here: the user the remote's 2-legged requests run as, and whether both share one user base.
 */
export function CreateLinkForm({
  action,
  initialRpcUrl,
  proposed,
  users,
  serviceUsername,
}: {
  action: (s: Result | null, f: FormData) => Promise<Result>;
  initialRpcUrl?: string;
  proposed?: { outgoing?: Levels; incoming?: Levels; back: string | null };
  users: { username: string; displayName: string }[];
  serviceUsername: string;
}) {
  const router = useRouter();
  const [state, formAction] = useActionState(action, null);
  const [manual, setManual] = useState(false);
  const failed = state && !state.ok ? state : null;
  const discoveryFailed = Boolean(failed?.message.includes("Create the link manually"));
  const values = failed?.values;
  // Controlled: a refused form keeps the boxes as they were ticked.
  const [outgoing, setOutgoing] = useState<Levels>(proposed?.outgoing ?? DEFAULT_OUTGOING);
  const [incoming, setIncoming] = useState<Levels>(proposed?.incoming ?? DEFAULT_INCOMING);
  const [runAs, setRunAs] = useState<"service" | "existing">("service");

  useEffect(() => {
    // What the creation said (and any warning) waits for the link's page in a flash cookie. (A link
    // created from another instance's proposal goes back there: the action redirects.)
    if (state?.ok && state.data) router.push(`/links/${state.data.id}`);
  }, [state, router]);

  const fields = failed?.fields;
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
        error={fields?.rpcUrl && !discoveryFailed ? fields.rpcUrl : undefined}
      />
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="fetchConsumer" defaultChecked className="mt-1" />
        <span>Also set up incoming from the remote&apos;s consumer info (its consumer key and public key).</span>
      </label>
      {proposed?.back ? <input type="hidden" name="back" value={proposed.back} /> : null}
      <LevelChoices prefix="out" legend="Outgoing (this app → that application)" levels={outgoing} onChange={(k, on) => setOutgoing({ ...outgoing, [k]: on })} />
      <LevelChoices prefix="in" legend="Incoming (that application → this app)" levels={incoming} onChange={(k, on) => setIncoming({ ...incoming, [k]: on })}>
        {incoming.twoLegged ? (
          <fieldset className="ml-6 flex flex-col gap-2">
            <legend className="text-sm font-medium">2-legged requests from that application run as</legend>
            <label className="flex items-start gap-2 text-sm">
              <input type="radio" name="inRunAs" value="service" checked={runAs === "service"} onChange={() => setRunAs("service")} className="mt-1" />
              <span>A new user made for them (recommended: it holds only what you grant it)</span>
            </label>
            {runAs === "service" ? (
              <TextField id="inServiceUser" label="Its username" defaultValue={values?.inServiceUser ?? serviceUsername} error={fields?.inServiceUser} />
            ) : null}
            <label className="flex items-start gap-2 text-sm">
              <input type="radio" name="inRunAs" value="existing" checked={runAs === "existing"} onChange={() => setRunAs("existing")} className="mt-1" />
              <span>An existing user</span>
            </label>
            {runAs === "existing" ? (
              <SelectField id="inExecuteAs" label="User" defaultValue={values?.inExecuteAs ?? ""} error={fields?.inExecuteAs}>
                <option value="">Choose a user</option>
                {users.map((u) => (
                  <option key={u.username} value={u.username}>
                    {u.displayName === u.username ? u.username : `${u.displayName} (${u.username})`}
                  </option>
                ))}
              </SelectField>
            ) : null}
          </fieldset>
        ) : null}
        {incoming.impersonation ? (
          <div className="ml-6 flex flex-col gap-1">
            <label className="flex items-start gap-2 text-sm">
              <input type="checkbox" name="inImpersonationConfirmed" defaultChecked={values?.inImpersonationConfirmed === "on"} aria-invalid={fields?.inImpersonationConfirmed ? true : undefined} aria-describedby={fields?.inImpersonationConfirmed ? "inImpersonationConfirmed-error" : undefined} className="mt-1" />
              <span>
                Both applications share one user base: that application may act as any user here, administrators included, by their username.
              </span>
            </label>
            {fields?.inImpersonationConfirmed ? (
              <p id="inImpersonationConfirmed-error" className="text-xs text-danger" role="alert">
                {fields.inImpersonationConfirmed}
              </p>
            ) : null}
          </div>
        ) : null}
      </LevelChoices>
      {failed && discoveryFailed ? (
        <div role="alert" className="rounded-md bg-warning/10 px-3 py-2 text-sm text-warning">
          {failed.message} Fill in a name and type below to create it as given.
        </div>
      ) : failed && !fields ? (
        <FormMessage result={failed} />
      ) : null}
      {showManual ? (
        <fieldset className="grid gap-4 rounded-md border border-border p-4 sm:grid-cols-2">
          <legend className="px-1 text-sm font-medium">Manual creation</legend>
          <TextField id="name" label="Name" defaultValue={values?.name} error={fields?.name} />
          <SelectField key={values?.type ?? "generic"} id="type" label="Type" defaultValue={values?.type ?? "generic"} error={fields?.type}>
            {TYPES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </SelectField>
          <TextField id="displayUrl" label="Display URL" hint="Where browsers are sent; defaults to the application URL." defaultValue={values?.displayUrl} error={fields?.displayUrl} />
        </fieldset>
      ) : (
        <button type="button" className="self-start text-sm text-accent underline" onClick={() => setManual(true)}>
          Enter the details by hand instead
        </button>
      )}
      <div>
        <SubmitButton pendingLabel="Reading the manifest…">{proposed ? "Create the link back" : showManual ? "Create link" : "Discover and create"}</SubmitButton>
      </div>
    </form>
  );
}
