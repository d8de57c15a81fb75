"use server";

import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/lib/db";
import { defineAction } from "@/lib/actions/define-action";
import { changeOwnPassword } from "@/lib/users/update-user";
import { rotateAppKeyPair } from "@/lib/identity/rotate-key";
import { passwordSchema } from "@/lib/validation/fields";
import { THEME_COOKIE, THEMES } from "@/lib/ui/theme";

const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password."),
    newPassword: passwordSchema,
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ["confirmPassword"], message: "The two new passwords differ." });

// Change the caller's own password (signs out their other sessions).
export const changePasswordAction = defineAction("user", changePasswordSchema, async (input, caller) => {
  await changeOwnPassword(db, caller, input.currentPassword, input.newPassword);
  return { ok: true, message: "Password changed. Sign in again with the new password." };
});

// Choose the light, dark or system theme (a cookie; nothing stored server-side).
export const setThemeAction = defineAction("user", z.object({ theme: z.enum(THEMES) }), async ({ theme }) => {
  (await cookies()).set(THEME_COOKIE, theme, { httpOnly: true, sameSite: "lax", path: "/", maxAge: 365 * 86_400 });
  revalidatePath("/", "layout");
  return { ok: true, message: `Theme: ${theme}.` };
});

// Replace this app's key pair (confirmed in the UI); answers which remote admins must paste the new public key.
export const rotateKeyAction = defineAction(
  "admin",
  z.object({ bits: z.enum(["2048", "3072", "4096"]).transform(Number), confirm: z.literal("on", { error: "Tick the box to confirm." }) }),
  async ({ bits }, caller) => {
    const { identity, affected } = await rotateAppKeyPair(db, caller, bits as 2048 | 3072 | 4096);
    revalidatePath("/settings");
    const who = affected.length ? `Ask the admins of ${affected.map((l) => `${l.name} (${l.displayUrl})`).join(", ")} to paste the new public key for consumer ${identity.consumerKey}.` : "No link signs with it yet.";
    return { ok: true, message: `New key pair ${identity.fingerprint}. ${who}` };
  },
);
