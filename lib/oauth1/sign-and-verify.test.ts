import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  baseStringUri,
  protocolParameters,
  normalizeParameters,
  OAUTH_PROBLEMS,
  OAuthProblemError,
  parseAuthorizationHeader,
  parseProblemReport,
  signatureBaseString,
  signRequest,
  verifyRequest,
  type Consumer,
  type OutgoingRequest,
  type SignOptions,
} from "@/lib/oauth1";
import { memoryNonceStore, memoryOptions, memoryTokenStore } from "@/lib/oauth1/test-support";
import { generateNonce } from "@/lib/oauth1/signature";

let keys: crypto.KeyPairKeyObjectResult;
let rsaConsumer: Consumer;
const hmacConsumer: Consumer = { key: "hmac-consumer", secret: "s3cr3t&+ value", signatureMethods: ["HMAC-SHA1", "PLAINTEXT"] };

beforeAll(() => {
  keys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  rsaConsumer = { key: "applink-admin:test", publicKey: keys.publicKey };
});

async function signed(request: OutgoingRequest, options: SignOptions = {}, consumer: "rsa" | "hmac" = "rsa") {
  const creds = consumer === "rsa" ? { key: rsaConsumer.key, privateKey: keys.privateKey } : { key: hmacConsumer.key, secret: hmacConsumer.secret, signatureMethod: "HMAC-SHA1" as const };
  const s = await signRequest(request, creds, options);
  const headers = new Headers({ authorization: s.authorization });
  if (request.contentType) headers.set("content-type", request.contentType);
  return { signed: s, incoming: { method: request.method, url: s.url, headers, body: request.body ?? null } };
}

async function problemOf(promise: Promise<unknown>): Promise<OAuthProblemError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthProblemError);
  return error as OAuthProblemError;
}

const TRICKY_URLS = [
  "http://EXAMPLE.com:80/path?q=hello world",
  "https://example.com:443/rest/api/2/search?jql=project = ABC AND status in (Open, \"In Progress\")&maxResults=50",
  "http://example.com/p?plus=a+b&literal=a%2Bb&empty=&novalue",
  "http://example.com/p?fields%5B%5D=a&fields%5B%5D=b&a=2&a=1",
  "http://example.com/p?eq=a=b=c&reserved=%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D",
  "http://example.com/ünïcødé/päth?q=日本語&emoji=🙂",
  "http://example.com:8080/p/with%20space/x?z=1",
];

