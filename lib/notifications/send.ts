import crypto from "node:crypto";
import { request } from "undici";
import type { Db } from "@/lib/db";
import type { NotificationChannel } from "@/lib/generated/prisma/client";
import { parseJsonText } from "@/lib/db/json-text";
import { classifyNetworkError } from "@/lib/outgoing/remote-fetch";
import { webhookSecrets, type WebhookFormat } from "@/lib/notifications/channels";
import { noticeEmail, webhookBody, type Notice } from "@/lib/notifications/messages";
import { sendMail } from "@/lib/notifications/smtp";
import { notificationAttempts } from "@/lib/metrics";

export interface SendOutcome {
  ok: boolean;
  /** what the other end said, or why nothing reached it */
  detail: string;
  ms: number;
}

const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * The signature a receiver checks: `sha256=` and the hex HMAC-SHA256, under the webhook's secret,
 * of the timestamp, a dot and the body exactly as sent. The receiver refuses an old timestamp
 * (a replay) and a signature that differs (compared in constant time).
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * Posts a notice to a webhook: JSON in the channel's format, signed, with the event id (the same on
 * every retry, so a receiver can drop a repeat). Redirects are not followed; 2xx is delivered.
 */
async function sendWebhook(db: Db, channel: NotificationChannel, notice: Notice): Promise<string> {
  const { url, signingSecret } = await webhookSecrets(db, channel);
  const body = JSON.stringify(webhookBody(notice, channel.format as WebhookFormat));
  const timestamp = String(Math.floor(Date.now() / 1000));
  let response;
  try {
    response = await request(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "applink-admin",
        "x-applink-event": notice.type,
        "x-applink-event-id": notice.id,
        "x-applink-timestamp": timestamp,
        "x-applink-signature": webhookSignature(signingSecret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      headersTimeout: WEBHOOK_TIMEOUT_MS,
      bodyTimeout: WEBHOOK_TIMEOUT_MS,
    });
  } catch (error) {
    throw new Error(classifyNetworkError(error, url, WEBHOOK_TIMEOUT_MS).message);
  }
  const text = (await response.body.text().catch(() => "")).slice(0, 300).replace(/\s+/g, " ").trim();
  const said = `HTTP ${response.statusCode}${text ? `: ${text}` : ""}`;
  if (response.statusCode >= 300 && response.statusCode < 400) throw new Error(`${said} (a redirect, not followed: enter the URL it points to)`);
  if (response.statusCode >= 300) throw new Error(said);
  return said;
}

/** Sends a notice to one channel, answering what happened (never throwing). */
export async function sendNotice(db: Db, channel: NotificationChannel, notice: Notice): Promise<SendOutcome> {
  const started = performance.now();
  try {
    const detail = channel.kind === "webhook" ? await sendWebhook(db, channel, notice) : await sendMail(db, { to: parseJsonText<string[]>(channel.recipients, []), id: notice.id, ...noticeEmail(notice) });
    return { ok: true, detail: detail.slice(0, 500), ms: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, detail: message.slice(0, 500), ms: Math.round(performance.now() - started) };
  }
}

/** Sends and writes the attempt to the channel's delivery log. */
export async function sendAndLog(db: Db, channel: NotificationChannel, notice: Notice, eventId: string | null): Promise<SendOutcome> {
  const outcome = await sendNotice(db, channel, notice);
  notificationAttempts.inc({ kind: channel.kind, outcome: outcome.ok ? "sent" : "failed" });
  await db.notificationAttempt
    .create({ data: { channelId: channel.id, eventId, eventType: notice.type, linkName: notice.link.name, ok: outcome.ok, detail: outcome.detail, ms: outcome.ms } })
    .catch(() => undefined); // the channel deleted meanwhile: nothing to log to
  return outcome;
}
