import type { Tx } from "@/lib/db";
import type { Link, Prisma } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";

/**
 * Applies a change to a link only if it is still at `expectedVersion`, bumping the version: a
 * stale write answers 409 and changes nothing (optimistic concurrency).
 */
export async function versionedUpdate(tx: Tx, link: Link, expectedVersion: number | undefined, data: Prisma.LinkUpdateManyMutationInput): Promise<Link> {
  if (expectedVersion !== undefined && expectedVersion !== link.version) {
    throw new AppError("version_conflict", `The link changed since you read it (version ${expectedVersion}, now ${link.version}). Reload and try again.`);
  }
  const { count } = await tx.link.updateMany({ where: { id: link.id, version: link.version }, data: { ...data, version: { increment: 1 } } });
  if (count === 0) throw new AppError("version_conflict", "The link was changed by someone else at the same moment. Reload and try again.");
  return tx.link.findUniqueOrThrow({ where: { id: link.id } });
}

/** Makes `linkId` the one primary link of its type (atomically, inside the caller's transaction). */
export async function makePrimary(tx: Tx, linkId: string, type: string): Promise<void> {
  await tx.link.updateMany({ where: { type, primary: true, id: { not: linkId } }, data: { primary: false, version: { increment: 1 } } });
  await tx.link.update({ where: { id: linkId }, data: { primary: true } });
}

/** After a link left a type (deleted or retyped): the oldest remaining link of that type becomes primary. */
export async function promoteNextPrimary(tx: Tx, type: string): Promise<void> {
  if (await tx.link.count({ where: { type, primary: true } })) return;
  const next = await tx.link.findFirst({ where: { type }, orderBy: { createdAt: "asc" } });
  if (next) await tx.link.update({ where: { id: next.id }, data: { primary: true, version: { increment: 1 } } });
}
