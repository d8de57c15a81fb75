import { encode } from "next-auth/jwt";
import { db } from "@/lib/db";
import type { Actor } from "@/lib/audit/record";
import { createUser } from "@/lib/users/create-user";
import { sessionCookieName } from "@/lib/auth/session-cookie";
import { sessionSecret } from "@/lib/env/secret-file";
import type { Role } from "@/lib/validation/fields";

export const SYSTEM: Actor = { id: null, username: "system", via: "system" };
export const PASSWORD = "a long enough password";

let counter = 0;

export async function makeUser(role: Role = "USER", overrides: { username?: string } = {}) {
  counter += 1;
  const username = overrides.username ?? `${role.toLowerCase()}${counter}-${process.pid}`;
  const { user } = await createUser(db, SYSTEM, { username, email: `${username}@example.test`, role, password: PASSWORD });
  return user;
}

/** A real next-auth session cookie for `userId`, as the sign-in would set it. */
export async function sessionCookie(userId: string, authAt = Date.now()): Promise<string> {
  const value = await encode({ token: { uid: userId, authAt }, secret: sessionSecret() });
  return `${sessionCookieName()}=${value}`;
}
