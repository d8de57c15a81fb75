import type { Db } from "@/lib/db";
import type { Actor } from "@/lib/auth/caller";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { scopeList, type OAuth2Scope } from "@/lib/auth/oauth2-scopes";

/** A person's standing authorization of an external application, as the link page, the person's own page and the API show it. */
export interface OAuth2GrantView {
  id: string;
  linkId: string;
  linkName: string;
  username: string;
  displayName: string;
  scopes: OAuth2Scope[];
  authorizedAt: Date;
  lastUsedAt: Date | null;
}

const GRANT_SELECT = {
  id: true,
  scopes: true,
  createdAt: true,
  lastUsedAt: true,
  user: { select: { username: true, displayName: true } },
  client: { select: { linkId: true, link: { select: { name: true } } } },
} as const;

type GrantRow = { id: string; scopes: string; createdAt: Date; lastUsedAt: Date | null; user: { username: string; displayName: string }; client: { linkId: string; link: { name: string } } };

const view = (row: GrantRow): OAuth2GrantView => ({
  id: row.id,
  linkId: row.client.linkId,
  linkName: row.client.link.name,
  username: row.user.username,
  displayName: row.user.displayName,
  scopes: scopeList(row.scopes),
  authorizedAt: row.createdAt,
  lastUsedAt: row.lastUsedAt,
});

/** Grants not revoked that still hold a token that has not expired: who may call through this link's client now. */
const live = (now: Date) => ({ revokedAt: null, tokens: { some: { expiresAt: { gt: now }, spentAt: null } } });

export async function listLinkGrants(db: Db, linkId: string, now = new Date()): Promise<OAuth2GrantView[]> {
  const rows = await db.oAuth2Grant.findMany({ where: { client: { linkId }, ...live(now) }, select: GRANT_SELECT, orderBy: { createdAt: "desc" } });
  return rows.map(view);
}

export async function listUserGrants(db: Db, userId: string, now = new Date()): Promise<OAuth2GrantView[]> {
  const rows = await db.oAuth2Grant.findMany({ where: { userId, ...live(now) }, select: GRANT_SELECT, orderBy: { createdAt: "desc" } });
  return rows.map(view);
}

/**
 * Revokes one grant: every token it issued stops at once, on every instance (the access-token check
 * reads the grant through the cached reads, which a change to a grant empties). `owner`: only that
 * person's grant (their own page); `linkId`: only that link's (an administrator on the link page).
 */
export async function revokeGrant(db: Db, actor: Actor, grantId: string, scope: { owner: string } | { linkId: string }): Promise<OAuth2GrantView> {
  const row = await db.oAuth2Grant.findUnique({ where: { id: grantId }, select: { ...GRANT_SELECT, userId: true, revokedAt: true } });
  const mine = row && ("owner" in scope ? row.userId === scope.owner : row.client.linkId === scope.linkId);
  if (!row || !mine || row.revokedAt) throw new AppError("not_found", "No such authorization (it may have been revoked already).");
  await db.$transaction(async (tx) => {
    await tx.oAuth2Grant.update({ where: { id: grantId }, data: { revokedAt: new Date() } });
    await recordAudit(tx, actor, { action: "link.incoming.oauth2-grants-revoked", targetType: "link", targetId: row.client.linkId, targetLabel: row.client.link.name, after: { revoked: 1, username: row.user.username } });
  });
  return view(row);
}

/** Revokes every grant of a link's client: all its tokens stop at once. */
export async function revokeLinkGrants(db: Db, actor: Actor, linkId: string): Promise<{ revoked: number }> {
  const link = await findLinkOrThrow(db, linkId);
  return db.$transaction(async (tx) => {
    const { count } = await tx.oAuth2Grant.updateMany({ where: { client: { linkId }, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count) await recordAudit(tx, actor, { action: "link.incoming.oauth2-grants-revoked", targetType: "link", targetId: linkId, targetLabel: link.name, after: { revoked: count } });
    return { revoked: count };
  });
}
