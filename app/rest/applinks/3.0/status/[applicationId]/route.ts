import { db } from "@/lib/db";
import { withLinkedApplication } from "@/lib/api/with-caller";
import { publicBaseUrl } from "@/lib/http/public-url";
import { applinkStatusOf } from "@/lib/status/store";

// GET /rest/applinks/3.0/status/{applicationId} – how this app sees its link to that application
// (Atlassian's path and field names): for admins, signed in or calling through a link as one, and
// for that application itself, signing as itself (2-legged, no user): its own link only.
export const GET = withLinkedApplication<"admin", { applicationId: string }>("admin", async ({ req, params, application }) =>
  Response.json(await applinkStatusOf(db, params.applicationId, publicBaseUrl(req), application)),
);
