/**
 * The authorization matrix: every API route and every server action, tried as an anonymous
 * caller, a USER and an ADMIN (by session cookie and by API token), and as a linked application
 * acting for them by OAuth (2LO as the USER, 2LO with impersonation as the ADMIN) and by Atlassian
 * Connect JWT (as the execute-as USER, and with `sub` naming the ADMIN), with the expected outcome. It also fails when a route or action exists that the matrix does not list.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { DELEGATED_VIAS } from "@/lib/auth/caller";
import crypto from "node:crypto";
import { createApiToken } from "@/lib/tokens/api-tokens";
import { publicKeyPem } from "@/lib/crypto/rsa-keys";
import * as atlassianJwt from "atlassian-jwt";
import { signRequest } from "@/lib/oauth1";
import { DELEGATION_REFUSED } from "@/lib/api/with-caller";
import { ADMINS_ONLY, NOT_SIGNED_IN } from "@/lib/actions/define-action";
import { makeUser, PASSWORD, sessionCookie, SYSTEM } from "@/tests/support/factories";
import { OAUTH2_SCOPES, type OAuth2Scope } from "@/lib/auth/oauth2-scopes";

// Server actions read the request through next/headers; give them this test's request headers.
const request = vi.hoisted(() => ({ headers: new Headers(), cookiesSet: [] as string[] }));
vi.mock("next/headers", () => ({
  headers: async () => request.headers,
  cookies: async () => ({
    get: () => undefined,
    set: (name: string) => request.cookiesSet.push(name),
  }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

type Who = "anonymous" | "user" | "admin";
const WHO: Who[] = ["anonymous", "user", "admin"];

let callers: Record<"user" | "admin", { id: string; username: string; cookie: string; token: string }>;

/** The linked application that calls in by OAuth: its plain 2LO runs as the USER, its impersonation may name the ADMIN. */
const CONSUMER_KEY = "matrix:linked-application";
const consumerKeys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
/** The same application's Connect JWTs (made by the atlassian-jwt reference): as the USER, or as the ADMIN its `sub` names. */
const JWT_ISSUER = "com.example.matrix-connect-app";
const JWT_SECRET = "matrix connect shared secret 0123456789";

beforeAll(async () => {
  const entries = await Promise.all(
    (["user", "admin"] as const).map(async (role) => {
      const user = await makeUser(role === "admin" ? "ADMIN" : "USER");
      const { token } = await createApiToken(db, SYSTEM, user, "matrix");
      return [role, { id: user.id, username: user.username, cookie: await sessionCookie(user.id), token }] as const;
    }),
  );
  callers = Object.fromEntries(entries) as typeof callers;
  const { createLink } = await import("@/lib/links/create-link");
  const { setIncoming } = await import("@/lib/links/update-link");
  const { link } = await createLink(db, SYSTEM, { name: "Matrix linked application", type: "jira", rpcUrl: "http://linked-application.example.test" });
  await setIncoming(db, SYSTEM, link.id, {
    consumerKey: CONSUMER_KEY,
    consumerName: "Matrix linked application",
    publicKey: publicKeyPem(consumerKeys.publicKey),
    threeLegged: true,
    twoLegged: true,
    executeAs: callers.user.username,
    impersonation: true,
    connectJwt: { issuer: JWT_ISSUER, sharedSecret: JWT_SECRET },
  });
  // The same application as an external OAuth 2.0 client, with one access token per scope for the ADMIN.
  const { setOAuth2Client } = await import("@/lib/incoming/oauth2/clients");
  await setOAuth2Client(db, SYSTEM, link.id, { redirectUris: [OAUTH2_REDIRECT], scopes: [...OAUTH2_SCOPES] });
  matrixClientId = (await db.oAuth2Client.findUniqueOrThrow({ where: { linkId: link.id } })).clientId;
  for (const scope of OAUTH2_SCOPES) oauth2Tokens[scope] = await oauth2AccessToken(link.id, callers.admin.id, [scope]);
});

const OAUTH2_REDIRECT = "https://external.example.test/callback";
let matrixClientId: string;
const oauth2Tokens = {} as Record<OAuth2Scope, string>;

/** An access token of a grant for this person and these scopes, as the token endpoint stores one (the flow itself: tests/interop/incoming-oauth2.test.ts). */
async function oauth2AccessToken(linkId: string, userId: string, scopes: OAuth2Scope[]): Promise<string> {
  const { hashToken } = await import("@/lib/crypto/token-hash");
  const client = await db.oAuth2Client.findUniqueOrThrow({ where: { linkId } });
  const token = `alo2_matrix-${crypto.randomBytes(16).toString("hex")}`;
  const grant = await db.oAuth2Grant.create({ data: { clientRowId: client.id, userId, scopes: scopes.join(" "), codeHash: hashToken(token) } });
  await db.oAuth2Token.create({ data: { tokenHash: hashToken(token), grantId: grant.id, kind: "access", expiresAt: new Date(Date.now() + 3_600_000) } });
  return token;
}

/** A request signed by the linked application: plain 2LO (runs as the USER) or impersonating the ADMIN. */
async function oauthRequest(who: "user" | "admin", method: string, url: string, headers: Headers, body?: string): Promise<Request> {
  const signed = await signRequest(
    { method, url, contentType: headers.get("content-type"), body: body ?? null },
    { key: CONSUMER_KEY, privateKey: consumerKeys.privateKey },
    who === "admin" ? { requestorId: callers.admin.username } : {},
  );
  headers.set("authorization", signed.authorization);
  return new Request(signed.url, { method, headers, body });
}

/** A request with the linked application's Connect JWT for it: no `sub` (the execute-as USER), or `sub` naming the ADMIN. */
function jwtRequest(who: "user" | "admin", method: string, url: string, headers: Headers, body?: string): Request {
  const now = Math.floor(Date.now() / 1000);
  const qsh = atlassianJwt.createQueryStringHash(atlassianJwt.fromMethodAndUrl(method, url), false, new URL(url).origin);
  const claims = { iss: JWT_ISSUER, iat: now, exp: now + 180, qsh, ...(who === "admin" ? { sub: callers.admin.username } : {}) };
  headers.set("authorization", `JWT ${atlassianJwt.encodeSymmetric(claims, JWT_SECRET)}`);
  return new Request(url, { method, headers, body });
}

afterEach(() => {
  request.headers = new Headers();
  request.cookiesSet = [];
});

