import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, inject } from "vitest";

// Every test file gets a fresh data folder holding a copy of the migrated template database, set
// before any application module (lib/db.ts reads DATA_DIR when first imported).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "applink-test-"));
fs.copyFileSync(inject("templateDb"), path.join(dir, "applink.db"));
process.env.DATA_DIR = dir;
delete process.env.DATABASE_URL;

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});
