/**
 * Incoming OAuth 2.0: Debian's python3-requests-oauthlib (OAuth2Session, with oauthlib's own PKCE
 * S256) as an external application, against this app's authorization server over real HTTP: the
 * metadata, an authorization URL, the person's consent, the code exchange (client_secret_basic and
 * client_secret_post), calls to /api/v1/myself and through the proxy, refresh, revoke; and every
 * refusal on its own.
 */
import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createLink } from "@/lib/links/create-link";
import { deleteLink } from "@/lib/links/delete-link";
import { setOutgoing } from "@/lib/links/update-link";
import { oauth2MetadataRoute, oauth2RevokeRoute, oauth2TokenRoute } from "@/lib/api/oauth2-endpoints";
import { decideAuthorization, type AuthorizationParams } from "@/lib/incoming/oauth2/server";
import { rotateOAuth2ClientSecret, setOAuth2Client } from "@/lib/incoming/oauth2/clients";
import { listLinkGrants, listUserGrants, revokeGrant } from "@/lib/incoming/oauth2/grants";
import * as myselfRoute from "@/app/api/v1/myself/route";
import * as incomingRoute from "@/app/api/v1/links/[id]/incoming/route";
import { makeUser, SYSTEM } from "@/tests/support/factories";
import { serveRoutes } from "@/tests/support/route-server";
import type { OAuth2Scope } from "@/lib/auth/oauth2-scopes";

const run = promisify(execFile);
const REDIRECT = "https://ci.example.test/oauth/callback";
let base: string;
let remote: http.Server;
let server: http.Server;
/** What the proxied remote saw: method and path of each request, and the Authorization it carried. */
const seen: { method: string; path: string; authorization?: string }[] = [];

beforeAll(async () => {
  remote = http.createServer((req, res) => {
    seen.push({ method: req.method ?? "", path: req.url ?? "", authorization: req.headers.authorization });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, method: req.method }));
  });
  await new Promise<void>((resolve) => remote.listen(0, "127.0.0.1", resolve));
  // This app's routes behind a real socket, as scripts/serve.mjs serves them (the proxy by its direct route).
  ({ server, base } = await serveRoutes(
    {
      "/rest/oauth2/latest/token": (request) => oauth2TokenRoute(db, request),
      "/rest/oauth2/latest/revoke": (request) => oauth2RevokeRoute(db, request),
      "/.well-known/oauth-authorization-server": (request) => oauth2MetadataRoute(request),
      "/api/v1/myself": (request) => myselfRoute.GET(request, { params: Promise.resolve({}) }),
    },
    { direct: true },
  ));
});
afterAll(() => {
  server?.close();
  remote?.close();
});

async function peer<T = Record<string, unknown>>(input: Record<string, unknown>): Promise<T> {
  const child = run("/usr/bin/python3", [path.resolve("tests/interop/requests_oauthlib_oauth2.py")], { encoding: "utf8" });
  child.child.stdin!.end(JSON.stringify(input));
  return JSON.parse((await child).stdout) as T;
}