describe("signing (consumer side)", () => {
  it("feeds oauth-1.0a so that its base string is exactly RFC 5849's for tricky requests", async () => {
    for (const url of TRICKY_URLS) {
      const { signed: s, incoming } = await signed({ method: "get", url });
      const ours = signatureBaseString("GET", baseStringUri(s.url), normalizeParameters(protocolParameters(incoming).params));
      expect(s.baseString, url).toBe(ours);
    }
  });

  it("produces signatures our verifier accepts: RSA-SHA1 and HMAC-SHA1, 2LO, impersonation, 3LO", async () => {
    const tokens = memoryTokenStore({ "access-1": { secret: "token secret" } });
    for (const url of TRICKY_URLS) {
      for (const variant of [{}, { requestorId: "jane.doe@example.com" }, { token: { key: "access-1", secret: "token secret" } }] as SignOptions[]) {
        for (const kind of ["rsa", "hmac"] as const) {
          const { incoming } = await signed({ method: "GET", url }, variant, kind);
          const verified = await verifyRequest(incoming, memoryOptions([rsaConsumer, hmacConsumer], { tokens }));
          expect(verified.consumer.key).toBe(kind === "rsa" ? rsaConsumer.key : hmacConsumer.key);
          expect(verified.requestorId).toBe(variant.requestorId ?? null);
          expect(verified.token?.secret ?? null).toBe(variant.token ? "token secret" : null);
        }
      }
    }
  });

  it("signs RSA-SHA1 the same on this thread (inPlace) as in libuv's pool, and the verifier accepts both", async () => {
    const fixed = { nonce: () => "n0nce0123456789abcdefghij", now: () => 1_700_000_000_000 };
    for (const url of TRICKY_URLS) {
      const pool = await signed({ method: "POST", url }, fixed);
      const inPlace = await signed({ method: "POST", url }, { ...fixed, inPlace: true });
      // PKCS#1 v1.5 is deterministic: the same base string and key give the same signature.
      expect(inPlace.signed.authorization, url).toBe(pool.signed.authorization);
      expect((await verifyRequest(inPlace.incoming, memoryOptions([rsaConsumer], { now: fixed.now }))).consumer.key).toBe(rsaConsumer.key);
    }
  });

  it("normalises the URL it returns (host case, default port) and adds xoauth_requestor_id to the query", async () => {
    const { signed: s } = await signed({ method: "GET", url: "HTTP://Jira.Example.COM:80/rest?x=1" }, { requestorId: "a b+c" });
    expect(s.url).toBe("http://jira.example.com/rest?x=1&xoauth_requestor_id=a%20b%2Bc");
  });

  it("signs form bodies as parameters and covers other bodies with oauth_body_hash (plain SHA-1)", async () => {
    const form = await signed({ method: "POST", url: "http://example.com/f", contentType: "application/x-www-form-urlencoded", body: "a=1&b=two+words&b=x" });
    expect(form.signed.oauthParams.find(([k]) => k === "oauth_body_hash")).toBeUndefined();
    expect(form.signed.baseString).toContain("b%3Dtwo%2520words");
    const json = '{"fields":{"summary":"Hello"}}';
    const withBody = await signed({ method: "POST", url: "http://example.com/j", contentType: "application/json", body: json });
    const hash = withBody.signed.oauthParams.find(([k]) => k === "oauth_body_hash")?.[1];
    expect(hash).toBe(crypto.createHash("sha1").update(json).digest("base64"));
    expect(withBody.signed.baseString).not.toContain("summary");
    await expect(verifyRequest(withBody.incoming, memoryOptions([rsaConsumer]))).resolves.toBeTruthy();
  });

  it("uses 20–30 character alphanumeric nonces and 10-digit timestamps", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { signed: s } = await signed({ method: "GET", url: "http://example.com/" });
      const params = Object.fromEntries(s.oauthParams);
      expect(params.oauth_nonce).toMatch(/^[A-Za-z0-9]{20,30}$/);
      expect(params.oauth_timestamp).toMatch(/^\d{10}$/);
      expect(params.oauth_version).toBe("1.0");
      nonces.add(params.oauth_nonce!);
    }
    expect(nonces.size).toBe(20);
  });

  it("hands out each random byte once: nonces across many 4 KiB pools are all distinct and alphanumeric", () => {
    const many = Array.from({ length: 5000 }, () => generateNonce());
    expect(many.every((n) => /^[A-Za-z0-9]{24}$/.test(n))).toBe(true);
    expect(new Set(many).size).toBe(5000);
    // Every character of the alphabet turns up: the bytes are not all taken from one place.
    expect(new Set(many.join("")).size).toBe(62);
  });

  it("sends oauth_callback and oauth_verifier in the signed header", async () => {
    const { signed: s } = await signed({ method: "POST", url: "http://example.com/plugins/servlet/oauth/request-token" }, { callback: "https://me.example/cb?x=1" });
    expect(parseAuthorizationHeader(s.authorization)).toContainEqual(["oauth_callback", "https://me.example/cb?x=1"]);
    const v = await signed({ method: "POST", url: "http://example.com/a" }, { token: { key: "req", secret: "rs" }, verifier: "v123" });
    expect(parseAuthorizationHeader(v.signed.authorization)).toContainEqual(["oauth_verifier", "v123"]);
  });

  it("refuses PLAINTEXT over http and RSA without a key", async () => {
    await expect(signRequest({ method: "GET", url: "http://example.com/" }, { key: "k", secret: "s", signatureMethod: "PLAINTEXT" })).rejects.toThrow(/PLAINTEXT/);
    await expect(signRequest({ method: "GET", url: "http://example.com/" }, { key: "k" })).rejects.toThrow(/private key/);
    await expect(signRequest({ method: "GET", url: "ftp://example.com/" }, { key: "k", privateKey: keys.privateKey })).rejects.toThrow(/http/);
  });
});

