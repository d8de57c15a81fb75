/**
 * `npm run bench:incoming`: one REST call (`GET /api/v1/myself`) authenticated three ways, in one run
 * of the app as `npm start` runs it:
 *   - bearer: a personal API token;
 *   - oauth2lo: 2-legged OAuth RSA-SHA1 from a linked application (runs as the execute-as user);
 *   - oauth3lo: 3-legged, with an access token this app issued through its own provider endpoints;
 *   - oauth2: an OAuth 2.0 access token this app's authorization server issued (target: ≥ 0.9× the
 *     API token: both are one cached read).
 * BENCH_CONNECTIONS (16) keep-alive connections; every OAuth request is signed (its own nonce)
 * before the clock starts, so the client's RSA cost is outside the timing. Each figure is the best
 * of BENCH_ROUNDS (3) interleaved rounds of BENCH_SECONDS (3). Prints a table, then one JSON line
 * with the ratios to the bearer rate (target: ≥ 0.8) and the app's CPU time per request.
 *
 * Then the signed proxy (2LO, 8 connections) twice: with `GET /api/v1/myself` beside it by 2LO at
 * 100 requests/s, and by token at the rate that costs the app the same CPU (from the CPU per request
 * measured above: a 2LO call costs more than a token call, and on two cores that alone would slow
 * the proxy). Every incoming OAuth call writes a nonce; if that emptied the hot-read cache, the
 * proxy would slow down beside OAuth only (target: ≥ 0.95 of its rate beside the token calls).
 *
 * And 2LO and 3LO again, in the same rounds, on a second instance whose master key is in SoftHSM
 * (when installed, on the embedded database; BENCH_HSM=0 leaves it out): issue 27's target, the
 * HSM provider at ≥ 0.95× the file key's.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { signRequest } from "@/lib/oauth1";
import { apiTokenFor, appApi, cpuMs, hsmBench, processesCpuMs, softHsmSettings, start, type Figures } from "./support";

const root = path.resolve(import.meta.dirname, "..");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const APP_PORT = Number(process.env.BENCH_PORT ?? 3301);
const DATA_DIR = path.join(root, ".tmp", "bench-incoming-data");
const ADMIN = { username: "bench-admin", email: "bench@example.test", password: "bench admin password" };
const BASE = `http://127.0.0.1:${APP_PORT}`;
const CONSUMER_KEY = "bench:incoming";
/** On a local PostgreSQL (DATABASE_URL=postgresql://…@127.0.0.1), its server's CPU per request is measured too. */
const ON_POSTGRESQL = /^postgres(ql)?:\/\/[^/]*(127\.0\.0\.1|localhost)/.test(process.env.DATABASE_URL ?? "");


/** GET `path` (default /api/v1/myself) at CONNECTIONS, each request with the next Authorization header. */
async function load(nextAuthorization: () => string, pid: number | undefined, seconds = SECONDS, options: { path?: string; connections?: number; overallRate?: number; base?: string } = {}): Promise<Figures> {
  const cpuBefore = cpuMs(pid);
  const databaseBefore = ON_POSTGRESQL ? processesCpuMs("postgres") : 0;
  const result = await autocannon({
    url: options.base ?? BASE,
    connections: options.connections ?? CONNECTIONS,
    duration: seconds,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [{ method: "GET", path: options.path ?? "/api/v1/myself", setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: nextAuthorization() } }) }],
  });
  const cpu = cpuMs(pid) - cpuBefore;
  const databaseCpu = ON_POSTGRESQL ? processesCpuMs("postgres") - databaseBefore : 0;
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuMsPerRequest: Math.round((cpu / Math.max(1, result.requests.total)) * 1000) / 1000,
    ...(ON_POSTGRESQL ? { databaseCpuMsPerRequest: Math.round((databaseCpu / Math.max(1, result.requests.total)) * 1000) / 1000 } : {}),
  };
}

/** `count` signed Authorization headers for GET /api/v1/myself on the app at `base`, each with its own nonce. */
async function presign(count: number, privateKey: crypto.KeyObject, token?: { key: string; secret: string }, base = BASE): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i += 64) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(64, count - i) }, () => signRequest({ method: "GET", url: `${base}/api/v1/myself` }, { key: CONSUMER_KEY, privateKey }, token ? { token } : {})),
    );
    out.push(...batch.map((s) => s.authorization));
  }
  return out;
}

