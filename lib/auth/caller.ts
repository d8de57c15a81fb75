import { parse as parseCookies } from "cookie";
import { getToken } from "next-auth/jwt";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/audit/record";
import { authenticateApiToken } from "@/lib/tokens/api-tokens";
import { cachedReads, type UserRow } from "@/lib/db/cached-reads";
import { authenticateOAuth, isOAuthSigned } from "@/lib/oauth-provider/incoming-caller";
import { authenticateConnectJwt, isConnectJwt } from "@/lib/oauth-provider/incoming-jwt";
import { sessionCookieName, secureCookies } from "@/lib/auth/session-cookie";
import { sessionSecret } from "@/lib/env/secret-file";
import type { Role } from "@/lib/validation/fields";

/** Who is calling, as every route, page and server action sees it. Always read fresh from the database. */
export interface Caller extends Actor, Pick<UserRow, "id" | "username" | "email" | "displayName"> {
  id: string;
  role: Role;
  via: "session" | "token" | "oauth-2lo" | "oauth-2loi" | "oauth-3lo" | "connect-jwt";
  /** For OAuth callers: the linked application's consumer key. */
  consumerKey?: string;
}

/** What OAuth verification needs beyond the headers; the body is read only for a signed request. */
export interface CallerRequest {
  method: string;
  url: string;
  body: () => Promise<Uint8Array | null>;
}

export function toCaller(user: UserRow, via: Caller["via"], consumerKey?: string): Caller {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    displayName: user.displayName,
    role: user.role === "ADMIN" ? "ADMIN" : "USER",
    via,
    ...(consumerKey ? { consumerKey } : {}),
  };
}

/**
 * Resolves the caller of a request: an OAuth 1.0a signature or an Atlassian Connect JWT from a
 * linked application (when the request is given: see lib/oauth-provider/incoming-caller.ts and
 * incoming-jwt.ts), else `Authorization: Bearer <api
 * token>` (a bad token is an error, never a silent fall-back to the cookie), else the session
 * cookie. A session of a disabled user, or one issued before their last password reset, is no session.
 */
export async function resolveCaller(db: Db, headers: Headers, request?: CallerRequest): Promise<Caller | null> {
  if (request) refuseTwoCredentials(headers.get("authorization"), request.url);
  if (request && isOAuthSigned(headers.get("authorization"), request.url)) {
    const identity = await authenticateOAuth(db, { method: request.method, url: request.url, headers, body: await request.body() });
    return toCaller(identity.user, identity.via, identity.consumerKey);
  }
  if (request && isConnectJwt(headers.get("authorization"), request.url)) {
    const identity = await authenticateConnectJwt(db, { method: request.method, url: request.url, headers, body: null });
    return toCaller(identity.user, identity.via, identity.consumerKey);
  }
  const authorization = headers.get("authorization");
  if (authorization) {
    const [scheme, ...rest] = authorization.trim().split(/\s+/);
    if (scheme?.toLowerCase() !== "bearer" || rest.length !== 1) {
      throw new AppError("unauthenticated", "Unsupported Authorization header: use \"Bearer <api token>\" (or OAuth 1.0a from a linked application).");
    }
    const user = await authenticateApiToken(db, rest[0]!);
    if (!user) throw new AppError("unauthenticated", "The API token is invalid, revoked, or belongs to a disabled user.");
    return toCaller(user, "token");
  }
  return sessionCaller(db, headers);
}

/**
 * A request must carry one credential: an Authorization header, a Connect JWT in the query, or
 * OAuth 1.0a parameters in the query. Two (`?jwt=` beside a Bearer token, say) are refused naming
 * both, never resolved by an order the caller cannot see. A session cookie beside a header is not
 * a second credential (the header wins), and OAuth parameters in both the header and the query are
 * one OAuth request, which its verifier refuses with parameter_rejected.
 */
export function refuseTwoCredentials(authorization: string | null, url: string): void {
  const given: string[] = [];
  const scheme = authorization?.trim().split(/\s+/)[0];
  if (scheme) given.push(`an Authorization: ${scheme.length > 20 ? "…" : scheme} header`);
  // The same sniffers that route a request to its verifier, asked about the query alone.
  if (isConnectJwt(null, url)) given.push("a Connect JWT in the query (jwt=)");
  if (isOAuthSigned(null, url) && !/^oauth$/i.test(scheme ?? "")) given.push("OAuth 1.0a parameters in the query");
  if (given.length > 1) throw new AppError("bad_request", `This request carries ${given.length} credentials (${given.join(" and ")}): send one.`);
}

async function sessionCaller(db: Db, headers: Headers): Promise<Caller | null> {
  const cookieHeader = headers.get("cookie");
  if (!cookieHeader) return null;
  // next-auth reads (possibly chunked) session cookies from `req.cookies`, an object by name.
  const jwt = await getToken({
    req: { cookies: parseCookies(cookieHeader), headers: {} } as never,
    secret: sessionSecret(),
    cookieName: sessionCookieName(),
    secureCookie: secureCookies(),
  });
  const uid = typeof jwt?.uid === "string" ? jwt.uid : null;
  if (!uid) return null;
  const user = await cachedReads(db).userById(uid);
  if (!user || user.disabled) return null;
  const signedInAt = typeof jwt?.authAt === "number" ? jwt.authAt : 0;
  if (signedInAt < user.sessionsValidAfter.getTime()) return null;
  return toCaller(user, "session");
}

/** Callers authenticated by delegation: a linked application acting for a person (see lib/api/with-caller.ts `Delegation`). */
export function isDelegated(caller: Caller): boolean {
  return caller.via === "oauth-2lo" || caller.via === "oauth-2loi" || caller.via === "oauth-3lo" || caller.via === "connect-jwt";
}

export function isAdmin(caller: Caller | null): caller is Caller & { role: "ADMIN" } {
  return caller?.role === "ADMIN";
}
