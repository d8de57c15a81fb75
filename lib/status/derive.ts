import { LINK_STATUSES, type LinkStatusCode } from "@/lib/links/schemas";

/** The checks a diagnosis runs, in order (issue 11; README "Link status"). */
export const CHECK_NAMES = ["enabled", "reach", "identity", "clock", "remote-view", "auth-levels", "signed-call", "incoming", "legacy"] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
export type CheckResult = "pass" | "warn" | "fail" | "skipped";

/**
 * What the app can do about a finding, from the link's page or the API. `remote` opens the remote
 * application's own page (in the admin's browser, where they act as an admin there); the others
 * are applied here.
 */
export type FixAction =
  | { kind: "enable"; label: string }
  | { kind: "authorize"; label: string }
  | { kind: "match-here"; label: string; outgoing?: Levels; incoming?: Levels }
  | { kind: "refetch-consumer"; label: string }
  | { kind: "adopt-identity"; label: string; remoteAppId: string }
  | { kind: "relocate"; label: string; rpcUrl: string }
  | { kind: "disable-legacy"; label: string }
  /** A setting only the admin can choose here (whom 2LO runs as, a level in Incoming): the link page's section for it. */
  | { kind: "open-section"; label: string; section: "outgoing" | "incoming" | "oauth2" | "credential" }
  /** The remote's link to us, created (or, when it exists, healed) there with the levels that match ours. */
  | { kind: "create-link-back"; label: string; remoteUrl: string; remoteType: string; outgoing?: Levels; incoming?: Levels }
  /** On another Applink Admin, its page for its link to us with the change proposed; on another product (`remoteType`), its application links page. */
  | { kind: "fix-on-remote"; label: string; remoteUrl: string; remoteLinkId: string | null; remoteType?: string; outgoing?: Levels; incoming?: Levels; refetchConsumer?: boolean };

/** One direction's OAuth levels, as both ends describe them. */
import type { Levels } from "@/lib/links/levels";

/** One check's outcome. `status`: what a warn or fail makes the link (none: shown, not counted). */
export interface Check {
  name: CheckName;
  result: CheckResult;
  ms: number;
  message: string;
  status?: LinkStatusCode;
  /** Atlassian's error type for this finding (`/rest/applinks/3.0/status`). */
  type?: string;
  problem?: string;
  fix?: string;
  /** The fixes, most direct first: here, then on the remote. */
  actions?: FixAction[];
}

export interface Diagnosis {
  status: LinkStatusCode;
  cause: string;
  fix: string;
  actions: FixAction[];
  problem: string | null;
  checks: Check[];
}

const rank = (status: LinkStatusCode) => LINK_STATUSES.indexOf(status);

/**
 * The link's status is its worst finding (the README's "Link status" order: DISABLED first, CONNECTED last);
 * the cause and fix are that finding's. A warn with a status counts as much as a fail.
 */
export function deriveStatus(checks: Check[]): Diagnosis {
  let worst: Check | null = null;
  for (const check of checks) {
    if ((check.result !== "fail" && check.result !== "warn") || !check.status) continue;
    if (!worst || rank(check.status) < rank(worst.status!) || (rank(check.status) === rank(worst.status!) && worst.result === "warn" && check.result === "fail")) worst = check;
  }
  if (!worst) {
    // Working, with something to do before it stops (a client certificate about to expire, a
    // clock drifting): the warning is the headline, not a line in the checks table.
    const warning = checks.find((c) => c.result === "warn");
    if (warning) return { status: "CONNECTED", cause: `The link works, with a warning: ${warning.message}`, fix: warning.fix ?? "", actions: warning.actions ?? [], problem: null, checks };
    return { status: "CONNECTED", cause: "Every check passed: the link works end to end.", fix: "", actions: [], problem: null, checks };
  }
  return { status: worst.status!, cause: worst.message, fix: worst.fix ?? "", actions: worst.actions ?? [], problem: worst.problem ?? null, checks };
}

/** Atlassian's error category for a status (`/rest/applinks/3.0/status`). */
export function errorCategory(status: LinkStatusCode): string | null {
  switch (status) {
    case "CONNECTED":
      return null;
    case "ACCESS_DENIED":
    case "AUTHENTICATE":
      return "ACCESS_ERROR";
    case "UPGRADE_CONFIG":
      return "DEPRECATED";
    case "UNCHECKED":
      return "UNKNOWN";
    default:
      return status;
  }
}
