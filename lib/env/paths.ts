import path from "node:path";

/** Environment variables as this app reads them (a plain record, so tests can pass their own). */
export type Env = Record<string, string | undefined>;

/**
 * Where this instance keeps its state: the SQLite database, the generated session secret and
 * the master key (unless APP_MASTER_KEY gives it). Every entry point (the server, the CLI, Prisma's CLI, tests) resolves
 * it here, so they can never disagree about which database they use.
 */
export function dataDir(env: Env = process.env): string {
  return path.resolve(/*turbopackIgnore: true*/ env.DATA_DIR?.trim() || "data");
}

/** `DATABASE_URL` when set, else the SQLite file `applink.db` inside the data folder. */
export function databaseUrl(env: Env = process.env): string {
  const explicit = env.DATABASE_URL?.trim();
  if (explicit) return explicit;
  return `file:${path.join(dataDir(env), "applink.db")}`;
}

export type DatabaseKind = "sqlite" | "postgresql";

export function databaseKind(url: string = databaseUrl()): DatabaseKind {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new Error(
    `DATABASE_URL must be a SQLite "file:" URL or a "postgresql://" URL; got "${url.split(":")[0]}:…"`,
  );
}

/** The SQLite file path inside a `file:` URL. */
export function sqliteFile(url: string): string {
  return path.resolve(/*turbopackIgnore: true*/ url.replace(/^file:/, "").replace(/\?.*$/, ""));
}
