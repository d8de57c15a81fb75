/**
 * Last-used times (API tokens, access tokens this app holds, access tokens it issued) are written at
 * most once a minute per credential: a write per request would cost more than the request, and
 * every write bumps the cached reads' counter.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Whether a credential last used at `lastUsedAt` is due a new last-used time. */
export function lastUsedIsDue(lastUsedAt: Date | null, now = Date.now()): boolean {
  return !lastUsedAt || now - lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS;
}