function headersFor(who: Who, via: "session" | "token"): Headers {
  if (who === "anonymous") return new Headers();
  return via === "session" ? new Headers({ cookie: callers[who].cookie }) : new Headers({ authorization: `Bearer ${callers[who].token}` });
}

// ---------------------------------------------------------------- API routes

interface RouteCase {
  file: string;
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE" | "HEAD";
  /**
   * Expected status per caller; `delegated` is a linked application impersonating the ADMIN by
   * OAuth (its plain 2LO, as the USER, gets 403 where this is 403, else what the USER gets).
   */
  expect: Record<Who | "delegated", number>;
  params?: () => Promise<Record<string, string>>;
  body?: () => unknown;
  /** The request URL, when the handler reads it (default http://localhost/test). */
  url?: (params: Record<string, string>) => string;
  /** Administration without credentials: an OAuth 2.0 token with ADMIN (or SYSTEM_ADMIN) may, as its administrator. */
  adminScope?: true;
}

const target = () => makeUser();
let seq = 0;

const ROUTES: RouteCase[] = [
  { file: "app/api/health/route.ts", method: "GET", expect: { anonymous: 200, user: 200, admin: 200, delegated: 200 } },
  { file: "app/api/health/live/route.ts", method: "GET", expect: { anonymous: 200, user: 200, admin: 200, delegated: 200 } },
  // Metrics are for a scraper with METRICS_TOKEN, never for a session, an API token or a linked
  // application; with no METRICS_TOKEN set (as here) they do not exist (tests/metrics.test.ts).
  { file: "app/api/metrics/route.ts", method: "GET", expect: { anonymous: 404, user: 404, admin: 404, delegated: 404 } },
  { file: "app/api/health/ready/route.ts", method: "GET", expect: { anonymous: 200, user: 200, admin: 200, delegated: 200 } },
  { file: "app/api/v1/openapi.json/route.ts", method: "GET", expect: { anonymous: 200, user: 200, admin: 200, delegated: 200 } },
  { file: "app/api/v1/myself/route.ts", method: "GET", expect: { anonymous: 401, user: 200, admin: 200, delegated: 200 } },
  { file: "app/api/v1/consumer/route.ts", method: "GET", expect: { anonymous: 401, user: 200, admin: 200, delegated: 200 } },
  { file: "app/rest/applinks/1.0/manifest/route.ts", method: "GET", expect: { anonymous: 200, user: 200, admin: 200, delegated: 200 } },
  { file: "app/plugins/servlet/oauth/consumer-info/route.ts", method: "GET", expect: { anonymous: 200, user: 200, admin: 200, delegated: 200 } },
  // The provider endpoints answer only OAuth-signed requests of a linked consumer: a session or an
  // API token gets nothing there (parameter_absent, as for anyone unsigned). Signed, but with no
  // oauth_callback (request token) or no request token (access token), it is refused as well.
  { file: "app/plugins/servlet/oauth/request-token/route.ts", method: "POST", expect: { anonymous: 400, user: 400, admin: 400, delegated: 400 } },
  { file: "app/plugins/servlet/oauth/access-token/route.ts", method: "POST", expect: { anonymous: 400, user: 400, admin: 400, delegated: 400 } },
  { file: "app/api/v1/users/route.ts", method: "GET", expect: { anonymous: 401, user: 403, admin: 200, delegated: 200 } },
  {
    file: "app/api/v1/users/route.ts",
    method: "POST",
    expect: { anonymous: 401, user: 403, admin: 201, delegated: 403 },
    body: () => ({ username: `made-${++seq}`, email: `made-${seq}@example.test`, role: "USER", password: PASSWORD }),
  },
  {
    file: "app/api/v1/users/[username]/route.ts",
    method: "GET",
    expect: { anonymous: 401, user: 403, admin: 200, delegated: 200 },
    params: async () => ({ username: (await target()).username }),
  },
  {
    file: "app/api/v1/users/[username]/route.ts",
    method: "PATCH",
    expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 },
    params: async () => ({ username: (await target()).username }),
    body: () => ({ disabled: true }),
    adminScope: true,
  },
  // Credentials are never listed, created or revoked by delegation (issue 10, finding 3).
  { file: "app/api/v1/tokens/route.ts", method: "GET", expect: { anonymous: 401, user: 200, admin: 200, delegated: 403 } },
  { file: "app/api/v1/tokens/route.ts", method: "POST", expect: { anonymous: 401, user: 201, admin: 201, delegated: 403 }, body: () => ({ name: `t-${++seq}` }) },
];

const freshLink = async () => {
  const { createLink } = await import("@/lib/links/create-link");
  const { link } = await createLink(db, SYSTEM, { name: `Matrix ${++seq}`, type: "generic", rpcUrl: `http://matrix-${seq}.example.test` });
  return { id: link.id };
};
/** A fresh webhook channel (to a port nothing listens on). */
const freshChannel = async () => {
  const { createChannel } = await import("@/lib/notifications/channels");
  const { view } = await createChannel(db, SYSTEM, { kind: "webhook", name: `Matrix hook ${++seq}`, url: "http://127.0.0.1:9/hook", events: ["status-worse"] });
  return { id: view.id };
};
const OFF = { threeLegged: false, twoLegged: false, impersonation: false };
/** A fresh link with incoming OAuth 2.0 on. */
const oauth2Link = async () => {
  const { setOAuth2Client } = await import("@/lib/incoming/oauth2/clients");
  const { id } = await freshLink();
  await setOAuth2Client(db, SYSTEM, id, { redirectUris: [OAUTH2_REDIRECT], scopes: ["READ"] });
  return { id };
};
/** A fresh link's OAuth 2.0 grant, for revoking. */
const oauth2Grant = async () => {
  const { id } = await oauth2Link();
  const person = await makeUser();
  await oauth2AccessToken(id, person.id, ["READ"]);
  const grant = await db.oAuth2Grant.findFirstOrThrow({ where: { client: { linkId: id } } });
  return { id, grantId: grant.id };
};

