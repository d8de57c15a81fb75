/**
 * The proxy as the server answers it without Next.js (lib/api/direct-routes.ts), over real
 * sockets: a node:http server dispatching exactly as scripts/serve.mjs does, in front of a
 * scripted upstream and of python3-oauthlib's provider (which checks the signatures).
 */
import type { ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createLink } from "@/lib/links/create-link";
import { setOutgoing } from "@/lib/links/update-link";
import { directRouteFor } from "@/lib/api/direct-routes";
import { linkLimiter } from "@/lib/outgoing/resilience";
import { createApiToken } from "@/lib/tokens/api-tokens";
import { startOauthlibProvider } from "@/tests/support/oauthlib-provider";
import { makeUser, SYSTEM } from "@/tests/support/factories";

let app: http.Server;
let appBase: string;
let upstream: http.Server;
let provider: ChildProcess;
let scriptedLink: string;
let oauthLink: string;
let adminToken: string;
let userToken: string;
const BIG = crypto.randomBytes(3 * 1024 * 1024);
const XSS_PAGE = "<html><body><script>fetch('/api/v1/tokens',{method:'POST'})</script></body></html>";
/** What a hostile remote sends to take over the page it is relayed into (issue 10, finding 1). */
const HOSTILE_HEADERS = {
  "content-type": "text/html",
  "content-security-policy": "default-src * 'unsafe-inline'",
  "x-frame-options": "ALLOWALL",
  "x-content-type-options": "sniff",
  "access-control-allow-origin": "http://evil.example",
  "access-control-allow-credentials": "true",
  "access-control-expose-headers": "*",
  refresh: "0; url=http://evil.example/",
  "set-cookie": "remote_session=1; Path=/",
  "strict-transport-security": "max-age=0",
  "clear-site-data": '"*"',
  "service-worker-allowed": "/",
  link: "<http://evil.example/sw.js>; rel=serviceworker",
  "cache-control": "public, max-age=31536000",
  "www-authenticate": 'Basic realm="give me your password"',
  etag: '"v1"',
  "x-ausername": "admin",
};
/** Our headers on every proxied answer, whatever the remote said. */
const SANDBOXED = {
  "content-security-policy": "sandbox; default-src 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store, no-transform",
};
const DROPPED = ["access-control-allow-origin", "access-control-allow-credentials", "access-control-expose-headers", "refresh", "set-cookie", "strict-transport-security", "clear-site-data", "service-worker-allowed", "link", "www-authenticate"];

