import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseKind, databaseUrl, sqliteFile } from "./lib/env/paths";

// The schema's datasource reads env("DATABASE_URL"); resolve the default (a SQLite file in the
// data folder) here so every Prisma CLI call works without a .env file. A postgresql:// URL selects
// the PostgreSQL schema (derived from prisma/schema.prisma, see scripts/prisma-schemas.mjs) and its
// own migrations.
const url = databaseUrl();
process.env.DATABASE_URL = url;
const kind = databaseKind(url);
const folder = kind === "postgresql" ? path.join("prisma", "postgresql") : "prisma";

// JS schema engine + driver adapter: no engine binary download.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(folder, "schema.prisma"),
  migrations: { path: path.join(folder, "migrations") },
  async adapter() {
    if (kind === "postgresql") return new PrismaPg({ connectionString: url });
    fs.mkdirSync(path.dirname(sqliteFile(url)), { recursive: true, mode: 0o700 });
    return new PrismaBetterSQLite3({ url });
  },
});
