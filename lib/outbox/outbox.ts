import crypto from "node:crypto";
import type { Db, Tx } from "@/lib/db";
import type { EventDetail, NotificationEventType } from "@/lib/outbox/events";

/**
 * Writes an event to the outbox, in the caller's transaction: it is sent (lib/notifications/
 * dispatch.ts) only if what caused it is stored, and once, by the instance holding the background
 * lease, whichever instance saw it. `dedupeKey`: an event that must be written once only (an
 * expiry, per thing and date); a second write with the same key is skipped.
 */
export async function queueNotification(client: Db | Tx, event: { type: NotificationEventType; linkId: string | null; linkName: string; detail: EventDetail; at?: Date; dedupeKey?: string }): Promise<void> {
  const data = { id: `evt_${crypto.randomUUID()}`, type: event.type, linkId: event.linkId, linkName: event.linkName, detail: JSON.stringify(event.detail), at: event.at ?? new Date(), dedupeKey: event.dedupeKey ?? null };
  if (event.dedupeKey) {
    if (await client.notificationEvent.findUnique({ where: { dedupeKey: event.dedupeKey }, select: { id: true } })) return;
  }
  await client.notificationEvent.create({ data });
}
