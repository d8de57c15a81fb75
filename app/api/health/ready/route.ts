import { checkHealth, readinessStatus } from "@/lib/health";

// GET /api/health/ready – readiness: the database takes a query and the server is not draining
// (503 from SIGTERM on, while requests in flight finish); 200 with status "degraded" when the HSM holding
// the master key does not answer (keys.status "unavailable"). Unauthenticated; reveals nothing else.
export async function GET() {
  const health = await checkHealth();
  return Response.json(health, { status: readinessStatus(health), headers: { "Cache-Control": "no-store" } });
}
