import { db, type Db } from "@/lib/db";
import { log } from "@/lib/log";
import { keyProviderStatus } from "@/lib/vault/vault";
import { keyProviderAvailable } from "@/lib/metrics";

export interface Health {
  status: "ok" | "degraded" | "draining";
  db: "ok" | "unreachable";
  /**
   * Where the vault's master key lives (`file`, `env`, `pkcs11`) and whether it answered last time
   * (`unavailable`: an HSM gone; what was opened keeps working, new secrets are refused). Degraded
   * but still ready: a 503 would take every instance out of the load balancer at once.
   */
  keys: { provider: string; status: "ok" | "unavailable" };
}

/** The readiness answer's HTTP status: 503 only when the database is unreachable or the server is stopping. */
export const readinessStatus = (health: Health): number => (health.db === "ok" && health.status !== "draining" ? 200 : 503);

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
    const keys = await keysHealth();
    return { status: isDraining() ? "draining" : keys.status === "unavailable" ? "degraded" : "ok", db: "ok", keys };
  } catch (error) {
    log.error({ err: error }, "health check: database unreachable");
    return { status: "degraded", db: "unreachable", keys: await keysHealth() };
  }
}

async function keysHealth(): Promise<Health["keys"]> {
  const keys = await keyProviderStatus();
  keyProviderAvailable.set({ provider: keys.provider }, keys.status === "unavailable" ? 0 : 1);
  return { provider: keys.provider, status: keys.status };
}
