import crypto from "node:crypto";

/**
 * How a high-entropy credential is kept when only its check is needed (API tokens, the tokens and
 * verifiers this app issues to linked applications, OAuth 2.0 client secrets, codes and tokens):
 * its SHA-256, hex. 256 random bits need no slow hash.
 */
export function hashToken(value: string): string {
  return crypto.hash("sha256", value, "hex");
}

/** Two SHA-256 hex digests compared in constant time, as every secret comparison here is. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && crypto.timingSafeEqual(x, y);
}
