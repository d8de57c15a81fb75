// The route a request path belongs to, with its variable parts named (`/api/v1/links/:id/proxy/*`):
// a metric label must not hold ids, usernames or a proxied path (one series per link would be
// bounded, one per path would not). Plain JS: scripts/serve.mjs uses it as it is.

const PATTERNS = [
  [/^\/api\/v1\/links\/[^/]+\/proxy(\/.*)?$/, "/api/v1/links/:id/proxy/*"],
  [/^\/api\/v1\/links\/[^/]+\/(status|status\/history|incoming|outgoing|reset|authorize|oauth-callback)$/, (m) => `/api/v1/links/:id/${m[1]}`],
  [/^\/api\/v1\/links\/[^/]+$/, "/api/v1/links/:id"],
  [/^\/api\/v1\/users\/[^/]+$/, "/api/v1/users/:username"],
  [/^\/api\/v1\/tokens\/[^/]+$/, "/api/v1/tokens/:id"],
  [/^\/api\/v1\/notifications\/channels\/[^/]+\/test$/, "/api/v1/notifications/channels/:id/test"],
  [/^\/api\/v1\/notifications\/channels\/[^/]+$/, "/api/v1/notifications/channels/:id"],
  [/^\/rest\/applinks\/3\.0\/status\/[^/]+$/, "/rest/applinks/3.0/status/:applicationId"],
  [/^\/links\/[^/]+\/request$/, "/links/:id/request"],
  [/^\/links\/(?!new$)[^/]+$/, "/links/:id"],
  [/^\/_next\//, "/_next/*"],
  [/^\/api\/auth\//, "/api/auth/*"],
];
/** Paths with nothing variable in them, kept as they are; any other path is "other". */
const KNOWN = new Set([
  "/",
  "/api/health",
  "/api/health/live",
  "/api/health/ready",
  "/api/metrics",
  "/api/v1/openapi.json",
  "/api/v1/myself",
  "/api/v1/consumer",
  "/api/v1/links",
  "/api/v1/users",
  "/api/v1/tokens",
  "/api/v1/notifications/channels",
  "/api/v1/notifications/smtp",
  "/rest/applinks/1.0/manifest",
  "/plugins/servlet/oauth/consumer-info",
  "/plugins/servlet/oauth/request-token",
  "/plugins/servlet/oauth/authorize",
  "/plugins/servlet/oauth/access-token",
  "/rest/oauth2/latest/authorize",
  "/rest/oauth2/latest/token",
  "/rest/oauth2/latest/revoke",
  "/.well-known/oauth-authorization-server",
  "/links",
  "/links/new",
  "/users",
  "/tokens",
  "/audit",
  "/settings",
  "/settings/notifications",
  "/authorizations",
  "/signin",
]);

/** @param {string | undefined} url @returns {string} */
export function routePattern(url) {
  const path = (url ?? "/").split(/[?#]/, 1)[0] || "/";
  for (const [pattern, name] of PATTERNS) {
    const m = pattern.exec(path);
    if (m) return typeof name === "function" ? name(m) : name;
  }
  return KNOWN.has(path) ? path : "other";
}
