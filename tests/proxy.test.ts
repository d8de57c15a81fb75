/**
 * The signed proxy and the request factory against an independent OAuth 1.0a provider: a small
 * HTTP service protected by python3-oauthlib (tests/interop/oauthlib_provider_server.py).
 */
import type { ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { rotateAppKeyPair } from "@/lib/identity/rotate-key";
import { createLink } from "@/lib/links/create-link";
import { setOutgoing } from "@/lib/links/update-link";
import { linkFetch } from "@/lib/outgoing/link-fetch";
import { proxyTarget } from "@/lib/outgoing/proxy-path";
import * as proxyRoute from "@/app/api/v1/links/[id]/proxy/[...path]/route";
import { startOauthlibProvider } from "@/tests/support/oauthlib-provider";
import { makeUser, sessionCookie, SYSTEM } from "@/tests/support/factories";

let provider: ChildProcess;
let base: string;
let linkId: string;
let adminCookie: string;
let userCookie: string;
let userName: string;

beforeAll(async () => {
  const started = await startOauthlibProvider();
  provider = started.process;
  const port = started.port;
  base = `http://127.0.0.1:${port}/app`;
  const { link } = await createLink(db, SYSTEM, { name: "Python provider", type: "generic", rpcUrl: base });
  await setOutgoing(db, SYSTEM, link.id, { threeLegged: false, twoLegged: true, impersonation: true });
  linkId = link.id;
  const admin = await makeUser("ADMIN");
  const user = await makeUser("USER");
  adminCookie = await sessionCookie(admin.id);
  userCookie = await sessionCookie(user.id);
  userName = user.username;
});
afterAll(() => provider?.kill());

type Handler = (req: Request, ctx: { params: Promise<Record<string, unknown>> }) => Promise<Response>;

async function proxy(method: string, rest: string, init: { cookie?: string; headers?: Record<string, string>; body?: BodyInit } = {}) {
  const headers = new Headers(init.headers);
  headers.set("cookie", init.cookie ?? adminCookie);
  const req = new Request(`http://localhost/api/v1/links/${linkId}/proxy/${rest}`, { method, headers, body: init.body, duplex: "half" } as RequestInit);
  const handler = (proxyRoute as unknown as Record<string, Handler>)[method]!;
  return handler(req, { params: Promise.resolve({ id: linkId, path: rest.split("?")[0]!.split("/") }) });
}

describe("the signed proxy, verified by python3-oauthlib", () => {
  it("GET with a tricky query: 2LO with impersonation as the caller, query kept byte for byte", async () => {
    const query = "jql=project%20%3D%20ABC%20AND%20text~%22a%2Bb%22&fields%5B%5D=summary&fields%5B%5D=status&empty=&plus=a+b";
    const res = await proxy("GET", `rest/api/2/search?${query}`);
    const json = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(json).toMatchObject({ valid: true, method: "GET", path: "/app/rest/api/2/search", requestor: expect.stringMatching(/^admin/) });
    expect(String(json.rawQuery).startsWith(query)).toBe(true);
  });

  it("a USER is impersonated as themselves", async () => {
    const json = (await (await proxy("GET", "rest/api/2/myself", { cookie: userCookie })).json()) as Record<string, unknown>;
    expect(json).toMatchObject({ valid: true, requestor: userName });
  });

  it("form and JSON bodies (with oauth_body_hash checked) and a several-MB body", async () => {
    const form = await proxy("POST", "form", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: "comment=Looks+good%21&labels=a&labels=b" });
    expect(await form.json()).toMatchObject({ valid: true, bodyHashChecked: false });
    const json = await proxy("POST", "rest/api/2/issue", { headers: { "content-type": "application/json" }, body: '{"fields":{"summary":"Ünïcode"}}' });
    expect(await json.json()).toMatchObject({ valid: true, bodyHashChecked: true });
    const big = crypto.randomBytes(4 * 1024 * 1024);
    const upload = await proxy("PUT", "attachments", { headers: { "content-type": "application/octet-stream" }, body: big });
    expect(await upload.json()).toMatchObject({ valid: true, bodyLength: big.length, bodySha1: crypto.createHash("sha1").update(big).digest("hex"), bodyHashChecked: true });
  });

  it("strips the caller's Cookie and hop-by-hop headers on the way out and Set-Cookie on the way back", async () => {
    const res = await proxy("GET", "headers", { headers: { connection: "x-secret-hop", "x-secret-hop": "1", "proxy-authorization": "Basic eA==" } });
    expect(await res.json()).toMatchObject({ valid: true, sawCookie: false });
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("plain 2LO is for admins and server code; a USER cannot demand it unless the link opens it to users", async () => {
    const link = await db.link.findUniqueOrThrow({ where: { id: linkId } });
    const asServer = await linkFetch(db, link, { method: "GET", url: `${base}/x` }, { as: { server: true }, level: "2lo" });
    expect(await asServer.json()).toMatchObject({ valid: true, requestor: null });
    const user = (await db.user.findUniqueOrThrow({ where: { username: userName } })) as never;
    const asUser = { ...(user as object), via: "session", role: "USER" } as never;
    await expect(linkFetch(db, link, { method: "GET", url: `${base}/x` }, { as: asUser, level: "2lo" })).rejects.toMatchObject({ code: "forbidden" });

    const opened = await setOutgoing(db, SYSTEM, linkId, { threeLegged: false, twoLegged: true, twoLeggedForUsers: true, impersonation: false });
    expect(opened.out2loUsers).toBe(true);
    const plain = await linkFetch(db, opened, { method: "GET", url: `${base}/x` }, { as: asUser });
    expect(await plain.json()).toMatchObject({ valid: true, requestor: null });
    // Switching 2LO off closes it for users too; a PUT without the flag leaves it off.
    expect((await setOutgoing(db, SYSTEM, linkId, { threeLegged: false, twoLegged: false, twoLeggedForUsers: true, impersonation: true })).out2loUsers).toBe(false);
    expect((await setOutgoing(db, SYSTEM, linkId, { threeLegged: false, twoLegged: true, impersonation: true })).out2loUsers).toBe(false);
  });

  it("refuses anything that could leave the RPC URL, with 400", async () => {
    for (const bad of ["../etc/passwd", "a/../../x", "%2e%2e/x", "a/%2E%2E/b", "/other-host/x", "http://evil.example/x", "a\\..\\b", "a%5c..%5cb", "a/%00"]) {
      expect(() => proxyTarget(base, bad, ""), bad).toThrow(/refused/);
    }
    expect(proxyTarget(base, "rest/api/2/issue/ABC-1", "a=b")).toBe(`${base}/rest/api/2/issue/ABC-1?a=b`);
    const res = await proxy("GET", "%2e%2e/secret");
    expect(res.status).toBe(400);
  });

  it("does not follow a redirect to another origin, and classifies timeouts and refusals", async () => {
    const away = await proxy("GET", "redirect-away");
    expect(away.status).toBe(502);
    expect(((await away.json()) as { error: { message: string } }).error.message).toMatch(/another origin/);
    const link = await db.link.findUniqueOrThrow({ where: { id: linkId } });
    await expect(linkFetch(db, link, { method: "GET", url: `${base}/slow` }, { as: { server: true }, level: "2lo", timeouts: { responseMs: 500 } })).rejects.toMatchObject({ code: "gateway_timeout", status: 504 });
    const dead = { ...link, rpcUrl: "http://127.0.0.1:9", outEnabled: false };
    await expect(linkFetch(db, dead, { method: "GET", url: "http://127.0.0.1:9/x" }, { as: { server: true } })).rejects.toMatchObject({ code: "network_error", message: expect.stringMatching(/NETWORK_ERROR: .*refused/) });
  });

  it("returns a remote's oauth_problem to the caller and records it on the link", async () => {
    await rotateAppKeyPair(db, SYSTEM); // the provider still has the old public key
    const res = await proxy("GET", "after-rotation");
    expect(res.status).toBe(401);
    expect(res.headers.get("x-applink-oauth-problem")).toBe("signature_invalid");
    expect(await db.link.findUniqueOrThrow({ where: { id: linkId } })).toMatchObject({ lastProblem: "signature_invalid", lastProblemAt: expect.any(Date) });
  });
});
