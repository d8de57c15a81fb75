import type { Transform } from "node:stream";
import zlib from "node:zlib";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { withCaller } from "@/lib/api/with-caller";
import { toWebResponse, type RelayedResponse } from "@/lib/outgoing/link-fetch";
import { proxyThroughLink, type ProxyRequest } from "@/lib/outgoing/proxy-request";
import { proxyMaxBodyBytes, readBodyCapped } from "@/lib/http/read-body";
import { PROXY_PATH, sandboxProxied } from "@/lib/http/security-headers";

/** A request line's target on the proxy's path, split once: the link id as sent, the path under it and the query, raw. */
export interface ProxyTarget {
  rawLinkId: string;
  subPath: string;
  rawQuery: string;
}

/** The proxy target of a request line's path and query (`rawTarget`), or null when it is not the proxy's path. */
export function proxyTargetOf(rawTarget: string): ProxyTarget | null {
  const queryAt = rawTarget.indexOf("?");
  const path = queryAt === -1 ? rawTarget : rawTarget.slice(0, queryAt);
  const route = PROXY_PATH.exec(path);
  if (!route) return null;
  const rawQuery = queryAt === -1 ? "" : rawTarget.slice(queryAt + 1).replace(/#.*$/s, "");
  return { rawLinkId: route[1]!, subPath: path.slice(route[0].length), rawQuery };
}

/**
 * The proxy route's request as the domain takes it: the link id, the path under it and the query
 * exactly as on the request line (`target`), and a capped body reader.
 */
export function proxyRequestOf(target: ProxyTarget | null, method: string, headers: Headers, body: AsyncIterable<Uint8Array> | null | (() => Promise<Buffer | null>), signal?: AbortSignal): ProxyRequest {
  // A URL whose dot segments were resolved before it reached us no longer names the proxy: refuse it.
  if (!target) throw new AppError("bad_request", "The proxied path is refused: dot segments are not allowed.");
  let linkId: string;
  try {
    linkId = decodeURIComponent(target.rawLinkId);
  } catch {
    throw new AppError("bad_request", "The link id holds percent-encoding that cannot be decoded.");
  }
  return { linkId, subPath: target.subPath, rawQuery: target.rawQuery, method, headers, signal, readBody: typeof body === "function" ? body : () => readBodyCapped(body, headers.get("content-length"), proxyMaxBodyBytes()) };
}

/** The path and query of a web Request's URL, as they came. */
export function rawTargetOf(url: string): string {
  const schemeEnd = url.indexOf("//");
  const pathStart = url.indexOf("/", schemeEnd + 2);
  return pathStart === -1 ? "/" : url.slice(pathStart);
}

/** Decoders for the content codings a remote may use even when asked for identity. */
const DECODERS: Record<string, () => Transform> = { gzip: zlib.createGunzip, "x-gzip": zlib.createGunzip, deflate: zlib.createUnzip, br: zlib.createBrotliDecompress };

/**
 * A relayed answer as Next.js can send it: Next.js drops a route's Content-Encoding and
 * Content-Length (and may compress again), so the body must leave here decoded, or a caller gets
 * gzip bytes labelled as JSON (or gzip twice). The remote is asked for identity; one that encodes
 * anyway is decoded here.
 */
function decodedForNext(relayed: RelayedResponse): RelayedResponse {
  const coding = relayed.headers.get("content-encoding")?.trim().toLowerCase();
  if (!coding || coding === "identity" || !relayed.body) return relayed;
  const decoder = DECODERS[coding];
  if (!decoder) {
    relayed.body.destroy();
    throw new AppError("network_error", `The remote answered with Content-Encoding "${coding}", which cannot be relayed here: call the proxy with an API token, or have the remote send gzip, deflate, br or identity.`);
  }
  const headers = new Headers(relayed.headers);
  headers.delete("content-encoding");
  headers.delete("content-length");
  const body = relayed.body;
  const decoded = body.pipe(decoder());
  body.once("error", (error) => decoded.destroy(error));
  decoded.once("close", () => body.destroy());
  return { status: relayed.status, headers, body: decoded, length: null };
}

/**
 * The proxy as a Next.js route handler, for the calls the server's direct route
 * (lib/api/direct-routes.ts) leaves to Next.js (OAuth-signed ones, and `npm run dev`).
 */
export const proxyRouteHandler = withCaller(
  "user",
  async ({ req, caller, body }) => {
    const headers = new Headers(req.headers);
    headers.set("accept-encoding", "identity");
    // The body OAuth verification read, not a second copy of it.
    const request = proxyRequestOf(proxyTargetOf(rawTargetOf(req.url)), req.method, headers, body, req.signal);
    const response = toWebResponse(decodedForNext(await proxyThroughLink(db, request, caller)));
    sandboxProxied(response.headers);
    return response;
  },
  { delegation: "use", sharedBody: true },
);
