/**
 * Errors the application raises on purpose, each with a stable code and HTTP status. Anything
 * else that escapes is a bug: logged, and answered with a generic 500.
 */
export const ERROR_STATUS = {
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
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields?: Record<string, string>;

  /** Extra top-level members of the JSON error answer (e.g. `authorizeUrl`). */
  readonly extra?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { fields?: Record<string, string>; extra?: Record<string, unknown> } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.fields = options.fields;
    this.extra = options.extra;
  }
}