let n = 0;
/** A link to the echo remote, with OAuth 2.0 on for an external application. */
async function externalApplication(scopes: OAuth2Scope[] = ["READ", "WRITE"], redirectUris = [REDIRECT]) {
  const rpcUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}/app${++n}`;
  const { link } = await createLink(db, SYSTEM, { name: `CI server ${n}`, type: "generic", rpcUrl });
  await setOutgoing(db, SYSTEM, link.id, { scheme: "bearer", token: "remote-personal-access-token" });
  const { client, clientSecret } = await setOAuth2Client(db, SYSTEM, link.id, { redirectUris, scopes });
  return { link, clientId: client!.clientId, clientSecret: clientSecret!, urls: { authorize_url: `${base}/rest/oauth2/latest/authorize`, token_url: `${base}/rest/oauth2/latest/token`, revoke_url: `${base}/rest/oauth2/latest/revoke` } };
}

type App = Awaited<ReturnType<typeof externalApplication>>;
type TokenAnswer = { access_token: string; refresh_token: string; token_type: string; expires_in: number; scope: string | string[]; error?: string };

/** requests-oauthlib builds the authorization URL; the person answers on the consent page (its server side); the redirect comes back. */
async function authorize(app: App, person: { id: string }, scope = "READ WRITE", allow = true) {
  const start = await peer<{ url: string; state: string; verifier: string }>({ step: "authorize-url", ...app.urls, client_id: app.clientId, redirect_uri: REDIRECT, scope });
  const params = Object.fromEntries(new URL(start.url).searchParams) as AuthorizationParams;
  expect(params).toMatchObject({ response_type: "code", client_id: app.clientId, code_challenge_method: "S256", state: start.state });
  const outcome = await decideAuthorization(db, person.id, params, allow);
  if (outcome.kind !== "redirect") throw new Error(`expected a redirect, got ${JSON.stringify(outcome)}`);
  return { ...start, redirect: outcome.location };
}

async function exchange(app: App, started: Awaited<ReturnType<typeof authorize>>, overrides: Record<string, unknown> = {}) {
  return peer<TokenAnswer>({ step: "token", ...app.urls, client_id: app.clientId, client_secret: app.clientSecret, redirect_uri: REDIRECT, authorization_response: started.redirect, state: started.state, verifier: started.verifier, ...overrides });
}

const call = (token: TokenAnswer, url: string, method = "GET", data?: string) => peer<{ status: number; body: string; www_authenticate: string | null }>({ step: "call", url, method, token: { ...token, token_type: "Bearer" }, data });

describe("incoming OAuth 2.0 with python3-requests-oauthlib as the external application", () => {
  it("publishes its metadata, then: PKCE code, token, /myself as the person, the proxy, refresh, revoke", async () => {
    const metadata = await peer<{ status: number; body: Record<string, unknown> }>({ step: "metadata", base });
    expect(metadata).toMatchObject({ status: 200, body: { issuer: expect.any(String), token_endpoint: expect.stringMatching(/\/rest\/oauth2\/latest\/token$/), code_challenge_methods_supported: ["S256"], grant_types_supported: ["authorization_code", "refresh_token"] } });
    const app = await externalApplication();
    // An administrator: the link sends one fixed credential, which only administrators may use.
    const person = await makeUser("ADMIN");
    const started = await authorize(app, person);
    expect(new URL(started.redirect).searchParams.get("state")).toBe(started.state);
    const token = await exchange(app, started);
    expect(token).toMatchObject({ token_type: "Bearer", access_token: expect.stringMatching(/^alo2_/), refresh_token: expect.stringMatching(/^alo2r_/) });
    expect(token.expires_in).toBeGreaterThan(3590);

    const myself = await call(token, `${base}/api/v1/myself`);
    expect(myself.status).toBe(200);
    expect(JSON.parse(myself.body)).toMatchObject({ username: person.username, via: "oauth2", clientId: app.clientId, scopes: ["READ", "WRITE"] });

    const proxied = await call(token, `${base}/api/v1/links/${app.link.id}/proxy/rest/api/2/issue`, "POST", "summary=x");
    expect(proxied.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ method: "POST", authorization: "Bearer remote-personal-access-token" });

    const grants = await listLinkGrants(db, app.link.id);
    expect(grants).toEqual([expect.objectContaining({ username: person.username, scopes: ["READ", "WRITE"], lastUsedAt: expect.any(Date) })]);

    const refreshed = await peer<TokenAnswer>({ step: "refresh", ...app.urls, client_id: app.clientId, client_secret: app.clientSecret, refresh_token: token.refresh_token });
    expect(refreshed.access_token).toMatch(/^alo2_/);
    expect(refreshed.refresh_token).not.toBe(token.refresh_token);
    expect((await call(refreshed, `${base}/api/v1/myself`)).status).toBe(200);

    const revoked = await peer<{ status: number }>({ step: "revoke", ...app.urls, client_id: app.clientId, client_secret: app.clientSecret, token: refreshed.refresh_token });
    expect(revoked.status).toBe(200);
    // Revoking the refresh token ends its grant: both access tokens stop at once.
    for (const t of [token, refreshed]) {
      const after = await call(t, `${base}/api/v1/myself`);
      expect(after.status).toBe(401);
      expect(after.www_authenticate).toMatch(/^Bearer realm="applink-admin", error="invalid_token"/);
    }
    expect(await listLinkGrants(db, app.link.id)).toEqual([]);
    // An unknown token answers 200 and changes nothing (RFC 7009 §2.2).
    expect(await peer({ step: "revoke", ...app.urls, client_id: app.clientId, client_secret: app.clientSecret, token: "alo2r_never-issued" })).toMatchObject({ status: 200 });
  });

  it("authenticates the client in the body too (client_secret_post), and refuses a wrong secret or a rotated one", async () => {
    const app = await externalApplication();
    const person = await makeUser();
    const posted = await exchange(app, await authorize(app, person), { auth: "post" });
    expect(posted.access_token).toMatch(/^alo2_/);
    expect(await exchange(app, await authorize(app, person), { client_secret: "not-the-secret" })).toMatchObject({ error: "invalid_client" });
    const { clientSecret } = await rotateOAuth2ClientSecret(db, SYSTEM, app.link.id);
    expect(await exchange(app, await authorize(app, person))).toMatchObject({ error: "invalid_client" });
    expect((await exchange({ ...app, clientSecret }, await authorize(app, person))).access_token).toMatch(/^alo2_/);
  });

  it("refuses a code used twice and revokes what its first use issued", async () => {
    const app = await externalApplication();
    const person = await makeUser();
    const started = await authorize(app, person);
    const first = await exchange(app, started);
    expect((await call(first, `${base}/api/v1/myself`)).status).toBe(200);
    expect(await exchange(app, started)).toMatchObject({ error: "invalid_grant" });
    expect((await call(first, `${base}/api/v1/myself`)).status).toBe(401);
  });

  it("refuses a wrong or missing code verifier, and a code sent to another redirect URL", async () => {
    const app = await externalApplication(["READ"], [REDIRECT, "https://ci.example.test/other"]);
    const person = await makeUser();
    expect(await exchange(app, await authorize(app, person, "READ"), { verifier: "x".repeat(64) })).toMatchObject({ error: "invalid_grant" });
    expect(await exchange(app, await authorize(app, person, "READ"), { verifier: null })).toMatchObject({ error: "invalid_grant" });
    expect(await exchange(app, await authorize(app, person, "READ"), { redirect_uri: "https://ci.example.test/other" })).toMatchObject({ error: "invalid_request" });
  });

  it("refuses an expired code", async () => {
    const app = await externalApplication();
    const started = await authorize(app, await makeUser());
    await db.oAuth2Code.updateMany({ where: { client: { clientId: app.clientId } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await exchange(app, started)).toMatchObject({ error: "invalid_grant" });
  });

  it("spends a refresh token once: using it again revokes the whole grant", async () => {
    const app = await externalApplication();
    const token = await exchange(app, await authorize(app, await makeUser()));
    const refresh = (refresh_token: string) => peer<TokenAnswer>({ step: "refresh", ...app.urls, client_id: app.clientId, client_secret: app.clientSecret, refresh_token });
    const next = await refresh(token.refresh_token);
    expect(next.access_token).toMatch(/^alo2_/);
    expect(await refresh(token.refresh_token)).toMatchObject({ error: "invalid_grant" });
    expect((await call(next, `${base}/api/v1/myself`)).status).toBe(401);
    expect(await refresh(next.refresh_token)).toMatchObject({ error: "invalid_grant" });
  });

  it("a READ token reads but may not write (403 insufficient_scope, naming WRITE)", async () => {
    const app = await externalApplication(["READ", "WRITE"]);
    const token = await exchange(app, await authorize(app, await makeUser("ADMIN"), "READ"));
    const read = await call(token, `${base}/api/v1/links/${app.link.id}/proxy/rest/api/2/myself`);
    expect(read, read.body).toMatchObject({ status: 200 });
    const write = await call(token, `${base}/api/v1/links/${app.link.id}/proxy/rest/api/2/issue`, "POST", "summary=x");
    expect(write.status).toBe(403);
    expect(write.www_authenticate).toMatch(/error="insufficient_scope", scope="WRITE"/);
    expect(JSON.parse(write.body)).toMatchObject({ error: { code: "forbidden" }, oauth2Error: "insufficient_scope", scope: "WRITE" });
  });

  it("ends every token when it expires, the person is disabled, the link is disabled or deleted, OAuth 2.0 is turned off, or a grant is revoked", async () => {
    const person = await makeUser();
    const check = async (app: App, token: TokenAnswer) => (await call(token, `${base}/api/v1/myself`)).status;

    let app = await externalApplication();
    let token = await exchange(app, await authorize(app, person));
    await db.user.update({ where: { id: person.id }, data: { disabled: true } });
    expect(await check(app, token)).toBe(401);
    await db.user.update({ where: { id: person.id }, data: { disabled: false } });
    expect(await check(app, token)).toBe(200);

    // Expired: refused as such (the refresh token, not the person, is the way back).
    await db.oAuth2Token.updateMany({ where: { kind: "access", grant: { client: { linkId: app.link.id } } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    // (A token row never changes once written; this test's rewrite of it is made visible by a write to its grant, as a revocation would be.)
    await db.oAuth2Grant.updateMany({ where: { client: { linkId: app.link.id } }, data: { lastUsedAt: new Date() } });
    const expired = await call(token, `${base}/api/v1/myself`);
    expect(expired.status).toBe(401);
    expect(expired.www_authenticate).toMatch(/error="invalid_token", error_description="The access token has expired/);
    token = await exchange(app, await authorize(app, person));

    await db.link.update({ where: { id: app.link.id }, data: { disabled: true } });
    expect(await check(app, token)).toBe(401);
    await db.link.update({ where: { id: app.link.id }, data: { disabled: false } });

    const [grant] = await listUserGrants(db, person.id);
    await revokeGrant(db, SYSTEM, grant!.id, { owner: person.id });
    expect(await check(app, token)).toBe(401);

    token = await exchange(app, await authorize(app, person));
    await setOAuth2Client(db, SYSTEM, app.link.id, null);
    expect(await check(app, token)).toBe(401);

    app = await externalApplication();
    token = await exchange(app, await authorize(app, person));
    await deleteLink(db, SYSTEM, app.link.id);
    expect(await check(app, token)).toBe(401);
  });

  it("answers a denial with access_denied at the client's redirect URL", async () => {
    const app = await externalApplication();
    const denied = await authorize(app, await makeUser(), "READ", false);
    const back = new URL(denied.redirect);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("state")).toBe(denied.state);
    expect(await exchange(app, denied)).toMatchObject({ error: "access_denied" });
  });

  it("shows the client secret once, in the answer that turned OAuth 2.0 on, and never again", async () => {
    const { link } = await createLink(db, SYSTEM, { name: "Secret shown once", type: "generic", rpcUrl: "https://once.example.test" });
    const admin = await makeUser("ADMIN");
    const { sessionCookie } = await import("@/tests/support/factories");
    const cookie = await sessionCookie(admin.id);
    const put = (body: unknown) =>
      incomingRoute.PUT(new Request(`http://localhost/api/v1/links/${link.id}/incoming`, { method: "PUT", headers: { cookie, "content-type": "application/json", origin: "http://localhost" }, body: JSON.stringify(body) }), { params: Promise.resolve({ id: link.id }) });
    const on = await put({ oauth2: { redirectUris: [REDIRECT], scopes: ["READ"] } });
    expect(on.status).toBe(200);
    const first = (await on.json()) as { oauth2: { clientId: string; clientSecret?: string; clientSecretSet: boolean } };
    expect(first.oauth2).toMatchObject({ clientId: expect.any(String), clientSecret: expect.any(String), clientSecretSet: true });
    const again = (await (await put({ oauth2: { redirectUris: [REDIRECT, "http://127.0.0.1/cb"], scopes: ["READ", "WRITE"] } })).json()) as { oauth2: Record<string, unknown> };
    expect(again.oauth2).toMatchObject({ clientId: first.oauth2.clientId, redirectUris: [REDIRECT, "http://127.0.0.1/cb"], scopes: ["READ", "WRITE"] });
    expect(again.oauth2.clientSecret).toBeUndefined();
    const read = (await (await incomingRoute.GET(new Request(`http://localhost/api/v1/links/${link.id}/incoming`, { headers: { cookie } }), { params: Promise.resolve({ id: link.id }) })).json()) as { oauth2: Record<string, unknown> };
    expect(JSON.stringify(read)).not.toContain(first.oauth2.clientSecret);
    const bad = await put({ oauth2: { redirectUris: ["http://ci.example.test/cb"], scopes: ["READ"] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/plain http/);
  });

  it("serves an external application that only calls in: a link with no RPC URL, which this app never calls", async () => {
    const linksRoute = await import("@/app/api/v1/links/route");
    const admin = await makeUser("ADMIN");
    const { sessionCookie } = await import("@/tests/support/factories");
    const cookie = await sessionCookie(admin.id);
    const post = (body: unknown) => linksRoute.POST(new Request("http://localhost/api/v1/links", { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify(body) }), { params: Promise.resolve({}) });
    const made = await post({ name: "Merge bot", type: "generic" });
    expect(made.status).toBe(201);
    const link = (await made.json()) as { id: string; rpcUrl: string | null };
    expect(link.rpcUrl).toBeNull();
    // Only a generic external application goes without a URL; anything else is asked for one.
    const refused = await post({ name: "Some Jira", type: "jira" });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toMatch(/Enter the remote's URL/);

    const { client, clientSecret } = await setOAuth2Client(db, SYSTEM, link.id, { redirectUris: [REDIRECT], scopes: ["READ", "WRITE"] });
    const app = { link: { id: link.id }, clientId: client!.clientId, clientSecret: clientSecret!, urls: { authorize_url: `${base}/rest/oauth2/latest/authorize`, token_url: `${base}/rest/oauth2/latest/token`, revoke_url: `${base}/rest/oauth2/latest/revoke` } } as unknown as App;
    const token = await exchange(app, await authorize(app, admin));
    expect(JSON.parse((await call(token, `${base}/api/v1/myself`)).body)).toMatchObject({ username: admin.username, via: "oauth2" });
    // Through the proxy there is nowhere to go: 409, said plainly, never a request to "null".
    const proxied = await call(token, `${base}/api/v1/links/${link.id}/proxy/x`, "POST", "a=1");
    expect(proxied.status).toBe(409);
    expect(JSON.parse(proxied.body).error.message).toMatch(/only calls in: it has no RPC URL/);
    // Its diagnosis checks what can be checked: the calls it made here.
    const { checkLinkNow, linkStatusView } = await import("@/lib/status/store");
    const { link: fresh, row } = await checkLinkNow(db, link.id, { admin });
    const view = linkStatusView(fresh, row, base);
    expect(view.checks.find((c) => c.name === "reach")).toMatchObject({ result: "skipped", message: expect.stringMatching(/only calls in/) });
    expect(view.checks.find((c) => c.name === "incoming")?.result).not.toBe("fail");
    // A reset of its incoming side asks nobody for a consumer it cannot have.
    const { resetDirection } = await import("@/lib/links/reset-direction");
    expect((await resetDirection(db, SYSTEM, link.id, "both")).incoming).toMatchObject({ refetched: false, refetchProblem: expect.stringMatching(/only calls in/) });
  });
});
