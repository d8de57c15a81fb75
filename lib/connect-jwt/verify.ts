import { compactVerify, decodeJwt, decodeProtectedHeader } from "jose";
import { queryStringHash } from "@/lib/connect-jwt";

/** Why an incoming Connect JWT was refused: one problem per failed check, in the order they run. */
export type ConnectJwtProblem =
  | "jwt_malformed"
  | "jwt_algorithm_rejected"
  | "jwt_issuer_unknown"
  | "jwt_signature_invalid"
  | "jwt_expired"
  | "jwt_issued_in_future"
  | "jwt_lifetime_too_long"
  | "jwt_replayed"
  | "jwt_qsh_missing"
  | "jwt_qsh_mismatch";

export class ConnectJwtError extends Error {
  constructor(
    readonly problem: ConnectJwtProblem,
    readonly advice: string,
  ) {
    super(`${problem}: ${advice}`);
    this.name = "ConnectJwtError";
  }
}

export interface ConnectJwtClaims {
  iss: string;
  iat: number;
  exp: number;
  qsh: string;
  sub?: string;
  jti?: string;
}

/** The longest life a Connect JWT may claim (exp − iat), unless CONNECT_JWT_MAX_LIFETIME_SECONDS says otherwise: Atlassian's own tokens live minutes. */
export const DEFAULT_MAX_LIFETIME_SECONDS = 3600;

/**
 * Verifies an Atlassian Connect JWT for one request: well formed, HS256 (nothing else, `none`
 * least of all), an issuer `findSecret` knows, its signature under that issuer's shared secret,
 * `exp` not passed and `iat` not ahead by more than `windowSeconds`, a life (`exp − iat`) of at
 * most `maxLifetimeSeconds` (so a leaked `?jwt=` URL cannot be replayed for ever; with `exp` not
 * passed, this also refuses every `iat` older than that life), and a `qsh` equal to this request's (method, path below
 * `baseUrl`, query without `jwt`). A token with a `jti` is refused the second time `recordJti` sees it
 * within its life. The issuer is looked up before the signature is checked (the secret depends on
 * it); nothing else is trusted before it.
 */
export async function verifyConnectJwt<T>(
  token: string,
  request: { method: string; url: string | URL; baseUrl: string },
  findSecret: (issuer: string) => Promise<{ secret: string; found: T } | null>,
  {
    now = Date.now(),
    windowSeconds = 300,
    maxLifetimeSeconds = DEFAULT_MAX_LIFETIME_SECONDS,
    recordJti,
  }: {
    now?: number;
    windowSeconds?: number;
    maxLifetimeSeconds?: number;
    /** Records a `jti` until `expiresAt` (seconds); false when it was already recorded. */
    recordJti?: (issuer: string, jti: string, expiresAt: number) => Promise<boolean>;
  } = {},
): Promise<{ claims: ConnectJwtClaims; found: T }> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let payload: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(token);
    payload = decodeJwt(token);
  } catch {
    throw new ConnectJwtError("jwt_malformed", "The JWT is not three base64url parts with a JSON header and payload.");
  }
  if (header.alg !== "HS256") throw new ConnectJwtError("jwt_algorithm_rejected", `Only HS256 is accepted, not ${String(header.alg)}.`);
  if (typeof payload.iss !== "string" || !payload.iss) throw new ConnectJwtError("jwt_malformed", "The JWT has no issuer (iss).");
  const issuer = await findSecret(payload.iss);
  if (!issuer) throw new ConnectJwtError("jwt_issuer_unknown", `No link here accepts Connect JWTs from "${payload.iss}".`);
  try {
    await compactVerify(token, Buffer.from(issuer.secret, "utf8"), { algorithms: ["HS256"] });
  } catch {
    throw new ConnectJwtError("jwt_signature_invalid", `The signature does not match the shared secret set here for "${payload.iss}".`);
  }
  const seconds = Math.floor(now / 1000);
  if (typeof payload.exp !== "number" || typeof payload.iat !== "number") throw new ConnectJwtError("jwt_malformed", "The JWT needs iat and exp.");
  if (payload.exp <= seconds) throw new ConnectJwtError("jwt_expired", `It expired ${seconds - payload.exp} s ago (check the two clocks).`);
  if (payload.iat > seconds + windowSeconds) throw new ConnectJwtError("jwt_issued_in_future", `It was issued ${payload.iat - seconds} s in the future: the two clocks differ by more than ${windowSeconds} s.`);
  if (payload.exp - payload.iat > maxLifetimeSeconds) {
    throw new ConnectJwtError("jwt_lifetime_too_long", `It claims to live ${lifetimeText(payload.exp - payload.iat)}; at most ${lifetimeText(maxLifetimeSeconds)} is accepted here (exp − iat).`);
  }
  if (payload.jti !== undefined && (typeof payload.jti !== "string" || !payload.jti || payload.jti.length > 255)) throw new ConnectJwtError("jwt_malformed", "The JWT's jti must be a string of 1 to 255 characters.");
  if (typeof payload.qsh !== "string") throw new ConnectJwtError("jwt_qsh_missing", "The JWT has no query string hash (qsh) binding it to this request.");
  if (payload.qsh !== queryStringHash(request.method, request.url, request.baseUrl)) {
    throw new ConnectJwtError("jwt_qsh_mismatch", "The query string hash (qsh) is of another request: another method, path or query than the one sent.");
  }
  // Last, once the token is known to be genuine and for this request: a forged one cannot use up a jti.
  if (payload.jti !== undefined && recordJti && !(await recordJti(payload.iss, payload.jti, payload.exp))) {
    throw new ConnectJwtError("jwt_replayed", "This token (its jti) was used already: a Connect JWT is good for one request.");
  }
  return {
    claims: { iss: payload.iss, iat: payload.iat, exp: payload.exp, qsh: payload.qsh, ...(typeof payload.sub === "string" ? { sub: payload.sub } : {}), ...(typeof payload.jti === "string" ? { jti: payload.jti } : {}) },
    found: issuer.found,
  };
}

function lifetimeText(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds > 10 * 365 * 86_400) return "more than ten years";
  if (seconds >= 86_400) return `${Math.round(seconds / 86_400)} days`;
  if (seconds >= 3_600) return `${+(seconds / 3_600).toFixed(1)} h`;
  if (seconds >= 60) return `${Math.round(seconds / 60)} min`;
  return `${seconds} s`;
}
