import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { createUser, createUserSchema } from "@/lib/users/create-user";
import { listUsers } from "@/lib/users/find-user";

// GET /api/v1/users – every user (admins only)
export const GET = withCaller("admin", async () => Response.json({ users: await listUsers(db) }));

// POST /api/v1/users – create a user; a generated password is returned once
export const POST = withCaller("admin", async ({ req, caller }) => {
  const input = await readJson(req, createUserSchema);
  const { user, generatedPassword } = await createUser(db, caller, input);
  return Response.json({ user, ...(generatedPassword ? { generatedPassword } : {}) }, { status: 201 });
});
