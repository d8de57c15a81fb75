/** The links REST API end to end through its route handlers, against a fixture remote on loopback. */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { publicKeyBase64 } from "@/lib/crypto/rsa-keys";
import * as linksRoute from "@/app/api/v1/links/route";
import * as linkRoute from "@/app/api/v1/links/[id]/route";
import * as incomingRoute from "@/app/api/v1/links/[id]/incoming/route";
import * as outgoingRoute from "@/app/api/v1/links/[id]/outgoing/route";
import * as resetRoute from "@/app/api/v1/links/[id]/reset/route";
import { setUserDisabled } from "@/lib/users/update-user";
import { makeUser, sessionCookie, SYSTEM } from "@/tests/support/factories";
import { startFixtureRemote } from "@/tests/support/fixture-remote";

let remote: Awaited<ReturnType<typeof startFixtureRemote>>;
let admin: string;
const remoteKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;

beforeAll(async () => {
  remote = await startFixtureRemote({ consumer: { key: "jira:fixture-consumer", name: "Fixture Jira", publicKeyBase64: publicKeyBase64(remoteKey) } });
  admin = await sessionCookie((await makeUser("ADMIN")).id);
});
afterAll(() => remote.close());

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(handler: Handler, method: string, body?: unknown, params: Record<string, string> = {}, query = "") {
  const headers = new Headers({ cookie: admin });
  if (body !== undefined) headers.set("content-type", "application/json");
  const res = await handler(new Request(`http://localhost/api/v1/links${query}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), { params: Promise.resolve(params) });
  return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const post = (body: unknown) => call(linksRoute.POST as Handler, "POST", body);
let n = 0;
const manual = (type = "generic") => post({ name: `Manual ${++n}`, type, rpcUrl: `http://manual-${n}.example.test` });

describe("creating links", () => {
  it("discovers name, type and application id from the remote's manifest; the first of a type is primary", async () => {
    remote.behaviour.manifest = { id: "jira-app-1", name: "Team Jira", typeId: "jira", url: `${remote.url}/jira1` };
    const { status, json } = await post({ rpcUrl: `${remote.url}/jira1/` });
    expect(status).toBe(201);
    expect(json).toMatchObject({ name: "Team Jira", type: "jira", remoteAppId: "jira-app-1", rpcUrl: `${remote.url}/jira1`, displayUrl: `${remote.url}/jira1`, primary: true, version: 1, warnings: [] });
    expect(json.outgoing.requestTokenUrl).toBe(`${remote.url}/jira1/plugins/servlet/oauth/request-token`);
    const audit = await db.auditEvent.findFirst({ where: { action: "link.create", targetId: json.id } });
    expect(audit?.actorUsername).toMatch(/^admin/);
  });

  it("refuses a second link to the same application id or RPC URL", async () => {
    const again = await post({ rpcUrl: `${remote.url}/jira1` });
    expect(again.status).toBe(409);
    remote.behaviour.manifest = { id: "jira-app-1", name: "Same app, other URL", typeId: "jira", url: `${remote.url}/jira1-alias` };
    const alias = await post({ rpcUrl: `${remote.url}/jira1-alias` });
    expect(alias.status).toBe(409);
    expect(alias.json.error.fields.rpcUrl).toMatch(/already links/);
  });

  it("warns when the remote reports a different base URL, and can set up incoming from consumer info", async () => {
    remote.behaviour.manifest = { id: "conf-app", name: "Wiki", typeId: "confluence", url: "https://wiki.example.com" };
    const { status, json } = await post({ rpcUrl: `${remote.url}/wiki`, fetchConsumer: true });
    expect(status).toBe(201);
    expect(json.warnings[0]).toMatch(/reports its base URL as https:\/\/wiki\.example\.com/);
    expect(json.incoming).toMatchObject({ enabled: true, consumerKey: "jira:fixture-consumer", consumerName: "Fixture Jira", threeLegged: true });
    expect(json.incoming.publicKeyFingerprint).toMatch(/^SHA256:/);
    // An OAuth-capable remote (manifest and consumer): OAuth both ways, as Atlassian's wizard sets it up.
    expect(json.outgoing).toMatchObject({ enabled: true, threeLegged: true, twoLegged: true, impersonation: false, twoLeggedForUsers: false });
    expect(json.incoming).toMatchObject({ twoLegged: false, impersonation: false });
    // Without its consumer, nothing is switched on.
    const manual = await post({ rpcUrl: `${remote.url}/wiki-no-consumer`, name: "Wiki by hand", type: "confluence" });
    expect(manual.json.outgoing).toMatchObject({ enabled: false, threeLegged: false, twoLegged: false });
  });

  it("explains a remote with no manifest: garbage, an error page, a redirect elsewhere, a huge answer", async () => {
    for (const mode of ["garbage", "not-found", "redirect-away", "huge"] as const) {
      remote.behaviour.mode = mode;
      const { status, json } = await post({ rpcUrl: `${remote.url}/broken-${mode}` });
      expect(status, mode).toBe(502);
      expect(json.error.code).toBe("discovery_failed");
      expect(json.error.message).toMatch(/Create the link manually/);
    }
    remote.behaviour.mode = "ok";
    expect(await db.link.count({ where: { rpcUrl: { contains: "broken-" } } })).toBe(0);
  });

  it("gives up on a remote that hangs after 5 seconds", async () => {
    remote.behaviour.mode = "hang";
    const started = Date.now();
    const { status, json } = await post({ rpcUrl: `${remote.url}/hanging` });
    remote.behaviour.mode = "ok";
    expect(status).toBe(502);
    expect(json.error.fields.rpcUrl).toMatch(/did not answer within 5 s/);
    expect(Date.now() - started).toBeLessThan(9000);
  }, 15_000);

  it("explains unreachable hosts", async () => {
    const refused = await post({ rpcUrl: "http://127.0.0.1:9" });
    expect(refused.json.error.fields.rpcUrl).toMatch(/refused the connection/);
    const unknown = await post({ rpcUrl: "http://no-such-host.invalid" });
    expect(unknown.json.error.fields.rpcUrl).toMatch(/unknown/);
  });

  it("creates manually, and refuses bad URLs and half-given manual fields with per-field messages", async () => {
    expect((await manual()).status).toBe(201);
    for (const [rpcUrl, message] of [
      ["ftp://example.com", /Only http and https/],
      ["http://user:pass@example.com", /credentials/],
      ["http://example.com/?a=b", /without \? or #/],
      ["not a url", /full URL/],
    ] as const) {
      const { status, json } = await post({ name: "x", type: "generic", rpcUrl });
      expect(status).toBe(400);
      expect(json.error.fields.rpcUrl).toMatch(message);
    }
    const half = await post({ name: "only a name", rpcUrl: "http://half.example.test" });
    expect(half.json.error.fields.type).toMatch(/both name and type/);
    expect((await post({ name: "x", type: "svn", rpcUrl: "http://x.example.test" })).json.error.fields.type).toMatch(/Choose one of/);
  });
});

describe("a link to this application itself", () => {
  it("is refused with 409 when the manifest carries this app's own application id, whatever URL reached it; nothing is created", async () => {
    const { ensureAppIdentity } = await import("@/lib/identity/app-identity");
    const own = (await ensureAppIdentity(db)).instanceId;
    remote.behaviour.manifest = { id: own, name: "Me again", typeId: "applink-admin", url: `${remote.url}/me` };
    const before = await db.link.count();
    const refused = await post({ rpcUrl: `${remote.url}/me`, fetchConsumer: true });
    expect(refused.status).toBe(409);
    expect(refused.json.error.fields.rpcUrl).toMatch(/is this application itself/);
    expect(refused.json.error.fields.rpcUrl).toContain(own);
    expect(await db.link.count()).toBe(before);
    // Another application id at the same place is linked as usual.
    remote.behaviour.manifest = { id: "not-me", name: "Someone else", typeId: "applink-admin", url: `${remote.url}/me` };
    expect((await post({ rpcUrl: `${remote.url}/me` })).status).toBe(201);
  });
});

describe("addresses worth a second look", () => {
  it("creates a link to a link-local or unspecified address, or to this app, and says so; PATCH to one says so too", async () => {
    const metadata = await post({ name: "Metadata", type: "generic", rpcUrl: "http://169.254.169.254" });
    expect(metadata.status).toBe(201);
    expect(metadata.json.warnings.join(" ")).toMatch(/link-local address/);
    const itself = await post({ name: "Myself", type: "generic", rpcUrl: "http://127.0.0.1:3000" });
    expect(itself.status).toBe(201);
    expect(itself.json.warnings.join(" ")).toMatch(/this application itself/);
    const moved = await call(linkRoute.PATCH as Handler, "PATCH", { version: metadata.json.version, rpcUrl: "http://0.0.0.0:8080" }, { id: metadata.json.id });
    expect(moved.status).toBe(200);
    expect(moved.json.warnings.join(" ")).toMatch(/unspecified address/);
    expect((await call(linkRoute.PATCH as Handler, "PATCH", { version: moved.json.version, name: "Renamed" }, { id: metadata.json.id })).json.warnings).toEqual([]);
  });
});

describe("changing links", () => {
  it("PATCH with a stale version answers 409 and changes nothing", async () => {
    const { json: link } = await manual();
    const first = await call(linkRoute.PATCH as Handler, "PATCH", { version: 1, name: "Renamed" }, { id: link.id });
    expect(first.json).toMatchObject({ name: "Renamed", version: 2 });
    const stale = await call(linkRoute.PATCH as Handler, "PATCH", { version: 1, name: "Lost update" }, { id: link.id });
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe("version_conflict");
    expect((await db.link.findUniqueOrThrow({ where: { id: link.id } })).name).toBe("Renamed");
    expect((await call(linkRoute.PATCH as Handler, "PATCH", { name: "no version" }, { id: link.id })).status).toBe(400);
    expect((await call(linkRoute.PATCH as Handler, "PATCH", { version: 2, trustedApps: true }, { id: link.id })).json.error.fields.trustedApps).toMatch(/never on/);
  });

  it("of two edits sent at once with the same version, exactly one wins", async () => {
    const { json: link } = await manual();
    const edits = await Promise.all(
      ["First", "Second", "Third"].map((name) => call(linkRoute.PATCH as Handler, "PATCH", { version: 1, name }, { id: link.id })),
    );
    expect(edits.map((e) => e.status).sort()).toEqual([200, 409, 409]);
    const winner = edits.find((e) => e.status === 200)!.json.name;
    expect(await db.link.findUniqueOrThrow({ where: { id: link.id } })).toMatchObject({ name: winner, version: 2 });
  });

  it("keeps exactly one primary link per type, switching atomically", async () => {
    const a = (await manual("bamboo")).json;
    const b = (await manual("bamboo")).json;
    expect([a.primary, b.primary]).toEqual([true, false]);
    await call(linkRoute.PATCH as Handler, "PATCH", { version: b.version, primary: true }, { id: b.id });
    const primaries = await db.link.findMany({ where: { type: "bamboo", primary: true } });
    expect(primaries.map((l) => l.id)).toEqual([b.id]);
    await call(linkRoute.DELETE as Handler, "DELETE", undefined, { id: b.id });
    expect((await db.link.findUniqueOrThrow({ where: { id: a.id } })).primary).toBe(true);
  });

  it("configures outgoing, with the remote's OAuth URLs defaulting under the RPC URL", async () => {
    const link = (await manual()).json;
    const put = await call(outgoingRoute.PUT as Handler, "PUT", { threeLegged: true, twoLegged: true, impersonation: false, authorizeUrl: "https://sso.example.test/authorize" }, { id: link.id });
    expect(put.json).toMatchObject({ enabled: true, threeLegged: true, twoLegged: true, impersonation: false, authorizeUrl: "https://sso.example.test/authorize", version: 2 });
    expect(put.json.requestTokenUrl).toBe(`${link.rpcUrl}/plugins/servlet/oauth/request-token`);
    const bad = await call(outgoingRoute.PUT as Handler, "PUT", { threeLegged: "yes", twoLegged: false, impersonation: false }, { id: link.id });
    expect(bad.json.error.fields.threeLegged).toBe("Invalid input: expected boolean, received string");
  });

  it("warns of every server-called URL that points somewhere unusual, as the RPC URL does, naming the field", async () => {
    const link = (await manual()).json;
    const oauth = await call(outgoingRoute.PUT as Handler, "PUT", { threeLegged: true, twoLegged: false, impersonation: false, requestTokenUrl: "http://169.254.169.254/latest/meta-data", accessTokenUrl: "http://[::]:8080/token", authorizeUrl: "http://localhost:3000/plugins/servlet/oauth/authorize" }, { id: link.id });
    expect(oauth.status).toBe(200);
    expect(oauth.json.warnings).toEqual([
      expect.stringMatching(/^The request token URL: 169\.254\.169\.254 is a link-local address/),
      expect.stringMatching(/^The authorize URL: This URL points at this application itself/),
      expect.stringMatching(/^The access token URL: \[::\] is an unspecified address/),
    ]);
    const oauth2 = await call(outgoingRoute.PUT as Handler, "PUT", { scheme: "oauth2-client-credentials", tokenUrl: "http://0.0.0.0:9/token", clientId: "c", clientSecret: "s" }, { id: link.id });
    expect(oauth2.json.warnings).toEqual([expect.stringMatching(/^The token URL: 0\.0\.0\.0 is an unspecified address/)]);
    const plain = await call(outgoingRoute.PUT as Handler, "PUT", { scheme: "oauth2-client-credentials", tokenUrl: "https://idp.example.test/token", clientId: "c" }, { id: link.id });
    expect(plain.json.warnings).toEqual([]);
  });

  it("configures incoming: consumer pasted or fetched, 2LO needs an active execute-as user, keys are checked", async () => {
    const link = (await manual()).json;
    const base = { threeLegged: true, twoLegged: true, impersonation: false };
    const key = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const noUser = await call(incomingRoute.PUT as Handler, "PUT", { ...base, consumerKey: "remote:1", publicKey: publicKeyBase64(key) }, { id: link.id });
    expect(noUser.json.error.fields.executeAs).toMatch(/choose one/);
    const ghost = await call(incomingRoute.PUT as Handler, "PUT", { ...base, consumerKey: "remote:1", publicKey: publicKeyBase64(key), executeAs: "ghost" }, { id: link.id });
    expect(ghost.json.error.fields.executeAs).toMatch(/No user named/);
    const runAs = await makeUser();
    await setUserDisabled(db, SYSTEM, runAs.username, true);
    const disabled = await call(incomingRoute.PUT as Handler, "PUT", { ...base, consumerKey: "remote:1", publicKey: publicKeyBase64(key), executeAs: runAs.username }, { id: link.id });
    expect(disabled.json.error.fields.executeAs).toMatch(/disabled/);
    await setUserDisabled(db, SYSTEM, runAs.username, false);
    const small = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
    const weak = await call(incomingRoute.PUT as Handler, "PUT", { ...base, consumerKey: "remote:1", publicKey: publicKeyBase64(small), executeAs: runAs.username }, { id: link.id });
    expect(weak.json.error.fields.publicKey).toMatch(/1024 bits/);
    const ok = await call(incomingRoute.PUT as Handler, "PUT", { ...base, consumerKey: "remote:1", publicKey: publicKeyBase64(key), executeAs: runAs.username }, { id: link.id });
    expect(ok.json).toMatchObject({ enabled: true, consumerKey: "remote:1", executeAs: runAs.username, twoLegged: true, version: 2 });
    const other = (await manual()).json;
    const dup = await call(incomingRoute.PUT as Handler, "PUT", { ...base, twoLegged: false, consumerKey: "remote:1", publicKey: publicKeyBase64(key) }, { id: other.id });
    expect(dup.status).toBe(409);
    expect((await db.link.findUniqueOrThrow({ where: { id: other.id } })).version).toBe(1);
  });
});

describe("resetting and deleting", () => {
  it("reset incoming forgets the stale consumer, clears its nonces, re-fetches; other links untouched", async () => {
    remote.behaviour.manifest = { id: "reset-app", name: "Reset Jira", typeId: "jira", url: `${remote.url}/reset` };
    remote.behaviour.consumer = { key: "jira:old-key", name: "Old", publicKeyBase64: publicKeyBase64(remoteKey) };
    const link = (await post({ rpcUrl: `${remote.url}/reset`, fetchConsumer: true })).json;
    const bystander = (await manual()).json;
    await db.oAuthNonce.createMany({ data: [{ consumerKey: "jira:old-key", nonce: "n1", timestamp: 1 }, { consumerKey: "someone-else", nonce: "n1", timestamp: 1 }] });
    remote.behaviour.consumer = { key: "jira:new-key", name: "New", publicKeyBase64: publicKeyBase64(remoteKey) };
    const reset = await call(resetRoute.POST as Handler, "POST", { direction: "incoming" }, { id: link.id });
    expect(reset.json).toEqual({ direction: "incoming", incoming: { forgottenConsumerKey: "jira:old-key", tokensRevoked: 0, noncesDeleted: 1, refetched: true } });
    const after = await db.link.findUniqueOrThrow({ where: { id: link.id } });
    expect(after).toMatchObject({ inConsumerKey: "jira:new-key", inEnabled: true, in3lo: true });
    expect(await db.oAuthNonce.count({ where: { consumerKey: "someone-else" } })).toBe(1);
    expect((await db.link.findUniqueOrThrow({ where: { id: bystander.id } })).version).toBe(1);
    expect(await db.auditEvent.count({ where: { action: "link.reset", targetId: link.id } })).toBe(1);
  });

  it("reset when the remote cannot be reached still forgets the consumer and says to paste it", async () => {
    const link = (await manual()).json;
    await db.link.update({ where: { id: link.id }, data: { inConsumerKey: "stale:key", inEnabled: true } });
    const reset = await call(resetRoute.POST as Handler, "POST", { direction: "both" }, { id: link.id });
    expect(reset.json.incoming).toMatchObject({ forgottenConsumerKey: "stale:key", refetched: false, refetchProblem: expect.stringMatching(/Paste/) });
    expect(reset.json.outgoing).toEqual({ accessTokensDiscarded: 0 });
    expect((await db.link.findUniqueOrThrow({ where: { id: link.id } })).inConsumerKey).toBeNull();
    expect((await call(resetRoute.POST as Handler, "POST", { direction: "sideways" }, { id: link.id })).status).toBe(400);
  });

  it("delete removes the link and its consumer's nonces, audited; unknown ids are 404", async () => {
    const link = (await manual()).json;
    await db.link.update({ where: { id: link.id }, data: { inConsumerKey: "gone:key" } });
    await db.oAuthNonce.create({ data: { consumerKey: "gone:key", nonce: "x", timestamp: 1 } });
    const del = await call(linkRoute.DELETE as Handler, "DELETE", undefined, { id: link.id });
    expect(del.json).toEqual({ deleted: true, noncesDeleted: 1, accessTokensDiscarded: 0, tokensRevoked: 0 });
    expect((await call(linkRoute.GET as Handler, "GET", undefined, { id: link.id })).status).toBe(404);
    expect(await db.auditEvent.count({ where: { action: "link.delete", targetId: link.id } })).toBe(1);
  });

  it("lists with search, type filter and pagination", async () => {
    for (let i = 0; i < 5; i++) await post({ name: `Searchable ${i}`, type: "bitbucket", rpcUrl: `http://search-${i}.example.test` });
    const page = await call(linksRoute.GET as Handler, "GET", undefined, {}, "?q=Searchable&type=bitbucket&pageSize=2&page=2");
    expect(page.json).toMatchObject({ total: 5, page: 2, pageSize: 2, pages: 3 });
    expect(page.json.links.map((l: { name: string }) => l.name)).toEqual(["Searchable 2", "Searchable 3"]);
    const junk = await call(linksRoute.GET as Handler, "GET", undefined, {}, "?type=svn&page=-1&pageSize=9999");
    expect(junk.status).toBe(200);
  });
});
