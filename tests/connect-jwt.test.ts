/**
 * Atlassian Connect JWT against independent implementations: the `atlassian-jwt` npm package
 * (Atlassian's reference for Node) computes the same canonical request and query string hash for
 * tricky URLs, and decodes our tokens; python3-jwt verifies our HS256 signature and claims. Both
 * make the tokens a linked application sends in (incoming), each refusal named.
 */
import { execFileSync } from "node:child_process";
import * as reference from "atlassian-jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { canonicalRequest, queryStringHash, signConnectJwt, TOKEN_SECONDS } from "@/lib/connect-jwt";
import { db } from "@/lib/db";
import * as myselfRoute from "@/app/api/v1/myself/route";
import * as tokensRoute from "@/app/api/v1/tokens/route";
import { createLink } from "@/lib/links/create-link";
import { setIncoming } from "@/lib/links/update-link";
import { linkJson } from "@/lib/links/serialize";
import { databaseBytes } from "@/tests/support/database-contents";
import { makeUser, SYSTEM } from "@/tests/support/factories";

const BASE = "https://jira.example.test/jira";

const URLS: Array<[string, string]> = [
  ["GET", `${BASE}/rest/api/2/issue/ABC-1`],
  ["GET", `${BASE}`],
  ["GET", `${BASE}/`],
  ["GET", `${BASE}/rest/api/2/search?jql=project%20%3D%20ABC&maxResults=5`],
  ["GET", `${BASE}/rest/api/2/search?b=2&a=1&b=1&a=3`],
  ["GET", `${BASE}/rest/api/2/search?q=a+b&q=c%2Bd`],
  ["POST", `${BASE}/rest/api/2/issue?expand=names,schema&notify=true`],
  ["GET", `${BASE}/rest/api/2/user?username=%C3%A9l%C3%A8ve&emoji=%F0%9F%98%80`],
  ["GET", `${BASE}/rest/api/2/user?username=élève`],
  ["GET", `${BASE}/rest/a&b/c?x=y`],
  ["GET", `${BASE}/rest/trailing/?x=1`],
  ["GET", `${BASE}/rest?na%20me=v&na+me=w&%5Bbracket%5D=%2A&star=*&tilde=~&quote='`],
  ["GET", `${BASE}/rest?jwt=should.be.ignored&empty=&flag`],
  ["DELETE", `${BASE}/rest/api/2/issue/ABC-1?deleteSubtasks=true`],
  ["GET", "https://cloud.example.test/rest/api/3/myself?accountId=5b10a2844c20165700ede21g"],
];

describe("Connect JWT: canonical request and query string hash", () => {
  it("match atlassian-jwt's for repeated keys, +, encoded names, unicode, & in the path, trailing slashes and ignored jwt", () => {
    for (const [method, url] of URLS) {
      const base = url.startsWith(BASE) ? BASE : "https://cloud.example.test";
      const theirs = reference.createCanonicalRequest(reference.fromMethodAndUrl(method, url), false, base);
      expect({ url, ours: canonicalRequest(method, url, base) }).toEqual({ url, ours: theirs });
      expect(queryStringHash(method, url, base)).toBe(reference.createQueryStringHash(reference.fromMethodAndUrl(method, url), false, base));
    }
  });

  it("a method, a path or a query value changed changes the hash", () => {
    const base = queryStringHash("GET", `${BASE}/rest/x?a=1`, BASE);
    expect(queryStringHash("POST", `${BASE}/rest/x?a=1`, BASE)).not.toBe(base);
    expect(queryStringHash("GET", `${BASE}/rest/y?a=1`, BASE)).not.toBe(base);
    expect(queryStringHash("GET", `${BASE}/rest/x?a=2`, BASE)).not.toBe(base);
    expect(queryStringHash("GET", `${BASE}/rest/x?a=1&jwt=anything`, BASE)).toBe(base);
  });
});

describe("Connect JWT: our tokens", () => {
  it("decode with atlassian-jwt and verify with python3-jwt: HS256, iss, iat, exp three minutes on, the request's qsh", async () => {
    const url = `${BASE}/rest/api/2/search?jql=project%20%3D%20ABC&b=2&b=1`;
    const now = Date.now();
    const token = await signConnectJwt({ issuer: "com.example.connector", sharedSecret: "shared secret ☃ 0123456789", method: "GET", url, baseUrl: BASE, now });
    const claims = reference.decodeSymmetric(token, "shared secret ☃ 0123456789", reference.SymmetricAlgorithm.HS256);
    expect(claims).toEqual({ iss: "com.example.connector", iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + TOKEN_SECONDS, qsh: reference.createQueryStringHash(reference.fromMethodAndUrl("GET", url), false, BASE) });
    expect(() => reference.decodeSymmetric(token, "another secret", reference.SymmetricAlgorithm.HS256)).toThrow(/Signature verification failed/);
    const script = "import jwt,sys,json; print(json.dumps(jwt.decode(sys.argv[1], sys.argv[2].encode(), algorithms=['HS256'], issuer='com.example.connector', options={'require': ['exp', 'iat', 'iss', 'qsh']})))";
    const python = JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, token, "shared secret ☃ 0123456789"], { encoding: "utf8" }));
    expect(python).toEqual(claims);
    expect(() => execFileSync("/usr/bin/python3", ["-c", script, token, "another secret"], { stdio: "pipe" })).toThrow(/Signature verification failed/);
  });
});

