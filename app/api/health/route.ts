import { checkHealth, readinessStatus } from "@/lib/health";

// GET /api/health – readiness, as /api/health/ready (kept for the tools that call it); liveness is /api/health/live
export async function GET() {
  const health = await checkHealth();
  return Response.json(health, { status: readinessStatus(health), headers: { "Cache-Control": "no-store" } });
}