ROUTES.push(
  { file: "app/api/v1/links/route.ts", method: "GET", expect: { anonymous: 401, user: 200, admin: 200, delegated: 200 } },
  {
    file: "app/api/v1/links/route.ts",
    method: "POST",
    expect: { anonymous: 401, user: 403, admin: 201, delegated: 403 },
    body: () => ({ name: `Made ${++seq}`, type: "generic", rpcUrl: `http://made-${seq}.example.test` }),
    adminScope: true,
  },
  { file: "app/api/v1/links/[id]/route.ts", method: "GET", expect: { anonymous: 401, user: 200, admin: 200, delegated: 200 }, params: freshLink },
  { file: "app/api/v1/links/[id]/route.ts", method: "PATCH", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: freshLink, body: () => ({ version: 1, name: "Patched" }), adminScope: true },
  { file: "app/api/v1/links/[id]/route.ts", method: "DELETE", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: freshLink },
  { file: "app/api/v1/links/[id]/outgoing/route.ts", method: "GET", expect: { anonymous: 401, user: 200, admin: 200, delegated: 200 }, params: freshLink },
  { file: "app/api/v1/links/[id]/outgoing/route.ts", method: "PUT", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: freshLink, body: () => OFF },
  { file: "app/api/v1/links/[id]/outgoing/csr/route.ts", method: "POST", expect: { anonymous: 401, user: 403, admin: 201, delegated: 403 }, params: freshLink, body: () => ({ commonName: "connector.example.test" }) },
  { file: "app/api/v1/links/[id]/incoming/route.ts", method: "GET", expect: { anonymous: 401, user: 200, admin: 200, delegated: 200 }, params: freshLink },
  { file: "app/api/v1/links/[id]/incoming/route.ts", method: "PUT", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: freshLink, body: () => OFF },
  // Incoming OAuth 2.0's client settings, secret and grants: administrators, never by delegation (a secret, a list of standing credentials).
  { file: "app/api/v1/links/[id]/incoming/oauth2-secret/route.ts", method: "POST", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: oauth2Link },
  { file: "app/api/v1/links/[id]/incoming/oauth2-grants/route.ts", method: "GET", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: oauth2Link },
  { file: "app/api/v1/links/[id]/incoming/oauth2-grants/route.ts", method: "DELETE", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: oauth2Link },
  { file: "app/api/v1/links/[id]/incoming/oauth2-grants/[grantId]/route.ts", method: "DELETE", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: oauth2Grant },
  // The authorization server's endpoints authenticate the client, not a caller: a session, an API
  // token or a linked application gets RFC 6749's invalid_request there (no form, no client).
  { file: "app/rest/oauth2/latest/token/route.ts", method: "POST", expect: { anonymous: 400, user: 400, admin: 400, delegated: 400 } },
  { file: "app/rest/oauth2/latest/revoke/route.ts", method: "POST", expect: { anonymous: 400, user: 400, admin: 400, delegated: 400 } },
  { file: "app/.well-known/oauth-authorization-server/route.ts", method: "GET", expect: { anonymous: 200, user: 200, admin: 200, delegated: 200 } },
  { file: "app/api/v1/links/[id]/reset/route.ts", method: "POST", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: freshLink, body: () => ({ direction: "outgoing" }) },
  // Anyone signed in reads a link's status; checking it (network, and the checker's authorization) is for admins, never by delegation.
  { file: "app/api/v1/links/[id]/status/route.ts", method: "GET", expect: { anonymous: 401, user: 200, admin: 200, delegated: 200 }, params: freshLink },
  { file: "app/api/v1/links/[id]/status/history/route.ts", method: "GET", expect: { anonymous: 401, user: 200, admin: 200, delegated: 200 }, params: freshLink },
  { file: "app/api/v1/links/[id]/status/route.ts", method: "POST", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: freshLink },
  // Notifications: administrators only, never by delegation (a webhook's URL and signing secret are credentials).
  { file: "app/api/v1/notifications/channels/route.ts", method: "GET", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 } },
  { file: "app/api/v1/notifications/channels/route.ts", method: "POST", expect: { anonymous: 401, user: 403, admin: 201, delegated: 403 }, body: () => ({ kind: "webhook", name: `Hook ${++seq}`, url: `https://hooks.example.test/${seq}`, events: ["status-worse"] }) },
  { file: "app/api/v1/notifications/channels/[id]/route.ts", method: "GET", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: freshChannel },
  { file: "app/api/v1/notifications/channels/[id]/route.ts", method: "PATCH", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: freshChannel, body: () => ({ enabled: false }) },
  { file: "app/api/v1/notifications/channels/[id]/route.ts", method: "DELETE", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: freshChannel },
  // A test to an address that refuses at once (port 9 on this machine): the answer says so, 200.
  { file: "app/api/v1/notifications/channels/[id]/test/route.ts", method: "POST", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, params: freshChannel },
  { file: "app/api/v1/notifications/smtp/route.ts", method: "GET", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 } },
  { file: "app/api/v1/notifications/smtp/route.ts", method: "PUT", expect: { anonymous: 401, user: 403, admin: 200, delegated: 403 }, body: () => ({ host: "smtp.example.test", port: 587, security: "starttls", sender: "applinks@example.test" }) },
  // Atlassian's status resource: admins, signed in or calling through a link as one (a read).
  {
    file: "app/rest/applinks/3.0/status/[applicationId]/route.ts",
    method: "GET",
    expect: { anonymous: 401, user: 403, admin: 200, delegated: 200 },
    params: async () => {
      const { id } = await freshLink();
      const remoteAppId = `matrix-app-${++seq}`;
      await db.link.update({ where: { id }, data: { remoteAppId } });
      return { applicationId: remoteAppId };
    },
  },
  // The dance is for any signed-in person; on a link with 3LO off it sends the browser back with the reason.
  { file: "app/api/v1/links/[id]/authorize/route.ts", method: "GET", expect: { anonymous: 401, user: 302, admin: 302, delegated: 403 }, params: freshLink, url: (p: Record<string, string>) => `http://localhost/api/v1/links/${p.id}/authorize` },
  { file: "app/api/v1/links/[id]/oauth-callback/route.ts", method: "GET", expect: { anonymous: 401, user: 302, admin: 302, delegated: 403 }, params: freshLink, url: (p: Record<string, string>) => `http://localhost/api/v1/links/${p.id}/oauth-callback` },
  // The proxy lets any signed-in caller through to the link (its outgoing auth decides what they
  // may do there); these links point at a host that does not exist, so past authorization it is 502.
  // A linked application uses links as its person may, with every method.
  ...(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] as const).map((method) => ({
    file: "app/api/v1/links/[id]/proxy/[...path]/route.ts",
    method,
    expect: { anonymous: 401, user: 502, admin: 502, delegated: 502 },
    params: async () => ({ ...(await freshLink()), path: "x" }),
    url: (p: Record<string, string>) => `http://localhost/api/v1/links/${p.id}/proxy/x`,
    ...(method === "GET" || method === "HEAD" || method === "DELETE" ? {} : { body: () => ({ a: 1 }) }),
  })),
);

