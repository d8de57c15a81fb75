import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { migratePostgresql } from "@/lib/db/migrate-postgresql";
import { databaseUrlFor, startTestPostgresql } from "@/tests/support/postgresql-server";

/**
 * Applies the real migrations once to a template database; each test file then works on its own
 * copy (per-file-database.ts). `TEST_DATABASE=postgresql` runs the suite on PostgreSQL (the server
 * from tests/support/postgresql-server.ts, the migrations as `npm start` applies them); otherwise
 * on the embedded SQLite database, with the same `prisma migrate deploy` as `npm start`.
 */
export default async function setup({ provide }: { provide: (key: string, value: string) => void }) {
  if (process.env.TEST_DATABASE === "postgresql") {
    const server = await startTestPostgresql();
    const template = `applink_template_${crypto.randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${template}"`);
    await migratePostgresql(databaseUrlFor(server.adminUrl, template));
    provide("database", JSON.stringify({ kind: "postgresql", adminUrl: server.adminUrl, template }));
    return async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      await server.stop();
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "applink-template-"));
  execFileSync(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], {
    env: { ...process.env, DATA_DIR: dir, DATABASE_URL: "" },
    stdio: "pipe",
  });
  provide("database", JSON.stringify({ kind: "sqlite", file: path.join(dir, "applink.db") }));
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

/** Where each test file's database comes from. */
export type TestDatabaseSource = { kind: "sqlite"; file: string } | { kind: "postgresql"; adminUrl: string; template: string };

declare module "vitest" {
  export interface ProvidedContext {
    database: string;
  }
}
