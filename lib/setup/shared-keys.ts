import crypto from "node:crypto";
import type { Db } from "@/lib/db";
import type { KeyProvider } from "@/lib/vault/key-provider";

/** A check value for a secret: an HMAC under the secret itself, so the row proves agreement and reveals nothing. */
export function checkValue(secret: string, name: string): string {
  return crypto.createHmac("sha256", secret).update(`applink-admin shared key check: ${name}`).digest("hex");
}

/** Instances on one database disagree about a secret they must share: the message says which variable to set. */
export class SharedKeyMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SharedKeyMismatch";
  }
}

/**
 * Every instance on one database must share `NEXTAUTH_SECRET` (a session cookie from one instance is
 * read by another) and `APP_MASTER_KEY` (secrets sealed by one are opened by another). An instance
 * left to generate its own in its data folder, against a database that already has them, must not
 * start: it would refuse every session and fail every signed call. Checked at start-up, before
 * serving:
 * - the session secret against the check value the first instance stored (`SharedKeyCheck`);
 * - the master key (a file or environment key, or an HSM's: lib/vault/key-provider.ts) against the
 *   key ids the vault's sealed secrets name: those ids are already check values (a hash of the key,
 *   or of the HSM token and key), so no other is stored.
 */
export async function checkSharedKeys(db: Db, input: { sessionSecret: string; keyring: Pick<KeyProvider, "kind" | "current" | "all" | "setting"> }): Promise<void> {
  const sessionCheck = checkValue(input.sessionSecret, "session-secret");
  let stored = await db.sharedKeyCheck.findUnique({ where: { name: "session-secret" } });
  if (!stored) {
    try {
      stored = await db.sharedKeyCheck.create({ data: { name: "session-secret", value: sessionCheck } });
    } catch (error) {
      // Another instance stored its value at the same moment: compare with that one.
      if ((error as { code?: string }).code !== "P2002") throw error;
      stored = await db.sharedKeyCheck.findUniqueOrThrow({ where: { name: "session-secret" } });
    }
  }
  if (stored.value.length !== sessionCheck.length || !crypto.timingSafeEqual(Buffer.from(stored.value), Buffer.from(sessionCheck))) {
    throw new SharedKeyMismatch(
      "This instance's session secret differs from the one the other instances on this database use. Set NEXTAUTH_SECRET to their value (every instance must share it), or remove the database's SharedKeyCheck row if you mean to sign everyone out.",
    );
  }

  const known = new Set(input.keyring.all.map((key) => key.id));
  const sealedWith = (await db.vaultSecret.groupBy({ by: ["keyId"], _count: { _all: true } })).filter((group) => !known.has(group.keyId));
  if (sealedWith.length) {
    const ids = sealedWith.map((group) => `${group.keyId} (${group._count._all} secret${group._count._all === 1 ? "" : "s"})`).join(", ");
    throw new SharedKeyMismatch(
      input.keyring.kind === "pkcs11"
        ? `This database's secrets are sealed with master key ${ids}, which this instance does not have (its key is ${input.keyring.current.id}, from the HSM: ${input.keyring.setting}). Point PKCS11_MODULE, PKCS11_TOKEN_LABEL and PKCS11_KEY_LABEL at the key the other instances use.`
        : `This database's secrets are sealed with master key ${ids}, which this instance does not have (its key is ${input.keyring.current.id}, from ${input.keyring.kind === "env" ? "APP_MASTER_KEY" : "its data folder"}). Set APP_MASTER_KEY to the key the other instances use (or APP_KEY_PROVIDER=pkcs11 with their HSM settings); the master key moves separately from the database.`,
    );
  }
}
