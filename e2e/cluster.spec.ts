/**
 * The production shape (issue 14): three instances of this app on one PostgreSQL database behind
 * Debian's HAProxy, which health-checks each instance's readiness and spreads requests round-robin
 * (the answer's X-Served-By header names the instance). What must hold across instances does:
 * signed proxy calls and incoming OAuth calls reach all three; a nonce used at one is refused at
 * the others; a token revoked, a link deleted or a consumer reset at one is refused by the others
 * on their very next request; a person signs in and does the 3-legged dance while the browser
 * lands on a different instance at each step; `kill -9` of one instance under a write load loses
 * no acknowledged write while the others keep serving; a rolling restart under steady load fails
 * no request; an external application's OAuth 2.0 code and refresh tokens are spent once among all
 * three, and a reuse revokes everywhere; a person's OAuth 2.0 token at a remote that rotates refresh
 * tokens is refreshed by one instance at a time under load; a link going down, noticed by all
 * three at once, is told once by webhook, and so is its recovery. Loads stay on loopback, bounded in time.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { expect, test } from "@playwright/test";
import { waitForOutput } from "../tests/support/child-output";
import { signRequest } from "../lib/oauth1/sign-request";
import { databaseUrlFor, startTestPostgresql, type TestPostgresql } from "../tests/support/postgresql-server";
import { cliToken, rawRequest, screenshot, startInstance } from "./helpers";
import { startAtlassianCloudStandIn } from "../tests/support/atlassian-cloud-stand-in";
import { startWebhookReceiver } from "../tests/support/alert-receivers";

const LB_HOST = "127.0.0.3:3210";
const LB = `http://${LB_HOST}`;
const INSTANCES = [
  { name: "a", port: 3211 },
  { name: "b", port: 3212 },
  { name: "c", port: 3213 },
] as const;
const ADMIN = { username: "admin", password: "cluster admin password" };
const WORK = path.resolve(".tmp/e2e-cluster");
const dataDir = (name: string) => path.join(WORK, `data-${name}`);

let server: TestPostgresql;
let databaseUrl: string;
let haproxy: ChildProcess | undefined;
let haproxyOutput = "";
/** What HAProxy said (its server state changes among them), with when it was read. */
const haproxyEvents: Array<{ at: number; line: string }> = [];
let provider: ChildProcess | undefined;
const running = new Map<string, ChildProcess>();
let shared: Record<string, string>;
let adminToken: string;

test.describe.configure({ mode: "serial" });

function start(name: string): Promise<ChildProcess> {
  const { port } = INSTANCES.find((i) => i.name === name)!;
  return startInstance({ port, host: "127.0.0.1", dataDir: dataDir(name), admin: ADMIN, env: shared }).then((child) => (running.set(name, child), child));
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Until HAProxy's health check has seen `name` ready again (it checks every 200 ms). */
async function inRotation(name: string) {
  await expect
    .poll(async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add((await fetch(`${LB}/api/health/ready`)).headers.get("x-served-by") ?? "");
      return seen.has(name);
    }, { timeout: 20_000 })
    .toBe(true);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function call(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  return { status: res.status, servedBy: res.headers.get("x-served-by") ?? "", body: await res.text() };
}

interface LoadResult {
  at: number;
  ok: boolean;
  status: number;
  detail: string;
}

/** `workers` loops sending `request` until `stop()` resolves; every answer recorded with its time. */
async function load(workers: number, request: (n: number) => Promise<{ ok: boolean; status: number; detail?: string }>, stop: Promise<unknown>): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  let done = false;
  void stop.then(() => (done = true));
  let n = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!done) {
        const at = Date.now();
        const result = await request(n++).catch((error: Error) => ({ ok: false, status: 0, detail: error.message }));
        results.push({ at, ok: result.ok, status: result.status, detail: result.detail ?? "" });
      }
    }),
  );
  return results;
}

