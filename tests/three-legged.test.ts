/** The 3-legged dance, this app as the consumer, against the python3-oauthlib provider service. */
import type { ChildProcess } from "node:child_process";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createLink } from "@/lib/links/create-link";
import { setOutgoing } from "@/lib/links/update-link";
import * as authorizeRoute from "@/app/api/v1/links/[id]/authorize/route";
import * as callbackRoute from "@/app/api/v1/links/[id]/oauth-callback/route";
import * as proxyRoute from "@/app/api/v1/links/[id]/proxy/[...path]/route";
import { startOauthlibProvider } from "@/tests/support/oauthlib-provider";
import { makeUser, sessionCookie, SYSTEM } from "@/tests/support/factories";
import { FLASH_COOKIE, readFlash } from "@/lib/http/flash";
import { sessionSecret } from "@/lib/env/secret-file";

/** Where a redirect goes, and what its flash cookie says there ("" when none): messages travel in a signed cookie, never in the address. */
function outcome(res: Response): { path: string; tone: string; text: string } {
  const location = new URL(res.headers.get("location")!);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${FLASH_COOKIE}=`));
  const [message] = readFlash(cookie?.slice(FLASH_COOKIE.length + 1).split(";")[0], location.pathname, sessionSecret());
  expect(location.search).toBe("");
  return { path: location.pathname, tone: message?.tone ?? "", text: message?.text ?? "" };
}

let provider: ChildProcess;
let root: string;
let linkId: string;
let alice: { cookie: string; id: string };
let bob: { cookie: string; id: string };

beforeAll(async () => {
  const started = await startOauthlibProvider();
  provider = started.process;
  const port = started.port;
  root = `http://127.0.0.1:${port}/jira`;
  const { link } = await createLink(db, SYSTEM, { name: "3LO Jira", type: "jira", rpcUrl: root });
  await setOutgoing(db, SYSTEM, link.id, { threeLegged: true, twoLegged: false, impersonation: false });
  linkId = link.id;
  for (const who of ["alice", "bob"] as const) {
    const user = await makeUser("USER");
    const entry = { cookie: await sessionCookie(user.id), id: user.id };
    if (who === "alice") alice = entry;
    else bob = entry;
  }
});
afterAll(() => provider?.kill());

type Handler = (req: Request, ctx: { params: Promise<Record<string, unknown>> }) => Promise<Response>;
const route = (mod: unknown, method = "GET") => (mod as Record<string, Handler>)[method]!;

async function begin(cookie: string) {
  const res = await route(authorizeRoute)(new Request(`http://localhost/api/v1/links/${linkId}/authorize?returnTo=/dashboard`, { headers: { cookie } }), { params: Promise.resolve({ id: linkId }) });
  const binding = /applink_oauth_binding=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  return { res, location: res.headers.get("location")!, binding };
}

/** What the browser does at the remote: it consents, and is redirected to our callback. */
async function consent(authorizeUrl: string, extra = "") {
  const res = await request(`${authorizeUrl}${extra}`, { method: "GET" });
  await res.body.dump();
  return String(res.headers.location);
}

async function callback(url: string, cookie: string) {
  const u = new URL(url);
  return route(callbackRoute)(new Request(`http://localhost${u.pathname}${u.search}`, { headers: { cookie } }), { params: Promise.resolve({ id: linkId }) });
}

async function proxyGet(cookie: string) {
  return route(proxyRoute)(new Request(`http://localhost/api/v1/links/${linkId}/proxy/rest/api/2/myself`, { headers: { cookie } }), { params: Promise.resolve({ id: linkId, path: ["rest"] }) });
}