/** Route methods whose success needs the caller's own data: tested by name below. */
const OWN_DATA_ROUTES = ["app/api/v1/tokens/[id]/route.ts DELETE"];

/** Routes whose handler belongs to a library and needs a live Next.js request: covered end to end. */
const COVERED_BY_E2E = { "app/api/auth/[...nextauth]/route.ts": "e2e/auth.spec.ts (sign-in, session, sign-out)" };

function listRouteFiles(dir = "app"): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listRouteFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

async function callRoute(c: RouteCase, headers: Headers, delegatedFor?: "user" | "admin", by: "oauth" | "jwt" = "oauth") {
  const mod = (await import(/* @vite-ignore */ `@/${c.file}`)) as Record<string, (req: Request, ctx: unknown) => Promise<Response>>;
  const value = c.body?.();
  if (value !== undefined) headers.set("content-type", "application/json");
  const body = value === undefined ? undefined : JSON.stringify(value);
  const params = c.params ? await c.params() : {};
  const url = c.url?.(params) ?? "http://localhost/test";
  const req = !delegatedFor
    ? new Request(url, { method: c.method, headers, body })
    : by === "jwt"
      ? jwtRequest(delegatedFor, c.method, url, headers, body)
      : await oauthRequest(delegatedFor, c.method, url, headers, body);
  return mod[c.method]!(req, { params: Promise.resolve(params) });
}

async function expectErrorShape(response: Response) {
  if (response.status >= 400 && /form-urlencoded/.test(response.headers.get("content-type") ?? "")) {
    // The OAuth endpoints report problems the OAuth way (RFC 5849 problem reporting).
    expect(new URLSearchParams(await response.text()).get("oauth_problem")).toMatch(/^[a-z_]+$/);
  } else if (response.status >= 400) {
    const json = (await response.json()) as { error: { code: string; message: string } | string; error_description?: string };
    if (typeof json.error === "string") {
      // The authorization server answers as RFC 6749 §5.2 says: {error, error_description}.
      expect(json.error).toMatch(/^[a-z_]+$/);
      expect(json.error_description).not.toMatch(/\n\s+at /);
      return;
    }
    expect(json.error.code).toMatch(/^[a-z_]+$/);
    expect(json.error.message).not.toMatch(/\n\s+at /);
  }
}