test.beforeAll(async () => {
  test.setTimeout(300_000);
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  server = await startTestPostgresql();
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS applink_cluster WITH (FORCE)`);
  await admin.query(`CREATE DATABASE applink_cluster`);
  await admin.end();
  databaseUrl = databaseUrlFor(server.adminUrl, "applink_cluster");
  // What every instance must share (each would otherwise generate its own and refuse to start).
  shared = {
    DATABASE_URL: databaseUrl,
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("base64"),
    APP_MASTER_KEY: crypto.randomBytes(32).toString("base64"),
    // Behind the load balancer: the public host is the one HAProxy passes on.
    SHUTDOWN_UNREADY_SECONDS: "1",
    // A recovery is sent at once rather than held for the flap window: the alerts test sees both.
    ALERT_FLAP_MINUTES: "0",
  };
  // The first applies the migrations and creates the administrator; the others find both.
  await start("a");
  await Promise.all([start("b"), start("c")]);

  const config = path.join(WORK, "haproxy.cfg");
  fs.writeFileSync(
    config,
    `global
  maxconn 1000
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  # A connection an instance refused (stopped) is retried on another; a request an instance
  # received is never sent twice.
  retries 3
  option redispatch 1
  retry-on conn-failure
  option http-server-close
frontend applink
  bind ${LB_HOST}
  default_backend instances
backend instances
  balance roundrobin
  option httpchk
  http-check send meth GET uri /api/health/ready
  http-check expect status 200
  default-server inter 200ms fall 1 rise 1
  http-response set-header X-Served-By %[srv_name]
${INSTANCES.map((i) => `  server ${i.name} 127.0.0.1:${i.port} check`).join("\n")}
`,
  );
  haproxy = spawn("haproxy", ["-f", config, "-db"], { stdio: ["ignore", "pipe", "pipe"] });
  haproxy.stderr!.on("data", (c: Buffer) => {
    haproxyOutput += c.toString();
    for (const line of c.toString().split("\n")) if (line.trim()) haproxyEvents.push({ at: Date.now(), line });
  });
  await expect.poll(() => fetch(`${LB}/api/health/ready`).then((r) => r.status, () => 0), { timeout: 10_000, message: haproxyOutput }).toBe(200);
  for (const { name } of INSTANCES) await inRotation(name);
  adminToken = cliToken(dataDir("a"), ADMIN.username, shared);
});

test.afterAll(async () => {
  haproxy?.kill("SIGKILL");
  provider?.kill();
  await Promise.all([...running.values()].map((child) => (child.kill("SIGKILL"), exited(child))));
  await server?.stop();
});

test("signed proxy and incoming OAuth calls spread over all three; a replay, a revocation, a deletion and a reset hold at every other instance on its next request", async () => {
  test.setTimeout(120_000);
  // The remote: python3-oauthlib's provider, trusting the cluster's one consumer key.
  const consumer = JSON.parse((await call(`${LB}/api/v1/consumer`, { headers: bearer(adminToken) })).body) as { key: string; publicKey: string };
  provider = spawn("/usr/bin/python3", [path.resolve("tests/interop/oauthlib_provider_server.py"), JSON.stringify({ consumers: { [consumer.key]: { rsa_public_pem: consumer.publicKey } } })]);
  const port = Number((await waitForOutput(provider, /PORT (\d+)/, "the oauthlib provider"))[1]);
  const json = { ...bearer(adminToken), "content-type": "application/json" };
  const link = JSON.parse((await call(`${LB}/api/v1/links`, { method: "POST", headers: json, body: JSON.stringify({ name: "Cluster Jira", type: "jira", rpcUrl: `http://127.0.0.1:${port}/jira` }) })).body) as { id: string };
  expect((await call(`${LB}/api/v1/links/${link.id}/outgoing`, { method: "PUT", headers: json, body: JSON.stringify({ threeLegged: true, twoLegged: true, impersonation: false }) })).status).toBe(200);

  // Signed proxy calls: all answered by the remote, from all three instances.
  const proxied = await Promise.all(Array.from({ length: 18 }, () => call(`${LB}/api/v1/links/${link.id}/proxy/rest/api/2/myself`, { headers: bearer(adminToken) })));
  expect(proxied.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);
  expect(new Set(proxied.map((r) => r.servedBy))).toEqual(new Set(["a", "b", "c"]));

  // Incoming 2LO from a linked application: accepted at all three.
  const peer = { key: `cluster-peer-${Date.now()}`, ...crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }) };
  const peerLink = JSON.parse((await call(`${LB}/api/v1/links`, { method: "POST", headers: json, body: JSON.stringify({ name: "Cluster peer", type: "generic", rpcUrl: "http://127.0.0.1:9/cluster-peer" }) })).body) as { id: string };
  const incoming = { consumerKey: peer.key, publicKey: peer.publicKey.export({ type: "spki", format: "pem" }), threeLegged: false, twoLegged: true, impersonation: false, executeAs: ADMIN.username };
  expect((await call(`${LB}/api/v1/links/${peerLink.id}/incoming`, { method: "PUT", headers: json, body: JSON.stringify(incoming) })).status).toBe(200);
  const signed = () => signRequest({ method: "GET", url: `${LB}/api/v1/myself` }, { key: peer.key, privateKey: peer.privateKey });
  const verified = await Promise.all(Array.from({ length: 18 }, async () => call(`${LB}/api/v1/myself`, { headers: { authorization: (await signed()).authorization } })));
  expect(verified.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);
  expect(new Set(verified.map((r) => r.servedBy))).toEqual(new Set(["a", "b", "c"]));
  expect(JSON.parse(verified[0]!.body)).toMatchObject({ username: ADMIN.username, via: "oauth-2lo" });

  // One signed request, sent to each instance in turn (as the load balancer's host): one answer.
  const once = await signed();
  const direct = (port: number, headers: Record<string, string>) => rawRequest(`http://127.0.0.1:${port}`, "GET", "/api/v1/myself", { host: LB_HOST, ...headers });
  expect((await direct(3211, { authorization: once.authorization })).status).toBe(200);
  for (const port of [3212, 3213, 3211]) {
    const replay = await direct(port, { authorization: once.authorization });
    expect({ port, status: replay.status, body: replay.body.toString() }).toMatchObject({ port, status: 401, body: expect.stringContaining("nonce_used") });
  }

  // A token created at a, used at b, revoked at c: refused at a and b on their very next request.
  const created = JSON.parse((await call("http://127.0.0.1:3211/api/v1/tokens", { method: "POST", headers: json, body: JSON.stringify({ name: `cluster-${Date.now()}` }) })).body) as { id: string; token: string };
  expect((await call("http://127.0.0.1:3212/api/v1/myself", { headers: bearer(created.token) })).status).toBe(200);
  expect((await call("http://127.0.0.1:3211/api/v1/myself", { headers: bearer(created.token) })).status).toBe(200);
  expect((await call(`http://127.0.0.1:3213/api/v1/tokens/${created.id}`, { method: "DELETE", headers: bearer(adminToken) })).status).toBe(200);
  expect((await call("http://127.0.0.1:3211/api/v1/myself", { headers: bearer(created.token) })).status).toBe(401);
  expect((await call("http://127.0.0.1:3212/api/v1/myself", { headers: bearer(created.token) })).status).toBe(401);

  // The peer's consumer reset at b: c refuses its next signed call as an unknown consumer.
  expect((await direct(3213, { authorization: (await signed()).authorization })).status).toBe(200);
  expect((await call(`http://127.0.0.1:3212/api/v1/links/${peerLink.id}/reset`, { method: "POST", headers: json, body: JSON.stringify({ direction: "incoming" }) })).status).toBe(200);
  const afterReset = await direct(3213, { authorization: (await signed()).authorization });
  expect({ status: afterReset.status, body: afterReset.body.toString() }).toMatchObject({ status: 401, body: expect.stringContaining("consumer_key_unknown") });

  // The link deleted at c: a proxies nothing through it on its next request.
  expect((await call(`http://127.0.0.1:3211/api/v1/links/${peerLink.id}/proxy/x`, { headers: bearer(adminToken) })).status).not.toBe(404);
  expect((await call(`http://127.0.0.1:3213/api/v1/links/${peerLink.id}`, { method: "DELETE", headers: bearer(adminToken) })).status).toBeLessThan(300);
  expect((await call(`http://127.0.0.1:3211/api/v1/links/${peerLink.id}/proxy/x`, { headers: bearer(adminToken) })).status).toBe(404);
});

