import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, inject } from "vitest";
import type { TestDatabaseSource } from "@/tests/support/global-setup";
import { databaseUrlFor } from "@/tests/support/postgresql-server";

// Every test file gets a fresh data folder and its own database, a copy of the migrated template,
// set before any application module (lib/db.ts reads DATA_DIR and DATABASE_URL when first imported).
const source = JSON.parse(inject("database")) as TestDatabaseSource;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "applink-test-"));
process.env.DATA_DIR = dir;
let database: string | undefined;

if (source.kind === "sqlite") {
  fs.copyFileSync(source.file, path.join(dir, "applink.db"));
  delete process.env.DATABASE_URL;
} else {
  database = `applink_test_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: source.adminUrl });
  await admin.connect();
  // Test files start at once: PostgreSQL refuses a copy while another session holds the template, so retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE "${database}" TEMPLATE "${source.template}"`);
      break;
    } catch (error) {
      if (attempt >= 50 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 100));
    }
  }
  await admin.end();
  process.env.DATABASE_URL = databaseUrlFor(source.adminUrl, database);
}

afterAll(async () => {
  const { closeDatabase } = await import("@/lib/db");
  await closeDatabase();
  if (database && source.kind === "postgresql") {
    const admin = new pg.Client({ connectionString: source.adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
