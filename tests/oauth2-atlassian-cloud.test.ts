/**
 * Issue 25: the Atlassian Cloud preset against a stand-in with Atlassian Cloud's shape
 * (tests/support/atlassian-cloud-stand-in.ts: written here, named as a stand-in). The consent asks
 * for `audience` and `prompt`, the site is chosen by the link's URL among several the person
 * authorized, requests go through the API gateway's /ex/jira/{cloudId}; refresh tokens rotate and a
 * reuse ends the grant, so three instances refreshing at once must present each refresh token once.
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { createLink } from "@/lib/links/create-link";
import { setOutgoing } from "@/lib/links/update-link";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { outgoingJson } from "@/lib/links/serialize";
import { diagnoseLink } from "@/lib/status/diagnose";
import { USER_SELECT } from "@/lib/db/cached-reads";
import * as authorizeRoute from "@/app/api/v1/links/[id]/authorize/route";
import * as callbackRoute from "@/app/api/v1/links/[id]/oauth-callback/route";
import * as proxyRoute from "@/app/api/v1/links/[id]/proxy/[...path]/route";
import { FLASH_COOKIE, readFlash } from "@/lib/http/flash";
import { sessionSecret } from "@/lib/env/secret-file";
import { makeUser, sessionCookie, SYSTEM } from "@/tests/support/factories";
import { startAtlassianCloudStandIn, type AtlassianCloudStandIn } from "@/tests/support/atlassian-cloud-stand-in";

const SITE = "https://acme.atlassian.net";
const SECRET = "atlassian cloud client secret 0123456789abcdef";
let cloud: AtlassianCloudStandIn;
let linkId: string;
let person: { cookie: string; id: string };

beforeAll(async () => {
  cloud = await startAtlassianCloudStandIn({
    clientId: "cloud-client",
    clientSecret: SECRET,
    accessTokenSeconds: 2,
    sites: [
      { id: "cloud-other", url: "https://other.atlassian.net" },
      { id: "cloud-acme", url: SITE },
      { id: "cloud-third", url: "https://third.atlassian.net" },
    ],
  });
  const { link } = await createLink(db, SYSTEM, { name: "Acme Cloud Jira", type: "jira", rpcUrl: SITE });
  linkId = link.id;
  const user = await makeUser("USER");
  person = { cookie: await sessionCookie(user.id), id: user.id };
});
afterAll(() => cloud.close());

type Handler = (req: Request, ctx: { params: Promise<Record<string, unknown>> }) => Promise<Response>;
const route = (mod: unknown) => (mod as Record<string, Handler>).GET!;

async function authorize(id = linkId) {
  const res = await route(authorizeRoute)(new Request(`http://localhost/api/v1/links/${id}/authorize`, { headers: { cookie: person.cookie } }), { params: Promise.resolve({ id }) });
  const binding = /applink_oauth_binding=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  const location = res.headers.get("location")!;
  const consent = await request(location);
  await consent.body.dump();
  const back = new URL(String(consent.headers.location ?? location));
  const done = await route(callbackRoute)(new Request(`http://localhost${back.pathname}${back.search}`, { headers: { cookie: `${person.cookie}; applink_oauth_binding=${binding}` } }), { params: Promise.resolve({ id }) });
  const target = new URL(done.headers.get("location")!);
  const flash = done.headers.getSetCookie().find((c) => c.startsWith(`${FLASH_COOKIE}=`));
  const [message] = readFlash(flash?.slice(FLASH_COOKIE.length + 1).split(";")[0], target.pathname, sessionSecret());
  return { asked: new URL(location), status: consent.statusCode, tone: message?.tone, text: message?.text ?? "" };
}

async function myself() {
  const res = await route(proxyRoute)(new Request(`http://localhost/api/v1/links/${linkId}/proxy/rest/api/3/myself`, { headers: { cookie: person.cookie } }), { params: Promise.resolve({ id: linkId, path: ["rest", "api", "3", "myself"] }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const configure = (id = linkId) =>
  setOutgoing(db, SYSTEM, id, {
    scheme: "oauth2",
    preset: "atlassian-cloud",
    clientId: "cloud-client",
    clientSecret: SECRET,
    authorizationUrl: `${cloud.url}/authorize`,
    tokenUrl: `${cloud.url}/oauth/token`,
    resourcesUrl: `${cloud.url}/oauth/token/accessible-resources`,
    apiUrl: cloud.url,
  });

describe("the Atlassian Cloud preset, against a stand-in with its shape", () => {
  it("fills Atlassian's defaults and shows every URL it will use", async () => {
    const saved = await configure();
    expect(outgoingJson(saved, "https://applink.example").oauth2).toMatchObject({
      preset: "atlassian-cloud",
      scopes: ["read:jira-user", "read:jira-work", "offline_access"],
      parameters: { audience: "api.atlassian.com", prompt: "consent" },
      clientAuth: "post",
      cloud: { resourcesUrl: `${cloud.url}/oauth/token/accessible-resources`, apiUrl: cloud.url, product: "jira" },
    });
    expect(outgoingJson(saved, "https://applink.example").redirectUrl).toBe(`https://applink.example/api/v1/links/${linkId}/oauth-callback`);
    // A preset for Jira and Confluence only.
    const { link: bamboo } = await createLink(db, SYSTEM, { name: "Cloud Bamboo?", type: "bamboo", rpcUrl: "https://bamboo.example.test" });
    await expect(setOutgoing(db, SYSTEM, bamboo.id, { scheme: "oauth2", preset: "atlassian-cloud", clientId: "x", clientSecret: "y" })).rejects.toThrow(/Jira and Confluence/);
  });

  it("asks with audience and prompt, chooses the link's site among those authorized, and calls through /ex/jira/{cloudId}", async () => {
    const done = await authorize();
    expect(Object.fromEntries(done.asked.searchParams)).toMatchObject({ audience: "api.atlassian.com", prompt: "consent", scope: "read:jira-user read:jira-work offline_access", code_challenge_method: "S256" });
    expect(done).toMatchObject({ status: 302, tone: "success" });
    expect((await db.oAuth2RemoteToken.findFirstOrThrow({ where: { linkId } })).cloudId).toBe("cloud-acme");
    expect(await myself()).toEqual({ status: 200, body: { accountId: "557058:stand-in-account", cloudId: "cloud-acme", path: "/rest/api/3/myself" } });
  });

  it("three instances refreshing at once present each rotating refresh token once, and keep working", async () => {
    // Each instance has its own process state (its own single-flight map): three fresh copies of the module.
    const instances = [];
    for (let i = 0; i < 3; i++) {
      vi.resetModules();
      instances.push(await import("@/lib/outgoing/oauth2-tokens"));
    }
    expect(new Set(instances).size).toBe(3);
    const { oauth2Client } = await import("@/lib/outgoing/oauth2-authorization");
    const link = await findLinkOrThrow(db, linkId);
    const { endpoints, clientSecret } = await oauth2Client(db, link);
    for (let round = 0; round < 3; round++) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const held = await Promise.all(instances.flatMap((instance) => [0, 1, 2].map(() => instance.personTokens(db, link, endpoints, clientSecret, person.id))));
      // Everyone got the one new access token.
      expect(new Set(held.map((h) => h.accessToken)).size).toBe(1);
    }
    expect(cloud.refreshes).toBe(3);
    expect(cloud.endedByReuse).toBe(0);
    expect(new Set(cloud.presentedRefreshTokens).size).toBe(cloud.presentedRefreshTokens.length);
    expect((await myself()).status).toBe(200);
  });

  it("says which sites the person authorized when the link's is not among them", async () => {
    const { link: beta } = await createLink(db, SYSTEM, { name: "Beta Cloud Jira", type: "jira", rpcUrl: "https://beta.atlassian.net" });
    await configure(beta.id);
    const done = await authorize(beta.id);
    expect(done).toMatchObject({ tone: "error", text: "You authorized sites other than https://beta.atlassian.net (https://other.atlassian.net, https://acme.atlassian.net, https://third.atlassian.net): authorize again and choose that site on Atlassian's consent page." });
    expect(await db.oAuth2RemoteToken.count({ where: { linkId: beta.id } })).toBe(0);
  });

  it("maps a refusal by its error, not its status (403 invalid_grant): the person is asked to authorize again", async () => {
    cloud.revokeAll();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await myself()).toMatchObject({ status: 401, body: { error: { code: "authorization_required", message: expect.stringMatching(/refused to refresh your token \(invalid_grant\)/) }, authorizeUrl: `/api/v1/links/${linkId}/authorize` } });
  });

  it("diagnoses an Atlassian Cloud link: the client probe, the person's token through /ex/jira/{cloudId}/rest/api/3/myself, and a refresh token nearing its end", async () => {
    // A site served by the stand-in itself, so the diagnosis reaches it.
    cloud.addSite({ id: "cloud-local", url: cloud.url });
    const { link } = await createLink(db, SYSTEM, { name: "Stand-in Cloud Jira", type: "jira", rpcUrl: cloud.url });
    await configure(link.id);
    expect((await authorize(link.id)).tone).toBe("success");
    const signedCall = async () => {
      const admin = await db.user.findUniqueOrThrow({ where: { id: person.id }, select: USER_SELECT });
      return (await diagnoseLink(db, await findLinkOrThrow(db, link.id), { admin })).checks.find((c) => c.name === "signed-call")!;
    };
    expect(await signedCall()).toMatchObject({ result: "pass", message: expect.stringMatching(/knows the client "cloud-client" \(a made-up code: invalid_grant\)\. Your OAuth 2\.0 token works \(HTTP 200 at \/rest\/api\/3\/myself\)/) });
    const days = (n: number) => new Date(Date.now() - n * 86_400_000);
    // Refreshed 70 days ago (and not due now): Atlassian ends a refresh token unused for 90.
    await db.oAuth2RemoteToken.updateMany({ where: { linkId: link.id }, data: { refreshedAt: days(70), expiresAt: new Date(Date.now() + 3_600_000) } });
    expect(await signedCall()).toMatchObject({ result: "warn", status: "AUTHENTICATE", message: expect.stringMatching(/last used 70 days ago: Atlassian ends one unused for 90 days/) });
    // Authorized 350 days ago: the yearly end is near.
    await db.oAuth2RemoteToken.updateMany({ where: { linkId: link.id }, data: { refreshedAt: new Date(), createdAt: days(350) } });
    expect(await signedCall()).toMatchObject({ result: "warn", status: "AUTHENTICATE", message: expect.stringMatching(/ends around .* a year after consent/) });
  });
});
