// The HTTP server: Next.js behind a thin node:http layer that owns the client address.
import fs from "node:fs";
import http from "node:http";
import next from "next";
import client from "prom-client";
import { routePattern } from "../lib/http/route-pattern.mjs";
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
/** Set while the server drains before it stops (lib/health.ts reads it: readiness answers 503). */
const DRAINING_KEY = Symbol.for("applink-admin.draining");
/** What the app closes last, after the requests in flight (instrumentation.ts installs it: background work, the database). */
const SHUTDOWN_KEY = Symbol.for("applink-admin.shutdown");

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

/** Every answer, by method, route pattern and status, and its duration (GET /api/metrics). */
function httpMetrics() {
  client.collectDefaultMetrics(); // the process: CPU, memory, event-loop lag, handles
  const requests = new client.Counter({ name: "applink_http_requests_total", help: "HTTP requests answered, by method, route and status.", labelNames: ["method", "route", "status"] });
  const duration = new client.Histogram({
    name: "applink_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by route.",
    labelNames: ["route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
  // The labelled series, kept (methods, route patterns and statuses are bounded), so an answer
  // does not hash its labels twice.
  const series = new Map();
  const seriesOf = (method, route, status) => {
    const key = `${method} ${route} ${status}`;
    let found = series.get(key);
    if (!found) {
      found = { requests: requests.labels(method, route, String(status)), duration: duration.labels(route) };
      series.set(key, found);
    }
    return found;
  };
  return (req, res) => {
    const started = performance.now();
    res.once("finish", () => {
      const { requests, duration } = seriesOf(METHODS.has(req.method) ? req.method : "other", routePattern(req.url), res.statusCode);
      requests.inc();
      duration.observe((performance.now() - started) / 1000);
    });
  };
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
  const measure = httpMetrics();
  const server = http.createServer((req, res) => {
    measure(req, res);
    // Draining: answer what still arrives on an open connection, and close that connection after it.
    if (globalThis[DRAINING_KEY]) res.setHeader("connection", "close");
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
  // Graceful stop (SIGTERM, SIGINT): readiness answers 503 at once, while requests are still taken
  // for SHUTDOWN_UNREADY_SECONDS (2: a load balancer's health check sees it and sends no more);
  // then no new connection is taken, requests in flight (proxied ones included) finish, for at most
  // SHUTDOWN_GRACE_SECONDS (25); the rest are cut, background work stops, the database closes.
  const seconds = (name, fallback) => {
    const n = Number(process.env[name] ?? fallback);
    return (Number.isFinite(n) && n >= 0 ? n : fallback) * 1000;
  };
  const unreadyMs = seconds("SHUTDOWN_UNREADY_SECONDS", dev ? 0 : 2);
  const graceMs = seconds("SHUTDOWN_GRACE_SECONDS", 25);
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    globalThis[DRAINING_KEY] = true;
    console.log(`Applink Admin: ${signal}: not ready; finishing the requests in flight (at most ${(unreadyMs + graceMs) / 1000} s), then stopping.`);
    const finish = async (cut) => {
      if (cut) server.closeAllConnections();
      try {
        await globalThis[SHUTDOWN_KEY]?.();
      } catch (error) {
        console.error("shutdown:", error?.message);
      }
      process.exit(0);
    };
    setTimeout(() => {
      const deadline = setTimeout(() => void finish(true), graceMs);
      deadline.unref();
      server.close(() => {
        clearTimeout(deadline);
        void finish(false);
      });
      server.closeIdleConnections();
    }, unreadyMs).unref();
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  return server;
}