/** An OAuth-signed form POST to one of the provider endpoints of the app at `base`; its form answer, parsed. */
async function providerPost(base: string, pathname: string, privateKey: crypto.KeyObject, options: Parameters<typeof signRequest>[2]) {
  const signed = await signRequest({ method: "POST", url: `${base}${pathname}` }, { key: CONSUMER_KEY, privateKey }, options);
  const response = await fetch(`${base}${pathname}`, { method: "POST", headers: { authorization: signed.authorization } });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${pathname} answered ${response.status}: ${text}`);
  return new URLSearchParams(text);
}

/**
 * On the app at `port` (data in `dataDir`): a linked application taking 2LO (as the admin) and
 * 3LO, and a 3LO access token issued through the app's own provider endpoints, the person's
 * consent given as the consent page gives it.
 */
async function linkedApplication(port: number, dataDir: string, apiToken: string) {
  const base = `http://127.0.0.1:${port}`;
  const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const link = await appApi(port, "/api/v1/links", apiToken, { method: "POST", body: { name: "Bench linked application", type: "generic", rpcUrl: "http://127.0.0.1:9" } });
  await appApi(port, `/api/v1/links/${link.id}/incoming`, apiToken, {
    method: "PUT",
    body: { consumerKey: CONSUMER_KEY, consumerName: "Bench", publicKey: publicKey.export({ type: "spki", format: "pem" }), threeLegged: true, twoLegged: true, executeAs: ADMIN.username, impersonation: false },
  });
  const requestToken = await providerPost(base, "/plugins/servlet/oauth/request-token", privateKey, { callback: "oob" });
  const { createDatabaseClient } = await import("@/lib/db");
  const { databaseUrl } = await import("@/lib/env/paths");
  const { decideRequestToken } = await import("@/lib/incoming/issued-tokens");
  const db = createDatabaseClient(databaseUrl({ ...process.env, DATA_DIR: dataDir }));
  const admin = await db.user.findUniqueOrThrow({ where: { username: ADMIN.username }, select: { id: true } });
  const { verifier } = await decideRequestToken(db, admin.id, requestToken.get("oauth_token")!, true);
  const access = await providerPost(base, "/plugins/servlet/oauth/access-token", privateKey, { token: { key: requestToken.get("oauth_token")!, secret: requestToken.get("oauth_token_secret")! }, verifier: verifier! });
  return { base, link, privateKey, db, adminId: admin.id, accessToken: { key: access.get("oauth_token")!, secret: access.get("oauth_token_secret")! } };
}

const HSM = hsmBench();

/** A second instance whose master key is in a fresh SoftHSM token, with the same linked application. */
async function startHsmInstance() {
  const dir = path.join(root, ".tmp", "bench-incoming-hsm");
  fs.rmSync(dir, { recursive: true, force: true });
  const port = APP_PORT + 1;
  const env = { PORT: String(port), HOST: "127.0.0.1", DATA_DIR: path.join(dir, "data"), ADMIN_USERNAME: ADMIN.username, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: "warn", NODE_ENV: "production" as const, ...softHsmSettings(dir) };
  const app = await start("node", [path.join(root, "scripts", "start.mjs")], env, /is serving on/);
  const apiToken = apiTokenFor(env, ADMIN.username);
  const linked = await linkedApplication(port, env.DATA_DIR, apiToken);
  await linked.db.$disconnect();
  return { ...linked, bearer: `Bearer ${apiToken}`, pid: app.pid };
}

