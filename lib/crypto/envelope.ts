import crypto from "node:crypto";

/**
 * Envelope encryption with AES-256-GCM: each secret gets its own random data key; the data key is
 * wrapped by a master key. A sealed value reads `v1.<master key id>.<wrapped data key>.<payload>`
 * (base64url parts), so it names the key it needs and a master-key rotation re-wraps only the
 * data keys. The payload is bound to a context string (the record it belongs to): a ciphertext
 * moved to another record does not open.
 */
export const ENVELOPE_VERSION = "v1";

const VAULT_ERROR = Symbol.for("applink-admin.VaultError");

export class VaultError extends Error {
  /**
   * Recognised by a brand, not by class: Next.js bundles this module more than once in a process,
   * and the key provider (one per process, lib/vault/vault.ts) throws the class of whichever copy
   * opened it; `instanceof` in every other copy must still say yes (else its refusal would be a 500).
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [VAULT_ERROR]?: boolean })[VAULT_ERROR] === true;
  }

  readonly [VAULT_ERROR] = true;

  constructor(
    readonly problem: "tampered" | "unknown_key" | "malformed" | "bad_master_key" | "key_provider",
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

/** What every wrapped data key is bound to (the HSM's wrapping uses it too, lib/vault/pkcs11-provider.ts). */
export const WRAP_AAD = Buffer.from("applink-admin data key");

/** A data key wrapped under a master key held in memory (the file or environment key). */
export function wrapDataKey(master: MasterKey, dataKey: Buffer): Buffer {
  return gcmEncrypt(master.key, dataKey, WRAP_AAD);
}

/** The data key inside `wrapped`; a VaultError when it was altered or is under another key. */
export function unwrapDataKey(master: MasterKey, wrapped: Buffer): Buffer {
  return gcmDecrypt(master.key, wrapped, WRAP_AAD);
}

/** A sealed value's text: `v1.<master key id>.<wrapped data key>.<payload>`. */
function sealedText(keyId: string, wrapped: Buffer, payload: Buffer): string {
  return [ENVELOPE_VERSION, keyId, wrapped.toString("base64url"), payload.toString("base64url")].join(".");
}

/** A value sealed with a data key already wrapped (`wrapped`, under the master key `keyId`). */
export function sealWithDataKey(plaintext: string | Buffer, dataKey: Buffer, keyId: string, wrapped: Buffer, context: string): string {
  return sealedText(keyId, wrapped, gcmEncrypt(dataKey, Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext, "utf8"), Buffer.from(context, "utf8")));
}

/** The same sealed value with its data key wrapped again (`wrapped`, under the master key `keyId`); the payload is untouched. */
export function withRewrappedKey(sealed: string, keyId: string, wrapped: Buffer): string {
  return sealedText(keyId, wrapped, parseSealed(sealed).payload);
}

/** A sealed value's payload opened with its data key (already unwrapped). */
export function openWithDataKey(payload: Buffer, dataKey: Buffer, context: string): Buffer {
  return gcmDecrypt(dataKey, payload, Buffer.from(context, "utf8"));
}

/** Encrypts `plaintext` for the record named by `context`, with a data key of its own. */
export function seal(plaintext: string | Buffer, master: MasterKey, context: string): string {
  const dataKey = crypto.randomBytes(32);
  try {
    return sealWithDataKey(plaintext, dataKey, master.id, wrapDataKey(master, dataKey), context);
  } finally {
    dataKey.fill(0);
  }
}

/** A sealed value's parts: the master key id it names, its wrapped data key, its payload. */
export function parseSealed(sealed: string) {
  const parts = sealed.split(".");
  if (parts.length !== 4 || parts[0] !== ENVELOPE_VERSION || !parts.slice(1).every((p) => /^[\w-]+$/.test(p))) {
    throw new VaultError("malformed", "This is not a sealed value.");
  }
  return { keyId: parts[1]!, wrappedText: parts[2]!, wrapped: Buffer.from(parts[2]!, "base64url"), payload: Buffer.from(parts[3]!, "base64url") };
}

function keyFor(keyId: string, keyring: readonly MasterKey[]): MasterKey {
  const key = keyring.find((k) => k.id === keyId);
  if (!key) throw new VaultError("unknown_key", `The master key ${keyId} that sealed this value is not configured.`);
  return key;
}

/** Decrypts a sealed value with whichever key of the ring sealed it. */
export function open(sealed: string, keyring: readonly MasterKey[], context: string): Buffer {
  const { keyId, wrapped, payload } = parseSealed(sealed);
  const dataKey = unwrapDataKey(keyFor(keyId, keyring), wrapped);
  try {
    return openWithDataKey(payload, dataKey, context);
  } finally {
    dataKey.fill(0);
  }
}

/** Re-wraps a sealed value's data key under `next`, leaving the payload untouched. */
export function rewrap(sealed: string, keyring: readonly MasterKey[], next: MasterKey): string {
  const { keyId, wrapped, payload } = parseSealed(sealed);
  if (keyId === next.id) return sealed;
  const dataKey = unwrapDataKey(keyFor(keyId, keyring), wrapped);
  const rewrapped = wrapDataKey(next, dataKey);
  dataKey.fill(0);
  return sealedText(next.id, rewrapped, payload);
}

/** The master key id a sealed value names. */
export function sealedKeyId(sealed: string): string {
  return parseSealed(sealed).keyId;
}
