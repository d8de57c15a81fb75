import crypto from "node:crypto";
import { z } from "zod";
import type { Db, Tx } from "@/lib/db";
import type { NotificationChannel } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { parseJsonText } from "@/lib/db/json-text";
import { addressWarnings } from "@/lib/links/address-warnings";
import { deleteSecret, putSecret, readSecret, sealSecret } from "@/lib/vault/vault";
import { emailSchema, shownName } from "@/lib/validation/fields";
import { NOTIFICATION_EVENTS } from "@/lib/outbox/events";

export const CHANNEL_KINDS = ["email", "webhook"] as const;
/** The body a webhook gets: ours, or what Slack's incoming webhooks or a Teams Workflow (an Adaptive Card) accept. */
export const WEBHOOK_FORMATS = ["generic", "slack", "teams"] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** Signing secrets look like `whsec_<43 base64url characters>` (256 random bits). */
const SECRET_PREFIX = "whsec_";
const SECRET_PURPOSE = "notification-webhook";

/**
 * A webhook URL: http or https, no user name or password in it. Unlike a link's URL it may carry a
 * query (a Teams Workflow's signature is one), so it is kept sealed and shown masked.
 */
export const webhookUrlSchema = z
  .string({ error: "Enter the webhook's URL." })
  .trim()
  .min(1, "Enter the webhook's URL.")
  .max(2000, "At most 2000 characters.")
  .refine((value) => URL.canParse(value), "Enter a full URL, such as https://hooks.slack.com/services/….")
  .refine((value) => !URL.canParse(value) || ["http:", "https:"].includes(new URL(value).protocol), "Use an http or https URL.")
  .refine((value) => !URL.canParse(value) || (!new URL(value).username && !new URL(value).password), "Leave the user name and password out of the URL.");

const eventsSchema = z.array(z.enum(NOTIFICATION_EVENTS, { error: `Events are: ${NOTIFICATION_EVENTS.join(", ")}.` }), { error: "Choose the events." }).min(1, "Choose at least one event.").transform((events) => [...new Set(events)]);
const linksSchema = z.union([z.literal("all"), z.array(z.string().min(1).max(100)).min(1, "Choose at least one link, or all links.").max(500)], { error: 'Say "all" or list the links\' ids.' });
const recipientsSchema = z.array(emailSchema, { error: "List the recipients' email addresses." }).min(1, "Enter at least one email address.").max(50, "At most 50 recipients.");

const common = {
  name: shownName({ max: 80, required: "Name the channel." }),
  events: eventsSchema,
  links: linksSchema.default("all"),
  enabled: z.boolean().default(true),
};

/** POST /api/v1/notifications/channels. */
export const createChannelSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("email"), ...common, recipients: recipientsSchema }).strict(),
    z.object({ kind: z.literal("webhook"), ...common, url: webhookUrlSchema, format: z.enum(WEBHOOK_FORMATS, { error: `Formats are: ${WEBHOOK_FORMATS.join(", ")}.` }).default("generic") }).strict(),
  ],
  { error: 'Choose the kind: "email" or "webhook".' },
);
export type CreateChannelInput = z.input<typeof createChannelSchema>;

/** PATCH: any field but the kind; a webhook's URL left out is kept; `rotateSecret` makes a new signing secret. */
export const patchChannelSchema = z
  .object({
    name: common.name.optional(),
    events: eventsSchema.optional(),
    links: linksSchema.optional(),
    enabled: z.boolean().optional(),
    recipients: recipientsSchema.optional(),
    url: webhookUrlSchema.optional(),
    format: z.enum(WEBHOOK_FORMATS).optional(),
    rotateSecret: z.literal(true).optional(),
  })
  .strict();
export type PatchChannelInput = z.input<typeof patchChannelSchema>;

/** A URL as shown: long path segments and query values (where tokens and signatures live) cut short. */
export function maskedUrl(raw: string): string {
  const url = new URL(raw);
  const path = url.pathname
    .split("/")
    .map((segment) => (segment.length > 12 ? `${segment.slice(0, 4)}…` : segment))
    .join("/");
  const query = [...url.searchParams].map(([name, value]) => `${name}=${value.length > 12 ? "…" : value}`).join("&");
  return `${url.origin}${path}${query ? `?${query}` : ""}`;
}

/** Warnings for a webhook URL: the same as for every URL the server calls, and clear text. */
export function webhookUrlWarnings(url: string): string[] {
  const warnings = addressWarnings(url);
  if (new URL(url).protocol === "http:") warnings.push("This URL is http: the alerts (link names, causes) travel unencrypted; use https where the receiver offers it.");
  return warnings;
}

