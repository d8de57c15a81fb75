import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Applies the real migrations once (with the same `prisma migrate deploy` as `npm start`) to a
 * template database; each test file then works on its own copy (per-file-database.ts).
 */
export default function setup({ provide }: { provide: (key: string, value: string) => void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "applink-template-"));
  execFileSync(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], {
    env: { ...process.env, DATA_DIR: dir, DATABASE_URL: "" },
    stdio: "pipe",
  });
  provide("templateDb", path.join(dir, "applink.db"));
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDb: string;
  }
}
