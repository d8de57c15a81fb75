import { AppError } from "@/lib/errors";
import { integerSetting } from "@/lib/env/integer-setting";

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

/** How one request waits for a slot of a link. */
export interface SlotRequest {
  /** Who is asking (a person's id, or "server"): nobody holds more than `perOwner` slots of a lane. */
  owner?: string;
  /** Leave the queue (or never join it) when the caller goes away. */
  signal?: AbortSignal;
  /** The longest wait for a slot before 503 (default: no limit). */
  maxWaitMs?: number;
}

interface Waiter {
  owner: string;
  admit: () => void;
}

interface Lane {
  active: number;
  byOwner: Map<string, number>;
  waiting: Waiter[];
}

/** The error a request gets when its caller went away before it finished (nobody reads it). */
export function cancelled(): AppError {
  return new AppError("cancelled", "The caller went away; the request was dropped.");
}

/**
 * A per-key concurrency cap with a bounded, fair queue: at most `max` requests in flight per link
 * and `perOwner` of them for any one caller; at most `queue` waiting (`ceil(queue / 2)` per
 * caller); a waiter leaves after `maxWaitMs` (503) or when its caller goes away. Beyond that, 503
 * at once: one caller's storm cannot hold a link for longer than one wait.
 */
export class ConcurrencyLimiter {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    readonly max: number,
    readonly queue: number,
    readonly perOwner: number = max,
  ) {}

  async run<T>(key: string, label: string, task: () => Promise<T>, request: SlotRequest = {}): Promise<T> {
    const owner = request.owner ?? "";
    if (request.signal?.aborted) throw cancelled();
    const lane = this.lanes.get(key) ?? { active: 0, byOwner: new Map(), waiting: [] };
    this.lanes.set(key, lane);
    if (this.admits(lane, owner)) this.take(lane, owner);
    else await this.wait(key, lane, label, owner, request);
    try {
      return await task();
    } finally {
      this.release(key, lane, owner);
    }
  }

  /** What a link's lane holds now: requests in flight and waiting (both 0 for a lane not in use). */
  occupancy(key: string): { active: number; waiting: number } {
    const lane = this.lanes.get(key);
    return { active: lane?.active ?? 0, waiting: lane?.waiting.length ?? 0 };
  }

  private admits(lane: Lane, owner: string): boolean {
    return lane.active < this.max && (lane.byOwner.get(owner) ?? 0) < this.perOwner;
  }

  private take(lane: Lane, owner: string): void {
    lane.active++;
    lane.byOwner.set(owner, (lane.byOwner.get(owner) ?? 0) + 1);
  }

  private wait(key: string, lane: Lane, label: string, owner: string, request: SlotRequest): Promise<void> {
    const mine = lane.waiting.filter((w) => w.owner === owner).length;
    if (lane.waiting.length >= this.queue || mine >= Math.ceil(this.queue / 2)) {
      this.forgetIfIdle(key, lane);
      throw new AppError("unavailable", `${label} already has ${lane.active} requests in flight and ${lane.waiting.length} waiting${mine ? ` (${mine} of them yours)` : ""}; try again shortly.`);
    }
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const leave = (error: unknown) => {
        const at = lane.waiting.indexOf(waiter);
        if (at !== -1) lane.waiting.splice(at, 1);
        done();
        this.forgetIfIdle(key, lane);
        reject(error);
      };
      const onAbort = () => leave(cancelled());
      const done = () => {
        clearTimeout(timer);
        request.signal?.removeEventListener("abort", onAbort);
      };
      // The slot was taken for this waiter by release() (the hand-over keeps the lane at its cap).
      const waiter: Waiter = { owner, admit: () => (done(), resolve()) };
      lane.waiting.push(waiter);
      request.signal?.addEventListener("abort", onAbort, { once: true });
      if (request.maxWaitMs !== undefined) {
        const seconds = Math.round(request.maxWaitMs / 100) / 10;
        timer = setTimeout(() => leave(new AppError("unavailable", `${label} had no free slot within ${seconds} s (${lane.active} requests in flight); try again shortly.`)), request.maxWaitMs);
      }
    });
  }

  private release(key: string, lane: Lane, owner: string): void {
    lane.active--;
    const left = (lane.byOwner.get(owner) ?? 1) - 1;
    if (left > 0) lane.byOwner.set(owner, left);
    else lane.byOwner.delete(owner);
    // The first waiter whose owner is under its share gets the slot, taken on its behalf now, so a
    // newcomer arriving before the waiter wakes cannot push the lane past the cap.
    const next = lane.waiting.findIndex((w) => this.admits(lane, w.owner));
    if (next !== -1) {
      const [waiter] = lane.waiting.splice(next, 1);
      this.take(lane, waiter!.owner);
      waiter!.admit();
    }
    this.forgetIfIdle(key, lane);
  }

  private forgetIfIdle(key: string, lane: Lane): void {
    if (lane.active === 0 && lane.waiting.length === 0) this.lanes.delete(key);
  }
}

/** The limiter's settings: PROXY_MAX_CONCURRENCY (10) in flight per link, PROXY_MAX_QUEUE (100) waiting, PROXY_MAX_PER_CALLER (half the slots) for one caller. */
export function limiterSettings(env: Env = process.env): { max: number; queue: number; perCaller: number } {
  const max = integerSetting(env.PROXY_MAX_CONCURRENCY, 10);
  return { max, queue: integerSetting(env.PROXY_MAX_QUEUE, 100), perCaller: Math.min(max, integerSetting(env.PROXY_MAX_PER_CALLER, Math.ceil(max / 2))) };
}

/**
 * The process-wide limiter for links (see limiterSettings): one per process on globalThis, because
 * Next.js bundles this module more than once (the direct proxy's copy and the route handlers' and
 * server actions'), and a link's slots must be counted once, whichever path a request takes.
 */
export const linkLimiter: ConcurrencyLimiter = ((globalThis as { applinkLinkLimiter?: ConcurrencyLimiter }).applinkLinkLimiter ??= (() => {
  const settings = limiterSettings();
  return new ConcurrencyLimiter(settings.max, settings.queue, settings.perCaller);
})());
