import crypto from "node:crypto";
import type { Db, Tx } from "@/lib/db";
import type { NotificationChannel, NotificationEvent } from "@/lib/generated/prisma/client";
import { parseJsonText } from "@/lib/db/json-text";
import { integerSetting } from "@/lib/env/integer-setting";
import { configuredBaseUrl } from "@/lib/http/public-url";
import { log } from "@/lib/log";
import { ALERT_EVENTS, channelTakes, type EventDetail } from "@/lib/outbox/events";
import { queueNotification } from "@/lib/outbox/outbox";
import { clientCertificateInfoOf, schemeInfoOf } from "@/lib/outgoing/schemes";
import { ATLASSIAN_GRANT_LIFE_MS, oauth2Endpoints } from "@/lib/outgoing/oauth2-settings";
import { channelCovers, channelLinks, findChannelOrThrow } from "@/lib/notifications/channels";
import { linkPageUrl, type Notice } from "@/lib/notifications/messages";
import { sendAndLog } from "@/lib/notifications/send";

/**
 * Sends what the outbox holds (lib/outbox), run by the instance holding the background lease every
 * few seconds: each new event is first decided on (sent, held a while, or suppressed as noise),
 * then handed to every enabled channel that takes its type and covers its link, one delivery each,
 * retried with backoff while the channel fails.
 *
 * No noise: a link sends at most one alert (`status-worse`, `consumer-forgotten`) per
 * ALERT_FLAP_MINUTES (default 15); a recovery within that window of the alert is held to the
 * window's end and sent then only if nothing changed since (a link that failed again has told
 * nobody anything new: its alert still stands); and a recovery is sent only after an alert.
 */
export function flapMinutes(env: NodeJS.ProcessEnv = process.env): number {
  return integerSetting(env.ALERT_FLAP_MINUTES, 15, { min: 0, max: 1440 });
}

/** How many days before a client certificate or an authorization ends `expiry-soon` is sent. */
export function expiryDays(env: NodeJS.ProcessEnv = process.env): number {
  return integerSetting(env.ALERT_EXPIRY_DAYS, 14, { min: 1, max: 365 });
}

/** The waits between attempts at a failing channel; after the last, the delivery is given up (and logged). */
export const RETRY_DELAYS_MS = [30_000, 2 * 60_000, 10 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000];
/** A delivery taken for sending is not taken again for this long (an instance that dies mid-send). */
const CLAIM_MS = 2 * 60_000;
const STATUS_EVENTS = ["status-worse", "status-recovered", "consumer-forgotten"];

type Decision = { state: "dispatched" } | { state: "held"; releaseAt: Date } | { state: "suppressed"; note: string };

/** What becomes of one event now (see the module's comment). */
async function decide(db: Db, event: NotificationEvent, now: Date, flapMs: number): Promise<Decision> {
  if (!STATUS_EVENTS.includes(event.type) || !event.linkId) return { state: "dispatched" };
  const earlier = { linkId: event.linkId, id: { not: event.id }, at: { lte: event.at } };
  if (ALERT_EVENTS.has(event.type)) {
    const lastAlert = await db.notificationEvent.findFirst({ where: { ...earlier, type: { in: [...ALERT_EVENTS] }, state: "dispatched" }, orderBy: { at: "desc" } });
    if (lastAlert && event.at.getTime() - lastAlert.at.getTime() < flapMs) {
      return { state: "suppressed", note: `An alert for this link went out at ${lastAlert.at.toISOString()}: at most one per ${flapMs / 60_000} minutes (ALERT_FLAP_MINUTES).` };
    }
    return { state: "dispatched" };
  }
  // A recovery: only after an alert, and only if the link has not changed again since.
  const later = await db.notificationEvent.findFirst({ where: { linkId: event.linkId, id: { not: event.id }, type: { in: STATUS_EVENTS }, at: { gt: event.at } }, select: { at: true } });
  if (later) return { state: "suppressed", note: `The link changed again at ${later.at.toISOString()}.` };
  const lastTold = await db.notificationEvent.findFirst({ where: { ...earlier, type: { in: STATUS_EVENTS }, state: "dispatched" }, orderBy: { at: "desc" } });
  if (!lastTold || lastTold.type === "status-recovered") return { state: "suppressed", note: "No alert went out for this failure, so there is no recovery to tell." };
  const windowEnds = lastTold.at.getTime() + flapMs;
  if (now.getTime() < windowEnds) return { state: "held", releaseAt: new Date(windowEnds) };
  return { state: "dispatched" };
}

