import pg from "pg";

/**
 * Per-query type parsers: `timestamp(3)` without a time zone holds UTC (as Prisma writes it), which
 * pg would otherwise read as local time. Everything else as pg reads it.
 */
export const UTC_TIMESTAMPS: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.TIMESTAMP ? (text: string) => new Date(`${text.replace(" ", "T")}Z`) : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
};

const globalForPool = globalThis as unknown as { applinkPgPools?: Map<string, pg.Pool> };

/**
 * The one connection pool of this process per PostgreSQL URL, shared by Prisma (through
 * `@prisma/adapter-pg`) and the hot-read cache, so `/api/metrics` sees every connection.
 * `DATABASE_POOL_SIZE` (default 10) bounds it; several instances multiply it.
 */
export function postgresqlPool(url: string): pg.Pool {
  return pooled(url, "main", () => {
    const size = Number(process.env.DATABASE_POOL_SIZE ?? 10);
    return { max: Number.isInteger(size) && size > 0 ? size : 10 };
  });
}

/**
 * A small pool of its own for the nonce every incoming OAuth request stores, whose commits do not
 * wait for the disk (`synchronous_commit=off`): the same trade as the SQLite nonce store's
 * `synchronous=NORMAL`. A committed nonce is visible to every instance at once, as any commit; only
 * a crash of the PostgreSQL server itself may forget the last moments' nonces (their requests could
 * then be replayed once within their window). Everything else commits durably on the main pool.
 */
export function postgresqlNoncePool(url: string): pg.Pool {
  return pooled(url, "nonces", () => ({ max: 4, options: "-c synchronous_commit=off" }));
}

function pooled(url: string, purpose: string, config: () => pg.PoolConfig): pg.Pool {
  const pools = (globalForPool.applinkPgPools ??= new Map());
  const key = `${purpose} ${url}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new pg.Pool({ connectionString: url, idleTimeoutMillis: 30_000, ...config() });
    // An idle connection the server dropped (a restart, a failover) must not crash the process: the pool replaces it.
    pool.on("error", () => undefined);
    pools.set(key, pool);
  }
  return pool;
}

/** Closes every pool this process opened (the last step of a graceful shutdown, and of a test file). */
export async function closePostgresqlPools(): Promise<void> {
  const pools = globalForPool.applinkPgPools;
  if (!pools) return;
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((pool) => pool.end().catch(() => undefined)));
}

/** Connections of this process's PostgreSQL pools by purpose ("main", "nonces"; none on SQLite): for /api/metrics. */
export function postgresqlPoolStats(): { pool: string; total: number; idle: number; waiting: number; max: number }[] {
  return [...(globalForPool.applinkPgPools?.entries() ?? [])].map(([key, pool]) => ({ pool: key.split(" ")[0]!, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 }));
}
