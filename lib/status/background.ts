import type { Db } from "@/lib/db";
import { log } from "@/lib/log";
import { checkLinkNow } from "@/lib/status/store";

export { backgroundOptions, type BackgroundOptions } from "@/lib/status/check-schedule";
import type { BackgroundOptions } from "@/lib/status/check-schedule";
import { backgroundOptions } from "@/lib/status/check-schedule";

/** 0.9–1.1, fixed per link: spreads links created together over time instead of checking them in bursts. */
function jitter(linkId: string): number {
  let h = 0;
  for (let i = 0; i < linkId.length; i++) h = (h * 31 + linkId.charCodeAt(i)) >>> 0;
  return 0.9 + (h % 1000) / 5000;
}

/**
 * Keeps every enabled link's diagnosis fresh: each tick picks the links never checked, those whose
 * diagnosis is older than the interval (jittered per link), those whose stored next check is due (a
 * failed check or request: 30 s on, backing off), and those a request met a problem on since their
 * last check, and checks them with at most `concurrency` at once. A slow or hanging
 * remote holds one slot for at most its checks' time limits, never the others; a link already
 * being checked is not started twice; starts are paced (see `minRatePerSecond`). Ticks find
 * nothing to do while `mayRun` says no (another instance holds the background lease). Returns a
 * stop function.
 */
export function startBackgroundChecks(db: Db, options: BackgroundOptions = backgroundOptions(), mayRun: () => boolean = () => true): () => void {
  if (options.intervalMs <= 0) return () => undefined;
  const running = new Set<string>();
  let stopped = false;
  let nextStartAt = 0;

  const tick = async () => {
    const free = options.concurrency - running.size;
    // Another instance on the same database does this work (lib/background).
    if (stopped || free <= 0 || !mayRun()) return;
    const now = Date.now();
    const candidates = await db.link.findMany({
      where: { disabled: false, id: { notIn: [...running] } },
      select: { id: true, lastProblemAt: true, status: { select: { checkedAt: true, nextCheckAt: true } } },
      orderBy: { createdAt: "asc" },
    });
    const due = candidates
      .filter((l) => {
        const checkedAt = l.status?.checkedAt?.getTime();
        if (checkedAt === undefined) return true;
        // A failed check or request set the next one early (backing off): due then, whatever the interval.
        const next = l.status?.nextCheckAt?.getTime();
        if (next !== undefined && next <= now) return true;
        if (l.lastProblemAt && l.lastProblemAt.getTime() > checkedAt && now - checkedAt > 30_000) return true;
        return now - checkedAt > options.intervalMs * jitter(l.id);
      })
      .sort((a, b) => (a.status?.checkedAt?.getTime() ?? 0) - (b.status?.checkedAt?.getTime() ?? 0))
      .slice(0, free);
    // All enabled links fit in half the interval, at the minimum rate or more.
    const rate = Math.max(options.minRatePerSecond ?? 2, (candidates.length + running.size) / (options.intervalMs / 2000));
    for (const { id } of due) {
      running.add(id);
      const startAt = Math.max(now, nextStartAt);
      nextStartAt = startAt + 1000 / rate;
      void new Promise((resolve) => setTimeout(resolve, startAt - now).unref())
        .then(() => (stopped ? null : checkLinkNow(db, id, { timeoutMs: options.timeoutMs })))
        .catch((error: unknown) => log.warn({ err: error, linkId: id }, "background link check failed"))
        .finally(() => {
          running.delete(id);
          // A slot came free: look for the next due link now rather than at the next tick.
          if (!stopped) void tick().catch(() => undefined);
        });
    }
  };

  const first = setTimeout(() => void tick().catch((error: unknown) => log.warn({ err: error }, "background link checks")), 2_000 + Math.random() * 3_000);
  const timer = setInterval(() => void tick().catch((error: unknown) => log.warn({ err: error }, "background link checks")), options.tickMs);
  first.unref();
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
  };
}
