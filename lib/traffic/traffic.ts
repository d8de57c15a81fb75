import type { Db } from "@/lib/db";
import type { Link } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { outgoingProblems } from "@/lib/metrics";
import { KNOWN_OAUTH_PROBLEMS } from "@/lib/oauth1/problems";
import { lockedStatus, recordStatusChange } from "@/lib/history/status-history";

/**
 * What real traffic tells the diagnostics, between checks: the proxy's successes and the remote's
 * `oauth_problem`s (outgoing), and the linked application's accepted and refused calls (incoming).
 * A problem is recorded at once; a success clears an earlier problem at once, and otherwise is
 * written at most once a minute per link and process, so a busy link costs no write per request.
 * Incoming refusals are written at most every 10 seconds per link: a stranger replaying forged
 * requests with a linked consumer's key cannot turn every attempt into a database write.
 */
const SUCCESS_EVERY_MS = 60_000;
const REFUSAL_EVERY_MS = 10_000;
const lastWrite = new Map<string, number>();

function due(key: string, everyMs: number, now = Date.now()): boolean {
  const last = lastWrite.get(key) ?? 0;
  if (now - last < everyMs) return false;
  if (lastWrite.size > 10_000) lastWrite.clear();
  lastWrite.set(key, now);
  return true;
}

const warn = (what: string) => (error: unknown) => log.warn({ err: error }, `could not record ${what}`);

/** A remote answered a proxied request with an `oauth_problem`. */
export async function recordTrafficProblem(db: Db, link: Pick<Link, "id">, problem: string): Promise<void> {
  outgoingProblems.inc({ problem: KNOWN_OAUTH_PROBLEMS.has(problem) ? problem : "other" });
  lastWrite.delete(`out-ok:${link.id}`);
  await db.link.update({ where: { id: link.id }, data: { lastProblem: problem, lastProblemAt: new Date() } }).catch(warn("the link's last problem"));
}

/** A remote accepted a proxied request: an earlier problem is over. */
export async function recordTrafficSuccess(db: Db, link: Pick<Link, "id" | "lastProblem">): Promise<void> {
  if (link.lastProblem) await db.link.update({ where: { id: link.id }, data: { lastProblem: null, lastProblemAt: null } }).catch(warn("the link's recovery"));
  if (!due(`out-ok:${link.id}`, SUCCESS_EVERY_MS)) return;
  const at = new Date();
  await db.linkStatus.upsert({ where: { linkId: link.id }, create: { linkId: link.id, trafficOkAt: at }, update: { trafficOkAt: at } }).catch(warn("a proxied success"));
}

/** The linked application's signed call was accepted here. */
export async function recordIncomingSuccess(db: Db, linkId: string): Promise<void> {
  if (!due(`in-ok:${linkId}`, SUCCESS_EVERY_MS)) return;
  const at = new Date();
  await db.linkStatus.upsert({ where: { linkId }, create: { linkId, incomingOkAt: at }, update: { incomingOkAt: at } }).catch(warn("an incoming success"));
}

/** The linked application's signed call was refused here, with this problem. */
export async function recordIncomingRefusal(db: Db, linkId: string, problem: string): Promise<void> {
  if (!due(`in-refused:${linkId}`, REFUSAL_EVERY_MS)) return;
  lastWrite.delete(`in-ok:${linkId}`);
  const at = new Date();
  const data = { incomingProblem: problem, incomingProblemAt: at };
  await db.linkStatus.upsert({ where: { linkId }, create: { linkId, ...data }, update: data }).catch(warn("an incoming refusal"));
}

/** The first retry of a failed link. */
export const FIRST_RETRY_MS = 30_000;

/**
 * A real request through the link met a network failure. A refused connection, an unknown host or a
 * TLS failure is the link's status at once (cause and fix as the diagnosis words them; its checks
 * stay those of the last diagnosis), and the link is checked again soon; a timeout only brings the
 * next check forward, since one slow answer is not a broken link. At most one write per link every
 * 10 seconds, so a burst of failing requests is not a burst of writes.
 */
export async function recordTrafficFailure(db: Db, linkId: string, failure: { problem: string; message: string }, now = Date.now()): Promise<void> {
  const last = trafficFailures.get(linkId) ?? 0;
  if (now - last < 10_000) return;
  if (trafficFailures.size > 10_000) trafficFailures.clear();
  trafficFailures.set(linkId, now);
  const soon = new Date(now + FIRST_RETRY_MS);
  const immediate = failure.problem !== "timeout" && failure.problem !== "network" && failure.problem !== "too_large" && failure.problem !== "redirect" && failure.problem !== "http";
  const data = immediate
    ? { status: "NETWORK_ERROR", cause: `A request through the link failed at ${new Date(now).toISOString()}: ${failure.message}`, fix: "This link is checked again within a minute; press Check now after fixing it.", action: "[]", problem: null, nextCheckAt: soon }
    : { nextCheckAt: soon };
  // Never in the way of the caller's own error (the link may even be deleted meanwhile): a failed write is logged.
  await db
    .$transaction(async (tx) => {
      const before = immediate ? await lockedStatus(tx, linkId) : null;
      await tx.linkStatus.upsert({ where: { linkId }, create: { linkId, ...data }, update: data });
      // Real traffic noticed it first: the change is recorded with the status.
      if (immediate) await recordStatusChange(tx, { linkId, from: before?.status ?? null, to: "NETWORK_ERROR", cause: (data as { cause: string }).cause, fix: (data as { fix: string }).fix, source: "traffic", at: new Date(now) });
    })
    .catch(warn("a failed request"));
}
const trafficFailures = new Map<string, number>();
