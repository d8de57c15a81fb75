import { z } from "zod";
import type { Db, Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { clearUserFailures } from "@/lib/auth/throttle";
import { generatePassword, hashPassword, verifyPassword } from "@/lib/auth/password";
import { findUserOrThrow } from "@/lib/users/find-user";
import { assertAnotherActiveAdmin } from "@/lib/users/last-admin";
import { auditView, PUBLIC_USER_SELECT, toPublicUser, type PublicUser } from "@/lib/users/public-user";
import { passwordSchema, roleSchema, type Role } from "@/lib/validation/fields";

/** PATCH /api/v1/users/{username}: a role, enabled or disabled, or both. */
export const patchUserSchema = z
  .object({ role: roleSchema.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((v) => v.role !== undefined || v.disabled !== undefined, "Send role and/or disabled.");

/** Disables (ending every session and token use at once) or re-enables a user. */
export async function setUserDisabled(db: Db, actor: Actor, username: string, disabled: boolean): Promise<PublicUser> {
  return db.$transaction(async (tx) => {
    const before = await findUserOrThrow(tx, username);
    if (before.disabled === disabled) return before;
    if (disabled && before.role === "ADMIN") await assertAnotherActiveAdmin(tx, before.id, before.username);
    return changeUser(tx, actor, before, disabled ? "user.disable" : "user.enable", { disabled, ...(disabled ? { sessionsValidAfter: new Date() } : {}) });
  });
}

/** The audited tail of every change to a user: written, then recorded with its before and after. */
async function changeUser(tx: Tx, actor: Actor, before: PublicUser, action: string, data: Prisma.UserUpdateInput): Promise<PublicUser> {
  const after = toPublicUser(await tx.user.update({ where: { id: before.id }, data, select: PUBLIC_USER_SELECT }));
  await recordAudit(tx, actor, { action, targetType: "user", targetId: after.id, targetLabel: after.username, before: auditView(before), after: auditView(after) });
  return after;
}

/** Changes a user's role; the last active administrator cannot be demoted. */
export async function setUserRole(db: Db, actor: Actor, username: string, role: Role): Promise<PublicUser> {
  return db.$transaction(async (tx) => {
    const before = await findUserOrThrow(tx, username);
    if (before.role === role) return before;
    if (before.role === "ADMIN" && !before.disabled) await assertAnotherActiveAdmin(tx, before.id, before.username);
    return changeUser(tx, actor, before, "user.role", { role });
  });
}

/**
 * Sets a new password (generated when none is given, returned once), signs the user out everywhere
 * and forgives their failed sign-ins.
 */
export async function resetPassword(
  db: Db,
  actor: Actor,
  username: string,
  newPassword?: string,
): Promise<{ user: PublicUser; password: string }> {
  if (newPassword) {
    const checked = passwordSchema.safeParse(newPassword);
    if (!checked.success) {
      throw new AppError("validation_failed", checked.error.issues[0]!.message, { fields: { password: checked.error.issues[0]!.message } });
    }
  }
  const password = newPassword || generatePassword();
  const passwordHash = await hashPassword(password);
  const user = await db.$transaction(async (tx) => {
    const target = await findUserOrThrow(tx, username);
    await tx.user.update({ where: { id: target.id }, data: { passwordHash, sessionsValidAfter: new Date() } });
    await recordAudit(tx, actor, {
      action: "user.reset-password",
      targetType: "user",
      targetId: target.id,
      targetLabel: target.username,
    });
    return target;
  });
  await clearUserFailures(db, user.username);
  return { user, password };
}

/** A signed-in user changes their own password, proving the current one. */
export async function changeOwnPassword(
  db: Db,
  actor: Actor & { id: string },
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  const row = await db.user.findUnique({ where: { id: actor.id }, select: { username: true, passwordHash: true } });
  if (!row || !(await verifyPassword(currentPassword, row.passwordHash))) {
    throw new AppError("validation_failed", "The current password is not right.", {
      fields: { currentPassword: "The current password is not right." },
    });
  }
  if (currentPassword === newPassword) {
    throw new AppError("validation_failed", "Choose a password different from the current one.", {
      fields: { newPassword: "Choose a password different from the current one." },
    });
  }
  await resetPassword(db, actor, row.username, newPassword);
}
