import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";

/**
 * Refuses a change that would leave no active administrator. Runs inside the transaction that makes
 * the change, so two admins demoting each other at once cannot both succeed (SQLite serialises
 * writers; on PostgreSQL the transaction must be SERIALIZABLE).
 */
export async function assertAnotherActiveAdmin(tx: Tx, excludingUserId: string, username: string): Promise<void> {
  const others = await tx.user.count({ where: { role: "ADMIN", disabled: false, id: { not: excludingUserId } } });
  if (others === 0) {
    throw new AppError(
      "last_admin",
      `${username} is the last active administrator. Make another user an administrator first.`,
    );
  }
}
