/**
 * Which of a remote's response headers are passed on to the caller of a link: an allow-list, so a
 * header we did not think of never reaches a browser under this app's origin. What describes the
 * bytes (type, length, encoding, ranges, validators) and what helps a caller act (Retry-After, an
 * OAuth challenge, Atlassian's diagnostic headers) is relayed; anything that would act on this
 * origin (policies, CORS, cookies, HSTS, Refresh, Link, service workers, caching rules) is not.
 * The proxy then adds this app's own sandboxing headers (lib/http/security-headers.ts).
 */
const RELAYED = new Set([
  "content-type",
  "content-length",
  "content-encoding",
  "content-language",
  "content-disposition",
  "content-range",
  "accept-ranges",
  "etag",
  "last-modified",
  "date",
  "retry-after",
  // Same-origin redirects only: link-fetch refuses one to another origin before relaying.
  "location",
  // Atlassian's: who the request ran as, its id, why a login failed (what an admin debugs with).
  "x-ausername",
  "x-arequestid",
  "x-seraph-loginreason",
]);

const RELAYED_PREFIXES = ["x-ratelimit-"];

/** Whether the remote's header `name` may reach the caller. */
export function isRelayedHeader(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  // An OAuth challenge tells the caller which problem the remote saw; any other scheme (Basic,
  // Negotiate) would make a browser ask for credentials on behalf of this origin.
  if (lower === "www-authenticate") return /^\s*oauth\b/i.test(value);
  return RELAYED.has(lower) || RELAYED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}
