/** When the background checks run (read by the scheduler, and by a failed check for its retry). */
export interface BackgroundOptions {
  /** How old a diagnosis may get (LINK_CHECK_INTERVAL_MINUTES, default 10; 0 turns the checks off). */
  intervalMs: number;
  /** Links checked at once (LINK_CHECK_CONCURRENCY, default 4). */
  concurrency: number;
  /** How often the scheduler looks for due links. */
  tickMs: number;
  /** Per network step of one check. */
  timeoutMs?: number;
  /**
   * The fewest checks started per second when links are due; more when there are many links, so
   * that all of them fit in half the interval. Checks are paced, not burst: 500 links due at once
   * (a first start) are spread out instead of taking CPU from the requests being served.
   */
  minRatePerSecond?: number;
}

export function backgroundOptions(env: Record<string, string | undefined> = process.env): BackgroundOptions {
  const minutes = Number(env.LINK_CHECK_INTERVAL_MINUTES ?? 10);
  const concurrency = Number(env.LINK_CHECK_CONCURRENCY ?? 4);
  return {
    intervalMs: Number.isFinite(minutes) && minutes >= 0 ? minutes * 60_000 : 600_000,
    concurrency: Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64 ? concurrency : 4,
    tickMs: 15_000,
  };
}

