/**
 * Issue 25: outgoing OAuth 2.0 per person (authorization code with PKCE) against `oidc-provider`
 * (npm; a certified OpenID provider we did not write) as a generic authorization server: the link
 * configured from the server's metadata alone (its issuer checked), a person's consent in the
 * provider's own login and consent pages, the code exchanged with the PKCE verifier, requests that
 * run as that person, refresh with rotation when the access token ends (2 s here) and once when the
 * remote refuses one early, revocation at the provider, and every refusal of a callback that is not
 * this person's, in this browser, once.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createLink } from "@/lib/links/create-link";
import { setOutgoing } from "@/lib/links/update-link";
import { outgoingJson } from "@/lib/links/serialize";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { AppError } from "@/lib/errors";
import { diagnoseLink } from "@/lib/status/diagnose";
import { linkFetch } from "@/lib/outgoing/link-fetch";
import { USER_SELECT } from "@/lib/db/cached-reads";
import { revokeOwnOAuth2Authorization } from "@/lib/outgoing/oauth2-tokens";
import { listAuthorizations } from "@/lib/outgoing/three-legged";
import * as authorizeRoute from "@/app/api/v1/links/[id]/authorize/route";
import * as callbackRoute from "@/app/api/v1/links/[id]/oauth-callback/route";
import * as proxyRoute from "@/app/api/v1/links/[id]/proxy/[...path]/route";
import { FLASH_COOKIE, readFlash } from "@/lib/http/flash";
import { sessionSecret } from "@/lib/env/secret-file";
import { databaseBytes } from "@/tests/support/database-contents";
import { makeUser, sessionCookie, SYSTEM } from "@/tests/support/factories";
import { freePort } from "@/tests/support/free-port";

const CLIENT_SECRET = "client secret of the applink authorization-code client 0123456789";
let provider: Provider;
let providerServer: http.Server;
let issuer: string;
let linkId: string;
let alice: { cookie: string; id: string };
let bob: { cookie: string; id: string };
/** Every refresh token the provider was presented, in order (none may appear twice). */
const presented: string[] = [];

/** The remote API: who the bearer token belongs to while the provider holds it, else 401. */
const api = http.createServer(async (req, res) => {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  const found = token ? await provider.AccessToken.find(token) : undefined;
  res.writeHead(found && !found.isExpired ? 200 : 401, { "content-type": "application/json" }).end(JSON.stringify({ account: found?.accountId ?? null, scope: found?.scope ?? null, path: req.url }));
});
const apiUrl = () => `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

beforeAll(async () => {
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  const { link } = await createLink(db, SYSTEM, { name: "OIDC API", type: "generic", rpcUrl: `${apiUrl()}/api` });
  linkId = link.id;
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  provider = new Provider(issuer, {
    clients: [{ client_id: "applink-ac", client_secret: CLIENT_SECRET, grant_types: ["authorization_code", "refresh_token"], redirect_uris: [`http://localhost/api/v1/links/${linkId}/oauth-callback`], response_types: ["code"], token_endpoint_auth_method: "client_secret_basic" }],
    features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
    scopes: ["openid", "offline_access"],
    pkce: { required: () => true },
    issueRefreshToken: async () => true,
    rotateRefreshToken: true,
    ttl: { AccessToken: 2, AuthorizationCode: 60, RefreshToken: 3600, Grant: 3600, Session: 3600, Interaction: 3600, IdToken: 60 },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  });
  provider.on("grant.success", (ctx: { oidc: { params?: Record<string, unknown> } }) => {
    const presentedToken = ctx.oidc.params?.refresh_token;
    if (typeof presentedToken === "string") presented.push(presentedToken);
  });
  providerServer = http.createServer(provider.callback());
  await new Promise<void>((resolve) => providerServer.listen(port, "127.0.0.1", resolve));
  for (const who of ["alice", "bob"] as const) {
    const user = await makeUser("USER");
    const entry = { cookie: await sessionCookie(user.id), id: user.id };
    if (who === "alice") alice = entry;
    else bob = entry;
  }
});
afterAll(() => {
  providerServer?.close();
  api.close();
});

type Handler = (req: Request, ctx: { params: Promise<Record<string, unknown>> }) => Promise<Response>;
const route = (mod: unknown) => (mod as Record<string, Handler>).GET!;

async function begin(cookie: string) {
  const res = await route(authorizeRoute)(new Request(`http://localhost/api/v1/links/${linkId}/authorize?returnTo=/dashboard`, { headers: { cookie } }), { params: Promise.resolve({ id: linkId }) });
  const binding = /applink_oauth_binding=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  return { res, location: res.headers.get("location")!, binding };
}

