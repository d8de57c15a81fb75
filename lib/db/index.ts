import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { databaseKind, databaseUrl, sqliteFile } from "@/lib/env/paths";

function createClient() {
  const url = databaseUrl();
  if (databaseKind(url) !== "sqlite") {
    throw new Error("Only the embedded SQLite database is supported for now; unset DATABASE_URL.");
  }
  fs.mkdirSync(path.dirname(sqliteFile(url)), { recursive: true, mode: 0o700 });
  return new PrismaClient({
    adapter: new PrismaBetterSQLite3({ url }),
    // Secret columns are left out of every ordinary read; code that needs one asks for it.
    omit: { user: { passwordHash: true }, apiToken: { tokenHash: true }, oAuthIssuedToken: { tokenHash: true, verifierHash: true }, oAuthRequestToken: { bindingHash: true }, vaultSecret: { sealed: true } },
  });
}

export type Db = ReturnType<typeof createClient>;
/** What a `db.$transaction(async (tx) => …)` callback receives. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const globalForDb = globalThis as unknown as { applinkDb?: Db };

/** The one Prisma client of this process (kept across hot reloads in development). */
export const db: Db = globalForDb.applinkDb ?? createClient();
if (process.env.NODE_ENV !== "production") globalForDb.applinkDb = db;
