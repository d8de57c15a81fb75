import { OAUTH_PROBLEMS, STATUS, type OAuthProblem } from "@/lib/errors";

/**
 * OAuth problem reporting: one error class that carries a problem's name, its status (from the app's
 * one status table, lib/errors.ts) and the extra fields a problem may need.
 * @see https://wiki.oauth.net/w/page/12238543/ProblemReporting
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.2
 */
export { OAUTH_PROBLEMS, type OAuthProblem } from "@/lib/errors";

/**
 * Every problem name the OAuth Problem Reporting extension defines (what a remote may answer us
 * with): the metrics label a remote's answer by these and "other", so a remote cannot grow series.
 */
export const KNOWN_OAUTH_PROBLEMS: ReadonlySet<string> = new Set([
  ...OAUTH_PROBLEMS,
  "consumer_key_rejected",
  "consumer_key_refused",
  "token_used",
  "token_revoked",
  "additional_authorization_required",
  "permission_unknown",
]);

export interface OAuthProblemDetails {
  /** `oauth_acceptable_timestamps=a-b` for `timestamp_refused`. */
  acceptableTimestamps?: { from: number; to: number };
  /** `oauth_parameters_absent=a&b` for `parameter_absent`. */
  parametersAbsent?: string[];
  /** `oauth_parameters_rejected=a&b` for `parameter_rejected`. */
  parametersRejected?: string[];
  /** A sentence for people (the body's `oauth_problem_advice`). */
  advice?: string;
}

/**
 * A refused OAuth request, with its problem name, status and the extra fields the problem carries.
 * @see https://wiki.oauth.net/w/page/12238543/ProblemReporting
 */
export class OAuthProblemError extends Error {
  readonly problem: OAuthProblem;
  readonly status: number;
  readonly details: OAuthProblemDetails;

  constructor(problem: OAuthProblem, details: OAuthProblemDetails = {}) {
    super(details.advice ? `${problem}: ${details.advice}` : problem);
    this.name = "OAuthProblemError";
    this.problem = problem;
    this.status = STATUS[problem];
    this.details = details;
  }

  /** The problem's parameters, in the order Atlassian sends them. */
  parameters(): [string, string][] {
    const out: [string, string][] = [["oauth_problem", this.problem]];
    const { acceptableTimestamps, parametersAbsent, parametersRejected, advice } = this.details;
    if (acceptableTimestamps) out.push(["oauth_acceptable_timestamps", `${acceptableTimestamps.from}-${acceptableTimestamps.to}`]);
    if (parametersAbsent?.length) out.push(["oauth_parameters_absent", parametersAbsent.join("&")]);
    if (parametersRejected?.length) out.push(["oauth_parameters_rejected", parametersRejected.join("&")]);
    if (advice) out.push(["oauth_problem_advice", advice]);
    return out;
  }

  /**
   * `WWW-Authenticate: OAuth realm="…", oauth_problem="…", …`. A header carries bytes, not text:
   * anything outside printable ASCII (a consumer key in Cyrillic echoed in the advice) is
   * percent-encoded as UTF-8, so no value a client sent can break the answer.
   */
  wwwAuthenticate(realm: string): string {
    const quote = (v: string) =>
      `"${v.replace(/["\\\r\n]/g, (c) => (c === '"' || c === "\\" ? `\\${c}` : " ")).replace(/[^\x20-\x7e]/gu, (c) => (c.isWellFormed() ? encodeURIComponent(c) : "%EF%BF%BD"))}"`;
    return ["OAuth realm=" + quote(realm), ...this.parameters().map(([k, v]) => `${k}=${quote(v)}`)].join(", ");
  }

  /** The form-encoded body: `oauth_problem=…&…`. */
  formBody(): string {
    return new URLSearchParams(this.parameters()).toString();
  }
}

/**
 * Reads a problem report from a response (header first, then a form-encoded body).
 * @see https://wiki.oauth.net/w/page/12238543/ProblemReporting
 */
export function parseProblemReport(wwwAuthenticate: string | null, body: string | null): { problem: string; parameters: Record<string, string> } | null {
  const parameters: Record<string, string> = {};
  if (wwwAuthenticate && /^\s*OAuth\b/i.test(wwwAuthenticate)) {
    for (const m of wwwAuthenticate.matchAll(/([A-Za-z_]+)="((?:[^"\\]|\\.)*)"/g)) parameters[m[1]!] = m[2]!.replace(/\\(.)/g, "$1");
  }
  if (!parameters.oauth_problem && body && /(^|&)oauth_problem=/.test(body.trim())) {
    for (const [k, v] of new URLSearchParams(body.trim())) parameters[k] = v;
  }
  return parameters.oauth_problem ? { problem: parameters.oauth_problem, parameters } : null;
}
