import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgresql, POSTGRESQL_MIGRATIONS } from "@/lib/db/migrate-postgresql";
import { databaseUrlFor, startTestPostgresql, type TestPostgresql } from "@/tests/support/postgresql-server";

/**
 * One data model, two databases, two migration folders: this fails when any of them drift. Each
 * database is built twice, once by its migrations and once straight from the schema (Prisma's own
 * `migrate diff --from-empty --script`), and the two must be the same table for table, column for
 * column, index for index; then SQLite and PostgreSQL must be the same as each other in everything
 * both can express, including which tables empty the hot-read cache.
 */

const SQLITE_MIGRATIONS = path.join("prisma", "migrations");
const prisma = path.resolve("node_modules/.bin/prisma");

interface Shape {
  tables: Record<string, { columns: Record<string, { type: string; nullable: boolean; default: string | null }>; primaryKey: string[] }>;
  /** "table.name" → "unique? (columns)" */
  indexes: Record<string, string>;
  /** "table.column" → "target table.column on delete action" */
  foreignKeys: Record<string, string>;
  /** tables whose changes bump CacheVersion */
  cacheTriggers: string[];
}

function schemaSql(schema: string, env: Record<string, string>): string {
  return execFileSync(prisma, ["migrate", "diff", "--from-empty", "--to-schema-datamodel", schema, "--script"], { env: { ...process.env, ...env, CHECKPOINT_DISABLE: "1" }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

const SQLITE_TYPES: Record<string, string> = { TEXT: "text", INTEGER: "integer", BOOLEAN: "boolean", DATETIME: "datetime", REAL: "double" };
const PG_TYPES: Record<string, string> = { text: "text", integer: "integer", boolean: "boolean", "timestamp without time zone": "datetime", "double precision": "double" };

function sqliteShape(file: string): Shape {
  const db = new Database(file, { readonly: true });
  try {
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
    const shape: Shape = { tables: {}, indexes: {}, foreignKeys: {}, cacheTriggers: [] };
    for (const table of tables) {
      const columns = db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
      shape.tables[table] = {
        columns: Object.fromEntries(columns.map((c) => [c.name, { type: SQLITE_TYPES[c.type] ?? c.type, nullable: c.notnull === 0 && c.pk === 0, default: c.dflt_value }])),
        primaryKey: columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
      };
      for (const index of db.prepare(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number; origin: string }[]) {
        if (index.origin === "pk") continue;
        const cols = (db.prepare(`PRAGMA index_info("${index.name}")`).all() as { name: string }[]).map((c) => c.name);
        shape.indexes[`${table}.${index.name}`] = `${index.unique ? "unique " : ""}(${cols.join(", ")})`;
      }
      for (const fk of db.prepare(`PRAGMA foreign_key_list("${table}")`).all() as { table: string; from: string; to: string; on_delete: string }[]) {
        shape.foreignKeys[`${table}.${fk.from}`] = `${fk.table}.${fk.to} on delete ${fk.on_delete.toLowerCase()}`;
      }
    }
    const triggers = db.prepare(`SELECT tbl_name AS "table", sql FROM sqlite_master WHERE type = 'trigger'`).all() as { table: string; sql: string }[];
    shape.cacheTriggers = [...new Set(triggers.filter((t) => t.sql.includes(`"CacheVersion"`)).map((t) => t.table))].sort();
    return shape;
  } finally {
    db.close();
  }
}

async function postgresqlShape(url: string): Promise<Shape> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const shape: Shape = { tables: {}, indexes: {}, foreignKeys: {}, cacheTriggers: [] };
    const columns = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY table_name, ordinal_position`,
    );
    for (const c of columns.rows) {
      const table = (shape.tables[c.table_name] ??= { columns: {}, primaryKey: [] });
      table.columns[c.column_name] = { type: PG_TYPES[c.data_type] ?? c.data_type, nullable: c.is_nullable === "YES", default: c.column_default };
    }
    const indexes = await client.query<{ table: string; name: string; unique: boolean; primary: boolean; columns: string[] }>(
      `SELECT t.relname AS "table", i.relname AS "name", x.indisunique AS "unique", x.indisprimary AS "primary",
              array_agg(a.attname::text ORDER BY k.ord) AS "columns"
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
        GROUP BY t.relname, i.relname, x.indisunique, x.indisprimary`,
    );
    for (const index of indexes.rows) {
      if (index.primary) shape.tables[index.table]!.primaryKey = index.columns;
      else shape.indexes[`${index.table}.${index.name}`] = `${index.unique ? "unique " : ""}(${index.columns.join(", ")})`;
    }
    const fks = await client.query<{ table: string; column: string; target: string; target_column: string; on_delete: string }>(
      `SELECT c.conrelid::regclass::text AS "table", a.attname AS "column", c.confrelid::regclass::text AS "target", af.attname AS "target_column",
              CASE c.confdeltype WHEN 'c' THEN 'cascade' WHEN 'r' THEN 'restrict' WHEN 'n' THEN 'set null' WHEN 'd' THEN 'set default' ELSE 'no action' END AS "on_delete"
         FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
        WHERE c.contype = 'f'`,
    );
    for (const fk of fks.rows) shape.foreignKeys[`${fk.table.replaceAll('"', "")}.${fk.column}`] = `${fk.target.replaceAll('"', "")}.${fk.target_column} on delete ${fk.on_delete}`;
    const triggers = await client.query<{ table: string }>(
      `SELECT DISTINCT event_object_table AS "table" FROM information_schema.triggers WHERE action_statement LIKE '%applink_bump_cache_version%' ORDER BY 1`,
    );
    shape.cacheTriggers = triggers.rows.map((r) => r.table);
    return shape;
  } finally {
    await client.end();
  }
}

/** What both databases can express alike: types, nullability, keys, indexes, foreign keys, cache triggers (defaults are written differently). */
function portable(shape: Shape) {
  return {
    tables: Object.fromEntries(
      Object.entries(shape.tables).map(([name, t]) => [name, { primaryKey: t.primaryKey, columns: Object.fromEntries(Object.entries(t.columns).map(([c, v]) => [c, { type: v.type, nullable: v.nullable, hasDefault: v.default !== null }])) }]),
    ),
    indexes: shape.indexes,
    foreignKeys: shape.foreignKeys,
    cacheTriggers: shape.cacheTriggers,
  };
}

/** A serial column's default names its sequence; SQLite says nothing for AUTOINCREMENT: both mean "generated". */
function withoutSerialDefaults(shape: Shape): Shape {
  for (const table of Object.values(shape.tables)) for (const column of Object.values(table.columns)) if (column.default?.startsWith("nextval(")) column.default = null;
  return shape;
}

describe("one data model on SQLite and PostgreSQL", () => {
  let server: TestPostgresql;
  let admin: pg.Client;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "applink-schemas-"));
  const databases: string[] = [];

  async function newPostgresqlDatabase(name: string): Promise<string> {
    const database = `applink_schema_${name}_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS "${database}"`);
    await admin.query(`CREATE DATABASE "${database}"`);
    databases.push(database);
    return databaseUrlFor(server.adminUrl, database);
  }

  beforeAll(async () => {
    server = await startTestPostgresql();
    admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
  });
  afterAll(async () => {
    for (const database of databases) await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the PostgreSQL schema is prisma/schema.prisma's, regenerated", () => {
    expect(() => execFileSync(process.execPath, ["scripts/prisma-schemas.mjs", "--check"], { stdio: "pipe" })).not.toThrow();
  });

  it("both migration folders hold the same migrations from PostgreSQL's baseline on", () => {
    const names = (folder: string) => fs.readdirSync(folder).filter((n) => fs.existsSync(path.join(folder, n, "migration.sql"))).sort();
    const postgresql = names(POSTGRESQL_MIGRATIONS);
    const baseline = postgresql[0]!;
    expect(baseline).toMatch(/_baseline$/);
    expect(postgresql.slice(1)).toEqual(names(SQLITE_MIGRATIONS).filter((n) => n > baseline));
  });

  it("SQLite: the migrations build exactly what the schema describes", async () => {
    const migrated = path.join(dir, "migrated.db");
    execFileSync(prisma, ["migrate", "deploy"], { env: { ...process.env, DATABASE_URL: `file:${migrated}`, CHECKPOINT_DISABLE: "1" }, stdio: "pipe" });
    const fromSchema = path.join(dir, "from-schema.db");
    new Database(fromSchema).exec(schemaSql("prisma/schema.prisma", { DATABASE_URL: `file:${fromSchema}` }));
    const shape = sqliteShape(migrated);
    expect({ ...shape, cacheTriggers: [] }).toEqual(sqliteShape(fromSchema));
  });

  it("PostgreSQL: the migrations build exactly what the schema describes, and the same as SQLite's", async () => {
    const migrated = await newPostgresqlDatabase("migrated");
    await migratePostgresql(migrated);
    const fromSchema = await newPostgresqlDatabase("from_schema");
    const direct = new pg.Client({ connectionString: fromSchema });
    await direct.connect();
    await direct.query(schemaSql("prisma/postgresql/schema.prisma", { DATABASE_URL: fromSchema }));
    await direct.end();
    const shape = await postgresqlShape(migrated);
    expect({ ...shape, cacheTriggers: [] }).toEqual(await postgresqlShape(fromSchema));

    const sqliteFile = path.join(dir, "migrated.db");
    expect(fs.existsSync(sqliteFile)).toBe(true);
    expect(portable(withoutSerialDefaults(shape))).toEqual(portable(sqliteShape(sqliteFile)));
    expect(shape.cacheTriggers).toEqual(["ApiToken", "AppIdentity", "Link", "OAuth2Client", "OAuth2Grant", "OAuth2Token", "OAuthAccessToken", "OAuthIssuedToken", "User", "VaultSecret"]);
  });
});