describe("the 3-legged dance", () => {
  it("asks the person to authorize first, with the URL that starts the dance", async () => {
    const res = await proxyGet(alice.cookie);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: "authorization_required", message: expect.stringMatching(/authorize this app first/) },
      authorizeUrl: `/api/v1/links/${linkId}/authorize`,
    });
  });

  it("request token → consent → callback → access token; requests then run with the person's token", async () => {
    const { res, location, binding } = await begin(alice.cookie);
    expect(res.status).toBe(302);
    expect(location).toMatch(new RegExp(`^${root}/plugins/servlet/oauth/authorize\\?oauth_token=\\w+$`));
    expect(res.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Lax/);
    const back = await consent(location, "&user=alice-remote");
    expect(back).toMatch(/^http:\/\/localhost\/api\/v1\/links\/.+\/oauth-callback\?oauth_token=\w+&oauth_verifier=\w+$/);
    const done = await callback(back, `${alice.cookie}; applink_oauth_binding=${binding}`);
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe("http://localhost/dashboard");
    expect(outcome(done)).toEqual({ path: "/dashboard", tone: "success", text: expect.stringMatching(/is authorized: requests through it now run as you/) });
    const row = await db.oAuthAccessToken.findUniqueOrThrow({ where: { userId_linkId: { userId: alice.id, linkId } } });
    expect(await db.oAuthRequestToken.count({ where: { userId: alice.id } })).toBe(0);

    const json = (await (await proxyGet(alice.cookie)).json()) as Record<string, unknown>;
    expect(json).toMatchObject({ valid: true, token: row.token, remoteUser: "alice-remote" });
    expect(await db.auditEvent.count({ where: { action: "link.authorize", targetId: linkId } })).toBe(1);
  });

  it("keeps tokens per person: another user is still asked to authorize", async () => {
    expect((await proxyGet(bob.cookie)).status).toBe(401);
  });

  it("refuses a callback from another session or browser (no CSRF, no token swapping), single use", async () => {
    const { location, binding } = await begin(alice.cookie);
    const back = await consent(location);
    const swapped = await callback(back, `${bob.cookie}; applink_oauth_binding=${binding}`);
    expect(outcome(swapped)).toMatchObject({ tone: "error", text: expect.stringMatching(/^This authorization was not started by you/) });
    const noBinding = await callback(back, alice.cookie);
    expect(outcome(noBinding).tone).toBe("error");
    const ok = await callback(back, `${alice.cookie}; applink_oauth_binding=${binding}`);
    expect(outcome(ok).tone).toBe("success");
    const replay = await callback(back, `${alice.cookie}; applink_oauth_binding=${binding}`);
    expect(outcome(replay).tone).toBe("error");
  });

  it("says clearly when the person declines, or took longer than 10 minutes", async () => {
    const denied = await begin(bob.cookie);
    const refusedBack = await consent(denied.location, "&deny=1");
    const refused = await callback(refusedBack, `${bob.cookie}; applink_oauth_binding=${denied.binding}`);
    expect(outcome(refused)).toMatchObject({ path: `/links/${linkId}`, tone: "error", text: expect.stringMatching(/^You declined to authorize/) });
    const late = await begin(bob.cookie);
    const lateBack = await consent(late.location);
    await db.oAuthRequestToken.updateMany({ where: { userId: bob.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await callback(lateBack, `${bob.cookie}; applink_oauth_binding=${late.binding}`);
    expect(outcome(expired)).toMatchObject({ tone: "error", text: expect.stringMatching(/longer than 10 minutes/) });
  });

  it("drops a token the remote rejects and asks again", async () => {
    const revoked = await request(`${root}/revoke-all`);
    expect(await revoked.body.json()).toEqual({ revoked: true });
    const res = await proxyGet(alice.cookie);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "authorization_required", message: expect.stringMatching(/token_rejected/) } });
    expect(await db.oAuthAccessToken.count({ where: { userId: alice.id, linkId } })).toBe(0);
  });
});

describe("resetting outgoing after the dance", () => {
  it("discards the access tokens held for the link, counted, and their sealed secrets", async () => {
    const { resetDirection } = await import("@/lib/links/reset-direction");
    const { location, binding } = await begin(bob.cookie);
    await callback(await consent(location), `${bob.cookie}; applink_oauth_binding=${binding}`);
    const secretId = (await db.oAuthAccessToken.findUniqueOrThrow({ where: { userId_linkId: { userId: bob.id, linkId } } })).secretId;
    const report = await resetDirection(db, SYSTEM, linkId, "outgoing");
    expect(report.outgoing).toEqual({ accessTokensDiscarded: 1 });
    expect(await db.oAuthAccessToken.count({ where: { linkId } })).toBe(0);
    expect(await db.vaultSecret.count({ where: { id: secretId } })).toBe(0);
    expect((await proxyGet(bob.cookie)).status).toBe(401);
  });
});
