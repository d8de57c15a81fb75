import crypto from "node:crypto";
import type { Db } from "@/lib/db";
import { generateRsaKeyPair, privateKeyPem, publicKeyBase64, publicKeyFingerprint, publicKeyPem } from "@/lib/crypto/rsa-keys";
import { putSecret, readSecret, sealSecret } from "@/lib/vault/vault";
import type { Env } from "@/lib/env/paths";
import { cachedReads } from "@/lib/db/cached-reads";

/** This instance as remote admins see it: what they enter on their side of a link. */
export interface AppIdentityView {
  instanceId: string;
  consumerKey: string;
  consumerName: string;
  description: string;
  publicKeyPem: string;
  /** Bare base64 SPKI, as Jira's "public key" field wants it. */
  publicKeyBase64: string;
  fingerprint: string;
  keyCreatedAt: Date;
}

const IDENTITY_ID = 1;

function toView(row: { instanceId: string; consumerKey: string; consumerName: string; description: string; publicKeyPem: string; keyCreatedAt: Date }): AppIdentityView {
  const key = crypto.createPublicKey(row.publicKeyPem);
  return {
    instanceId: row.instanceId,
    consumerKey: row.consumerKey,
    consumerName: row.consumerName,
    description: row.description,
    publicKeyPem: row.publicKeyPem,
    publicKeyBase64: publicKeyBase64(key),
    fingerprint: publicKeyFingerprint(key),
    keyCreatedAt: row.keyCreatedAt,
  };
}

/**
 * This instance's identity, created on first use: an instance id, the consumer key
 * `applink-admin:<instance id>`, a consumer name (`APP_NAME`, default "Applink Admin") and a
 * 2048-bit RSA key pair whose private half goes straight into the vault. Two processes starting at
 * once agree (the row's key is fixed; the loser reads the winner's).
 */
export async function ensureAppIdentity(db: Db, env: Env = process.env): Promise<AppIdentityView> {
  const existing = await db.appIdentity.findUnique({ where: { id: IDENTITY_ID } });
  if (existing) return toView(existing);
  const pair = await generateRsaKeyPair(2048);
  const instanceId = crypto.randomUUID();
  // Sealed before the transaction: the key provider is never asked while it holds the database.
  const sealedKey = await sealSecret("app-identity.private-key", privateKeyPem(pair.privateKey));
  try {
    const row = await db.$transaction(async (tx) => {
      const privateKeySecretId = await putSecret(tx, sealedKey);
      return tx.appIdentity.create({
        data: {
          id: IDENTITY_ID,
          instanceId,
          consumerKey: `applink-admin:${instanceId}`,
          consumerName: env.APP_NAME?.trim() || "Applink Admin",
          description: "Applink Admin: application links and signed requests",
          privateKeySecretId,
          publicKeyPem: publicKeyPem(pair.publicKey),
        },
      });
    });
    return toView(row);
  } catch (error) {
    if ((error as { code?: string }).code !== "P2002") throw error;
    return toView(await db.appIdentity.findUniqueOrThrow({ where: { id: IDENTITY_ID } }));
  }
}

/** What outgoing requests are signed with: this app's consumer key and its private key. */
export interface AppSigner {
  consumerKey: string;
  privateKey: crypto.KeyObject;
}

let cached: { secretId: string; signer: AppSigner } | null = null;

/**
 * This app's consumer key and private key, for signing. One small row read per call (so a key
 * rotated by another process is picked up at once); the key itself is opened from the vault
 * only when the row names a different secret than last time.
 */
export async function appSigner(db: Db): Promise<AppSigner> {
  let row = await cachedReads(db).appSignerRow();
  if (!row) {
    await ensureAppIdentity(db);
    row = await db.appIdentity.findUniqueOrThrow({ where: { id: IDENTITY_ID }, select: { consumerKey: true, privateKeySecretId: true } });
  }
  if (cached?.secretId !== row.privateKeySecretId || cached.signer.consumerKey !== row.consumerKey) {
    const privateKey = crypto.createPrivateKey((await readSecret(db, row.privateKeySecretId)).toString("utf8"));
    cached = { secretId: row.privateKeySecretId, signer: { consumerKey: row.consumerKey, privateKey } };
  }
  return cached.signer;
}
