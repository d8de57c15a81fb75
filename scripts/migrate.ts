/**
 * Brings the database up to date with this version's migrations: `prisma migrate deploy` for the
 * embedded SQLite database, lib/db/migrate-postgresql.ts for PostgreSQL (see there for why). Run by
 * `npm start`; safe to run again, and on several instances at once.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { databaseKind, databaseUrl } from "@/lib/env/paths";
import { migratePostgresql } from "@/lib/db/migrate-postgresql";
import { withoutAdapterUrlWarning } from "@/lib/db/prisma-output";

const url = databaseUrl();
if (databaseKind(url) === "sqlite") {
  // Its output is passed on without Prisma's warning about the datasource url (lib/db/prisma-output.ts).
  const result = spawnSync(path.join("node_modules", ".bin", "prisma"), ["migrate", "deploy"], { stdio: ["inherit", "pipe", "pipe"], encoding: "utf8", env: { CHECKPOINT_DISABLE: "1", ...process.env } });
  process.stdout.write(withoutAdapterUrlWarning(result.stdout ?? ""));
  process.stderr.write(withoutAdapterUrlWarning(result.stderr ?? ""));
  if (result.error) console.error(result.error.message);
  process.exitCode = result.status ?? 1;
} else {
  migratePostgresql(url, undefined, (line) => console.log(line))
    .then((applied) => console.log(applied.length ? `${applied.length} migration(s) applied.` : "The PostgreSQL database is up to date."))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    });
}
