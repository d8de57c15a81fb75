import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { channelAttempts, channelView, deleteChannel, findChannelOrThrow, patchChannelSchema, updateChannel } from "@/lib/notifications/channels";

// GET /api/v1/notifications/channels/{id} – the channel and its delivery log (the last 50 attempts, newest first)
export const GET = withCaller<"admin", { id: string }>(
  "admin",
  async ({ params }) => {
    const channel = await findChannelOrThrow(db, params.id);
    return Response.json({ ...channelView(channel), attempts: await channelAttempts(db, channel.id) });
  },
  { delegation: "never" },
);

// PATCH /api/v1/notifications/channels/{id} – change it; `rotateSecret: true` answers a new signing `secret`, once
export const PATCH = withCaller<"admin", { id: string }>(
  "admin",
  async ({ req, caller, params }) => {
    const { view, secret, warnings } = await updateChannel(db, caller, params.id, await readJson(req, patchChannelSchema));
    return Response.json({ ...view, ...(secret ? { secret } : {}), warnings }, { headers: { "Cache-Control": "no-store" } });
  },
  { delegation: "never" },
);

// DELETE /api/v1/notifications/channels/{id} – delete it, with its log and its sealed URL and secret
export const DELETE = withCaller<"admin", { id: string }>("admin", async ({ caller, params }) => Response.json(await deleteChannel(db, caller, params.id)), { delegation: "never" });