test("a person signs in and authorizes a link (3-legged) while every step lands on another instance", async ({ page }) => {
  const steps: { path: string; servedBy: string }[] = [];
  let authorizePath = "";
  page.on("response", (res) => {
    const url = new URL(res.url());
    // The dance's own hops are recorded by the route below, which makes them.
    if (url.host === LB_HOST && url.pathname !== authorizePath) steps.push({ path: url.pathname, servedBy: res.headers()["x-served-by"] ?? "" });
  });
  const links = JSON.parse((await call(`${LB}/api/v1/links?q=Cluster%20Jira`, { headers: bearer(adminToken) })).body) as { links: { id: string }[] };
  const id = links.links[0]!.id;
  // 3LO only: the admin must authorize the link in the browser first.
  const json = { ...bearer(adminToken), "content-type": "application/json" };
  expect((await call(`${LB}/api/v1/links/${id}/outgoing`, { method: "PUT", headers: json, body: JSON.stringify({ threeLegged: true, twoLegged: false, impersonation: false }) })).status).toBe(200);
  await page.goto(`${LB}/signin`);
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`^${LB}/links`));
  await page.goto(`${LB}/links/${id}/request?path=rest/api/2/myself`);
  await expect(page.getByRole("alert").filter({ hasText: "authorize this app first" })).toBeVisible();
  // The browser follows the dance as one redirect chain (this app, the provider, the callback, the
  // page), and Playwright routes only a chain's first request: so this route makes the chain's hops
  // itself, as the browser would (same cookies, same Host), and sends the callback to an instance
  // other than the one that started the dance. Round-robin alone may bring it back to the same one.
  authorizePath = `/api/v1/links/${id}/authorize`;
  await page.route(`${LB}${authorizePath}**`, async (route) => {
    const started = await route.fetch({ maxRedirects: 0 });
    const startedOn = started.headers()["x-served-by"] ?? "";
    steps.push({ path: authorizePath, servedBy: startedOn });
    const consent = await page.request.get(started.headers().location!, { maxRedirects: 0 });
    const callback = new URL(consent.headers().location!, LB);
    const other = INSTANCES.find((i) => i.name !== startedOn)!;
    // The session cookie, and the binding cookie the start of the dance just set.
    const jar = (await page.context().cookies(LB)).map((c) => `${c.name}=${c.value}`);
    const bound = started.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value.split(";")[0]!);
    const completed = await page.request.get(`http://127.0.0.1:${other.port}${callback.pathname}${callback.search}`, { headers: { host: LB_HOST, cookie: [...jar, ...bound].join("; ") }, maxRedirects: 0 });
    steps.push({ path: callback.pathname, servedBy: other.name });
    const setCookies = [...started.headersArray(), ...completed.headersArray()].filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value);
    await route.fulfill({ status: completed.status(), headers: { location: completed.headers().location!, "set-cookie": setCookies.join("\n"), "x-served-by": other.name } });
  });
  await page.getByRole("link", { name: "Authorize", exact: true }).click();
  // python3-oauthlib's provider consents at once and sends the browser back to the cluster.
  await expect(page).toHaveURL(new RegExp(`/links/${id}/request\\?path=rest%2Fapi%2F2%2Fmyself$`));
  await expect(page.getByRole("status").filter({ hasText: "is authorized: requests through it now run as you" })).toBeVisible();
  await expect(page.getByTestId("response-status")).toHaveText("200");
  await screenshot(page, "cluster-3lo-result");
  const started = steps.find((s) => s.path === `/api/v1/links/${id}/authorize`);
  const completed = steps.find((s) => s.path === `/api/v1/links/${id}/oauth-callback`);
  expect(started?.servedBy).toMatch(/^[abc]$/);
  expect(completed?.servedBy).toMatch(/^[abc]$/);
  // The request token stored by one instance was completed by another (sent there on purpose, above),
  // and the pages came from all three.
  expect(completed!.servedBy).not.toBe(started!.servedBy);
  expect(new Set(steps.map((s) => s.servedBy))).toEqual(new Set(["a", "b", "c"]));
});