export interface ChannelView {
  id: string;
  name: string;
  kind: "email" | "webhook";
  /** webhook: the URL masked */
  url?: string;
  format?: WebhookFormat;
  recipients?: string[];
  events: string[];
  links: "all" | string[];
  enabled: boolean;
  /** webhook: whether it has a signing secret (it always does; the secret itself is never shown again) */
  secretSet?: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function channelView(channel: NotificationChannel): ChannelView {
  const links = channelLinks(channel);
  return {
    id: channel.id,
    name: channel.name,
    kind: channel.kind as ChannelView["kind"],
    ...(channel.kind === "webhook" ? { url: channel.url ?? "", format: channel.format as WebhookFormat, secretSet: !!channel.secretId } : { recipients: parseJsonText<string[]>(channel.recipients, []) }),
    events: parseJsonText<string[]>(channel.events, []),
    links: links ?? "all",
    enabled: channel.enabled,
    createdAt: channel.createdAt,
    updatedAt: channel.updatedAt,
  };
}

/** What the audit log keeps of a channel (never its URL: it may be a credential). */
function auditView(channel: NotificationChannel) {
  const view = channelView(channel);
  return { name: view.name, kind: view.kind, format: view.format, recipients: view.recipients, events: view.events, links: view.links, enabled: view.enabled };
}

async function assertLinksExist(client: Db | Tx, links: "all" | string[]): Promise<void> {
  if (links === "all") return;
  const found = await client.link.findMany({ where: { id: { in: links } }, select: { id: true } });
  const missing = links.filter((id) => !found.some((l) => l.id === id));
  if (missing.length) {
    const message = `No link with the id ${missing.join(", ")}.`;
    throw new AppError("validation_failed", message, { fields: { links: message } });
  }
}

const newSigningSecret = () => SECRET_PREFIX + crypto.randomBytes(32).toString("base64url");

/** A webhook's sealed URL and signing secret. */
export async function webhookSecrets(client: Db | Tx, channel: Pick<NotificationChannel, "secretId">): Promise<{ url: string; signingSecret: string }> {
  if (!channel.secretId) throw new AppError("conflict", "This webhook has no URL stored.");
  return JSON.parse((await readSecret(client, channel.secretId)).toString("utf8")) as { url: string; signingSecret: string };
}

/**
 * Creates a channel. A webhook's URL and signing secret are sealed together; the secret is in this
 * answer only. `warnings`: what the admin may want to know about the URL, or that no SMTP server
 * is set for an email channel.
 */
export async function createChannel(db: Db, actor: Actor, input: CreateChannelInput): Promise<{ view: ChannelView; secret?: string; warnings: string[] }> {
  const parsed = createChannelSchema.parse(input);
  await assertLinksExist(db, parsed.links);
  const secret = parsed.kind === "webhook" ? newSigningSecret() : undefined;
  const warnings = parsed.kind === "webhook" ? webhookUrlWarnings(parsed.url) : (await db.smtpSettings.findUnique({ where: { id: "smtp" } })) ? [] : ["No SMTP server is set yet: set it under Notifications before this channel can send."];
  const sealed = parsed.kind === "webhook" ? await sealSecret(SECRET_PURPOSE, JSON.stringify({ url: parsed.url, signingSecret: secret })) : null;
  const channel = await db.$transaction(async (tx) => {
    const secretId = sealed ? await putSecret(tx, sealed) : null;
    const created = await tx.notificationChannel.create({
      data: {
        name: parsed.name,
        kind: parsed.kind,
        url: parsed.kind === "webhook" ? maskedUrl(parsed.url) : null,
        format: parsed.kind === "webhook" ? parsed.format : "generic",
        recipients: JSON.stringify(parsed.kind === "email" ? parsed.recipients : []),
        events: JSON.stringify(parsed.events),
        links: parsed.links === "all" ? null : JSON.stringify(parsed.links),
        secretId,
        enabled: parsed.enabled,
      },
    });
    await recordAudit(tx, actor, { action: "notifications.channel-create", targetType: "notification-channel", targetId: created.id, targetLabel: created.name, after: auditView(created) });
    return created;
  });
  return { view: channelView(channel), ...(secret ? { secret } : {}), warnings };
}

export async function listChannels(db: Db): Promise<ChannelView[]> {
  return (await db.notificationChannel.findMany({ orderBy: { createdAt: "asc" } })).map(channelView);
}

export async function findChannelOrThrow(client: Db | Tx, id: string): Promise<NotificationChannel> {
  const channel = await client.notificationChannel.findUnique({ where: { id } });
  if (!channel) throw new AppError("not_found", "No such notification channel.");
  return channel;
}

/** Changes a channel; a new URL or `rotateSecret` re-seals (a rotated secret is in this answer only). */
export async function updateChannel(db: Db, actor: Actor, id: string, input: PatchChannelInput): Promise<{ view: ChannelView; secret?: string; warnings: string[] }> {
  const p = patchChannelSchema.parse(input);
  if (p.links) await assertLinksExist(db, p.links);
  const before = await findChannelOrThrow(db, id);
  const isWebhook = before.kind === "webhook";
  const wrongKind = isWebhook ? (p.recipients ? "recipients" : null) : p.url ? "url" : p.format ? "format" : p.rotateSecret ? "rotateSecret" : null;
  if (wrongKind) throw new AppError("validation_failed", `An ${before.kind} channel has no ${wrongKind}.`, { fields: { [wrongKind]: `An ${before.kind} channel has no ${wrongKind}.` } });
  // Read before the transaction: the vault's work stays out of the write.
  const held = isWebhook && (p.url || p.rotateSecret) ? await webhookSecrets(db, before) : null;
  const secret = p.rotateSecret ? newSigningSecret() : undefined;
  const sealed = held ? await sealSecret(SECRET_PURPOSE, JSON.stringify({ url: p.url ?? held.url, signingSecret: secret ?? held.signingSecret })) : null;
  const channel = await db.$transaction(async (tx) => {
    let secretId = before.secretId;
    if (sealed) {
      secretId = await putSecret(tx, sealed);
      if (before.secretId) await deleteSecret(tx, before.secretId);
    }
    const updated = await tx.notificationChannel.update({
      where: { id },
      data: {
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.events ? { events: JSON.stringify(p.events) } : {}),
        ...(p.links ? { links: p.links === "all" ? null : JSON.stringify(p.links) } : {}),
        ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
        ...(p.recipients ? { recipients: JSON.stringify(p.recipients) } : {}),
        ...(p.url ? { url: maskedUrl(p.url) } : {}),
        ...(p.format ? { format: p.format } : {}),
        secretId,
      },
    });
    await recordAudit(tx, actor, { action: p.rotateSecret ? "notifications.channel-secret" : "notifications.channel-update", targetType: "notification-channel", targetId: id, targetLabel: updated.name, before: auditView(before), after: { ...auditView(updated), ...(p.rotateSecret ? { secretRotatedAt: new Date().toISOString() } : {}), ...(p.url ? { urlChangedAt: new Date().toISOString() } : {}) } });
    return updated;
  });
  return { view: channelView(channel), ...(secret ? { secret } : {}), warnings: p.url ? webhookUrlWarnings(p.url) : [] };
}

