import { db } from "@/lib/db";
import { withCaller } from "@/lib/api/with-caller";
import { revokeApiToken } from "@/lib/tokens/api-tokens";

// DELETE /api/v1/tokens/{id} – revoke one of the caller's own tokens
export const DELETE = withCaller<"user", { id: string }>("user", async ({ caller, params }) =>
  Response.json(await revokeApiToken(db, caller, caller.id, params.id)),
);
