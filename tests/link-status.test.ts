/**
 * Link status and diagnostics (issue 11): every status from a real fault, over real sockets, no
 * mocks. The faults: a stopped remote, a `.invalid` host, a listener that never answers, self-signed
 * and wrong-host TLS, a peer whose clock is 10 minutes off, a reinstalled remote, a disabled link,
 * legacy authentication, an oauthlib peer with no status resource, and an applinks peer (tests/
 * support/applinks-peer.ts) whose link back differs, is missing, forgot our consumer, or will not
 * show its side to a non-admin. Each fix the diagnosis offers is applied and the link checked again.
 */
import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import https from "node:https";
import net from "node:net";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { ensureAppIdentity } from "@/lib/identity/app-identity";
import { createLink } from "@/lib/links/create-link";
import { patchLink, setIncoming, setOutgoing } from "@/lib/links/update-link";
import { applyFix } from "@/lib/status/apply-fix";
import { startBackgroundChecks } from "@/lib/status/background";
import { checkFromLinkPage, checkLinkNow, linkStatusView, pageCheckReason, retryDelayMs, statusRow } from "@/lib/status/store";
import { linkFetch } from "@/lib/outgoing/link-fetch";
import { outgoingProblemFinding } from "@/lib/status/diagnose";
import { authenticateOAuth } from "@/lib/incoming/incoming-caller";
import { signRequest } from "@/lib/oauth1";
import * as statusRoute from "@/app/api/v1/links/[id]/status/route";
import * as applinksStatusRoute from "@/app/rest/applinks/3.0/status/[applicationId]/route";
import * as linksRoute from "@/app/api/v1/links/route";
import { startApplinksPeer } from "@/tests/support/applinks-peer";
import { startOauthlibProvider } from "@/tests/support/oauthlib-provider";
import { makeUser, sessionCookie, SYSTEM } from "@/tests/support/factories";

const OUR_URL = "http://applink-admin.test";
const QUICK = { timeoutMs: 1500 };
const closers: (() => unknown)[] = [];

/** A TCP listener that accepts and never answers; closing it drops its connections. */
const silentSockets = new Map<number, Set<net.Socket>>();
async function silentListener(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  const port = (server.address() as AddressInfo).port;
  silentSockets.set(port, sockets);
  return port;
}
/** The silent listener on `port` hangs up every connection it holds. */
function hangUp(port: number): void {
  for (const socket of silentSockets.get(port) ?? []) socket.destroy();
}
afterAll(async () => {
  for (const close of closers) await close();
});

let admin: Awaited<ReturnType<typeof makeUser>>;
let consumer: { key: string; publicKeyPem: string };
beforeAll(async () => {
  admin = await makeUser("ADMIN", { username: "admin" });
  const identity = await ensureAppIdentity(db);
  consumer = { key: identity.consumerKey, publicKeyPem: identity.publicKeyPem };
});

let seq = 0;
async function link(rpcUrl: string, options: { type?: "generic" | "jira"; out?: Partial<Record<"threeLegged" | "twoLegged" | "impersonation", boolean>>; remoteAppId?: string } = {}) {
  const { link: made } = await createLink(db, SYSTEM, { name: `Status ${++seq}`, type: options.type ?? "generic", rpcUrl });
  if (options.out) await setOutgoing(db, SYSTEM, made.id, { threeLegged: false, twoLegged: false, impersonation: false, ...options.out });
  if (options.remoteAppId) await db.link.update({ where: { id: made.id }, data: { remoteAppId: options.remoteAppId } });
  return made.id;
}

async function check(id: string, as: { id: string } | null = admin) {
  const { link: fresh, row } = await checkLinkNow(db, id, { admin: as, ...QUICK });
  return linkStatusView(fresh, row, OUR_URL);
}

const result = (view: Awaited<ReturnType<typeof check>>, name: string) => view.checks.find((c) => c.name === name);

