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
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

beforeAll(async () => {
  const admin = await makeUser("ADMIN");
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
