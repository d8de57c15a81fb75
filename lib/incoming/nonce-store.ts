import Database from "better-sqlite3";
import type pg from "pg";
import type { Db } from "@/lib/db";
import { perClient } from "@/lib/db/per-client";
import { postgresqlNoncePool } from "@/lib/db/postgresql-pool";
import type { NonceStore } from "@/lib/oauth1";

/**
 * Nonces in the database: a unique (consumer, nonce) key makes `use` atomic, so of two identical
 * requests at once exactly one passes. Old ones are forgotten by `purgeNonces`.
 */
export function prismaNonceStore(db: Db): Required<NonceStore> {
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
      return true;
    },
  };
}

/**
 * Forgets the nonces whose request's own timestamp has left the window (with a second of margin),
 * when the timestamp check already refuses every replay of them. Purging by when a nonce was stored
 * instead would free a nonce sent with a timestamp from the future while its replays are still
 * accepted. Run once a minute by the one instance holding the background lease (lib/background).
 */
export async function purgeNonces(db: Db, windowSeconds: number, now = Date.now()): Promise<number> {
  return (await db.oAuthNonce.deleteMany({ where: { timestamp: { lt: Math.floor(now / 1000) - windowSeconds - 1 } } })).count;
}

/**
 * The same store over the embedded SQLite database through prepared statements on a connection of
 * its own: the same table and unique key (so one copy of any number is accepted, across processes),
 * without Prisma's ~0.85 ms per query on every incoming request. Commits are not fsynced one by
 * one (synchronous=NORMAL in WAL mode): a power cut may forget the last moments' nonces, whose
 * requests could then be replayed once within their window.
 */
export function sqliteNonceStore(file: string): Required<NonceStore> {
  const connection = new Database(file, { fileMustExist: true, timeout: 5000 });
  connection.pragma("synchronous = NORMAL");
  const seen = connection.prepare(`SELECT 1 FROM "OAuthNonce" WHERE "consumerKey" = ? AND "nonce" = ?`).pluck();
  const insert = connection.prepare(`INSERT OR IGNORE INTO "OAuthNonce" ("consumerKey", "nonce", "timestamp", "createdAt") VALUES (?, ?, ?, ?)`);
  return {
    async isUsed(consumerKey, nonce) {
      return seen.get(consumerKey, nonce) !== undefined;
    },
    async use(consumerKey, nonce, timestamp) {
      return insert.run(consumerKey, nonce, timestamp, new Date().toISOString()).changes === 1;
    },
  };
}

/**
 * The same store on PostgreSQL, one statement per request on the shared pool: the primary key
 * (consumer, nonce) refuses the second copy whichever instance it reaches, since every instance
 * inserts into the same table, and the insert is committed (visible to all) before the request is
 * answered. The app gives it the nonce pool (lib/db/postgresql-pool.ts: commits that do not wait
 * for the disk).
 */
export function postgresqlNonceStore(pool: pg.Pool): NonceStore {
  // No early `isUsed`: a round trip on every request to spare a replay its RSA check is a bad trade.
  return {
    async use(consumerKey, nonce, timestamp) {
      const inserted = await pool.query({
        name: "applink_nonce_use",
        text: `INSERT INTO "OAuthNonce" ("consumerKey", "nonce", "timestamp", "createdAt") VALUES ($1, $2, $3, now() AT TIME ZONE 'UTC') ON CONFLICT DO NOTHING`,
        values: [consumerKey, nonce, timestamp],
      });
      return inserted.rowCount === 1;
    },
  };
}

/** The nonce store for `db`: prepared statements for the process-wide client, else Prisma. */
export const nonceStoreFor: (db: Db) => NonceStore = perClient<NonceStore>({
  prisma: (client) => prismaNonceStore(client as Db),
  sqlite: sqliteNonceStore,
  postgresql: (url) => postgresqlNonceStore(postgresqlNoncePool(url)),
});