/** Decides on new events and held ones now due, and fans the dispatched out to their channels. */
async function releaseEvents(db: Db, now: Date, flapMs: number): Promise<number> {
  const events = await db.notificationEvent.findMany({ where: { OR: [{ state: "new" }, { state: "held", releaseAt: { lte: now } }] }, orderBy: { at: "asc" }, take: 200 });
  let dispatched = 0;
  for (const event of events) {
    const decision = await decide(db, event, now, flapMs);
    await db.$transaction(async (tx) => {
      // Taken once: another holder (one frozen past its lease) finds it decided already.
      const taken = await tx.notificationEvent.updateMany({
        where: { id: event.id, state: event.state },
        data: { state: decision.state, releaseAt: decision.state === "held" ? decision.releaseAt : null, note: decision.state === "suppressed" ? decision.note : null },
      });
      if (!taken.count || decision.state !== "dispatched") return;
      dispatched++;
      const channels = await tx.notificationChannel.findMany({ where: { enabled: true } });
      const chosen = channels.filter((channel) => channelTakes(parseJsonText<string[]>(channel.events, []), event.type) && channelCovers(channel, event.linkId));
      if (chosen.length) await tx.notificationDelivery.createMany({ data: chosen.map((channel) => ({ eventId: event.id, channelId: channel.id, nextAttemptAt: now })) });
      // A deleted link leaves the channels that chose it, once they have been told.
      if (event.type === "link-deleted" && event.linkId) await forgetLink(tx, channels, event.linkId);
    });
  }
  return dispatched;
}

async function forgetLink(db: Db | Tx, channels: NotificationChannel[], linkId: string): Promise<void> {
  for (const channel of channels) {
    const links = channelLinks(channel);
    if (!links?.includes(linkId)) continue;
    const left = links.filter((id) => id !== linkId);
    // A channel whose only link is gone covers none (never, silently, all): its page says so.
    await db.notificationChannel.update({ where: { id: channel.id }, data: { links: JSON.stringify(left) } });
  }
}

/** An outbox event as it is told. */
export function noticeOf(event: NotificationEvent, baseUrl = configuredBaseUrl()): Notice {
  return {
    id: event.id,
    type: event.type,
    at: event.at,
    link: { id: event.linkId, name: event.linkName, page: event.type === "link-deleted" ? null : linkPageUrl(baseUrl, event.linkId) },
    detail: parseJsonText<EventDetail>(event.detail, {}),
  };
}

/** Sends the deliveries now due, together; a failure waits for its next attempt, the last one is given up. */
async function deliverDue(db: Db, now: Date): Promise<{ sent: number; failed: number }> {
  const due = await db.notificationDelivery.findMany({ where: { state: "pending", nextAttemptAt: { lte: now } }, include: { event: true, channel: true }, orderBy: { nextAttemptAt: "asc" }, take: 50 });
  const results = await Promise.all(
    due.map(async (delivery) => {
      const taken = await db.notificationDelivery.updateMany({ where: { id: delivery.id, state: "pending", nextAttemptAt: delivery.nextAttemptAt }, data: { nextAttemptAt: new Date(now.getTime() + CLAIM_MS) } });
      if (!taken.count) return null;
      if (!delivery.channel.enabled) {
        await db.notificationDelivery.update({ where: { id: delivery.id }, data: { state: "cancelled" } });
        return null;
      }
      const outcome = await sendAndLog(db, delivery.channel, noticeOf(delivery.event), delivery.event.id);
      const attempts = delivery.attempts + 1;
      const data = outcome.ok
        ? { state: "sent", attempts, sentAt: new Date() }
        : attempts > RETRY_DELAYS_MS.length
          ? { state: "failed", attempts }
          : { attempts, nextAttemptAt: new Date(Date.now() + RETRY_DELAYS_MS[attempts - 1]!) };
      await db.notificationDelivery.update({ where: { id: delivery.id }, data }).catch(() => undefined);
      if (!outcome.ok) log.warn({ channel: delivery.channel.name, event: delivery.event.id, attempts, detail: outcome.detail }, attempts > RETRY_DELAYS_MS.length ? "notification given up" : "notification failed; will retry");
      return outcome.ok;
    }),
  );
  return { sent: results.filter((r) => r === true).length, failed: results.filter((r) => r === false).length };
}