test("an external application's OAuth 2.0 across instances: a code exchanged at another, a refresh token spent once among all three, a reuse revoking everywhere", async ({ page }) => {
  const json = { ...bearer(adminToken), "content-type": "application/json" };
  const redirect = "https://cluster-ci.example.test/callback";
  const link = JSON.parse((await call(`${LB}/api/v1/links`, { method: "POST", headers: json, body: JSON.stringify({ name: "Cluster CI", type: "generic", rpcUrl: "http://127.0.0.1:9/cluster-ci" }) })).body) as { id: string };
  const on = JSON.parse((await call(`http://127.0.0.1:3211/api/v1/links/${link.id}/incoming`, { method: "PUT", headers: json, body: JSON.stringify({ oauth2: { redirectUris: [redirect], scopes: ["READ"] } }) })).body) as { oauth2: { clientId: string; clientSecret: string } };
  const { clientId, clientSecret } = on.oauth2;
  const basic = { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" };
  const token = (port: number, form: Record<string, string>) => call(`http://127.0.0.1:${port}/rest/oauth2/latest/token`, { method: "POST", headers: basic, body: new URLSearchParams(form).toString() });

  // The person consents through the load balancer (whichever instance answers each step).
  const verifier = crypto.randomBytes(32).toString("base64url");
  const challenge = crypto.createHash("sha256").update(verifier).digest("base64url");
  await page.goto(`${LB}/signin`);
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`^${LB}/links`));
  let callback = "";
  await page.route("https://cluster-ci.example.test/**", (route) => {
    callback = route.request().url();
    return route.fulfill({ status: 200, contentType: "text/html", body: "<h1>Back at CI</h1>" });
  });
  const query = new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: redirect, scope: "READ", state: "cluster", code_challenge: challenge, code_challenge_method: "S256" });
  await page.goto(`${LB}/rest/oauth2/latest/authorize?${query}`);
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page.getByRole("heading", { name: "Back at CI" })).toBeVisible();
  const code = new URL(callback).searchParams.get("code")!;

  // Exchanged at b, used at c and a.
  const issued = await token(3212, { grant_type: "authorization_code", code, redirect_uri: redirect, code_verifier: verifier });
  expect(issued.status).toBe(200);
  const first = JSON.parse(issued.body) as { access_token: string; refresh_token: string };
  for (const port of [3213, 3211]) expect((await call(`http://127.0.0.1:${port}/api/v1/myself`, { headers: bearer(first.access_token) })).status).toBe(200);

  // The same refresh token at a and b at once: one of them spends it, never both.
  const raced = await Promise.all([3211, 3212].map((port) => token(port, { grant_type: "refresh_token", refresh_token: first.refresh_token })));
  expect(raced.map((r) => r.status).sort()).toEqual([200, 400]);
  const next = JSON.parse(raced.find((r) => r.status === 200)!.body) as { access_token: string };
  // Used again at c: a copied token; the whole grant ends, at every instance on its next request.
  expect(JSON.parse((await token(3213, { grant_type: "refresh_token", refresh_token: first.refresh_token })).body)).toMatchObject({ error: "invalid_grant" });
  for (const port of [3211, 3212, 3213]) {
    const refused = await call(`http://127.0.0.1:${port}/api/v1/myself`, { headers: bearer(next.access_token) });
    expect({ port, status: refused.status }).toEqual({ port, status: 401 });
  }
});

