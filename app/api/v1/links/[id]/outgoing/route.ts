import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { outgoingSchema } from "@/lib/links/schemas";
import { outgoingJson } from "@/lib/links/serialize";
import { setOutgoing } from "@/lib/links/update-link";
import { urlFieldWarnings } from "@/lib/links/address-warnings";
import { publicBaseUrl } from "@/lib/http/public-url";

type P = { id: string };

// GET /api/v1/links/{id}/outgoing – this app → remote (we are the consumer)
export const GET = withCaller<"user", P>("user", async ({ req, params }) => {
  const link = await findLinkOrThrow(db, params.id);
  return Response.json({ ...outgoingJson(link, publicBaseUrl(req)), version: link.version });
});

// PUT /api/v1/links/{id}/outgoing – a scheme with its fields (lib/links/schemas.ts `outgoingSchema`:
// OAuth 1.0a levels and endpoints, OAuth 2.0 per person (`oauth2`: a preset, the client, scopes; the
// answer's `oauth2.redirectUrl` is what to register at the remote), a fixed credential, OAuth 2.0 client
// credentials or a Connect JWT secret, with TLS settings); `{scheme: "oauth1"}` alone switches back to kept OAuth levels;
// `warnings` names each URL given that the server will call and that points somewhere unusual
export const PUT = withCaller<"admin", P>("admin", async ({ req, caller, params }) => {
  const input = await readJson(req, outgoingSchema);
  const link = await setOutgoing(db, caller, params.id, input);
  return Response.json({ ...outgoingJson(link, publicBaseUrl(req)), version: link.version, warnings: urlFieldWarnings(input) });
});
