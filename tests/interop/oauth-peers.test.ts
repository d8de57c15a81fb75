/**
 * Interop against an independent OAuth 1.0a implementation: Debian's python3-oauthlib verifies what
 * we sign, and python3-requests-oauthlib signs what we verify. Installed by scripts/ensure-test-peers.sh.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { OAuthProblemError, signRequest, verifyRequest, type Consumer, type SignOptions } from "@/lib/oauth1";
import { memoryNonceStore, memoryOptions, memoryTokenStore } from "@/lib/oauth1/test-support";
import { publicKeyPem } from "@/lib/crypto/rsa-keys";

const PYTHON = "/usr/bin/python3";
const here = path.resolve("tests/interop");

function python<T>(script: string, input: unknown): T {
  return JSON.parse(execFileSync(PYTHON, [path.join(here, script)], { input: JSON.stringify(input), encoding: "utf8" })) as T;
}

let keys: crypto.KeyPairKeyObjectResult;
let privatePem: string;
const KEY = "applink-admin:2f6c1c7e-interop";
const HMAC_KEY = "hmac-peer";
const HMAC_SECRET = "kd94hf93k423kf44";
const TOKEN = "nnch734d00sl2jdk";
const TOKEN_SECRET = "pfkkdhi9sl3r4s00";

beforeAll(() => {
  keys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  privatePem = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
});

interface Case {
  name: string;
  method: string;
  url: string;
  contentType?: string;
  body?: string;
}

const CASES: Case[] = [
  { name: "GET with spaces", method: "GET", url: "http://127.0.0.1:8089/rest/api/2/search?jql=project%20%3D%20ABC%20ORDER%20BY%20created" },
  { name: "GET with + meaning space", method: "GET", url: "http://127.0.0.1:8089/search?q=hello+world" },
  { name: "GET with reserved characters", method: "GET", url: "http://127.0.0.1:8089/p?r=%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23" },
  { name: "GET with repeated keys", method: "GET", url: "http://127.0.0.1:8089/p?a=2&a=1&b=x&a=3" },
  { name: "GET with empty values", method: "GET", url: "http://127.0.0.1:8089/p?empty=&also=&x=1" },
  { name: "GET with unicode", method: "GET", url: "http://127.0.0.1:8089/p?name=J%C3%BCrgen&city=%E6%9D%B1%E4%BA%AC" },
  { name: "GET with encoded parameter names", method: "GET", url: "http://127.0.0.1:8089/p?fields%5B%5D=summary&fields%5B%5D=status" },
  { name: "GET with = inside a value", method: "GET", url: "http://127.0.0.1:8089/p?expr=a%3Db%3Dc" },
  { name: "form POST", method: "POST", url: "http://127.0.0.1:8089/form?x=1", contentType: "application/x-www-form-urlencoded", body: "comment=Looks+good%21&labels=a&labels=b" },
  { name: "JSON POST with body hash", method: "POST", url: "http://127.0.0.1:8089/rest/api/2/issue", contentType: "application/json", body: '{"fields":{"summary":"Ünïcode & spaces"}}' },
];

const VARIANTS: { name: string; options: SignOptions; token?: boolean }[] = [
  { name: "2LO", options: {} },
  { name: "2LO with impersonation", options: { requestorId: "jane.doe" } },
  { name: "3LO", options: { token: { key: TOKEN, secret: TOKEN_SECRET } }, token: true },
];

describe("our signatures verify on python3-oauthlib (provider)", () => {
  for (const method of ["RSA-SHA1", "HMAC-SHA1"] as const) {
    it(`${method}: every request shape, 2LO, impersonation and 3LO`, async () => {
      const requests: Array<Record<string, unknown>> = [];
      const expected: Array<string | null> = [];
      for (const c of CASES) {
        for (const v of VARIANTS) {
          const consumer = method === "RSA-SHA1" ? { key: KEY, privateKey: keys.privateKey } : { key: HMAC_KEY, secret: HMAC_SECRET, signatureMethod: method };
          const s = await signRequest({ method: c.method, url: c.url, contentType: c.contentType, body: c.body }, consumer, v.options);
          const headers: Record<string, string> = { Authorization: s.authorization };
          if (c.contentType) headers["Content-Type"] = c.contentType;
          requests.push({ method: c.method, url: s.url, headers, body: c.body ?? null });
          expected.push(v.options.requestorId ?? null);
        }
      }
      const results = python<Array<{ valid: boolean; requestor: string | null; error?: string }>>("oauthlib_verify.py", {
        consumers: { [KEY]: { rsa_public_pem: publicKeyPem(keys.publicKey) }, [HMAC_KEY]: { secret: HMAC_SECRET } },
        tokens: { [TOKEN]: TOKEN_SECRET },
        requests,
      });
      const names = CASES.flatMap((c) => VARIANTS.map((v) => `${c.name} / ${v.name}`));
      // One answer per request sent: an empty or short answer from the verifier is a failure.
      expect(results.length).toBe(requests.length);
      expect(requests.length).toBe(CASES.length * VARIANTS.length);
      results.forEach((r, i) => {
        expect(r, names[i]).toMatchObject({ valid: true, requestor: expected[i] });
      });
    });
  }

  it("the peer refuses what we did not sign (the check can fail)", async () => {
    const s = await signRequest({ method: "GET", url: "http://127.0.0.1:8089/p?amount=1" }, { key: KEY, privateKey: keys.privateKey });
    const [result] = python<Array<{ valid: boolean }>>("oauthlib_verify.py", {
      consumers: { [KEY]: { rsa_public_pem: publicKeyPem(keys.publicKey) } },
      requests: [{ method: "GET", url: "http://127.0.0.1:8089/p?amount=1000", headers: { Authorization: s.authorization }, body: null }],
    });
    expect(result!.valid).toBe(false);
  });
});

type Prepared = { method: string; url: string; headers: Record<string, string>; body: string | null };

function signWithPeer(items: Array<Record<string, unknown>>): Prepared[] {
  return python<Prepared[]>("requests_oauthlib_sign.py", items);
}

const rsaConsumer = (): Consumer => ({ key: KEY, publicKey: keys.publicKey });
const hmacConsumer: Consumer = { key: HMAC_KEY, secret: HMAC_SECRET, signatureMethods: ["HMAC-SHA1"] };
const tokens = memoryTokenStore({ [TOKEN]: { secret: TOKEN_SECRET } });

function incoming(p: Prepared) {
  return { method: p.method, url: p.url, headers: new Headers(p.headers), body: p.body };
}

describe("python3-requests-oauthlib signatures pass our verifier (consumer)", () => {
  it("every request shape, RSA-SHA1 and HMAC-SHA1, 2LO, impersonation and 3LO", async () => {
    const items: Array<Record<string, unknown>> = [];
    const labels: string[] = [];
    for (const c of CASES) {
      for (const kind of ["rsa", "hmac"] as const) {
        for (const v of VARIANTS) {
          const url = v.options.requestorId ? `${c.url}${c.url.includes("?") ? "&" : "?"}xoauth_requestor_id=${v.options.requestorId}` : c.url;
          items.push({
            method: c.method,
            url,
            headers: c.contentType ? { "Content-Type": c.contentType } : {},
            body: c.body ?? null,
            key: kind === "rsa" ? KEY : HMAC_KEY,
            ...(kind === "rsa" ? { rsa_private_pem: privatePem } : { secret: HMAC_SECRET }),
            ...(v.token ? { token: TOKEN, token_secret: TOKEN_SECRET } : {}),
            body_hash: c.contentType === "application/json",
          });
          labels.push(`${c.name} / ${kind} / ${v.name}`);
        }
      }
    }
    const prepared = signWithPeer(items);
    for (const [i, p] of prepared.entries()) {
      const verified = await verifyRequest(incoming(p), memoryOptions([rsaConsumer(), hmacConsumer], { tokens })).catch((e: unknown) => e);
      expect(verified, labels[i]).not.toBeInstanceOf(Error);
      const v = verified as Awaited<ReturnType<typeof verifyRequest>>;
      if (labels[i]!.endsWith("impersonation")) expect(v.requestorId).toBe("jane.doe");
      if (labels[i]!.endsWith("3LO")) expect(v.token).toEqual({ secret: TOKEN_SECRET });
    }
    expect(prepared.length).toBe(CASES.length * 2 * VARIANTS.length);
  });

  it("refuses their tampered query, replayed request, stale timestamp and unknown key, with the right problem", async () => {
    const [good, stale] = signWithPeer([
      { method: "GET", url: "http://127.0.0.1:8089/p?amount=1", headers: {}, body: null, key: KEY, rsa_private_pem: privatePem },
      { method: "GET", url: "http://127.0.0.1:8089/p", headers: {}, body: null, key: KEY, rsa_private_pem: privatePem },
    ]);
    const problem = async (p: Prepared, opts = memoryOptions([rsaConsumer()])) => {
      const e = await verifyRequest(incoming(p), opts).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(OAuthProblemError);
      return (e as OAuthProblemError).problem;
    };
    expect(await problem({ ...good!, url: good!.url.replace("amount=1", "amount=1000") })).toBe("signature_invalid");
    const nonces = memoryNonceStore();
    await verifyRequest(incoming(good!), memoryOptions([rsaConsumer()], { nonces }));
    expect(await problem(good!, memoryOptions([rsaConsumer()], { nonces }))).toBe("nonce_used");
    expect(await problem(stale!, memoryOptions([rsaConsumer()], { now: () => Date.now() + 3600_000 }))).toBe("timestamp_refused");
    expect(await problem(good!, memoryOptions([hmacConsumer]))).toBe("consumer_key_unknown");
    const otherKey = { key: KEY, publicKey: crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey };
    expect(await problem(good!, memoryOptions([otherKey]))).toBe("signature_invalid");
  });
});