test("a person's OAuth 2.0 token at a remote that rotates refresh tokens, refreshed under load by three instances: no refresh token is ever presented twice", async ({ page }) => {
  test.setTimeout(120_000);
  // A stand-in with Atlassian Cloud's shape (tests/support/atlassian-cloud-stand-in.ts): access tokens live 2 s, and a refresh token presented twice ends the grant.
  const secret = "cluster cloud client secret 0123456789abcdef";
  const cloud = await startAtlassianCloudStandIn({ clientId: "cluster-cloud", clientSecret: secret, accessTokenSeconds: 2, sites: [{ id: "cloud-elsewhere", url: "https://elsewhere.atlassian.net" }, { id: "cloud-cluster", url: "https://cluster.atlassian.net" }] });
  try {
    const json = { ...bearer(adminToken), "content-type": "application/json" };
    const link = JSON.parse((await call(`${LB}/api/v1/links`, { method: "POST", headers: json, body: JSON.stringify({ name: "Cluster Cloud Jira", type: "jira", rpcUrl: "https://cluster.atlassian.net" }) })).body) as { id: string };
    const configured = await call(`${LB}/api/v1/links/${link.id}/outgoing`, {
      method: "PUT",
      headers: json,
      body: JSON.stringify({ scheme: "oauth2", preset: "atlassian-cloud", clientId: "cluster-cloud", clientSecret: secret, authorizationUrl: `${cloud.url}/authorize`, tokenUrl: `${cloud.url}/oauth/token`, resourcesUrl: `${cloud.url}/oauth/token/accessible-resources`, apiUrl: cloud.url }),
    });
    expect(configured.status, configured.body).toBe(200);
    // The administrator authorizes in the browser, through the load balancer.
    await page.goto(`${LB}/signin`);
    await page.getByLabel("Username").fill(ADMIN.username);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(new RegExp(`^${LB}/links`));
    await page.goto(`${LB}/links/${link.id}`);
    await page.getByRole("link", { name: "Authorize", exact: true }).first().click();
    await expect(page.getByRole("status").filter({ hasText: "is authorized: requests through it now run as you" })).toBeVisible();

    // Six callers for 7 s through all three instances: each access token ends every 2 s.
    const myself = `${LB}/api/v1/links/${link.id}/proxy/rest/api/3/myself`;
    const served = new Set<string>();
    const results = await load(
      6,
      async () => {
        const answer = await call(myself, { headers: bearer(adminToken) });
        served.add(answer.servedBy);
        return { ok: answer.status === 200 && answer.body.includes('"cloudId":"cloud-cluster"'), status: answer.status, detail: `${answer.servedBy}: ${answer.body.slice(0, 200)}` };
      },
      new Promise((resolve) => setTimeout(resolve, 7_000)),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.length).toBeGreaterThan(30);
    expect(served).toEqual(new Set(["a", "b", "c"]));
    expect(cloud.refreshes).toBeGreaterThanOrEqual(3);
    expect(cloud.endedByReuse).toBe(0);
    expect(new Set(cloud.presentedRefreshTokens).size).toBe(cloud.presentedRefreshTokens.length);
  } finally {
    await cloud.close();
  }
});

