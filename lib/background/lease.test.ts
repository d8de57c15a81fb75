import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { acquireLease, releaseLease } from "@/lib/background/lease";
import { BACKGROUND_LEASE, startBackgroundWork } from "@/lib/background";

const holderOf = async (name: string) => (await db.lease.findUnique({ where: { name } }))?.holder ?? null;

describe("leases: work that runs on one instance at a time", () => {
  it("one holder at a time; renewed by its holder; taken over only once expired; given up on release", async () => {
    const t = Date.now();
    expect(await acquireLease(db, "job", "a", 10_000, t)).toBe(true);
    expect(await acquireLease(db, "job", "b", 10_000, t + 1_000)).toBe(false);
    expect(await acquireLease(db, "job", "a", 10_000, t + 9_000)).toBe(true);
    // a renewed at t+9s until t+19s: b still waits at t+18s, takes it at t+20s.
    expect(await acquireLease(db, "job", "b", 10_000, t + 18_000)).toBe(false);
    expect(await acquireLease(db, "job", "b", 10_000, t + 20_000)).toBe(true);
    expect(await acquireLease(db, "job", "a", 10_000, t + 21_000)).toBe(false);
    await releaseLease(db, "job", "a");
    expect(await holderOf("job")).toBe("b");
    await releaseLease(db, "job", "b");
    expect(await acquireLease(db, "job", "a", 10_000, t + 22_000)).toBe(true);
  });

  it("of many instances racing for a new or an expired lease, exactly one gets it", async () => {
    const holders = Array.from({ length: 12 }, (_, i) => `racer-${i}`);
    const first = await Promise.all(holders.map((h) => acquireLease(db, "race", h, 5_000)));
    expect(first.filter(Boolean)).toHaveLength(1);
    const later = Date.now() + 6_000;
    const second = await Promise.all(holders.map((h) => acquireLease(db, "race", h, 5_000, later)));
    expect(second.filter(Boolean)).toHaveLength(1);
  });

  it("background work: one of two instances runs it; a graceful stop hands it over at once, a dead holder once its lease expires", async () => {
    // A lease of a minute, renewed every 100 ms: a hand-over within the 10 s ceilings below can only
    // be the graceful release (an expiry would take 60 s), however slow a loaded machine is.
    const fast = { leaseMs: 60_000, renewMs: 100, purgeEveryMs: 100 };
    const ceiling = { timeout: 10_000, interval: 50 };
    const stopA = startBackgroundWork(db, { ...fast, holder: "instance-a" });
    await expect.poll(() => holderOf(BACKGROUND_LEASE), ceiling).toBe("instance-a");
    const stopB = startBackgroundWork(db, { ...fast, holder: "instance-b" });
    // The holder purges old nonces; B, waiting, holds nothing.
    await db.oAuthNonce.create({ data: { consumerKey: "bg", nonce: "old", timestamp: Math.floor(Date.now() / 1000) - 3600 } });
    await expect.poll(() => db.oAuthNonce.count({ where: { consumerKey: "bg" } }), ceiling).toBe(0);
    expect(await holderOf(BACKGROUND_LEASE)).toBe("instance-a");
    await stopA();
    await expect.poll(() => holderOf(BACKGROUND_LEASE), ceiling).toBe("instance-b");
    // B dies without a word (kill -9: its timers stop, its lease row stays until it expires). C
    // takes over only once the lease has expired.
    await stopB();
    const died = Date.now();
    await db.lease.create({ data: { name: BACKGROUND_LEASE, holder: "instance-b", expiresAt: new Date(died + 1_000) } });
    const stopC = startBackgroundWork(db, { ...fast, holder: "instance-c" });
    await expect.poll(() => holderOf(BACKGROUND_LEASE), ceiling).toBe("instance-c");
    // Not before the dead holder's lease expired (a lower bound: a slow machine only makes it later).
    expect(Date.now() - died).toBeGreaterThanOrEqual(950);
    await stopC();
  });
});
