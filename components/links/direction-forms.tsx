"use client";

import { Disclosure } from "@/components/ui/disclosure";

import { useActionState, useState } from "react";
import { SelectField, TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";

type Action = (s: ActionResult | null, f: FormData) => Promise<ActionResult>;

interface Flags {
  threeLegged: boolean;
  twoLegged: boolean;
  impersonation: boolean;
}

/** React resets a form after its action; a refused one comes back showing what was submitted. */
function submitted(flags: Flags, values: Record<string, string> | undefined): Flags {
  if (!values) return flags;
  return { threeLegged: values.threeLegged === "on", twoLegged: values.twoLegged === "on", impersonation: values.impersonation === "on" };
}

function Toggles({ flags, onImpersonation, legend, forUsers }: { flags: Flags; onImpersonation: (on: boolean) => void; legend: string; forUsers?: boolean }) {
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="threeLegged" defaultChecked={flags.threeLegged} /> 3-legged OAuth (each person authorizes once)
      </label>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="twoLegged" defaultChecked={flags.twoLegged} /> 2-legged OAuth (requests run as a fixed user)
      </label>
      {forUsers !== undefined ? (
        <label className="ml-6 flex items-center gap-2 text-sm">
          <input type="checkbox" name="twoLeggedForUsers" defaultChecked={forUsers} /> …for every signed-in user, not only administrators and server code (they
          all act as that one remote user)
        </label>
      ) : null}
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="impersonation" defaultChecked={flags.impersonation} onChange={(e) => onImpersonation(e.currentTarget.checked)} /> 2-legged OAuth with
        impersonation (requests run as the calling user)
      </label>
    </fieldset>
  );
}