test("a link going down, seen by all three instances at once, is told once by the lease holder; its recovery too", async () => {
  test.setTimeout(90_000);
  const hooks = await startWebhookReceiver();
  const remote = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  await new Promise<void>((resolve) => remote.listen(0, "127.0.0.1", resolve));
  const remotePort = (remote.address() as AddressInfo).port;
  try {
    const json = { ...bearer(adminToken), "content-type": "application/json" };
    const channel = JSON.parse((await call(`${LB}/api/v1/notifications/channels`, { method: "POST", headers: json, body: JSON.stringify({ kind: "webhook", name: "Cluster hook", url: `${hooks.base}/cluster`, events: ["status-worse", "status-recovered"] }) })).body) as { secret: string };
    hooks.state.secret = channel.secret;
    const link = JSON.parse((await call(`${LB}/api/v1/links`, { method: "POST", headers: json, body: JSON.stringify({ name: "Cluster alerted", type: "generic", rpcUrl: `http://127.0.0.1:${remotePort}/app` }) })).body) as { id: string };
    expect((await call(`${LB}/api/v1/links/${link.id}/status`, { method: "POST", headers: json })).status).toBe(200);

    // The remote goes away; a request at each instance, at once: each of the three notices it.
    await new Promise<void>((resolve) => (remote.close(() => resolve()), remote.closeAllConnections()));
    const failed = await Promise.all(INSTANCES.map((i) => call(`http://127.0.0.1:${i.port}/api/v1/links/${link.id}/proxy/x`, { headers: bearer(adminToken) })));
    expect(failed.map((r) => r.status)).toEqual([502, 502, 502]);
    await expect.poll(() => hooks.state.hooks.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    // It comes back; an admin's Check now at b sees it.
    await new Promise<void>((resolve) => remote.listen(remotePort, "127.0.0.1", resolve));
    expect((await call(`http://127.0.0.1:3212/api/v1/links/${link.id}/status`, { method: "POST", headers: json })).status).toBe(200);
    await expect.poll(() => hooks.state.hooks.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    // Every instance has had a couple of rounds (every 5 s): still one of each, each signature good.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    expect(hooks.state.hooks.map((h) => [h.json.type, h.verified, h.repeat])).toEqual([
      ["status-worse", true, false],
      ["status-recovered", true, false],
    ]);
  } finally {
    remote.close();
    await hooks.close();
  }
});

