import type { Db } from "@/lib/db";
import { log } from "@/lib/log";
import { acquireLease, releaseLease, THIS_PROCESS } from "@/lib/background/lease";
import { startBackgroundChecks } from "@/lib/status/background";
import { purgeNonces } from "@/lib/incoming/nonce-store";
import { timestampWindowSeconds } from "@/lib/incoming/verify-incoming";
import { flushRequestCounts, historyDays, pruneHistory } from "@/lib/history/status-history";
import { pruneNotifications, queueExpiries, runNotifications } from "@/lib/notifications/dispatch";
import { checkKeyProvider } from "@/lib/vault/vault";

export const BACKGROUND_LEASE = "background";
/** How often the holder looks for client certificates and authorizations about to end. */
const EXPIRY_SCAN_MS = 3_600_000;

export interface BackgroundWorkOptions {
  /** How long the lease lasts without a renewal: how soon another instance takes over from a dead one. */
  leaseMs: number;
  /** How often the holder renews it (and another instance tries to take it). */
  renewMs: number;
  purgeEveryMs: number;
  /** How often the holder sends what the notifications' outbox holds. */
  notifyEveryMs: number;
  holder: string;
}

const DEFAULTS: BackgroundWorkOptions = { leaseMs: 45_000, renewMs: 15_000, purgeEveryMs: 60_000, notifyEveryMs: 5_000, holder: THIS_PROCESS };

/**
 * The work no request waits for, run by one instance at a time however many share the database:
 * the nonce purge, the link checks (lib/status/background.ts), the notifications' outbox
 * (lib/notifications: every few seconds, so an alert any instance wrote is sent once), the scan
 * for what ends soon, and the pruning of old link history
 * (every instance, though, adds the proxied requests it counted to the days' rows once a minute). The instance holding the
 * `background` lease does it; every instance tries to take or renew the lease every `renewMs`, so
 * when the holder dies another takes over once the lease has expired (at most `leaseMs` +
 * `renewMs`), and a holder that stops gracefully gives it up at once. Both jobs are idempotent, so
 * the moment two holders could overlap (a holder frozen past its lease) costs a repeated check, no
 * harm. Returns a stop function.
 */
export function startBackgroundWork(db: Db, options: Partial<BackgroundWorkOptions> = {}): () => Promise<void> {
  const settings = { ...DEFAULTS, ...options };
  let held = false;
  let stopped = false;
  let renewing: Promise<void> = Promise.resolve();
  const renew = () => {
    if (stopped) return renewing;
    renewing = (async () => {
      const was = held;
      held = await acquireLease(db, BACKGROUND_LEASE, settings.holder, settings.leaseMs).catch((error: unknown) => {
        log.warn({ err: error }, "background lease: could not renew");
        return false;
      });
      if (held !== was) log.info({ holder: settings.holder }, held ? "background work: this instance runs it" : "background work: another instance runs it");
    })();
    return renewing;
  };
  const purge = async () => {
    // Every instance adds the proxied requests it counted to the days' rows, and asks its HSM
    // (when the master key is in one) whether it still answers; the holder prunes.
    await flushRequestCounts(db);
    await checkKeyProvider();
    if (!held || stopped) return;
    const purged = await purgeNonces(db, timestampWindowSeconds());
    if (purged) log.debug({ purged }, "purged old OAuth nonces");
    const pruned = await pruneHistory(db);
    if (pruned.changes || pruned.checks) log.debug(pruned, "pruned old link history");
    await pruneNotifications(db, historyDays());
    if (Date.now() - expiriesAt >= EXPIRY_SCAN_MS) {
      expiriesAt = Date.now();
      await queueExpiries(db);
    }
  };
  let expiriesAt = 0;
  // The outbox (lib/notifications): sent by the holder only, so an alert any instance wrote goes out once.
  let notifying = false;
  const notify = async () => {
    if (!held || stopped || notifying) return;
    notifying = true;
    try {
      const round = await runNotifications(db);
      if (round.dispatched || round.sent || round.failed) log.info(round, "notifications sent");
    } finally {
      notifying = false;
    }
  };
  void renew();
  const renewTimer = setInterval(() => void renew(), settings.renewMs);
  const purgeTimer = setInterval(() => void purge().catch((error: unknown) => log.warn({ err: error }, "nonce purge failed")), settings.purgeEveryMs);
  const notifyTimer = setInterval(() => void notify().catch((error: unknown) => log.warn({ err: error }, "notifications: a round failed")), settings.notifyEveryMs);
  renewTimer.unref();
  purgeTimer.unref();
  notifyTimer.unref();
  const stopChecks = startBackgroundChecks(db, undefined, () => held && !stopped);
  return async () => {
    stopped = true;
    clearInterval(renewTimer);
    clearInterval(purgeTimer);
    clearInterval(notifyTimer);
    stopChecks();
    await flushRequestCounts(db).catch(() => undefined);
    // A renewal on its way would take the lease again after the release: let it land first.
    await renewing;
    if (held) await releaseLease(db, BACKGROUND_LEASE, settings.holder).catch(() => undefined);
    held = false;
  };
}
