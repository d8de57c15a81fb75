import type { Db } from "@/lib/db";
import type { UserRow } from "@/lib/db/cached-reads";
import { DUMMY_HASH, verifyPassword } from "@/lib/auth/password";
import { checkThrottle, recordFailure, recordSuccess } from "@/lib/auth/throttle";
import { log } from "@/lib/log";

export const SIGN_IN_MESSAGES = {
  invalid: "Invalid username or password.",
  disabled: "This account is disabled. Ask an administrator to enable it.",
} as const;

export function throttledMessage(retryAfterSeconds: number): string {
  if (retryAfterSeconds < 60) return `Too many failed sign-in attempts. Try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? "" : "s"}.`;
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

export class SignInError extends Error {
  constructor(
    readonly code: "invalid" | "disabled" | "throttled",
    message: string,
  ) {
    super(message);
    this.name = "SignInError";
  }
}

export type SignedInUser = Pick<UserRow, "id" | "username" | "email" | "displayName" | "role">;

/**
 * Checks a username and password. Messages never tell whether a username exists: an unknown name
 * costs the same scrypt work and gets the same answer as a wrong password. Throttled attempts are
 * refused before any check (lib/auth/throttle.ts has the policy).
 */
export async function signInWithPassword(
  db: Db,
  input: { username: string; password: string; ip: string },
): Promise<SignedInUser> {
  // A NUL can be in no username (and PostgreSQL stores none): it is kept out of the lookups and the throttle keys.
  const username = input.username.trim().toLowerCase().replaceAll("\0", "\uFFFD");
  const keys = { username, ip: input.ip };
  const verdict = await checkThrottle(db, keys);
  if (verdict.blocked) {
    log.warn({ username, ip: input.ip }, "sign-in throttled");
    throw new SignInError("throttled", throttledMessage(verdict.retryAfterSeconds));
  }
  const row = username
    ? await db.user.findUnique({
        where: { username },
        select: { id: true, username: true, email: true, displayName: true, role: true, disabled: true, passwordHash: true },
      })
    : null;
  const ok = await verifyPassword(input.password, row?.passwordHash ?? DUMMY_HASH);
  if (!row || !ok) {
    await recordFailure(db, keys);
    log.info({ username, ip: input.ip }, "sign-in failed");
    throw new SignInError("invalid", SIGN_IN_MESSAGES.invalid);
  }
  if (row.disabled) throw new SignInError("disabled", SIGN_IN_MESSAGES.disabled);
  await recordSuccess(db, keys);
  log.info({ username, ip: input.ip }, "signed in");
  return { id: row.id, username: row.username, email: row.email, displayName: row.displayName, role: row.role };
}
