import type { Db } from "@/lib/db";
import type { NonceStore } from "@/lib/oauth1";

const PURGE_EVERY_MS = 60_000;

/**
 * Nonces in the database: a unique (consumer, nonce) key makes `use` atomic, so of two identical
 * requests at once exactly one passes. A nonce is forgotten only once its request's own
 * timestamp has left the window (with a second of margin), when the timestamp check already
 * refuses every replay of it; purged at most once a minute. Purging by when it was stored instead
 * would free a nonce sent with a timestamp from the future while its replays are still accepted.
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
      const at = Date.now();
      if (at - lastPurge > PURGE_EVERY_MS) {
        lastPurge = at;
        await db.oAuthNonce.deleteMany({ where: { timestamp: { lt: Math.floor(at / 1000) - windowSeconds - 1 } } });
      }
      return true;
    },
  };
}
