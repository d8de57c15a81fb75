/**
 * Input a person controls that answered 500 (issue 10, finding 5): text that is not well-formed
 * Unicode in a JSON body, and OAuth headers whose values are beyond Latin-1. Each now gets a
 * fitting 4xx that names the field or the OAuth problem, and nothing is stored. The whole app,
 * routing included, is also walked by the bad-input corpus in e2e/bad-input-corpus.spec.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createApiToken } from "@/lib/tokens/api-tokens";
import { parseProblemReport } from "@/lib/oauth1";
import { makeUser, SYSTEM } from "@/tests/support/factories";

let adminToken: string;
let adminName: string;
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

beforeAll(async () => {
  const admin = await makeUser("ADMIN");
  adminName = admin.username;
  adminToken = (await createApiToken(db, SYSTEM, admin, "bad-input")).token;
});

/** The raw JSON text, so `\ud800` reaches the server as the escape a client sends. */
const post = (handler: Handler, method: string, rawJson: string, params: Record<string, string> = {}) =>
  handler(new Request("http://localhost/x", { method, headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" }, body: rawJson }), { params: Promise.resolve(params) });

describe("text that is not well-formed Unicode", () => {
  it.each([
    ["a token name", "@/app/api/v1/tokens/route", "POST", '{"name":"\\ud800"}', "name"],
    ["a link name", "@/app/api/v1/links/route", "POST", '{"name":"\\udc00x","type":"generic","rpcUrl":"http://lone.example.test"}', "name"],
    ["a user's display name", "@/app/api/v1/users/route", "POST", '{"username":"lone","email":"lone@example.test","role":"USER","displayName":"a\\ud800b"}', "displayName"],
    ["a nested field", "@/app/api/v1/users/route", "POST", '{"username":"lone2","email":"lone2@example.test","role":"USER","extra":{"deep":["ok","\\ud83d"]}}', "extra.deep.1"],
  ])("in %s answers 400 naming the field, and stores nothing", async (_what, module, method, body, field) => {
    const mod = (await import(/* @vite-ignore */ module)) as Record<string, Handler>;
    const counts = async () => [await db.apiToken.count(), await db.link.count(), await db.user.count()];
    const before = await counts();
    const response = await post(mod[method]!, method, body);
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(json.error.code).toBe("validation_failed");
    expect(json.error.fields[field]).toMatch(/not well-formed Unicode/);
    expect(await counts()).toEqual(before);
  });

  it("JSON nested 20,000 deep is refused as invalid, not a 500 (the check walks without recursion)", async () => {
    const mod = await import("@/app/api/v1/tokens/route");
    const deep = "[".repeat(20_000) + '"\\ud800"' + "]".repeat(20_000);
    const response = await post(mod.POST as Handler, "POST", deep);
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: { fields: Record<string, string> } };
    expect(Object.keys(json.error.fields)[0]).toBe(Array(20_000).fill("0").join("."));
  });

  it("a well-formed astral character (a surrogate pair) is ordinary text", async () => {
    const mod = await import("@/app/api/v1/tokens/route");
    const response = await post(mod.POST as Handler, "POST", '{"name":"rocket \\ud83d\\ude80"}');
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ name: "rocket 🚀" });
  });
});

