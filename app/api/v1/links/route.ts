import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { createLink } from "@/lib/links/create-link";
import { listLinks } from "@/lib/links/find-link";
import { createLinkSchema, listLinksSchema } from "@/lib/links/schemas";
import { linkJson } from "@/lib/links/serialize";

// GET /api/v1/links?q=&type=&page=&pageSize= – links, paginated (any signed-in user)
export const GET = withCaller("user", async ({ req }) => {
  const filter = listLinksSchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  const { links, ...page } = await listLinks(db, filter);
  return Response.json({ links: links.map(linkJson), ...page });
});

// POST /api/v1/links – create from {rpcUrl} (manifest discovery) or {name, type, rpcUrl, displayUrl?}
export const POST = withCaller("admin", async ({ req, caller }) => {
  const { link, warnings } = await createLink(db, caller, await readJson(req, createLinkSchema));
  return Response.json({ ...linkJson(link), warnings }, { status: 201, headers: { Location: `/api/v1/links/${link.id}` } });
});
