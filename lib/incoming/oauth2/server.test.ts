import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createLink } from "@/lib/links/create-link";
import { setOAuth2Client } from "@/lib/incoming/oauth2/clients";
import { authorizationServerMetadata, checkAuthorizationRequest, errorRedirect, formParameters } from "@/lib/incoming/oauth2/server";
import { SYSTEM } from "@/tests/support/factories";

const REDIRECT = "https://ci.example.test/cb?tenant=7";
const CHALLENGE = "E9Melhoa2OwvFrEMTJguCQaoeRFT7i9FyAasI2J4ixA";

async function client(scopes: ("READ" | "WRITE" | "ADMIN" | "SYSTEM_ADMIN")[] = ["READ", "WRITE"]) {
  const { link } = await createLink(db, SYSTEM, { name: `Authorize ${Math.random().toString(36).slice(2)}`, type: "generic" });
  const { client } = await setOAuth2Client(db, SYSTEM, link.id, { redirectUris: [REDIRECT, "http://127.0.0.1/native"], scopes });
  return client!.clientId;
}

const backWith = (check: Awaited<ReturnType<typeof checkAuthorizationRequest>>) => {
  if (check.kind !== "redirect") throw new Error(`expected a redirect, got ${JSON.stringify(check)}`);
  return Object.fromEntries(new URL(check.location).searchParams);
};

describe("the authorization request (RFC 6749 §4.1.1, RFC 7636)", () => {
  it("refuses an unknown client or a redirect URL not registered here, on a page, never a redirect", async () => {
    const id = await client();
    expect(await checkAuthorizationRequest(db, { response_type: "code", client_id: "nobody", redirect_uri: REDIRECT })).toMatchObject({ kind: "refused" });
    expect(await checkAuthorizationRequest(db, { response_type: "code", client_id: id, redirect_uri: "https://attacker.example.test/cb" })).toMatchObject({ kind: "refused" });
    // Two are registered: one must be named.
    expect(await checkAuthorizationRequest(db, { response_type: "code", client_id: id })).toMatchObject({ kind: "refused", message: expect.stringMatching(/must name one/) });
  });

  it("sends every other mistake back to the client, its redirect URL's own query kept, with the state", async () => {
    const id = await client();
    const base = { client_id: id, redirect_uri: REDIRECT, state: "s1" };
    expect(backWith(await checkAuthorizationRequest(db, { ...base, response_type: "token" }))).toMatchObject({ tenant: "7", error: "unsupported_response_type", state: "s1" });
    expect(backWith(await checkAuthorizationRequest(db, { ...base, response_type: "code", code_challenge: CHALLENGE, code_challenge_method: "plain" }))).toMatchObject({ error: "invalid_request" });
    expect(backWith(await checkAuthorizationRequest(db, { ...base, response_type: "code", code_challenge: CHALLENGE }))).toMatchObject({ error: "invalid_request", error_description: expect.stringMatching(/plain is not accepted/) });
    expect(backWith(await checkAuthorizationRequest(db, { ...base, response_type: "code", code_challenge: "short", code_challenge_method: "S256" }))).toMatchObject({ error: "invalid_request" });
    expect(backWith(await checkAuthorizationRequest(db, { ...base, response_type: "code", scope: "READ ADMIN" }))).toMatchObject({ error: "invalid_scope", error_description: expect.stringMatching(/not ADMIN/) });
  });

  it("shows the consent for a good request: the scopes asked for, or all the client may ask for; a loopback redirect on any port", async () => {
    const id = await client();
    expect(await checkAuthorizationRequest(db, { response_type: "code", client_id: id, redirect_uri: REDIRECT, scope: "READ", code_challenge: CHALLENGE, code_challenge_method: "S256" })).toMatchObject({ kind: "consent", scopes: ["READ"], redirectUri: REDIRECT });
    expect(await checkAuthorizationRequest(db, { response_type: "code", client_id: id, redirect_uri: "http://127.0.0.1:49152/native" })).toMatchObject({ kind: "consent", scopes: ["READ", "WRITE"], redirectUri: "http://127.0.0.1:49152/native" });
  });

  it("says errors and metadata as the RFCs do", () => {
    expect(errorRedirect("https://a.example.test/cb?x=1", "access_denied", "no", "st")).toBe("https://a.example.test/cb?x=1&error=access_denied&error_description=no&state=st");
    expect(formParameters("grant_type=a&grant_type=b")).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    expect(formParameters("grant_type=refresh_token&refresh_token=r")).toEqual({ grant_type: "refresh_token", refresh_token: "r" });
    expect(authorizationServerMetadata("https://applink.example.test")).toMatchObject({ issuer: "https://applink.example.test", code_challenge_methods_supported: ["S256"], response_types_supported: ["code"] });
  });
});
