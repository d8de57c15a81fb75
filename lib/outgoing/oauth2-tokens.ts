import * as oauth from "oauth4webapi";
import type { Db, Tx } from "@/lib/db";
import type { Link, OAuth2RemoteToken } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { lastUsedIsDue } from "@/lib/db/last-used";
import { log } from "@/lib/log";
import { deleteSecret, putSecret, readSecret, readyToSeal, sealSecretNow } from "@/lib/vault/vault";
import { authorizationRequired } from "@/lib/outgoing/auth-level";
import { authorizationServer, clientAuthentication, oauth2Endpoints, requestOptions, type OAuth2Endpoints } from "@/lib/outgoing/oauth2-settings";
import { schemeInfoOf } from "@/lib/outgoing/schemes";
import { ENDS_THE_GRANT, tokenEndpointError, tokenRefusal } from "@/lib/outgoing/oauth2-refusals";

/** A person's tokens for a link, opened from the vault. */
export interface HeldTokens {
  rowId: string;
  /** The vault secret they were read from: which tokens these are (a refresh replaces it). */
  secretId: string;
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  cloudId: string | null;
  scopes: string;
}

/** What the person is told when their authorization is gone (revoked, refused, or never given). */
export const AUTHORIZE_WITH_OAUTH2 = "needs you to authorize this app first (OAuth 2.0)";

/** How long before an access token ends it is refreshed: a tenth of its life, at most 30 s. */
export function refreshIsDue(row: Pick<OAuth2RemoteToken, "expiresAt" | "refreshedAt">, now = Date.now()): boolean {
  if (!row.expiresAt) return false;
  const life = row.expiresAt.getTime() - row.refreshedAt.getTime();
  return row.expiresAt.getTime() - now <= Math.min(30_000, Math.max(0, life / 10));
}

async function open(client: Db | Tx, row: OAuth2RemoteToken): Promise<HeldTokens> {
  const sealed = JSON.parse((await readSecret(client, row.secretId)).toString("utf8")) as { accessToken: string; refreshToken: string | null };
  return { rowId: row.id, secretId: row.secretId, accessToken: sealed.accessToken, refreshToken: sealed.refreshToken, expiresAt: row.expiresAt, cloudId: row.cloudId, scopes: row.scopes };
}

/** Refreshes this process is making, by (person, link): callers arriving meanwhile wait for the same one. */
const inFlight = new Map<string, Promise<HeldTokens>>();

/**
 * The person's tokens for a link, refreshed first when the access token is about to end, or when
 * `refused` names the tokens the remote just answered 401 to. No tokens: 401 authorization_required
 * with the URL that starts the authorization.
 */
