"use client";

import { useActionState, useState } from "react";
import { SelectField, TextAreaField, TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SecretOnce } from "@/components/ui/secret-once";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";
import type { SmtpView } from "@/lib/notifications/smtp";
import { ConfirmedButton } from "@/components/ui/confirmed-button";

type Action<T = unknown> = (state: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>;
const refusal = (state: ActionResult | null) => (state && !state.ok ? state : null);

/**
 * Counts a form's results. React resets a form after its action, back to each field's default;
 * the fields whose choice shows or hides others (uncontrolled, with their default from the
 * result's echo) are keyed by this, so they mount again from what the result says, and a reset
 * finds the same default. Adjusted while rendering, as React advises, not in an effect.
 */
function useResultVersion(state: unknown): number {
  const [seen, setSeen] = useState(state);
  const [version, setVersion] = useState(0);
  if (state !== seen) {
    setSeen(state);
    setVersion((v) => v + 1);
  }
  return version;
}

export type SmtpProps = Omit<SmtpView, "updatedAt">;

/** The SMTP server: the password is never shown; left blank it is kept. */
export function SmtpForm({ action, current }: { action: Action; current: SmtpProps | null }) {
  const [state, formAction] = useActionState(action, null);
  const fields = refusal(state)?.fields;
  const values = refusal(state)?.values;
  const version = useResultVersion(state);
  return (
    <form action={formAction} className="flex flex-col gap-4" aria-label="SMTP server" noValidate>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-[1fr_8rem]">
        <TextField id="smtp-host" name="host" label="Host" placeholder="smtp.example.com" defaultValue={values?.host ?? current?.host ?? ""} error={fields?.host} required />
        <TextField id="smtp-port" name="port" label="Port" inputMode="numeric" defaultValue={values?.port ?? String(current?.port ?? 587)} error={fields?.port} required />
      </div>
      <SecuritySelect key={version} initial={values?.security ?? current?.security ?? "starttls"} error={fields?.security} />
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <TextField id="smtp-username" name="username" label="User name (optional)" autoComplete="off" defaultValue={values?.username ?? current?.username ?? ""} error={fields?.username} />
        <TextField id="smtp-password" name="password" type="password" label="Password" autoComplete="new-password" placeholder={current?.passwordSet ? "(stored: leave blank to keep it)" : ""} error={fields?.password} hint="Sealed in the vault; never shown again." />
      </div>
      {current?.passwordSet ? (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="removePassword" /> Remove the stored password
        </label>
      ) : null}
      <TextField id="smtp-sender" name="sender" type="email" label="Sender address" placeholder="applinks@example.com" defaultValue={values?.sender ?? current?.sender ?? ""} error={fields?.sender} required />
      <TextAreaField id="smtp-ca" name="caPem" label="CA certificate to trust (PEM, optional)" rows={3} defaultValue={values?.caPem ?? current?.caPem ?? ""} error={fields?.caPem} hint="For a server whose certificate comes from your own authority; the system's authorities are trusted as well." />
      <FormMessage result={state} />
      <div>
        <SubmitButton pendingLabel="Saving…">Save SMTP server</SubmitButton>
      </div>
    </form>
  );
}

/** The SMTP encryption, with a hint that follows the choice. */
function SecuritySelect({ initial, error }: { initial: string; error?: string }) {
  const [security, setSecurity] = useState(initial);
  return (
    <SelectField
      id="smtp-security"
      name="security"
      label="Encryption"
      defaultValue={initial}
      onChange={(e) => setSecurity(e.target.value)}
      error={error}
      hint={security === "none" ? "Only for a relay on this machine: the password and every message travel in clear text." : security === "tls" ? "TLS from the first byte (usually port 465)." : "The connection is upgraded with STARTTLS before the login; a server that does not offer it is refused (usually port 587)."}
    >
      <option value="starttls">STARTTLS (required)</option>
      <option value="tls">TLS</option>
      <option value="none">None</option>
    </SelectField>
  );
}

export interface ChannelProps {
  id: string;
  name: string;
  kind: "email" | "webhook";
  url?: string;
  format?: string;
  recipients?: string[];
  events: string[];
  links: "all" | string[];
  enabled: boolean;
}

/**
 * Add or change a channel: email recipients or a webhook's URL and shape, the events it gets and
 * the links it covers. Adding a webhook shows its signing secret once.
 */
export function ChannelForm({
  action,
  channel,
  links,
  events,
  idPrefix,
}: {
  action: Action<{ id: string; name: string; secret: string | null }>;
  channel?: ChannelProps;
  links: { id: string; name: string }[];
  events: { name: string; label: string }[];
  idPrefix: string;
}) {
  const [state, formAction] = useActionState(action, null);
  const version = useResultVersion(state);
  const created = state?.ok ? state.data : null;
  return (
    <form action={formAction} className="flex flex-col gap-4" aria-label={channel ? `Change ${channel.name}` : "Add a channel"} noValidate>
      <ChannelFields key={version} channel={channel} links={links} events={events} idPrefix={idPrefix} fields={refusal(state)?.fields} values={refusal(state)?.values} />
      <FormMessage result={state} />
      {created?.secret ? <SecretOnce label={`Signing secret of “${created.name}”: the receiver checks X-Applink-Signature with it`} value={created.secret} /> : null}
      <div>
        <SubmitButton pendingLabel="Saving…">{channel ? "Save channel" : "Add channel"}</SubmitButton>
      </div>
    </form>
  );
}

/** The channel form's fields, mounted again after each result (see useResultVersion). */
function ChannelFields({
  channel,
  links,
  events,
  idPrefix,
  fields,
  values,
}: {
  channel?: ChannelProps;
  links: { id: string; name: string }[];
  events: { name: string; label: string }[];
  idPrefix: string;
  fields?: Record<string, string>;
  values?: Record<string, string>;
}) {
  const initialKind = values?.kind ?? channel?.kind ?? "webhook";
  const initialScope = values?.links ?? (channel && channel.links !== "all" ? "chosen" : "all");
  const [kind, setKind] = useState(initialKind);
  const [scope, setScope] = useState(initialScope);
  const id = (name: string) => `${idPrefix}-${name}`;
  const eventChecked = (name: string) => (values ? values[`event-${name}`] === "on" : channel ? channel.events.includes(name) : name === "status-worse" || name === "status-recovered");
  const linkChecked = (linkId: string) => (values ? values[`link-${linkId}`] === "on" : channel?.links !== "all" && !!channel?.links.includes(linkId));
  return (
    <>
      {channel ? (
        <>
          <input type="hidden" name="id" value={channel.id} />
          <input type="hidden" name="channelKind" value={channel.kind} />
        </>
      ) : (
        <SelectField id={id("kind")} name="kind" label="Kind" defaultValue={initialKind} onChange={(e) => setKind(e.target.value)} error={fields?.kind}>
          <option value="webhook">Webhook</option>
          <option value="email">Email</option>
        </SelectField>
      )}
      <TextField id={id("name")} name="name" label="Channel name" defaultValue={values?.name ?? channel?.name ?? ""} error={fields?.name} hint="How it reads in the list and the log, e.g. “Ops on-call”." required />
      {kind === "email" ? (
        <TextAreaField id={id("recipients")} name="recipients" label="Recipients (one per line)" rows={3} defaultValue={values?.recipients ?? channel?.recipients?.join("\n") ?? ""} error={fields?.recipients} required />
      ) : (
        <>
          <TextField
            id={id("url")}
            name="url"
            label="Webhook URL"
            type="url"
            autoComplete="off"
            placeholder={channel ? `${channel.url} (leave blank to keep it)` : "https://hooks.slack.com/services/…"}
            defaultValue={values?.url ?? ""}
            error={fields?.url}
            hint="Kept sealed (a Slack or Teams URL is itself a credential) and shown masked."
            required={!channel}
          />
          <SelectField id={id("format")} name="format" label="Message shape" defaultValue={values?.format ?? channel?.format ?? "generic"} error={fields?.format}>
            <option value="generic">JSON (Applink Admin&apos;s own)</option>
            <option value="slack">Slack incoming webhook</option>
            <option value="teams">Microsoft Teams Workflow (Adaptive Card)</option>
          </SelectField>
        </>
      )}
      <fieldset className="flex flex-col gap-2" aria-describedby={fields?.events ? id("events-error") : undefined}>
        <legend className="mb-1 text-sm font-medium">Events</legend>
        {events.map((event) => (
          <label key={event.name} className="flex items-start gap-2 text-sm">
            <input type="checkbox" name={`event-${event.name}`} defaultChecked={eventChecked(event.name)} className="mt-1" />
            <span>{event.label}</span>
          </label>
        ))}
        {fields?.events ? (
          <p id={id("events-error")} className="text-xs text-danger" role="alert">
            {fields.events}
          </p>
        ) : null}
      </fieldset>
      <fieldset className="flex flex-col gap-2" aria-describedby={fields?.links ? id("links-error") : undefined}>
        <legend className="mb-1 text-sm font-medium">Links</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="links" value="all" defaultChecked={initialScope === "all"} onChange={() => setScope("all")} /> Every link, including links added later
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="links" value="chosen" defaultChecked={initialScope === "chosen"} onChange={() => setScope("chosen")} /> Only these links:
        </label>
        {scope === "chosen" ? (
          <div className="ml-6 flex flex-col gap-1">
            {links.length ? (
              links.map((link) => (
                <label key={link.id} className="flex items-center gap-2 text-sm [overflow-wrap:anywhere]">
                  <input type="checkbox" name={`link-${link.id}`} defaultChecked={linkChecked(link.id)} /> {link.name}
                </label>
              ))
            ) : (
              <p className="text-sm text-muted">No links yet.</p>
            )}
          </div>
        ) : null}
        {fields?.links ? (
          <p id={id("links-error")} className="text-xs text-danger" role="alert">
            {fields.links}
          </p>
        ) : null}
      </fieldset>
    </>
  );
}

/** A form of one button whose outcome is said beside it. */
function OneButton({ action, id, label, ariaLabel, pendingLabel, extra, variant = "secondary" }: { action: Action; id: string; label: string; ariaLabel: string; pendingLabel: string; extra?: Record<string, string>; variant?: "secondary" | "danger" }) {
  const [state, formAction] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col items-start gap-1">
      <input type="hidden" name="id" value={id} />
      {Object.entries(extra ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <SubmitButton size="sm" variant={variant} aria-label={ariaLabel} pendingLabel={pendingLabel}>
        {label}
      </SubmitButton>
      <FormMessage result={state} />
    </form>
  );
}

/** Send a test, turn on or off, a new signing secret (shown once), delete after a confirmation. */
export function ChannelActions({
  channel,
  test,
  setEnabled,
  rotate,
  remove,
}: {
  channel: ChannelProps;
  test: Action;
  setEnabled: Action;
  rotate: Action<{ secret: string }>;
  remove: Action;
}) {
  const [rotated, rotateAction] = useActionState(rotate, null);
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-start gap-2">
        <OneButton action={test} id={channel.id} label="Send a test" ariaLabel={`Send a test to ${channel.name}`} pendingLabel="Sending…" />
        <OneButton action={setEnabled} id={channel.id} extra={{ enabled: String(!channel.enabled) }} label={channel.enabled ? "Turn off" : "Turn on"} ariaLabel={`${channel.enabled ? "Turn off" : "Turn on"} ${channel.name}`} pendingLabel="Saving…" />
        {channel.kind === "webhook" ? (
          <form action={rotateAction}>
            <input type="hidden" name="id" value={channel.id} />
            <SubmitButton size="sm" variant="secondary" aria-label={`New signing secret for ${channel.name}`} pendingLabel="Rotating…">
              New signing secret
            </SubmitButton>
          </form>
        ) : null}
        <ConfirmedButton action={remove} fields={{ id: channel.id }} label="Delete" name={channel.name} consequence="Its log goes with it." confirmLabel="Yes, delete" pendingLabel="Deleting…" />
      </div>
      {rotated?.ok && rotated.data?.secret ? <SecretOnce label={`New signing secret of “${channel.name}” (the old one no longer verifies)`} value={rotated.data.secret} /> : <FormMessage result={rotated && !rotated.ok ? rotated : null} />}
    </div>
  );
}
