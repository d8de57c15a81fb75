import { containsText } from "@/lib/db/dialect";
import { z } from "zod";
import type { Db } from "@/lib/db";

export const auditFilterSchema = z.object({
  actor: z.string().trim().max(64).optional().catch(undefined),
  action: z.string().trim().max(64).optional().catch(undefined),
  /** A target's id, or words in its label (a link's or user's name). */
  target: z.string().trim().max(200).optional().catch(undefined),
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export const AUDIT_PAGE_SIZE = 50;

/** One page of the audit log, newest first, filtered by actor, action (prefix) and day range. */
export async function listAuditEvents(db: Db, filter: AuditFilter) {
  const createdAt: { gte?: Date; lt?: Date } = {};
  if (filter.from) createdAt.gte = new Date(`${filter.from}T00:00:00Z`);
  if (filter.to) createdAt.lt = new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + 86_400_000);
  const where = {
    ...(filter.actor ? { actorUsername: filter.actor.toLowerCase() } : {}),
    ...(filter.action ? { action: { startsWith: filter.action } } : {}),
    ...(filter.from || filter.to ? { createdAt } : {}),
    ...(filter.target ? { OR: [{ targetId: filter.target }, { targetLabel: containsText(filter.target) }] } : {}),
  };
  const [events, total] = await Promise.all([
    db.auditEvent.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (filter.page - 1) * AUDIT_PAGE_SIZE,
      take: AUDIT_PAGE_SIZE,
    }),
    db.auditEvent.count({ where }),
  ]);
  return { events, total, page: filter.page, pages: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)) };
}

/** The distinct actions recorded so far, for the filter's picker. */
export async function auditActions(db: Db): Promise<string[]> {
  const rows = await db.auditEvent.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } });
  return rows.map((r) => r.action);
}
