import { describe, expect, it } from "vitest";
import { ConcurrencyLimiter } from "@/lib/links/resilience";

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
