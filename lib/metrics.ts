import client from "prom-client";
import { postgresqlPoolStats } from "@/lib/db/postgresql-pool";

/**
 * The app's Prometheus metrics, on prom-client's default registry: one registry per process,
 * shared by scripts/serve.mjs (HTTP requests, the process's default metrics such as event-loop lag)
 * and the app's modules (prom-client is outside the server bundle: next.config.js). Labels never
 * hold an id a caller chooses: routes are patterns, links are this app's own link ids.
 */
function counter(name: string, help: string, labelNames: string[]) {
  return (client.register.getSingleMetric(name) as client.Counter<string> | undefined) ?? new client.Counter({ name, help, labelNames });
}
function histogram(name: string, help: string, labelNames: string[], buckets: number[]) {
  return (client.register.getSingleMetric(name) as client.Histogram<string> | undefined) ?? new client.Histogram({ name, help, labelNames, buckets });
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Signed requests through a link: outcome (the remote's status class, or the error code) and time to the remote's headers. */
export const proxyRequests = counter("applink_proxy_requests_total", "Requests made through a link, by link and outcome.", ["link", "outcome"]);
export const proxyLatency = histogram("applink_proxy_latency_seconds", "Time from a request through a link to the remote's answer headers, with any wait for one of the link's slots.", ["link"], SECONDS);
/**
 * One request through a link: its outcome, and the time to the remote's headers when it answered.
 * The labelled series are kept per link and outcome, so the hot path does not hash its labels on
 * every request (link ids are this app's own: bounded).
 */
export function observeProxyRequest(linkId: string, outcome: string, seconds?: number): void {
  let series = proxySeries.get(linkId);
  if (!series) {
    if (proxySeries.size > 10_000) proxySeries.clear();
    series = { latency: proxyLatency.labels(linkId), outcomes: new Map() };
    proxySeries.set(linkId, series);
  }
  let outcomeSeries = series.outcomes.get(outcome);
  if (!outcomeSeries) {
    outcomeSeries = proxyRequests.labels(linkId, outcome);
    series.outcomes.set(outcome, outcomeSeries);
  }
  outcomeSeries.inc();
  if (seconds !== undefined) series.latency.observe(seconds);
}
const proxySeries = new Map<string, { latency: client.Histogram.Internal<string>; outcomes: Map<string, client.Counter.Internal> }>();

function gauge(name: string, help: string, labelNames: string[]) {
  return (client.register.getSingleMetric(name) as client.Gauge<string> | undefined) ?? new client.Gauge({ name, help, labelNames });
}

/** Each link's status, read from the database at every scrape (lib/status/link-metrics.ts): 1 for its current status, no series for the others. */
export const linkStatusGauge = gauge("applink_link_status", "A link's current status (1), by link id, name and status; one series per link.", ["link", "name", "status"]);
export const linkStatusChangedGauge = gauge("applink_link_status_changed_timestamp_seconds", "When a link's status last changed (Unix seconds), by link id and name.", ["link", "name"]);
export const linkCertificateExpiryGauge = gauge("applink_link_certificate_expiry_timestamp_seconds", "When a link's client certificate expires (Unix seconds), by link id and name.", ["link", "name"]);

/** Alerts sent to channels (lib/notifications): each attempt, by channel kind and outcome (`sent`, `failed`). */
export const notificationAttempts = counter("applink_notification_attempts_total", "Attempts to send an alert to a channel, by kind (email, webhook) and outcome (sent, failed).", ["kind", "outcome"]);

/** Whether the vault's key provider answered its last call (an HSM: 0 while it is gone), by provider. */
export const keyProviderAvailable = gauge("applink_key_provider_available", "Whether the key provider holding the vault's master key answered its last call (1) or not (0), by provider (file, env, pkcs11).", ["provider"]);

/** oauth_problems remotes answered our signed requests with. */
export const outgoingProblems = counter("applink_outgoing_oauth_problems_total", "OAuth problems remotes answered, by problem.", ["problem"]);
/** Incoming OAuth verifications, by result (`ok` or the problem). */
export const incomingVerifications = counter("applink_incoming_oauth_total", "Incoming OAuth-signed requests, by result.", ["result"]);

/** PostgreSQL pool use (absent on SQLite, which has no pool): connections open, idle, queries waiting for one, and the cap. */
if (!client.register.getSingleMetric("applink_db_pool_connections")) {
  new client.Gauge({
    name: "applink_db_pool_connections",
    help: "Database pool connections by pool (main, nonces) and state (open, idle, waiting queries, max); PostgreSQL only.",
    labelNames: ["pool", "state"],
    collect() {
      for (const stats of postgresqlPoolStats()) {
        this.set({ pool: stats.pool, state: "open" }, stats.total);
        this.set({ pool: stats.pool, state: "idle" }, stats.idle);
        this.set({ pool: stats.pool, state: "waiting" }, stats.waiting);
        this.set({ pool: stats.pool, state: "max" }, stats.max);
      }
    },
  });
}

/** The registry's text exposition and its content type. */
export async function metricsText(): Promise<{ body: string; contentType: string }> {
  return { body: await client.register.metrics(), contentType: client.register.contentType };
}
