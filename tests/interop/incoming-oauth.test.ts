/**
 * This app as an OAuth 1.0a provider for its REST API: Debian's python3-requests-oauthlib, as a
 * linked application would, signs calls to /api/v1/* and the link's incoming settings decide who
 * they run as. Every refusal is reported the OAuth way (WWW-Authenticate + form body).
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { publicKeyPem } from "@/lib/crypto/rsa-keys";
import { createLink } from "@/lib/links/create-link";
import { resetDirection } from "@/lib/links/reset-direction";
import { deleteLink } from "@/lib/links/delete-link";
import { setIncoming } from "@/lib/links/update-link";
import { parseProblemReport } from "@/lib/oauth1";
import * as myselfRoute from "@/app/api/v1/myself/route";
import * as usersRoute from "@/app/api/v1/users/route";
import { makeUser, SYSTEM } from "@/tests/support/factories";

const CONSUMER = "jira:incoming-interop";
let privatePem: string;
let linkId: string;
let runAs: { username: string };
let person: { id: string; username: string };

interface Prepared {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** requests-oauthlib signs `GET url` with the remote's private key (nothing is sent by Python). */
function signed(url: string, options: { key?: string; timestamp?: string } = {}): Prepared {
  const input = [{ method: "GET", url, key: options.key ?? CONSUMER, rsa_private_pem: privatePem, ...(options.timestamp ? { timestamp: options.timestamp } : {}) }];
  return (JSON.parse(execFileSync("/usr/bin/python3", [path.resolve("tests/interop/requests_oauthlib_sign.py")], { input: JSON.stringify(input), encoding: "utf8" })) as Prepared[])[0]!;
}

type Route = { GET: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> };
const call = (route: unknown, prepared: Prepared) => (route as Route).GET(new Request(prepared.url, { headers: prepared.headers }), { params: Promise.resolve({}) });

async function problemOf(res: Response): Promise<string | null> {
  expect(res.status).toBe(401);
  const report = parseProblemReport(res.headers.get("www-authenticate"), await res.text());
  return report?.problem ?? null;
}

async function incoming(changes: { twoLegged?: boolean; impersonation?: boolean; executeAs?: string }) {
  await setIncoming(db, SYSTEM, linkId, {
    consumerKey: CONSUMER,
    consumerName: "Interop Jira",
    publicKey: publicKeyPem(crypto.createPublicKey(privatePem)),
    threeLegged: false,
    twoLegged: changes.twoLegged ?? true,
    executeAs: changes.executeAs ?? runAs.username,
    impersonation: changes.impersonation ?? true,
  });
}

beforeAll(async () => {
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  runAs = await makeUser("USER");
  person = await makeUser("USER");
  linkId = (await createLink(db, SYSTEM, { name: "Interop Jira", type: "jira", rpcUrl: "https://jira.interop.example.test" })).link.id;
  await incoming({});
});

describe("incoming OAuth on /api/v1/*, signed by python3-requests-oauthlib", () => {
  it("plain 2LO runs as the execute-as user, and /myself says how", async () => {
    const res = await call(myselfRoute, signed("http://localhost/api/v1/myself"));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ username: runAs.username, via: "oauth-2lo", consumerKey: CONSUMER });
  });

  it("2LO with impersonation runs as the user xoauth_requestor_id names", async () => {
    const res = await call(myselfRoute, signed(`http://localhost/api/v1/myself?xoauth_requestor_id=${person.username}`));
    expect(await res.json()).toMatchObject({ username: person.username, via: "oauth-2loi", consumerKey: CONSUMER });
  });

  it("an OAuth call never gets more than its user has: a USER's call to an admin route is 403", async () => {
    const res = await call(usersRoute, signed("http://localhost/api/v1/users"));
    expect(res.status).toBe(403);
  });

  it("refuses an unknown or disabled user with user_refused", async () => {
    expect(await problemOf(await call(myselfRoute, signed("http://localhost/api/v1/myself?xoauth_requestor_id=nobody-here")))).toBe("user_refused");
    const disabled = await makeUser("USER");
    await db.user.update({ where: { id: disabled.id }, data: { disabled: true } });
    expect(await problemOf(await call(myselfRoute, signed(`http://localhost/api/v1/myself?xoauth_requestor_id=${disabled.username}`)))).toBe("user_refused");
  });

  it("follows every incoming toggle on the very next request: permission_denied when 2LO or impersonation is off", async () => {
    await incoming({ twoLegged: false });
    const res = await call(myselfRoute, signed("http://localhost/api/v1/myself"));
    expect(res.headers.get("www-authenticate")).toMatch(/^OAuth realm="applink-admin", oauth_problem="permission_denied"/);
    expect(await problemOf(res)).toBe("permission_denied");
    await incoming({ impersonation: false });
    expect(await problemOf(await call(myselfRoute, signed(`http://localhost/api/v1/myself?xoauth_requestor_id=${person.username}`)))).toBe("permission_denied");
    expect((await call(myselfRoute, signed("http://localhost/api/v1/myself"))).status).toBe(200);
    await incoming({});
  });

  it("refuses tampered, replayed, stale and unknown-key requests with the right problem", async () => {
    const good = signed("http://localhost/api/v1/myself?a=1");
    expect(await problemOf(await call(myselfRoute, { ...good, url: "http://localhost/api/v1/myself?a=2" }))).toBe("signature_invalid");
    expect((await call(myselfRoute, good)).status).toBe(200);
    expect(await problemOf(await call(myselfRoute, good))).toBe("nonce_used");
    const stale = signed("http://localhost/api/v1/myself", { timestamp: String(Math.floor(Date.now() / 1000) - 3600) });
    expect(await problemOf(await call(myselfRoute, stale))).toBe("timestamp_refused");
    expect(await problemOf(await call(myselfRoute, signed("http://localhost/api/v1/myself", { key: "someone-else" })))).toBe("consumer_key_unknown");
    // 3LO tokens are not issued yet: any token is refused.
    const withToken = signed("http://localhost/api/v1/myself");
    withToken.headers.Authorization = withToken.headers.Authorization!.replace("OAuth ", 'OAuth oauth_token="made-up", ');
    expect(await problemOf(await call(myselfRoute, withToken))).toMatch(/token_rejected|signature_invalid/);
  });

  it("a reset of the incoming direction takes effect on the next request: consumer_key_unknown", async () => {
    expect((await call(myselfRoute, signed("http://localhost/api/v1/myself"))).status).toBe(200);
    await resetDirection(db, SYSTEM, linkId, "incoming");
    expect(await problemOf(await call(myselfRoute, signed("http://localhost/api/v1/myself")))).toBe("consumer_key_unknown");
    await incoming({});
  });

  it("a deleted link's consumer is unknown on the next request", async () => {
    expect((await call(myselfRoute, signed("http://localhost/api/v1/myself"))).status).toBe(200);
    await deleteLink(db, SYSTEM, linkId);
    expect(await problemOf(await call(myselfRoute, signed("http://localhost/api/v1/myself")))).toBe("consumer_key_unknown");
  });
});
