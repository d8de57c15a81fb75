/**
 * Issue 15, outgoing: a link authenticates with one fixed credential (Basic, a personal access
 * token, a gateway API key) instead of OAuth 1.0a, alone or with a client certificate (mutual TLS),
 * through the request factory (linkFetch) and the proxy. The remotes are independent: a plain
 * node:http server that decodes and checks the header itself, Node's https server with
 * `requestCert`, and `openssl s_server -Verify 1` for mutual TLS, with certificates made by
 * python3-cryptography. Secrets are write-only and sealed; refusals are named.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import type { AddressInfo } from "node:net";
import * as reference from "atlassian-jwt";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import * as outgoingRoute from "@/app/api/v1/links/[id]/outgoing/route";
import * as csrRoute from "@/app/api/v1/links/[id]/outgoing/csr/route";
import { toCaller } from "@/lib/auth/caller";
import { USER_SELECT } from "@/lib/db/cached-reads";
import { createLink } from "@/lib/links/create-link";
import { dispatcherFor, linkFetch, type RelayedResponse } from "@/lib/outgoing/link-fetch";
import { diagnoseLink } from "@/lib/status/diagnose";
import { proxyThroughLink } from "@/lib/outgoing/proxy-request";
import { proxyRequestOf, proxyTargetOf } from "@/lib/api/proxy-route";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { databaseBytes } from "@/tests/support/database-contents";
import { freePort } from "@/tests/support/free-port";
import { waitForOutput } from "@/tests/support/child-output";
import { makeUser, sessionCookie, SYSTEM } from "@/tests/support/factories";

type Certs = Record<"ca" | "caKey" | "leaf" | "leafKey" | "client" | "clientKey" | "expiredClient" | "expiredClientKey" | "strangerClient" | "strangerClientKey", string>;
const certs = JSON.parse(execFileSync("/usr/bin/python3", [path.resolve("tests/support/make_certs.py")], { encoding: "utf8" })) as Certs;

const PASSWORD = "jira api token 7f3c9e1d2b";
const PAT = "NjQ1MjM0OTk0ODk2OmPAT-personal-access-token";
const KEY = "gateway-key-0123456789abcdef";
const CONNECT_SECRET = "connect shared secret 0123456789";

/** The remote: checks the credential itself (its own base64 decoding), 401 when it does not match. */
const plain = http.createServer((req, res) => {
  const auth = req.headers.authorization ?? "";
  let who: string | null = null;
  if (auth.startsWith("Basic ")) {
    const [user, ...rest] = Buffer.from(auth.slice(6), "base64").toString("utf8").split(":");
    if (rest.join(":") === PASSWORD) who = `basic:${user}`;
  } else if (auth === `Bearer ${PAT}`) who = "bearer";
  else if (req.headers["x-gateway-key"] === KEY) who = "api-key";
  else if (auth.startsWith("JWT ")) {
    // Atlassian's reference library checks the signature, and the qsh against this very request.
    try {
      const claims = reference.decodeSymmetric(auth.slice(4), CONNECT_SECRET, reference.SymmetricAlgorithm.HS256);
      const base = `http://127.0.0.1:${(plain.address() as AddressInfo).port}${req.url!.split("/").slice(0, 2).join("/")}`;
      const qsh = reference.createQueryStringHash(reference.fromMethodAndUrl(req.method!, `http://127.0.0.1${req.url}`), false, base);
      if (claims.qsh === qsh && claims.iss === "com.example.connector") who = "connect-jwt";
    } catch {
      who = null;
    }
  }
  res.writeHead(who ? 200 : 401, { "content-type": "application/json" }).end(JSON.stringify({ who, sawAuthorization: !!auth, path: req.url }));
});

let admin: string;
/** A person as a link sees them (the caller shape the proxy receives). */
const callerOf = async (user: { id: string }) => toCaller((await db.user.findUniqueOrThrow({ where: { id: user.id }, select: USER_SELECT })), "session");
let adminCaller: Awaited<ReturnType<typeof makeUser>>;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "applink-mtls-"));
const children: ChildProcess[] = [];

