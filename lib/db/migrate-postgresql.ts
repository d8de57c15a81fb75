import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

/** Where the PostgreSQL migrations live (their SQLite twins are in prisma/migrations). */
export const POSTGRESQL_MIGRATIONS = path.join("prisma", "postgresql", "migrations");

/** Any constant: instances starting at once take turns applying migrations. */
const MIGRATION_LOCK = 7_214_031_955;

/**
 * `prisma migrate deploy` for PostgreSQL. Prisma 6.19's schema engine in JS mode cannot read a
 * PostgreSQL catalog through the driver adapter (prisma/orm#27403: "Column type 'name' could not
 * be deserialized"), and its native engine is a download this network cannot make; so this applies
 * the same migration folders the same way, by hand: in name order, each in one transaction with its
 * record in Prisma's own `_prisma_migrations` table (same columns, same SHA-256 checksums), so
 * Prisma's CLI can take over once it works here. Instances starting together serialise on an
 * advisory lock; a migration that failed half-way is rolled back by PostgreSQL and applied again
 * on the next start. Returns the names it applied.
 */
export async function migratePostgresql(url: string, folder = POSTGRESQL_MIGRATIONS, say: (line: string) => void = () => undefined): Promise<string[]> {
  const names = fs
    .readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(folder, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();
  return withMigrationLock(url, async (client) => {
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const applied = new Map<string, string>();
    for (const row of (await client.query<{ migration_name: string; checksum: string }>(`SELECT "migration_name", "checksum" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`)).rows) {
      applied.set(row.migration_name, row.checksum);
    }
    const unknown = [...applied.keys()].filter((name) => !names.includes(name));
    if (unknown.length) say(`The database has migrations this version does not know (${unknown.join(", ")}): is it newer than this app?`);
    const done: string[] = [];
    for (const name of names) {
      const sql = fs.readFileSync(path.join(folder, name, "migration.sql"), "utf8");
      const checksum = crypto.createHash("sha256").update(sql).digest("hex");
      if (applied.has(name)) {
        if (applied.get(name) !== checksum) say(`Migration ${name} was changed after it was applied to this database; the database keeps what was applied.`);
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "applied_steps_count") VALUES ($1, $2, now(), $3, 1)`,
          [crypto.randomUUID(), checksum, name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw new Error(`Migration ${name} failed and was rolled back: ${error instanceof Error ? error.message : String(error)}`);
      }
      say(`Applied migration ${name}`);
      done.push(name);
    }
    return done;
  });
}

/**
 * Runs `work` holding the migration lock on a connection of its own (given to `work`): instances
 * starting at once take turns (to migrate; to create the first start's HSM key, which one of them
 * creates and the others find).
 */
export async function withMigrationLock<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
