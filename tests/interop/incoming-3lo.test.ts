/**
 * Incoming 3-legged OAuth: python3-requests-oauthlib, as a linked application, does the whole dance
 * against this app's provider endpoints over real HTTP (request token, the person's consent, access
 * token) and then calls /api/v1/myself as that person. Also: single use, denial, revocation,
 * expiry, a disabled person, 3LO switched off, and a reset of the incoming direction.
 */
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import http from "node:http";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { publicKeyPem } from "@/lib/crypto/rsa-keys";
import { createLink } from "@/lib/links/create-link";
import { resetDirection } from "@/lib/links/reset-direction";
import { setIncoming } from "@/lib/links/update-link";
import { parseProblemReport } from "@/lib/oauth1";
import { accessTokenEndpoint, requestTokenEndpoint } from "@/lib/api/oauth-provider-endpoints";
import { decideRequestToken, listAuthorizedApplications, revokeAuthorizedApplication } from "@/lib/incoming/issued-tokens";
import * as myselfRoute from "@/app/api/v1/myself/route";
import { makeUser, SYSTEM } from "@/tests/support/factories";
import { serveRoutes } from "@/tests/support/route-server";

const run = promisify(execFile);
const CONSUMER = "confluence:incoming-3lo";
let privatePem: string;
let base: string;
let server: http.Server;
let linkId: string;

/** This app's routes behind a real socket, as `npm start` serves them. */
beforeAll(async () => {
  ({ server, base } = await serveRoutes({
    "/plugins/servlet/oauth/request-token": (request) => requestTokenEndpoint(db, request),
    "/plugins/servlet/oauth/access-token": (request) => accessTokenEndpoint(db, request),
    "/api/v1/myself": (request) => myselfRoute.GET(request, { params: Promise.resolve({}) }),
  }));
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  linkId = (await createLink(db, SYSTEM, { name: "Interop Confluence", type: "confluence", rpcUrl: "https://confluence.interop.example.test" })).link.id;
  await incoming(true);
});
afterAll(() => server?.close());

/** Incoming 3LO on, or off with the direction still on (impersonation instead), so the consumer stays known. */
async function incoming(threeLegged: boolean) {
  await setIncoming(db, SYSTEM, linkId, { consumerKey: CONSUMER, consumerName: "Interop Confluence", publicKey: publicKeyPem(crypto.createPublicKey(privatePem)), threeLegged, twoLegged: false, impersonation: !threeLegged });
}

async function peer<T = Record<string, string>>(input: Record<string, unknown>): Promise<T> {
  const child = run("/usr/bin/python3", [path.resolve("tests/interop/requests_oauthlib_3lo.py")], { encoding: "utf8" });
  child.child.stdin!.end(JSON.stringify({ base, key: CONSUMER, rsa_private_pem: privatePem, ...input }));
  return JSON.parse((await child).stdout) as T;
}

const problem = (answer: { www_authenticate?: string | null; body?: string }) => parseProblemReport(answer.www_authenticate ?? null, answer.body ?? null)?.problem;

/** The dance up to the access token, the person answering `allow` on the consent page. */
async function dance(person: { id: string }, callback = "https://confluence.interop.example.test/plugins/servlet/applinks/oauth/login-dance/authorized") {
  const requestToken = await peer({ step: "request-token", callback });
  expect(requestToken).toMatchObject({ oauth_token: expect.any(String), oauth_token_secret: expect.any(String), oauth_callback_confirmed: "true" });
  const consent = await decideRequestToken(db, person.id, requestToken.oauth_token!, true);
  return { requestToken, consent };
}

