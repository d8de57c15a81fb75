import type { Role } from "@/lib/validation/fields";
import type { UserRow } from "@/lib/db/cached-reads";

/** What the app shows of a user anywhere: never the password hash. */
export interface PublicUser extends Pick<UserRow, "id" | "username" | "email" | "displayName" | "disabled"> {
  role: Role;
  createdAt: Date;
}

export const PUBLIC_USER_SELECT = {
  id: true,
  username: true,
  email: true,
  displayName: true,
  role: true,
  disabled: true,
  createdAt: true,
} as const;

export function toPublicUser(row: { role: string } & Omit<PublicUser, "role">): PublicUser {
  return { ...row, role: row.role === "ADMIN" ? "ADMIN" : "USER" };
}

/** Snapshot for the audit log. */
export function auditView(user: PublicUser) {
  return { username: user.username, email: user.email, displayName: user.displayName, role: user.role, disabled: user.disabled };
}