async function main() {
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
  const env = { PORT: String(APP_PORT), HOST: "127.0.0.1", DATA_DIR, ADMIN_USERNAME: ADMIN.username, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: "warn", NODE_ENV: "production" as const };
  console.error("bench: starting the app as `npm start` does (builds first if the sources changed)…");
  // BENCH_CPU_PROF=<dir> writes the app's CPU profile there when it stops (as bench:proxy does).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
  const app = await start("node", [...profile, path.join(root, "scripts", "start.mjs")], env, /is serving on/);
  const apiToken = apiTokenFor(env, ADMIN.username);
  const bearer = `Bearer ${apiToken}`;
  // lib/db's process-wide client (imported on the way) points at this instance's data, not ./data.
  process.env.DATA_DIR = DATA_DIR;

  // The linked application: 2LO runs as the admin, 3LO as whoever allowed it.
  const { link, privateKey, accessToken, db, adminId } = await linkedApplication(APP_PORT, DATA_DIR, apiToken);
  const admin = { id: adminId };
  // The same link's external application by OAuth 2.0: consent as the consent page gives it, the code exchanged at the token endpoint.
  const redirect = "https://bench-ci.example.test/cb";
  const on = await appApi(APP_PORT, `/api/v1/links/${link.id}/incoming`, apiToken, { method: "PUT", body: { oauth2: { redirectUris: [redirect], scopes: ["READ"] } } });
  const { decideAuthorization } = await import("@/lib/incoming/oauth2/server");
  const decided = await decideAuthorization(db, admin.id, { response_type: "code", client_id: on.oauth2.clientId, redirect_uri: redirect }, true);
  if (decided.kind !== "redirect") throw new Error(`OAuth 2.0 consent: ${JSON.stringify(decided)}`);
  const exchanged = await fetch(`${BASE}/rest/oauth2/latest/token`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${on.oauth2.clientId}:${on.oauth2.clientSecret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: new URL(decided.location).searchParams.get("code")!, redirect_uri: redirect }).toString(),
  });
  if (!exchanged.ok) throw new Error(`OAuth 2.0 token: ${exchanged.status} ${await exchanged.text()}`);
  const oauth2Bearer = `Bearer ${((await exchanged.json()) as { access_token: string }).access_token}`;
  await db.$disconnect();
  // The same linked application on an instance whose master key is in SoftHSM.
  const hsm = HSM.run ? await startHsmInstance() : null;
  if (!HSM.run) console.error(`bench: no HSM instance: ${HSM.why}`);

  // Warm up (JIT, caches), and size the pre-signed pools from the bearer rate.
  // A pool that wraps would replay nonces (refused, counted as errors): sized from the fastest rate
  // seen, twice over, and a round that used more than it holds says so.
  const warm = await load(() => bearer, app.pid, 2);
  let perRound = Math.ceil(warm.rps * SECONDS * 2) + 1000;
  const results: Record<string, Figures> = {};
  let errors = 0;
  const keep = (name: string, f: Figures) => {
    errors += f.errors;
    if (!results[name] || f.rps > results[name]!.rps) results[name] = f;
  };
  for (let round = 0; round < ROUNDS; round++) {
    keep("bearer", await load(() => bearer, app.pid));
    keep("oauth2", await load(() => oauth2Bearer, app.pid));
    perRound = Math.max(perRound, Math.ceil(results.bearer!.rps * SECONDS * 2) + 1000);
    const twoLegged = await presign(perRound, privateKey);
    const threeLegged = await presign(perRound, privateKey, accessToken);
    let i = 0;
    keep("oauth2lo", await load(() => twoLegged[i++ % twoLegged.length]!, app.pid));
    let j = 0;
    keep("oauth3lo", await load(() => threeLegged[j++ % threeLegged.length]!, app.pid));
    if (i > perRound || j > perRound) console.error(`bench: round ${round + 1} used ${Math.max(i, j)} signed requests of ${perRound}; the repeats were refused as replays`);
    if (hsm) {
      // The same calls, in the same round, to the instance whose master key is in the HSM, after
      // token calls as the file key's instance had (an instance idle while the other worked
      // measures slower: bench:proxy found ~8 % at c1 whatever held the key).
      keep("bearerHsm", await load(() => hsm.bearer, hsm.pid, SECONDS, { base: hsm.base }));
      const hsm2lo = await presign(perRound, hsm.privateKey, undefined, hsm.base);
      const hsm3lo = await presign(perRound, hsm.privateKey, hsm.accessToken, hsm.base);
      let m = 0;
      keep("oauth2loHsm", await load(() => hsm2lo[m++ % hsm2lo.length]!, hsm.pid, SECONDS, { base: hsm.base }));
      let n = 0;
      keep("oauth3loHsm", await load(() => hsm3lo[n++ % hsm3lo.length]!, hsm.pid, SECONDS, { base: hsm.base }));
      if (m > perRound || n > perRound) console.error(`bench: round ${round + 1} (HSM) used ${Math.max(m, n)} signed requests of ${perRound}; the repeats were refused as replays`);
    }
  }

  // The signed proxy with incoming calls beside it: by token, then by 2LO, at a fixed rate.
  const upstream = await start("node", [path.join(root, "bench", "upstream.mjs")], {}, /PORT (\d+)/);
  const proxied = await appApi(APP_PORT, "/api/v1/links", apiToken, { method: "POST", body: { name: "Bench proxy", type: "generic", rpcUrl: `http://127.0.0.1:${upstream[1]}/signed` } });
  await appApi(APP_PORT, `/api/v1/links/${proxied.id}/outgoing`, apiToken, { method: "PUT", body: { threeLegged: false, twoLegged: true, impersonation: false } });
  const proxyPath = `/api/v1/links/${proxied.id}/proxy/rest/api/2/myself`;
  const beside: Record<string, Figures> = {};
  const OAUTH_NEIGHBOUR_RATE = 100;
  const bearerNeighbourRate = Math.round((OAUTH_NEIGHBOUR_RATE * results.oauth2lo!.cpuMsPerRequest) / results.bearer!.cpuMsPerRequest);
  for (let round = 0; round < ROUNDS; round++) {
    const twoLegged = await presign(SECONDS * OAUTH_NEIGHBOUR_RATE + 200, privateKey);
    let k = 0;
    const neighbours = [
      ["besideBearer", () => bearer, bearerNeighbourRate],
      ["besideOAuth2lo", () => twoLegged[k++ % twoLegged.length]!, OAUTH_NEIGHBOUR_RATE],
    ] as const;
    for (const [name, neighbour, rate] of neighbours) {
      const [proxy, incoming] = await Promise.all([load(() => bearer, app.pid, SECONDS, { path: proxyPath, connections: 8 }), load(neighbour, undefined, SECONDS, { connections: 2, overallRate: rate })]);
      errors += proxy.errors + incoming.errors;
      if (!beside[name] || proxy.rps > beside[name]!.rps) beside[name] = proxy;
    }
  }

  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  const ratios = {
    oauth2loVsBearer: ratio(results.oauth2lo!.rps, results.bearer!.rps),
    oauth3loVsBearer: ratio(results.oauth3lo!.rps, results.bearer!.rps),
    oauth2VsBearer: ratio(results.oauth2!.rps, results.bearer!.rps),
    proxyBesideOAuthVsBesideBearer: ratio(beside.besideOAuth2lo!.rps, beside.besideBearer!.rps),
    ...(hsm ? { hsm2loVsFile: ratio(results.oauth2loHsm!.rps, results.oauth2lo!.rps), hsm3loVsFile: ratio(results.oauth3loHsm!.rps, results.oauth3lo!.rps) } : {}),
  };
  const targets = {
    incomingAtLeast08xBearer: ratios.oauth2loVsBearer >= 0.8 && ratios.oauth3loVsBearer >= 0.8,
    // An OAuth 2.0 access token is checked as an API token is (one cached read): as fast, within noise.
    oauth2AtLeast09xBearer: ratios.oauth2VsBearer >= 0.9,
    proxyUnchangedBesideOAuth: ratios.proxyBesideOAuthVsBesideBearer >= 0.95,
    // Issue 27: incoming OAuth with the master key in the HSM, as fast as with the file key (same run).
    ...(hsm ? { hsmAtLeast0_95xFile: ratios.hsm2loVsFile! >= 0.95 && ratios.hsm3loVsFile! >= 0.95 } : {}),
    zeroErrors: errors === 0,
  };
  const rows = Object.entries(results).map(([name, f]) => `${name.padEnd(11)} ${String(f.rps).padStart(8)} ${f.p50.toFixed(2).padStart(8)} ${f.p99.toFixed(2).padStart(8)} ${String(f.errors).padStart(7)} ${f.cpuMsPerRequest.toFixed(3).padStart(11)}${ON_POSTGRESQL ? (f.databaseCpuMsPerRequest ?? 0).toFixed(3).padStart(14) : ""}`);
  console.log([`GET /api/v1/myself at ${CONNECTIONS} connections`, `caller         req/s   p50 ms   p99 ms  errors  cpu ms/req${ON_POSTGRESQL ? "  db cpu ms/req" : ""}`, ...rows].join("\n"));
  console.log(`signed proxy (8 connections) beside incoming calls of equal CPU: ${bearerNeighbourRate}/s by token ${beside.besideBearer!.rps} req/s, ${OAUTH_NEIGHBOUR_RATE}/s by 2LO ${beside.besideOAuth2lo!.rps} req/s`);
  console.log(`targets: incoming OAuth ≥ 0.8× bearer: ${targets.incomingAtLeast08xBearer} (2LO ${ratios.oauth2loVsBearer}, 3LO ${ratios.oauth3loVsBearer}); proxy unchanged beside OAuth: ${targets.proxyUnchangedBesideOAuth} (${ratios.proxyBesideOAuthVsBesideBearer}); OAuth 2.0 bearer ≥ 0.9× API token: ${targets.oauth2AtLeast09xBearer} (${ratios.oauth2VsBearer}); ${hsm ? `master key in the HSM ≥ 0.95× the file key's: ${targets.hsmAtLeast0_95xFile} (2LO ${ratios.hsm2loVsFile}, 3LO ${ratios.hsm3loVsFile}); ` : ""}zero errors: ${targets.zeroErrors}`);
  console.log(JSON.stringify({ bench: "incoming", seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, results, proxyBeside: beside, neighbourRates: { bearer: bearerNeighbourRate, oauth2lo: OAUTH_NEIGHBOUR_RATE }, ratios, errors, targets }));
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
