import fs from "node:fs";
import pg from "pg";
import { db } from "@/lib/db";
import { databaseKind, databaseUrl, sqliteFile } from "@/lib/env/paths";

/**
 * Everything the database holds, for tests that prove a secret is never stored readable: on SQLite
 * the file's bytes and its write-ahead log (after a checkpoint), on PostgreSQL every row of every
 * table as the server returns it, read on a connection of its own.
 */
export async function databaseBytes(): Promise<Buffer> {
  const url = databaseUrl();
  if (databaseKind(url) === "sqlite") {
    await db.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)").catch(() => undefined);
    const file = sqliteFile(url);
    const wal = `${file}-wal`;
    return Buffer.concat([fs.readFileSync(file), fs.existsSync(wal) ? fs.readFileSync(wal) : Buffer.alloc(0)]);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = (await client.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows.map((r) => r.tablename);
    const parts: string[] = [];
    for (const table of tables) {
      const rows = await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${table}" t`);
      parts.push(...rows.rows.map((r) => r.row));
    }
    return Buffer.from(parts.join("\n"));
  } finally {
    await client.end();
  }
}

