import type { Db, Tx } from "@/lib/db";
import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { generateNonce, OAuthProblemError, type StoredToken, type TokenStore } from "@/lib/oauth1";
import { putSecret, readSecret, sealSecret } from "@/lib/vault/vault";
import { LAST_USED_RESOLUTION_MS, lastUsedIsDue } from "@/lib/db/last-used";
import { cachedReads } from "@/lib/db/cached-reads";
import { hashToken, sameHash } from "@/lib/crypto/token-hash";
import { integerSetting } from "@/lib/env/integer-setting";

/** Request tokens live 10 minutes, and are used once. */
export const REQUEST_TOKEN_TTL_MS = 10 * 60 * 1000;

/** How long an access token this app issues is valid (OAUTH_ACCESS_TOKEN_DAYS, default 5 years, as Jira). */
export function accessTokenDays(env: Record<string, string | undefined> = process.env): number {
  return integerSetting(env.OAUTH_ACCESS_TOKEN_DAYS, 5 * 365, { min: 1, max: 36500 });
}


/** An issued token, as the verifier and the endpoints use it. */
export interface IssuedToken extends StoredToken {
  id: string;
  linkId: string;
  userId: string | null;
  callback: string | null;
  verifierHash: string | null;
  lastUsedAt: Date | null;
}

/** A new token and its secret, sealed: made before the transaction that issues it (the key provider is never asked in one). */
async function newToken(kind: "request" | "access") {
  const secret = generateNonce(32);
  return { token: generateNonce(32), secret, sealed: await sealSecret(`oauth-issued-${kind}-token`, secret) };
}

async function issue(tx: Db | Tx, { token, secret, sealed }: Awaited<ReturnType<typeof newToken>>, data: { linkId: string; kind: "request" | "access"; userId?: string; callback?: string; ttlMs: number }) {
  const secretId = await putSecret(tx, sealed);
  await tx.oAuthIssuedToken.create({
    data: { linkId: data.linkId, kind: data.kind, tokenHash: hashToken(token), secretId, userId: data.userId ?? null, callback: data.callback ?? null, expiresAt: new Date(Date.now() + data.ttlMs) },
  });
  return { token, secret };
}

/** `oob`, or an http(s) URL without credentials. */
export function validCallback(callback: string | undefined): callback is string {
  if (callback === "oob") return true;
  try {
    const url = new URL(callback ?? "");
    return (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** A request token for a linked consumer whose incoming 3LO is on. */
export async function issueRequestToken(db: Db, link: Link, callback: string) {
  const made = await newToken("request");
  return db.$transaction((tx) => issue(tx, made, { linkId: link.id, kind: "request", callback, ttlMs: REQUEST_TOKEN_TTL_MS }));
}

/**
 * The verifier's view of the tokens of one kind, for the link the consumer key names. `consumers`:
 * the consumer lookup of the same request, whose link is then not read again.
 */
export function issuedTokenStore(db: Db, kind: "request" | "access", consumers?: { found(): Link | null }): TokenStore<IssuedToken> {
  return {
    async findToken(consumerKey, token) {
      const reads = cachedReads(db);
      const row = await reads.issuedToken(hashToken(token));
      if (!row || row.kind !== kind) return null;
      const known = consumers?.found();
      const link = known?.inConsumerKey === consumerKey ? known : await reads.linkById(row.linkId);
      if (link?.id !== row.linkId || link.inConsumerKey !== consumerKey) return null;
      const { id, linkId, userId, callback, verifierHash, expiresAt, lastUsedAt } = row;
      return { id, linkId, userId, callback, verifierHash, expiresAt, lastUsedAt, secret: (await readSecret(db, row.secretId)).toString("utf8") };
    },
  };
}

/** A pending request token by its value (for the consent page), or null when unknown, used or expired. */
export async function pendingRequestToken(db: Db, token: string) {
  const row = await db.oAuthIssuedToken.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row || row.kind !== "request" || row.userId || row.expiresAt.getTime() <= Date.now()) return null;
  const link = await db.link.findUnique({ where: { id: row.linkId } });
  if (!link || !link.inEnabled || !link.in3lo) return null;
  return { row, link };
}

/**
 * The person's answer on the consent page. Allow binds the request token to them and makes a
 * verifier; deny forgets the token. Returns where to send the browser (or the verifier to show for `oob`).
 */
export async function decideRequestToken(db: Db, userId: string, token: string, allow: boolean): Promise<{ redirect: string | null; verifier: string | null; linkName: string }> {
  const pending = await pendingRequestToken(db, token);
  if (!pending) throw new AppError("not_found", "This authorization request is unknown, already answered or expired (they last 10 minutes): start again from the other application.");
  const { row, link } = pending;
  const callback = row.callback && row.callback !== "oob" ? new URL(row.callback) : null;
  if (!allow) {
    await db.$transaction([db.oAuthIssuedToken.delete({ where: { id: row.id } }), db.vaultSecret.deleteMany({ where: { id: row.secretId } })]);
    callback?.searchParams.set("oauth_token", token);
    callback?.searchParams.set("oauth_problem", "user_refused");
    return { redirect: callback?.href ?? null, verifier: null, linkName: link.name };
  }
  const verifier = generateNonce(24);
  // Bound once: a second answer (another tab, a replay) finds the token taken.
  const bound = await db.oAuthIssuedToken.updateMany({ where: { id: row.id, userId: null }, data: { userId, verifierHash: hashToken(verifier) } });
  if (bound.count !== 1) throw new AppError("conflict", "This authorization request was already answered.");
  callback?.searchParams.set("oauth_token", token);
  callback?.searchParams.set("oauth_verifier", verifier);
  return { redirect: callback?.href ?? null, verifier: callback ? null : verifier, linkName: link.name };
}

/**
 * Exchanges an authorized request token and its verifier for an access token, once: the request
 * token is deleted in the same transaction (a second exchange finds nothing).
 */
export async function exchangeRequestToken(db: Db, request: IssuedToken, verifier: string | undefined) {
  if (!request.userId || !request.verifierHash) throw new OAuthProblemError("permission_denied", { advice: "The person has not allowed this request token (yet)." });
  if (!verifier || !sameHash(hashToken(verifier), request.verifierHash)) throw new OAuthProblemError("token_rejected", { advice: "The verifier does not match this request token." });
  const userId = request.userId;
  const made = await newToken("access");
  return db.$transaction(async (tx) => {
    const used = await tx.oAuthIssuedToken.deleteMany({ where: { id: request.id, kind: "request" } });
    if (used.count !== 1) throw new OAuthProblemError("token_rejected", { advice: "This request token was already exchanged." });
    return issue(tx, made, { linkId: request.linkId, kind: "access", userId, ttlMs: accessTokenDays() * 24 * 3600 * 1000 });
  });
}

/** Marks an access token used, at most once a minute (no write at all while the row says it was, a moment ago). */
export async function touchAccessToken(db: Db, token: { id: string; lastUsedAt: Date | null }, now = Date.now()): Promise<void> {
  if (!lastUsedIsDue(token.lastUsedAt, now)) return;
  await db.oAuthIssuedToken.updateMany({ where: { id: token.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now - LAST_USED_RESOLUTION_MS) } }] }, data: { lastUsedAt: new Date(now) } });
}

