/**
 * Runs once when the server starts. In Node.js it hands scripts/serve.mjs the routes the server
 * answers without Next.js routing (the signed proxy, see lib/api/direct-routes.ts), compiled here
 * with the rest of the app so both share one set of modules (one database client, one limiter),
 * opens the vault's key provider, and starts the background work (lib/background: link checks and the nonce purge, on one
 * instance at a time).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { directRouteFor, DIRECT_ROUTES_KEY } = await import("@/lib/api/direct-routes");
  (globalThis as Record<symbol, unknown>)[DIRECT_ROUTES_KEY] = directRouteFor;
  const { closeDatabase, db } = await import("@/lib/db");
  // The vault's key provider opened (an HSM logged in) and its first data key wrapped now, before
  // any request: no transaction ever waits for it. scripts/bootstrap.ts checked it just before, so
  // a failure here is the HSM going away in between: said once, and the vault says it again per use.
  const { closeKeyProvider, keyProvider } = await import("@/lib/vault/vault");
  await keyProvider().catch((error: unknown) => console.error(`The vault's key provider did not open: ${error instanceof Error ? error.message : String(error)}`));
  const { startBackgroundWork } = await import("@/lib/background");
  const stopBackground = startBackgroundWork(db);
  // scripts/serve.mjs calls this last when it stops, after the requests in flight.
  (globalThis as Record<symbol, unknown>)[Symbol.for("applink-admin.shutdown")] = async () => {
    await stopBackground();
    await closeKeyProvider();
    await closeDatabase();
  };
}
