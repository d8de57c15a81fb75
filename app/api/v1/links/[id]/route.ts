import { db } from "@/lib/db";
import { publicBaseUrl } from "@/lib/http/public-url";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { deleteLink } from "@/lib/links/delete-link";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { patchLinkSchema } from "@/lib/links/schemas";
import { linkJson } from "@/lib/links/serialize";
import { patchLink } from "@/lib/links/update-link";
import { linkAddressWarnings } from "@/lib/links/address-warnings";

type P = { id: string };

// GET /api/v1/links/{id} – one link
export const GET = withCaller<"user", P>("user", async ({ req, params }) => Response.json(linkJson(await findLinkOrThrow(db, params.id), publicBaseUrl(req))));

// PATCH /api/v1/links/{id} – change name, type, URLs, primary, legacy auth (send the version you read: stale → 409); `warnings` as for POST
// (administration without credentials: an OAuth 2.0 application with ADMIN consented may, see with-caller.ts)
export const PATCH = withCaller<"admin", P>(
  "admin",
  async ({ req, caller, params }) => {
    const input = await readJson(req, patchLinkSchema);
    const link = await patchLink(db, caller, params.id, input);
    return Response.json({ ...linkJson(link), warnings: input.rpcUrl && link.rpcUrl ? await linkAddressWarnings(db, link.rpcUrl, link.remoteAppId) : [] });
  },
  { delegation: "admin" },
);

// DELETE /api/v1/links/{id} – delete the link and what was issued through it
export const DELETE = withCaller<"admin", P>("admin", async ({ caller, params }) => Response.json({ deleted: true, ...(await deleteLink(db, caller, params.id)) }));
