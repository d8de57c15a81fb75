/**
 * `npm run bench:oauth`: OAuth 1.0a RSA-SHA1 signing and verification per second, against raw
 * node:crypto RSA sign/verify of the same base strings in the same run, at the same concurrency
 * (both use libuv's thread pool). Prints a table, then one JSON line.
 */
import crypto from "node:crypto";
import { signRequest, verifyRequest, type IncomingRequest, type NonceStore } from "@/lib/oauth1";

const DURATION_MS = Number(process.env.BENCH_MS ?? 3000);
/**
 * Each pair (ours, raw) is measured in this many alternating slices of DURATION_MS / SLICES each,
 * and each side's rate is its operations over its own time: on a shared machine the load drifts
 * over seconds, and slices this short put both sides under the same drift.
 */
const SLICES = Number(process.env.BENCH_SLICES ?? 30);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const consumer = { key: "applink-admin:bench", privateKey };
const URLS = Array.from({ length: 64 }, (_, i) => `https://jira.example.com/rest/api/2/search?jql=project%20%3D%20P${i}%20ORDER%20BY%20created&startAt=${i * 50}&maxResults=50&fields=summary,status`);

type Task = (i: number) => Promise<unknown>;

/** Runs `task` with `CONCURRENCY` in flight for `ms`; answers operations and seconds. */
async function slice(task: Task, ms: number): Promise<{ n: number; seconds: number }> {
  let i = 0;
  const count = { n: 0 };
  const start = process.hrtime.bigint();
  const until = Date.now() + ms;
  const lane = async () => {
    while (Date.now() < until) {
      await task(i++);
      count.n++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return { n: count.n, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** Operations per second of each task, measured in alternating slices after a warm-up of each. */
async function measure<const T extends readonly Task[]>(...tasks: T): Promise<{ [K in keyof T]: number }> {
  for (const task of tasks) await slice(task, 300);
  const totals = tasks.map(() => ({ n: 0, seconds: 0 }));
  for (let round = 0; round < SLICES; round++) {
    for (const [k, task] of tasks.entries()) {
      const { n, seconds } = await slice(task, DURATION_MS / SLICES);
      totals[k]!.n += n;
      totals[k]!.seconds += seconds;
    }
  }
  return totals.map(({ n, seconds }) => n / seconds) as { [K in keyof T]: number };
}

const rawSign = (base: string) =>
  new Promise<Buffer>((resolve, reject) => crypto.sign("sha1", Buffer.from(base), privateKey, (e, s) => (e ? reject(e) : resolve(s))));
const rawVerify = (base: string, sig: Buffer) =>
  new Promise<boolean>((resolve, reject) => crypto.verify("sha1", Buffer.from(base), publicKey, sig, (e, ok) => (e ? reject(e) : resolve(ok))));

async function main() {
  const now = Date.now();
  const signed = await Promise.all(URLS.map((url) => signRequest({ method: "GET", url }, consumer, { now: () => now })));
  const bases = signed.map((s) => s.baseString);
  const sigs = await Promise.all(bases.map(rawSign));
  const requests: IncomingRequest[] = signed.map((s) => ({ method: "GET", url: s.url, headers: new Headers({ authorization: s.authorization }) }));
  // Measures the verifier, not a store: every nonce is fresh.
  const freshNonces: NonceStore = { isUsed: async () => false, use: async () => true };
  const verifyOptions = { consumers: { findConsumer: async () => ({ key: consumer.key, publicKey }) }, nonces: freshNonces, now: () => now };

  const [signPerSec, rawSignPerSec] = await measure(
    (i) => signRequest({ method: "GET", url: URLS[i % URLS.length]! }, consumer),
    (i) => rawSign(bases[i % bases.length]!),
  );
  const [verifyPerSec, rawVerifyAsyncPerSec, rawVerifySyncPerSec] = await measure(
    (i) => verifyRequest(requests[i % requests.length]!, verifyOptions),
    (i) => rawVerify(bases[i % bases.length]!, sigs[i % sigs.length]!),
    async (i) => crypto.verify("sha1", Buffer.from(bases[i % bases.length]!), publicKey, sigs[i % sigs.length]!),
  );
  // The baseline is the faster raw form: RSA verification is cheap enough that the pool hop costs more.
  const rawVerifyPerSec = Math.max(rawVerifyAsyncPerSec, rawVerifySyncPerSec);

  const overhead = (ours: number, raw: number) => Math.round((raw / ours - 1) * 1000) / 10;
  // The same overhead as time added to each operation: the protocol work (parsing, the base string)
  // costs about as much either way, so a percentage of verify's cheap RSA reads about ten times a
  // percentage of sign's dear one.
  const addedMicros = (ours: number, raw: number) => Math.round((1e6 / ours - 1e6 / raw) * 10) / 10;
  const rows = [
    ["sign (RSA-SHA1 request)", signPerSec, rawSignPerSec],
    ["verify (RSA-SHA1 request)", verifyPerSec, rawVerifyPerSec],
  ] as const;
  const notes = `raw verify: ${Math.round(rawVerifySyncPerSec)}/s in place, ${Math.round(rawVerifyAsyncPerSec)}/s through the pool`;
  console.log(`OAuth 1.0a RSA-SHA1, 2048-bit key, concurrency ${CONCURRENCY}, ${DURATION_MS} ms per operation in ${SLICES} alternating slices, node ${process.version}`);
  console.log("operation                   ours/s    raw crypto/s   overhead   added per operation");
  for (const [name, ours, raw] of rows) {
    console.log(`${name.padEnd(26)} ${ours.toFixed(0).padStart(8)} ${raw.toFixed(0).padStart(14)} ${`${overhead(ours, raw)}%`.padStart(10)} ${`${addedMicros(ours, raw)} µs`.padStart(21)}`);
  }
  console.log(notes);
  // The targets, re-based (issue 23) from "overhead ≤ 15 % of the raw RSA check" to the time added.
  const targets = {
    verifyAddedAtMost15Micros: addedMicros(verifyPerSec, rawVerifyPerSec) <= 15,
    signAddedAtMost30Micros: addedMicros(signPerSec, rawSignPerSec) <= 30,
  };
  console.log(`target ${targets.verifyAddedAtMost15Micros ? "met    " : "MISSED "} time added per verify ≤ 15 µs: ${addedMicros(verifyPerSec, rawVerifyPerSec)} µs`);
  console.log(`target ${targets.signAddedAtMost30Micros ? "met    " : "MISSED "} time added per signature ≤ 30 µs: ${addedMicros(signPerSec, rawSignPerSec)} µs`);
  console.log(
    JSON.stringify({
      bench: "oauth",
      targets,
      signPerSec: Math.round(signPerSec),
      rawSignPerSec: Math.round(rawSignPerSec),
      verifyPerSec: Math.round(verifyPerSec),
      rawVerifyPerSec: Math.round(rawVerifyPerSec),
      rawVerifySyncPerSec: Math.round(rawVerifySyncPerSec),
      rawVerifyAsyncPerSec: Math.round(rawVerifyAsyncPerSec),
      signOverheadPct: overhead(signPerSec, rawSignPerSec),
      verifyOverheadPct: overhead(verifyPerSec, rawVerifyPerSec),
      signAddedMicros: addedMicros(signPerSec, rawSignPerSec),
      verifyAddedMicros: addedMicros(verifyPerSec, rawVerifyPerSec),
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
