import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { PrismaClient as PostgresqlPrismaClient } from "@/lib/generated/prisma-postgresql/client";
import { databaseKind, databaseUrl, sqliteFile } from "@/lib/env/paths";
import { closePostgresqlPools, postgresqlPool } from "@/lib/db/postgresql-pool";

// Secret columns are left out of every ordinary read; code that needs one asks for it.
const OMIT = { user: { passwordHash: true }, apiToken: { tokenHash: true }, oAuthIssuedToken: { tokenHash: true, verifierHash: true }, oAuthRequestToken: { bindingHash: true }, vaultSecret: { sealed: true } } as const;

function createSqliteClient(url: string) {
  fs.mkdirSync(path.dirname(sqliteFile(url)), { recursive: true, mode: 0o700 });
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }), omit: OMIT });
}

/**
 * The client for `DATABASE_URL`: the embedded SQLite file (`file:`, the default) or PostgreSQL
 * (`postgresql://`). Both clients are generated from one data model (prisma/schema.prisma and its
 * derived PostgreSQL copy), so they have the same models and shapes; the app is typed against the
 * SQLite one. Where the two databases differ in behaviour, lib/db/dialect.ts says so. The app
 * uses the one process-wide `db` below; a second client is for moving data between databases.
 */
export function createDatabaseClient(url: string = databaseUrl()) {
  if (databaseKind(url) === "sqlite") return createSqliteClient(url);
  const client = new PostgresqlPrismaClient({ adapter: new PrismaPg(postgresqlPool(url)), omit: OMIT });
  return client as unknown as ReturnType<typeof createSqliteClient>;
}

export type Db = ReturnType<typeof createSqliteClient>;
/** What a `db.$transaction(async (tx) => …)` callback receives. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const globalForDb = globalThis as unknown as { applinkDb?: Db };

/** The one Prisma client of this process (kept across hot reloads in development). */
export const db: Db = globalForDb.applinkDb ?? createDatabaseClient();
if (process.env.NODE_ENV !== "production") globalForDb.applinkDb = db;

/** Closes this process's database: Prisma's client, and on PostgreSQL the pool it shares with the fast reads (or the process would not exit). */
export async function closeDatabase(): Promise<void> {
  await db.$disconnect();
  await closePostgresqlPools();
}
