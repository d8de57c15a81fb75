import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { deleteLink } from "@/lib/links/delete-link";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { patchLinkSchema } from "@/lib/links/schemas";
import { linkJson } from "@/lib/links/serialize";
import { patchLink } from "@/lib/links/update-link";

type P = { id: string };

// GET /api/v1/links/{id} – one link
export const GET = withCaller<"user", P>("user", async ({ params }) => Response.json(linkJson(await findLinkOrThrow(db, params.id))));

// PATCH /api/v1/links/{id} – change name, type, URLs, primary, legacy auth (send the version you read: stale → 409)
export const PATCH = withCaller<"admin", P>("admin", async ({ req, caller, params }) =>
  Response.json(linkJson(await patchLink(db, caller, params.id, await readJson(req, patchLinkSchema)))),
);

// DELETE /api/v1/links/{id} – delete the link and what was issued through it
export const DELETE = withCaller<"admin", P>("admin", async ({ caller, params }) => Response.json({ deleted: true, ...(await deleteLink(db, caller, params.id)) }));