/**
 * What a browser does at the provider: its own login page (as `account`), then its consent page,
 * following its redirects with its cookies, until it is sent back to this app. `deny` refuses consent.
 */
async function consentAt(authorizeUrl: string, account: string): Promise<string> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  let url = authorizeUrl;
  let body: string | undefined;
  for (let step = 0; step < 12; step++) {
    const res = await request(url, { method: body ? "POST" : "GET", headers: { cookie: cookieHeader(), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) }, body });
    const set = res.headers["set-cookie"];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = c.split(";");
      const [name, ...value] = pair!.split("=");
      jar.set(name!.trim(), value.join("="));
    }
    const text = await res.body.text();
    const location = res.headers.location;
    if (location) {
      const next = new URL(String(location), url).href;
      if (next.startsWith("http://localhost/")) return next;
      url = next;
      body = undefined;
      continue;
    }
    const prompt = /name="prompt" value="(\w+)"/.exec(text)?.[1];
    if (!prompt) throw new Error(`No form at ${url}: ${res.statusCode} ${text.slice(0, 300)}`);
    body = prompt === "login" ? new URLSearchParams({ prompt, login: account, password: "x" }).toString() : new URLSearchParams({ prompt }).toString();
  }
  throw new Error("The provider never sent the browser back.");
}

async function callback(url: string, cookie: string) {
  const u = new URL(url);
  return route(callbackRoute)(new Request(`http://localhost${u.pathname}${u.search}`, { headers: { cookie } }), { params: Promise.resolve({ id: linkId }) });
}

