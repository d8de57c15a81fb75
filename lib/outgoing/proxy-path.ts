import { AppError } from "@/lib/errors";

/**
 * The URL a proxied request goes to: the link's RPC URL joined with the caller's path, query kept
 * as sent. Anything that could leave the RPC URL is refused with 400: `.`/`..` segments (also
 * percent-encoded, twice-encoded, or with `;` path parameters, as Tomcat reads `..;`),
 * backslashes, an empty first segment (`//other-host`), absolute URLs, control characters.
 */
export function proxyTarget(rpcUrl: string, rawPath: string, rawQuery: string): string {
  const refuse = (why: string) => new AppError("bad_request", `The proxied path is refused: ${why}.`);
  if (/[\\\u0000-\u001f\u007f]/.test(rawPath) || /%5c/i.test(rawPath)) throw refuse("backslashes and control characters are not allowed");
  if (rawPath.startsWith("/")) throw refuse("it may not start with // (another host)");
  if (/^[a-z][a-z0-9+.-]*:/i.test(rawPath)) throw refuse("absolute URLs are not allowed");
  for (const segment of rawPath.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw refuse("malformed percent-encoding");
    }
    if (isDotSegment(segment, decoded)) throw refuse("dot segments are not allowed");
    if (/[\\\u0000-\u001f\u007f]/.test(decoded)) throw refuse("backslashes and control characters are not allowed");
  }
  const target = `${rpcUrl}/${rawPath}${rawQuery ? `?${rawQuery}` : ""}`;
  const base = new URL(rpcUrl);
  const url = new URL(target);
  const basePath = base.pathname.replace(/\/+$/, "");
  if (url.origin !== base.origin || !(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))) throw refuse("it leaves the link's RPC URL");
  return url.href;
}

/**
 * Whether a segment is `.` or `..` as any server on the way may read it: as sent, decoded once, or
 * decoded twice (a remote or a proxy in front of it that decodes again), and with `;` path
 * parameters stripped (Tomcat, under Jira and Confluence, resolves `..;` as `..`).
 */
function isDotSegment(raw: string, decoded: string): boolean {
  let twice = decoded;
  try {
    twice = decodeURIComponent(decoded);
  } catch {
    // Not percent-encoding at the second level: nothing more to read there.
  }
  return [raw, decoded, twice].some((form) =>
    form.split(/[/\\]/).some((part) => {
      const name = part.split(";")[0];
      return name === "." || name === "..";
    }),
  );
}
