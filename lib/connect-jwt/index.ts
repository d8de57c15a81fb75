/**
 * Atlassian Connect JWT (HS256 with a query string hash), framework-free. The canonical request and
 * its hash follow Atlassian's "Understanding JWT for Connect apps": METHOD & path relative to the
 * product's base URL & the query (without `jwt`), names and values percent-encoded per RFC 3986 after
 * form decoding (so `+` is a space), sorted by name, a repeated name's values sorted and joined by
 * commas. Tested against the `atlassian-jwt` package and python3-jwt (tests/connect-jwt.test.ts).
 */
import crypto from "node:crypto";
import querystring from "node:querystring";
import { SignJWT } from "jose";
// RFC 3986 percent-encoding with `!'()*` encoded too, as Atlassian's reference does: OAuth 1.0a's own.
import { percentEncode } from "@/lib/oauth1/encoding";

/** The path relative to the base URL's path: leading "/", no trailing "/", "&" encoded; "/" when empty. */
function canonicalPath(pathname: string, basePath: string): string {
  const base = basePath.replace(/\/+$/, "");
  let path = base && pathname.startsWith(base) ? pathname.slice(base.length) : pathname;
  if (!path) return "/";
  path = path.replaceAll("&", "%26");
  if (!path.startsWith("/")) path = `/${path}`;
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  return path;
}

/** The query as form data: `+` is a space, each part unescaped as a form would (malformed escapes kept). */
function canonicalQuery(search: string): string {
  const byName = new Map<string, string[]>();
  for (const part of search.replace(/^\?/, "").split("&")) {
    if (!part) continue;
    const at = part.indexOf("=");
    const name = querystring.unescape((at === -1 ? part : part.slice(0, at)).replaceAll("+", " "));
    const value = at === -1 ? "" : querystring.unescape(part.slice(at + 1).replaceAll("+", " "));
    if (name === "jwt") continue;
    byName.set(name, [...(byName.get(name) ?? []), value]);
  }
  return [...byName.keys()]
    .sort()
    .map((name) => `${percentEncode(name)}=${byName.get(name)!.sort().map(percentEncode).join(",")}`)
    .join("&");
}

/** `METHOD&path&query`, the text whose SHA-256 is the `qsh` claim. `baseUrl`: the product's (its path is not part of the canonical path). */
export function canonicalRequest(method: string, url: string | URL, baseUrl: string): string {
  const target = typeof url === "string" ? new URL(url) : url;
  return `${method.toUpperCase()}&${canonicalPath(target.pathname, new URL(baseUrl).pathname)}&${canonicalQuery(target.search)}`;
}

export function queryStringHash(method: string, url: string | URL, baseUrl: string): string {
  return crypto.createHash("sha256").update(canonicalRequest(method, url, baseUrl)).digest("hex");
}

/** How long a token this app makes is valid (Atlassian's libraries use 3 minutes). */
export const TOKEN_SECONDS = 180;

/** A fresh token for one request: HS256, `iss`, `iat`, `exp` and the request's `qsh`. */
export async function signConnectJwt(input: { issuer: string; sharedSecret: string; method: string; url: string; baseUrl: string; now?: number; subject?: string }): Promise<string> {
  const iat = Math.floor((input.now ?? Date.now()) / 1000);
  const claims: Record<string, unknown> = { qsh: queryStringHash(input.method, input.url, input.baseUrl) };
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuer(input.issuer).setIssuedAt(iat).setExpirationTime(iat + TOKEN_SECONDS);
  if (input.subject) jwt.setSubject(input.subject);
  return jwt.sign(Buffer.from(input.sharedSecret, "utf8"));
}
