import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { createLink } from "@/lib/links/create-link";
import { listLinks } from "@/lib/links/find-link";
import { createLinkSchema, listLinksSchema } from "@/lib/links/schemas";
import { linkJson } from "@/lib/links/serialize";
import { publicBaseUrl } from "@/lib/http/public-url";
import { linkStatusView, statusRows } from "@/lib/status/store";

// GET /api/v1/links?q=&type=&status=&page=&pageSize= – links, paginated, each with its stored status (any signed-in user)
export const GET = withCaller("user", async ({ req }) => {
  const filter = listLinksSchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  const { links, ...page } = await listLinks(db, filter);
  const rows = await statusRows(db, links.map((l) => l.id));
  const base = publicBaseUrl(req);
  return Response.json({
    links: links.map((link) => {
      const view = linkStatusView(link, rows.get(link.id) ?? null, base);
      return { ...linkJson(link), status: { status: view.status, cause: view.cause, checkedAt: view.checkedAt } };
    }),
    ...page,
  });
});

// POST /api/v1/links – create from {rpcUrl} (manifest discovery) or {name, type, rpcUrl, displayUrl?}
// (administration without credentials: an OAuth 2.0 application with ADMIN consented may, see with-caller.ts)
export const POST = withCaller(
  "admin",
  async ({ req, caller }) => {
    const { link, warnings } = await createLink(db, caller, await readJson(req, createLinkSchema));
    return Response.json({ ...linkJson(link), warnings }, { status: 201, headers: { Location: `/api/v1/links/${link.id}` } });
  },
  { delegation: "admin" },
);
