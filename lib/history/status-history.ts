import type { Db, Tx } from "@/lib/db";
import { integerSetting } from "@/lib/env/integer-setting";
import { log } from "@/lib/log";
import { queueNotification } from "@/lib/outbox/outbox";
import type { NotificationEventType } from "@/lib/outbox/events";

/**
 * A link's health over time: every change of its status (what noticed it: a background or page
 * check, real traffic, an admin's Check now), every check's outcome and time, and proxied requests
 * by outcome per day. Requests are counted in memory and added to the day's row once a minute, so
 * the proxy writes nothing per request. Detail older than STATUS_HISTORY_DAYS (default 90) is
 * pruned by the instance holding the background lease; each day's roll-up stays.
 */
export type ChangeSource = "background" | "traffic" | "admin";

/** How many days of changes and checks are kept (the daily roll-ups are kept for good). */
export function historyDays(env: NodeJS.ProcessEnv = process.env): number {
  return integerSetting(env.STATUS_HISTORY_DAYS, 90, { min: 1, max: 3650 });
}

const DAY_MS = 86_400_000;
export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * A link's stored status, read under its row's lock (an UPDATE first: PostgreSQL's row lock,
 * SQLite's write lock) held to the end of the caller's transaction: two instances that see the
 * same change at once record it once (the second reads the first's status), so it is told once.
 */
export async function lockedStatus(tx: Tx, linkId: string): Promise<{ status: string } | null> {
  await tx.linkStatus.updateMany({ where: { linkId }, data: { linkId } });
  return tx.linkStatus.findUnique({ where: { linkId }, select: { status: true } });
}

/**
 * Records a change of status when there is one (`from` differs from `to`), in the caller's
 * transaction, and puts what it means for the administrators (lib/notifications) in the outbox in
 * the same transaction: sent only if the change is stored, once, whichever instance saw it.
 */
export async function recordStatusChange(client: Db | Tx, change: { linkId: string; from: string | null; to: string; cause: string; problem?: string | null; fix?: string | null; source: ChangeSource; at?: Date }): Promise<boolean> {
  if (change.from === change.to) return false;
  const at = change.at ?? new Date();
  await client.linkStatusChange.create({ data: { linkId: change.linkId, fromStatus: change.from, toStatus: change.to, cause: change.cause.slice(0, 2000), problem: change.problem ?? null, source: change.source, at } });
  const type = statusEvent(change.from, change.to, change.problem ?? null);
  if (type) {
    const link = await client.link.findUnique({ where: { id: change.linkId }, select: { name: true } });
    if (link) {
      const detail = { from: change.from, to: change.to, cause: change.cause.slice(0, 2000), problem: change.problem ?? null, fix: change.fix ?? null, source: change.source };
      await queueNotification(client, { type, linkId: change.linkId, linkName: link.name, detail, at });
    }
  }
  return true;
}

/**
 * What a change of status tells the administrators: the link stopped working (or fails another way
 * now), the remote forgot this app's consumer, or it works again. A link's first status, a change
 * from never checked, and DISABLED (an admin's choice, told as link-disabled) tell nothing; nor
 * does CONNECTED to UPGRADE_CONFIG (it works).
 */
export function statusEvent(from: string | null, to: string, problem: string | null): NotificationEventType | null {
  if (from === null || from === "UNCHECKED" || from === "DISABLED" || to === "DISABLED") return null;
  if (FAILED_STATUSES.has(to)) return problem === "consumer_key_unknown" ? "consumer-forgotten" : "status-worse";
  return FAILED_STATUSES.has(from) ? "status-recovered" : null;
}

/** One check's outcome and time, for the day's counts and p50 / p95. */
export async function recordCheckRun(client: Db | Tx, run: { linkId: string; ms: number; status: string; at?: Date }): Promise<void> {
  await client.linkCheckRun.create({ data: { linkId: run.linkId, ms: Math.max(0, Math.round(run.ms)), status: run.status, at: run.at ?? new Date() } });
}

export type RequestOutcome = "ok" | "clientError" | "serverError" | "failed";
const COLUMN = { ok: "requestsOk", clientError: "requestsClientError", serverError: "requestsServerError", failed: "requestsFailed" } as const;

/**
 * Counted in this process, by day and link, until the next flush: one map per process on
 * globalThis, because Next.js bundles this module more than once (the instrumentation hook, whose
 * copy the direct proxy and the flush use, and route handlers and server actions, which proxy too);
 * a copy's own map would never be flushed.
 */
const counted: Map<string, Map<string, Record<RequestOutcome, number>>> = ((globalThis as { applinkRequestCounts?: Map<string, Map<string, Record<RequestOutcome, number>>> }).applinkRequestCounts ??= new Map());

/** Today (UTC), worked out again only when a day ends: the proxy's count allocates nothing. */
let today = "";
let todayEnds = 0;
function dayAt(nowMs: number): string {
  if (nowMs >= todayEnds || nowMs < todayEnds - DAY_MS) {
    today = dayOf(new Date(nowMs));
    todayEnds = (Math.floor(nowMs / DAY_MS) + 1) * DAY_MS;
  }
  return today;
}

/** One proxied request's outcome: two map lookups and an increment, nothing written now. */
export function countRequest(linkId: string, outcome: RequestOutcome, nowMs = Date.now()): void {
  const day = dayAt(nowMs);
  let links = counted.get(day);
  if (!links) {
    links = new Map();
    counted.set(day, links);
  }
  let row = links.get(linkId);
  if (!row) {
    row = { ok: 0, clientError: 0, serverError: 0, failed: 0 };
    links.set(linkId, row);
  }
  row[outcome]++;
}

/** The outcome a relayed status stands for. */
export function outcomeOf(status: number): RequestOutcome {
  return status >= 500 ? "serverError" : status >= 400 ? "clientError" : "ok";
}

/** Adds this process's counts to the days' rows (an increment: every instance adds its own). */
export async function flushRequestCounts(db: Db): Promise<void> {
  const batch = [...counted].flatMap(([day, links]) => [...links].map(([linkId, row]) => ({ day, linkId, row })));
  counted.clear();
  for (const { day, linkId, row } of batch) {
    const increments = Object.fromEntries(Object.entries(row).filter(([, n]) => n > 0).map(([outcome, n]) => [COLUMN[outcome as RequestOutcome], { increment: n }]));
    const initial = Object.fromEntries(Object.entries(row).map(([outcome, n]) => [COLUMN[outcome as RequestOutcome], n]));
    // A link deleted meanwhile has nothing to add to.
    await db.linkDay.upsert({ where: { linkId_day: { linkId, day } }, create: { linkId, day, ...initial }, update: increments }).catch((error: unknown) => {
      if ((error as { code?: string }).code !== "P2003") log.warn({ err: error, linkId }, "could not add a link's request counts");
    });
  }
}

function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * The statuses that mean the link does not work (DISABLED is an admin's choice, not a failure): a
 * failed check in the day's counts, and a link checked again soon (lib/status/store.ts), since it
 * may be fixed (here, there, or by the network) any moment.
 */
export const FAILED_STATUSES: ReadonlySet<string> = new Set(["NETWORK_ERROR", "INCOMPATIBLE", "CONFIG_ERROR", "ACCESS_DENIED", "AUTHENTICATE"]);

/** Items in lists by their key, in the order they came. */
function groupedBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** One day's checks as its roll-up keeps them: how many, how many failed, p50 and p95 time. */
function checkStats(runs: { ms: number; status: string }[]) {
  const times = runs.map((r) => r.ms).sort((a, b) => a - b);
  return { checks: runs.length, checksFailed: runs.filter((r) => FAILED_STATUSES.has(r.status)).length, checkP50Ms: percentile(times, 50), checkP95Ms: percentile(times, 95) };
}

/** A change as the API shows it. */
function changeView(c: { fromStatus: string | null; toStatus: string; cause: string; problem: string | null; at: Date; source: string }): StatusHistory["changes"][number] {
  return { from: c.fromStatus, to: c.toStatus, cause: c.cause, ...(c.problem ? { problem: c.problem } : {}), at: c.at, source: c.source };
}

export interface HistoryDay {
  day: string;
  checks: number;
  checksFailed: number;
  checkP50Ms: number | null;
  checkP95Ms: number | null;
  requests: Record<RequestOutcome, number>;
}

export interface StatusHistory {
  changes: { from: string | null; to: string; cause: string; problem?: string; at: Date; source: string }[];
  days: HistoryDay[];
  /** The status the link had when the window began (the last change before it), for a timeline. */
  statusAtSince: string | null;
}

/** A link's changes since `since`, and its days from `since` to today (oldest first). */
export async function statusHistory(db: Db, linkId: string, since: Date, now = new Date()): Promise<StatusHistory> {
  const [changes, before, runs, rows] = await Promise.all([
    db.linkStatusChange.findMany({ where: { linkId, at: { gte: since } }, orderBy: { at: "asc" } }),
    db.linkStatusChange.findFirst({ where: { linkId, at: { lt: since } }, orderBy: { at: "desc" } }),
    db.linkCheckRun.findMany({ where: { linkId, at: { gte: new Date(Date.parse(dayOf(since))) } }, select: { at: true, ms: true, status: true } }),
    db.linkDay.findMany({ where: { linkId, day: { gte: dayOf(since) } } }),
  ]);
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const runsByDay = groupedBy(runs, (run) => dayOf(run.at));
  const days: HistoryDay[] = [];
  for (let at = Date.parse(dayOf(since)); at <= now.getTime(); at += DAY_MS) {
    const day = dayOf(new Date(at));
    const row = byDay.get(day);
    const dayRuns = runsByDay.get(day);
    // From the day's checks while they are kept, else from what the roll-up kept of them.
    const checks = dayRuns ? checkStats(dayRuns) : { checks: row?.checks ?? 0, checksFailed: row?.checksFailed ?? 0, checkP50Ms: row?.checkP50Ms ?? null, checkP95Ms: row?.checkP95Ms ?? null };
    days.push({
      day,
      ...checks,
      requests: { ok: row?.requestsOk ?? 0, clientError: row?.requestsClientError ?? 0, serverError: row?.requestsServerError ?? 0, failed: row?.requestsFailed ?? 0 },
    });
  }
  return {
    changes: changes.map(changeView),
    days,
    statusAtSince: before?.toStatus ?? null,
  };
}

/**
 * Forgets changes and checks older than `days`, first keeping each pruned day's check counts and
 * p50 / p95 in its roll-up row.
 */
export async function pruneHistory(db: Db, days = historyDays(), now = new Date()): Promise<{ changes: number; checks: number }> {
  const cutoff = new Date(Date.parse(dayOf(new Date(now.getTime() - days * DAY_MS))));
  const runs = await db.linkCheckRun.findMany({ where: { at: { lt: cutoff } }, select: { linkId: true, at: true, ms: true, status: true } });
  const groups = groupedBy(runs, (run) => `${run.linkId}|${dayOf(run.at)}`);
  return db.$transaction(async (tx) => {
    for (const [key, group] of groups) {
      const [linkId, day] = key.split("|") as [string, string];
      const checks = checkStats(group);
      await tx.linkDay.upsert({ where: { linkId_day: { linkId, day } }, create: { linkId, day, ...checks }, update: checks });
    }
    const changes = await tx.linkStatusChange.deleteMany({ where: { at: { lt: cutoff } } });
    const checks = await tx.linkCheckRun.deleteMany({ where: { at: { lt: cutoff } } });
    return { changes: changes.count, checks: checks.count };
  });
}

/**
 * Several links' changes since `since` (one query, for the links list's strips) and the status each
 * had then: the first change's `from` in the window, else the status it has now (no change since).
 */
export async function recentChanges(db: Db, links: { id: string; status: string }[], since: Date): Promise<Map<string, { changes: StatusHistory["changes"]; statusAtSince: string | null }>> {
  const rows = await db.linkStatusChange.findMany({ where: { linkId: { in: links.map((l) => l.id) }, at: { gte: since } }, orderBy: { at: "asc" } });
  const out = new Map<string, { changes: StatusHistory["changes"]; statusAtSince: string | null }>();
  const byLink = groupedBy(rows, (row) => row.linkId);
  for (const link of links) {
    const changes = (byLink.get(link.id) ?? []).map(changeView);
    out.set(link.id, { changes, statusAtSince: changes.length ? changes[0]!.from : link.status });
  }
  return out;
}