test("kill -9 of one instance under a write load: no acknowledged write is lost, and the others keep serving", async () => {
  test.setTimeout(120_000);
  const json = { ...bearer(adminToken), "content-type": "application/json" };
  const acknowledged: string[] = [];
  const run = `kill-${Date.now()}`;
  let killedAt = 0;
  let downAt = 0;
  // The event the rest is about: HAProxy marking b down (its own health check). Until then a
  // request may reach the dead instance; from then on none may fail, however slow the machine.
  const markedDown = () => haproxyEvents.find((e) => e.at >= killedAt && /Server instances\/b is DOWN/.test(e.line))?.at ?? 0;
  const stop = (async () => {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    killedAt = Date.now();
    running.get("b")!.kill("SIGKILL");
    await expect.poll(markedDown, { timeout: 20_000, intervals: [50] }).toBeGreaterThan(0);
    downAt = markedDown();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  })();
  const results = await load(
    4,
    async (n) => {
      const name = `${run}-${n}`;
      const res = await call(`${LB}/api/v1/links`, { method: "POST", headers: json, body: JSON.stringify({ name, type: "generic", rpcUrl: `http://127.0.0.1:9/${name}` }) });
      if (res.status === 201) acknowledged.push(name);
      return { ok: res.status === 201, status: res.status, detail: res.body.slice(0, 120) };
    },
    stop,
  );
  await exited(running.get("b")!);
  // Every write the cluster acknowledged is in the database.
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const stored = new Set((await client.query<{ name: string }>(`SELECT "name" FROM "Link" WHERE "name" LIKE $1`, [`${run}-%`])).rows.map((r) => r.name));
  await client.end();
  expect(acknowledged.length).toBeGreaterThan(20);
  expect(acknowledged.filter((name) => !stored.has(name))).toEqual([]);
  // Only requests sent before the balancer knew b was gone can fail; every one sent after succeeds.
  const late = results.filter((r) => r.at > downAt);
  expect(late.length).toBeGreaterThan(10);
  expect(late.filter((r) => !r.ok)).toEqual([]);
  console.log(`kill -9: ${results.length} writes, ${results.filter((r) => !r.ok).length} failed (all before HAProxy marked b down, ${downAt - killedAt} ms after the kill), ${acknowledged.length} acknowledged and all stored`);
  await start("b");
  await inRotation("b");
});

test("a rolling restart of all three under steady load fails no request", async () => {
  test.setTimeout(240_000);
  const links = JSON.parse((await call(`${LB}/api/v1/links?q=Cluster%20Jira`, { headers: bearer(adminToken) })).body) as { links: { id: string }[] };
  const id = links.links[0]!.id;
  const restarts = (async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const { name } of INSTANCES) {
      const child = running.get(name)!;
      child.kill("SIGTERM");
      await exited(child);
      await start(name);
      await inRotation(name);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  })();
  const results = await load(
    4,
    async (n) => {
      const res = n % 2 ? await call(`${LB}/api/v1/myself`, { headers: bearer(adminToken) }) : await call(`${LB}/api/v1/links/${id}/proxy/rest/api/2/myself`, { headers: bearer(adminToken) });
      return { ok: res.status === 200, status: res.status, detail: `${res.servedBy}: ${res.body.slice(0, 120)}` };
    },
    restarts,
  );
  console.log(`rolling restart: ${results.length} requests, ${results.filter((r) => !r.ok).length} failed`);
  expect(results.length).toBeGreaterThan(100);
  expect(results.filter((r) => !r.ok)).toEqual([]);
});
