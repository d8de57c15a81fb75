import crypto from "node:crypto";
import type { Db } from "@/lib/db";
import type { Link } from "@/lib/generated/prisma/client";
import type { Via } from "@/lib/auth/caller";
import { trustProxy } from "@/lib/http/client-ip";
import { OAuthProblemError, requestUrl, type Consumer } from "@/lib/oauth1";
import { incomingNonces, verifyIncoming } from "@/lib/incoming/verify-incoming";
import { cachedReads, type UserRow } from "@/lib/db/cached-reads";
import { issuedTokenStore, touchAccessToken } from "@/lib/incoming/issued-tokens";
import { recordIncomingRefusal, recordIncomingSuccess } from "@/lib/traffic/traffic";
import { incomingVerifications } from "@/lib/metrics";

/** A linked application's consumer, as the verifier sees it, with the link it belongs to. */
export interface LinkedConsumer extends Consumer {
  link: Link;
}

/** An OAuth-signed request as it reached a route. */
export interface SignedCall {
  method: string;
  /** The request's URL as the route sees it (its path and query are used as sent). */
  url: string;
  headers: Headers;
  body: Uint8Array | null;
}

/** Who an incoming OAuth request runs as (the user row, read once and checked active), and how it got there. */
export interface OAuthIdentity {
  user: UserRow;
  via: Extract<Via, `oauth-${string}`>;
  consumerKey: string;
  linkId: string;
}

/** A linked application calling as itself (2-legged, no user): its link, and no one's rights. */
export interface ApplicationIdentity {
  via: "application";
  link: Link;
  consumerKey: string;
  linkId: string;
}

/** Whether a request claims OAuth 1.0a: an `Authorization: OAuth …` header, or protocol parameters in the query. */
export function isOAuthSigned(authorization: string | null | undefined, url: string): boolean {
  if (/^\s*oauth\s/i.test(authorization ?? "")) return true;
  const query = url.indexOf("?");
  return query !== -1 && /[?&]oauth_consumer_key=/.test(url.slice(query));
}

const keys = new Map<string, crypto.KeyObject>();
function publicKeyOf(pem: string): crypto.KeyObject {
  let key = keys.get(pem);
  if (!key) {
    key = crypto.createPublicKey(pem);
    if (keys.size > 1000) keys.clear();
    keys.set(pem, key);
  }
  return key;
}

/** The consumers this app knows: each link's incoming consumer, while its incoming direction is on. */
export function linkedConsumers(db: Db) {
  let found: Link | null = null;
  return {
    async findConsumer(key: string): Promise<LinkedConsumer | null> {
      const link = await cachedReads(db).linkByConsumerKey(key);
      if (!link || !link.inEnabled || !link.inPublicKeyPem) return null;
      found = link;
      return { key, name: link.inConsumerName ?? link.name, publicKey: publicKeyOf(link.inPublicKeyPem), link };
    },
    /**
     * The link `findConsumer` found: the token store need not read it again (the verifier asks for
     * the consumer before its token), and a refusal after it is recorded on that link.
     */
    found: (): Link | null => found,
  };
}

/** The active user a request runs as, or the problem to refuse it with. */
async function activeUser(db: Db, lookup: { id: string } | { username: string }, problem: () => OAuthProblemError): Promise<UserRow> {
  const reads = cachedReads(db);
  const user = "id" in lookup ? await reads.userById(lookup.id) : await reads.userByUsername(lookup.username);
  if (!user || user.disabled) throw problem();
  return user;
}

/**
 * The request as the verifiers need it: the URL the client called, rebuilt from Host (and trusted
 * forwarded headers), parsed once here and handed on parsed. The path and query are taken from the
 * URL the server saw as text: it is absolute, and parsing it only to rebuild it cost a parse.
 */
export function incomingRequest(call: SignedCall): { method: string; url: URL; headers: Headers; body: SignedCall["body"] } {
  const afterScheme = call.url.indexOf("//");
  const pathStart = afterScheme === -1 ? -1 : call.url.indexOf("/", afterScheme + 2);
  const url =
    call.headers.get("host") && pathStart !== -1
      ? requestUrl(call.url.slice(pathStart), call.headers, { trustProxy: trustProxy(), defaultProtocol: call.url.startsWith("https:") ? "https" : "http" })
      : new URL(call.url);
  return { method: call.method, url, headers: call.headers, body: call.body };
}

