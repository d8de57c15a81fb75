import { checkHealth } from "@/lib/health";

// GET /api/health/ready – readiness: the database takes a query and the server is not draining
// (503 from SIGTERM on, while requests in flight finish). Unauthenticated; reveals nothing else.
export async function GET() {
  const health = await checkHealth();
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
