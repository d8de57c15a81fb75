import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { createApiToken, createTokenSchema, listApiTokens } from "@/lib/tokens/api-tokens";

// GET /api/v1/tokens – the caller's own API tokens (never the secrets)
export const GET = withCaller("user", async ({ caller }) => Response.json({ tokens: await listApiTokens(db, caller.id) }), { delegation: "never" });

// POST /api/v1/tokens – create a personal token for the caller; the token is in this answer only
export const POST = withCaller("user", async ({ req, caller }) => {
  const { name } = await readJson(req, createTokenSchema);
  const { token, view } = await createApiToken(db, caller, caller, name);
  return Response.json({ ...view, token }, { status: 201, headers: { "Cache-Control": "no-store" } });
});
