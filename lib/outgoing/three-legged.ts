import { outgoingOAuthInUse } from "@/lib/outgoing/schemes";
import crypto from "node:crypto";
import { request } from "undici";
import type { Db, Tx } from "@/lib/db";
import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import type { Caller } from "@/lib/auth/caller";
import { appSigner } from "@/lib/identity/app-identity";
import { safeReturnPath } from "@/lib/http/page-path";
import { lastUsedIsDue } from "@/lib/db/last-used";
import { cachedReads } from "@/lib/db/cached-reads";
import { classifyNetworkError } from "@/lib/outgoing/remote-fetch";
import { parseFormEncoded, parseProblemReport, signRequest, type SignOptions } from "@/lib/oauth1";
import { deleteSecret, putSecret, readSecret, sealSecret } from "@/lib/vault/vault";
import { rpcUrlOf } from "@/lib/outgoing/rpc-url";
import { discardOAuth2Tokens } from "@/lib/outgoing/oauth2-tokens";

/**
 * Where the remote's OAuth 1.0a endpoints are: the link's own, else Atlassian's paths under its RPC
 * URL (none, for an incoming-only link: null, and the dance refuses to start, see tokenRequest).
 */
export function outgoingOAuthUrls(link: Pick<Link, "rpcUrl" | "outRequestTokenUrl" | "outAuthorizeUrl" | "outAccessTokenUrl">) {
  const under = (path: string) => (link.rpcUrl === null ? null : `${link.rpcUrl}${path}`);
  return {
    requestTokenUrl: link.outRequestTokenUrl ?? under("/plugins/servlet/oauth/request-token"),
    authorizeUrl: link.outAuthorizeUrl ?? under("/plugins/servlet/oauth/authorize"),
    accessTokenUrl: link.outAccessTokenUrl ?? under("/plugins/servlet/oauth/access-token"),
  };
}

/** A request token is good for 10 minutes, and only in the session that asked for it. */
export const REQUEST_TOKEN_TTL_MS = 10 * 60_000;

const sha256 = (value: string) => crypto.createHash("sha256").update(value).digest();

/** Where the browser authorizes: the configured URL, else the display URL's /plugins/servlet/oauth/authorize. */
function browserAuthorizeUrl(link: Link): string {
  return link.outAuthorizeUrl ?? `${link.displayUrl}/plugins/servlet/oauth/authorize`;
}

/** POSTs a signed token request and reads the form-encoded answer, explaining any refusal. */
async function tokenRequest(db: Db, link: Link, endpoint: string | null, options: SignOptions, step: string): Promise<Record<string, string>> {
  // Null only for an incoming-only link, which has no remote to ask: rpcUrlOf refuses it (409).
  const url = endpoint ?? rpcUrlOf(link);
  const signer = await appSigner(db);
  const signed = await signRequest({ method: "POST", url }, { key: signer.consumerKey, privateKey: signer.privateKey }, options);
  let response;
  try {
    response = await request(signed.url, { method: "POST", headers: { authorization: signed.authorization }, headersTimeout: 10_000, bodyTimeout: 10_000 });
  } catch (error) {
    throw new AppError("network_error", `NETWORK_ERROR: ${classifyNetworkError(error, url, 10_000).message}`);
  }
  const text = await response.body.text();
  if (response.statusCode !== 200) {
    const challenge = response.headers["www-authenticate"];
    const problem = parseProblemReport(Array.isArray(challenge) ? challenge[0]! : (challenge ?? null), text);
    const why = problem ? problem.problem : `HTTP ${response.statusCode}`;
    if (problem) await db.link.update({ where: { id: link.id }, data: { lastProblem: problem.problem, lastProblemAt: new Date() } });
    throw new AppError("network_error", `${link.name} refused the ${step}: ${why}.${why === "consumer_key_unknown" ? " Its admin must set up incoming OAuth for this app (or reset it)." : ""}`);
  }
  return Object.fromEntries(parseFormEncoded(text));
}

