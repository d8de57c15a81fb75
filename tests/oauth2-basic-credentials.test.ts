/**
 * RFC 6749 §2.3.1: a client's id and secret in HTTP Basic are form-encoded before they are joined
 * (oauth4webapi sends "-" as %2D, "_" as %5F); the token endpoint decodes them, and still takes
 * them as clients that do not encode send them (requests' HTTPBasicAuth). Found when this app's
 * own outgoing OAuth 2.0 (oauth4webapi) was refused as invalid_client by its incoming side.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createLink } from "@/lib/links/create-link";
import { setOAuth2Client } from "@/lib/incoming/oauth2/clients";
import { tokenEndpoint } from "@/lib/incoming/oauth2/server";
import { SYSTEM } from "@/tests/support/factories";

const formEncode = (value: string) => encodeURIComponent(value).replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

describe("the token endpoint's HTTP Basic client authentication", () => {
  it("accepts the id and secret form-encoded (RFC 6749 §2.3.1) and as sent raw; refuses a wrong secret either way", async () => {
    const { link } = await createLink(db, SYSTEM, { name: "Basic encoding", type: "generic" });
    const made = await setOAuth2Client(db, SYSTEM, link.id, { redirectUris: ["https://app.example.test/cb"], scopes: ["READ"] });
    const clientId = made.client!.clientId;
    const clientSecret = made.clientSecret!;
    const ask = (id: string, secret: string) =>
      tokenEndpoint(db, { method: "POST", headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded", "content-length": "60" }, body: { grant_type: "refresh_token", refresh_token: "no such token" } });
    // The client is known (the refresh token is not): invalid_grant, not invalid_client.
    for (const secret of [formEncode(clientSecret), clientSecret]) expect((await ask(formEncode(clientId), secret)).body).toMatchObject({ error: "invalid_grant" });
    expect((await ask(clientId, formEncode(`${clientSecret}x`))).body).toMatchObject({ error: "invalid_client" });
    expect((await ask(clientId, `${clientSecret.slice(0, -1)}-`)).body).toMatchObject({ error: "invalid_client" });
  });
});
