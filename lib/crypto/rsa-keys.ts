import crypto from "node:crypto";

export const RSA_KEY_SIZES = [2048, 3072, 4096] as const;
export type RsaKeySize = (typeof RSA_KEY_SIZES)[number];
export const MIN_RSA_BITS = 2048;
/**
 * The largest RSA modulus accepted anywhere (pasted, fetched from a remote, in a certificate or a
 * PKCS#12 file): each signature check costs about the cube of the size, so a 16,384-bit consumer
 * key would make every incoming request it signs dozens of times dearer.
 */
export const MAX_RSA_BITS = 8192;

export type KeyProblem = "empty" | "malformed" | "not_rsa" | "too_small" | "too_large" | "private_key_given";

/** Why a pasted key was refused, in words an admin can act on. */
export class KeyFormatError extends Error {
  constructor(
    readonly problem: KeyProblem,
    message: string,
  ) {
    super(message);
    this.name = "KeyFormatError";
  }
}

export interface RsaKeyPair {
  publicKey: crypto.KeyObject;
  privateKey: crypto.KeyObject;
}

/** A fresh RSA key pair (2048 bits by default), generated off the main thread. */
export function generateRsaKeyPair(bits: RsaKeySize = 2048): Promise<RsaKeyPair> {
  return new Promise((resolve, reject) => {
    crypto.generateKeyPair("rsa", { modulusLength: bits, publicExponent: 0x10001 }, (error, publicKey, privateKey) =>
      error ? reject(error) : resolve({ publicKey, privateKey }),
    );
  });
}

/**
 * Reads a public key the way admins paste it: SPKI PEM (`BEGIN PUBLIC KEY`), PKCS#1 PEM
 * (`BEGIN RSA PUBLIC KEY`), or bare base64 DER (SPKI or PKCS#1) with or without line breaks, as
 * Jira shows it. Refuses private keys (in any of those encodings), non-RSA keys and keys under
 * 2048 bits, naming the problem.
 */
export function parsePublicKey(input: string): crypto.KeyObject {
  const text = input.trim();
  if (!text) throw new KeyFormatError("empty", "Paste a public key.");
  const privateKeyGiven = () => new KeyFormatError("private_key_given", "This is a private key: paste the public key (and never share the private one).");
  if (/PRIVATE KEY-----/.test(text)) throw privateKeyGiven();
  let key: crypto.KeyObject | null = null;
  if (/-----BEGIN [A-Z0-9 ]+-----/.test(text)) {
    key = tryCreate(() => crypto.createPublicKey({ key: text, format: "pem" }));
  } else {
    const compact = text.replace(/\s+/g, "");
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
      const der = Buffer.from(compact, "base64");
      // createPublicKey would quietly derive the public half of a private key: refuse one first.
      if (PRIVATE_DER_TYPES.some((type) => tryCreate(() => crypto.createPrivateKey({ key: der, format: "der", type })))) throw privateKeyGiven();
      key =
        tryCreate(() => crypto.createPublicKey({ key: der, format: "der", type: "spki" })) ??
        tryCreate(() => crypto.createPublicKey({ key: der, format: "der", type: "pkcs1" }));
    }
  }
  if (!key) throw new KeyFormatError("malformed", "This is not a public key: paste a PEM block or the base64 key text.");
  if (key.asymmetricKeyType !== "rsa") {
    throw new KeyFormatError("not_rsa", `This is ${key.asymmetricKeyType?.toUpperCase() ?? "a non-RSA"} key; OAuth 1.0a RSA-SHA1 needs an RSA key.`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw new KeyFormatError("too_small", `This RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required.`);
  assertNotTooLarge(key);
  return key;
}

/** An RSA key's modulus size in bits; 0 for any other kind of key. */
export function rsaModulusBits(key: crypto.KeyObject): number {
  return key.asymmetricKeyType === "rsa" ? (key.asymmetricKeyDetails?.modulusLength ?? 0) : 0;
}

/** Refuses an RSA key above MAX_RSA_BITS, naming its size. */
export function assertNotTooLarge(key: crypto.KeyObject): void {
  const bits = rsaModulusBits(key);
  if (bits > MAX_RSA_BITS) throw new KeyFormatError("too_large", `This RSA key has ${bits} bits; at most ${MAX_RSA_BITS} are accepted.`);
}

const PRIVATE_DER_TYPES = ["pkcs8", "pkcs1", "sec1"] as const;

function tryCreate(make: () => crypto.KeyObject): crypto.KeyObject | null {
  try {
    return make();
  } catch {
    return null;
  }
}

/** Reads a private key (PKCS#8 or PKCS#1 PEM). */
export function parsePrivateKey(pem: string): crypto.KeyObject {
  const key = tryCreate(() => crypto.createPrivateKey({ key: pem, format: "pem" }));
  if (!key) throw new KeyFormatError("malformed", "This is not a PEM private key.");
  if (key.asymmetricKeyType !== "rsa") throw new KeyFormatError("not_rsa", "An RSA private key is required.");
  assertNotTooLarge(key);
  return key;
}

/** SPKI PEM, as most tools want it. */
export function publicKeyPem(key: crypto.KeyObject): string {
  return key.export({ type: "spki", format: "pem" }).toString();
}

/** Bare base64 SPKI DER on one line, as Jira's application link forms want it. */
export function publicKeyBase64(key: crypto.KeyObject): string {
  return (key.export({ type: "spki", format: "der" }) as Buffer).toString("base64");
}

/** PKCS#8 PEM of a private key (only ever stored through the vault). */
export function privateKeyPem(key: crypto.KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

/** `SHA256:<base64>` of the SPKI DER, as admins compare keys. */
export function publicKeyFingerprint(key: crypto.KeyObject): string {
  const der = key.export({ type: "spki", format: "der" }) as Buffer;
  return `SHA256:${crypto.createHash("sha256").update(der).digest("base64").replace(/=+$/, "")}`;
}