/**
 * Starts the 3-legged dance for the caller: fetches a request token (signed, with our callback),
 * keeps it sealed and bound to the browser by a random value whose hash only we keep, and answers
 * the remote's authorize URL to send the browser to, and the binding for an httpOnly cookie.
 */
export async function startAuthorization(db: Db, link: Link, caller: Caller, { callbackUrl, returnTo = "/links" }: { callbackUrl: string; returnTo?: string }) {
  if (link.disabled) throw new AppError("link_disabled", `"${link.name}" is disabled: an administrator can enable it on the link's page.`);
  if (!outgoingOAuthInUse(link) || !link.out3lo) throw new AppError("forbidden", `3-legged OAuth is off for "${link.name}".`);
  const answer = await tokenRequest(db, link, outgoingOAuthUrls(link).requestTokenUrl, { callback: callbackUrl }, "request token");
  if (!answer.oauth_token || answer.oauth_token_secret === undefined) throw new AppError("network_error", `${link.name} answered the request-token call without a token.`);
  const binding = crypto.randomBytes(32).toString("base64url");
  const sealed = await sealSecret("oauth.request-token-secret", answer.oauth_token_secret);
  await db.$transaction(async (tx) => {
    await tx.oAuthRequestToken.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    const secretId = await putSecret(tx, sealed);
    await tx.oAuthRequestToken.create({
      data: {
        userId: caller.id,
        linkId: link.id,
        token: answer.oauth_token!,
        secretId,
        bindingHash: sha256(binding).toString("hex"),
        returnTo: safeReturnPath(returnTo),
        expiresAt: new Date(Date.now() + REQUEST_TOKEN_TTL_MS),
      },
    });
  });
  const authorizeUrl = new URL(browserAuthorizeUrl(link));
  authorizeUrl.searchParams.set("oauth_token", answer.oauth_token);
  return { authorizeUrl: authorizeUrl.href, binding };
}

/**
 * Finishes the dance at the callback: the request token must be this caller's, for this link, from
 * this browser (binding) and fresh; the verifier is exchanged for an access token, kept sealed per
 * (person, link). The request token is single-use either way.
 */
export async function completeAuthorization(db: Db, link: Link, caller: Caller, { oauthToken, verifier, binding }: { oauthToken: string; verifier: string; binding: string | undefined }) {
  const pending = await db.oAuthRequestToken.findUnique({ where: { token: oauthToken }, omit: { bindingHash: false } });
  const bindingOk = !!pending && !!binding && crypto.timingSafeEqual(sha256(binding), Buffer.from(pending.bindingHash, "hex"));
  if (!pending || pending.userId !== caller.id || pending.linkId !== link.id || !bindingOk) {
    throw new AppError("forbidden", "This authorization was not started by you in this browser. Start it again from the link.");
  }
  const consume = async () => {
    await db.oAuthRequestToken.delete({ where: { id: pending.id } }).catch(() => undefined);
    await deleteSecret(db, pending.secretId);
  };
  if (pending.expiresAt.getTime() <= Date.now()) {
    await consume();
    throw new AppError("bad_request", "This authorization took longer than 10 minutes and expired. Start it again.");
  }
  const requestSecret = (await readSecret(db, pending.secretId)).toString("utf8");
  await consume();
  const answer = await tokenRequest(db, link, outgoingOAuthUrls(link).accessTokenUrl, { token: { key: oauthToken, secret: requestSecret }, verifier }, "access token");
  if (!answer.oauth_token || answer.oauth_token_secret === undefined) throw new AppError("network_error", `${link.name} answered the access-token call without a token.`);
  const sealed = await sealSecret("oauth.access-token-secret", answer.oauth_token_secret);
  await db.$transaction(async (tx) => {
    const previous = await tx.oAuthAccessToken.findUnique({ where: { userId_linkId: { userId: caller.id, linkId: link.id } } });
    if (previous) {
      await tx.oAuthAccessToken.delete({ where: { id: previous.id } });
      await deleteSecret(tx, previous.secretId);
    }
    const secretId = await putSecret(tx, sealed);
    await tx.oAuthAccessToken.create({ data: { userId: caller.id, linkId: link.id, token: answer.oauth_token!, secretId } });
    await recordAudit(tx, caller, { action: "link.authorize", targetType: "link", targetId: link.id, targetLabel: link.name, after: { user: caller.username } });
  });
  return { returnTo: pending.returnTo };
}

