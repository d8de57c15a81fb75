/** The request header proxy.ts sets to the page's path and query (set by us, never trusted from the client: it is overwritten). */
export const PAGE_PATH_HEADER = "x-applink-page-path";

/** A same-site path to come back to after sign-in, or the fallback (never another origin: `//host` is refused). */
export function safeReturnPath(value: string | null | undefined, fallback = "/links"): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.includes("\\") || value.length > 4000) return fallback;
  return value;
}
