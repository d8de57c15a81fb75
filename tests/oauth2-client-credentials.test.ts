/**
 * Issue 15: a link's outgoing OAuth 2.0 client credentials against `oidc-provider` (npm; a certified
 * OpenID provider) as the token endpoint, and a resource server that accepts only that provider's
 * live tokens: the first token, its reuse, renewal once it expires, a token revoked early (the
 * remote's 401 makes the link fetch a new one and try once more), and a client the endpoint refuses.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createLink } from "@/lib/links/create-link";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { linkFetch } from "@/lib/outgoing/link-fetch";
import { linkJson } from "@/lib/links/serialize";
import { setOutgoing } from "@/lib/links/update-link";
import { diagnoseLink } from "@/lib/status/diagnose";
import { databaseBytes } from "@/tests/support/database-contents";
import { SYSTEM } from "@/tests/support/factories";
import { freePort } from "@/tests/support/free-port";

const CLIENT_SECRET = "client secret of the applink client 0123456789";
let provider: Provider;
let tokenServer: http.Server;
let issuer: string;
let issued = 0;
const tokens: string[] = [];

/** The remote API: 200 with who the token belongs to while the provider holds it, else 401. */
const api = http.createServer(async (req, res) => {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  const found = token ? await provider.ClientCredentials.find(token) : undefined;
  res.writeHead(found && !found.isExpired ? 200 : 401, { "content-type": "application/json" }).end(JSON.stringify({ client: found?.clientId ?? null, scope: found?.scope ?? null }));
});

beforeAll(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  provider = new Provider(issuer, {
    clients: [{ client_id: "applink", client_secret: CLIENT_SECRET, grant_types: ["client_credentials"], redirect_uris: [], response_types: [], token_endpoint_auth_method: "client_secret_basic", scope: "read:jira" }],
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    scopes: ["read:jira"],
    ttl: { ClientCredentials: 3 },
  });
  provider.on("client_credentials.saved", (token: { jti: string }) => {
    issued++;
    tokens.push(token.jti);
  });
  tokenServer = http.createServer(provider.callback());
  await new Promise<void>((resolve) => tokenServer.listen(port, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
});
afterAll(() => {
  tokenServer.close();
  api.close();
});

describe("OAuth 2.0 client credentials", () => {
  const apiUrl = () => `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

  it("fetches a token once, reuses it, renews it when it expires and when the remote refuses it early", async () => {
    const { link } = await createLink(db, SYSTEM, { name: "OAuth 2 API", type: "generic", rpcUrl: `${apiUrl()}/api` });
    const saved = await setOutgoing(db, SYSTEM, link.id, { scheme: "oauth2-client-credentials", tokenUrl: `${issuer}/token`, clientId: "applink", clientSecret: CLIENT_SECRET, scope: "read:jira" });
    expect(linkJson(saved).outgoing).toMatchObject({ scheme: "oauth2-client-credentials", credential: { tokenUrl: `${issuer}/token`, clientId: "applink", scope: "read:jira", set: true } });
    expect(JSON.stringify(linkJson(saved))).not.toContain(CLIENT_SECRET);
    expect((await databaseBytes()).includes(Buffer.from(CLIENT_SECRET))).toBe(false);
    const call = async () => {
      const res = await linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${apiUrl()}/api/rest/api/2/myself` }, { as: { server: true } });
      return { status: res.status, body: (await res.json()) as { client: string | null; scope: string | null } };
    };

    expect(await call()).toEqual({ status: 200, body: { client: "applink", scope: "read:jira" } });
    expect(await call()).toMatchObject({ status: 200 });
    expect(issued).toBe(1);

    // Revoked before it expired: the remote's 401 renews the token, and the request goes once more.
    await (await provider.ClientCredentials.find(tokens.at(-1)!))!.destroy();
    expect(await call()).toMatchObject({ status: 200, body: { client: "applink" } });
    expect(issued).toBe(2);

    // Expired (3 s here): a new one before the remote would refuse it.
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    expect(await call()).toMatchObject({ status: 200 });
    expect(issued).toBe(3);
  });

  it("names a client the token endpoint refuses, and an endpoint that is not there", async () => {
    const { link } = await createLink(db, SYSTEM, { name: "OAuth 2 refused", type: "generic", rpcUrl: `${apiUrl()}/refused` });
    await setOutgoing(db, SYSTEM, link.id, { scheme: "oauth2-client-credentials", tokenUrl: `${issuer}/token`, clientId: "applink", clientSecret: "not the secret of this client" });
    await expect(linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${apiUrl()}/refused/x` }, { as: { server: true } })).rejects.toMatchObject({
      code: "network_error",
      message: expect.stringMatching(/The token endpoint 127\.0\.0\.1:\d+ refused the client "applink": invalid_client/),
    });
    // The diagnosis says which part to check.
    const diagnosis = await diagnoseLink(db, await findLinkOrThrow(db, link.id), { timeoutMs: 2000 });
    expect(diagnosis.checks.find((c) => c.name === "signed-call")).toMatchObject({ result: "fail", status: "CONFIG_ERROR", message: expect.stringContaining('refused the client "applink": invalid_client'), fix: expect.stringContaining('Check the client id "applink" and its secret') });
    await setOutgoing(db, SYSTEM, link.id, { scheme: "oauth2-client-credentials", tokenUrl: "http://127.0.0.1:9/token" });
    await expect(linkFetch(db, await findLinkOrThrow(db, link.id), { method: "GET", url: `${apiUrl()}/refused/x` }, { as: { server: true } })).rejects.toMatchObject({ message: expect.stringMatching(/token endpoint 127\.0\.0\.1:9 could not be reached/) });
  });

  it("refuses incomplete settings field by field", async () => {
    const { link } = await createLink(db, SYSTEM, { name: "OAuth 2 incomplete", type: "generic", rpcUrl: `${apiUrl()}/incomplete` });
    await expect(setOutgoing(db, SYSTEM, link.id, { scheme: "oauth2-client-credentials", clientId: "applink", clientSecret: CLIENT_SECRET })).rejects.toMatchObject({ fields: { tokenUrl: expect.stringMatching(/token endpoint/) } });
    await expect(setOutgoing(db, SYSTEM, link.id, { scheme: "oauth2-client-credentials", tokenUrl: `${issuer}/token`, clientSecret: CLIENT_SECRET })).rejects.toMatchObject({ fields: { clientId: expect.stringMatching(/client id/) } });
    await expect(setOutgoing(db, SYSTEM, link.id, { scheme: "oauth2-client-credentials", tokenUrl: "ftp://x/token", clientId: "a", clientSecret: CLIENT_SECRET })).rejects.toThrow();
  });
});
