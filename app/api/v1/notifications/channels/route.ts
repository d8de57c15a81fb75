import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { createChannel, createChannelSchema, listChannels } from "@/lib/notifications/channels";

// Notification channels are administrators' and never reached by delegation: a webhook's URL and
// signing secret are credentials.

// GET /api/v1/notifications/channels – every channel (webhook URLs masked, never a secret)
export const GET = withCaller("admin", async () => Response.json({ channels: await listChannels(db) }), { delegation: "never" });

// POST /api/v1/notifications/channels – a new email or webhook channel; a webhook's signing `secret` is in this answer only
export const POST = withCaller(
  "admin",
  async ({ req, caller }) => {
    const { view, secret, warnings } = await createChannel(db, caller, await readJson(req, createChannelSchema));
    return Response.json({ ...view, ...(secret ? { secret } : {}), warnings }, { status: 201, headers: { "Cache-Control": "no-store" } });
  },
  { delegation: "never" },
);
