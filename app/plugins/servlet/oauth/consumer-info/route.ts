import { db } from "@/lib/db";
import { handleApiError } from "@/lib/api/handle-error";
import { renderConsumerInfo } from "@/lib/applinks/manifest";
import { ensureAppIdentity } from "@/lib/identity/app-identity";

// GET /plugins/servlet/oauth/consumer-info – this app as an OAuth consumer: key, name, public key (XML, unauthenticated)
export async function GET() {
  try {
    const xml = renderConsumerInfo(await ensureAppIdentity(db));
    return new Response(xml, { headers: { "Content-Type": "application/xml; charset=utf-8", "Cache-Control": "no-store" } });
  } catch (error) {
    return handleApiError(error);
  }
}