/** Deletes a channel with its sealed URL and secret, its deliveries and its log. */
export async function deleteChannel(db: Db, actor: Actor, id: string): Promise<ChannelView> {
  return db.$transaction(async (tx) => {
    const channel = await findChannelOrThrow(tx, id);
    await tx.notificationChannel.delete({ where: { id } });
    if (channel.secretId) await deleteSecret(tx, channel.secretId);
    await recordAudit(tx, actor, { action: "notifications.channel-delete", targetType: "notification-channel", targetId: id, targetLabel: channel.name, before: auditView(channel) });
    return channelView(channel);
  });
}

export interface AttemptView {
  at: Date;
  eventId: string | null;
  eventType: string;
  linkName: string | null;
  ok: boolean;
  detail: string;
  ms: number;
}

/** A channel's delivery log, newest first. */
export async function channelAttempts(db: Db, channelId: string, take = 50): Promise<AttemptView[]> {
  return db.notificationAttempt.findMany({ where: { channelId }, orderBy: { at: "desc" }, take, select: { at: true, eventId: true, eventType: true, linkName: true, ok: true, detail: true, ms: true } });
}

/** The links a channel is for, or null for every link. */
export function channelLinks(channel: Pick<NotificationChannel, "links">): string[] | null {
  return parseJsonText<string[] | null>(channel.links, null);
}

/** Whether a channel covers a link. */
export function channelCovers(channel: Pick<NotificationChannel, "links">, linkId: string | null): boolean {
  const links = channelLinks(channel);
  return links === null || (linkId !== null && links.includes(linkId));
}