describe("incoming 3LO with python3-requests-oauthlib as the linked application", () => {
  it("request token, consent, access token, then /myself runs as the person who allowed it", async () => {
    const person = await makeUser("USER");
    const { requestToken, consent } = await dance(person);
    const redirect = new URL(consent.redirect!);
    expect(redirect.origin + redirect.pathname).toBe("https://confluence.interop.example.test/plugins/servlet/applinks/oauth/login-dance/authorized");
    expect(redirect.searchParams.get("oauth_token")).toBe(requestToken.oauth_token);
    const verifier = redirect.searchParams.get("oauth_verifier")!;
    const access = await peer({ step: "access-token", token: requestToken.oauth_token, token_secret: requestToken.oauth_token_secret, verifier });
    expect(access).toMatchObject({ oauth_token: expect.any(String), oauth_token_secret: expect.any(String) });
    const me = await peer<{ status: number; body: string }>({ step: "call", path: "/api/v1/myself", token: access.oauth_token, token_secret: access.oauth_token_secret });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ username: (await db.user.findUniqueOrThrow({ where: { id: person.id } })).username, via: "oauth-3lo", consumerKey: CONSUMER });
    // Only hashes are stored: neither token appears in the table.
    const rows = await db.oAuthIssuedToken.findMany();
    expect(JSON.stringify(rows)).not.toContain(access.oauth_token);
    expect(JSON.stringify(rows)).not.toContain(access.oauth_token_secret);
    // The request token was single use.
    const again = await peer({ step: "access-token", token: requestToken.oauth_token, token_secret: requestToken.oauth_token_secret, verifier });
    expect(problem(again)).toBe("token_rejected");
    // The person sees it, and revoking it refuses the next call.
    const [listed] = await listAuthorizedApplications(db, person.id);
    expect(listed).toMatchObject({ name: "Interop Confluence", lastUsedAt: expect.any(Date) });
    expect(await revokeAuthorizedApplication(db, person.id, listed!.id)).toBe(true);
    const revoked = await peer<{ status: number; body: string; www_authenticate: string }>({ step: "call", path: "/api/v1/myself", token: access.oauth_token, token_secret: access.oauth_token_secret });
    expect(revoked.status).toBe(401);
    expect(problem(revoked)).toBe("token_rejected");
  });

  it("no access token without consent, or with a wrong verifier; a denial sends the person back with user_refused", async () => {
    const person = await makeUser("USER");
    const pending = await peer({ step: "request-token", callback: "oob" });
    const early = await peer({ step: "access-token", token: pending.oauth_token, token_secret: pending.oauth_token_secret, verifier: "guess" });
    expect(problem(early)).toBe("permission_denied");
    const { requestToken, consent } = await dance(person, "oob");
    expect(consent).toMatchObject({ redirect: null, verifier: expect.stringMatching(/^[A-Za-z0-9]{24}$/) });
    const wrong = await peer({ step: "access-token", token: requestToken.oauth_token, token_secret: requestToken.oauth_token_secret, verifier: "not-the-verifier" });
    expect(problem(wrong)).toBe("token_rejected");
    const denied = await peer({ step: "request-token", callback: "https://confluence.interop.example.test/back" });
    const answer = await decideRequestToken(db, person.id, denied.oauth_token!, false);
    expect(new URL(answer.redirect!).searchParams.get("oauth_problem")).toBe("user_refused");
    await expect(decideRequestToken(db, person.id, denied.oauth_token!, true)).rejects.toMatchObject({ code: "not_found" });
  });

  it("an expired token, a disabled person, 3LO switched off and a reset all take effect on the next call", async () => {
    const person = await makeUser("USER");
    const tokenFor = async () => {
      const { requestToken, consent } = await dance(person, "oob");
      return peer({ step: "access-token", token: requestToken.oauth_token, token_secret: requestToken.oauth_token_secret, verifier: consent.verifier });
    };
    const call = (t: Record<string, string>) => peer<{ status: number; body: string; www_authenticate: string }>({ step: "call", path: "/api/v1/myself", token: t.oauth_token, token_secret: t.oauth_token_secret });
    const access = await tokenFor();
    expect((await call(access)).status).toBe(200);

    await db.oAuthIssuedToken.updateMany({ where: { userId: person.id, kind: "access" }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(problem(await call(access))).toBe("token_expired");

    const second = await tokenFor();
    await db.user.update({ where: { id: person.id }, data: { disabled: true } });
    expect(problem(await call(second))).toBe("user_refused");
    await db.user.update({ where: { id: person.id }, data: { disabled: false } });
    expect((await call(second)).status).toBe(200);

    await incoming(false);
    expect(problem(await call(second))).toBe("permission_denied");
    expect(problem(await peer({ step: "request-token", callback: "oob" }))).toBe("permission_denied");
    await incoming(true);

    const report = await resetDirection(db, SYSTEM, linkId, "incoming");
    expect(report.incoming?.tokensRevoked).toBeGreaterThanOrEqual(2);
    expect(problem(await call(second))).toBe("consumer_key_unknown");
    await incoming(true);
    expect(problem(await call(second))).toBe("token_rejected");
  });
});