describe("API routes", () => {
  it("every route file and method is in the matrix", async () => {
    const listed = new Set([...ROUTES.map((r) => `${r.file} ${r.method}`), ...OWN_DATA_ROUTES]);
    const files = listRouteFiles();
    // The walk must find the routes it checks: an empty list (a moved app/ folder) would pass.
    expect(files.length).toBeGreaterThanOrEqual(25);
    expect(files).toContain("app/api/v1/links/[id]/outgoing/route.ts");
    for (const file of files) {
      if (file in COVERED_BY_E2E) continue;
      const mod = await import(/* @vite-ignore */ `@/${file}`);
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]) {
        if (method in mod) expect(listed, `${file} ${method} is missing from the matrix`).toContain(`${file} ${method}`);
      }
    }
  });

  for (const c of ROUTES) {
    for (const who of WHO) {
      for (const via of who === "anonymous" ? (["session"] as const) : (["session", "token"] as const)) {
        it(`${c.method} ${c.file.replace(/^app|\/route\.ts$/g, "")} as ${who}${who === "anonymous" ? "" : ` (${via})`} → ${c.expect[who]}`, async () => {
          const response = await callRoute(c, headersFor(who, via));
          expect(response.status).toBe(c.expect[who]);
          // Every answer of the person-facing API, errors included, is kept out of caches (issue 10, finding 9).
          if (c.file.startsWith("app/api/v1/")) expect(response.headers.get("cache-control")).toMatch(/\bno-store\b/);
          await expectErrorShape(response);
        });
      }
    }
    // A linked application acting for the USER (plain 2LO) and for the ADMIN (impersonation).
    for (const who of ["user", "admin"] as const) {
      const expected = who === "admin" ? c.expect.delegated : c.expect.delegated === 403 ? 403 : c.expect.user;
      const via = who === "admin" ? "oauth-2loi" : "oauth-2lo";
      it(`${c.method} ${c.file.replace(/^app|\/route\.ts$/g, "")} as a linked application acting for the ${who} (${via}) → ${expected}`, async () => {
        const response = await callRoute(c, new Headers(), who);
        expect(response.status).toBe(expected);
        if (expected === 403 && c.expect[who] !== 403) expect(((await response.clone().json()) as { error: { message: string } }).error.message).toBe(DELEGATION_REFUSED);
        await expectErrorShape(response);
      });
      // The same application by Connect JWT is as delegated as by OAuth: the same answers.
      it(`${c.method} ${c.file.replace(/^app|\/route\.ts$/g, "")} as a linked application's Connect JWT for the ${who} → ${expected}`, async () => {
        const response = await callRoute(c, new Headers(), who, "jwt");
        expect(response.status).toBe(expected);
        if (expected === 403 && c.expect[who] !== 403) expect(((await response.clone().json()) as { error: { message: string } }).error.message).toBe(DELEGATION_REFUSED);
        await expectErrorShape(response);
      });
    }
  }

  // An external application's OAuth 2.0 access token for the ADMIN, one per scope: as delegated as a
  // linked application (the same refusals), and within that, reading needs READ and anything else WRITE.
  for (const c of ROUTES) {
    for (const scope of OAUTH2_SCOPES) {
      const indifferent = c.expect.anonymous === c.expect.admin && c.expect.admin === c.expect.delegated;
      const reads = c.method === "GET" || c.method === "HEAD";
      const administers = c.adminScope && !reads;
      const needed = administers ? "ADMIN" : "WRITE";
      const expected = administers
        ? scope === "ADMIN" || scope === "SYSTEM_ADMIN"
          ? c.expect.admin
          : 403
        : indifferent || c.expect.delegated === 403 || reads || scope !== "READ"
          ? c.expect.delegated
          : 403;
      it(`${c.method} ${c.file.replace(/^app|\/route\.ts$/g, "")} with an OAuth 2.0 token (${scope}) for the admin → ${expected}`, async () => {
        const response = await callRoute(c, new Headers({ authorization: `Bearer ${oauth2Tokens[scope]}` }));
        expect(response.status).toBe(expected);
        if (expected === 403 && (c.expect.delegated !== 403 || administers)) {
          expect(response.headers.get("www-authenticate")).toContain(`error="insufficient_scope", scope="${needed}"`);
        } else if (expected === 403 && c.expect.admin !== 403) {
          expect(((await response.clone().json()) as { error: { message: string } }).error.message).toBe(DELEGATION_REFUSED);
        }
        await expectErrorShape(response);
      });
    }
  }

  it("an OAuth 2.0 token never gives more than its person may: ADMIN consented by a USER administers nothing", async () => {
    const link = (await db.link.findUnique({ where: { inConsumerKey: CONSUMER_KEY } }))!;
    const token = await oauth2AccessToken(link.id, callers.user.id, ["SYSTEM_ADMIN"]);
    const mod = await import("@/app/api/v1/users/[username]/route");
    const response = await mod.PATCH(
      new Request("http://localhost/x", { method: "PATCH", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ role: "ADMIN" }) }),
      { params: Promise.resolve({ username: callers.user.username }) },
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: "forbidden", message: "Administrators only." } });
    expect(await db.user.findUniqueOrThrow({ where: { id: callers.user.id } })).toMatchObject({ role: "USER" });
  });

  it("an OAuth 2.0 token is who it says (the matrix above really ran as the admin, with its scope)", async () => {
    const mod = await import("@/app/api/v1/myself/route");
    for (const scope of OAUTH2_SCOPES) {
      const response = await mod.GET(new Request("http://localhost/api/v1/myself", { headers: { authorization: `Bearer ${oauth2Tokens[scope]}` } }), { params: Promise.resolve({}) });
      expect(await response.json()).toMatchObject({ username: callers.admin.username, via: "oauth2", clientId: matrixClientId, scopes: [scope] });
    }
  });

  it("a linked application's Connect JWTs are who they say (the matrix above really ran as them)", async () => {
    const mod = await import("@/app/api/v1/myself/route");
    for (const who of ["user", "admin"] as const) {
      const response = await mod.GET(jwtRequest(who, "GET", "http://localhost/api/v1/myself", new Headers()), { params: Promise.resolve({}) });
      expect(await response.json()).toMatchObject({ username: callers[who].username, via: "connect-jwt", consumerKey: JWT_ISSUER });
    }
  });

  it("a linked application's 2LO and 2LOi calls are who they say (the matrix above really ran as them)", async () => {
    const mod = await import("@/app/api/v1/myself/route");
    for (const who of ["user", "admin"] as const) {
      const response = await mod.GET(await oauthRequest(who, "GET", "http://localhost/api/v1/myself", new Headers()), { params: Promise.resolve({}) });
      expect(await response.json()).toMatchObject({ username: callers[who].username, via: who === "admin" ? "oauth-2loi" : "oauth-2lo", consumerKey: CONSUMER_KEY });
    }
  });

  it("DELETE /api/v1/tokens/{id}: anonymous 401; owners revoke their own; nobody revokes another's", async () => {
    const mod = await import("@/app/api/v1/tokens/[id]/route");
    for (const who of ["user", "admin"] as const) {
      const mine = await createApiToken(db, SYSTEM, { id: callers[who].id, username: callers[who].username }, `mine-${++seq}`);
      const call = (h: Headers, id: string) => mod.DELETE(new Request("http://localhost/x", { method: "DELETE", headers: h }), { params: Promise.resolve({ id }) });
      expect((await call(headersFor("anonymous", "session"), mine.view.id)).status).toBe(401);
      const other = who === "user" ? "admin" : "user";
      expect((await call(headersFor(other, "session"), mine.view.id)).status).toBe(404);
      expect((await call(headersFor(who, "session"), mine.view.id)).status).toBe(200);
    }
  });

  it("a linked application never mints, lists or revokes API tokens, with 3LO either, and nothing it tried outlives the link", async () => {
    const { issueRequestToken, decideRequestToken, issuedTokenStore, exchangeRequestToken } = await import("@/lib/incoming/issued-tokens");
    const link = (await db.link.findUnique({ where: { inConsumerKey: CONSUMER_KEY } }))!;
    const request = await issueRequestToken(db, link, "oob");
    const { verifier } = await decideRequestToken(db, callers.admin.id, request.token, true);
    const pending = (await issuedTokenStore(db, "request").findToken(CONSUMER_KEY, request.token))!;
    const access = await exchangeRequestToken(db, pending, verifier!);
    const threeLegged = async (method: string, url: string, body?: string) => {
      const headers = new Headers(body ? { "content-type": "application/json" } : {});
      const signed = await signRequest({ method, url, contentType: headers.get("content-type"), body: body ?? null }, { key: CONSUMER_KEY, privateKey: consumerKeys.privateKey }, { token: { key: access.token, secret: access.secret } });
      headers.set("authorization", signed.authorization);
      return new Request(signed.url, { method, headers, body });
    };
    const myself = await import("@/app/api/v1/myself/route");
    expect(await (await myself.GET(await threeLegged("GET", "http://localhost/api/v1/myself"), { params: Promise.resolve({}) })).json()).toMatchObject({ username: callers.admin.username, via: "oauth-3lo" });

    const tokens = await import("@/app/api/v1/tokens/route");
    const one = await import("@/app/api/v1/tokens/[id]/route");
    const mine = await createApiToken(db, SYSTEM, { id: callers.admin.id, username: callers.admin.username }, `delegated-${++seq}`);
    const before = await db.apiToken.count();
    const attempts = [
      await tokens.POST(await threeLegged("POST", "http://localhost/api/v1/tokens", JSON.stringify({ name: "minted" })), { params: Promise.resolve({}) }),
      await tokens.GET(await threeLegged("GET", "http://localhost/api/v1/tokens"), { params: Promise.resolve({}) }),
      await one.DELETE(await threeLegged("DELETE", `http://localhost/api/v1/tokens/${mine.view.id}`), { params: Promise.resolve({ id: mine.view.id }) }),
      await one.DELETE(await oauthRequest("admin", "DELETE", `http://localhost/api/v1/tokens/${mine.view.id}`, new Headers()), { params: Promise.resolve({ id: mine.view.id }) }),
    ];
    for (const response of attempts) {
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe(DELEGATION_REFUSED);
    }
    expect(await db.apiToken.count()).toBe(before);
    expect(await db.apiToken.findUnique({ where: { id: mine.view.id }, select: { revokedAt: true } })).toEqual({ revokedAt: null });
    // And below the routes: the token store itself refuses a delegated actor.
    // Every delegated way, by the one rule (a Connect JWT's caller once passed a check that knew only "oauth-*").
    for (const via of DELEGATED_VIAS) {
      await expect(createApiToken(db, { id: callers.admin.id, username: callers.admin.username, via }, callers.admin, `below ${via}`)).rejects.toMatchObject({ code: "forbidden" });
    }
    expect(await db.apiToken.count()).toBe(before);
  });

  it("a bad bearer token is 401, never a fall-back to the session", async () => {
    const mod = await import("@/app/api/v1/myself/route");
    const h = new Headers({ cookie: callers.admin.cookie, authorization: "Bearer ala_wrong" });
    const response = await mod.GET(new Request("http://localhost/x", { headers: h }), { params: Promise.resolve({}) });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("a request with two credentials is refused with 400 naming both; a session cookie beside a header is not a second one", async () => {
    const mod = await import("@/app/api/v1/myself/route");
    const myself = (url: string, headers: Record<string, string>) => mod.GET(new Request(url, { headers }), { params: Promise.resolve({}) });
    const bearer = { authorization: `Bearer ${callers.admin.token}` };
    const cases: Array<[string, Record<string, string>, string]> = [
      ["http://localhost/api/v1/myself?jwt=garbage", bearer, "an Authorization: Bearer header and a Connect JWT in the query (jwt=)"],
      ["http://localhost/api/v1/myself?oauth_consumer_key=k&oauth_signature=s", bearer, "an Authorization: Bearer header and OAuth 1.0a parameters in the query"],
      ["http://localhost/api/v1/myself?jwt=garbage&oauth_consumer_key=k", {}, "a Connect JWT in the query (jwt=) and OAuth 1.0a parameters in the query"],
      ["http://localhost/api/v1/myself?jwt=garbage", { authorization: "JWT garbage" }, "an Authorization: JWT header and a Connect JWT in the query (jwt=)"],
    ];
    for (const [url, headers, named] of cases) {
      const res = await myself(url, headers);
      expect({ url, status: res.status, body: await res.json() }).toEqual({ url, status: 400, body: { error: { code: "bad_request", message: expect.stringContaining(`(${named})`) } } });
    }
    // The bearer alone, and the bearer beside the session cookie, are one credential each.
    expect((await myself("http://localhost/api/v1/myself", bearer)).status).toBe(200);
    expect((await myself("http://localhost/api/v1/myself", { ...bearer, cookie: callers.user.cookie })).status).toBe(200);
    expect(await (await myself("http://localhost/api/v1/myself", { ...bearer, cookie: callers.user.cookie })).json()).toMatchObject({ username: callers.admin.username });
  });

  it("a session issued before a password reset, or of a disabled user, is anonymous", async () => {
    const mod = await import("@/app/api/v1/myself/route");
    const user = await makeUser();
    const call = async (cookie: string) => (await mod.GET(new Request("http://localhost/x", { headers: { cookie } }), { params: Promise.resolve({}) })).status;
    await db.user.update({ where: { id: user.id }, data: { sessionsValidAfter: new Date(Date.now() - 120_000) } });
    const old = await sessionCookie(user.id, Date.now() - 60_000);
    expect(await call(old)).toBe(200);
    await db.user.update({ where: { id: user.id }, data: { sessionsValidAfter: new Date(Date.now() - 30_000) } });
    expect(await call(old)).toBe(401);
    const fresh = await sessionCookie(user.id);
    expect(await call(fresh)).toBe(200);
    await db.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await call(fresh)).toBe(401);
  });

  it("malformed JSON, wrong content type and invalid fields answer 400 with fields", async () => {
    const mod = await import("@/app/api/v1/users/route");
    const h = (type: string) => new Headers({ cookie: callers.admin.cookie, "content-type": type });
    const post = (type: string, body: string) => mod.POST(new Request("http://localhost/x", { method: "POST", headers: h(type), body }), { params: Promise.resolve({}) });
    expect((await post("application/json", "{not json")).status).toBe(400);
    expect((await post("text/plain", "{}")).status).toBe(400);
    const invalid = await post("application/json", JSON.stringify({ username: "!", email: "nope", role: "ROOT" }));
    expect(invalid.status).toBe(400);
    const json = (await invalid.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(json.error.code).toBe("validation_failed");
    expect(Object.keys(json.error.fields).sort()).toEqual(["email", "role", "username"]);
  });
});

