import { db } from "@/lib/db";
import { withCaller } from "@/lib/api/with-caller";
import { revokeGrant } from "@/lib/incoming/oauth2/grants";

type P = { id: string; grantId: string };

// DELETE /api/v1/links/{id}/incoming/oauth2-grants/{grantId} – revoke one person's authorization: its tokens stop at once
export const DELETE = withCaller<"admin", P>("admin", async ({ caller, params }) => Response.json(await revokeGrant(db, caller, params.grantId, { linkId: params.id })));
