import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { findUserOrThrow } from "@/lib/users/find-user";
import { patchUserSchema, setUserDisabled, setUserRole } from "@/lib/users/update-user";

// GET /api/v1/users/{username} – one user (admins only)
export const GET = withCaller<"admin", { username: string }>("admin", async ({ params }) =>
  Response.json(await findUserOrThrow(db, params.username)),
);

// PATCH /api/v1/users/{username} – change role or disable/enable (the last admin is protected)
// (administration without credentials: an OAuth 2.0 application with ADMIN consented may, see with-caller.ts)
export const PATCH = withCaller<"admin", { username: string }>(
  "admin",
  async ({ req, caller, params }) => {
    const input = await readJson(req, patchUserSchema);
    let user = await findUserOrThrow(db, params.username);
    if (input.role !== undefined) user = await setUserRole(db, caller, user.username, input.role);
    if (input.disabled !== undefined) user = await setUserDisabled(db, caller, user.username, input.disabled);
    return Response.json(user);
  },
  { delegation: "admin" },
);
