import type { Db, Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { PUBLIC_USER_SELECT, toPublicUser, type PublicUser } from "@/lib/users/public-user";

export async function findUserOrThrow(client: Db | Tx, username: string): Promise<PublicUser> {
  const row = await client.user.findUnique({ where: { username: username.trim().toLowerCase() }, select: PUBLIC_USER_SELECT });
  if (!row) throw new AppError("not_found", `No user named "${username}".`);
  return toPublicUser(row);
}

export async function listUsers(db: Db): Promise<PublicUser[]> {
  const rows = await db.user.findMany({ select: PUBLIC_USER_SELECT, orderBy: { username: "asc" } });
  return rows.map(toPublicUser);
}
