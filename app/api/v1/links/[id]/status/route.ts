import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { publicBaseUrl } from "@/lib/http/public-url";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { applyFix, checkNowSchema } from "@/lib/status/apply-fix";
import { checkLinkNow, linkStatusView, statusRow } from "@/lib/status/store";

// GET /api/v1/links/{id}/status – the link's stored status: {status, cause, fix, problem, checkedAt, checks, actions, traffic, incoming}
export const GET = withCaller<"user", { id: string }>("user", async ({ req, params }) => {
  const link = await findLinkOrThrow(db, params.id);
  return Response.json(linkStatusView(link, await statusRow(db, link.id), publicBaseUrl(req)));
});

// POST /api/v1/links/{id}/status – check now; {fix: "match-here" | …} first applies a fix the last check offered
export const POST = withCaller<"admin", { id: string }>("admin", async ({ req, caller, params }) => {
  const body = req.headers.get("content-length") === "0" || !req.headers.get("content-type") ? {} : await readJson(req, checkNowSchema);
  const applied = body.fix ? await applyFix(db, caller, params.id, body.fix) : null;
  const { link, row } = await checkLinkNow(db, params.id, { admin: caller });
  return Response.json({ ...linkStatusView(link, row, publicBaseUrl(req)), ...(applied ? { applied } : {}) });
});