beforeAll(async () => {
  await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
  adminCaller = await makeUser("ADMIN");
  admin = await sessionCookie(adminCaller.id);
});
afterAll(() => {
  plain.close();
  for (const child of children) child.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
async function putOutgoing(id: string, body: unknown) {
  const res = await (outgoingRoute.PUT as Handler)(new Request(`http://localhost/api/v1/links/${id}/outgoing`, { method: "PUT", headers: { cookie: admin, "content-type": "application/json" }, body: JSON.stringify(body) }), { params: Promise.resolve({ id }) });
  return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function getOutgoing(id: string) {
  const res = await (outgoingRoute.GET as Handler)(new Request(`http://localhost/api/v1/links/${id}/outgoing`, { headers: { cookie: admin } }), { params: Promise.resolve({ id }) });
  return (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let n = 0;
async function newLink(rpcUrl: string) {
  return (await createLink(db, SYSTEM, { name: `Schemes ${++n}`, type: "generic", rpcUrl: `${rpcUrl}/s${n}` })).link;
}

async function text(relayed: Response | RelayedResponse): Promise<string> {
  if (relayed instanceof Response) return relayed.text();
  const chunks: Buffer[] = [];
  for await (const chunk of relayed.body ?? []) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe("fixed credentials: Basic, a personal access token, an API key", () => {
  const base = () => `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;

  it("each reaches the remote through the request factory and the proxy; the caller's own Authorization never does", async () => {
    const cases = [
      [{ scheme: "basic", username: "svc-jira", password: PASSWORD }, "basic:svc-jira"],
      [{ scheme: "bearer", token: PAT }, "bearer"],
      [{ scheme: "api-key", header: "X-Gateway-Key", value: KEY }, "api-key"],
      [{ scheme: "connect-jwt", issuer: "com.example.connector", sharedSecret: CONNECT_SECRET }, "connect-jwt"],
    ] as const;
    for (const [body, who] of cases) {
      const link = await newLink(base());
      const put = await putOutgoing(link.id, body);
      expect({ scheme: body.scheme, status: put.status }).toEqual({ scheme: body.scheme, status: 200 });
      const stored = await findLinkOrThrow(db, link.id);
      const factory = await linkFetch(db, stored, { method: "GET", url: `${stored.rpcUrl}/rest/api/2/search?jql=project%20%3D%20ABC&b=2&b=1` }, { as: { server: true } });
      expect({ scheme: body.scheme, status: factory.status, body: JSON.parse(await factory.text()) }).toMatchObject({ status: 200, body: { who } });
      const viaProxy = await proxyThroughLink(db, proxyRequestOf(proxyTargetOf(`/api/v1/links/${link.id}/proxy/rest/api/2/myself?expand=groups+x`), "GET", new Headers({ authorization: "Bearer ala_the-callers-own-token" }), null), await callerOf(adminCaller));
      expect({ scheme: body.scheme, status: viaProxy.status, body: JSON.parse(await text(viaProxy)) }).toMatchObject({ status: 200, body: { who, path: `/s${n}/rest/api/2/myself?expand=groups+x` } });
    }
  });

  it("are write-only: the answer shows the scheme, the username or header and a masked preview, never the secret; the vault holds it sealed", async () => {
    const link = await newLink(base());
    const put = await putOutgoing(link.id, { scheme: "basic", username: "svc-jira", password: PASSWORD });
    expect(put.json).toMatchObject({ scheme: "basic", credential: { username: "svc-jira", preview: `••••${PASSWORD.slice(-4)}`, set: true }, forUsers: false, clientCertificate: null, minTlsVersion: "TLSv1.2" });
    expect(JSON.stringify(put.json)).not.toContain(PASSWORD);
    const events = await db.auditEvent.findMany({ where: { targetId: link.id } });
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
    expect((await databaseBytes()).includes(Buffer.from(PASSWORD))).toBe(false);
    // Left out with the same scheme: kept. A new username alone keeps the password.
    expect((await putOutgoing(link.id, { scheme: "basic", username: "svc-other" })).status).toBe(200);
    const kept = await linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/x` }, { as: { server: true } });
    expect(JSON.parse(await kept.text())).toMatchObject({ who: "basic:svc-other" });
    // Back to OAuth: the credential stays sealed in the vault, kept for a switch back; it leaves with the link.
    const secretId = (await findLinkOrThrow(db, link.id)).outSchemeSecretId!;
    expect((await putOutgoing(link.id, { threeLegged: false, twoLegged: true, impersonation: false })).json).toMatchObject({ scheme: "oauth1", twoLegged: true, kept: { oauth1: null, schemes: ["basic"] } });
    expect(await db.vaultSecret.count({ where: { id: secretId } })).toBe(1);
    expect((await databaseBytes()).includes(Buffer.from(PASSWORD))).toBe(false);
    const { deleteLink } = await import("@/lib/links/delete-link");
    await deleteLink(db, SYSTEM, link.id);
    expect(await db.vaultSecret.count({ where: { id: secretId } })).toBe(0);
  });

  it("each scheme keeps its settings while another is in use: OAuth levels and sealed credentials come back on a switch back, and the audit shows no level turned off", async () => {
    const link = await newLink(base());
    await putOutgoing(link.id, { threeLegged: true, twoLegged: true, impersonation: false });
    // To a personal access token: no OAuth level in use (none announced, none signed), but they are kept.
    const pat = await putOutgoing(link.id, { scheme: "bearer", token: PAT });
    expect(pat.json).toMatchObject({ scheme: "bearer", threeLegged: false, twoLegged: false, kept: { oauth1: { threeLegged: true, twoLegged: true, impersonation: false }, schemes: [] } });
    const { applinkStatusJson } = await import("@/lib/status/remote-view");
    expect(applinkStatusJson(await findLinkOrThrow(db, link.id), { status: "CONNECTED", cause: "", fix: "", checkedAt: null, errorType: null }, null).localAuthentication.outgoing).toMatchObject({ enabled: true, twoLoEnabled: false });
    // To Basic: the token is kept, sealed; then back to the token with no secret given: the kept one is used.
    await putOutgoing(link.id, { scheme: "basic", username: "svc-jira", password: PASSWORD });
    expect((await getOutgoing(link.id)).kept.schemes).toEqual(["bearer"]);
    const back = await putOutgoing(link.id, { scheme: "bearer" });
    expect(back.status).toBe(200);
    expect(back.json).toMatchObject({ scheme: "bearer", credential: { preview: `••••${PAT.slice(-4)}`, set: true }, kept: { schemes: ["basic"] } });
    const viaToken = await linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/x` }, { as: { server: true } });
    expect(JSON.parse(await viaToken.text())).toMatchObject({ who: "bearer" });
    // Back to OAuth 1.0a as the credential form does it (no levels given): the levels the admin chose come back.
    expect((await putOutgoing(link.id, { scheme: "oauth1" })).json).toMatchObject({ scheme: "oauth1", enabled: true, threeLegged: true, twoLegged: true, kept: { oauth1: null, schemes: ["basic", "bearer"] } });
    const turnedOff = await db.auditEvent.findMany({ where: { targetId: link.id, action: "link.outgoing" } });
    expect(turnedOff.filter((e) => /"out3lo":false|"out2lo":false/.test(e.after ?? "") && /"out3lo":true|"out2lo":true/.test(e.before ?? ""))).toEqual([]);
    // Basic again with no password given: the kept one.
    await putOutgoing(link.id, { scheme: "basic" });
    const viaBasic = await linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/x` }, { as: { server: true } });
    expect(JSON.parse(await viaBasic.text())).toMatchObject({ who: "basic:svc-jira" });
  });

  it("act as one remote user: admins and server code only, unless the link opens them to users", async () => {
    const link = await newLink(base());
    await putOutgoing(link.id, { scheme: "bearer", token: PAT });
    const user = await callerOf(await makeUser("USER"));
    await expect(linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/x` }, { as: user })).rejects.toMatchObject({ code: "forbidden", message: expect.stringMatching(/one fixed credential \(bearer\).*administrators and server code only/) });
    await putOutgoing(link.id, { scheme: "bearer", forUsers: true });
    const opened = await linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/x` }, { as: user });
    expect(JSON.parse(await opened.text())).toMatchObject({ who: "bearer" });
  });

  it("refuses bad settings field by field, and changes nothing", async () => {
    const link = await newLink(base());
    const cases: Array<[unknown, string, RegExp]> = [
      [{ scheme: "basic", password: PASSWORD }, "username", /Enter the username/],
      [{ scheme: "basic", username: "a:b", password: PASSWORD }, "username", /colon/],
      [{ scheme: "bearer" }, "token", /Enter the token/],
      [{ scheme: "bearer", token: "line\nbreak" }, "token", /line breaks/],
      [{ scheme: "api-key", header: "Host", value: KEY }, "header", /not a transport header/],
      [{ scheme: "api-key", header: "X-Key", value: "" }, "value", /Enter the key/],
      [{ scheme: "bearer", token: PAT, username: "x" }, "username", /Not a field of the "bearer" scheme/],
      [{ scheme: "saml" }, "scheme", /./],
      [{ scheme: "connect-jwt", sharedSecret: CONNECT_SECRET }, "issuer", /Enter the issuer/],
      [{ threeLegged: true }, "twoLegged", /Required for OAuth/],
    ];
    for (const [body, field, message] of cases) {
      const res = await putOutgoing(link.id, body);
      expect({ body, status: res.status, field: res.json.error?.fields?.[field] }).toMatchObject({ body, status: 400, field: expect.stringMatching(message) });
    }
    expect((await findLinkOrThrow(db, link.id)).version).toBe(link.version);
  });

  it("diagnostics name a refused credential in a person's words", async () => {
    const link = await newLink(base());
    await putOutgoing(link.id, { scheme: "basic", username: "svc-jira", password: "not the password at all" });
    const diagnosis = await diagnoseLink(db, await findLinkOrThrow(db, link.id), { timeoutMs: 2000 });
    const signed = diagnosis.checks.find((c) => c.name === "signed-call");
    expect(signed).toMatchObject({ result: "fail", message: expect.stringContaining('refused the username "svc-jira" or its password (or API token) (401)') });
  });
});

