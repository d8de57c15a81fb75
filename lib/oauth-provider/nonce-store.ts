import type { Db } from "@/lib/db";
import type { NonceStore } from "@/lib/oauth1";

const PURGE_EVERY_MS = 60_000;

/**
 * Nonces in the database: a unique (consumer, nonce) key makes `use` atomic, so of two identical
 * requests at once exactly one passes. Entries older than the timestamp window (which already
 * refuses their replays) are purged at most once a minute.
 */
export function prismaNonceStore(db: Db, windowSeconds = 300): NonceStore {
  let lastPurge = 0;
  return {
    async isUsed(consumerKey, nonce) {
      return (await db.oAuthNonce.count({ where: { consumerKey, nonce } })) > 0;
    },
    async use(consumerKey, nonce, timestamp) {
      try {
        await db.oAuthNonce.create({ data: { consumerKey, nonce, timestamp } });
      } catch (error) {
        if ((error as { code?: string }).code === "P2002") return false;
        throw error;
      }
      const now = Date.now();
      if (now - lastPurge > PURGE_EVERY_MS) {
        lastPurge = now;
        await db.oAuthNonce.deleteMany({ where: { createdAt: { lt: new Date(now - 2 * windowSeconds * 1000) } } });
      }
      return true;
    },
  };
}
