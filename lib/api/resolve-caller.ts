import { parse as parseCookies } from "cookie";
import { getToken } from "next-auth/jwt";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { toCaller, type Caller } from "@/lib/auth/caller";
import { authenticateApiToken } from "@/lib/tokens/api-tokens";
import { cachedReads } from "@/lib/db/cached-reads";
import { authenticateOAuth, isOAuthSigned } from "@/lib/incoming/incoming-caller";
import { authenticateOAuth2Token, isOAuth2AccessToken } from "@/lib/incoming/oauth2/access";
import { authenticateConnectJwt, isConnectJwt } from "@/lib/incoming/incoming-jwt";
import { sessionCookieName, secureCookies } from "@/lib/auth/session-cookie";
import { sessionSecret } from "@/lib/env/secret-file";

/** What OAuth verification needs beyond the headers; the body is read only for a signed request. */
export interface CallerRequest {
  method: string;
  url: string;
  body: () => Promise<Uint8Array | null>;
}

/**
 * The credential a request carries, recognised once (the server's direct route routes by it, and
 * resolveCaller resolves it without looking again):
 * - `oauth1`: OAuth 1.0a from a linked application (an `Authorization: OAuth` header, or its
 *   parameters in the query), verified over the whole request, body included;
 * - `connect-jwt`: an Atlassian Connect JWT (`Authorization: JWT`, or `?jwt=`);
 * - `bearer`: `Authorization: Bearer <value>` (today an API token; an OAuth 2.0 access token from
 *   this app's authorization server will be told apart here, by its prefix);
 * - `unsupported`: another Authorization header (401, never a silent fall-back to the cookie);
 * - `none`: no credential in the request: the session cookie, if any, decides.
 */
export type Credential = { kind: "oauth1" } | { kind: "connect-jwt" } | { kind: "bearer"; value: string } | { kind: "unsupported" } | { kind: "none" };

export function credentialOf(authorization: string | null | undefined, url: string): Credential {
  if (isOAuthSigned(authorization, url)) return { kind: "oauth1" };
  if (isConnectJwt(authorization, url)) return { kind: "connect-jwt" };
  if (!authorization) return { kind: "none" };
  const [scheme, ...rest] = authorization.trim().split(/\s+/);
  return scheme?.toLowerCase() === "bearer" && rest.length === 1 ? { kind: "bearer", value: rest[0]! } : { kind: "unsupported" };
}

/** Whether the credential is verified over the whole request (and so needs its body). */
export const isSignedRequest = (credential: Credential) => credential.kind === "oauth1" || credential.kind === "connect-jwt";

/**
 * Resolves the caller of a request: an OAuth 1.0a signature or an Atlassian Connect JWT from a
 * linked application (when the request is given: see lib/incoming/incoming-caller.ts and
 * incoming-jwt.ts), else `Authorization: Bearer <api token>` (a bad token is an error, never a
 * silent fall-back to the cookie), else the session cookie. A session of a disabled user, or one
 * issued before their last password reset, is no session. `credential`, when the caller already
 * recognised it (credentialOf), is not recognised again.
 */
export async function resolveCaller(db: Db, headers: Headers, request?: CallerRequest, credential?: Credential): Promise<Caller | null> {
  const authorization = headers.get("authorization");
  if (request) refuseTwoCredentials(authorization, request.url);
  const given = credential ?? credentialOf(authorization, request?.url ?? "/");
  switch (given.kind) {
    case "oauth1":
    case "connect-jwt": {
      // Without the request (pages and server actions), a linked application's signature cannot be checked.
      if (!request) throw unsupportedAuthorization();
      const call = { method: request.method, url: request.url, headers };
      const identity = given.kind === "oauth1" ? await authenticateOAuth(db, { ...call, body: await request.body() }) : await authenticateConnectJwt(db, { ...call, body: null });
      return toCaller(identity.user, identity.via, identity);
    }
    case "bearer": {
      // A bearer value goes to one store by its prefix: an OAuth 2.0 access token, or an API token.
      if (isOAuth2AccessToken(given.value)) {
        const identity = await authenticateOAuth2Token(db, given.value);
        return toCaller(identity.user, "oauth2", { consumerKey: identity.clientId, linkId: identity.linkId, scopes: identity.scopes });
      }
      const user = await authenticateApiToken(db, given.value);
      if (!user) throw new AppError("unauthenticated", "The API token is invalid, revoked, or belongs to a disabled user.");
      return toCaller(user, "token");
    }
    case "unsupported":
      throw unsupportedAuthorization();
    case "none":
      return sessionCaller(db, headers);
  }
}

const unsupportedAuthorization = () => new AppError("unauthenticated", 'Unsupported Authorization header: use "Bearer <api token>" (or OAuth 1.0a from a linked application).');

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
  // The same sniffers that recognise a request's credential, asked about the query alone.
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
