import { FAILED_STATUSES, lockedStatus, recordCheckRun, recordStatusChange, type ChangeSource } from "@/lib/history/status-history";
import type { Db } from "@/lib/db";
import type { Link, LinkStatus } from "@/lib/generated/prisma/client";
import { USER_SELECT } from "@/lib/db/cached-reads";
import { parseJsonText } from "@/lib/db/json-text";
import { AppError } from "@/lib/errors";
import { authorizePath } from "@/lib/outgoing/auth-level";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { problemAdvice } from "@/lib/outgoing/problem-advice";
import type { LinkStatusCode } from "@/lib/links/schemas";
import { diagnoseLink } from "@/lib/status/diagnose";
import { errorCategory, type Check, type FixAction } from "@/lib/status/derive";
import { levelsParam } from "@/lib/status/proposal";
import { applinkStatusJson } from "@/lib/status/remote-view";
import { backgroundOptions } from "@/lib/status/check-schedule";
import { FIRST_RETRY_MS } from "@/lib/traffic/traffic";

/** A fix as the API and the page show it: applied here (`apply`: POST it back), or a page to open (`href`, on the remote). */
export type ActionView = FixAction & ({ apply: string } | { href: string });

/** A link's status as `GET /api/v1/links/{id}/status` returns it (GET /api/v1/openapi.json, the README's "Link status"). */
export interface LinkStatusView {
  status: LinkStatusCode;
  cause: string;
  fix: string;
  problem: string | null;
  checkedAt: Date | null;
  checks: Check[];
  actions: ActionView[];
  /** Atlassian's error type of the finding behind the status. */
  errorType: string | null;
  /** What real traffic met: the proxy's last oauth_problem (kept until a success), the last proxied success. */
  traffic: { lastProblem: string | null; lastProblemAt: Date | null; okAt: Date | null };
  incoming: { okAt: Date | null; problem: string | null; problemAt: Date | null };
  /** When the background checks look again before the normal interval (after a failure: soon, backing off). */
  nextCheckAt: Date | null;
  /** A working link's warning (a certificate about to expire): the first check that warned without changing the status. */
  warning: string | null;
}

/** What incoming traffic recorded on a link's status row. */
function incomingSeen(row: LinkStatus | null) {
  return { okAt: row?.incomingOkAt ?? null, problem: row?.incomingProblem ?? null, problemAt: row?.incomingProblemAt ?? null };
}

/** An Atlassian product's own page of its application links, where its admin fixes its side. */
const applicationLinksPage = (remoteUrl: string) => `${remoteUrl}/plugins/servlet/applinks/listApplicationLinks`;

/** Where a fix is done: here (applied by kind) or on the remote's own page, in the admin's browser. */
function actionView(link: Link, action: FixAction, ourUrl: string): ActionView {
  switch (action.kind) {
    case "authorize":
      return { ...action, href: authorizePath(link, `/links/${link.id}`) };
    case "open-section":
      return { ...action, href: `/links/${encodeURIComponent(link.id)}?section=${action.section}#settings` };
    case "create-link-back": {
      if (action.remoteType !== "applink-admin") return { ...action, href: applicationLinksPage(action.remoteUrl) };
      const proposal = new URLSearchParams({ rpcUrl: ourUrl, from: ourUrl, back: `${ourUrl}/links/${link.id}` });
      if (action.outgoing) proposal.set("out", levelsParam(action.outgoing));
      if (action.incoming) proposal.set("in", levelsParam(action.incoming));
      return { ...action, href: `${action.remoteUrl}/links/new?${proposal}` };
    }
    case "fix-on-remote": {
      if (action.remoteType && action.remoteType !== "applink-admin") return { ...action, href: applicationLinksPage(action.remoteUrl) };
      const proposal = new URLSearchParams({ from: ourUrl, back: `${ourUrl}/links/${link.id}` });
      if (action.outgoing) proposal.set("out", levelsParam(action.outgoing));
      if (action.incoming) proposal.set("in", levelsParam(action.incoming));
      if (action.refetchConsumer) proposal.set("refetch", "1");
      return { ...action, href: action.remoteLinkId ? `${action.remoteUrl}/links/${encodeURIComponent(action.remoteLinkId)}?${proposal}` : `${action.remoteUrl}/links?${new URLSearchParams({ q: new URL(ourUrl).host })}` };
    }
    default:
      return { ...action, apply: action.kind };
  }
}

/**
 * The status a link shows: DISABLED while disabled; else its last diagnosis (UNCHECKED before the
 * first), made worse by a proxied request's `oauth_problem` met since that diagnosis.
 */