describe("network faults: NETWORK_ERROR, the cause first", () => {
  it("a stopped remote: connection refused", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const view = await check(await link(`http://127.0.0.1:${port}`));
    expect(view).toMatchObject({ status: "NETWORK_ERROR", errorType: "CONNECTION_REFUSED", cause: expect.stringMatching(/^connection refused: 127\.0\.0\.1:\d+ refused the connection/), fix: expect.stringContaining("Start the remote") });
    expect(result(view, "reach")).toMatchObject({ result: "fail", ms: expect.any(Number) });
    expect(result(view, "identity")?.result).toBe("skipped");
  });

  it("a .invalid host: unknown host", async () => {
    const view = await check(await link("http://no-such-application.invalid"));
    expect(view).toMatchObject({ status: "NETWORK_ERROR", errorType: "UNKNOWN_HOST", cause: expect.stringMatching(/^unknown host: no-such-application\.invalid is not in DNS/) });
  });

  it("a listener that never answers: timed out, within the step's limit", async () => {
    const port = await silentListener();
    const started = Date.now();
    const view = await check(await link(`http://127.0.0.1:${port}`));
    expect(view).toMatchObject({ status: "NETWORK_ERROR", errorType: "CONNECTION_TIMEOUT", cause: expect.stringMatching(/^timed out: .* did not answer within 1\.5 s/) });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("TLS: a self-signed certificate is untrusted, a certificate for another name is refused as such", async () => {
    const certs = JSON.parse(execFileSync("/usr/bin/python3", [path.resolve("tests/support/make_certs.py")], { encoding: "utf8" })) as Record<"ca" | "leaf" | "leafKey" | "selfSigned" | "selfSignedKey", string>;
    const serve = async (options: https.ServerOptions) => {
      const server = https.createServer(options, (_q, r) => r.end("ok"));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      closers.push(() => server.close());
      return (server.address() as AddressInfo).port;
    };
    const selfSigned = await check(await link(`https://127.0.0.1:${await serve({ cert: certs.selfSigned, key: certs.selfSignedKey })}`));
    expect(selfSigned).toMatchObject({ status: "NETWORK_ERROR", errorType: "SSL_UNTRUSTED", cause: expect.stringMatching(/^certificate not trusted: .*self-signed/) });
    // "localhost" resolves here, but the certificate names another host: trusted CA or not, the name is checked first or alongside.
    const port = await serve({ cert: certs.leaf + certs.ca, key: certs.leafKey });
    const otherName = await check(await link(`https://localhost:${port}`));
    expect(otherName.status).toBe("NETWORK_ERROR");
    expect(["SSL_UNTRUSTED", "SSL_HOSTNAME_UNMATCHED"]).toContain(otherName.errorType);
    expect(otherName.cause).toMatch(/^certificate (not trusted|for another host)/);
  });
});

describe("an applinks peer: identity, clock, the remote's view and the levels on both ends", () => {
  let peer: Awaited<ReturnType<typeof startApplinksPeer>>;
  let id: string;
  beforeAll(async () => {
    peer = await startApplinksPeer(consumer);
    closers.push(() => peer.close());
  });

  async function fresh(out: { threeLegged?: boolean; twoLegged?: boolean; impersonation?: boolean } = { threeLegged: true, twoLegged: true, impersonation: true }) {
    Object.assign(peer.behaviour, { appId: "peer-app-id", applinksVersion: "9.0.0", clockOffsetSeconds: 0, forgotConsumer: false, admins: ["admin"] });
    peer.behaviour.linkBack = { incoming: { enabled: true, twoLoEnabled: true, twoLoImpersonationEnabled: true }, outgoing: { enabled: false, twoLoEnabled: false, twoLoImpersonationEnabled: false } };
    await db.link.deleteMany({ where: { rpcUrl: peer.url } });
    id = await link(peer.url, { type: "jira", out, remoteAppId: "peer-app-id" });
    return id;
  }

  it("CONNECTED when every check passes; each check says what it saw", async () => {
    await fresh();
    const view = await check(id);
    expect(view.status, JSON.stringify(view.checks, null, 1)).toBe("CONNECTED");
    expect(view.checks.map((c) => [c.name, c.result])).toEqual([
      ["enabled", "pass"],
      ["reach", "pass"],
      ["identity", "pass"],
      ["clock", "pass"],
      ["remote-view", "pass"],
      ["auth-levels", "pass"],
      ["signed-call", "pass"],
      ["incoming", "skipped"],
      ["legacy", "pass"],
    ]);
    expect(result(view, "signed-call")?.message).toMatch(/2LO accepted \(HTTP 200\), 2LO with impersonation accepted \(HTTP 200\) at \/rest\/api\/2\/myself/);
    // The remote's side was read as the admin (impersonation), through its status resource.
    expect(peer.seen).toContain(`GET /rest/applinks/3.0/status/${(await ensureAppIdentity(db)).instanceId}`);
  });

  it("a level on here but off on the remote: CONFIG_ERROR naming the side and the level; 'match here' heals it", async () => {
    await fresh();
    peer.behaviour.linkBack!.incoming.twoLoEnabled = false;
    const view = await check(id);
    expect(view).toMatchObject({ status: "CONFIG_ERROR", errorType: "AUTH_LEVEL_MISMATCH", cause: expect.stringMatching(/^Outgoing 2LO is on here but 2LO is off for us on Status \d+\.$/) });
    // Matching here would drop a level chosen here: the label says so, and the remote's own page (which keeps it) comes first.
    expect(view.actions).toMatchObject([
      { kind: "fix-on-remote", label: expect.stringMatching(/^Open Status \d+'s application links$/), href: `${peer.url}/plugins/servlet/applinks/listApplicationLinks` },
      { kind: "match-here", label: expect.stringMatching(/^Match this side to Status \d+: turns outgoing 2LO off here$/), apply: "match-here" },
    ]);
    await applyFix(db, SYSTEM, id, "match-here");
    const healed = await check(id);
    expect(healed.status, healed.cause).toBe("CONNECTED");
    expect(await db.link.findUniqueOrThrow({ where: { id } })).toMatchObject({ out2lo: false, outImpersonation: true, out3lo: true });
  });

  it("a level the remote refuses (permission_denied): both fixes are buttons, and turning it off here says what it drops", async () => {
    await fresh();
    const row = { ...(await db.link.findUniqueOrThrow({ where: { id } })), type: "applink-admin", out2lo: true, outImpersonation: true, out3lo: true, outEnabled: true };
    const finding = outgoingProblemFinding("permission_denied", "Second", row, "2LO", "their-link-1");
    expect(finding).toMatchObject({ status: "CONFIG_ERROR", type: "AUTH_LEVEL_MISMATCH" });
    expect(finding.actions).toEqual([
      { kind: "fix-on-remote", label: "Allow 2LO on Second", remoteUrl: row.displayUrl, remoteLinkId: "their-link-1", outgoing: expect.any(Object), incoming: { threeLegged: true, twoLegged: true, impersonation: true } },
      { kind: "match-here", label: "Turn outgoing 2LO off here (drops it for this app's callers)", outgoing: { threeLegged: true, twoLegged: false, impersonation: true } },
    ]);
    // Another product: its own application links page, and the same button here.
    const jira = outgoingProblemFinding("permission_denied", "Jira", { ...row, type: "jira" }, "2LO with impersonation");
    expect(jira.actions?.map((a) => [a.kind, a.label])).toEqual([
      ["fix-on-remote", "Open Jira's application links"],
      ["match-here", "Turn outgoing 2LO with impersonation off here (drops it for this app's callers)"],
    ]);
  });

  it("no link back: CONFIG_ERROR with 'Create the link back' on the remote", async () => {
    await fresh();
    peer.behaviour.linkBack = null;
    const view = await check(id);
    expect(view).toMatchObject({ status: "CONFIG_ERROR", errorType: "NO_REMOTE_APPLINK", cause: expect.stringMatching(/^No link back:/) });
    expect(view.actions[0]).toMatchObject({ kind: "create-link-back", href: `${peer.url}/plugins/servlet/applinks/listApplicationLinks` });
  });

  it("not an administrator on the remote: ACCESS_DENIED", async () => {
    await fresh();
    peer.behaviour.admins = [];
    expect(await check(id)).toMatchObject({ status: "ACCESS_DENIED", errorType: "INSUFFICIENT_REMOTE_PERMISSION", cause: expect.stringContaining("not an administrator") });
  });

  it("the remote forgot our consumer: CONFIG_ERROR consumer_key_unknown, with the remedy on the remote", async () => {
    await fresh();
    peer.behaviour.forgotConsumer = true;
    const view = await check(id);
    expect(view).toMatchObject({ status: "CONFIG_ERROR", problem: "consumer_key_unknown", cause: expect.stringContaining("does not know this app's consumer"), fix: expect.stringContaining("re-fetch this app's consumer") });
    // Real traffic agrees: the proxy recorded the problem, and a later success clears it.
    expect(view.traffic.lastProblem).toBe("consumer_key_unknown");
    peer.behaviour.forgotConsumer = false;
    const row = await db.link.findUniqueOrThrow({ where: { id } });
    const response = await linkFetch(db, row, { method: "GET", url: `${peer.url}/rest/api/2/myself` }, { as: { server: true }, level: "2lo", retry: { delaysMs: [] } });
    expect(response.status).toBe(200);
    expect((await db.link.findUniqueOrThrow({ where: { id } })).lastProblem).toBeNull();
    expect((await check(id)).status).toBe("CONNECTED");
  });

  it("a clock 10 minutes off: CONFIG_ERROR with the number of seconds (and the signed calls agree)", async () => {
    await fresh();
    peer.behaviour.clockOffsetSeconds = 600;
    const view = await check(id);
    expect(view.status).toBe("CONFIG_ERROR");
    expect(result(view, "clock")).toMatchObject({ result: "fail", message: expect.stringMatching(/clock is (599|600|601) s ahead of ours: beyond the 300 s OAuth accepts/) });
    peer.behaviour.clockOffsetSeconds = 200;
    expect(result(await check(id), "clock")).toMatchObject({ result: "warn", message: expect.stringMatching(/(199|200|201) s ahead of ours: more than half/) });
  });

  it("a reinstalled remote (a new application id): CONFIG_ERROR; accepting the new id heals it", async () => {
    await fresh();
    peer.behaviour.appId = "peer-app-id-reinstalled";
    const view = await check(id);
    expect(view).toMatchObject({ status: "CONFIG_ERROR", errorType: "UNEXPECTED_APPLICATION_ID", cause: expect.stringContaining("now says it is application peer-app-id-reinstalled") });
    await applyFix(db, SYSTEM, id, "adopt-identity");
    expect((await db.link.findUniqueOrThrow({ where: { id } })).remoteAppId).toBe("peer-app-id-reinstalled");
    expect((await check(id)).status).toBe("CONNECTED");
  });

  it("an applinks too old to read: INCOMPATIBLE", async () => {
    await fresh();
    peer.behaviour.applinksVersion = "3.10.2";
    expect(await check(id)).toMatchObject({ status: "INCOMPATIBLE", errorType: "REMOTE_VERSION_INCOMPATIBLE" });
  });

  it("3LO only and no authorization yet: Authenticate to see status, with the Authorize button", async () => {
    await fresh({ twoLegged: false, impersonation: false, threeLegged: true });
    const view = await check(id);
    expect(view.status).toBe("AUTHENTICATE");
    expect(view.actions[0]).toMatchObject({ kind: "authorize", href: `/api/v1/links/${id}/authorize?returnTo=${encodeURIComponent(`/links/${id}`)}` });
  });

  it("legacy authentication on: UPGRADE_CONFIG; switching it off heals it", async () => {
    await fresh();
    await db.link.update({ where: { id }, data: { basicAccess: true } });
    const view = await check(id);
    expect(view).toMatchObject({ status: "UPGRADE_CONFIG", cause: "Basic Access is on: deprecated authentication." });
    await applyFix(db, SYSTEM, id, "disable-legacy");
    expect((await check(id)).status).toBe("CONNECTED");
  });

  it("a disabled link: DISABLED; the proxy refuses it with 409 link_disabled, settings kept; enabling resumes", async () => {
    await fresh();
    const row = await db.link.findUniqueOrThrow({ where: { id } });
    await patchLink(db, SYSTEM, id, { version: row.version, enabled: false });
    const disabled = await db.link.findUniqueOrThrow({ where: { id } });
    expect(disabled).toMatchObject({ disabled: true, out2lo: true, outImpersonation: true });
    expect(await check(id)).toMatchObject({ status: "DISABLED", actions: [{ kind: "enable", apply: "enable" }] });
    await expect(linkFetch(db, disabled, { method: "GET", url: `${peer.url}/rest/api/2/myself` }, { as: { server: true } })).rejects.toMatchObject({ code: "link_disabled", status: 409 });
    await applyFix(db, SYSTEM, id, "enable");
    expect((await check(id)).status).toBe("CONNECTED");
  });

  it("a fix the last check did not offer is refused, and changes nothing", async () => {
    await fresh();
    await check(id);
    await expect(applyFix(db, SYSTEM, id, "match-here")).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("an oauthlib peer with no applinks: checked by the other steps, not an error", () => {
  let provider: ChildProcess;
  afterAll(() => provider?.kill());
  it("identity and the remote's view are skipped as such; the signed 2LO call is verified by oauthlib", async () => {
    const started = await startOauthlibProvider();
    provider = started.process;
    const view = await check(await link(`http://127.0.0.1:${started.port}/app`, { out: { twoLegged: true } }));
    expect(view.status, JSON.stringify(view.checks)).toBe("CONNECTED");
    expect(result(view, "identity")).toMatchObject({ result: "skipped", message: expect.stringContaining("a generic OAuth peer") });
    expect(result(view, "remote-view")?.result).toBe("skipped");
    expect(result(view, "signed-call")).toMatchObject({ result: "pass", message: "2LO accepted (HTTP 200) at /." });
  });
});

describe("incoming: what the linked application's calls met", () => {
  it("a refusal is recorded on its link, shown with its fix, and a later success supersedes it", async () => {
    const keys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const id = await link("http://127.0.0.1:9", {});
    await setIncoming(db, SYSTEM, id, { consumerKey: "incoming-status-peer", publicKey: keys.publicKey.export({ type: "spki", format: "pem" }) as string, threeLegged: false, twoLegged: true, executeAs: "admin", impersonation: false });
    const call = async (privateKey: crypto.KeyObject) => {
      const signed = await signRequest({ method: "GET", url: "http://localhost/api/v1/myself" }, { key: "incoming-status-peer", privateKey });
      return authenticateOAuth(db, { method: "GET", url: signed.url, headers: new Headers({ authorization: signed.authorization, host: "localhost" }), body: null });
    };
    await expect(call(crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey)).rejects.toMatchObject({ problem: "signature_invalid" });
    const refused = await check(id);
    expect(result(refused, "incoming")).toMatchObject({ result: "fail", problem: "signature_invalid", actions: [{ kind: "refetch-consumer" }] });
    expect(refused.incoming).toMatchObject({ problem: "signature_invalid", problemAt: expect.any(Date) });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await call(keys.privateKey)).toMatchObject({ via: "oauth-2lo", user: { username: "admin" } });
    expect(result(await check(id), "incoming")?.result).toBe("pass");
    // Disabled: refused after the signature, as every setting is.
    const row = await db.link.findUniqueOrThrow({ where: { id } });
    await patchLink(db, SYSTEM, id, { version: row.version, enabled: false });
    await expect(call(keys.privateKey)).rejects.toMatchObject({ problem: "permission_denied", message: expect.stringContaining("is disabled here") });
  });
});

describe("incoming OAuth 2.0: what the external application met", () => {
  it("a redirect URL that is not registered is shown with its fix, on a link whose OAuth 1.0a is off", async () => {
    const { setOAuth2Client } = await import("@/lib/incoming/oauth2/clients");
    const { checkAuthorizationRequest } = await import("@/lib/incoming/oauth2/server");
    const id = await link("http://127.0.0.1:9/ci-server", {});
    const { client } = await setOAuth2Client(db, SYSTEM, id, { redirectUris: ["https://ci.example.test/cb"], scopes: ["READ"] });
    const answer = await checkAuthorizationRequest(db, { response_type: "code", client_id: client!.clientId, redirect_uri: "https://evil.example.test/cb" });
    expect(answer).toMatchObject({ kind: "refused", message: expect.stringContaining("is not one registered") });
    const refused = await check(id);
    expect(result(refused, "incoming")).toMatchObject({ result: "fail", problem: "oauth2_redirect_uri_mismatch", actions: [{ kind: "open-section", section: "oauth2" }] });
  });
});

describe("the HTTP surface", () => {
  type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
  it("GET and POST /api/v1/links/{id}/status, the status filter, and Atlassian's /rest/applinks/3.0/status/{applicationId}", async () => {
    const cookie = await sessionCookie(admin.id);
    const id = await link("http://nowhere.invalid");
    await db.link.update({ where: { id }, data: { remoteAppId: "http-surface-app" } });
    const call = (handler: Handler, method: string, url: string, params: Record<string, string>, body?: unknown) =>
      handler(new Request(url, { method, headers: { cookie, ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined }), { params: Promise.resolve(params) });

    const before = await (await call(statusRoute.GET as Handler, "GET", `http://localhost/api/v1/links/${id}/status`, { id })).json();
    expect(before).toMatchObject({ status: "UNCHECKED", checkedAt: null, checks: [] });
    const checked = await call(statusRoute.POST as Handler, "POST", `http://localhost/api/v1/links/${id}/status`, { id });
    expect(checked.status).toBe(200);
    expect(await checked.json()).toMatchObject({ status: "NETWORK_ERROR", cause: expect.stringMatching(/^unknown host/), fix: expect.any(String), checkedAt: expect.any(String), checks: expect.arrayContaining([expect.objectContaining({ name: "reach", result: "fail", ms: expect.any(Number), message: expect.any(String) })]) });
    const badFix = await call(statusRoute.POST as Handler, "POST", `http://localhost/api/v1/links/${id}/status`, { id }, { fix: "launch-missiles" });
    expect(badFix.status).toBe(400);

    const filtered = await (await call(linksRoute.GET as Handler, "GET", "http://localhost/api/v1/links?status=NETWORK_ERROR&pageSize=200", {})).json();
    expect(filtered.links.map((l: { id: string }) => l.id)).toContain(id);
    expect(filtered.links.every((l: { status: { status: string } }) => l.status.status === "NETWORK_ERROR")).toBe(true);

    const atlassian = await (await call(applinksStatusRoute.GET as Handler, "GET", "http://localhost/rest/applinks/3.0/status/http-surface-app", { applicationId: "http-surface-app" })).json();
    expect(atlassian).toMatchObject({
      link: { id, type: "generic" },
      working: false,
      localAuthentication: { incoming: { enabled: false, twoLoEnabled: false, twoLoImpersonationEnabled: false }, outgoing: { enabled: false } },
      error: { category: "NETWORK_ERROR", type: "UNKNOWN_HOST" },
    });
    const unknown = await call(applinksStatusRoute.GET as Handler, "GET", "http://localhost/rest/applinks/3.0/status/nobody", { applicationId: "nobody" });
    expect(unknown.status).toBe(404);
  });
});

describe("a linked application reads its own link's status, as itself", () => {
  type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
  it("2-legged with no user: its own link only, whatever levels the link allows; users, tokens and people keep the admin rule", async () => {
    const keys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    // Incoming 3LO only: 2LO requests from it are refused everywhere else.
    const own = await link("http://own-status.invalid");
    await db.link.update({ where: { id: own }, data: { remoteAppId: "own-status-app" } });
    await setIncoming(db, SYSTEM, own, { consumerKey: "own-status-peer", publicKey: keys.publicKey.export({ type: "spki", format: "pem" }) as string, threeLegged: true, twoLegged: false, impersonation: false });
    const other = await link("http://other-status.invalid");
    await db.link.update({ where: { id: other }, data: { remoteAppId: "other-status-app" } });
    const statusUrl = (appId: string) => `http://localhost/rest/applinks/3.0/status/${appId}`;
    const get = (appId: string, headers: Record<string, string>, url = statusUrl(appId)) =>
      (applinksStatusRoute.GET as Handler)(new Request(url, { headers: { host: "localhost", ...headers } }), { params: Promise.resolve({ applicationId: appId }) });
    const signedGet = async (appId: string, options: Parameters<typeof signRequest>[2] = {}, privateKey = keys.privateKey) => {
      const signed = await signRequest({ method: "GET", url: statusUrl(appId) }, { key: "own-status-peer", privateKey }, options);
      return get(appId, { authorization: signed.authorization }, signed.url);
    };

    const mine = await signedGet("own-status-app");
    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({ link: { id: own }, localAuthentication: { incoming: { enabled: true, twoLoEnabled: false } } });
    // Its call is recorded as an accepted incoming call on its link.
    expect((await statusRow(db, own))?.incomingOkAt).toEqual(expect.any(Date));
    // Another link's status: refused, naming the rule.
    const others = await signedGet("other-status-app");
    expect(others.status).toBe(403);
    expect((await others.json()).error.message).toMatch(/only the status of its own link/);
    // A forged signature, and a user named (impersonation is off here): OAuth refusals, as everywhere.
    expect((await signedGet("own-status-app", {}, crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey)).status).toBe(401);
    const impersonating = await signedGet("own-status-app", { requestorId: "admin" });
    expect(impersonating.status).toBe(401);
    expect(impersonating.headers.get("www-authenticate")).toMatch(/permission_denied/);
    // Anonymous: 401; a signed-in user who is no admin: 403; an admin: 200 for any link.
    expect((await get("own-status-app", {})).status).toBe(401);
    expect((await get("own-status-app", { cookie: await sessionCookie((await makeUser("USER")).id) })).status).toBe(403);
    expect((await get("other-status-app", { cookie: await sessionCookie(admin.id) })).status).toBe(200);
  });
});

describe("checks a link page asks for on its own", () => {
  it("stale: only a diagnosis over two minutes old, at most once a minute per link; returned: unless one just ran", async () => {
    const id = await link("http://127.0.0.1:9/page-checks");
    const t0 = Date.now();
    // Never checked: stale, and checked.
    expect(pageCheckReason({ checkedAt: null, status: "UNCHECKED" }, false, t0)).toBe("stale");
    expect(await checkFromLinkPage(db, id, "stale", admin, t0)).toBe(true);
    const checkedAt = (await statusRow(db, id))!.checkedAt!;
    // A minute later the diagnosis is fresh: nothing to do.
    expect(pageCheckReason({ checkedAt, status: "NETWORK_ERROR" }, false, checkedAt.getTime() + 60_000)).toBeNull();
    expect(await checkFromLinkPage(db, id, "stale", admin, checkedAt.getTime() + 60_000)).toBe(false);
    // Three minutes later it is stale; a second page opened within the minute does not check again.
    const later = checkedAt.getTime() + 180_000;
    expect(pageCheckReason({ checkedAt, status: "NETWORK_ERROR" }, false, later)).toBe("stale");
    expect(await checkFromLinkPage(db, id, "stale", admin, later)).toBe(true);
    await db.linkStatus.update({ where: { linkId: id }, data: { checkedAt } });
    expect(await checkFromLinkPage(db, id, "stale", admin, later + 30_000)).toBe(false);
    // Back from the remote: checked, unless a check ran within the last second.
    expect(pageCheckReason({ checkedAt: new Date(later), status: "CONFIG_ERROR" }, true, later)).toBe("returned");
    await db.linkStatus.update({ where: { linkId: id }, data: { checkedAt: new Date() } });
    expect(await checkFromLinkPage(db, id, "returned", admin)).toBe(false);
    expect(await checkFromLinkPage(db, id, "returned", admin, Date.now() + 5_000)).toBe(true);
    // A disabled link is not checked from its page.
    expect(pageCheckReason({ checkedAt: null, status: "DISABLED" }, true)).toBeNull();
  });
});

describe("a failing link is checked again soon", () => {
  it("a failed check sets its next one 30 s on, twice as long each time up to the interval; a passing check clears it", async () => {
    const id = await link("http://127.0.0.1:9/retry");
    const first = (await checkLinkNow(db, id, QUICK)).row!;
    expect(first).toMatchObject({ status: "NETWORK_ERROR", failedChecks: 1 });
    expect(first.nextCheckAt!.getTime() - first.checkedAt!.getTime()).toBe(30_000);
    const second = (await checkLinkNow(db, id, QUICK)).row!;
    expect(second.failedChecks).toBe(2);
    expect(second.nextCheckAt!.getTime() - second.checkedAt!.getTime()).toBe(60_000);
    expect([1, 2, 3, 5, 10].map((n) => retryDelayMs(n, 600_000))).toEqual([30_000, 60_000, 120_000, 480_000, 600_000]);
    // The stored next check is the page's too.
    expect(linkStatusView(await db.link.findUniqueOrThrow({ where: { id } }), second, OUR_URL).nextCheckAt).toEqual(second.nextCheckAt);
    const peer = await startApplinksPeer(consumer, { appId: "retry-peer" });
    closers.push(() => peer.close());
    const healthy = await link(`${peer.url}/retry`, { out: { twoLegged: true } });
    await db.linkStatus.create({ data: { linkId: healthy, failedChecks: 4, nextCheckAt: new Date() } });
    expect((await checkLinkNow(db, healthy, QUICK)).row).toMatchObject({ status: "CONNECTED", failedChecks: 0, nextCheckAt: null });
  });

  it("a real request's refused connection is the status at once; a timeout only brings the next check forward", async () => {
    const refused = await link("http://127.0.0.1:9/traffic-refused", { out: { twoLegged: true } });
    await db.linkStatus.create({ data: { linkId: refused, status: "CONNECTED", cause: "Every check passed.", checkedAt: new Date(Date.now() - 60_000) } });
    const before = Date.now();
    await expect(linkFetch(db, await db.link.findUniqueOrThrow({ where: { id: refused } }), { method: "GET", url: "http://127.0.0.1:9/traffic-refused/x" }, { as: { server: true }, retry: { delaysMs: [] } })).rejects.toMatchObject({ code: "network_error" });
    const row = (await statusRow(db, refused))!;
    expect(row).toMatchObject({ status: "NETWORK_ERROR", cause: expect.stringMatching(/^A request through the link failed at .*refused/) });
    expect(row.nextCheckAt!.getTime()).toBeGreaterThanOrEqual(before + 30_000);
    expect(linkStatusView(await db.link.findUniqueOrThrow({ where: { id: refused } }), row, OUR_URL).status).toBe("NETWORK_ERROR");

    const port = await silentListener();
    const slow = await link(`http://127.0.0.1:${port}/traffic-slow`, { out: { twoLegged: true } });
    await db.linkStatus.create({ data: { linkId: slow, status: "CONNECTED", cause: "Every check passed.", checkedAt: new Date() } });
    await expect(linkFetch(db, await db.link.findUniqueOrThrow({ where: { id: slow } }), { method: "GET", url: `http://127.0.0.1:${port}/traffic-slow/x` }, { as: { server: true }, retry: { delaysMs: [] }, timeouts: { responseMs: 200 } })).rejects.toMatchObject({ code: "gateway_timeout" });
    expect(await statusRow(db, slow)).toMatchObject({ status: "CONNECTED", nextCheckAt: expect.any(Date) });
  });

  it("the background checks run a link whose stored next check is due, long before its interval", async () => {
    const id = await link("http://127.0.0.1:9/due-early");
    // Only this link may be due: the others are set aside, and given back as they were.
    const others = (await db.link.findMany({ where: { id: { not: id }, disabled: false }, select: { id: true } })).map((l) => l.id);
    await db.link.updateMany({ where: { id: { in: others } }, data: { disabled: true } });
    const checkedAt = new Date();
    await db.linkStatus.create({ data: { linkId: id, status: "NETWORK_ERROR", checkedAt, failedChecks: 1, nextCheckAt: new Date(Date.now() - 1000) } });
    const stop = startBackgroundChecks(db, { intervalMs: 3_600_000, concurrency: 1, tickMs: 100, timeoutMs: 1000 });
    try {
      await expect.poll(async () => (await statusRow(db, id))?.checkedAt?.getTime() ?? 0, { timeout: 30_000, interval: 100 }).toBeGreaterThan(checkedAt.getTime());
      expect((await statusRow(db, id))?.failedChecks).toBe(2);
    } finally {
      stop();
      await db.link.updateMany({ where: { id: { in: others } }, data: { disabled: false } });
    }
  });
});

describe("background checks", () => {
  it("check every due link with bounded concurrency; a hanging remote does not hold up the others", async () => {
    const silentPort = await silentListener();
    const peer = await startApplinksPeer(consumer, { appId: "background-peer" });
    closers.push(() => peer.close());
    await db.link.updateMany({ data: { disabled: true } }); // only this test's links are due
    const hanging = await link(`http://127.0.0.1:${silentPort}`);
    const quick = [await link(`${peer.url}/a`, { out: { twoLegged: true } }), await link(`${peer.url}/b`, { out: { twoLegged: true } }), await link(`${peer.url}/c`, { out: { twoLegged: true } })];
    // A check may take two minutes: the hanging one ends only when its remote hangs up (below), so
    // "the others finished while it still waited" does not depend on how fast this machine is.
    const stop = startBackgroundChecks(db, { intervalMs: 60_000, concurrency: 2, tickMs: 100, timeoutMs: 120_000 });
    try {
      const statuses = async () => (await Promise.all(quick.map((q) => statusRow(db, q)))).map((r) => r?.status ?? null);
      await expect.poll(statuses, { timeout: 60_000, interval: 100 }).toEqual(["CONNECTED", "CONNECTED", "CONNECTED"]);
      // The hanging one holds a slot and is still waiting: it did not hold up the others.
      expect((await statusRow(db, hanging))?.checkedAt ?? null).toBeNull();
      hangUp(silentPort);
      await expect.poll(async () => (await statusRow(db, hanging))?.status ?? null, { timeout: 60_000, interval: 100 }).toBe("NETWORK_ERROR");
    } finally {
      stop();
    }
  });
});

describe("relocation: a new RPC URL must lead to the same application", () => {
  it("refuses a URL where another application answers, naming both ids; accepts the same application at its new address", async () => {
    const first = await startApplinksPeer(consumer, { appId: "relocating-app" });
    const other = await startApplinksPeer(consumer, { appId: "some-other-app" });
    const moved = await startApplinksPeer(consumer, { appId: "relocating-app" });
    closers.push(() => first.close(), () => other.close(), () => moved.close());
    const id = await link(first.url, { remoteAppId: "relocating-app" });
    const version = () => db.link.findUniqueOrThrow({ where: { id } }).then((l) => l.version);
    await expect(patchLink(db, SYSTEM, id, { version: await version(), rpcUrl: other.url })).rejects.toMatchObject({
      code: "conflict",
      message: `${other.url} is application some-other-app, not relocating-app (this link's): to link another application, create a new link.`,
    });
    expect((await db.link.findUniqueOrThrow({ where: { id } })).rpcUrl).toBe(first.url);
    await expect(patchLink(db, SYSTEM, id, { version: await version(), rpcUrl: "http://127.0.0.1:9" })).rejects.toMatchObject({ code: "discovery_failed" });
    const relocated = await patchLink(db, SYSTEM, id, { version: await version(), rpcUrl: moved.url });
    expect(relocated).toMatchObject({ rpcUrl: moved.url, remoteAppId: "relocating-app" });
  });
});
