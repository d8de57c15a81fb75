import crypto from "node:crypto";
import os from "node:os";
import type { Db } from "@/lib/db";

/** This process, as a lease holder: host, pid and a random part (a restarted process is a new holder). */
export const THIS_PROCESS = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;

/**
 * Takes or renews the lease `name` for `holder` until `ttlMs` from now, if it is free, expired or
 * already `holder`'s; true when `holder` has it. One conditional UPDATE decides between instances
 * (PostgreSQL re-checks the condition on the row it waited for; SQLite runs writers one at a time),
 * and an INSERT creates the row the first time, the unique name refusing a second.
 */
export async function acquireLease(db: Db, name: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
  const expiresAt = new Date(now + ttlMs);
  const taken = await db.lease.updateMany({ where: { name, OR: [{ holder }, { expiresAt: { lt: new Date(now) } }] }, data: { holder, expiresAt } });
  if (taken.count === 1) return true;
  try {
    await db.lease.create({ data: { name, holder, expiresAt } });
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return false;
    throw error;
  }
}

/** Gives the lease up (a graceful stop), so another instance takes it at once instead of after it expires. */
export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.lease.deleteMany({ where: { name, holder } });
}
