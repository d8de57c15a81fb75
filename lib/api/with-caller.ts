import type { z } from "zod";
import { db } from "@/lib/db";
import { withOneCacheVersion } from "@/lib/db/cached-reads";
import { AppError } from "@/lib/errors";
import { isDelegated, toCaller, type Caller } from "@/lib/auth/caller";
import { refuseTwoCredentials, resolveCaller, type CallerRequest, type Credential } from "@/lib/api/resolve-caller";
import type { Link } from "@/lib/generated/prisma/client";
import { authenticateOAuth, isOAuthSigned } from "@/lib/incoming/incoming-caller";
import { handleApiError } from "@/lib/api/handle-error";
import { proxyMaxBodyBytes, readBodyCapped } from "@/lib/http/read-body";
import { MALFORMED_TEXT, malformedTextPath } from "@/lib/validation/fields";
import { scopeAllows } from "@/lib/auth/oauth2-scopes";
import { insufficientScope } from "@/lib/incoming/oauth2/access";
import { recordOAuth2Refusal } from "@/lib/incoming/oauth2/refusals";

/** Who may call a route: anyone, any signed-in user (or token), or administrators only. */
export type Access = "public" | "user" | "admin";

/**
 * Whether a caller authenticated by delegation (a linked application acting for a person: OAuth
 * 1.0a 2LO, 2LO with impersonation or 3LO, or a Connect JWT; every way but a session or a token,
 * lib/auth/caller.ts `isDelegatedVia`) may call a route. Delegated access is revocable and
 * bounded by its link, so it may read and use what its person may, and never becomes something
 * that outlives the link. The default follows the method:
 * - GET and HEAD read: allowed;
 * - every other method creates, changes or revokes (credentials, users, keys, links and their
 *   settings): refused with 403.
 * `"use"`: allowed for every method (using a link through the proxy, as the person may).
 * `"never"`: refused even to read (listing credentials; starting a 3-legged dance, which mints one).
 * `"admin"`: administration that touches no credential (creating and changing links, changing
 *   users): by the default rule, except for an OAuth 2.0 caller whose administrator consented to
 *   the ADMIN scope, the one delegation that may change links and users.
 */
export type Delegation = "use" | "never" | "admin";

const READS = new Set(["GET", "HEAD"]);

const grantedScopes = (caller: Caller) => (caller.scopes?.length ? caller.scopes.join(" ") : "none");

/** The link's diagnosis shows the refusal (recorded in the background: the answer does not wait for it). */
function noteInsufficientScope(caller: Caller, needed: string): void {
  if (caller.linkId) void recordOAuth2Refusal(db, caller.linkId, "insufficient_scope", needed);
}

export const DELEGATION_REFUSED =
  "A linked application (OAuth) may read and use what its person may, but never create, list or revoke credentials, nor change users, keys, links or their settings.";

/** The delegated-caller rule, stated once: may this caller reach a route with this method? */
export function delegationAllows(caller: Caller | null, method: string, delegation?: Delegation): boolean {
  if (!caller || !isDelegated(caller)) return true;
  if (delegation === "use" || delegation === "never") return delegation === "use";
  if (delegation === "admin" && caller.via === "oauth2" && scopeAllows(caller.scopes ?? [], "ADMIN")) return true;
  return READS.has(method.toUpperCase());
}

/**
 * The delegated-caller rule with an OAuth 2.0 caller's scopes (lib/auth/oauth2-scopes.ts): within
 * what the rule allows, reading needs READ, administration (`"admin"`) ADMIN and anything else
 * WRITE; refused as 403 with the
 * delegation's words, or as RFC 6750's `insufficient_scope` naming the scope that was missing.
 */
export function refuseUnlessAllowed(caller: Caller | null, method: string, delegation?: Delegation): void {
  const reads = READS.has(method.toUpperCase());
  if (caller?.via === "oauth2" && delegation === "admin" && !reads && !scopeAllows(caller.scopes ?? [], "ADMIN")) {
    noteInsufficientScope(caller, "ADMIN");
    throw insufficientScope("ADMIN", `This administration needs the ADMIN scope; the application was granted ${grantedScopes(caller)}.`);
  }
  if (!delegationAllows(caller, method, delegation)) throw new AppError("forbidden", DELEGATION_REFUSED);
  if (caller?.via !== "oauth2") return;
  const needed = delegation === "admin" && !reads ? "ADMIN" : reads ? "READ" : "WRITE";
  if (!scopeAllows(caller.scopes ?? [], needed)) {
    noteInsufficientScope(caller, needed);
    throw insufficientScope(needed, `This request needs the ${needed} scope; the application was granted ${grantedScopes(caller)}.`);
  }
}

type Params = Record<string, string | string[]>;
type RouteContext<P extends Params> = { params: Promise<P> };

interface HandlerArgs<P extends Params, A extends Access> {
  req: Request;
  params: P;
  caller: A extends "public" ? Caller | null : Caller;
  /** The request's body, read once (capped) and shared with OAuth verification (see `sharedBody`). */
  body: () => Promise<Buffer | null>;
}

/**
 * A web Request as OAuth verification reads it. The body is read once, when first asked for:
 * from a copy of the request (the handler may still read `req`), or with `shared`, from the
 * request itself, for a handler that takes the body only through `HandlerArgs.body`.
 */
