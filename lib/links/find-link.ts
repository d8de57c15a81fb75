import type { Db, Tx } from "@/lib/db";
import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { z } from "zod";
import type { listLinksSchema } from "@/lib/links/schemas";

/** One link by id, or null: the one read path for a link (pages, routes, actions). */
export function findLink(client: Db | Tx, id: string): Promise<Link | null> {
  return client.link.findUnique({ where: { id } });
}

export async function findLinkOrThrow(client: Db | Tx, id: string): Promise<Link> {
  const link = await findLink(client, id);
  if (!link) throw new AppError("not_found", "No such link.");
  return link;
}

/** One page of links, primary first within a type, filtered by type and a search over name and URLs. */
export async function listLinks(db: Db, filter: z.output<typeof listLinksSchema>) {
  const q = filter.q?.trim();
  const where = {
    ...(filter.type ? { type: filter.type } : {}),
    ...(q ? { OR: [{ name: { contains: q } }, { rpcUrl: { contains: q } }, { displayUrl: { contains: q } }] } : {}),
  };
  const [links, total] = await Promise.all([
    db.link.findMany({ where, orderBy: [{ name: "asc" }, { id: "asc" }], skip: (filter.page - 1) * filter.pageSize, take: filter.pageSize }),
    db.link.count({ where }),
  ]);
  return { links, total, page: filter.page, pageSize: filter.pageSize, pages: Math.max(1, Math.ceil(total / filter.pageSize)) };
}
