import { db } from "@/lib/db";
import { withCaller } from "@/lib/api/with-caller";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { listLinkGrants, revokeLinkGrants } from "@/lib/incoming/oauth2/grants";

type P = { id: string };

// GET /api/v1/links/{id}/incoming/oauth2-grants – who authorized this link's external application, when, with which scopes, when it last called
// (a list of standing credentials: never to a linked application)
export const GET = withCaller<"admin", P>(
  "admin",
  async ({ params }) => {
    await findLinkOrThrow(db, params.id);
    return Response.json({ grants: await listLinkGrants(db, params.id) });
  },
  { delegation: "never" },
);

// DELETE /api/v1/links/{id}/incoming/oauth2-grants – revoke them all: every token stops at once
export const DELETE = withCaller<"admin", P>("admin", async ({ caller, params }) => Response.json(await revokeLinkGrants(db, caller, params.id)));