/** Turning impersonation on is a privileged act: the admin confirms the shared user base. */
function ImpersonationConfirm({ show, error }: { show: boolean; error?: string }) {
  if (!show) return null;
  return (
    <div role="group" aria-label="Confirm impersonation" className="rounded-md border border-warning/50 bg-warning/10 p-3 text-sm">
      <p className="mb-2">
        With impersonation, the remote application acts as <strong>any user it names</strong>. Enable it only when both applications share one user base (the
        same directory), so a username means the same person on both sides.
      </p>
      <label className="flex items-center gap-2 font-medium">
        <input type="checkbox" name="impersonationConfirmed" aria-invalid={error ? true : undefined} aria-describedby={error ? "impersonationConfirmed-error" : undefined} /> Both applications share one user base
      </label>
      {error ? (
        <p id="impersonationConfirmed-error" className="mt-1 text-xs text-danger" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function OutgoingForm({
  action,
  link,
}: {
  action: Action;
  link: { id: string; version: number; outgoing: Flags & { twoLeggedForUsers: boolean; requestTokenUrl: string | null; authorizeUrl: string | null; accessTokenUrl: string | null } };
}) {
  const [state, formAction] = useActionState(action, null);
  const [confirming, setConfirming] = useState(false);
  const fields = state && !state.ok ? state.fields : undefined;
  const values = state && !state.ok ? state.values : undefined;
  return (
    // Keyed by what it shows: a refused form comes back as submitted; a saved one is drawn anew from
    // what was saved, so no field snaps back to a stale default. Not by the link's version: another
    // form's save on the same page must not wipe what is being typed here.
    <form action={formAction} className="flex flex-col gap-4" aria-label="Outgoing" key={values ? JSON.stringify(values) : `saved-${JSON.stringify(link.outgoing)}`}>
      <input type="hidden" name="id" value={link.id} />
      <input type="hidden" name="version" value={link.version} />
      <Toggles
        legend="How this app signs its requests"
        flags={submitted(link.outgoing, values)}
        forUsers={values ? values.twoLeggedForUsers === "on" : link.outgoing.twoLeggedForUsers}
        onImpersonation={(on) => setConfirming(on)}
      />
      <ImpersonationConfirm show={(confirming && !link.outgoing.impersonation) || Boolean(fields?.impersonationConfirmed)} error={fields?.impersonationConfirmed} />
      <Disclosure label="The remote's OAuth endpoints" defaultOpen={Boolean(fields?.requestTokenUrl || fields?.authorizeUrl || fields?.accessTokenUrl)}>
        <div className="mt-3 flex flex-col gap-3">
          <TextField id="requestTokenUrl" label="Request token URL" defaultValue={values?.requestTokenUrl ?? link.outgoing.requestTokenUrl ?? ""} error={fields?.requestTokenUrl} />
          <TextField id="authorizeUrl" label="Authorize URL" defaultValue={values?.authorizeUrl ?? link.outgoing.authorizeUrl ?? ""} error={fields?.authorizeUrl} />
          <TextField id="accessTokenUrl" label="Access token URL" defaultValue={values?.accessTokenUrl ?? link.outgoing.accessTokenUrl ?? ""} error={fields?.accessTokenUrl} />
        </div>
      </Disclosure>
      <FormMessage result={state} />
      <div>
        <SubmitButton pendingLabel="Saving…">Save outgoing</SubmitButton>
      </div>
    </form>
  );
}

export function IncomingForm({
  action,
  link,
  users,
}: {
  action: Action;
  link: {
    id: string;
    version: number;
    incoming: Flags & {
      consumerKey: string | null;
      consumerName: string | null;
      publicKeyFingerprint: string | null;
      executeAs: string | null;
      connectJwt: { issuer: string; sharedSecretSet: boolean } | null;
    };
  };
  users: { username: string; displayName: string }[];
}) {
  const [state, formAction] = useActionState(action, null);
  const [confirming, setConfirming] = useState(false);
  const fields = state && !state.ok ? state.fields : undefined;
  const values = state && !state.ok ? state.values : undefined;
  const inc = link.incoming;
  return (
    <form action={formAction} className="flex flex-col gap-4" aria-label="Incoming" key={values ? JSON.stringify(values) : `saved-${JSON.stringify(link.incoming)}`}>
      <input type="hidden" name="id" value={link.id} />
      <input type="hidden" name="version" value={link.version} />
      <div className="rounded-md bg-surface-2 p-3 text-sm">
        <p className="font-medium">Remote consumer</p>
        {inc.consumerKey ? (
          <dl className="mt-1 grid grid-cols-[8rem_1fr] gap-x-3 gap-y-1">
            <dt className="text-muted">Key</dt>
            <dd className="break-all font-mono text-xs" data-testid="incoming-consumer-key">
              {inc.consumerKey}
            </dd>
            <dt className="text-muted">Name</dt>
            <dd>{inc.consumerName}</dd>
            <dt className="text-muted">Public key</dt>
            <dd className="break-all font-mono text-xs">{inc.publicKeyFingerprint ?? "none"}</dd>
          </dl>
        ) : (
          <p className="text-muted">Not set: fetch it from the remote, or paste its consumer key and public key.</p>
        )}
        <SubmitButton size="sm" variant="secondary" name="fetchConsumer" value="on" className="mt-2" pendingLabel="Fetching…">
          Fetch from remote
        </SubmitButton>
      </div>
      <Disclosure label="Paste the consumer" defaultOpen={Boolean(fields?.publicKey || fields?.consumerKey || fields?.consumerName || values?.publicKey)}>
        <div className="mt-3 flex flex-col gap-3">
          <TextField id="consumerKey" label="Consumer key" defaultValue={values?.consumerKey ?? inc.consumerKey ?? ""} error={fields?.consumerKey} />
          <TextField id="consumerName" label="Consumer name" defaultValue={values?.consumerName ?? inc.consumerName ?? ""} error={fields?.consumerName} />
          <label htmlFor="publicKey" className="text-sm font-medium">
            Public key (PEM or the base64 text Jira shows)
          </label>
          <textarea
            id="publicKey"
            name="publicKey"
            rows={4}
            className="rounded-md border border-border bg-surface p-2 font-mono text-xs"
            defaultValue={values?.publicKey ?? ""}
            aria-invalid={fields?.publicKey ? true : undefined}
            aria-describedby={fields?.publicKey ? "publicKey-error" : undefined}
          />
          {fields?.publicKey ? (
            <p id="publicKey-error" className="text-xs text-danger" role="alert">
              {fields.publicKey}
            </p>
          ) : null}
        </div>
      </Disclosure>
      <Toggles legend="What the remote may do here" flags={submitted(inc, values)} onImpersonation={(on) => setConfirming(on)} />
      <ImpersonationConfirm show={(confirming && !inc.impersonation) || Boolean(fields?.impersonationConfirmed)} error={fields?.impersonationConfirmed} />
      <SelectField id="executeAs" label="2-legged requests run as" defaultValue={values?.executeAs ?? inc.executeAs ?? ""} error={fields?.executeAs} hint="Needed for 2-legged OAuth; Connect JWTs run as this user too, unless impersonation lets them name one.">
        <option value="">Nobody (2-legged off)</option>
        {users.map((u) => (
          <option key={u.username} value={u.username}>
            {u.displayName} ({u.username})
          </option>
        ))}
      </SelectField>
      <IncomingJwtFields saved={inc.connectJwt} values={values} fields={fields} />
      <FormMessage result={state} />
      <div>
        <SubmitButton pendingLabel="Saving…">Save incoming</SubmitButton>
      </div>
    </form>
  );
}

/**
 * Atlassian Connect JWTs from the remote, beside its OAuth: the issuer its tokens carry and the
 * shared secret they are signed with. The secret is write-only: left blank, the stored one is kept.
 * They run as the 2-legged user above, or as their `sub` where impersonation is allowed.
 */
function IncomingJwtFields({
  saved,
  values,
  fields,
}: {
  saved: { issuer: string; sharedSecretSet: boolean } | null;
  values: Record<string, string> | undefined;
  fields: Record<string, string> | undefined;
}) {
  const [accept, setAccept] = useState(values ? values.acceptConnectJwt === "on" : saved !== null);
  const secretHint = saved?.sharedSecretSet ? "A shared secret is stored; leave this blank to keep it." : "At least 16 characters, as the remote's app descriptor gave it.";
  return (
    <fieldset className="flex flex-col gap-3 rounded-md border border-border p-3">
      <legend className="px-1 text-sm font-medium">Atlassian Connect JWT</legend>
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          name="acceptConnectJwt"
          checked={accept}
          onChange={(e) => setAccept(e.currentTarget.checked)}
          aria-describedby={fields?.connectJwt ? "connectJwt-error" : undefined}
        />{" "}
        Accept Connect JWTs from the remote
      </label>
      {fields?.connectJwt ? (
        <p id="connectJwt-error" className="text-xs text-danger" role="alert">
          {fields.connectJwt}
        </p>
      ) : null}
      {accept ? (
        <>
          <TextField id="jwtIssuer" label="Issuer of the remote's tokens (iss)" defaultValue={values?.jwtIssuer ?? saved?.issuer ?? ""} error={fields?.["connectJwt.issuer"]} />
          <TextField
            id="jwtSharedSecret"
            label="Shared secret of the remote's tokens"
            type="password"
            autoComplete="off"
            error={fields?.["connectJwt.sharedSecret"]}
            hint={secretHint}
          />
        </>
      ) : null}
    </fieldset>
  );
}
