"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/lib/db";
import { defineAction } from "@/lib/actions/define-action";
import { createUser, createUserSchema } from "@/lib/users/create-user";
import { resetPassword, setUserDisabled, setUserRole } from "@/lib/users/update-user";
import { roleSchema, usernameSchema } from "@/lib/validation/fields";

// Create a user; a generated password is shown once in the result.
export const createUserAction = defineAction("admin", createUserSchema, async (input, caller) => {
  const { user, generatedPassword } = await createUser(db, caller, input);
  revalidatePath("/users");
  return { ok: true, message: `Created ${user.username}.`, data: { username: user.username, generatedPassword } };
});

// Disable (signing the user out everywhere) or enable a user.
export const setUserDisabledAction = defineAction(
  "admin",
  z.object({ username: usernameSchema, disabled: z.enum(["true", "false"]).transform((v) => v === "true") }),
  async ({ username, disabled }, caller) => {
    const user = await setUserDisabled(db, caller, username, disabled);
    revalidatePath("/users");
    return { ok: true, message: `${user.username} is ${user.disabled ? "disabled" : "enabled"}.` };
  },
);

// Make a user an administrator, or an ordinary user.
export const setUserRoleAction = defineAction("admin", z.object({ username: usernameSchema, role: roleSchema }), async ({ username, role }, caller) => {
  const user = await setUserRole(db, caller, username, role);
  revalidatePath("/users");
  return { ok: true, message: `${user.username} is now ${user.role === "ADMIN" ? "an administrator" : "a user"}.` };
});

// Reset a user's password to a generated one, shown once.
export const resetPasswordAction = defineAction("admin", z.object({ username: usernameSchema }), async ({ username }, caller) => {
  const { user, password } = await resetPassword(db, caller, username);
  return { ok: true, message: `New password for ${user.username} (shown once):`, data: { password } };
});
