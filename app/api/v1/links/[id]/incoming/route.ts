import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { incomingSchema } from "@/lib/links/schemas";
import { incomingJson } from "@/lib/links/serialize";
import { setIncoming } from "@/lib/links/update-link";

type P = { id: string };

// GET /api/v1/links/{id}/incoming – remote → this app (we are the provider)
export const GET = withCaller<"user", P>("user", async ({ params }) => {
  const link = await findLinkOrThrow(db, params.id);
  return Response.json({ ...incomingJson(link), version: link.version });
});

// PUT /api/v1/links/{id}/incoming – {consumerKey, consumerName, publicKey, threeLegged, twoLegged, executeAs, impersonation} or {fetchConsumer: true, …}
export const PUT = withCaller<"admin", P>("admin", async ({ req, caller, params }) => {
  const link = await setIncoming(db, caller, params.id, await readJson(req, incomingSchema));
  return Response.json({ ...incomingJson(link), version: link.version });
});
