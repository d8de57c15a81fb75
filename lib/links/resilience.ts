import { AppError } from "@/lib/errors";

type Env = Record<string, string | undefined>;

export interface RetryPolicy {
  /** Waits before each retry; its length is the number of retries (default 2 s, 4 s, 8 s). */
  delaysMs: number[];
  /** A Retry-After longer than this is capped (default 30 s). */
  maxRetryAfterMs: number;
  /** POST is retried only when the caller says it is safe. */
  retryPost: boolean;
  /** ± this fraction of random jitter on each wait (default 0.2). */
  jitter: number;
  sleep: (ms: number) => Promise<void>;
}

export function retryPolicy(overrides: Partial<RetryPolicy> = {}, env: Env = process.env): RetryPolicy {
  const fromEnv = env.PROXY_RETRY_DELAYS_MS?.split(",").map((s) => Number(s.trim()));
  const delaysMs = fromEnv && fromEnv.every((n) => Number.isFinite(n) && n >= 0) ? fromEnv : [2000, 4000, 8000];
  return {
    delaysMs,
    maxRetryAfterMs: 30_000,
    retryPost: false,
    jitter: 0.2,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...overrides,
  };
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

export function isRetryableMethod(method: string, policy: RetryPolicy): boolean {
  return IDEMPOTENT.has(method.toUpperCase()) || (policy.retryPost && method.toUpperCase() === "POST");
}

export function isRetryableStatus(status: number): boolean {
  return RETRY_STATUSES.has(status);
}

/** Connection resets are worth one more try; refusals, unknown hosts and TLS failures are not. */
export function isRetryableError(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code;
  return code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE";
}

/** How long to wait before retry `attempt` (0-based): Retry-After (seconds or a date) when given, capped, else the policy's delay with jitter. */
export function retryDelay(attempt: number, policy: RetryPolicy, retryAfter?: string | null, now = Date.now()): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - now;
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, policy.maxRetryAfterMs);
  }
  const base = policy.delaysMs[attempt] ?? 0;
  return Math.max(0, Math.round(base * (1 + (Math.random() * 2 - 1) * policy.jitter)));
}

/**
 * A per-key concurrency cap with a bounded queue: at most `max` requests in flight per link, at
 * most `queue` waiting; beyond that, 503 at once rather than an unbounded pile-up.
 */
export class ConcurrencyLimiter {
  private readonly lanes = new Map<string, { active: number; waiting: Array<() => void> }>();

  constructor(
    readonly max: number,
    readonly queue: number,
  ) {}

  async run<T>(key: string, label: string, task: () => Promise<T>): Promise<T> {
    const lane = this.lanes.get(key) ?? { active: 0, waiting: [] };
    this.lanes.set(key, lane);
    if (lane.active >= this.max) {
      if (lane.waiting.length >= this.queue) {
        throw new AppError("unavailable", `${label} already has ${lane.active} requests in flight and ${lane.waiting.length} waiting; try again shortly.`);
      }
      // The finishing request hands its slot over (active stays the same), so a newcomer arriving
      // between the hand-over and this waiter's wake-up cannot push the lane past the cap.
      await new Promise<void>((resolve) => lane.waiting.push(resolve));
    } else {
      lane.active++;
    }
    try {
      return await task();
    } finally {
      const next = lane.waiting.shift();
      if (next) next();
      else if (--lane.active === 0) this.lanes.delete(key);
    }
  }
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The process-wide limiter for links: PROXY_MAX_CONCURRENCY (10) in flight, PROXY_MAX_QUEUE (100) waiting. */
export const linkLimiter = new ConcurrencyLimiter(positive(process.env.PROXY_MAX_CONCURRENCY, 10), positive(process.env.PROXY_MAX_QUEUE, 100));