// ---------------------------------------------------------------- server actions

interface ActionCase {
  file: string;
  name: string;
  access: "user" | "admin";
  form: () => Promise<Record<string, string>>;
}

const N = "app/(app)/settings/notifications/actions.ts";
const ACTIONS: ActionCase[] = [
  { file: "app/(app)/users/actions.ts", name: "createUserAction", access: "admin", form: async () => ({ username: `act-${++seq}`, email: `act-${seq}@example.test`, role: "USER" }) },
  { file: "app/(app)/users/actions.ts", name: "setUserDisabledAction", access: "admin", form: async () => ({ username: (await target()).username, disabled: "true" }) },
  { file: "app/(app)/users/actions.ts", name: "setUserRoleAction", access: "admin", form: async () => ({ username: (await target()).username, role: "ADMIN" }) },
  { file: "app/(app)/users/actions.ts", name: "resetPasswordAction", access: "admin", form: async () => ({ username: (await target()).username }) },
  { file: "app/(app)/tokens/actions.ts", name: "createTokenAction", access: "user", form: async () => ({ name: `act-token-${++seq}` }) },
  { file: "app/(app)/settings/actions.ts", name: "setThemeAction", access: "user", form: async () => ({ theme: "dark" }) },
  { file: "app/(app)/settings/actions.ts", name: "rotateKeyAction", access: "admin", form: async () => ({ bits: "2048", confirm: "on" }) },
  { file: N, name: "saveSmtpAction", access: "admin", form: async () => ({ host: "smtp.example.test", port: "587", security: "starttls", sender: "applinks@example.test" }) },
  { file: N, name: "createChannelAction", access: "admin", form: async () => ({ kind: "email", name: `Mail ${++seq}`, recipients: "ops@example.test", "event-status-worse": "on", links: "all" }) },
  { file: N, name: "updateChannelAction", access: "admin", form: async () => ({ id: (await freshChannel()).id, channelKind: "webhook", name: `Renamed ${++seq}`, "event-status-worse": "on", links: "all" }) },
  { file: N, name: "setChannelEnabledAction", access: "admin", form: async () => ({ id: (await freshChannel()).id, enabled: "false" }) },
  { file: N, name: "rotateChannelSecretAction", access: "admin", form: async () => freshChannel() },
  { file: N, name: "testChannelAction", access: "admin", form: async () => freshChannel() },
  { file: N, name: "deleteChannelAction", access: "admin", form: async () => freshChannel() },
  // Any signed-in person answers an external application's consent page (here: Deny, sent back to the application).
  {
    file: "app/rest/oauth2/latest/authorize/actions.ts",
    name: "decideOAuth2Action",
    access: "user",
    form: async () => ({ decision: "deny", response_type: "code", client_id: matrixClientId, redirect_uri: OAUTH2_REDIRECT, state: "s" }),
  },
];

