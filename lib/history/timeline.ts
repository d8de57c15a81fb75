/**
 * A link's status over a window, as the timeline draws it: the stretches between changes, each
 * with its status, and the share of the window (known to this app) the link was CONNECTED.
 */
export interface Stretch {
  status: string;
  from: Date;
  to: Date;
}

export interface Timeline {
  stretches: Stretch[];
  /** Changes inside the window, with when they happened. */
  changes: { at: Date; from: string | null; to: string; source?: string }[];
  /** CONNECTED time over the time the status was known (null when it never was). */
  connectedShare: number | null;
}

export function timelineOf(changes: { from: string | null; to: string; at: Date; source?: string }[], statusAtSince: string | null, since: Date, now: Date): Timeline {
  const stretches: Stretch[] = [];
  let status = statusAtSince ?? "UNCHECKED";
  let from = since;
  for (const change of changes) {
    if (change.at <= since) {
      status = change.to;
      continue;
    }
    if (change.at > from) stretches.push({ status, from, to: change.at });
    status = change.to;
    from = change.at;
  }
  if (now > from) stretches.push({ status, from, to: now });
  const known = stretches.filter((s) => s.status !== "UNCHECKED").reduce((ms, s) => ms + (s.to.getTime() - s.from.getTime()), 0);
  const connected = stretches.filter((s) => s.status === "CONNECTED").reduce((ms, s) => ms + (s.to.getTime() - s.from.getTime()), 0);
  return { stretches, changes: changes.filter((c) => c.at > since), connectedShare: known ? connected / known : null };
}
