import { checkHealth } from "@/lib/health";

// GET /api/health – liveness and database reachability (unauthenticated, reveals nothing else)
export async function GET() {
  const health = await checkHealth();
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