describe("Connect JWT from a linked application (incoming)", () => {
  const SECRET = "incoming shared secret 0123456789";
  const ISSUER = "com.example.jira-connector";
  let linkId: string;

  const myself = (url: string, authorization?: string) =>
    (myselfRoute.GET as unknown as (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>)(
      new Request(url, { headers: { host: "localhost", ...(authorization ? { authorization } : {}) } }),
      { params: Promise.resolve({}) },
    );
  const theirs = (claims: Record<string, unknown>, method = "GET", url = "http://localhost/api/v1/myself", secret = SECRET) =>
    reference.encodeSymmetric({ iss: ISSUER, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 180, qsh: reference.createQueryStringHash(reference.fromMethodAndUrl(method, url), false, "http://localhost"), ...claims }, secret);

  beforeAll(async () => {
    const runner = await makeUser("USER", { username: `jwt-runner-${Date.now()}` });
    const { link } = await createLink(db, SYSTEM, { name: "Connect app", type: "generic", rpcUrl: `http://connect-${Date.now()}.example.test` });
    await setIncoming(db, SYSTEM, link.id, { threeLegged: false, twoLegged: false, impersonation: false, executeAs: runner.username, connectJwt: { issuer: ISSUER, sharedSecret: SECRET } });
    linkId = link.id;
  });

  it("a token from atlassian-jwt, in the header or the query, runs as the link's execute-as user", async () => {
    const res = await myself("http://localhost/api/v1/myself", `JWT ${theirs({})}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ via: "connect-jwt", consumerKey: ISSUER, username: expect.stringMatching(/^jwt-runner-/) });
    const url = "http://localhost/api/v1/myself?expand=groups+more&b=2&b=1";
    const inQuery = await myself(`${url}&jwt=${theirs({}, "GET", url)}`);
    expect(inQuery.status).toBe(200);
  });

  it("a token from python3-jwt is accepted as well", async () => {
    const qsh = reference.createQueryStringHash(reference.fromMethodAndUrl("GET", "http://localhost/api/v1/myself"), false, "http://localhost");
    const script = "import jwt,sys,time; print(jwt.encode({'iss': sys.argv[1], 'iat': int(time.time()), 'exp': int(time.time()) + 60, 'qsh': sys.argv[2]}, sys.argv[3].encode(), algorithm='HS256'))";
    const token = execFileSync("/usr/bin/python3", ["-c", script, ISSUER, qsh, SECRET], { encoding: "utf8" }).trim();
    expect((await myself("http://localhost/api/v1/myself", `JWT ${token}`)).status).toBe(200);
  });

  it("refuses each failed check with its own problem, 401, and records the last refusal on the link", async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, string]> = [
      ["not.a.jwt", "jwt_malformed"],
      [theirs({}, "GET", "http://localhost/api/v1/myself", "another secret entirely"), "jwt_signature_invalid"],
      [theirs({ iss: "com.example.unknown" }), "jwt_issuer_unknown"],
      [theirs({ iat: now - 400, exp: now - 10 }), "jwt_expired"],
      [theirs({ iat: now + 3600, exp: now + 3700 }), "jwt_issued_in_future"],
      [theirs({}, "GET", "http://localhost/api/v1/users"), "jwt_qsh_mismatch"],
      [theirs({}, "POST"), "jwt_qsh_mismatch"],
      [theirs({ qsh: undefined }), "jwt_qsh_missing"],
      [`${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify({ iss: ISSUER, iat: now, exp: now + 60 })).toString("base64url")}.`, "jwt_algorithm_rejected"],
      [theirs({ sub: "admin" }), "permission_denied"],
    ];
    for (const [token, problem] of cases) {
      const res = await myself("http://localhost/api/v1/myself", `JWT ${token}`);
      expect({ problem, status: res.status, body: await res.json() }).toMatchObject({ problem, status: 401, body: { error: { code: "unauthenticated", message: expect.stringContaining(`(${problem})`) }, problem } });
    }
    // Refusals are recorded at most every 10 s per link: the first one after the link was known.
    const status = await db.linkStatus.findUnique({ where: { linkId } });
    expect(status?.incomingProblem).toBe("jwt_signature_invalid");
  });

  it("bounds a token's life: exp − iat at most an hour, so no iat older than that passes either", async () => {
    const now = Math.floor(Date.now() / 1000);
    const problemOf = async (claims: Record<string, unknown>) => {
      const res = await myself("http://localhost/api/v1/myself", `JWT ${theirs(claims)}`);
      return res.status === 200 ? "accepted" : ((await res.json()) as { problem: string }).problem;
    };
    expect(await problemOf({ iat: now, exp: now + 3600 })).toBe("accepted");
    expect(await problemOf({ iat: now, exp: now + 3601 })).toBe("jwt_lifetime_too_long");
    expect(await problemOf({ iat: now, exp: now + 10 * 365 * 86_400 })).toBe("jwt_lifetime_too_long");
    expect(await problemOf({ iat: now, exp: 1e308 })).toBe("jwt_lifetime_too_long");
    // Ten years old and still "valid" by its own exp: refused by its age first.
    expect(await problemOf({ iat: now - 10 * 365 * 86_400, exp: now + 60 })).toBe("jwt_lifetime_too_long");
    expect(await problemOf({ iat: now - 3000, exp: now + 60 })).toBe("accepted");
    // Older than its longest life: its exp has passed too.
    expect(await problemOf({ iat: now - 3600 - 1, exp: now - 1 })).toBe("jwt_expired");
  });

  it("refuses the second use of a jti within its life, whichever request carries it", async () => {
    const jti = `jti-${Date.now()}-${Math.random()}`;
    const first = await myself("http://localhost/api/v1/myself", `JWT ${theirs({ jti })}`);
    expect(first.status).toBe(200);
    const again = await myself("http://localhost/api/v1/myself", `JWT ${theirs({ jti })}`);
    expect({ status: again.status, problem: ((await again.json()) as { problem: string }).problem }).toEqual({ status: 401, problem: "jwt_replayed" });
    // A forged token with a fresh jti does not use it up.
    const fresh = `jti-${Date.now()}-fresh`;
    expect((await myself("http://localhost/api/v1/myself", `JWT ${theirs({ jti: fresh }, "GET", "http://localhost/api/v1/myself", "not the shared secret")}`)).status).toBe(401);
    expect((await myself("http://localhost/api/v1/myself", `JWT ${theirs({ jti: fresh })}`)).status).toBe(200);
    // Tokens without a jti (most of Atlassian's) are still accepted more than once.
    expect((await myself("http://localhost/api/v1/myself", `JWT ${theirs({})}`)).status).toBe(200);
  });

  it("runs as sub only where the link allows impersonation; a delegated caller changes nothing", async () => {
    const other = await makeUser("USER", { username: `jwt-sub-${Date.now()}` });
    const link = await db.link.findUniqueOrThrow({ where: { id: linkId } });
    await setIncoming(db, SYSTEM, linkId, { threeLegged: false, twoLegged: false, impersonation: true, executeAs: link.inExecuteAs });
    const res = await myself("http://localhost/api/v1/myself", `JWT ${theirs({ sub: other.username })}`);
    expect(await res.json()).toMatchObject({ via: "connect-jwt", username: other.username });
    const created = await (tokensRoute.POST as unknown as (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>)(
      new Request("http://localhost/api/v1/tokens", { method: "POST", headers: { host: "localhost", "content-type": "application/json", authorization: `JWT ${theirs({ sub: other.username }, "POST", "http://localhost/api/v1/tokens")}` }, body: JSON.stringify({ name: "minted" }) }),
      { params: Promise.resolve({}) },
    );
    expect(created.status).toBe(403);
    expect(await db.apiToken.count({ where: { userId: other.id } })).toBe(0);
  });

  it("keeps the shared secret write-only and sealed, and drops it when JWTs are turned off", async () => {
    const link = await db.link.findUniqueOrThrow({ where: { id: linkId } });
    expect(JSON.stringify(linkJson(link))).not.toContain(SECRET);
    expect(linkJson(link).incoming.connectJwt).toEqual({ issuer: ISSUER, sharedSecretSet: true });
    expect((await databaseBytes()).includes(Buffer.from(SECRET))).toBe(false);
    await setIncoming(db, SYSTEM, linkId, { threeLegged: false, twoLegged: false, impersonation: false, executeAs: link.inExecuteAs, connectJwt: null });
    expect(await db.vaultSecret.count({ where: { id: link.inJwtSecretId! } })).toBe(0);
    expect((await myself("http://localhost/api/v1/myself", `JWT ${theirs({})}`)).status).toBe(401);
  });
});
