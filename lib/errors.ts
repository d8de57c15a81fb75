/**
 * The one status table: every code an answer of this app can carry, with its HTTP status.
 *
 * - The app's own errors (AppError's codes, answered as `{error: {code, message}}`).
 * - The problems of OAuth 1.0a's Problem Reporting extension, answered to OAuth peers as a problem
 *   report (lib/oauth1/problems.ts); the names Atlassian peers send and understand.
 *
 * Anything else that escapes is a bug: logged, and answered with a generic 500 (lib/describe-error.ts).
 * @see https://wiki.oauth.net/w/page/12238543/ProblemReporting
 */
export const STATUS = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  version_conflict: 409,
  /** The link is disabled: nothing goes through it until an admin enables it. */
  link_disabled: 409,
  last_admin: 409,
  too_many_requests: 429,
  discovery_failed: 502,
  authorization_required: 401,
  payload_too_large: 413,
  network_error: 502,
  gateway_timeout: 504,
  unavailable: 503,
  /** The caller went away before the answer (nginx's 499): nobody reads it, the logs do. */
  cancelled: 499,

  consumer_key_unknown: 401,
  signature_invalid: 401,
  signature_method_rejected: 401,
  timestamp_refused: 401,
  nonce_used: 401,
  token_rejected: 401,
  token_expired: 401,
  permission_denied: 401,
  user_refused: 401,
  parameter_absent: 400,
  parameter_rejected: 400,
  version_rejected: 400,
} as const;

/** The OAuth 1.0a problems in the table, by name. */
export const OAUTH_PROBLEMS = [
  "consumer_key_unknown",
  "signature_invalid",
  "signature_method_rejected",
  "timestamp_refused",
  "nonce_used",
  "token_rejected",
  "token_expired",
  "permission_denied",
  "user_refused",
  "parameter_absent",
  "parameter_rejected",
  "version_rejected",
] as const satisfies readonly (keyof typeof STATUS)[];

export type OAuthProblem = (typeof OAUTH_PROBLEMS)[number];

/** The app's own error codes. */
export type ErrorCode = Exclude<keyof typeof STATUS, OAuthProblem>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields?: Record<string, string>;

  /** Extra top-level members of the JSON error answer (e.g. `authorizeUrl`). */
  readonly extra?: Record<string, unknown>;

  /** The `WWW-Authenticate` challenge of the answer, where the default (`Bearer realm=…` on a 401) says too little (RFC 6750 §3). */
  readonly challenge?: string;

  constructor(code: ErrorCode, message: string, options: { fields?: Record<string, string>; extra?: Record<string, unknown>; challenge?: string } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = STATUS[code];
    this.fields = options.fields;
    this.extra = options.extra;
    this.challenge = options.challenge;
  }
}
