import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { linkFetch } from "@/lib/links/link-fetch";
import { proxyTarget } from "@/lib/links/proxy-path";

/** Largest request body the proxy forwards (PROXY_MAX_BODY_BYTES, default 10 MB). */
export function proxyMaxBodyBytes(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.PROXY_MAX_BODY_BYTES);
  return Number.isInteger(n) && n > 0 ? n : 10 * 1024 * 1024;
}

/**
 * Reads a request body as it streams in, refusing it (413) as soon as it passes the cap. The body
 * is kept whole because a non-form body is covered by oauth_body_hash, signed before sending.
 */
export async function readBodyCapped(req: Request, maxBytes: number): Promise<Buffer | null> {
  if (!req.body) return null;
  const declared = Number(req.headers.get("content-length"));
  if (declared > maxBytes) throw new AppError("payload_too_large", `The body is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new AppError("payload_too_large", `The body is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`);
    }
    chunks.push(Buffer.from(value));
  }
  return size ? Buffer.concat(chunks) : null;
}

/** `ANY /api/v1/links/{id}/proxy/{path…}`: the path is read raw from the request URL, never decoded. */
export async function proxyThroughLink(db: Db, req: Request, caller: Caller, linkId: string): Promise<Response> {
  const link = await findLinkOrThrow(db, linkId);
  const url = new URL(req.url);
  const marker = `/api/v1/links/${encodeURIComponent(linkId)}/proxy/`;
  const at = url.pathname.indexOf(marker);
  // A URL whose dot segments were resolved before it reached us no longer names the proxy: refuse it.
  if (at === -1) throw new AppError("bad_request", "The proxied path is refused: dot segments are not allowed.");
  const rawPath = url.pathname.slice(at + marker.length);
  const rawQuery = req.url.includes("?") ? req.url.slice(req.url.indexOf("?") + 1).replace(/#.*$/, "") : "";
  const target = proxyTarget(link.rpcUrl, rawPath, rawQuery);
  const body = req.method === "GET" || req.method === "HEAD" ? null : await readBodyCapped(req, proxyMaxBodyBytes());
  return linkFetch(db, link, { method: req.method, url: target, headers: req.headers, body }, { as: caller });
}