describe("client certificates (mutual TLS) under any scheme", () => {
  let node: https.Server;
  let nodeUrl: string;
  let tls12Only: https.Server;
  let tls12Url: string;

  beforeAll(async () => {
    // Node's https server: wants a client certificate from the test CA; answers who presented it.
    const options = { key: certs.leafKey, cert: certs.leaf, ca: certs.ca, requestCert: true, rejectUnauthorized: true };
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const peer = (req.socket as tls.TLSSocket).getPeerCertificate();
      res.writeHead(req.headers.authorization === `Bearer ${PAT}` ? 200 : 401, { "content-type": "application/json" }).end(JSON.stringify({ client: peer.subject?.CN ?? null, tls: (req.socket as tls.TLSSocket).getProtocol() }));
    };
    node = https.createServer(options, handler);
    tls12Only = https.createServer({ ...options, maxVersion: "TLSv1.2" }, handler);
    await new Promise<void>((resolve) => node.listen(0, "127.0.0.1", resolve));
    await new Promise<void>((resolve) => tls12Only.listen(0, "127.0.0.1", resolve));
    nodeUrl = `https://127.0.0.1:${(node.address() as AddressInfo).port}`;
    tls12Url = `https://127.0.0.1:${(tls12Only.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    node.close();
    tls12Only.close();
  });

  const withCertificate = (certificatePem: string, privateKeyPem: string) => ({ scheme: "bearer", token: PAT, clientCertificate: { certificatePem, privateKeyPem }, caCertificatesPem: certs.ca });

  it("a personal access token with a certificate: accepted with the right one; refused without one and with an untrusted one, each named", async () => {
    const link = await newLink(nodeUrl);
    const put = await putOutgoing(link.id, withCertificate(certs.client, certs.clientKey));
    expect(put.status).toBe(200);
    expect(put.json.clientCertificate).toMatchObject({ subject: "CN=applink-admin client", issuer: "CN=Applink test CA", state: "valid", fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) });
    expect(JSON.stringify(put.json)).not.toContain("PRIVATE KEY");
    expect(put.json.caCertificates).toEqual([expect.objectContaining({ subject: "CN=Applink test CA" })]);
    const ok = await linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/x` }, { as: { server: true } });
    expect(JSON.parse(await ok.text())).toEqual({ client: "applink-admin client", tls: "TLSv1.3" });

    // No certificate (the CA still trusted for this link only): the server's alert, named.
    await putOutgoing(link.id, { scheme: "bearer", clientCertificate: null });
    await expect(linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/x` }, { as: { server: true }, retry: { delaysMs: [] } })).rejects.toMatchObject({
      code: "network_error",
      message: expect.stringMatching(/client certificate refused: .* refused the connection without a client certificate \(TLS alert certificate_required\)/),
    });
    // One the server does not trust.
    await putOutgoing(link.id, { scheme: "bearer", clientCertificate: { certificatePem: certs.strangerClient, privateKeyPem: certs.strangerClientKey } });
    await expect(linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/x` }, { as: { server: true }, retry: { delaysMs: [] } })).rejects.toMatchObject({
      message: expect.stringMatching(/client certificate refused: .*(does not accept our client certificate|refused our client certificate \(TLS alert unknown_ca\))/),
    });
  });

  it("diagnostics name a missing client certificate, and warn of one that expires within 30 days", async () => {
    const link = await newLink(nodeUrl);
    await putOutgoing(link.id, { scheme: "bearer", token: PAT, caCertificatesPem: certs.ca });
    const refused = await diagnoseLink(db, await findLinkOrThrow(db, link.id), { timeoutMs: 2000 });
    expect(refused.checks.find((c) => c.name === "reach")).toMatchObject({ result: "fail", type: "SSL_CLIENT_CERTIFICATE", message: expect.stringContaining("client certificate refused"), fix: expect.stringContaining("Upload the client certificate") });
    expect(refused.status).toBe("NETWORK_ERROR");
    // make_certs.py's server leaf lasts 30 days: as a client certificate, it expires soon.
    const soon = await putOutgoing(link.id, { scheme: "bearer", clientCertificate: { certificatePem: certs.leaf, privateKeyPem: certs.leafKey } });
    expect(soon.json.clientCertificate.state).toBe("expires-soon");
    const warned = await diagnoseLink(db, await findLinkOrThrow(db, link.id), { timeoutMs: 2000 });
    expect(warned.checks.find((c) => c.name === "reach")).toMatchObject({ result: "warn", message: expect.stringMatching(/our client certificate \(CN=127\.0\.0\.1\) expires on \d{4}-\d\d-\d\d/) });
  });

  it("a certificate that expires after it was uploaded: the server refuses it, and the request and the diagnosis say it expired", async () => {
    // A certificate that expired a minute ago, uploaded as if two minutes earlier (the app's clock
    // injected): no race between making, uploading and using a certificate that is about to expire.
    const short = JSON.parse(
      execFileSync("/usr/bin/python3", [path.resolve("tests/support/make_certs.py"), "--client-for-seconds", "-60"], { input: JSON.stringify({ ca: certs.ca, caKey: certs.caKey }), encoding: "utf8" }),
    ) as { client: string; clientKey: string };
    const validTo = Date.parse(new crypto.X509Certificate(short.client).validTo);
    const link = await newLink(nodeUrl);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(validTo - 60_000);
    const put = await putOutgoing(link.id, withCertificate(short.client, short.clientKey)).finally(() => vi.useRealTimers());
    expect({ status: put.status, state: put.json.clientCertificate?.state }).toEqual({ status: 200, state: "expires-soon" });

    // Now (the real clock) it has expired, by OpenSSL's own judgement (a server that reports why it
    // would refuse a certificate says CERT_HAS_EXPIRED), and the link's request says so.
    const judge = https.createServer({ key: certs.leafKey, cert: certs.leaf, ca: certs.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => res.end(String((req.socket as tls.TLSSocket).authorizationError)));
    await new Promise<void>((resolve) => judge.listen(0, "127.0.0.1", resolve));
    try {
      const verdict = await new Promise<string>((resolve, reject) =>
        https.get(`https://127.0.0.1:${(judge.address() as AddressInfo).port}/`, { ca: certs.ca, cert: short.client, key: short.clientKey }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c));
          res.on("end", () => resolve(body));
        }).on("error", reject),
      );
      expect(verdict).toBe("CERT_HAS_EXPIRED");
    } finally {
      judge.close();
    }
    const fetchIt = async () => linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/x` }, { as: { server: true }, retry: { delaysMs: [] } });
    await expect(fetchIt()).rejects.toMatchObject({ code: "network_error", message: expect.stringMatching(/client certificate refused: .*our client certificate expired on \d{4}-\d\d-\d\d; upload a renewed one/) });
    expect((await getOutgoing(link.id)).clientCertificate.state).toBe("expired");
    const diagnosed = await diagnoseLink(db, await findLinkOrThrow(db, link.id), { timeoutMs: 2000 });
    expect(diagnosed.checks.find((c) => c.name === "reach")).toMatchObject({ result: "fail", type: "SSL_CLIENT_CERTIFICATE", message: expect.stringMatching(/our client certificate expired on \d{4}-\d\d-\d\d/), fix: expect.stringContaining("Upload a renewed client certificate") });
  });

  it("a link's own connection pool is one per settings: shared by callers that arrive together, kept across connect timeouts, replaced (and closed) by a change only", async () => {
    const link = await newLink(nodeUrl);
    await putOutgoing(link.id, withCertificate(certs.client, certs.clientKey));
    const before = await findLinkOrThrow(db, link.id);
    const [a, b] = await Promise.all([dispatcherFor(db, before, 5000), dispatcherFor(db, before, 5000)]);
    expect(a).toBe(b);
    // The diagnosis's shorter timeout has a pool of its own, and does not close the proxy's.
    const short = await dispatcherFor(db, before, 2000);
    expect(short).not.toBe(a);
    expect(await dispatcherFor(db, before, 5000)).toBe(a);
    expect(a.closed).toBe(false);

    await putOutgoing(link.id, { scheme: "bearer", minTlsVersion: "TLSv1.3" });
    const after = await findLinkOrThrow(db, link.id);
    const [c, d] = await Promise.all([dispatcherFor(db, after, 5000), dispatcherFor(db, after, 5000)]);
    expect(c).toBe(d);
    expect(c).not.toBe(a);
    // A request that read the link before the change gets the new settings' pool, not the old one back.
    expect(await dispatcherFor(db, before, 5000)).toBe(c);
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.closed).toBe(true);
    expect(c.closed).toBe(false);
  });

  it("the link's minimum TLS version holds: a TLS 1.2-only server is refused under TLSv1.3, named", async () => {
    const link = await newLink(tls12Url);
    await putOutgoing(link.id, withCertificate(certs.client, certs.clientKey));
    const ok = await linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/x` }, { as: { server: true } });
    expect(JSON.parse(await ok.text())).toEqual({ client: "applink-admin client", tls: "TLSv1.2" });
    await putOutgoing(link.id, { scheme: "bearer", minTlsVersion: "TLSv1.3" });
    await expect(linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/x` }, { as: { server: true }, retry: { delaysMs: [] } })).rejects.toMatchObject({ message: expect.stringMatching(/no common TLS version/) });
  });

  it("Basic with a certificate against openssl s_server -Verify 1: accepted with it, refused without", async () => {
    const port = await freePort();
    for (const [name, pem] of [["server.pem", certs.leaf], ["server.key", certs.leafKey], ["ca.pem", certs.ca]] as const) fs.writeFileSync(path.join(dir, name), pem);
    const server = spawn("openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", path.join(dir, "server.pem"), "-key", path.join(dir, "server.key"), "-CAfile", path.join(dir, "ca.pem"), "-Verify", "1", "-verify_return_error", "-www"], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(server);
    await waitForOutput(server, /ACCEPT/, "openssl s_server");
    const link = await newLink(`https://127.0.0.1:${port}`);
    await putOutgoing(link.id, { scheme: "basic", username: "svc", password: PASSWORD, clientCertificate: { certificatePem: certs.client, privateKeyPem: certs.clientKey }, caCertificatesPem: certs.ca });
    // s_server -www answers any GET with a page describing the session, the client certificate included.
    const ok = await linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/` }, { as: { server: true } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/applink-admin client/);
    await putOutgoing(link.id, { scheme: "basic", clientCertificate: null });
    await expect(linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/` }, { as: { server: true }, retry: { delaysMs: [] } })).rejects.toMatchObject({ code: "network_error", message: expect.stringMatching(/client certificate refused: .*without a client certificate/) });
  });

  it("makes a key and a CSR for a subject; the certificate openssl signs from it, pasted back alone, is used with that key", async () => {
    // The customer's authority: a CA of openssl's own, which the remote trusts.
    const ca = (name: string) => path.join(dir, name);
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca("csr-ca.key"), "-out", ca("csr-ca.pem"), "-subj", "/CN=Customer CA", "-days", "2"], { stdio: "pipe" });
    const customerCa = fs.readFileSync(ca("csr-ca.pem"), "utf8");
    const remote = https.createServer({ key: certs.leafKey, cert: certs.leaf, ca: customerCa, requestCert: true, rejectUnauthorized: true }, (req, res) => res.end(JSON.stringify({ client: (req.socket as tls.TLSSocket).getPeerCertificate().subject?.CN })));
    await new Promise<void>((resolve) => remote.listen(0, "127.0.0.1", resolve));
    try {
      const link = await newLink(`https://127.0.0.1:${(remote.address() as AddressInfo).port}`);
      // No request made yet: a certificate alone is refused.
      expect((await putOutgoing(link.id, { scheme: "bearer", token: PAT, clientCertificate: { certificatePem: certs.client } })).json.error.fields.privateKeyPem).toMatch(/no certificate request was made here/);
      const made = await (csrRoute.POST as Handler)(new Request(`http://localhost/api/v1/links/${link.id}/outgoing/csr`, { method: "POST", headers: { cookie: admin, "content-type": "application/json" }, body: JSON.stringify({ commonName: "jira-connector.example.com", organization: "Example Ltd", country: "US" }) }), { params: Promise.resolve({ id: link.id }) });
      expect(made.status).toBe(201);
      const { csrPem, subject } = (await made.json()) as { csrPem: string; subject: string };
      expect(subject).toBe("CN=jira-connector.example.com, O=Example Ltd, C=US");
      expect(csrPem).not.toContain("PRIVATE KEY");
      fs.writeFileSync(ca("req.csr"), csrPem);
      // openssl checks the request's own signature, then signs it as the customer's CA would.
      execFileSync("openssl", ["req", "-in", ca("req.csr"), "-noout", "-verify"], { stdio: "pipe" });
      execFileSync("openssl", ["x509", "-req", "-in", ca("req.csr"), "-CA", ca("csr-ca.pem"), "-CAkey", ca("csr-ca.key"), "-CAcreateserial", "-out", ca("signed.pem"), "-days", "90", "-copy_extensions", "copy"], { stdio: "pipe" });
      const put = await putOutgoing(link.id, { scheme: "bearer", token: PAT, clientCertificate: { certificatePem: fs.readFileSync(ca("signed.pem"), "utf8") }, caCertificatesPem: certs.ca });
      expect({ status: put.status, error: put.json.error }).toEqual({ status: 200, error: undefined });
      expect(put.json).toMatchObject({ clientCertificate: { subject: "C=US, O=Example Ltd, CN=jira-connector.example.com", issuer: "CN=Customer CA" }, certificateRequest: null });
      const ok = await linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/x` }, { as: { server: true } });
      expect(JSON.parse(await ok.text())).toEqual({ client: "jira-connector.example.com" });
      // The request's key now lives with the certificate: nothing pending is left in the vault.
      expect((await findLinkOrThrow(db, link.id)).outCsrKeySecretId).toBeNull();
    } finally {
      remote.close();
    }
  });

  it("takes the certificate and key as a PKCS#12 file (openssl pkcs12 -export) with its passphrase, and names a wrong passphrase", async () => {
    const file = (name: string) => path.join(dir, name);
    fs.writeFileSync(file("p12-cert.pem"), certs.client);
    fs.writeFileSync(file("p12-key.pem"), certs.clientKey);
    fs.writeFileSync(file("p12-ca.pem"), certs.ca);
    execFileSync("openssl", ["pkcs12", "-export", "-in", file("p12-cert.pem"), "-inkey", file("p12-key.pem"), "-certfile", file("p12-ca.pem"), "-out", file("client.p12"), "-passout", "pass:p12 passphrase"], { stdio: "pipe" });
    const pkcs12Base64 = fs.readFileSync(file("client.p12")).toString("base64");
    const link = await newLink(nodeUrl);
    const wrong = await putOutgoing(link.id, { scheme: "bearer", token: PAT, clientCertificate: { pkcs12Base64, passphrase: "not it" }, caCertificatesPem: certs.ca });
    expect({ status: wrong.status, field: wrong.json.error?.fields?.pkcs12Base64 }).toEqual({ status: 400, field: "The passphrase does not open this PKCS#12 file." });
    expect((await putOutgoing(link.id, { scheme: "bearer", token: PAT, clientCertificate: { pkcs12Base64: "bm90IGEgcDEy", passphrase: "x" } })).json.error.fields.pkcs12Base64).toMatch(/not a PKCS#12 file/);
    const put = await putOutgoing(link.id, { scheme: "bearer", token: PAT, clientCertificate: { pkcs12Base64, passphrase: "p12 passphrase" }, caCertificatesPem: certs.ca });
    expect(put.json.clientCertificate).toMatchObject({ subject: "CN=applink-admin client", issuer: "CN=Applink test CA" });
    const ok = await linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${link.rpcUrl}/x` }, { as: { server: true } });
    expect(JSON.parse(await ok.text())).toMatchObject({ client: "applink-admin client" });
  });

  it("refuses an expired certificate, a key of another certificate and something that is no certificate, field by field", async () => {
    const link = await newLink(nodeUrl);
    const cases: Array<[unknown, string, RegExp]> = [
      [{ certificatePem: certs.expiredClient, privateKeyPem: certs.expiredClientKey }, "certificatePem", /Expired on \d{4}-\d\d-\d\d/],
      [{ certificatePem: certs.client, privateKeyPem: certs.strangerClientKey }, "privateKeyPem", /does not belong to the certificate/],
      [{ certificatePem: "hello", privateKeyPem: certs.clientKey }, "certificatePem", /Not a PEM certificate/],
      [{ certificatePem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", privateKeyPem: certs.clientKey }, "certificatePem", /could not be read/],
      [{ certificatePem: certs.client, privateKeyPem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" }, "privateKeyPem", /unencrypted private key/],
    ];
    for (const [clientCertificate, field, message] of cases) {
      const res = await putOutgoing(link.id, { scheme: "bearer", token: PAT, clientCertificate });
      expect({ field, status: res.status, message: res.json.error?.fields?.[field] }).toMatchObject({ field, status: 400, message: expect.stringMatching(message) });
    }
    expect((await putOutgoing(link.id, { scheme: "bearer", token: PAT, caCertificatesPem: "no pem here" })).json.error.fields.caCertificatesPem).toMatch(/No PEM certificate/);
  });
});
