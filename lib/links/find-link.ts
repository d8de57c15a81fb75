import { containsText } from "@/lib/db/dialect";
import type { Db, Tx } from "@/lib/db";
import type { Link, Prisma } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { z } from "zod";
import { LINK_STATUSES, type LinkStatusCode, type listLinksSchema } from "@/lib/links/schemas";

/** One link by id, or null: the one read path for a link (pages, routes, actions). */
export function findLink(client: Db | Tx, id: string): Promise<Link | null> {
  return client.link.findUnique({ where: { id } });
}

export async function findLinkOrThrow(client: Db | Tx, id: string): Promise<Link> {
  const link = await findLink(client, id);
  if (!link) throw new AppError("not_found", "No such link.");
  return link;
}

/** Links whose stored status is `status` (a disabled link is DISABLED whatever its last check said). */
function statusWhere(status: LinkStatusCode | undefined): Prisma.LinkWhereInput {
  if (!status) return {};
  if (status === "DISABLED") return { disabled: true };
  if (status === "UNCHECKED") return { disabled: false, OR: [{ status: null }, { status: { status: "UNCHECKED" } }] };
  return { disabled: false, status: { status } };
}

/** One page of links, primary first within a type, filtered by type, stored status and a search over name and URLs. */
export async function listLinks(db: Db, filter: z.output<typeof listLinksSchema>) {
  const q = filter.q?.trim();
  const where: Prisma.LinkWhereInput = {
    AND: [
      filter.type ? { type: filter.type } : {},
      q ? { OR: [{ name: containsText(q) }, { rpcUrl: containsText(q) }, { displayUrl: containsText(q) }] } : {},
      statusWhere(filter.status),
    ],
  };
  const [links, total] = await Promise.all([
    db.link.findMany({ where, orderBy: [{ name: "asc" }, { id: "asc" }], skip: (filter.page - 1) * filter.pageSize, take: filter.pageSize }),
    db.link.count({ where }),
  ]);
  return { links, total, page: filter.page, pageSize: filter.pageSize, pages: Math.max(1, Math.ceil(total / filter.pageSize)) };
}

/** How many enabled links need attention (a stored status other than CONNECTED and UNCHECKED), for the list's banner. */
/** The enabled links whose stored status needs attention, counted by status (worst first, as the list's filter names them). */
export async function countNeedingAttention(db: Db): Promise<{ status: LinkStatusCode; count: number }[]> {
  const rows = await db.linkStatus.groupBy({ by: ["status"], where: { status: { notIn: ["CONNECTED", "UNCHECKED", "DISABLED"] }, link: { disabled: false } }, _count: { _all: true } });
  return LINK_STATUSES.flatMap((status) => {
    const row = rows.find((r) => r.status === status);
    return row ? [{ status, count: row._count._all }] : [];
  });
}

/** The link to the application at this RPC URL (normalised as links store it), or null. */
export function findLinkByRpcUrl(db: Db, rpcUrl: string): Promise<Link | null> {
  return db.link.findUnique({ where: { rpcUrl } });
}
