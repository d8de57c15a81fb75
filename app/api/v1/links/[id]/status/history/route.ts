import { z } from "zod";
import { db } from "@/lib/db";
import { withCaller } from "@/lib/api/with-caller";
import { AppError } from "@/lib/errors";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { statusHistory } from "@/lib/history/status-history";

const since = z.iso.datetime({ offset: true }).or(z.iso.date());

// GET /api/v1/links/{id}/status/history?since= – every change of the link's status since then (default: 30 days),
// and its days: checks (count, failed, p50 / p95 ms) and proxied requests by outcome
export const GET = withCaller<"user", { id: string }>("user", async ({ req, params }) => {
  const link = await findLinkOrThrow(db, params.id);
  const given = new URL(req.url).searchParams.get("since");
  if (given !== null && !since.safeParse(given).success) throw new AppError("validation_failed", "since is a date (2026-11-01) or a date and time (2026-11-01T12:00:00Z).", { fields: { since: "A date or a date and time (ISO 8601)." } });
  const now = new Date();
  const from = given ? new Date(given) : new Date(now.getTime() - 30 * 86_400_000);
  if (from.getTime() > now.getTime()) throw new AppError("validation_failed", "since is in the future.", { fields: { since: "A moment in the past." } });
  // At most ten years of days in one answer.
  const earliest = new Date(now.getTime() - 3650 * 86_400_000);
  const { changes, days, statusAtSince } = await statusHistory(db, link.id, from < earliest ? earliest : from, now);
  return Response.json({ since: from.toISOString(), statusAtSince, changes, days });
});
