import crypto from "node:crypto";
import { percentEncode } from "./encoding";

/**
 * The signature methods RFC 5849 defines.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4
 */
export const SIGNATURE_METHODS = ["RSA-SHA1", "HMAC-SHA1", "PLAINTEXT"] as const;
export type SignatureMethod = (typeof SIGNATURE_METHODS)[number];

/** @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4 */
export function isSignatureMethod(value: string): value is SignatureMethod {
  return (SIGNATURE_METHODS as readonly string[]).includes(value);
}

/**
 * The HMAC-SHA1 and PLAINTEXT key: encoded consumer secret `&` encoded token secret.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2
 */
export function signingKey(consumerSecret = "", tokenSecret = ""): string {
  return `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
}

/**
 * RSASSA-PKCS1-v1_5 over SHA-1, base64. The callback form of `crypto.sign` runs in libuv's pool,
 * off the main thread: RSA is the whole cost of a signed request.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.3
 */
export function signRsaSha1(baseString: string, privateKey: crypto.KeyObject): Promise<string> {
  return new Promise((resolve, reject) => {
    crypto.sign("sha1", Buffer.from(baseString, "utf8"), privateKey, (error, signature) => (error ? reject(error) : resolve(signature.toString("base64"))));
  });
}

/** `signRsaSha1` on the calling thread (see SignOptions.inPlace). */
export function signRsaSha1InPlace(baseString: string, privateKey: crypto.KeyObject): string {
  return crypto.sign("sha1", Buffer.from(baseString, "utf8"), privateKey).toString("base64");
}

/**
 * Checks an RSA-SHA1 signature; a malformed signature or key is a failed check, never a throw.
 * Synchronous on purpose: a 2048-bit public-key check takes about 36 µs here, less than a hop to
 * libuv's pool and back (about 170 µs of latency), so unlike signing it is done in place.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.3
 */
export function verifyRsaSha1(baseString: string, signature: string, publicKey: crypto.KeyObject): boolean {
  const bytes = decodeBase64(signature);
  if (!bytes) return false;
  try {
    return crypto.verify("sha1", Buffer.from(baseString, "utf8"), publicKey, bytes);
  } catch {
    return false;
  }
}

/** @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2 */
export function signHmacSha1(baseString: string, key: string): string {
  return crypto.createHmac("sha1", key).update(baseString, "utf8").digest("base64");
}

/** Constant-time HMAC-SHA1 check. @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2 */
export function verifyHmacSha1(baseString: string, signature: string, key: string): boolean {
  const given = decodeBase64(signature);
  const expected = crypto.createHmac("sha1", key).update(baseString, "utf8").digest();
  return !!given && given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** PLAINTEXT: the signature is the key itself. @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.4 */
export function verifyPlaintext(signature: string, key: string): boolean {
  const a = crypto.createHash("sha256").update(signature).digest();
  const b = crypto.createHash("sha256").update(key).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * `oauth_body_hash`: base64 SHA-1 of the raw body bytes, for bodies the signature does not cover.
 * @see https://datatracker.ietf.org/doc/html/draft-eaton-oauth-bodyhash-00#section-3.1
 */
export function bodyHash(body: string | Uint8Array): string {
  return crypto.createHash("sha1").update(body).digest("base64");
}

/**
 * Strict base64 (RFC 4648 §4, padded): Node's decoder skips characters outside the alphabet, so a
 * value holding one decodes to fewer bytes than its length promises; `-` and `_` (base64url) are
 * the two it would take silently. Cheaper than a regular expression over a 344-character signature.
 */
function decodeBase64(value: string): Buffer | null {
  const length = value.length;
  if (length === 0 || length % 4 !== 0 || value.includes("-") || value.includes("_")) return null;
  const padding = value.charCodeAt(length - 1) === 61 ? (value.charCodeAt(length - 2) === 61 ? 2 : 1) : 0;
  const bytes = Buffer.from(value, "base64");
  return bytes.length === (length / 4) * 3 - padding ? bytes : null;
}

/**
 * CSPRNG bytes taken 4 KiB at a time and handed out once each, as `crypto.randomUUID` does:
 * one `randomBytes` call costs about 11 µs here whatever its size, as much as the rest of signing.
 */
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;
function pooledRandomBytes(length: number): Buffer {
  if (randomOffset + length > randomPool.length) {
    randomPool = crypto.randomBytes(Math.max(RANDOM_POOL_BYTES, length));
    randomOffset = 0;
  }
  const bytes = randomPool.subarray(randomOffset, randomOffset + length);
  randomOffset += length;
  return bytes;
}

/**
 * 20–30 alphanumeric characters (24 here) from the CSPRNG: what every peer's default accepts.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.3
 */
export function generateNonce(length = 24): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const bytes = pooledRandomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % 62];
  return out;
}
