import type { Env } from "@/lib/env/paths";
import type { Db } from "@/lib/db";
import { createUser } from "@/lib/users/create-user";

export interface FirstAdminResult {
  created: boolean;
  username?: string;
  generatedPassword?: string;
}

/**
 * On a database with no users, creates the first administrator from `ADMIN_USERNAME`,
 * `ADMIN_EMAIL` and `ADMIN_PASSWORD` (a password is generated when the last is unset). On any
 * other database it does nothing, so a second start changes nothing, and of two instances starting
 * at once on an empty database one creates them and the other finds them.
 */
export async function ensureFirstAdmin(db: Db, env: Env = process.env): Promise<FirstAdminResult> {
  if ((await db.user.count()) > 0) return { created: false };
  const username = env.ADMIN_USERNAME?.trim() || "admin";
  try {
    const { user, generatedPassword } = await createUser(
      db,
      { id: null, username: "system", via: "system" },
      {
        username,
        email: env.ADMIN_EMAIL?.trim() || `${username}@localhost.localdomain`,
        displayName: "Administrator",
        role: "ADMIN",
        password: env.ADMIN_PASSWORD ?? "",
      },
    );
    return { created: true, username: user.username, generatedPassword };
  } catch (error) {
    // Another instance starting at the same moment created them first: nothing left to do here.
    if (await db.user.findUnique({ where: { username: username.toLowerCase() }, select: { id: true } })) return { created: false };
    throw error;
  }
}
