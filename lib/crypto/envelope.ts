import crypto from "node:crypto";

/**
 * Envelope encryption with AES-256-GCM: each secret gets its own random data key; the data key is
 * wrapped by a master key. A sealed value reads `v1.<master key id>.<wrapped data key>.<payload>`
 * (base64url parts), so it names the key it needs and a master-key rotation re-wraps only the
 * data keys. The payload is bound to a context string (the record it belongs to): a ciphertext
 * moved to another record does not open.
 */
export const ENVELOPE_VERSION = "v1";

export class VaultError extends Error {
  constructor(
    readonly problem: "tampered" | "unknown_key" | "malformed" | "bad_master_key",
    message: string,
  ) {
    super(message);
    this.name = "VaultError";
  }
}

export interface MasterKey {
  id: string;
  key: Buffer;
}

/** A master key from 32 raw bytes; its id is a short hash, safe to store beside ciphertexts. */
export function masterKey(bytes: Buffer): MasterKey {
  if (bytes.length !== 32) throw new VaultError("bad_master_key", `A master key is 32 bytes; this one is ${bytes.length}.`);
  return { id: crypto.createHash("sha256").update(bytes).digest("hex").slice(0, 16), key: bytes };
}

/** Reads a base64 master key (as in APP_MASTER_KEY). */
export function masterKeyFromBase64(value: string): MasterKey {
  const bytes = Buffer.from(value.trim(), "base64");
  if (bytes.length !== 32 || bytes.toString("base64").replace(/=+$/, "") !== value.trim().replace(/=+$/, "")) {
    throw new VaultError("bad_master_key", "APP_MASTER_KEY must be 32 bytes in base64 (e.g. `openssl rand -base64 32`).");
  }
  return masterKey(bytes);
}

function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function gcmDecrypt(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < 28) throw new VaultError("malformed", "The ciphertext is truncated.");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, sealed.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
  } catch {
    throw new VaultError("tampered", "The ciphertext failed authentication: it was altered, or belongs to another record.");
  }
}

const WRAP_AAD = Buffer.from("applink-admin data key");

/** Encrypts `plaintext` for the record named by `context`. */
export function seal(plaintext: string | Buffer, master: MasterKey, context: string): string {
  const dataKey = crypto.randomBytes(32);
  const wrapped = gcmEncrypt(master.key, dataKey, WRAP_AAD);
  const payload = gcmEncrypt(dataKey, Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext, "utf8"), Buffer.from(context, "utf8"));
  dataKey.fill(0);
  return [ENVELOPE_VERSION, master.id, wrapped.toString("base64url"), payload.toString("base64url")].join(".");
}

function parse(sealed: string) {
  const parts = sealed.split(".");
  if (parts.length !== 4 || parts[0] !== ENVELOPE_VERSION || !parts.slice(1).every((p) => /^[\w-]+$/.test(p))) {
    throw new VaultError("malformed", "This is not a sealed value.");
  }
  return { keyId: parts[1]!, wrapped: Buffer.from(parts[2]!, "base64url"), payload: Buffer.from(parts[3]!, "base64url") };
}

function keyFor(keyId: string, keyring: readonly MasterKey[]): MasterKey {
  const key = keyring.find((k) => k.id === keyId);
  if (!key) throw new VaultError("unknown_key", `The master key ${keyId} that sealed this value is not configured.`);
  return key;
}

/** Decrypts a sealed value with whichever key of the ring sealed it. */
export function open(sealed: string, keyring: readonly MasterKey[], context: string): Buffer {
  const { keyId, wrapped, payload } = parse(sealed);
  const dataKey = gcmDecrypt(keyFor(keyId, keyring).key, wrapped, WRAP_AAD);
  try {
    return gcmDecrypt(dataKey, payload, Buffer.from(context, "utf8"));
  } finally {
    dataKey.fill(0);
  }
}

/** Re-wraps a sealed value's data key under `next`, leaving the payload untouched. */
export function rewrap(sealed: string, keyring: readonly MasterKey[], next: MasterKey): string {
  const { keyId, wrapped, payload } = parse(sealed);
  if (keyId === next.id) return sealed;
  const dataKey = gcmDecrypt(keyFor(keyId, keyring).key, wrapped, WRAP_AAD);
  const rewrapped = gcmEncrypt(next.key, dataKey, WRAP_AAD);
  dataKey.fill(0);
  return [ENVELOPE_VERSION, next.id, rewrapped.toString("base64url"), payload.toString("base64url")].join(".");
}

/** The master key id a sealed value names. */
export function sealedKeyId(sealed: string): string {
  return parse(sealed).keyId;
}