describe("verifying (provider side): one test per problem", () => {
  it("accepts a good request, with both header separator styles", async () => {
    const { incoming } = await signed({ method: "GET", url: "http://example.com/x?a=1" });
    const compact = new Headers({ authorization: incoming.headers.get("authorization")!.replace(/, /g, ",") });
    await expect(verifyRequest({ ...incoming, headers: compact }, memoryOptions([rsaConsumer]))).resolves.toMatchObject({ signatureMethod: "RSA-SHA1" });
  });

  it("consumer_key_unknown", async () => {
    const { incoming } = await signed({ method: "GET", url: "http://example.com/" });
    const e = await problemOf(verifyRequest(incoming, memoryOptions([hmacConsumer])));
    expect(e.problem).toBe("consumer_key_unknown");
    expect(e.status).toBe(401);
  });

  it("signature_invalid: a tampered query, a tampered body, another key, logging our base string", async () => {
    const { incoming } = await signed({ method: "GET", url: "http://example.com/x?amount=10" });
    let logged = "";
    const opts = memoryOptions([rsaConsumer], { onSignatureInvalid: ({ baseString }) => (logged = baseString) });
    expect((await problemOf(verifyRequest({ ...incoming, url: "http://example.com/x?amount=1000" }, opts))).problem).toBe("signature_invalid");
    expect(logged).toContain("amount%3D1000");
    expect(logged).not.toMatch(/PRIVATE/);

    const json = await signed({ method: "POST", url: "http://example.com/j", contentType: "application/json", body: '{"a":1}' });
    expect((await problemOf(verifyRequest({ ...json.incoming, body: '{"a":2}' }, memoryOptions([rsaConsumer])))).problem).toBe("signature_invalid");

    const other = { ...rsaConsumer, publicKey: crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey };
    expect((await problemOf(verifyRequest(incoming, memoryOptions([other])))).problem).toBe("signature_invalid");
  });

  it("signature_invalid for garbage signatures, never a crash", async () => {
    const { incoming } = await signed({ method: "GET", url: "http://example.com/" });
    for (const bad of ["", "%%%", "not base64!", "AAAA", "a".repeat(5000)]) {
      const header = incoming.headers.get("authorization")!.replace(/oauth_signature="[^"]*"/, `oauth_signature="${encodeURIComponent(bad)}"`);
      const e = await problemOf(verifyRequest({ ...incoming, headers: new Headers({ authorization: header }) }, memoryOptions([rsaConsumer])));
      expect(["signature_invalid", "parameter_absent"]).toContain(e.problem);
    }
  });

  it("takes the signature in strict base64 only: the right bytes in base64url, unpadded or with spaces are refused", async () => {
    const { incoming } = await signed({ method: "GET", url: "http://example.com/" });
    const header = incoming.headers.get("authorization")!;
    const signature = decodeURIComponent(/oauth_signature="([^"]*)"/.exec(header)![1]!);
    expect(signature).toMatch(/[+/]/); // else the base64url form below would be the same text
    const variants = [signature.replaceAll("+", "-").replaceAll("/", "_"), signature.replace(/=+$/, ""), `${signature.slice(0, 8)} ${signature.slice(8)}`];
    for (const variant of variants) {
      const changed = header.replace(/oauth_signature="[^"]*"/, `oauth_signature="${encodeURIComponent(variant)}"`);
      expect((await problemOf(verifyRequest({ ...incoming, headers: new Headers({ authorization: changed }) }, memoryOptions([rsaConsumer])))).problem).toBe("signature_invalid");
    }
    expect((await verifyRequest(incoming, memoryOptions([rsaConsumer]))).consumer.key).toBe(rsaConsumer.key);
  });

  it("signature_method_rejected: unknown method, or one this consumer may not use", async () => {
    const { incoming } = await signed({ method: "GET", url: "http://example.com/" }, {}, "hmac");
    expect((await problemOf(verifyRequest(incoming, memoryOptions([{ ...hmacConsumer, signatureMethods: ["RSA-SHA1"] }])))).problem).toBe("signature_method_rejected");
    const odd = incoming.headers.get("authorization")!.replace("HMAC-SHA1", "HMAC-SHA256");
    expect((await problemOf(verifyRequest({ ...incoming, headers: new Headers({ authorization: odd }) }, memoryOptions([hmacConsumer])))).problem).toBe("signature_method_rejected");
  });

  it("timestamp_refused, with the acceptable range", async () => {
    const now = Date.now();
    const { incoming } = await signed({ method: "GET", url: "http://example.com/" }, { now: () => now - 301_000 });
    const e = await problemOf(verifyRequest(incoming, memoryOptions([rsaConsumer], { now: () => now })));
    expect(e.problem).toBe("timestamp_refused");
    const t = Math.floor(now / 1000);
    expect(e.details.acceptableTimestamps).toEqual({ from: t - 300, to: t + 300 });
    expect(e.wwwAuthenticate("applink")).toContain(`oauth_acceptable_timestamps="${t - 300}-${t + 300}"`);
    const within = await signed({ method: "GET", url: "http://example.com/" }, { now: () => now + 299_000 });
    await expect(verifyRequest(within.incoming, memoryOptions([rsaConsumer], { now: () => now }))).resolves.toBeTruthy();
  });

  it("nonce_used: a replay is refused; a forged request does not burn the nonce", async () => {
    const nonces = memoryNonceStore();
    const { incoming } = await signed({ method: "GET", url: "http://example.com/x" });
    const opts = memoryOptions([rsaConsumer], { nonces });
    await problemOf(verifyRequest({ ...incoming, url: "http://example.com/forged" }, opts));
    expect(nonces.size()).toBe(0);
    await verifyRequest(incoming, opts);
    expect((await problemOf(verifyRequest(incoming, opts))).problem).toBe("nonce_used");
  });

  it("token_rejected and token_expired", async () => {
    const tokens = memoryTokenStore({ old: { secret: "s", expiresAt: new Date(Date.now() - 1000) } });
    const unknown = await signed({ method: "GET", url: "http://example.com/" }, { token: { key: "nope", secret: "s" } });
    expect((await problemOf(verifyRequest(unknown.incoming, memoryOptions([rsaConsumer], { tokens })))).problem).toBe("token_rejected");
    expect((await problemOf(verifyRequest(unknown.incoming, memoryOptions([rsaConsumer]))) ).problem).toBe("token_rejected");
    const expired = await signed({ method: "GET", url: "http://example.com/" }, { token: { key: "old", secret: "s" } });
    expect((await problemOf(verifyRequest(expired.incoming, memoryOptions([rsaConsumer], { tokens })))).problem).toBe("token_expired");
  });

  it("parameter_absent names what is missing", async () => {
    const e = await problemOf(verifyRequest({ method: "GET", url: "http://example.com/", headers: new Headers({ authorization: 'OAuth oauth_consumer_key="k", oauth_signature="x"' }) }, memoryOptions([rsaConsumer])));
    expect(e.problem).toBe("parameter_absent");
    expect(e.details.parametersAbsent).toEqual(["oauth_signature_method", "oauth_timestamp", "oauth_nonce"]);
    expect(e.formBody()).toBe("oauth_problem=parameter_absent&oauth_parameters_absent=oauth_signature_method%26oauth_timestamp%26oauth_nonce");
    const none = await problemOf(verifyRequest({ method: "GET", url: "http://example.com/", headers: new Headers() }, memoryOptions([rsaConsumer])));
    expect(none.problem).toBe("parameter_absent");
  });

  it("parameter_rejected: an oauth_ parameter given twice (header and query), or a malformed header", async () => {
    const { incoming } = await signed({ method: "GET", url: "http://example.com/" });
    const e = await problemOf(verifyRequest({ ...incoming, url: "http://example.com/?oauth_nonce=abc" }, memoryOptions([rsaConsumer])));
    expect(e.problem).toBe("parameter_rejected");
    expect(e.details.parametersRejected).toEqual(["oauth_nonce"]);
    const malformed = await problemOf(verifyRequest({ ...incoming, headers: new Headers({ authorization: 'OAuth oauth_consumer_key="k" junk' }) }, memoryOptions([rsaConsumer])));
    expect(malformed.problem).toBe("parameter_rejected");
  });

  it("version_rejected", async () => {
    const { incoming } = await signed({ method: "GET", url: "http://example.com/" });
    const header = incoming.headers.get("authorization")!.replace('oauth_version="1.0"', 'oauth_version="2.0"');
    expect((await problemOf(verifyRequest({ ...incoming, headers: new Headers({ authorization: header }) }, memoryOptions([rsaConsumer])))).problem).toBe("version_rejected");
  });

  it("reads parameters sent in the query or a form body instead of the header (RFC 5849 3.5)", async () => {
    const { signed: s } = await signed({ method: "POST", url: "http://example.com/f?x=1", contentType: "application/x-www-form-urlencoded", body: "y=2" });
    const oauthQuery = s.oauthParams.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
    const viaBody = { method: "POST", url: s.url, headers: new Headers({ "content-type": "application/x-www-form-urlencoded" }), body: `y=2&${oauthQuery}` };
    await expect(verifyRequest(viaBody, memoryOptions([rsaConsumer]))).resolves.toBeTruthy();
  });

  it("every problem renders as WWW-Authenticate and a form body that parse back", () => {
    for (const problem of OAUTH_PROBLEMS) {
      const e = new OAuthProblemError(problem, { advice: 'say "why"' });
      const header = e.wwwAuthenticate('my "realm"');
      expect(header).toMatch(/^OAuth realm="my \\"realm\\"", oauth_problem="/);
      expect(parseProblemReport(header, null)?.problem).toBe(problem);
      expect(parseProblemReport(null, e.formBody())).toMatchObject({ problem, parameters: { oauth_problem_advice: 'say "why"' } });
      // RFC 5849 §3.2: a missing or unsupported parameter is 400, a refused credential 401.
      expect(e.status).toBe(/^(parameter_|version_)/.test(problem) ? 400 : 401);
    }
  });
});
