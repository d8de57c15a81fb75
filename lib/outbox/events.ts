/**
 * The events a channel can get, as the API and the Notifications page name them. A status change
 * is `status-worse` (the link stopped working, or fails another way now) or `status-recovered`; a
 * change whose problem is `consumer_key_unknown` is `consumer-forgotten`, which a channel taking
 * `status-worse` gets too (it is the link getting worse, with a cause of its own).
 */
export const NOTIFICATION_EVENTS = ["status-worse", "status-recovered", "expiry-soon", "consumer-forgotten", "link-disabled", "link-deleted"] as const;
export type NotificationEventType = (typeof NOTIFICATION_EVENTS)[number];

export const EVENT_LABEL: Record<NotificationEventType, string> = {
  "status-worse": "A link stops working",
  "status-recovered": "A link works again",
  "expiry-soon": "A client certificate or an authorization ends soon",
  "consumer-forgotten": "A remote forgot this app's consumer",
  "link-disabled": "A link is disabled",
  "link-deleted": "A link is deleted",
};

/** The events that say a link got worse: at most one of them per link per flap window. */
export const ALERT_EVENTS: ReadonlySet<string> = new Set(["status-worse", "consumer-forgotten"]);

/** Whether a channel taking `events` gets an event of `type`. */
export function channelTakes(events: readonly string[], type: string): boolean {
  return events.includes(type) || (type === "consumer-forgotten" && events.includes("status-worse"));
}

/** What an event carries besides its type and link (all optional: each type fills its own). */
export interface EventDetail {
  from?: string | null;
  to?: string;
  cause?: string;
  problem?: string | null;
  fix?: string | null;
  /** what noticed a status change: "background", "traffic", "admin" */
  source?: string;
  /** expiry-soon: what ends, and when */
  what?: string;
  endsAt?: string;
  /** link-disabled / link-deleted: who did it */
  by?: string;
}
