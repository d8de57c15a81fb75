import { db } from "@/lib/db";
import { withCaller } from "@/lib/api/with-caller";
import { beginAuthorization } from "@/lib/api/authorization-flow";

// GET /api/v1/links/{id}/authorize?returnTo= – start the 3-legged dance: request token, then the remote's consent page
export const GET = withCaller<"user", { id: string }>("user", async ({ req, caller, params }) => beginAuthorization(db, req, caller, params.id), { delegation: "never" });
