/**
 * The data folder holds the database and the generated secrets: readable by the app's user only
 * (issue 10, finding 9: the SQLite files were 0644 in a 0755 folder). Runs the real first-start
 * steps (`prisma migrate deploy`, then scripts/bootstrap.ts) on a folder made world-readable.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

describe("the data folder", () => {
  it("is 0700 with every file 0600 after the first start, whatever it was before", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "applink-perms-"));
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, "left-over.txt"), "x", { mode: 0o644 });
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir, DATABASE_URL: "", NEXTAUTH_SECRET: "", APP_MASTER_KEY: "", ADMIN_PASSWORD: "a long enough password" };
    try {
      await run(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], { env });
      await run(path.resolve("node_modules/.bin/tsx"), ["scripts/bootstrap.ts"], { env });
      const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);
      expect(mode(dir)).toBe("700");
      const files = fs.readdirSync(dir);
      expect(files).toEqual(expect.arrayContaining(["applink.db", "nextauth-secret", "master-key"]));
      for (const file of files) expect({ file, mode: mode(path.join(dir, file)) }).toEqual({ file, mode: "600" });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
