import { keptSchemeSecretIds } from "@/lib/outgoing/schemes";
import type { Db } from "@/lib/db";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { linkAuditView } from "@/lib/links/serialize";
import { promoteNextPrimary } from "@/lib/links/versioned-update";
import { revokeIssuedTokensOfLink } from "@/lib/incoming/issued-tokens";
import { discardOutgoingTokens } from "@/lib/outgoing/three-legged";
import { queueNotification } from "@/lib/outbox/outbox";

/**
 * Deletes a link with what belongs to it (its consumer's nonces, the access and request tokens this
 * app holds for it, those it issued to the link's consumer, its outgoing credential and client
 * certificate, and their sealed secrets), in one
 * transaction, audited. A primary link's role passes to the oldest remaining link of its type.
 */
export async function deleteLink(db: Db, actor: Actor, id: string): Promise<{ noncesDeleted: number; accessTokensDiscarded: number; tokensRevoked: number }> {
  return db.$transaction(async (tx) => {
    const link = await findLinkOrThrow(tx, id);
    const noncesDeleted = link.inConsumerKey ? (await tx.oAuthNonce.deleteMany({ where: { consumerKey: link.inConsumerKey } })).count : 0;
    const accessTokensDiscarded = await discardOutgoingTokens(tx, id);
    const tokensRevoked = await revokeIssuedTokensOfLink(tx, id);
    // The fixed credential and the client certificate (lib/outgoing/schemes.ts) go with the link.
    const ownSecrets = [link.outSchemeSecretId, link.outClientCertSecretId, link.outCsrKeySecretId, link.inJwtSecretId, ...keptSchemeSecretIds(link)].filter((s): s is string => !!s);
    if (ownSecrets.length) await tx.vaultSecret.deleteMany({ where: { id: { in: ownSecrets } } });
    await tx.link.delete({ where: { id } });
    if (link.primary) await promoteNextPrimary(tx, link.type);
    await queueNotification(tx, { type: "link-deleted", linkId: id, linkName: link.name, detail: { by: actor.username } });
    await recordAudit(tx, actor, { action: "link.delete", targetType: "link", targetId: id, targetLabel: link.name, before: linkAuditView(link) });
    return { noncesDeleted, accessTokensDiscarded, tokensRevoked };
  });
}