const linkForm = async () => {
  const { createLink } = await import("@/lib/links/create-link");
  const { link } = await createLink(db, SYSTEM, { name: `Action link ${++seq}`, type: "generic", rpcUrl: `http://action-${seq}.example.test` });
  return { id: link.id, version: String(link.version), name: link.name };
};
const L = "app/(app)/links/actions.ts";
ACTIONS.push(
  { file: L, name: "createLinkAction", access: "admin", form: async () => ({ rpcUrl: `http://created-${++seq}.example.test`, name: `Created ${seq}`, type: "generic" }) },
  { file: L, name: "setPrimaryAction", access: "admin", form: async () => linkForm() },
  { file: L, name: "disableLegacyAuthAction", access: "admin", form: async () => ({ ...(await linkForm()), which: "trustedApps" }) },
  { file: L, name: "saveOutgoingAction", access: "admin", form: async () => ({ ...(await linkForm()), threeLegged: "on", requestTokenUrl: "", authorizeUrl: "", accessTokenUrl: "" }) },
  { file: L, name: "saveCredentialAction", access: "admin", form: async () => ({ ...(await linkForm()), scheme: "bearer", token: "a personal access token", minTlsVersion: "TLSv1.2" }) },
  { file: L, name: "requestCertificateAction", access: "admin", form: async () => ({ id: (await linkForm()).id, commonName: "connector.example.test" }) },
  { file: L, name: "saveIncomingAction", access: "admin", form: async () => linkForm() },
  { file: L, name: "resetLinkAction", access: "admin", form: async () => ({ id: (await linkForm()).id, direction: "outgoing" }) },
  { file: L, name: "revokeIssuedTokensAction", access: "admin", form: async () => ({ id: (await linkForm()).id }) },
  { file: L, name: "createExternalApplicationAction", access: "admin", form: async () => ({ name: `External ${++seq}` }) },
  { file: L, name: "saveOAuth2ClientAction", access: "admin", form: async () => ({ id: (await linkForm()).id, redirectUris: OAUTH2_REDIRECT, "scope-READ": "on" }) },
  { file: L, name: "rotateOAuth2SecretAction", access: "admin", form: async () => ({ id: (await oauth2Link()).id }) },
  { file: L, name: "turnOffOAuth2Action", access: "admin", form: async () => ({ id: (await oauth2Link()).id }) },
  { file: L, name: "revokeLinkOAuth2GrantsAction", access: "admin", form: async () => oauth2Grant() },
  { file: L, name: "checkLinkAction", access: "admin", form: async () => ({ id: (await linkForm()).id }) },
  { file: L, name: "checkFromPageAction", access: "admin", form: async () => ({ id: (await linkForm()).id, reason: "returned" }) },
  { file: L, name: "sendLinkRequestAction", access: "user", form: async () => ({ id: (await linkForm()).id, method: "POST", path: "rest/api/2/issue", headers: "Content-Type: application/json", body: "{}" }) },
  { file: L, name: "editLinkAction", access: "admin", form: async () => {
    const { id, version } = await linkForm();
    const url = `http://edited-${++seq}.example.test`;
    return { id, version, name: `Edited ${seq}`, type: "generic", rpcUrl: url, displayUrl: url };
  } },
  { file: L, name: "setLinkEnabledAction", access: "admin", form: async () => ({ ...(await linkForm()), enabled: "false" }) },
  { file: L, name: "applyFixAction", access: "admin", form: async () => ({ id: (await linkForm()).id, fix: "enable" }) },
  { file: L, name: "applyProposalAction", access: "admin", form: async () => ({ id: (await linkForm()).id, out: "none" }) },
  { file: L, name: "deleteLinkAction", access: "admin", form: async () => {
    const { id, name } = await linkForm();
    return { id, confirmName: name };
  } },
);

/** Actions whose success needs the caller's own data: tested below with that data. */
const OWN_DATA_ACTIONS = ["revokeTokenAction", "changePasswordAction", "revokeAuthorizationAction", "revokeApplicationAction", "decideAuthorizationAction", "revokeOAuth2GrantAction"];

function listActionFiles(dir = "app"): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listActionFiles(full);
    return /\.tsx?$/.test(entry.name) && fs.readFileSync(full, "utf8").trimStart().startsWith('"use server"') ? [full] : [];
  });
}

type ActionFn = (prev: null, form: FormData) => Promise<{ ok: boolean; message?: string }>;

async function loadAction(file: string, name: string): Promise<ActionFn> {
  const mod = (await import(/* @vite-ignore */ `@/${file}`)) as Record<string, ActionFn>;
  return mod[name]!;
}

function formData(fields: Record<string, string>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return form;
}