export async function personTokens(db: Db, link: Link, endpoints: OAuth2Endpoints, clientSecret: string, userId: string, options: { refused?: string; dispatcher?: unknown } = {}): Promise<HeldTokens> {
  const row = await db.oAuth2RemoteToken.findUnique({ where: { userId_linkId: { userId, linkId: link.id } } });
  if (!row) throw authorizationRequired(link, AUTHORIZE_WITH_OAUTH2);
  if (row.secretId !== options.refused && !refreshIsDue(row)) {
    if (lastUsedIsDue(row.lastUsedAt)) await db.oAuth2RemoteToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
    return open(db, row);
  }
  const key = `${userId}:${link.id}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = refreshUnderLock(db, link, endpoints, clientSecret, row, options.refused ?? null, options.dispatcher).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

type Outcome = { held: HeldTokens } | { stored: OAuth2RemoteToken } | { ended: string };

/**
 * One refresh, single-flight across every instance sharing the database: the row is locked first
 * (an UPDATE: PostgreSQL's row lock, SQLite's write lock) and held until the new tokens are stored,
 * and the tokens are read again once locked, so an instance that waited finds the ones another just
 * stored and never presents a refresh token twice (with rotating refresh tokens, Atlassian Cloud
 * ends the grant when one is reused). A refusal that ends the grant (`invalid_grant`,
 * `invalid_client`, `unauthorized_client`, by the `error` field, never the HTTP status) forgets the
 * tokens: the person must authorize again. Anything else (unreachable, 5xx) keeps them.
 *
 * The key provider is not asked under the lock: the tokens held are opened first (their data key
 * is then in memory), a data key to seal the new ones is made ready first, and they are sealed
 * with it at once (`sealSecretNow`); tokens another instance stored meanwhile are used as they are,
 * opened after the transaction (a data key this instance has not seen is the HSM's to unwrap).
 */
async function refreshUnderLock(db: Db, link: Link, endpoints: OAuth2Endpoints, clientSecret: string, seen: OAuth2RemoteToken, refused: string | null, dispatcher: unknown): Promise<HeldTokens> {
  await open(db, seen).catch(() => undefined);
  await readyToSeal();
  const outcome = await db.$transaction(
    async (tx): Promise<Outcome> => {
      const locked = await tx.oAuth2RemoteToken.updateMany({ where: { id: seen.id }, data: { lockedAt: new Date() } });
      if (locked.count === 0) return { ended: "your authorization was revoked" };
      const row = await tx.oAuth2RemoteToken.findUniqueOrThrow({ where: { id: seen.id } });
      // Another instance refreshed while this one waited for the lock (or the tokens were not due after all): use them.
      if (row.secretId !== seen.secretId || (row.secretId !== refused && !refreshIsDue(row))) return { stored: row };
      const held = await open(tx, row);
      const forget = async (why: string): Promise<Outcome> => {
        await tx.oAuth2RemoteToken.delete({ where: { id: row.id } });
        await deleteSecret(tx, row.secretId);
        return { ended: why };
      };
      if (!held.refreshToken) return forget(`${link.name} gave no refresh token${endpoints.preset === "atlassian-cloud" ? " (the offline_access scope was not asked)" : ""} and the access token ${refused === row.secretId ? "was refused" : "has expired"}`);
      const as = authorizationServer(endpoints);
      const client: oauth.Client = { client_id: endpoints.clientId };
      let response: Response;
      try {
        response = await oauth.refreshTokenGrantRequest(as, client, clientAuthentication(endpoints, clientSecret), held.refreshToken, {
          ...requestOptions(endpoints.tokenUrl, dispatcher),
          ...(endpoints.redirectOnRefresh ? { additionalParameters: { redirect_uri: row.redirectUrl } } : {}),
        });
      } catch (error) {
        throw new AppError("network_error", `NETWORK_ERROR: the token endpoint ${new URL(endpoints.tokenUrl).host} could not be reached to refresh your token (${(error as Error).message}).`);
      }
      let tokens: oauth.TokenEndpointResponse;
      try {
        tokens = await oauth.processRefreshTokenResponse(as, client, response);
      } catch (error) {
        const refusal = tokenEndpointError(error);
        if (refusal && ENDS_THE_GRANT.has(refusal.error)) return forget(`${link.name} refused to refresh your token (${refusal.error})`);
        throw tokenRefusal(link, endpoints, error, "a token refresh");
      }
      // A server that does not rotate refresh tokens answers none: the one held stays good.
      const fresh = { accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? held.refreshToken };
      const secretId = await putSecret(tx, sealSecretNow("oauth2.remote-tokens", JSON.stringify(fresh)));
      const updated = await tx.oAuth2RemoteToken.update({
        where: { id: row.id },
        data: { secretId, refreshedAt: new Date(), expiresAt: tokens.expires_in !== undefined ? new Date(Date.now() + tokens.expires_in * 1000) : null, ...(tokens.scope ? { scopes: tokens.scope } : {}) },
      });
      await deleteSecret(tx, row.secretId);
      return { held: { rowId: updated.id, secretId, ...fresh, expiresAt: updated.expiresAt, cloudId: updated.cloudId, scopes: updated.scopes } };
    },
    // The lock is held across one call to the token endpoint (10 s at most); a waiter waits for it.
    { maxWait: 15_000, timeout: 25_000 },
  );
  if ("ended" in outcome) {
    log.info({ linkId: link.id, why: outcome.ended }, "outgoing OAuth 2.0 authorization ended");
    throw authorizationRequired(link, `no longer accepts your authorization (${outcome.ended}): authorize again`);
  }
  return "stored" in outcome ? open(db, outcome.stored) : outcome.held;
}

/** Whether this person holds OAuth 2.0 tokens for this link (has authorized it). */
export async function hasOAuth2Authorization(db: Db, userId: string, linkId: string): Promise<boolean> {
  return (await db.oAuth2RemoteToken.count({ where: { userId, linkId } })) > 0;
}

/** Forgets a person's tokens for a link (refused by the remote with a fresh token, or revoked). */
export async function dropPersonTokens(db: Db, userId: string, linkId: string): Promise<HeldTokens | null> {
  const row = await db.oAuth2RemoteToken.findUnique({ where: { userId_linkId: { userId, linkId } } });
  if (!row) return null;
  const held = await open(db, row).catch(() => null);
  await db.$transaction([db.oAuth2RemoteToken.deleteMany({ where: { id: row.id } }), db.vaultSecret.deleteMany({ where: { id: row.secretId } })]);
  return held;
}

/**
 * Revokes a person's authorization: at the remote's revocation endpoint when it has one (the
 * refresh token, which ends the grant, else the access token), then forgets the tokens here either
 * way. Answers whether the remote was told, and why not.
 */
export async function revokePersonTokens(db: Db, link: Link, endpoints: OAuth2Endpoints | null, clientSecret: string | null, userId: string): Promise<{ removed: boolean; remote: "revoked" | "no-endpoint" | string }> {
  const held = await dropPersonTokens(db, userId, link.id);
  if (!held) return { removed: false, remote: "no-endpoint" };
  if (!endpoints?.revocationUrl || clientSecret === null) return { removed: true, remote: "no-endpoint" };
  const as = authorizationServer(endpoints);
  try {
    const response = await oauth.revocationRequest(as, { client_id: endpoints.clientId }, clientAuthentication(endpoints, clientSecret), held.refreshToken ?? held.accessToken, requestOptions(endpoints.revocationUrl));
    await oauth.processRevocationResponse(response);
    return { removed: true, remote: "revoked" };
  } catch (error) {
    const refusal = tokenEndpointError(error);
    return { removed: true, remote: refusal ? `${refusal.error}${refusal.description ? ` (${refusal.description})` : ""}` : (error as Error).message };
  }
}

/**
 * A person revokes their own OAuth 2.0 authorization of a link (Authorizations page): the remote is
 * told when it has a revocation endpoint and the link still holds its client; the tokens go either way.
 * Null when they had none.
 */
export async function revokeOwnOAuth2Authorization(db: Db, linkId: string, userId: string): Promise<{ linkName: string; remote: string } | null> {
  const link = await db.link.findUnique({ where: { id: linkId } });
  if (!link) return null;
  const info = link.outScheme === "oauth2" ? schemeInfoOf(link) : null;
  const endpoints = info ? oauth2Endpoints(link, info) : null;
  const clientSecret = endpoints && link.outSchemeSecretId ? (await readSecret(db, link.outSchemeSecretId)).toString("utf8") : null;
  const result = await revokePersonTokens(db, link, endpoints, clientSecret, userId);
  return result.removed ? { linkName: link.name, remote: result.remote } : null;
}

/** Forgets every OAuth 2.0 token and pending authorization this app holds for a link, in the caller's transaction (reset, delete, a scheme change). */
export async function discardOAuth2Tokens(tx: Tx, linkId: string): Promise<number> {
  const tokens = await tx.oAuth2RemoteToken.findMany({ where: { linkId }, select: { secretId: true } });
  const pending = await tx.oAuth2Authorization.findMany({ where: { linkId }, select: { verifierSecretId: true } });
  await tx.oAuth2RemoteToken.deleteMany({ where: { linkId } });
  await tx.oAuth2Authorization.deleteMany({ where: { linkId } });
  await tx.vaultSecret.deleteMany({ where: { id: { in: [...tokens.map((t) => t.secretId), ...pending.map((p) => p.verifierSecretId)] } } });
  return tokens.length;
}
