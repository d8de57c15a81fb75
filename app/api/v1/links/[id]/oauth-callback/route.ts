import { db } from "@/lib/db";
import { withCaller } from "@/lib/api/with-caller";
import { finishAuthorization } from "@/lib/api/authorization-flow";

// GET /api/v1/links/{id}/oauth-callback – the remote returns the browser here: verifier → access token
export const GET = withCaller<"user", { id: string }>("user", async ({ req, caller, params }) => finishAuthorization(db, req, caller, params.id), { delegation: "never" });
