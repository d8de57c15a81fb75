import { z } from "zod";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { generatePassword, hashPassword } from "@/lib/auth/password";
import { auditView, PUBLIC_USER_SELECT, toPublicUser, type PublicUser } from "@/lib/users/public-user";
import { displayNameSchema, emailSchema, passwordSchema, roleSchema, usernameSchema } from "@/lib/validation/fields";

export const createUserSchema = z.object({
  username: usernameSchema,
  email: emailSchema,
  displayName: displayNameSchema.optional(),
  role: roleSchema.default("USER"),
  /** Empty or absent: a password is generated and returned once. */
  password: z.union([z.literal(""), passwordSchema]).optional(),
});
export type CreateUserInput = z.input<typeof createUserSchema>;

/**
 * Creates a user (usernames and emails are case-insensitive and stored in lower case). Returns the
 * generated password when none was given; it is never stored or shown again.
 */
export async function createUser(
  db: Db,
  actor: Actor,
  input: CreateUserInput,
): Promise<{ user: PublicUser; generatedPassword?: string }> {
  const parsed = createUserSchema.parse(input);
  const username = parsed.username.toLowerCase();
  const email = parsed.email.toLowerCase();
  const generatedPassword = parsed.password ? undefined : generatePassword();
  const passwordHash = await hashPassword(parsed.password || generatedPassword!);

  const user = await db.$transaction(async (tx) => {
    const clash = await tx.user.findFirst({ where: { OR: [{ username }, { email }] }, select: { username: true, email: true } });
    if (clash) {
      const field = clash.username === username ? "username" : "email";
      throw new AppError("conflict", `A user with this ${field} already exists.`, {
        fields: { [field]: `A user with this ${field} already exists.` },
      });
    }
    const created = toPublicUser(
      await tx.user.create({
        data: { username, email, displayName: parsed.displayName || username, role: parsed.role, passwordHash },
        select: PUBLIC_USER_SELECT,
      }),
    );
    await recordAudit(tx, actor, {
      action: "user.create",
      targetType: "user",
      targetId: created.id,
      targetLabel: created.username,
      after: auditView(created),
    });
    return created;
  });
  return { user, generatedPassword };
}
