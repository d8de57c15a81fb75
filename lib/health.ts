import { db, type Db } from "@/lib/db";
import { log } from "@/lib/log";

export interface Health {
  status: "ok" | "degraded" | "draining";
  db: "ok" | "unreachable";
}

/** Whether the server is stopping (scripts/serve.mjs sets it on SIGTERM): not ready for new work. */
export function isDraining(): boolean {
  return (globalThis as Record<symbol, unknown>)[Symbol.for("applink-admin.draining")] === true;
}

/** Answers whether the database takes a query, within 2 seconds. */
export async function checkHealth(client: Db = db, timeoutMs = 2000): Promise<Health> {
  try {
    await Promise.race([
      client.$queryRawUnsafe("SELECT 1"),
      new Promise((_, reject) => setTimeout(() => reject(new Error("database health check timed out")), timeoutMs).unref()),
    ]);
    return { status: isDraining() ? "draining" : "ok", db: "ok" };
  } catch (error) {
    log.error({ err: error }, "health check: database unreachable");
    return { status: "degraded", db: "unreachable" };
  }
}
