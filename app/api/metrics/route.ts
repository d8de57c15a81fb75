import crypto from "node:crypto";
import { metricsText } from "@/lib/metrics";
import { jsonError } from "@/lib/api/handle-error";
import { db } from "@/lib/db";
import { refreshLinkMetrics } from "@/lib/status/link-metrics";

const NO_STORE = { "Cache-Control": "no-store" };

/** Constant-time comparison of the bearer token with METRICS_TOKEN. */
function authorized(header: string | null, token: string): boolean {
  const given = crypto.createHash("sha256").update(header ?? "").digest();
  const expected = crypto.createHash("sha256").update(`Bearer ${token}`).digest();
  return crypto.timingSafeEqual(given, expected);
}

// GET /api/metrics – Prometheus text format, for a scraper holding METRICS_TOKEN (Authorization:
// Bearer …); without METRICS_TOKEN set the endpoint does not exist (404).
export async function GET(req: Request) {
  const token = process.env.METRICS_TOKEN?.trim();
  if (!token) return jsonError(404, "not_found", "Metrics are off: set METRICS_TOKEN to serve them.", {}, NO_STORE);
  if (!authorized(req.headers.get("authorization"), token)) {
    return jsonError(401, "unauthenticated", "Send Authorization: Bearer <METRICS_TOKEN>.", {}, { ...NO_STORE, "WWW-Authenticate": 'Bearer realm="metrics"' });
  }
  // Links' status, read from the database now (never older than the scrape).
  await refreshLinkMetrics(db);
  const { body, contentType } = await metricsText();
  return new Response(body, { headers: { ...NO_STORE, "Content-Type": contentType } });
}
