/**
 * Runs once when the server starts. In Node.js it hands scripts/serve.mjs the routes the server
 * answers without Next.js routing (the signed proxy, see lib/api/direct-routes.ts), compiled here
 * with the rest of the app so both share one set of modules (one database client, one limiter),
 * and starts the background work (lib/background: link checks and the nonce purge, on one
 * instance at a time).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { directRouteFor, DIRECT_ROUTES_KEY } = await import("@/lib/api/direct-routes");
  (globalThis as Record<symbol, unknown>)[DIRECT_ROUTES_KEY] = directRouteFor;
  const { closeDatabase, db } = await import("@/lib/db");
  const { startBackgroundWork } = await import("@/lib/background");
  const stopBackground = startBackgroundWork(db);
  // scripts/serve.mjs calls this last when it stops, after the requests in flight.
  (globalThis as Record<symbol, unknown>)[Symbol.for("applink-admin.shutdown")] = async () => {
    await stopBackground();
    await closeDatabase();
  };
}
