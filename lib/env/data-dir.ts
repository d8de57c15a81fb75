import fs from "node:fs";
import path from "node:path";
import { dataDir, databaseKind, databaseUrl, sqliteFile, type Env } from "@/lib/env/paths";

/**
 * The data folder, readable by this app's user only: the folder 0700, every file in it 0600 (the
 * SQLite database with its -wal and -shm, the generated secrets). Also the SQLite files when
 * DATABASE_URL puts them elsewhere. Run at every start (scripts/bootstrap.ts), so an installation
 * made before this rule, or files created under a lax umask, are tightened too.
 */
export function restrictDataDir(env: Env = process.env): void {
  const dir = dataDir(env);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) fs.chmodSync(path.join(dir, entry.name), 0o600);
  }
  const url = databaseUrl(env);
  if (databaseKind(url) === "sqlite") {
    for (const file of ["", "-wal", "-shm", "-journal"].map((suffix) => sqliteFile(url) + suffix)) {
      if (fs.existsSync(file)) fs.chmodSync(file, 0o600);
    }
  }
}
