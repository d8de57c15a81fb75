// GET /api/health/live – liveness: the process answers (no database, nothing else revealed). A
// load balancer restarts what fails this; readiness (/api/health/ready) decides where traffic goes.
export function GET() {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
