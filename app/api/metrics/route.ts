import crypto from "node:crypto";
import { metricsText } from "@/lib/metrics";

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
  if (!token) return Response.json({ error: { code: "not_found", message: "Metrics are off: set METRICS_TOKEN to serve them." } }, { status: 404, headers: NO_STORE });
  if (!authorized(req.headers.get("authorization"), token)) {
    return Response.json({ error: { code: "unauthenticated", message: "Send Authorization: Bearer <METRICS_TOKEN>." } }, { status: 401, headers: { ...NO_STORE, "WWW-Authenticate": 'Bearer realm="metrics"' } });
  }
  const { body, contentType } = await metricsText();
  return new Response(body, { headers: { ...NO_STORE, "Content-Type": contentType } });
}
