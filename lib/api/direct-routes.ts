import type { IncomingMessage, ServerResponse } from "node:http";
import { db } from "@/lib/db";
import { withOneCacheVersion } from "@/lib/db/cached-reads";
import { callerFor, refuseUnlessAllowed } from "@/lib/api/with-caller";
import { handleApiError } from "@/lib/api/handle-error";
import { proxyThroughLink } from "@/lib/outgoing/proxy-request";
import { proxyRequestOf, proxyTargetOf, type ProxyTarget } from "@/lib/api/proxy-route";
import { credentialOf, isSignedRequest, type Credential } from "@/lib/api/resolve-caller";
import type { RelayedResponse } from "@/lib/outgoing/link-fetch";
import { sandboxProxied, servedOverHttps, STATIC_SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY } from "@/lib/http/security-headers";
import { log } from "@/lib/log";

// Routes the server (scripts/serve.mjs) answers itself, before Next.js: the signed proxy, whose
// every request would otherwise pay about a millisecond of Next.js routing on top of the RSA
// signature (see `npm run bench`). The work is the same code the Next.js route runs
// (`proxyThroughLink` behind `callerFor`), with the same security headers; the request line's
// path reaches it raw, so `..` is refused, not resolved.

/** Where instrumentation.ts leaves `directRouteFor` for scripts/serve.mjs (one process, two module systems). */
export const DIRECT_ROUTES_KEY = Symbol.for("applink-admin.directRouteFor");

export type DirectRoute = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The direct route for this request, or null for Next.js to answer. OAuth-signed calls from a
 * linked application go to Next.js: their verification reads the whole body first.
 */
export function directRouteFor(req: { url?: string; headers: IncomingMessage["headers"] }): DirectRoute | null {
  // The path is matched and the credential recognised here, once: the route takes both as they are.
  const target = req.url ? proxyTargetOf(req.url) : null;
  if (!target) return null;
  const credential = credentialOf(req.headers.authorization, req.url!);
  if (isSignedRequest(credential)) return null;
  return (req, res) => withOneCacheVersion(() => serveProxy(req, res, target, credential));
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      // A header value Headers refuses (node:http let it through) is dropped, never fatal.
    }
  }
  return headers;
}

async function serveProxy(req: IncomingMessage, res: ServerResponse, target: ProxyTarget, credential: Credential): Promise<void> {
  const headers = headersOf(req);
  let relayed: RelayedResponse;
  // A caller that goes away takes its request with it: out of the link's queue, or cut off in flight.
  // Listened for before anything is awaited: a caller gone while its credentials were read (a
  // database round trip) must not leave a request holding a slot until the remote answers.
  const gone = new AbortController();
  res.once("close", () => res.writableFinished || gone.abort());
  try {
    const caller = await callerFor("user", headers, undefined, credential);
    refuseUnlessAllowed(caller, req.method ?? "GET", "use");
    relayed = await proxyThroughLink(db, proxyRequestOf(target, req.method ?? "GET", headers, req, gone.signal), caller);
  } catch (error) {
    if (res.destroyed) return;
    const response = handleApiError(error);
    const body = Buffer.from(await response.arrayBuffer());
    relayed = { status: response.status, headers: response.headers, body: null, length: body.length };
    writeHead(req, res, relayed);
    return void res.end(body);
  }
  writeHead(req, res, relayed);
  relay(res, relayed);
}

function writeHead(req: IncomingMessage, res: ServerResponse, relayed: RelayedResponse): void {
  // The remote's headers were filtered by an allow-list (lib/outgoing/relayed-headers.ts); ours go last.
  relayed.headers.forEach((value, name) => res.setHeader(name, value));
  for (const { key, value } of STATIC_SECURITY_HEADERS) res.setHeader(key, value);
  sandboxProxied({ set: (name: string, value: string) => res.setHeader(name, value) });
  if (servedOverHttps(headerValue(req, "x-forwarded-proto"))) res.setHeader("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  if (relayed.length !== null) res.setHeader("content-length", relayed.length);
  // A refused body was left unread: close the connection after answering rather than drain it.
  if (!req.readableEnded && req.method !== "GET" && req.method !== "HEAD") res.setHeader("connection", "close");
  res.statusCode = relayed.status;
}

/** Streams the remote's body to the caller; a small one with a known length goes out in one write. */
function relay(res: ServerResponse, relayed: RelayedResponse): void {
  const body = relayed.body;
  if (!body) return void res.end();
  body.on("error", (error) => {
    // Once the caller has gone, the aborted body is expected; before that, the remote broke off.
    if (!res.destroyed) log.warn({ err: error }, "the remote's answer broke off while being relayed");
    res.destroy(error);
  });
  res.on("close", () => body.destroy());
  if (relayed.length !== null && relayed.length <= 64 * 1024) {
    const chunks: Buffer[] = [];
    body.on("data", (chunk: Buffer) => chunks.push(chunk));
    body.on("end", () => res.end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    return;
  }
  body.pipe(res);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
