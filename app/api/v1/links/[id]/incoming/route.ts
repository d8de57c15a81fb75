import type { z } from "zod";
import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { incomingPutSchema, type incomingSchema, type oauth2ClientSchema } from "@/lib/links/schemas";
import { incomingJson } from "@/lib/links/serialize";
import { setIncoming } from "@/lib/links/update-link";
import { clientView, findOAuth2Client, setOAuth2Client } from "@/lib/incoming/oauth2/clients";

type P = { id: string };

// GET /api/v1/links/{id}/incoming – remote → this app (we are the provider; OAuth 2.0: the authorization server)
export const GET = withCaller<"user", P>("user", async ({ params }) => {
  const link = await findLinkOrThrow(db, params.id);
  const client = await findOAuth2Client(db, link.id);
  return Response.json({ ...incomingJson(link), oauth2: client ? clientView(client) : null, version: link.version });
});

// PUT /api/v1/links/{id}/incoming – {consumerKey, consumerName, publicKey, threeLegged, twoLegged, executeAs, impersonation, connectJwt} or {fetchConsumer: true, …},
// and/or {oauth2: {redirectUris, scopes} | null}; turning OAuth 2.0 on answers oauth2.clientSecret, the only time it is shown
export const PUT = withCaller<"admin", P>("admin", async ({ req, caller, params }) => {
  const body = await readJson(req, incomingPutSchema);
  const { oauth2, ...rest } = body as { oauth2?: z.input<typeof oauth2ClientSchema> | null } & Record<string, unknown>;
  let link = "threeLegged" in rest ? await setIncoming(db, caller, params.id, rest as z.input<typeof incomingSchema>) : await findLinkOrThrow(db, params.id);
  let secret: string | undefined;
  if (oauth2 !== undefined) secret = (await setOAuth2Client(db, caller, params.id, oauth2)).clientSecret;
  link = await findLinkOrThrow(db, params.id);
  const client = await findOAuth2Client(db, link.id);
  return Response.json({ ...incomingJson(link), oauth2: client ? { ...clientView(client), ...(secret ? { clientSecret: secret } : {}) } : null, version: link.version });
});
