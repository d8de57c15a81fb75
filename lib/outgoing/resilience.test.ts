import { describe, expect, it } from "vitest";
import { ConcurrencyLimiter } from "@/lib/outgoing/resilience";

const ticks = (n: number) => Array.from({ length: n }).reduce<Promise<void>>((p) => p.then(() => undefined), Promise.resolve());

describe("ConcurrencyLimiter", () => {
  it("never lets more than `max` run, even when newcomers arrive while a slot is handed over", async () => {
    const limiter = new ConcurrencyLimiter(3, 1000);
    let active = 0;
    let peak = 0;
    const task = (i: number) => async () => {
      active++;
      peak = Math.max(peak, active);
      await ticks(i % 5);
      active--;
      return i;
    };
    // Each completion starts a newcomer in the same microtask turn as the hand-over to a waiter.
    const started: Promise<number>[] = [];
    const launch = (i: number): Promise<number> => {
      const p = limiter.run("link", "link", task(i)).then((v) => {
        if (i < 200) started.push(launch(i + 1000));
        return v;
      });
      return p;
    };
    for (let i = 0; i < 50; i++) started.push(launch(i));
    while (started.length) await started.shift();
    expect(peak).toBe(3);
  });

  it("refuses at once when the queue is full, and forgets idle lanes", async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    let release!: () => void;
    const first = limiter.run("a", '"A"', () => new Promise<void>((r) => (release = r)));
    const second = limiter.run("a", '"A"', async () => "second");
    await expect(limiter.run("a", '"A"', async () => "third")).rejects.toMatchObject({ status: 503, message: expect.stringContaining('"A" already has 1 requests in flight and 1 waiting') });
    await expect(limiter.run("b", '"B"', async () => "other link")).resolves.toBe("other link");
    release();
    await first;
    await expect(second).resolves.toBe("second");
    expect((limiter as unknown as { lanes: Map<string, unknown> }).lanes.size).toBe(0);
  });
});

describe("ConcurrencyLimiter fairness and bounded waits (issue 10, finding 2)", () => {
  const hold = () => {
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    return { task: () => done, release };
  };

  it("gives one caller at most its share of a link's slots; another caller still gets one", async () => {
    const limiter = new ConcurrencyLimiter(4, 100, 2);
    const held = hold();
    const started: string[] = [];
    const run = (owner: string, name: string) => limiter.run("link", '"L"', async () => (started.push(name), held.task()), { owner });
    const storm = Array.from({ length: 10 }, (_, i) => run("mallory", `m${i}`));
    await ticks(3);
    expect(started).toEqual(["m0", "m1"]);
    const alice = run("alice", "a0");
    await ticks(3);
    expect(started).toEqual(["m0", "m1", "a0"]);
    held.release();
    await Promise.all([...storm, alice]);
    expect(started).toHaveLength(11);
  });

  it("a waiter gives up after maxWaitMs with 503, and the lane is free again", async () => {
    const limiter = new ConcurrencyLimiter(1, 10);
    const held = hold();
    const first = limiter.run("link", '"L"', held.task);
    const t0 = Date.now();
    await expect(limiter.run("link", '"L"', async () => "never", { maxWaitMs: 150 })).rejects.toMatchObject({ status: 503, message: expect.stringContaining('"L" had no free slot within 0.2 s') });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    held.release();
    await first;
    await expect(limiter.run("link", '"L"', async () => "next")).resolves.toBe("next");
    expect((limiter as unknown as { lanes: Map<string, unknown> }).lanes.size).toBe(0);
  });

  it("a waiter whose caller went away leaves the queue at once and never runs", async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const held = hold();
    const first = limiter.run("link", '"L"', held.task);
    const gone = new AbortController();
    let ran = false;
    const waiting = limiter.run("link", '"L"', async () => void (ran = true), { signal: gone.signal });
    await expect(limiter.run("link", '"L"', async () => "refused")).rejects.toMatchObject({ status: 503 });
    gone.abort();
    await expect(waiting).rejects.toMatchObject({ code: "cancelled" });
    // Its place in the queue is free again.
    const other = limiter.run("link", '"L"', async () => "other");
    held.release();
    await first;
    await expect(other).resolves.toBe("other");
    expect(ran).toBe(false);
    // Already gone before asking: refused without queueing.
    await expect(limiter.run("link", '"L"', async () => "x", { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "cancelled" });
  });
});
