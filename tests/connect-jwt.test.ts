/**
 * Atlassian Connect JWT against independent implementations: the `atlassian-jwt` npm package
 * (Atlassian's reference for Node) computes the same canonical request and query string hash for
 * tricky URLs, and decodes our tokens; python3-jwt verifies our HS256 signature and claims.
 */
import { execFileSync } from "node:child_process";
import * as reference from "atlassian-jwt";
import { describe, expect, it } from "vitest";
import { canonicalRequest, queryStringHash, signConnectJwt, TOKEN_SECONDS } from "@/lib/connect-jwt";

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
