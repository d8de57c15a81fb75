import type { Env } from "@/lib/env/paths";
import type { Db } from "@/lib/db";

/** Failed sign-ins allowed per username and per client address within the window. */
export function throttleSettings(env: Env = process.env) {
  const maxFailures = positiveInt(env.SIGNIN_MAX_FAILURES, 5);
  const windowMinutes = positiveInt(env.SIGNIN_WINDOW_MINUTES, 15);
  return { maxFailures, windowMs: windowMinutes * 60_000 };
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export interface ThrottleKeys {
  username: string;
  ip: string;
}

export type ThrottleVerdict = { blocked: false } | { blocked: true; retryAfterSeconds: number };

function scopes(keys: ThrottleKeys) {
  return [
    { scope: "user", key: keys.username.trim().toLowerCase() },
    { scope: "ip", key: keys.ip },
  ];
}

/** Is either key over its limit? Answers how long until the oldest counted failure ages out. */
export async function checkThrottle(db: Db, keys: ThrottleKeys, now = new Date()): Promise<ThrottleVerdict> {
  const { maxFailures, windowMs } = throttleSettings();
  const since = new Date(now.getTime() - windowMs);
  let retryAfterMs = 0;
  for (const { scope, key } of scopes(keys)) {
    const recent = await db.loginFailure.findMany({
      where: { scope, key, createdAt: { gt: since } },
      orderBy: { createdAt: "desc" },
      take: maxFailures,
      select: { createdAt: true },
    });
    if (recent.length >= maxFailures) {
      const oldestCounted = recent[recent.length - 1]!.createdAt.getTime();
      retryAfterMs = Math.max(retryAfterMs, oldestCounted + windowMs - now.getTime());
    }
  }
  return retryAfterMs > 0 ? { blocked: true, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } : { blocked: false };
}

export async function recordFailure(db: Db, keys: ThrottleKeys, now = new Date()): Promise<void> {
  const { windowMs } = throttleSettings();
  await db.$transaction([
    db.loginFailure.createMany({ data: scopes(keys).map((s) => ({ ...s, createdAt: now })) }),
    // Keep the table small: nothing older than the window is ever counted again.
    db.loginFailure.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - windowMs) } } }),
  ]);
}

/** A successful sign-in or a password reset forgives the username's failures (not the address's). */
export async function clearUserFailures(db: Db, username: string): Promise<void> {
  await db.loginFailure.deleteMany({ where: { scope: "user", key: username.trim().toLowerCase() } });
}