export function linkStatusView(link: Link, row: LinkStatus | null, ourUrl: string): LinkStatusView {
  const checks = parseJsonText<Check[]>(row?.checks, []);
  const actions = parseJsonText<FixAction[]>(row?.action, []);
  const worst = checks.find((c) => c.status === row?.status && (c.result === "fail" || c.result === "warn"));
  const base: LinkStatusView = {
    status: (row?.status as LinkStatusCode | undefined) ?? "UNCHECKED",
    cause: row?.cause || "Not checked yet.",
    fix: row?.fix || (row?.checkedAt ? "" : "Press Check now, or wait for the background check."),
    problem: row?.problem ?? null,
    checkedAt: row?.checkedAt ?? null,
    checks,
    actions: actions.map((a) => actionView(link, a, ourUrl)),
    errorType: worst?.type ?? null,
    traffic: { lastProblem: link.lastProblem, lastProblemAt: link.lastProblemAt, okAt: row?.trafficOkAt ?? null },
    incoming: incomingSeen(row),
    nextCheckAt: row?.nextCheckAt ?? null,
    warning: row?.status === "CONNECTED" ? (checks.find((c) => c.result === "warn" && !c.status)?.message ?? null) : null,
  };
  if (link.disabled) {
    return { ...base, status: "DISABLED", cause: "The link is disabled: nothing goes through it, either way.", fix: "Enable the link.", problem: null, errorType: "DISABLED", actions: [actionView(link, { kind: "enable", label: "Enable the link" }, ourUrl)] };
  }
  const newer = link.lastProblem && link.lastProblemAt && (!base.checkedAt || link.lastProblemAt > base.checkedAt);
  if (newer && ["CONNECTED", "UPGRADE_CONFIG", "UNCHECKED", "AUTHENTICATE", "ACCESS_DENIED"].includes(base.status)) {
    const problem = link.lastProblem!;
    const authenticate = problem === "token_rejected" || problem === "token_expired";
    return {
      ...base,
      status: authenticate ? "AUTHENTICATE" : "CONFIG_ERROR",
      cause: `A request through the link met ${problem} at ${link.lastProblemAt!.toISOString()}, after the last check.`,
      fix: problemAdvice(problem),
      problem,
      errorType: "OAUTH_PROBLEM",
      actions: authenticate ? [actionView(link, { kind: "authorize", label: "Authorize again" }, ourUrl)] : [],
    };
  }
  return base;
}

/**
 * How long after its `failures`-th failed check in a row a link is checked again: 30 s, then twice
 * as long each time, up to the normal interval (LINK_CHECK_INTERVAL_MINUTES, 10 by default).
 */
export function retryDelayMs(failures: number, intervalMs = backgroundOptions().intervalMs || 600_000): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1), intervalMs);
}

/** The admin whose authorization a background check uses: the last one who checked, while an active admin. */
async function lastChecker(db: Db, row: LinkStatus | null) {
  if (!row?.checkedById) return null;
  const user = await db.user.findUnique({ where: { id: row.checkedById }, select: USER_SELECT });
  return user && !user.disabled && user.role === "ADMIN" ? user : null;
}

/**
 * Checks a link now and stores the diagnosis. `admin`: the admin pressing Check now (their 3LO
 * token reads the remote's side, and they become the link's checker); without one, the last
 * checker's, as a background check does.
 */
