import { db } from "@/lib/db";
import { withCaller } from "@/lib/api/with-caller";
import { sendTest } from "@/lib/notifications/dispatch";

// POST /api/v1/notifications/channels/{id}/test – send a test message now; answers {ok, detail, ms} (the attempt is logged)
export const POST = withCaller<"admin", { id: string }>("admin", async ({ caller, params }) => Response.json(await sendTest(db, params.id, caller)), { delegation: "never" });
