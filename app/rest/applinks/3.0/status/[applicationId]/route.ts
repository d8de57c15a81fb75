import { db } from "@/lib/db";
import { withCaller } from "@/lib/api/with-caller";
import { AppError } from "@/lib/errors";
import { publicBaseUrl } from "@/lib/http/public-url";
import { applinkStatusJson } from "@/lib/links/status/remote-view";
import { errorCategory } from "@/lib/links/status/derive";
import { linkStatusView, statusRow } from "@/lib/links/status/store";

// GET /rest/applinks/3.0/status/{applicationId} – how this app sees its link to that application
// (Atlassian's path and field names): for admins, signed in or calling through a link as one.
export const GET = withCaller<"admin", { applicationId: string }>("admin", async ({ req, params }) => {
  const link = await db.link.findUnique({ where: { remoteAppId: params.applicationId } });
  if (!link) throw new AppError("not_found", "This application has no link to that application id.");
  const view = linkStatusView(link, await statusRow(db, link.id), publicBaseUrl(req));
  return Response.json(applinkStatusJson(link, view, errorCategory(view.status)));
});
