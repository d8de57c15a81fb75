import type { Db } from "@/lib/db";
import type { Via } from "@/lib/auth/caller";
import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { cachedReads, type UserRow } from "@/lib/db/cached-reads";
import { ConnectJwtError, verifyConnectJwt } from "@/lib/connect-jwt/verify";
import { incomingRequest, type SignedCall } from "@/lib/incoming/incoming-caller";
import { connectJwtMaxLifetimeSeconds, incomingNonces, timestampWindowSeconds } from "@/lib/incoming/verify-incoming";
import { recordIncomingRefusal, recordIncomingSuccess } from "@/lib/traffic/traffic";
import { incomingVerifications } from "@/lib/metrics";
import { readSecret } from "@/lib/vault/vault";

/** Whether a request carries an Atlassian Connect JWT: `Authorization: JWT …`, or `jwt=` in the query. */
export function isConnectJwt(authorization: string | null | undefined, url: string): boolean {
  if (/^\s*jwt\s/i.test(authorization ?? "")) return true;
  const query = url.indexOf("?");
  return query !== -1 && /[?&]jwt=/.test(url.slice(query));
}

function tokenOf(headers: Headers, url: URL): string {
  const header = headers.get("authorization")?.match(/^\s*jwt\s+(\S+)\s*$/i);
  if (header) return header[1]!;
  return url.searchParams.get("jwt") ?? "";
}

/** A refused Connect JWT: 401 with its problem named, as the OAuth verifier names its own. */
export function jwtRefusal(problem: string, advice: string): AppError {
  return new AppError("unauthenticated", `Connect JWT refused (${problem}): ${advice}`, { extra: { problem } });
}

export interface JwtIdentity {
  user: UserRow;
  via: Extract<Via, "connect-jwt">;
  /** The issuer, as the audit log and /myself name the linked application. */
  consumerKey: string;
  linkId: string;
}

/**
 * Authenticates a request signed with an Atlassian Connect JWT by a linked application: `iss` names
 * the link (its incoming issuer), the token is checked with the link's shared secret and bound to
 * this very request (lib/connect-jwt/verify.ts), and the link decides who it runs as: the execute-as
 * user, or the user `sub` names where the link allows impersonation. A disabled link, a `sub` without
 * impersonation and an inactive user are refused after the signature, so settings cannot be probed.
 */
export async function authenticateConnectJwt(db: Db, call: SignedCall): Promise<JwtIdentity> {
  let found: Link | null = null;
  const reads = cachedReads(db);
  const windowSeconds = timestampWindowSeconds();
  try {
    const request = incomingRequest(call);
    const { claims, found: link } = await verifyConnectJwt(
      tokenOf(call.headers, request.url),
      { method: request.method, url: request.url, baseUrl: request.url.origin },
      async (issuer) => {
        const row = await reads.linkByJwtIssuer(issuer);
        if (!row?.inJwtSecretId) return null;
        found = row;
        return { secret: (await readSecret(db, row.inJwtSecretId)).toString("utf8"), found: row };
      },
      {
        windowSeconds,
        maxLifetimeSeconds: connectJwtMaxLifetimeSeconds(),
        // A jti is kept in the nonce table (shared by every instance) under the issuer's own name
        // space. Nonces are purged once their timestamp leaves the window, so it is stored as
        // `exp − window`: kept until the token has expired, and not a moment longer.
        recordJti: (issuer, jti, expiresAt) => incomingNonces(db).use(`connect-jwt:${issuer}`, jti, expiresAt - windowSeconds),
      },
    );
    if (link.disabled) throw jwtRefusal("permission_denied", `The link to "${link.name}" is disabled here.`);
    let user: UserRow | null;
    if (claims.sub !== undefined) {
      if (!link.inImpersonation) throw jwtRefusal("permission_denied", `"${link.name}" may not act as other users here (impersonation is off); send no sub.`);
      user = await reads.userByUsername(claims.sub);
    } else {
      if (!link.inExecuteAs) throw jwtRefusal("permission_denied", `No user is set for requests from "${link.name}" (execute as).`);
      user = await reads.userByUsername(link.inExecuteAs);
    }
    if (!user || user.disabled) throw jwtRefusal("user_refused", `No active user "${claims.sub ?? link.inExecuteAs}" here.`);
    incomingVerifications.inc({ result: "ok" });
    await recordIncomingSuccess(db, link.id);
    return { user, via: "connect-jwt", consumerKey: claims.iss, linkId: link.id };
  } catch (error) {
    const problem = error instanceof ConnectJwtError ? error.problem : error instanceof AppError ? String(error.extra?.problem ?? "") : "";
    if (problem) incomingVerifications.inc({ result: problem });
    const link = found as Link | null;
    if (problem && link) await recordIncomingRefusal(db, link.id, problem);
    if (error instanceof ConnectJwtError) throw jwtRefusal(error.problem, error.advice);
    throw error;
  }
}
