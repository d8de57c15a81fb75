import crypto from "node:crypto";
import { z } from "zod";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { isDelegatedVia } from "@/lib/auth/caller";
import { tokenNameSchema } from "@/lib/validation/fields";
import { cachedReads } from "@/lib/db/cached-reads";
import { lastUsedIsDue } from "@/lib/db/last-used";
import { hashToken } from "@/lib/crypto/token-hash";

/** Tokens look like `ala_<43 base64url characters>` (256 random bits): recognisable in a leak scan. */
export const TOKEN_PREFIX = "ala_";

export { hashToken };

/** POST /api/v1/tokens. */
export const createTokenSchema = z.object({ name: tokenNameSchema });

export interface ApiTokenView {
  id: string;
  name: string;
  preview: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const VIEW_SELECT = { id: true, name: true, preview: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

/**
 * Creates a personal token for `userId`. The token is returned once; only its SHA-256 is kept.
 * A linked application acting for a person (OAuth) never gets one: revocable, delegated access
 * would become a credential that outlives its link (the routes refuse first; this holds anyway).
 */
export async function createApiToken(
  db: Db,
  actor: Actor,
  owner: { id: string; username: string },
  name: string,
): Promise<{ token: string; view: ApiTokenView }> {
  if (isDelegatedVia(actor.via)) throw new AppError("forbidden", "A linked application cannot create API tokens.");
  const parsedName = tokenNameSchema.parse(name);
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString("base64url");
  const view = await db.$transaction(async (tx) => {
    const clash = await tx.apiToken.findFirst({ where: { userId: owner.id, name: parsedName, revokedAt: null }, select: { id: true } });
    if (clash) {
      throw new AppError("conflict", "You already have a token with this name.", { fields: { name: "You already have a token with this name." } });
    }
    // A revoked token's name may be reused: free the unique (userId, name) slot.
    await tx.apiToken.updateMany({
      where: { userId: owner.id, name: parsedName, revokedAt: { not: null } },
      data: { name: `${parsedName} (revoked ${Date.now()})` },
    });
    const created = await tx.apiToken.create({
      data: { userId: owner.id, name: parsedName, tokenHash: hashToken(token), preview: token.slice(-4) },
      select: VIEW_SELECT,
    });
    await recordAudit(tx, actor, {
      action: "token.create",
      targetType: "api-token",
      targetId: created.id,
      targetLabel: `${owner.username}/${parsedName}`,
      after: { name: parsedName, owner: owner.username, preview: created.preview },
    });
    return created;
  });
  return { token, view };
}

export async function listApiTokens(db: Db, userId: string): Promise<ApiTokenView[]> {
  return db.apiToken.findMany({ where: { userId }, select: VIEW_SELECT, orderBy: [{ revokedAt: "asc" }, { createdAt: "desc" }] });
}

/** Revokes one of the owner's tokens; a token that is not theirs is "not found", never revealed. */
export async function revokeApiToken(db: Db, actor: Actor, ownerId: string, tokenId: string): Promise<ApiTokenView> {
  return db.$transaction(async (tx) => {
    const token = await tx.apiToken.findFirst({ where: { id: tokenId, userId: ownerId }, select: { ...VIEW_SELECT, user: { select: { username: true } } } });
    if (!token) throw new AppError("not_found", "No such token.");
    if (token.revokedAt) return token;
    const revoked = await tx.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() }, select: VIEW_SELECT });
    await recordAudit(tx, actor, {
      action: "token.revoke",
      targetType: "api-token",
      targetId: token.id,
      targetLabel: `${token.user.username}/${token.name}`,
      before: { revoked: false },
      after: { revoked: true },
    });
    return revoked;
  });
}

/** The active user a bearer token belongs to, or null for an unknown, revoked or disabled one. */
export async function authenticateApiToken(db: Db, token: string, now = new Date()) {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = await cachedReads(db).apiTokenByHash(hashToken(token));
  if (!row || row.revokedAt || row.user.disabled) return null;
  if (lastUsedIsDue(row.lastUsedAt, now.getTime())) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return row.user;
}
