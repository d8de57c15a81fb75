import { db as processDb, type Db, type Tx } from "@/lib/db";
import { databaseKind, databaseUrl, sqliteFile } from "@/lib/env/paths";

/** The implementations of a hot path's database access: raw statements for the process-wide client, Prisma for any other. */
export interface PerClient<T> {
  /** A client other than the process-wide one (a test's, a transaction): Prisma, same shapes. */
  prisma(client: Db | Tx): T;
  /** The process-wide client on SQLite: prepared statements on the database file. */
  sqlite(file: string): T;
  /** The process-wide client on PostgreSQL: named prepared statements, given the database URL. */
  postgresql(url: string): T;
}

/**
 * One implementation per client, made on first use and kept for the client's life: the cached
 * reads (lib/db/cached-reads.ts) and the nonce store (lib/incoming/nonce-store.ts) choose theirs
 * here, by the same rule.
 */
export function perClient<T>(implementations: PerClient<T>): (client: Db | Tx) => T {
  const made = new WeakMap<object, T>();
  return (client) => {
    let value = made.get(client);
    if (value === undefined) {
      const url = databaseUrl();
      value = client !== processDb ? implementations.prisma(client) : databaseKind(url) === "sqlite" ? implementations.sqlite(sqliteFile(url)) : implementations.postgresql(url);
      made.set(client, value);
    }
    return value;
  };
}
