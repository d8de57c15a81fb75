import type { Db } from "@/lib/db";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { generateRsaKeyPair, privateKeyPem, publicKeyFingerprint, publicKeyPem, type RsaKeySize } from "@/lib/crypto/rsa-keys";
import { deleteSecret, putSecret, sealSecret } from "@/lib/vault/vault";
import { ensureAppIdentity } from "@/lib/identity/app-identity";

/** A link whose remote stores our public key: its admin must paste the new one. */
export interface AffectedLink {
  id: string;
  name: string;
  displayUrl: string;
}

/** The links that sign with this app's key (outgoing OAuth on): what a rotation breaks until updated. */
export async function linksUsingOurKey(db: Db): Promise<AffectedLink[]> {
  return db.link.findMany({ where: { outEnabled: true }, select: { id: true, name: true, displayUrl: true }, orderBy: { name: "asc" } });
}

/**
 * Replaces this app's RSA key pair: the new private key is sealed in the vault and the old one
 * deleted, in one transaction, audited with both fingerprints. Until each remote admin pastes the
 * new public key, requests this app signs for them fail with signature_invalid.
 */
export async function rotateAppKeyPair(db: Db, actor: Actor, bits: RsaKeySize = 2048) {
  const before = await ensureAppIdentity(db);
  const pair = await generateRsaKeyPair(bits);
  const affected = await linksUsingOurKey(db);
  const sealedKey = await sealSecret("app-identity.private-key", privateKeyPem(pair.privateKey));
  const after = await db.$transaction(async (tx) => {
    const old = await tx.appIdentity.findUniqueOrThrow({ where: { id: 1 }, select: { privateKeySecretId: true } });
    const privateKeySecretId = await putSecret(tx, sealedKey);
    const row = await tx.appIdentity.update({
      where: { id: 1 },
      data: { privateKeySecretId, publicKeyPem: publicKeyPem(pair.publicKey), keyCreatedAt: new Date() },
    });
    await deleteSecret(tx, old.privateKeySecretId);
    await recordAudit(tx, actor, {
      action: "identity.rotate-key",
      targetType: "app-identity",
      targetLabel: row.consumerKey,
      before: { fingerprint: before.fingerprint },
      after: { fingerprint: publicKeyFingerprint(pair.publicKey), bits, linksToUpdate: affected.map((l) => l.name) },
    });
    return row;
  });
  return { identity: await ensureAppIdentity(db), previousFingerprint: before.fingerprint, affected, rotatedAt: after.keyCreatedAt };
}