function outcome(res: Response): { path: string; tone: string; text: string } {
  const location = new URL(res.headers.get("location")!);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${FLASH_COOKIE}=`));
  const [message] = readFlash(cookie?.slice(FLASH_COOKIE.length + 1).split(";")[0], location.pathname, sessionSecret());
  return { path: location.pathname, tone: message?.tone ?? "", text: message?.text ?? "" };
}

async function proxyGet(cookie: string) {
  const res = await route(proxyRoute)(new Request(`http://localhost/api/v1/links/${linkId}/proxy/rest/whoami`, { headers: { cookie } }), { params: Promise.resolve({ id: linkId, path: ["rest", "whoami"] }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A person authorizes the link from start to finish; answers the flash outcome. */
async function authorize(who: { cookie: string }, account: string) {
  const { location, binding } = await begin(who.cookie);
  const back = await consentAt(location, account);
  return outcome(await callback(back, `${who.cookie}; applink_oauth_binding=${binding}`));
}

describe("outgoing OAuth 2.0, authorization code, against oidc-provider", () => {
  it("refuses metadata whose issuer is not the URL asked (RFC 8414 §3.3), and configures from the real one", async () => {
    const liar = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ issuer: "https://elsewhere.example", authorization_endpoint: "https://elsewhere.example/a", token_endpoint: "https://elsewhere.example/t" })));
    await new Promise<void>((resolve) => liar.listen(0, "127.0.0.1", resolve));
    const liarUrl = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
    const refused = await setOutgoing(db, SYSTEM, linkId, { scheme: "oauth2", preset: "custom", issuer: liarUrl, clientId: "applink-ac", clientSecret: CLIENT_SECRET }).catch((e: unknown) => e);
    liar.close();
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).fields?.issuer).toMatch(/names another issuer \(https:\/\/elsewhere\.example\).*RFC 8414/);
    expect((await findLinkOrThrow(db, linkId)).outScheme).toBe("oauth1");

    const saved = await setOutgoing(db, SYSTEM, linkId, { scheme: "oauth2", preset: "custom", issuer, clientId: "applink-ac", clientSecret: CLIENT_SECRET, scopes: ["openid", "offline_access"] });
    const shown = outgoingJson(saved, "http://localhost");
    expect(shown.redirectUrl).toBe(`http://localhost/api/v1/links/${linkId}/oauth-callback`);
    expect(shown.oauth2).toMatchObject({
      preset: "custom",
      clientId: "applink-ac",
      scopes: ["openid", "offline_access"],
      issuer,
      authorizationUrl: `${issuer}/auth`,
      tokenUrl: `${issuer}/token`,
      revocationUrl: `${issuer}/token/revocation`,
      clientSecret: { set: true, preview: "••••6789" },
    });
    expect(JSON.stringify(shown)).not.toContain(CLIENT_SECRET);
    expect((await databaseBytes()).includes(Buffer.from(CLIENT_SECRET))).toBe(false);
  });

  it("asks a person who has not authorized to do so, with the URL that starts it", async () => {
    const res = await proxyGet(alice.cookie);
    expect(res).toEqual({ status: 401, body: { error: { code: "authorization_required", message: expect.stringMatching(/authorize this app first \(OAuth 2\.0\)/) }, authorizeUrl: `/api/v1/links/${linkId}/authorize` } });
  });

  it("sends the browser to the provider with PKCE S256 and a state, and back with tokens that make requests run as the person", async () => {
    const { res, location, binding } = await begin(alice.cookie);
    expect(res.status).toBe(302);
    const asked = new URL(location);
    expect(asked.origin + asked.pathname).toBe(`${issuer}/auth`);
    expect(Object.fromEntries(asked.searchParams)).toMatchObject({ response_type: "code", client_id: "applink-ac", redirect_uri: `http://localhost/api/v1/links/${linkId}/oauth-callback`, code_challenge_method: "S256", scope: "openid offline_access" });
    expect(asked.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(asked.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(res.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Lax/);
    const back = await consentAt(location, "alice-at-provider");
    expect(new URL(back).searchParams.get("code")).toBeTruthy();
    const done = await callback(back, `${alice.cookie}; applink_oauth_binding=${binding}`);
    expect(outcome(done)).toEqual({ path: "/dashboard", tone: "success", text: expect.stringMatching(/is authorized: requests through it now run as you/) });
    expect(await proxyGet(alice.cookie)).toEqual({ status: 200, body: { account: "alice-at-provider", scope: "openid", path: "/api/rest/whoami" } });
    // Bob has his own authorization or none.
    expect((await proxyGet(bob.cookie)).status).toBe(401);
    expect(await listAuthorizations(db, alice.id)).toEqual([expect.objectContaining({ linkId, scheme: "oauth2", scopes: "openid" })]);
    expect(await db.oAuth2Authorization.count()).toBe(0);
  });

  it("refreshes an access token that ended (rotating the refresh token), and one the provider revoked early", async () => {
    const before = presented.length;
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await proxyGet(alice.cookie)).toMatchObject({ status: 200, body: { account: "alice-at-provider" } });
    expect(presented.length).toBe(before + 1);
    // Revoked before it ended: the 401 refreshes once, and the request goes again.
    const row = await db.oAuth2RemoteToken.findUniqueOrThrow({ where: { userId_linkId: { userId: alice.id, linkId } } });
    const { accessToken } = JSON.parse((await (await import("@/lib/vault/vault")).readSecret(db, row.secretId)).toString("utf8")) as { accessToken: string };
    await (await provider.AccessToken.find(accessToken))!.destroy();
    expect(await proxyGet(alice.cookie)).toMatchObject({ status: 200, body: { account: "alice-at-provider" } });
    expect(presented.length).toBe(before + 2);
    expect(new Set(presented).size).toBe(presented.length);
  });

  it("refuses a callback from another person or browser, a replay, and a refusal at the provider", async () => {
    const { location, binding } = await begin(alice.cookie);
    const back = await consentAt(location, "alice-at-provider");
    expect(outcome(await callback(back, `${bob.cookie}; applink_oauth_binding=${binding}`))).toMatchObject({ tone: "error", text: expect.stringMatching(/^This authorization was not started by you/) });
    expect(outcome(await callback(back, alice.cookie)).tone).toBe("error");
    expect(outcome(await callback(back, `${alice.cookie}; applink_oauth_binding=${binding}`)).tone).toBe("success");
    expect(outcome(await callback(back, `${alice.cookie}; applink_oauth_binding=${binding}`))).toMatchObject({ tone: "error", text: expect.stringMatching(/not started by you|already used/) });
    // A person who declines at the remote comes back with error=access_denied.
    const declined = await begin(bob.cookie);
    const state = new URL(declined.location).searchParams.get("state")!;
    const refusal = `http://localhost/api/v1/links/${linkId}/oauth-callback?error=access_denied&state=${state}`;
    expect(outcome(await callback(refusal, `${bob.cookie}; applink_oauth_binding=${declined.binding}`))).toMatchObject({ tone: "error", text: expect.stringMatching(/^You declined to authorize/) });
  });

  it("revokes at the provider when the person revokes here, and asks them to authorize again", async () => {
    const row = await db.oAuth2RemoteToken.findUniqueOrThrow({ where: { userId_linkId: { userId: alice.id, linkId } } });
    const { refreshToken } = JSON.parse((await (await import("@/lib/vault/vault")).readSecret(db, row.secretId)).toString("utf8")) as { refreshToken: string };
    expect(await provider.RefreshToken.find(refreshToken)).toBeTruthy();
    // Sealed: neither token is in the database as it is.
    expect((await databaseBytes()).includes(Buffer.from(refreshToken))).toBe(false);
    expect(await revokeOwnOAuth2Authorization(db, linkId, alice.id)).toEqual({ linkName: "OIDC API", remote: "revoked" });
    expect(await provider.RefreshToken.find(refreshToken)).toBeUndefined();
    expect(await db.vaultSecret.count({ where: { id: row.secretId } })).toBe(0);
    expect((await proxyGet(alice.cookie)).status).toBe(401);
    expect((await authorize(alice, "alice-at-provider")).tone).toBe("success");
    expect((await proxyGet(alice.cookie)).status).toBe(200);
  });

  it("forgets tokens whose grant the provider ended, and asks again (401 with authorizeUrl)", async () => {
    const row = await db.oAuth2RemoteToken.findUniqueOrThrow({ where: { userId_linkId: { userId: alice.id, linkId } } });
    const { accessToken } = JSON.parse((await (await import("@/lib/vault/vault")).readSecret(db, row.secretId)).toString("utf8")) as { accessToken: string };
    const grantId = (await provider.AccessToken.find(accessToken))!.grantId!;
    await provider.Grant.adapter.destroy(grantId);
    await (await provider.AccessToken.find(accessToken))!.destroy();
    const res = await proxyGet(alice.cookie);
    expect(res).toMatchObject({ status: 401, body: { error: { code: "authorization_required", message: expect.stringMatching(/no longer accepts your authorization .*invalid_grant/) }, authorizeUrl: `/api/v1/links/${linkId}/authorize` } });
    expect(await db.oAuth2RemoteToken.count({ where: { userId: alice.id } })).toBe(0);
  });

  it("diagnoses the OAuth 2.0 side: the client probe, the checking admin's own token (AUTHENTICATE without one), a client the server does not know", async () => {
    const signedCall = async () => {
      const admin = await db.user.findUniqueOrThrow({ where: { id: alice.id }, select: USER_SELECT });
      const diagnosis = await diagnoseLink(db, await findLinkOrThrow(db, linkId), { admin });
      return diagnosis.checks.find((c) => c.name === "signed-call")!;
    };
    expect(await signedCall()).toMatchObject({ result: "warn", status: "AUTHENTICATE", message: expect.stringMatching(/knows the client "applink-ac" \(a made-up code: invalid_grant\)\. You have not authorized this app/), actions: [{ kind: "authorize" }] });
    expect((await authorize(alice, "alice-at-provider")).tone).toBe("success");
    expect(await signedCall()).toMatchObject({ result: "pass", message: expect.stringMatching(/Your OAuth 2\.0 token works \(HTTP 200 at \/\)/) });
    await setOutgoing(db, SYSTEM, linkId, { scheme: "oauth2", clientSecret: "not the secret the provider holds for applink-ac" });
    expect(await signedCall()).toMatchObject({ result: "fail", status: "CONFIG_ERROR", problem: "oauth2_invalid_client", message: expect.stringMatching(/does not accept the client "applink-ac" \(invalid_client\)/) });
    await setOutgoing(db, SYSTEM, linkId, { scheme: "oauth2", clientSecret: CLIENT_SECRET });
    // The secret alone changed: people's authorizations stay.
    expect(await db.oAuth2RemoteToken.count({ where: { linkId } })).toBe(1);
  });

  it("lets server code act for a person it names (the request factory), with that person's token only", async () => {
    const link = await findLinkOrThrow(db, linkId);
    const aliceName = (await db.user.findUniqueOrThrow({ where: { id: alice.id } })).username;
    const bobName = (await db.user.findUniqueOrThrow({ where: { id: bob.id } })).username;
    const res = await linkFetch(db, link, { method: "GET", url: `${apiUrl()}/api/rest/whoami` }, { as: { server: true, username: aliceName } });
    expect({ status: res.status, body: await res.json() }).toMatchObject({ status: 200, body: { account: "alice-at-provider" } });
    await expect(linkFetch(db, link, { method: "GET", url: `${apiUrl()}/api/rest/whoami` }, { as: { server: true, username: bobName } })).rejects.toMatchObject({ code: "authorization_required" });
    await expect(linkFetch(db, link, { method: "GET", url: `${apiUrl()}/api/rest/whoami` }, { as: { server: true } })).rejects.toMatchObject({ code: "forbidden", message: expect.stringMatching(/must name the username/) });
  });
});
