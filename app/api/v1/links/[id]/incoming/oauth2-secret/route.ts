import { db } from "@/lib/db";
import { withCaller } from "@/lib/api/with-caller";
import { rotateOAuth2ClientSecret } from "@/lib/incoming/oauth2/clients";

type P = { id: string };

// POST /api/v1/links/{id}/incoming/oauth2-secret – a new OAuth 2.0 client secret, shown once in this answer; the old one stops working
export const POST = withCaller<"admin", P>("admin", async ({ caller, params }) => {
  const { client, clientSecret } = await rotateOAuth2ClientSecret(db, caller, params.id);
  return Response.json({ ...client, clientSecret });
});
