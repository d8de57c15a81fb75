import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { cachedReads } from "@/lib/db/cached-reads";
import { linkRelay, type RelayedResponse } from "@/lib/outgoing/link-fetch";
import { proxyTarget } from "@/lib/outgoing/proxy-path";
import { rpcUrlOf } from "@/lib/outgoing/rpc-url";

/**
 * A request to forward through a link, as plain values (the web layer, lib/api/proxy-route.ts,
 * takes them off the route): the path under the link and the query exactly as sent, never decoded.
 */
export interface ProxyRequest {
  linkId: string;
  /** The path after `/proxy/`, raw. */
  subPath: string;
  /** The query without `?`, raw. */
  rawQuery: string;
  method: string;
  headers: Headers;
  /** The body, read only once the link is known (capped by the web layer). */
  readBody: () => Promise<Buffer | null>;
  /** Aborted when the caller goes away: the request leaves the link's queue or is cut off. */
  signal?: AbortSignal;
}

/** `ANY /api/v1/links/{id}/proxy/{path…}`: forwards under the link's RPC URL, signed for the caller. */
export async function proxyThroughLink(db: Db, request: ProxyRequest, caller: Caller): Promise<RelayedResponse> {
  const link = await cachedReads(db).linkById(request.linkId);
  if (!link) throw new AppError("not_found", "No such link.");
  const url = proxyTarget(rpcUrlOf(link), request.subPath, request.rawQuery);
  const body = request.method !== "GET" && request.method !== "HEAD" ? await request.readBody() : null;
  return linkRelay(db, link, { method: request.method, url, headers: request.headers, body }, { as: caller, signal: request.signal });
}
