import { openApiDocument } from "@/lib/api/openapi";
import { publicBaseUrl } from "@/lib/http/public-url";

// GET /api/v1/openapi.json – the REST API as an OpenAPI 3.1 document (lib/api/openapi.ts), for anyone:
// it names routes and request shapes, never data.
export function GET(req: Request) {
  return Response.json(openApiDocument(publicBaseUrl(req)), { headers: { "Cache-Control": "no-store" } });
}
