import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { resetDirection } from "@/lib/links/reset-direction";
import { resetSchema } from "@/lib/links/schemas";

// POST /api/v1/links/{id}/reset – {direction: "incoming" | "outgoing" | "both", fetchConsumer?}: reset OAuth, report what was revoked
export const POST = withCaller<"admin", { id: string }>("admin", async ({ req, caller, params }) => {
  const { direction, fetchConsumer } = await readJson(req, resetSchema);
  return Response.json(await resetDirection(db, caller, params.id, direction, { fetchConsumer }));
});