/**
 * Authenticates an OAuth 1.0a-signed request to this app. The consumer key names the link, the
 * signature is checked against the consumer's public key, and the link's incoming settings decide
 * who the request runs as: an access token as the person who granted it (3LO), plain 2LO as the
 * execute-as user, 2LO with impersonation as the user `xoauth_requestor_id` names. Every refusal is an OAuthProblemError (reported as OAuth reports
 * problems); the settings are checked only after the signature, so they cannot be probed.
 */
export async function authenticateOAuth(db: Db, call: SignedCall): Promise<OAuthIdentity>;
/**
 * With `{ application: true }`, a request signed 2-legged with no user (no token, no
 * `xoauth_requestor_id`) is the linked application itself, whatever its link's levels: the
 * answer names its link and no user, so it reaches only what a route opens to an application
 * (its own link's status). Any other signed request runs as a user, as above.
 */
export async function authenticateOAuth(db: Db, call: SignedCall, options: { application: true }): Promise<OAuthIdentity | ApplicationIdentity>;
export async function authenticateOAuth(db: Db, call: SignedCall, options: { application?: boolean } = {}): Promise<OAuthIdentity | ApplicationIdentity> {
  // The link the consumer key named, once known: its diagnostics record this call's outcome.
  const consumers = linkedConsumers(db);
  try {
    const identity = await identify(db, call, consumers, options.application ?? false);
    incomingVerifications.inc({ result: "ok" });
    await recordIncomingSuccess(db, identity.linkId);
    return identity;
  } catch (error) {
    if (error instanceof OAuthProblemError) incomingVerifications.inc({ result: error.problem });
    const link = consumers.found();
    if (link && error instanceof OAuthProblemError) await recordIncomingRefusal(db, link.id, error.problem);
    throw error;
  }
}

/** A disabled link's incoming calls are refused after their signature, as every setting is. */
export function refuseDisabled(link: Link): void {
  if (link.disabled) throw new OAuthProblemError("permission_denied", { advice: `The link to "${link.name}" is disabled here.` });
}

async function identify(db: Db, call: SignedCall, consumers: ReturnType<typeof linkedConsumers>, application: boolean): Promise<OAuthIdentity | ApplicationIdentity> {
  const verified = await verifyIncoming(incomingRequest(call), { consumers, tokens: issuedTokenStore(db, "access", consumers), nonces: incomingNonces(db) });
  const link = verified.consumer.link;
  refuseDisabled(link);
  const base = { consumerKey: verified.consumer.key, linkId: link.id };
  if (application && !verified.token && verified.requestorId === null) return { ...base, via: "application", link };
  if (verified.token) {
    if (!link.in3lo) throw new OAuthProblemError("permission_denied", { advice: `3-legged requests from "${link.name}" are not allowed here.` });
    const user = await activeUser(db, { id: verified.token.userId! }, () => new OAuthProblemError("user_refused", { advice: "The person who authorized this token is not active here." }));
    await touchAccessToken(db, verified.token);
    return { ...base, user, via: "oauth-3lo" };
  }
  if (verified.requestorId !== null) {
    if (!link.inImpersonation) throw new OAuthProblemError("permission_denied", { advice: `"${link.name}" may not act as other users here (impersonation is off).` });
    const user = await activeUser(db, { username: verified.requestorId }, () => new OAuthProblemError("user_refused", { advice: `No active user "${verified.requestorId}" here.` }));
    return { ...base, user, via: "oauth-2loi" };
  }
  if (!link.in2lo) throw new OAuthProblemError("permission_denied", { advice: `2-legged requests from "${link.name}" are not allowed here.` });
  if (!link.inExecuteAs) throw new OAuthProblemError("permission_denied", { advice: `No user is set for 2-legged requests from "${link.name}".` });
  const user = await activeUser(db, { username: link.inExecuteAs }, () => new OAuthProblemError("user_refused", { advice: `The user 2-legged requests from "${link.name}" run as is not active.` }));
  return { ...base, user, via: "oauth-2lo" };
}