describe("names that would show more than they say, and weak shared secrets (issue 21)", () => {
  it.each([
    ["a token name with NUL", "@/app/api/v1/tokens/route", "POST", '{"name":"a\\u0000b"}', "name"],
    ["a token name with a line break", "@/app/api/v1/tokens/route", "POST", '{"name":"ok\\nFAKE: admin approved"}', "name"],
    ["a token name with a direction override", "@/app/api/v1/tokens/route", "POST", '{"name":"invoice\\u202Egpj.exe"}', "name"],
    ["a link name with an escape", "@/app/api/v1/links/route", "POST", '{"name":"x\\u001b[31m","type":"generic","rpcUrl":"http://ctl.example.test"}', "name"],
    ["a display name with a C1 control", "@/app/api/v1/users/route", "POST", '{"username":"ctl","email":"ctl@example.test","role":"USER","displayName":"a\\u0085b"}', "displayName"],
  ])("%s answers 400 naming the field, and stores nothing", async (_what, module, method, body, field) => {
    const mod = (await import(/* @vite-ignore */ module)) as Record<string, Handler>;
    const counts = async () => [await db.apiToken.count(), await db.link.count(), await db.user.count()];
    const before = await counts();
    const response = await post(mod[method]!, method, body);
    const json = (await response.json()) as { error: { fields: Record<string, string> } };
    expect({ status: response.status, field: json.error.fields[field] }).toEqual({ status: 400, field: expect.stringMatching(/control characters/) });
    expect(await counts()).toEqual(before);
  });

  it("a body that is not valid UTF-8 answers 400, and nothing is stored with U+FFFD in its place", async () => {
    const mod = await import("@/app/api/v1/tokens/route");
    const before = await db.apiToken.count();
    const body = Buffer.concat([Buffer.from('{"name":"bad '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    const response = await (mod.POST as Handler)(new Request("http://localhost/x", { method: "POST", headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" }, body }), { params: Promise.resolve({}) });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 400, body: { error: { code: "bad_request", message: "The body is not valid UTF-8." } } });
    expect(await db.apiToken.count()).toBe(before);
  });

  it("a Connect shared secret under 32 bytes, or one character repeated, is refused in both directions", async () => {
    const links = await import("@/app/api/v1/links/route");
    const created = await post(links.POST as Handler, "POST", JSON.stringify({ name: "Weak secrets", type: "generic", rpcUrl: `http://weak-${Date.now()}.example.test` }));
    const { id } = (await created.json()) as { id: string };
    const incoming = await import("@/app/api/v1/links/[id]/incoming/route");
    const outgoing = await import("@/app/api/v1/links/[id]/outgoing/route");
    for (const secret of ["\u0000".repeat(16), "a".repeat(64), "only 31 bytes of shared secret."]) {
      const inc = await post(incoming.PUT as Handler, "PUT", JSON.stringify({ threeLegged: false, twoLegged: false, impersonation: false, connectJwt: { issuer: "weak", sharedSecret: secret } }), { id });
      expect({ secret, status: inc.status, field: ((await inc.json()) as { error: { fields: Record<string, string> } }).error.fields["connectJwt.sharedSecret"] }).toEqual({ secret, status: 400, field: expect.stringMatching(/at least 32 bytes|one character repeated/) });
      const out = await post(outgoing.PUT as Handler, "PUT", JSON.stringify({ scheme: "connect-jwt", issuer: "weak", sharedSecret: secret }), { id });
      expect({ secret, status: out.status, field: ((await out.json()) as { error: { fields: Record<string, string> } }).error.fields.sharedSecret }).toEqual({ secret, status: 400, field: expect.stringMatching(/at least 32 bytes|one character repeated/) });
    }
    const ok = await post(incoming.PUT as Handler, "PUT", JSON.stringify({ threeLegged: false, twoLegged: false, impersonation: false, executeAs: adminName, connectJwt: { issuer: "strong", sharedSecret: "a shared secret of thirty-two by" } }), { id });
    expect(ok.status, await ok.clone().text()).toBe(200);
  });
});

describe("OAuth headers beyond Latin-1", () => {
  const now = () => String(Math.floor(Date.now() / 1000));
  const header = (fields: Record<string, string>) =>
    "OAuth " + Object.entries({ oauth_consumer_key: "k", oauth_signature_method: "RSA-SHA1", oauth_timestamp: now(), oauth_nonce: "n0nce", oauth_signature: "c2ln", oauth_version: "1.0", ...fields }).map(([k, v]) => `${k}="${v}"`).join(", ");

  it.each([
    ["a Cyrillic consumer key", { oauth_consumer_key: "%D0%BA%D0%BB%D1%8E%D1%87" }, 401, "consumer_key_unknown"],
    ["a Cyrillic oauth_version", { oauth_version: "%D0%B2%D0%B5%D1%80" }, 400, "version_rejected"],
    ["a Cyrillic signature method", { oauth_signature_method: "RSA-%D0%A8%D0%901" }, 401, "signature_method_rejected"],
    ["an emoji consumer key", { oauth_consumer_key: "%F0%9F%94%91" }, 401, "consumer_key_unknown"],
    // Not UTF-8 at all: the header itself is malformed.
    ["a lone surrogate's encoding", { oauth_consumer_key: "%ED%A0%80" }, 400, "parameter_rejected"],
  ])("%s is refused the OAuth way (%s), not with a 500", async (_what, fields, status, problem) => {
    const mod = await import("@/app/api/v1/myself/route");
    const response = await (mod.GET as Handler)(new Request("http://localhost/api/v1/myself", { headers: { authorization: header(fields) } }), { params: Promise.resolve({}) });
    expect(response.status).toBe(status);
    const wwwAuthenticate = response.headers.get("www-authenticate");
    expect(wwwAuthenticate).toMatch(/^OAuth realm="applink-admin"/);
    expect(parseProblemReport(wwwAuthenticate, await response.text())?.problem).toBe(problem);
  });
});
