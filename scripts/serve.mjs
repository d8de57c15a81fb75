// The HTTP server: Next.js behind a thin node:http layer that owns the client address.
import fs from "node:fs";
import http from "node:http";
import next from "next";
import { trustProxy as trustsProxy } from "../lib/http/trust-proxy.mjs";

const securityHeaders = JSON.parse(fs.readFileSync(new URL("../lib/http/security-headers.json", import.meta.url), "utf8"));

const FORWARDED = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"];

/**
 * Unless TRUST_PROXY is set, a client's own X-Forwarded-* headers are dropped and X-Forwarded-For
 * is set to the socket's address, so sign-in throttling and (later) OAuth signature checks see the
 * real client and the URL it really called. Behind a proxy, set TRUST_PROXY=true.
 */
export function normaliseForwardedHeaders(req, trustProxy) {
  if (trustProxy) return;
  for (const name of FORWARDED) delete req.headers[name];
  req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "unknown";
}

const DIRECT_ROUTES_KEY = Symbol.for("applink-admin.directRouteFor");

/** Where a path that cannot be decoded is sent instead: no page has this path, so Next.js answers its not-found page. */
export const UNREADABLE_PATH = "/_unreadable-path";

/**
 * Whether the path (not the query) holds percent-encoding that cannot be decoded (`%zz`, `%ED%A0%80`):
 * Next.js would answer a dynamic route's segment with a plain-text 500.
 */
export function hasUnreadablePath(url) {
  const path = (url ?? "/").split(/[?#]/, 1)[0];
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

/** `/api/…`: 400 in the API's error shape; anything else: the not-found page. */
function answerUnreadablePath(req, res, handle) {
  if (/^\/api(\/|$)/.test(req.url)) {
    res.statusCode = 400;
    for (const { key, value } of securityHeaders.static) res.setHeader(key, value);
    res.setHeader("content-security-policy", securityHeaders.apiContentSecurityPolicy);
    res.setHeader("content-type", "application/json");
    res.setHeader("cache-control", "no-store");
    res.end(JSON.stringify({ error: { code: "bad_request", message: "The path holds percent-encoding that cannot be decoded (such as %zz)." } }));
    return;
  }
  req.url = UNREADABLE_PATH;
  handle(req, res).catch((error) => fail(res, error));
}

function fail(res, error) {
  console.error("request failed", error?.message);
  if (!res.headersSent) {
    res.statusCode = 500;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ error: { code: "internal_error", message: "Something went wrong on our side." } }));
  } else {
    res.destroy();
  }
}

export async function serve({ dev = false, dir = process.cwd() } = {}) {
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  const port = Number(process.env.PORT || 3000);
  const host = process.env.HOST || "127.0.0.1";
  const trustProxy = trustsProxy();
  // next-auth builds its redirects (sign-out, callbacks) from NEXTAUTH_URL, else http://localhost:3000.
  // Without a configured public URL, take it from each request's Host (X-Forwarded-* only when
  // trusted: normaliseForwardedHeaders drops a client's own).
  if (!process.env.NEXTAUTH_URL && process.env.APP_URL) process.env.NEXTAUTH_URL = process.env.APP_URL;
  if (!process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= "true";
  const app = next({ dev, dir, hostname: host, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = http.createServer((req, res) => {
    normaliseForwardedHeaders(req, trustProxy);
    if (hasUnreadablePath(req.url)) return answerUnreadablePath(req, res, handle);
    // Hot paths the app answers without Next.js routing (lib/api/direct-routes.ts, installed by instrumentation.ts).
    const direct = globalThis[DIRECT_ROUTES_KEY]?.(req);
    if (direct) {
      direct(req, res).catch((error) => fail(res, error));
      return;
    }
    handle(req, res).catch((error) => fail(res, error));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  console.log(`Applink Admin ${dev ? "(development) " : ""}is serving on http://${host.includes(":") ? `[${host}]` : host}:${port}`);
  const stop = () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return server;
}
