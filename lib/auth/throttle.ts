import type { Env } from "@/lib/env/paths";
import type { Db } from "@/lib/db";
import { integerSetting } from "@/lib/env/integer-setting";

/**
 * Sign-in throttling, as the OWASP authentication cheat sheet advises: a lock per (username,
 * address), progressive delays per username and per address, and a way in for the real person.
 *
 * - **This username from this address**: after SIGNIN_MAX_FAILURES (5) failures within the window
 *   (SIGNIN_WINDOW_MINUTES, 15), locked until the oldest of them leaves the window.
 * - **This username from anywhere**: from the 5th failure on, each further attempt waits 1 s, 2 s,
 *   4 s, … (at most the window) after the latest failure.
 * - **This address, any username**: the same from its 10th failure on (password spraying).
 * - **The real person**: an address they signed in from successfully (within SIGNIN_KNOWN_DAYS, 90)
 *   is not delayed by failures elsewhere, only locked by its own.
 *
 * Measured by `lib/auth/sign-in.test.ts` (an attacker who tries the moment each wait ends): about
 * 42 guesses an hour at one username from any number of addresses, 20 from one address.
 */
export function throttleSettings(env: Env = process.env) {
  const maxFailures = integerSetting(env.SIGNIN_MAX_FAILURES, 5);
  const windowMinutes = integerSetting(env.SIGNIN_WINDOW_MINUTES, 15);
  const knownDays = integerSetting(env.SIGNIN_KNOWN_DAYS, 90);
  return { maxFailures, windowMs: windowMinutes * 60_000, knownMs: knownDays * 86_400_000 };
}

export interface ThrottleKeys {
  username: string;
  ip: string;
}

export type ThrottleVerdict = { blocked: false } | { blocked: true; retryAfterSeconds: number };

type Scope = "user" | "ip" | "pair";

/** Between the username and the address in a pair key: never in an address, and storable in PostgreSQL (NUL is not). */
const PAIR_SEPARATOR = "\n";

function keysOf(keys: ThrottleKeys): Record<Scope, string> {
  const username = keys.username.trim().toLowerCase();
  return { user: username, ip: keys.ip, pair: `${username}${PAIR_SEPARATOR}${keys.ip}` };
}

/** The wait after `beyond` failures past the free ones: 1 s, doubling, at most the window. */
export function progressiveDelayMs(beyond: number, windowMs: number): number {
  return Math.min(1000 * 2 ** Math.min(beyond, 30), windowMs);
}

/** May this attempt be checked now? When not, how long until it may. */
export async function checkThrottle(db: Db, keys: ThrottleKeys, now = new Date()): Promise<ThrottleVerdict> {
  const { maxFailures, windowMs, knownMs } = throttleSettings();
  const since = new Date(now.getTime() - windowMs);
  const key = keysOf(keys);
  const recent = (scope: Scope, take?: number) =>
    db.loginFailure.findMany({ where: { scope, key: key[scope], createdAt: { gt: since } }, orderBy: { createdAt: "desc" }, take, select: { createdAt: true } });
  const waits: number[] = [];

  // The lock: this username from this address.
  const pair = await recent("pair", maxFailures);
  if (pair.length >= maxFailures) waits.push(pair[pair.length - 1]!.createdAt.getTime() + windowMs - now.getTime());

  // The delays: this username from anywhere, this address for any username; not for the real person at home.
  const known = key.user && (await db.signInSource.findUnique({ where: { username_ip: { username: key.user, ip: keys.ip } }, select: { lastSuccessAt: true } }));
  if (!known || known.lastSuccessAt.getTime() < now.getTime() - knownMs) {
    for (const [scope, free] of [["user", maxFailures], ["ip", 2 * maxFailures]] as const) {
      const failures = await recent(scope);
      if (failures.length >= free) waits.push(failures[0]!.createdAt.getTime() + progressiveDelayMs(failures.length - free, windowMs) - now.getTime());
    }
  }
  const retryAfterMs = Math.max(0, ...waits);
  return retryAfterMs > 0 ? { blocked: true, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } : { blocked: false };
}

export async function recordFailure(db: Db, keys: ThrottleKeys, now = new Date()): Promise<void> {
  const { windowMs } = throttleSettings();
  const key = keysOf(keys);
  await db.$transaction([
    db.loginFailure.createMany({ data: (["user", "ip", "pair"] as const).map((scope) => ({ scope, key: key[scope], createdAt: now })) }),
    // Keep the table small: nothing older than the window is ever counted again.
    db.loginFailure.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - windowMs) } } }),
  ]);
}

/**
 * A successful sign-in: the address becomes one the person is known at, and their own failures
 * there are forgiven. The username's failures elsewhere are not: an attacker gains nothing from
 * the real person signing in.
 */
export async function recordSuccess(db: Db, keys: ThrottleKeys, now = new Date()): Promise<void> {
  const key = keysOf(keys);
  const { knownMs } = throttleSettings();
  await db.$transaction([
    db.signInSource.upsert({ where: { username_ip: { username: key.user, ip: keys.ip } }, create: { username: key.user, ip: keys.ip, lastSuccessAt: now }, update: { lastSuccessAt: now } }),
    db.loginFailure.deleteMany({ where: { scope: "pair", key: key.pair } }),
    db.signInSource.deleteMany({ where: { lastSuccessAt: { lt: new Date(now.getTime() - knownMs) } } }),
  ]);
}

/** A password reset by an administrator forgives every failure of the username. */
export async function clearUserFailures(db: Db, username: string): Promise<void> {
  const user = username.trim().toLowerCase();
  await db.loginFailure.deleteMany({ where: { OR: [{ scope: "user", key: user }, { scope: "pair", key: { startsWith: `${user}${PAIR_SEPARATOR}` } }] } });
}
