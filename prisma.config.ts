import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { databaseKind, databaseUrl, sqliteFile } from "./lib/env/paths";

// The schema's datasource reads env("DATABASE_URL"); resolve the default (a SQLite file in the
// data folder) here so every Prisma CLI call works without a .env file.
const url = databaseUrl();
process.env.DATABASE_URL = url;

if (databaseKind(url) !== "sqlite") {
  throw new Error("Only the embedded SQLite database is supported for now; unset DATABASE_URL.");
}

// JS schema engine + driver adapter: migrations run fully offline (no engine binary download).
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    fs.mkdirSync(path.dirname(sqliteFile(url)), { recursive: true, mode: 0o700 });
    return new PrismaBetterSQLite3({ url });
  },
});