/**
 * Writes `expiry-soon` for what ends within ALERT_EXPIRY_DAYS: a link's client certificate, an
 * access token this app issued to a link (OAuth 1.0a incoming, per person), and a person's
 * authorization at Atlassian Cloud (which ends a year after consent). Once each (per thing and end).
 */
export async function queueExpiries(db: Db, now = new Date(), days = expiryDays()): Promise<void> {
  const horizon = new Date(now.getTime() + days * 86_400_000);
  const links = await db.link.findMany({ select: { id: true, name: true, type: true, rpcUrl: true, displayUrl: true, outClientCertInfo: true, outScheme: true, outSchemeInfo: true } });
  const byId = new Map(links.map((link) => [link.id, link]));
  const queue = (link: { id: string; name: string }, what: string, fix: string, endsAt: Date, key: string) =>
    queueNotification(db, { type: "expiry-soon", linkId: link.id, linkName: link.name, detail: { what, endsAt: endsAt.toISOString(), fix }, dedupeKey: `expiry:${key}:${endsAt.toISOString()}` });
  for (const link of links) {
    const certificate = clientCertificateInfoOf(link);
    const endsAt = certificate ? new Date(certificate.validTo) : null;
    if (endsAt && endsAt > now && endsAt <= horizon) await queue(link, "the client certificate this app presents", NEW_CERTIFICATE, endsAt, `${link.id}:certificate`);
  }
  const issued = await db.oAuthIssuedToken.findMany({ where: { kind: "access", expiresAt: { gt: now, lte: horizon } }, select: { id: true, linkId: true, expiresAt: true, userId: true } });
  const cloudLinks = links.filter((link) => {
    const info = link.outScheme === "oauth2" ? schemeInfoOf(link) : null;
    return info ? oauth2Endpoints(link, info).preset === "atlassian-cloud" : false;
  });
  const grants = cloudLinks.length ? await db.oAuth2RemoteToken.findMany({ where: { linkId: { in: cloudLinks.map((l) => l.id) }, createdAt: { gt: new Date(now.getTime() - ATLASSIAN_GRANT_LIFE_MS), lte: new Date(horizon.getTime() - ATLASSIAN_GRANT_LIFE_MS) } }, select: { id: true, linkId: true, userId: true, createdAt: true } }) : [];
  const userIds = [...new Set([...issued.map((t) => t.userId), ...grants.map((g) => g.userId)].filter((id): id is string => !!id))];
  const users = new Map((await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, username: true } })).map((u) => [u.id, u.username]));
  for (const token of issued) {
    const link = byId.get(token.linkId);
    if (link) await queue(link, `the access token this app issued to ${link.name} for ${users.get(token.userId ?? "") ?? "a person"}`, AUTHORIZE_AGAIN, token.expiresAt, `issued:${token.id}`);
  }
  for (const grant of grants) {
    const link = byId.get(grant.linkId);
    if (link) await queue(link, `${users.get(grant.userId) ?? "a person"}'s OAuth 2.0 authorization at Atlassian Cloud`, AUTHORIZE_AGAIN, new Date(grant.createdAt.getTime() + ATLASSIAN_GRANT_LIFE_MS), `grant:${grant.id}`);
  }
}

