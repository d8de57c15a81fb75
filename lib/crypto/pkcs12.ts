import path from "node:path";
import { Worker } from "node:worker_threads";
import { MAX_RSA_BITS } from "@/lib/crypto/rsa-keys";

/** A PKCS#12 file (.p12, .pfx) that could not be opened: the message says why, for a person. */
export class Pkcs12Error extends Error {
  constructor(
    message: string,
    /** The iteration count that was refused, when that was the reason. */
    readonly iterations?: number,
  ) {
    super(message);
    this.name = "Pkcs12Error";
  }
}

/**
 * The most key-derivation iterations a PKCS#12 file may ask for (its MAC, each encrypted part,
 * PBKDF2 inside PBES2). OpenSSL writes 2,048 and Java 10,000; the count is the file's own, and
 * node-forge spends about 1.5 s of CPU per million, so a file stating 2^31 - 1 would keep a core
 * busy for most of an hour.
 */
export const MAX_PKCS12_ITERATIONS = 200_000;

/** How long opening one file may take before its worker is stopped (a 200,000-iteration file takes under a second). */
const OPEN_TIMEOUT_MS = 15_000;

/** Plain JavaScript beside this file, loaded by path so the production server runs it outside Next.js's bundle. */
const WORKER_FILE = path.join(/*turbopackIgnore: true*/ process.cwd(), "lib/crypto/pkcs12-worker.mjs");

type WorkerAnswer = { ok: { certificatePem: string; privateKeyPem: string } } | { refused: string; count?: number };

/**
 * The certificate chain and private key inside a PKCS#12 file, as PEM (node-forge reads the format;
 * Node can use a PFX for TLS but not open one): the leaf is the certificate whose public key matches
 * the private key, the others follow it as its chain.
 *
 * Opened on a worker thread with a time and memory limit, never on the event loop: every iteration
 * count the file states is read from its ASN.1 before anything is derived, and each derivation is
 * refused above MAX_PKCS12_ITERATIONS (counts inside encrypted parts included); RSA keys above
 * MAX_RSA_BITS are refused.
 */
export function pemFromPkcs12(der: Buffer, passphrase: string): Promise<{ certificatePem: string; privateKeyPem: string }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_FILE, {
      workerData: { der, passphrase, maxIterations: MAX_PKCS12_ITERATIONS, maxRsaBits: MAX_RSA_BITS },
      resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32 },
      stdout: true,
      stderr: true,
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(() => settle(() => reject(new Pkcs12Error(`This PKCS#12 file took more than ${OPEN_TIMEOUT_MS / 1000} s to open and was refused. Export it again with the usual settings.`))), OPEN_TIMEOUT_MS);
    worker.once("message", (answer: WorkerAnswer) =>
      settle(() => ("ok" in answer ? resolve(answer.ok) : reject(new Pkcs12Error(answer.refused, answer.count)))),
    );
    worker.once("error", (error) =>
      settle(() =>
        reject(
          (error as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY"
            ? new Pkcs12Error("This PKCS#12 file needs more memory to open than is allowed and was refused.")
            : error,
        ),
      ),
    );
    worker.once("exit", (code) => settle(() => reject(new Error(`The PKCS#12 worker stopped with code ${code} before answering.`))));
  });
}