/** The caller's access token for a link, opened from the vault, or null. */
export async function accessTokenFor(db: Db, userId: string, linkId: string): Promise<{ key: string; secret: string } | null> {
  const row = await cachedReads(db).accessToken(userId, linkId);
  if (!row) return null;
  if (lastUsedIsDue(row.lastUsedAt)) {
    await db.oAuthAccessToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { key: row.token, secret: (await readSecret(db, row.secretId)).toString("utf8") };
}

/** Whether this person holds an access token for this link (has authorized it, 3LO). */
export async function hasAuthorized(db: Db, userId: string, linkId: string): Promise<boolean> {
  return (await cachedReads(db).accessToken(userId, linkId)) !== null;
}

/** Forgets a person's access token for a link (revoked by them, or refused by the remote). */
export async function dropAccessToken(db: Db, userId: string, linkId: string): Promise<boolean> {
  const row = await db.oAuthAccessToken.findUnique({ where: { userId_linkId: { userId, linkId } } });
  if (!row) return false;
  await db.$transaction([db.oAuthAccessToken.delete({ where: { id: row.id } }), db.vaultSecret.deleteMany({ where: { id: row.secretId } })]);
  return true;
}

/** The links a person has authorized (OAuth 1.0a 3LO, and OAuth 2.0 with the scopes granted), newest first: never the tokens themselves. */
export async function listAuthorizations(db: Db, userId: string) {
  const select = { linkId: true, createdAt: true, lastUsedAt: true } as const;
  const [oauth1, oauth2] = await Promise.all([db.oAuthAccessToken.findMany({ where: { userId }, select }), db.oAuth2RemoteToken.findMany({ where: { userId }, select: { ...select, scopes: true } })]);
  const rows = [...oauth1.map((r) => ({ ...r, scheme: "oauth1" as const, scopes: null })), ...oauth2.map((r) => ({ ...r, scheme: "oauth2" as const }))].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const links = await db.link.findMany({ where: { id: { in: rows.map((r) => r.linkId) } }, select: { id: true, name: true, displayUrl: true } });
  const byId = new Map(links.map((l) => [l.id, l]));
  return rows.flatMap((r) => {
    const link = byId.get(r.linkId);
    return link ? [{ linkId: link.id, name: link.name, displayUrl: link.displayUrl, scheme: r.scheme, scopes: r.scopes, authorizedAt: r.createdAt, lastUsedAt: r.lastUsedAt }] : [];
  });
}

/**
 * Forgets every per-person outgoing credential this app holds for a link (OAuth 1.0a access tokens
 * and pending request tokens, OAuth 2.0 tokens and pending authorizations) with their sealed
 * secrets, inside the caller's transaction (reset, delete). Returns how many people's tokens were discarded.
 */
export async function discardOutgoingTokens(tx: Tx, linkId: string): Promise<number> {
  return (await discardOAuth1Tokens(tx, linkId)) + (await discardOAuth2Tokens(tx, linkId));
}

async function discardOAuth1Tokens(tx: Tx, linkId: string): Promise<number> {
  const tokens = await tx.oAuthAccessToken.findMany({ where: { linkId }, select: { secretId: true } });
  const pending = await tx.oAuthRequestToken.findMany({ where: { linkId }, select: { secretId: true } });
  await tx.oAuthAccessToken.deleteMany({ where: { linkId } });
  await tx.oAuthRequestToken.deleteMany({ where: { linkId } });
  await tx.vaultSecret.deleteMany({ where: { id: { in: [...tokens, ...pending].map((t) => t.secretId) } } });
  return tokens.length;
}
