/**
 * `npm run bench:caller`: what resolving the caller of one REST call costs, without the framework:
 * `resolveCaller` for an API token and for a linked application's 2LO signature (RSA-SHA1
 * verified, nonce recorded), against a freshly migrated SQLite database, next to a raw RSA-SHA1
 * verify. Compare with bench:incoming's CPU ms per request of the whole call through the server.
 */
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const N = Number(process.env.BENCH_CALLS ?? 3000);
const root = path.resolve(import.meta.dirname, "..");

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "applink-caller-bench-"));
  process.env.DATA_DIR = dir;
  delete process.env.DATABASE_URL;
  execFileSync(path.join(root, "node_modules", ".bin", "prisma"), ["migrate", "deploy"], { cwd: root, env: { ...process.env, DATA_DIR: dir }, stdio: "pipe" });
  const { db } = await import("@/lib/db");
  const { createUser } = await import("@/lib/users/create-user");
  const { createApiToken } = await import("@/lib/tokens/api-tokens");
  const { createLink } = await import("@/lib/links/create-link");
  const { setIncoming } = await import("@/lib/links/update-link");
  const { resolveCaller } = await import("@/lib/api/resolve-caller");
  const { signRequest } = await import("@/lib/oauth1");
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  const system = { id: null, username: "system", via: "system" as const };
  const { user } = await createUser(db, system, { username: "bench-admin", email: "bench@example.test", role: "ADMIN", password: "a long enough password" });
  const { token } = await createApiToken(db, system, user, "bench");
  const keys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const { link } = await createLink(db, system, { name: "Bench", type: "generic", rpcUrl: "http://127.0.0.1:9" });
  await setIncoming(db, system, link.id, { consumerKey: "bench:caller", consumerName: "Bench", publicKey: keys.publicKey.export({ type: "spki", format: "pem" }) as string, threeLegged: false, twoLegged: true, executeAs: user.username, impersonation: false });

  const url = "http://127.0.0.1:3000/api/v1/myself";
  const signed = await Promise.all(Array.from({ length: N + 200 }, () => signRequest({ method: "GET", url }, { key: "bench:caller", privateKey: keys.privateKey })));
  const request = { method: "GET", url, body: async () => null };
  const time = async (f: (i: number) => unknown) => {
    for (let i = 0; i < 200; i++) await f(N + i);
    const started = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await f(i);
    return Math.round(Number(process.hrtime.bigint() - started) / 1e2 / N) / 10;
  };
  const bearerUs = await time(() => resolveCaller(db, new Headers({ authorization: `Bearer ${token}` }), request));
  const oauth2loUs = await time((i) => resolveCaller(db, new Headers({ authorization: signed[i]!.authorization, host: "127.0.0.1:3000" }), request));
  const base = Buffer.from(signed[0]!.baseString);
  const signature = Buffer.from(decodeURIComponent(/oauth_signature="([^"]+)"/.exec(signed[0]!.authorization)![1]!), "base64");
  const rawVerifyUs = await time(() => crypto.verify("sha1", base, keys.publicKey, signature));
  console.log(`resolveCaller, µs per call (${N} calls): bearer ${bearerUs}, OAuth 2LO ${oauth2loUs} (raw RSA-SHA1 verify ${rawVerifyUs})`);
  console.log(JSON.stringify({ bench: "caller", calls: N, microseconds: { bearer: bearerUs, oauth2lo: oauth2loUs, rawVerify: rawVerifyUs } }));
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
