import type { Transform } from "node:stream";
import zlib from "node:zlib";
import { db } from "@/lib/db";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { withCaller } from "@/lib/api/with-caller";
import { readsFor } from "@/lib/fast-reads/fast-reads";
import { linkRelay, toWebResponse, type RelayedResponse } from "@/lib/links/link-fetch";
import { proxyTarget } from "@/lib/links/proxy-path";
import { proxyMaxBodyBytes, readBodyCapped } from "@/lib/http/read-body";
import { sandboxProxied } from "@/lib/http/security-headers";

/** A request to forward, as it arrived: the path and query exactly as sent, never decoded. */
export interface ProxyCall {
  method: string;
  /** `/api/v1/links/{id}/proxy/…?…` as on the request line. */
  rawTarget: string;
  headers: Headers;
  body: AsyncIterable<Uint8Array> | null;
  /** Aborted when the caller goes away: the request leaves the link's queue or is cut off. */
  signal?: AbortSignal;
}

/** `ANY /api/v1/links/{id}/proxy/{path…}`: forwards under the link's RPC URL, signed for the caller. */
export async function proxyThroughLink(client: Db, call: ProxyCall, caller: Caller, linkId: string): Promise<RelayedResponse> {
  const link = await readsFor(client).linkById(linkId);
  if (!link) throw new AppError("not_found", "No such link.");
  const queryAt = call.rawTarget.indexOf("?");
  const path = queryAt === -1 ? call.rawTarget : call.rawTarget.slice(0, queryAt);
  const rawQuery = queryAt === -1 ? "" : call.rawTarget.slice(queryAt + 1).replace(/#.*$/, "");
  const marker = `/api/v1/links/${encodeURIComponent(linkId)}/proxy/`;
  const at = path.indexOf(marker);
  // A URL whose dot segments were resolved before it reached us no longer names the proxy: refuse it.
  if (at === -1) throw new AppError("bad_request", "The proxied path is refused: dot segments are not allowed.");
  const target = proxyTarget(link.rpcUrl, path.slice(at + marker.length), rawQuery);
  const hasBody = call.method !== "GET" && call.method !== "HEAD";
  const body = hasBody ? await readBodyCapped(call.body, call.headers.get("content-length"), proxyMaxBodyBytes()) : null;
  return linkRelay(client, link, { method: call.method, url: target, headers: call.headers, body }, { as: caller, signal: call.signal });
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
 * The proxy as a route handler over web Requests: the Next.js route uses it for the calls the
 * server's direct route (lib/http/direct-routes.ts) leaves to Next.js (OAuth-signed ones).
 */
export const proxyRouteHandler = withCaller<"user", { id: string }>(
  "user",
  async ({ req, caller, params }) => {
    const headers = new Headers(req.headers);
    headers.set("accept-encoding", "identity");
    const relayed = await proxyThroughLink(db, { method: req.method, rawTarget: rawTargetOf(req.url), headers, body: req.body as AsyncIterable<Uint8Array> | null, signal: req.signal }, caller, params.id);
    const response = toWebResponse(decodedForNext(relayed));
    sandboxProxied(response.headers);
    return response;
  },
  { delegation: "use" },
);