const NEW_CERTIFICATE = "Ask for a new certificate and upload it under Outgoing → Credential and TLS.";
const AUTHORIZE_AGAIN = "Authorize again before then (My authorizations).";

/** Events and log entries older than this are pruned (the history's own setting). */
export async function pruneNotifications(db: Db, days: number, now = new Date()): Promise<void> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  await db.notificationEvent.deleteMany({ where: { at: { lt: cutoff }, state: { in: ["dispatched", "suppressed"] }, deliveries: { none: { state: "pending" } } } });
  await db.notificationAttempt.deleteMany({ where: { at: { lt: cutoff } } });
}

/** One round: decide on what the outbox holds, then send what is due. */
export async function runNotifications(db: Db, now = new Date()): Promise<{ dispatched: number; sent: number; failed: number }> {
  const dispatched = await releaseEvents(db, now, flapMinutes() * 60_000);
  return { dispatched, ...(await deliverDue(db, now)) };
}

/**
 * "Send a test": a made-up status change of the first link the channel covers (or an example link),
 * sent at once to this channel only, logged like every attempt. Answers what the other end said.
 */
export async function sendTest(db: Db, channelId: string, actor: { username: string }): Promise<{ ok: boolean; detail: string; ms: number }> {
  const channel = await findChannelOrThrow(db, channelId);
  const chosen = channelLinks(channel);
  const link = await db.link.findFirst({ where: chosen ? { id: { in: chosen } } : {}, orderBy: { createdAt: "asc" }, select: { id: true, name: true } });
  const notice: Notice = {
    id: `evt_test_${crypto.randomUUID()}`,
    type: "test",
    at: new Date(),
    link: { id: link?.id ?? null, name: link?.name ?? "Example link", page: linkPageUrl(configuredBaseUrl(), link?.id ?? null) },
    detail: { cause: `${actor.username} pressed Send a test on the Notifications page. Alerts for ${link?.name ?? "your links"} will look like this.`, fix: "Nothing to do: if this arrived, the channel works." },
  };
  return sendAndLog(db, channel, notice, null);
}

export interface OutboxEventView {
  id: string;
  type: string;
  linkName: string;
  at: Date;
  state: string;
  /** what became of it, in words: sent to which channels, held until when, or why it was not sent */
  outcome: string;
}

/** The latest events and what became of each (the Notifications page's "Recent events"). */
export async function recentEvents(db: Db, take = 20): Promise<OutboxEventView[]> {
  const events = await db.notificationEvent.findMany({ orderBy: { at: "desc" }, take, include: { deliveries: { include: { channel: { select: { name: true } } } } } });
  return events.map((event) => {
    const sent = event.deliveries.filter((d) => d.state === "sent").map((d) => d.channel.name);
    const waiting = event.deliveries.filter((d) => d.state === "pending").map((d) => `${d.channel.name} (attempt ${d.attempts + 1} at ${d.nextAttemptAt.toISOString().slice(11, 19)} UTC)`);
    const failed = event.deliveries.filter((d) => d.state === "failed").map((d) => d.channel.name);
    const outcome =
      event.state === "suppressed"
        ? `Not sent: ${event.note ?? "suppressed"}`
        : event.state === "held"
          ? `Held until ${event.releaseAt?.toISOString().slice(0, 16).replace("T", " ")} UTC (the flap window), then sent if nothing changed.`
          : event.state === "new"
            ? "Waiting to be sent (within seconds)."
            : [sent.length ? `Sent to ${sent.join(", ")}.` : "", waiting.length ? `Retrying: ${waiting.join(", ")}.` : "", failed.length ? `Given up: ${failed.join(", ")}.` : "", event.deliveries.length ? "" : "No channel takes it."].filter(Boolean).join(" ");
    return { id: event.id, type: event.type, linkName: event.linkName, at: event.at, state: event.state, outcome };
  });
}
