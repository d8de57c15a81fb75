/**
 * `npm run bench:status`: the background link checks at scale. The app runs as `npm start` runs it,
 * with LINK_CHECK_CONCURRENCY (4) and LINK_CHECK_INTERVAL_MINUTES (5: 500 links due at once are
 * paced to fit in half of it, about 3.3 checks a second); BENCH_LINKS (500) links with
 * outgoing 2LO point at a local upstream, so every check reads the remote, signs a call and stores
 * the diagnosis. Measured: `GET /api/v1/myself` by token (16 connections) before the links exist,
 * and again while the checks run through them (target: ≥ 0.8 of the rate without them), and how
 * long until every link has a status. Prints a table, then one JSON line.
 */
import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { apiTokenFor, appApi, start } from "./support";

const root = path.resolve(import.meta.dirname, "..");
const LINKS = Number(process.env.BENCH_LINKS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const APP_PORT = Number(process.env.BENCH_PORT ?? 3302);
const DATA_DIR = path.join(root, ".tmp", "bench-status-data");
const ADMIN = { username: "bench-admin", email: "bench@example.test", password: "bench admin password" };
const BASE = `http://127.0.0.1:${APP_PORT}`;

async function rate(token: string) {
  const result = await autocannon({ url: `${BASE}/api/v1/myself`, connections: 16, duration: SECONDS, headers: { authorization: `Bearer ${token}` } });
  return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx };
}

async function unchecked(token: string): Promise<number> {
  return (await appApi(APP_PORT, "/api/v1/links?status=UNCHECKED&pageSize=1", token)).total as number;
}

async function main() {
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
  const env = { PORT: String(APP_PORT), HOST: "127.0.0.1", DATA_DIR, ADMIN_USERNAME: ADMIN.username, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: "warn", NODE_ENV: "production" as const, LINK_CHECK_INTERVAL_MINUTES: "5", LINK_CHECK_CONCURRENCY: "4" };
  console.error("bench: starting the app as `npm start` does (builds first if the sources changed)…");
  await start("node", [path.join(root, "scripts", "start.mjs")], env, /is serving on/);
  const token = apiTokenFor(env, ADMIN.username);
  const upstream = await start("node", [path.join(root, "bench", "upstream.mjs")], {}, /PORT (\d+)/);

  await rate(token); // warm-up
  const without = await rate(token);

  const createdAt = Date.now();
  for (let i = 0; i < LINKS; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, LINKS - i) }, async (_, k) => {
        const link = await appApi(APP_PORT, "/api/v1/links", token, { method: "POST", body: { name: `Bench status ${i + k}`, type: "generic", rpcUrl: `http://127.0.0.1:${upstream[1]}/app-${i + k}` } });
        await appApi(APP_PORT, `/api/v1/links/${link.id}/outgoing`, token, { method: "PUT", body: { threeLegged: false, twoLegged: true, impersonation: false } });
      }),
    );
  }
  const createSeconds = (Date.now() - createdAt) / 1000;
  const before = await unchecked(token);
  const beside = await rate(token);
  const during = await unchecked(token);
  const deadline = Date.now() + 15 * 60_000;
  while ((await unchecked(token)) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
  const allSeconds = (Date.now() - createdAt) / 1000;
  const left = await unchecked(token);
  const connected = (await appApi(APP_PORT, "/api/v1/links?status=CONNECTED&pageSize=1", token)).total as number;

  const ratio = Math.round((beside.rps / without.rps) * 1000) / 1000;
  const checkedWhileMeasured = before - during;
  console.log(`GET /api/v1/myself by token, 16 connections: ${without.rps} req/s alone, ${beside.rps} req/s while the background checks ran (${ratio}×; ${checkedWhileMeasured} links checked in those ${SECONDS} s)`);
  console.log(`${LINKS} links created in ${createSeconds.toFixed(1)} s; every one checked ${allSeconds.toFixed(1)} s after the first was created (${left} left unchecked, ${connected} CONNECTED)`);
  const targets = { appRateBesideChecksAtLeast08: ratio >= 0.8, everyLinkChecked: left === 0, zeroErrors: without.errors + beside.errors === 0 };
  console.log(`targets: ${JSON.stringify(targets)}`);
  console.log(JSON.stringify({ bench: "status", links: LINKS, concurrency: 4, without, beside, ratio, checkedWhileMeasured, createSeconds, allCheckedSeconds: allSeconds, left, connected, targets }));
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