function callerRequest(req: Request, shared = false): CallerRequest & { body: () => Promise<Buffer | null> } {
  let read: Promise<Buffer | null> | undefined;
  return {
    method: req.method,
    url: req.url,
    body: () =>
      (read ??= req.method === "GET" || req.method === "HEAD" ? Promise.resolve(null) : readBodyCapped((shared ? req.body : req.clone().body) as AsyncIterable<Uint8Array> | null, req.headers.get("content-length"), proxyMaxBodyBytes())),
  };
}

/** The caller of a request, refused (401/403) unless `access` lets them in. */
export async function callerFor<A extends Access>(access: A, headers: Headers, request?: CallerRequest, credential?: Credential): Promise<A extends "public" ? Caller | null : Caller> {
  return admitted(access, await resolveCaller(db, headers, request, credential));
}

/** A resolved caller, refused (401/403) unless `access` lets them in. */
function admitted<A extends Access>(access: A, caller: Caller | null): A extends "public" ? Caller | null : Caller {
  if (access !== "public" && !caller) throw new AppError("unauthenticated", "Sign in or send \"Authorization: Bearer <api token>\".");
  if (access === "admin" && caller?.role !== "ADMIN") throw new AppError("forbidden", "Administrators only.");
  return caller as A extends "public" ? Caller | null : Caller;
}

/**
 * Wraps a route handler: resolves the caller (a linked application's OAuth signature, a bearer
 * token or a session), enforces `access` and the delegated-caller rule (`Delegation`), awaits the
 * params, sends every thrown error through `handleApiError`, and marks every answer `no-store`.
 */
export function withCaller<A extends Access, P extends Params = Params>(
  access: A,
  handler: (args: HandlerArgs<P, A>) => Promise<Response>,
  options: { delegation?: Delegation; sharedBody?: boolean } = {},
) {
  return (req: Request, context: RouteContext<P>): Promise<Response> =>
    oneVersionFor(req, options.sharedBody === true, async () => {
      try {
        const request = callerRequest(req, options.sharedBody);
        const caller = await callerFor(access, req.headers, request);
        refuseUnlessAllowed(caller, req.method, options.delegation);
        const params = (await context?.params) ?? ({} as P);
        return notStored(await handler({ req, params, caller: caller as HandlerArgs<P, A>["caller"], body: request.body }));
      } catch (error) {
        return notStored(handleApiError(error));
      }
    });
}

/**
 * Wraps a route a linked application may call as itself: a request it signs 2-legged with no user
 * reaches the handler with `application` (its link) and no caller, whatever levels its link runs
 * requests with; every other request is resolved and refused as `withCaller(access)` does. The
 * handler decides what the application may see (its own link's status, nothing else).
 */
export function withLinkedApplication<A extends Exclude<Access, "public">, P extends Params = Params>(
  access: A,
  handler: (args: { req: Request; params: P } & ({ application: Link; caller: null } | { application: null; caller: Caller })) => Promise<Response>,
) {
  return (req: Request, context: RouteContext<P>): Promise<Response> =>
    oneVersionFor(req, false, async () => {
      try {
        const params = (await context?.params) ?? ({} as P);
        const authorization = req.headers.get("authorization");
        let caller: Caller;
        if (isOAuthSigned(authorization, req.url)) {
          refuseTwoCredentials(authorization, req.url);
          const identity = await authenticateOAuth(db, { method: req.method, url: req.url, headers: req.headers, body: await callerRequest(req).body() }, { application: true });
          if (identity.via === "application") return notStored(await handler({ req, params, application: identity.link, caller: null }));
          caller = admitted(access, toCaller(identity.user, identity.via, identity));
        } else {
          caller = await callerFor(access, req.headers, callerRequest(req));
        }
        // The same delegated-caller rule as withCaller's, whichever way the caller came.
        refuseUnlessAllowed(caller, req.method);
        return notStored(await handler({ req, params, application: null, caller }));
      } catch (error) {
        return notStored(handleApiError(error));
      }
    });
}

/**
 * A reading request (GET, HEAD) and the proxy's every request take one CacheVersion read for all
 * their cached reads (withOneCacheVersion); a request that changes something reads afresh each
 * time, so what it reads after its own write is never an answer from before it.
 */
function oneVersionFor<T>(req: Request, proxy: boolean, work: () => Promise<T>): Promise<T> {
  return proxy || READS.has(req.method.toUpperCase()) ? withOneCacheVersion(work) : work();
}

/**
 * API answers name a person (who they are, their tokens, what they may see): no cache, shared or
 * private, keeps one. A route that says otherwise keeps its own Cache-Control.
 */
function notStored(response: Response): Response {
  if (response.headers.has("cache-control")) return response;
  // Redirects (Response.redirect) come with immutable headers: copy them into a new answer.
  const out = new Response(response.body, response);
  out.headers.set("cache-control", "no-store");
  return out;
}

const MAX_JSON_BYTES = 1024 * 1024;

/** Reads and validates a JSON body: not JSON, too large or invalid answers 400, never 500. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) throw new AppError("bad_request", "Send a JSON body with Content-Type: application/json.");
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.byteLength > MAX_JSON_BYTES) throw new AppError("bad_request", "The body is larger than 1 MB.");
  let text: string;
  try {
    // Fatal: invalid UTF-8 is refused, never turned into U+FFFD and stored as if it had been sent.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("bad_request", "The body is not valid UTF-8.");
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON.");
  }
  const malformed = malformedTextPath(body);
  if (malformed) throw new AppError("validation_failed", "Some fields are not valid.", { fields: { [malformed]: MALFORMED_TEXT } });
  return schema.parse(body);
}
