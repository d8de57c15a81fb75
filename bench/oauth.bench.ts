/**
 * `npm run bench:oauth`: OAuth 1.0a RSA-SHA1 signing and verification per second, against raw
 * node:crypto RSA sign/verify of the same base strings in the same run, at the same concurrency
 * (both use libuv's thread pool). Prints a table, then one JSON line.
 */
import crypto from "node:crypto";
import { signRequest, verifyRequest, type IncomingRequest, type NonceStore } from "@/lib/oauth1";

const DURATION_MS = Number(process.env.BENCH_MS ?? 1500);
/** Each figure is the best of this many interleaved rounds, so a noisy neighbour hurts both sides alike. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const consumer = { key: "applink-admin:bench", privateKey };
const URLS = Array.from({ length: 64 }, (_, i) => `https://jira.example.com/rest/api/2/search?jql=project%20%3D%20P${i}%20ORDER%20BY%20created&startAt=${i * 50}&maxResults=50&fields=summary,status`);

/** Runs `task` with `CONCURRENCY` in flight for the duration; answers operations per second. */
async function measure(task: (i: number) => Promise<unknown>): Promise<number> {
  const warmUntil = Date.now() + 300;
  let i = 0;
  const lane = async (until: number, count: { n: number }) => {
    while (Date.now() < until) {
      await task(i++);
      count.n++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, () => lane(warmUntil, { n: 0 })));
  const count = { n: 0 };
  const start = process.hrtime.bigint();
  const until = Date.now() + DURATION_MS;
  await Promise.all(Array.from({ length: CONCURRENCY }, () => lane(until, count)));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count.n / seconds;
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

  const best = { sign: 0, rawSign: 0, verify: 0, rawVerifyAsync: 0, rawVerifySync: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    best.sign = Math.max(best.sign, await measure((i) => signRequest({ method: "GET", url: URLS[i % URLS.length]! }, consumer)));
    best.rawSign = Math.max(best.rawSign, await measure((i) => rawSign(bases[i % bases.length]!)));
    best.verify = Math.max(best.verify, await measure((i) => verifyRequest(requests[i % requests.length]!, verifyOptions)));
    best.rawVerifyAsync = Math.max(best.rawVerifyAsync, await measure((i) => rawVerify(bases[i % bases.length]!, sigs[i % sigs.length]!)));
    best.rawVerifySync = Math.max(
      best.rawVerifySync,
      await measure(async (i) => crypto.verify("sha1", Buffer.from(bases[i % bases.length]!), publicKey, sigs[i % sigs.length]!)),
    );
  }
  const { sign: signPerSec, rawSign: rawSignPerSec, verify: verifyPerSec, rawVerifyAsync: rawVerifyAsyncPerSec, rawVerifySync: rawVerifySyncPerSec } = best;
  // The baseline is the faster raw form: RSA verification is cheap enough that the pool hop costs more.
  const rawVerifyPerSec = Math.max(rawVerifyAsyncPerSec, rawVerifySyncPerSec);

  const overhead = (ours: number, raw: number) => Math.round((raw / ours - 1) * 1000) / 10;
  const rows = [
    ["sign (RSA-SHA1 request)", signPerSec, rawSignPerSec],
    ["verify (RSA-SHA1 request)", verifyPerSec, rawVerifyPerSec],
  ] as const;
  const notes = `raw verify: ${Math.round(rawVerifySyncPerSec)}/s in place, ${Math.round(rawVerifyAsyncPerSec)}/s through the pool`;
  console.log(`OAuth 1.0a RSA-SHA1, 2048-bit key, concurrency ${CONCURRENCY}, best of ${ROUNDS} × ${DURATION_MS} ms, node ${process.version}`);
  console.log("operation                   ours/s    raw crypto/s   overhead");
  for (const [name, ours, raw] of rows) {
    console.log(`${name.padEnd(26)} ${ours.toFixed(0).padStart(8)} ${raw.toFixed(0).padStart(14)} ${`${overhead(ours, raw)}%`.padStart(10)}`);
  }
  console.log(notes);
  console.log(
    JSON.stringify({
      signPerSec: Math.round(signPerSec),
      rawSignPerSec: Math.round(rawSignPerSec),
      verifyPerSec: Math.round(verifyPerSec),
      rawVerifyPerSec: Math.round(rawVerifyPerSec),
      rawVerifySyncPerSec: Math.round(rawVerifySyncPerSec),
      rawVerifyAsyncPerSec: Math.round(rawVerifyAsyncPerSec),
      signOverheadPct: overhead(signPerSec, rawSignPerSec),
      verifyOverheadPct: overhead(verifyPerSec, rawVerifyPerSec),
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