/** The applications a person allowed to act as them here (incoming 3LO), newest first. */
export async function listAuthorizedApplications(db: Db, userId: string) {
  const rows = await db.oAuthIssuedToken.findMany({ where: { userId, kind: "access" }, orderBy: { createdAt: "desc" }, select: { id: true, linkId: true, createdAt: true, lastUsedAt: true, expiresAt: true } });
  const links = await db.link.findMany({ where: { id: { in: rows.map((r) => r.linkId) } }, select: { id: true, name: true, displayUrl: true } });
  const byId = new Map(links.map((l) => [l.id, l]));
  return rows.flatMap((r) => {
    const link = byId.get(r.linkId);
    return link ? [{ id: r.id, linkId: link.id, name: link.name, displayUrl: link.displayUrl, authorizedAt: r.createdAt, lastUsedAt: r.lastUsedAt, expiresAt: r.expiresAt }] : [];
  });
}

async function revokeWhere(tx: Db | Tx, where: { id?: string; userId?: string; linkId?: string }): Promise<number> {
  const rows = await tx.oAuthIssuedToken.findMany({ where, select: { id: true, secretId: true, kind: true } });
  await tx.oAuthIssuedToken.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
  await tx.vaultSecret.deleteMany({ where: { id: { in: rows.map((r) => r.secretId) } } });
  return rows.filter((r) => r.kind === "access").length;
}

/** A person revokes one application's access token; false when it was not theirs. */
export async function revokeAuthorizedApplication(db: Db, userId: string, id: string): Promise<boolean> {
  return db.$transaction(async (tx) => (await tx.oAuthIssuedToken.count({ where: { id, userId, kind: "access" } })) === 1 && (await revokeWhere(tx, { id, userId })) === 1);
}

/** Every token issued to a link's consumer (reset, delete, an admin's revoke-all); returns the access tokens revoked. */
export function revokeIssuedTokensOfLink(tx: Db | Tx, linkId: string): Promise<number> {
  return revokeWhere(tx, { linkId });
}

/** An admin revokes every token issued to a link's consumer, audited; returns the access tokens revoked. */
export function revokeAllIssuedTokens(db: Db, actor: Actor, link: { id: string; name: string }): Promise<number> {
  return db.$transaction(async (tx) => {
    const revoked = await revokeIssuedTokensOfLink(tx, link.id);
    await recordAudit(tx, actor, { action: "link.incoming-tokens-revoked", targetType: "link", targetId: link.id, targetLabel: link.name, after: { revoked } });
    return revoked;
  });
}

/** For admins: who has allowed a link's application to act as them, when, and when it last did. */
export async function listIssuedAccessTokens(db: Db, linkId: string) {
  const rows = await db.oAuthIssuedToken.findMany({ where: { linkId, kind: "access" }, orderBy: { createdAt: "desc" }, select: { id: true, userId: true, createdAt: true, lastUsedAt: true, expiresAt: true } });
  const users = await db.user.findMany({ where: { id: { in: rows.flatMap((r) => (r.userId ? [r.userId] : [])) } }, select: { id: true, username: true } });
  const byId = new Map(users.map((u) => [u.id, u.username]));
  return rows.map((r) => ({ id: r.id, username: (r.userId && byId.get(r.userId)) ?? "(deleted user)", authorizedAt: r.createdAt, lastUsedAt: r.lastUsedAt, expiresAt: r.expiresAt }));
}
