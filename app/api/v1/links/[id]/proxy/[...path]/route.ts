import { db } from "@/lib/db";
import { withCaller } from "@/lib/api/with-caller";
import { proxyThroughLink } from "@/lib/links/proxy-request";

// ANY /api/v1/links/{id}/proxy/{path…} – forwards to the link's RPC URL + path (query and body kept), signed for the caller
const handler = withCaller<"user", { id: string; path: string[] }>("user", async ({ req, caller, params }) => proxyThroughLink(db, req, caller, params.id));

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE, handler as HEAD };
