"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/lib/db";
import { defineAction } from "@/lib/actions/define-action";
import { createApiToken, revokeApiToken } from "@/lib/tokens/api-tokens";
import { tokenNameSchema } from "@/lib/validation/fields";

// Create a personal API token for the caller; the token is in the result only.
export const createTokenAction = defineAction("user", z.object({ name: tokenNameSchema }), async ({ name }, caller) => {
  const { token, view } = await createApiToken(db, caller, caller, name);
  revalidatePath("/tokens");
  return { ok: true, message: `Created token "${view.name}".`, data: { token, name: view.name, id: view.id } };
});

// Revoke one of the caller's own tokens.
export const revokeTokenAction = defineAction("user", z.object({ id: z.string().min(1).max(64) }), async ({ id }, caller) => {
  const view = await revokeApiToken(db, caller, caller.id, id);
  revalidatePath("/tokens");
  return { ok: true, message: `Revoked "${view.name}".` };
});