export async function checkLinkNow(db: Db, linkId: string, options: { admin?: { id: string } | null; timeoutMs?: number; source?: ChangeSource } = {}) {
  const link = await findLinkOrThrow(db, linkId);
  const row = await db.linkStatus.findUnique({ where: { linkId } });
  const admin = options.admin ? await db.user.findUnique({ where: { id: options.admin.id }, select: USER_SELECT }) : await lastChecker(db, row);
  if (options.admin && (!admin || admin.role !== "ADMIN")) throw new AppError("forbidden", "Administrators only.");
  const started = performance.now();
  const diagnosis = await diagnoseLink(db, link, {
    admin,
    timeoutMs: options.timeoutMs,
    incoming: incomingSeen(row),
  });
  const checkedAt = new Date();
  const failedChecks = FAILED_STATUSES.has(diagnosis.status) ? (row?.failedChecks ?? 0) + 1 : 0;
  const data = {
    status: diagnosis.status,
    cause: diagnosis.cause,
    fix: diagnosis.fix,
    action: JSON.stringify(diagnosis.actions),
    problem: diagnosis.problem,
    checks: JSON.stringify(diagnosis.checks),
    checkedAt,
    checkedById: admin?.id ?? row?.checkedById ?? null,
    failedChecks,
    nextCheckAt: failedChecks ? new Date(checkedAt.getTime() + retryDelayMs(failedChecks)) : null,
  };
  const ms = performance.now() - started;
  // The link may be deleted while it is checked: then there is nothing to store. A change of status
  // is recorded with the status, in one transaction (what noticed it: Check now, or a background check).
  const saved = await db
    .$transaction(async (tx) => {
      const before = await lockedStatus(tx, linkId);
      const stored = await tx.linkStatus.upsert({ where: { linkId }, create: { linkId, ...data }, update: data });
      await recordStatusChange(tx, { linkId, from: before?.status ?? null, to: diagnosis.status, cause: diagnosis.cause, problem: diagnosis.problem, fix: diagnosis.fix, source: options.source ?? (options.admin ? "admin" : "background"), at: checkedAt });
      await recordCheckRun(tx, { linkId, ms, status: diagnosis.status, at: checkedAt });
      return stored;
    })
    .catch((error: unknown) => {
    if ((error as { code?: string }).code === "P2003" || (error as { code?: string }).code === "P2025") return null;
    throw error;
  });
  const fresh = await findLinkOrThrow(db, linkId);
  return { link: fresh, row: saved };
}

/** A link's stored status row (null before its first check or traffic). */
export function statusRow(db: Db, linkId: string) {
  return db.linkStatus.findUnique({ where: { linkId } });
}

/**
 * How this app sees its link to the application `remoteAppId`, in Atlassian's shape
 * (`GET /rest/applinks/3.0/status/{applicationId}`); `not_found` when it has none. `asApplication`:
 * the linked application calling as itself, which may read only its own link's status.
 */
export async function applinkStatusOf(db: Db, remoteAppId: string, ourUrl: string, asApplication: Link | null = null) {
  // A linked application calling as itself reads its own link's status, and no other's.
  if (asApplication && asApplication.remoteAppId !== remoteAppId) throw new AppError("forbidden", "A linked application reads only the status of its own link.");
  const link = await db.link.findUnique({ where: { remoteAppId } });
  if (!link) throw new AppError("not_found", "This application has no link to that application id.");
  const view = linkStatusView(link, await statusRow(db, link.id), ourUrl);
  return applinkStatusJson(link, view, errorCategory(view.status));
}

/** Every stored status row of these links, by link id (the list: no network). */
export async function statusRows(db: Db, linkIds: string[]): Promise<Map<string, LinkStatus>> {
  const rows = linkIds.length ? await db.linkStatus.findMany({ where: { linkId: { in: linkIds } } }) : [];
  return new Map(rows.map((r) => [r.linkId, r]));
}

/** A link page's diagnosis older than this is checked again in the background when the page is opened. */
export const STALE_DIAGNOSIS_MS = 2 * 60_000;
const PAGE_CHECK_EVERY_MS = 60_000;
const pageChecks = new Map<string, number>();

/**
 * A check a link page asks for on its own: `stale` (its diagnosis is older than a couple of
 * minutes; at most once a minute per link, whoever opens it) or `returned` (the admin comes back
 * from the remote, which just set up or changed its side: unless a check ran in the last few
 * seconds). Answers whether a check ran; the page then shows the result without a reload.
 */
export async function checkFromLinkPage(db: Db, linkId: string, reason: "stale" | "returned", admin: { id: string }, now = Date.now()): Promise<boolean> {
  const row = await statusRow(db, linkId);
  const age = row?.checkedAt ? now - row.checkedAt.getTime() : Number.POSITIVE_INFINITY;
  if (reason === "returned" ? age < 1000 : age < STALE_DIAGNOSIS_MS || now - (pageChecks.get(linkId) ?? 0) < PAGE_CHECK_EVERY_MS) return false;
  if (pageChecks.size > 10_000) pageChecks.clear();
  pageChecks.set(linkId, now);
  await checkLinkNow(db, linkId, { admin, source: "background" });
  return true;
}

/** Whether a link page opened now checks its link in the background, and why (see checkFromLinkPage). */
export function pageCheckReason(view: Pick<LinkStatusView, "checkedAt" | "status">, returned: boolean, now = Date.now()): "stale" | "returned" | null {
  if (view.status === "DISABLED") return null;
  if (returned) return "returned";
  return !view.checkedAt || now - view.checkedAt.getTime() > STALE_DIAGNOSIS_MS ? "stale" : null;
}
