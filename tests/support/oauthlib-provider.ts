import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { db } from "@/lib/db";
import { ensureAppIdentity } from "@/lib/identity/app-identity";

/**
 * Starts python3-oauthlib as an OAuth 1.0a provider on a loopback port
 * (tests/interop/oauthlib_provider_server.py), knowing this app's consumer key and public key, so
 * the signatures a test sends are checked by an independent implementation.
 */
export async function startOauthlibProvider(): Promise<{ port: number; process: ChildProcess }> {
  const identity = await ensureAppIdentity(db);
  const child = spawn("/usr/bin/python3", [path.resolve("tests/interop/oauthlib_provider_server.py"), JSON.stringify({ consumers: { [identity.consumerKey]: { rsa_public_pem: identity.publicKeyPem } } })]);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      const m = /PORT (\d+)/.exec(chunk.toString());
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`the oauthlib provider exited (${code})`)));
  });
  return { port, process: child };
}