/** Raw HTTP, so the request line reaches the server exactly as written (no `..` resolved). */
function send(method: string, target: string, headers: Record<string, string | number> = {}, body?: Buffer) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request(`${appBase}/`, { method, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}
const hanging = new Set<http.ServerResponse>();
const json = (r: { body: Buffer }) => JSON.parse(r.body.toString("utf8"));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    // Accepts and never answers (until the caller gives up and the proxy aborts the exchange).
    if (req.url!.endsWith("/hang")) return void hanging.add(res);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url!, "http://x");
      if (url.pathname.endsWith("/big")) return void res.writeHead(200, { "content-type": "application/octet-stream" }).end(BIG);
      if (url.pathname.endsWith("/xss")) return void res.writeHead(200, HOSTILE_HEADERS).end(XSS_PAGE);
      const echo = JSON.stringify({ url: req.url, cookie: req.headers.cookie ?? null, authorization: req.headers.authorization ?? null, bodyLength: Buffer.concat(chunks).length });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(echo), "set-cookie": "remote_session=1", "x-remote": "yes" }).end(echo);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const started = await startOauthlibProvider();
  provider = started.process;
  const providerPort = started.port;

  const scripted = await createLink(db, SYSTEM, { name: "Scripted", type: "generic", rpcUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/app` });
  await setOutgoing(db, SYSTEM, scripted.link.id, { enabled: false, threeLegged: false, twoLegged: false, impersonation: false });
  scriptedLink = scripted.link.id;
  const oauth = await createLink(db, SYSTEM, { name: "Checked by oauthlib", type: "generic", rpcUrl: `http://127.0.0.1:${providerPort}/app` });
  await setOutgoing(db, SYSTEM, oauth.link.id, { threeLegged: false, twoLegged: true, impersonation: false });
  oauthLink = oauth.link.id;

  const admin = await makeUser("ADMIN");
  const user = await makeUser("USER");
  adminToken = (await createApiToken(db, SYSTEM, admin, "direct")).token;
  userToken = (await createApiToken(db, SYSTEM, user, "direct")).token;

  process.env.PROXY_MAX_BODY_BYTES = String(1024 * 1024);
  app = http.createServer((req, res) => {
    const direct = directRouteFor(req);
    if (direct) return void direct(req, res);
    res.writeHead(418).end("not a direct route");
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  appBase = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});
afterAll(() => {
  for (const res of hanging) res.destroy();
  delete process.env.PROXY_MAX_BODY_BYTES;
  provider?.kill();
  app?.close();
  upstream?.close();
});

describe("the proxy served without Next.js", () => {
  it("takes only the proxy paths", async () => {
    expect(directRouteFor({ url: "/api/v1/links/abc/proxy/x", headers: {} })).not.toBeNull();
    for (const other of ["/api/v1/links/abc", "/api/v1/links/abc/proxy", "/links/abc/proxy/x", "/api/v1/myself", undefined]) expect(directRouteFor({ url: other, headers: {} })).toBeNull();
    // A linked application's OAuth-signed call is verified by the Next.js route (it reads the body first).
    expect(directRouteFor({ url: "/api/v1/links/abc/proxy/x", headers: { authorization: 'OAuth oauth_consumer_key="k"' } })).toBeNull();
    expect(directRouteFor({ url: "/api/v1/links/abc/proxy/x?oauth_consumer_key=k", headers: {} })).toBeNull();
    expect((await send("GET", "/api/v1/links")).status).toBe(418);
  });

  it("signs 2LO for an admin's token, and python3-oauthlib accepts the signature", async () => {
    const res = await send("GET", `/api/v1/links/${oauthLink}/proxy/rest/api/2/myself?expand=groups&a+b=c%20d`, bearer(adminToken));
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({ valid: true, path: "/app/rest/api/2/myself" });
  });

  it("answers anonymous callers 401 and refuses plain 2LO to a USER, with the API's error shape", async () => {
    const anonymous = await send("GET", `/api/v1/links/${oauthLink}/proxy/x`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers["www-authenticate"]).toContain("Bearer");
    expect(json(anonymous).error.code).toBe("unauthenticated");
    const user = await send("GET", `/api/v1/links/${oauthLink}/proxy/x`, bearer(userToken));
    expect(user.status).toBe(403);
    expect(json(user).error.code).toBe("forbidden");
    expect((await send("GET", `/api/v1/links/nope/proxy/x`, bearer(adminToken))).status).toBe(404);
  });

  it("refuses escapes in the raw request line instead of resolving them", async () => {
    for (const escape of ["../../../users", "a/../../x", "%2e%2e/x", "%2E%2e%2fx", "..%5cx", "//evil.example/x", "..;/x", "%2e%2e;/x", "%252e%252e/x"]) {
      const res = await send("GET", `/api/v1/links/${scriptedLink}/proxy/${escape}`, bearer(adminToken));
      expect({ escape, status: res.status }).toEqual({ escape, status: 400 });
      expect(json(res).error.code).toBe("bad_request");
    }
  });

  it("keeps the query byte for byte, strips Cookie and Authorization going out and Set-Cookie coming back, adds the security headers", async () => {
    const res = await send("GET", `/api/v1/links/${scriptedLink}/proxy/p?q=a+b%2Bc&x=%E2%9C%93&empty=`, { ...bearer(adminToken), cookie: "next-auth.session-token=secret" });
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({ url: "/app/p?q=a+b%2Bc&x=%E2%9C%93&empty=", cookie: null, authorization: null });
    expect(res.headers["set-cookie"]).toBeUndefined();
    // Not on the allow-list of relayed headers: dropped.
    expect(res.headers["x-remote"]).toBeUndefined();
    expect(res.headers["content-length"]).toBe(String(res.body.length));
    expect(res.headers).toMatchObject(SANDBOXED);
  });

  it("relays a hostile remote's page sandboxed, with our headers in place of its own", async () => {
    const res = await send("GET", `/api/v1/links/${scriptedLink}/proxy/xss`, bearer(adminToken));
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(XSS_PAGE);
    expect(res.headers).toMatchObject({ ...SANDBOXED, "content-type": "text/html", etag: '"v1"', "x-ausername": "admin" });
    for (const name of DROPPED) expect({ name, value: res.headers[name] }).toEqual({ name, value: undefined });
  });

  it("the Next.js route (OAuth-signed callers) sandboxes the same way", async () => {
    const { proxyRouteHandler } = await import("@/lib/api/proxy-route");
    const res = await proxyRouteHandler(new Request(`http://localhost/api/v1/links/${scriptedLink}/proxy/xss`, { headers: bearer(adminToken) }), { params: Promise.resolve({ id: scriptedLink }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(XSS_PAGE);
    for (const [name, value] of Object.entries(SANDBOXED)) expect({ name, value: res.headers.get(name) }).toEqual({ name, value });
    for (const name of DROPPED) expect({ name, value: res.headers.get(name) }).toEqual({ name, value: null });
  });

  it("streams a large answer intact, forwards a body under the cap and answers 413 above it", async () => {
    const big = await send("GET", `/api/v1/links/${scriptedLink}/proxy/big`, bearer(adminToken));
    expect(big.status).toBe(200);
    expect(crypto.createHash("sha256").update(big.body).digest("hex")).toBe(crypto.createHash("sha256").update(BIG).digest("hex"));
    const small = await send("POST", `/api/v1/links/${scriptedLink}/proxy/upload`, { ...bearer(adminToken), "content-type": "application/octet-stream" }, crypto.randomBytes(1000));
    expect(json(small)).toMatchObject({ bodyLength: 1000 });
    const tooBig = await send("POST", `/api/v1/links/${scriptedLink}/proxy/upload`, { ...bearer(adminToken), "content-type": "application/octet-stream" }, crypto.randomBytes(2 * 1024 * 1024));
    expect(tooBig.status).toBe(413);
    expect(json(tooBig).error.code).toBe("payload_too_large");
    // Announced as too large: refused before a byte of it is read.
    const announced = await send("POST", `/api/v1/links/${scriptedLink}/proxy/upload`, { ...bearer(adminToken), "content-type": "application/octet-stream", "content-length": 5 * 1024 * 1024 }, crypto.randomBytes(5 * 1024 * 1024));
    expect(announced.status).toBe(413);
  });

  it("a storm of 200 callers that give up on a silent remote leaves the link usable at once (issue 10, finding 2)", async () => {
    // Each storm request is abandoned by its client after 300 ms, as a load tool's timeout does.
    const abandon = (target: string) =>
      new Promise<void>((resolve) => {
        const req = http.request(`${appBase}/`, { method: "GET", path: target, headers: bearer(adminToken) }, (res) => res.resume().on("end", resolve).on("error", resolve));
        req.on("error", () => resolve());
        setTimeout(() => (req.destroy(), resolve()), 300);
        req.end();
      });
    await Promise.all(Array.from({ length: 200 }, () => abandon(`/api/v1/links/${scriptedLink}/proxy/hang`)));
    // Nothing of the storm may hold the link: its callers are gone, so every in-flight exchange is
    // aborted and the queue empties. That is the event waited for, with a ceiling far below the 30 s
    // a silent remote would hold a slot for if the abort did not happen (the time itself is not the check).
    await expect.poll(() => linkLimiter.occupancy(scriptedLink), { timeout: 15_000, interval: 50 }).toEqual({ active: 0, waiting: 0 });
    const after = await send("GET", `/api/v1/links/${scriptedLink}/proxy/ok`, bearer(adminToken));
    expect({ status: after.status, body: after.status === 200 ? "" : String(after.body) }).toEqual({ status: 200, body: "" });
    const other = await send("GET", `/api/v1/links/${scriptedLink}/proxy/ok`, bearer(userToken));
    expect(other.status).toBe(200);
    // The remote saw its silent exchanges closed, not left open for 30 s.
    await expect.poll(() => [...hanging].filter((res) => !res.socket?.destroyed).length, { timeout: 2_000 }).toBe(0);
  });

  it("one caller's flood cannot take every slot: another caller gets through while it waits", async () => {
    const flood = Array.from({ length: 30 }, () => {
      const controller = new AbortController();
      const done = fetch(`${appBase}/api/v1/links/${scriptedLink}/proxy/hang`, { headers: bearer(adminToken), signal: controller.signal }).catch(() => undefined);
      return { controller, done };
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const res = await send("GET", `/api/v1/links/${scriptedLink}/proxy/ok`, bearer(userToken));
    expect(res.status).toBe(200);
    for (const f of flood) f.controller.abort();
    await Promise.all(flood.map((f) => f.done));
  });
});
