import { db, type Db } from "@/lib/db";
import { log } from "@/lib/log";

export interface Health {
  status: "ok" | "degraded";
  db: "ok" | "unreachable";
}

/** Answers whether the database takes a query, within 2 seconds. */
export async function checkHealth(client: Db = db, timeoutMs = 2000): Promise<Health> {
  try {
    await Promise.race([
      client.$queryRawUnsafe("SELECT 1"),
      new Promise((_, reject) => setTimeout(() => reject(new Error("database health check timed out")), timeoutMs).unref()),
    ]);
    return { status: "ok", db: "ok" };
  } catch (error) {
    log.error({ err: error }, "health check: database unreachable");
    return { status: "degraded", db: "unreachable" };
  }
}