describe("server actions", () => {
  it("every exported server action is in the matrix", async () => {
    const listed = new Set([...ACTIONS.map((a) => `${a.file} ${a.name}`), ...OWN_DATA_ACTIONS]);
    const files = listActionFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const mod = await import(/* @vite-ignore */ `@/${file}`);
      for (const name of Object.keys(mod)) {
        expect(listed.has(`${file} ${name}`) || listed.has(name), `${file} ${name} is missing from the matrix`).toBe(true);
      }
    }
  });

  for (const a of ACTIONS) {
    for (const who of WHO) {
      const allowed = who === "admin" || (who === "user" && a.access === "user");
      it(`${a.name} as ${who} → ${allowed ? "runs" : "refused"}`, async () => {
        const action = await loadAction(a.file, a.name);
        const fields = await a.form();
        const auditBefore = await db.auditEvent.count();
        request.headers = headersFor(who, "session");
        // An action that redirects on success (delete → the list) throws Next.js's redirect signal.
        const result = await action(null, formData(fields)).catch((e: { digest?: string }) => {
          if (e?.digest?.startsWith("NEXT_REDIRECT")) return { ok: true, redirected: true };
          throw e;
        });
        if (allowed) {
          expect(result).toMatchObject({ ok: true });
        } else {
          expect(result).toEqual({ ok: false, message: who === "anonymous" ? NOT_SIGNED_IN : ADMINS_ONLY });
          expect(await db.auditEvent.count()).toBe(auditBefore);
          expect(request.cookiesSet).toEqual([]);
        }
      });
    }
  }

  it("an API token does not authorize a server action (browser sessions only carry cookies)", async () => {
    const action = await loadAction("app/(app)/users/actions.ts", "createUserAction");
    request.headers = headersFor("admin", "token");
    // A bearer header is honoured the same way as for routes: the admin's token works…
    expect((await action(null, formData({ username: `tok-${++seq}`, email: `tok-${seq}@example.test` }))).ok).toBe(true);
    // …and a bad one is anonymous, not an error page.
    request.headers = new Headers({ authorization: "Bearer ala_bad" });
    expect(await action(null, formData({ username: `tok-${++seq}`, email: `tok-${seq}@example.test` }))).toEqual({ ok: false, message: NOT_SIGNED_IN });
  });

  it("an external application's OAuth 2.0 token is no session for a server action, whatever its scope", async () => {
    const action = await loadAction("app/(app)/tokens/actions.ts", "createTokenAction");
    const before = await db.apiToken.count();
    for (const scope of OAUTH2_SCOPES) {
      request.headers = new Headers({ authorization: `Bearer ${oauth2Tokens[scope]}` });
      expect(await action(null, formData({ name: `oauth2-${++seq}` }))).toEqual({ ok: false, message: NOT_SIGNED_IN });
    }
    expect(await db.apiToken.count()).toBe(before);
  });

  it("a linked application's OAuth signature is no session for a server action", async () => {
    const action = await loadAction("app/(app)/tokens/actions.ts", "createTokenAction");
    const signed = await signRequest({ method: "POST", url: "http://localhost/tokens" }, { key: CONSUMER_KEY, privateKey: consumerKeys.privateKey }, { requestorId: callers.admin.username });
    request.headers = new Headers({ authorization: signed.authorization });
    const before = await db.apiToken.count();
    expect(await action(null, formData({ name: `oauth-${++seq}` }))).toEqual({ ok: false, message: NOT_SIGNED_IN });
    expect(await db.apiToken.count()).toBe(before);
  });

  it("revokeTokenAction: anonymous refused, another user's token not found, own token revoked", async () => {
    const action = await loadAction("app/(app)/tokens/actions.ts", "revokeTokenAction");
    for (const who of ["user", "admin"] as const) {
      const mine = await createApiToken(db, SYSTEM, { id: callers[who].id, username: callers[who].username }, `own-${++seq}`);
      request.headers = headersFor("anonymous", "session");
      expect(await action(null, formData({ id: mine.view.id }))).toEqual({ ok: false, message: NOT_SIGNED_IN });
      request.headers = headersFor(who === "user" ? "admin" : "user", "session");
      expect(await action(null, formData({ id: mine.view.id }))).toMatchObject({ ok: false, message: "No such token." });
      request.headers = headersFor(who, "session");
      expect(await action(null, formData({ id: mine.view.id }))).toMatchObject({ ok: true });
    }
  });

  it("revokeAuthorizationAction: anonymous refused; people revoke only their own authorizations", async () => {
    const action = await loadAction("app/(app)/authorizations/actions.ts", "revokeAuthorizationAction");
    const { id: linkId } = await freshLink();
    await db.oAuthAccessToken.create({ data: { userId: callers.user.id, linkId, token: "t", secretId: "none" } });
    request.headers = headersFor("anonymous", "session");
    expect(await action(null, formData({ linkId }))).toEqual({ ok: false, message: NOT_SIGNED_IN });
    request.headers = headersFor("admin", "session");
    expect(await action(null, formData({ linkId }))).toMatchObject({ ok: false, message: "You had not authorized that link." });
    request.headers = headersFor("user", "session");
    expect(await action(null, formData({ linkId }))).toMatchObject({ ok: true });
    expect(await db.oAuthAccessToken.count({ where: { linkId } })).toBe(0);
  });

  it("revokeOAuth2GrantAction: anonymous refused; people revoke only their own OAuth 2.0 authorizations", async () => {
    const action = await loadAction("app/(app)/authorizations/actions.ts", "revokeOAuth2GrantAction");
    const { id } = await oauth2Link();
    await oauth2AccessToken(id, callers.user.id, ["READ"]);
    const grant = await db.oAuth2Grant.findFirstOrThrow({ where: { client: { linkId: id } } });
    request.headers = headersFor("anonymous", "session");
    expect(await action(null, formData({ grantId: grant.id }))).toEqual({ ok: false, message: NOT_SIGNED_IN });
    request.headers = headersFor("admin", "session");
    expect(await action(null, formData({ grantId: grant.id }))).toMatchObject({ ok: false, message: expect.stringMatching(/No such authorization/) });
    request.headers = headersFor("user", "session");
    expect(await action(null, formData({ grantId: grant.id }))).toMatchObject({ ok: true });
    expect(await db.oAuth2Grant.findUniqueOrThrow({ where: { id: grant.id } })).toMatchObject({ revokedAt: expect.any(Date) });
  });

  it("changePasswordAction: anonymous refused; users and admins change only their own", async () => {
    const action = await loadAction("app/(app)/settings/actions.ts", "changePasswordAction");
    const form = { currentPassword: PASSWORD, newPassword: "the next good password", confirmPassword: "the next good password" };
    request.headers = headersFor("anonymous", "session");
    expect(await action(null, formData(form))).toEqual({ ok: false, message: NOT_SIGNED_IN });
    for (const role of ["USER", "ADMIN"] as const) {
      const person = await makeUser(role);
      request.headers = new Headers({ cookie: await sessionCookie(person.id) });
      const mismatch = await action(null, formData({ ...form, confirmPassword: "something else entirely" }));
      expect(mismatch).toMatchObject({ ok: false, fields: { confirmPassword: expect.any(String) } });
      expect(await action(null, formData(form))).toMatchObject({ ok: true });
    }
  });

  it("invalid forms come back with per-field messages and change nothing", async () => {
    const action = await loadAction("app/(app)/users/actions.ts", "createUserAction");
    request.headers = headersFor("admin", "session");
    const users = await db.user.count();
    const result = await action(null, formData({ username: "", email: "x", role: "GOD", password: "short" }));
    expect(result).toMatchObject({ ok: false, fields: { username: expect.any(String), email: expect.any(String), role: expect.any(String), password: expect.any(String) } });
    expect(await db.user.count()).toBe(users);
  });
});
