import { db } from "@/lib/db";
import { handleApiError } from "@/lib/api/handle-error";
import { renderManifest } from "@/lib/applinks/manifest";
import { publicBaseUrl } from "@/lib/http/public-url";
import { ensureAppIdentity } from "@/lib/identity/app-identity";

// GET /rest/applinks/1.0/manifest – this application's applinks manifest (XML, unauthenticated)
export async function GET(req: Request) {
  try {
    const xml = renderManifest(await ensureAppIdentity(db), publicBaseUrl(req));
    return new Response(xml, { headers: { "Content-Type": "application/xml; charset=utf-8", "Cache-Control": "no-store" } });
  } catch (error) {
    return handleApiError(error);
  }
}
