import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { verifyRequest, type Consumer, type ConsumerStore, type IncomingRequest, type StoredToken, type TokenStore } from "@/lib/oauth1";
import { prismaNonceStore } from "@/lib/oauth-provider/nonce-store";

/** Accepted clock difference for incoming OAuth requests, seconds (OAUTH_TIMESTAMP_WINDOW_SECONDS). */
export function timestampWindowSeconds(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.OAUTH_TIMESTAMP_WINDOW_SECONDS);
  return Number.isInteger(n) && n >= 30 && n <= 3600 ? n : 300;
}

const nonces = prismaNonceStore(db, timestampWindowSeconds());

/**
 * Verifies an incoming OAuth request against this app's stores: nonces in the database, the
 * configured window, and on `signature_invalid` the base string we computed logged at debug level
 * (never a key) so an admin can compare it with the remote's.
 */
export function verifyIncoming<C extends Consumer, T extends StoredToken>(request: IncomingRequest, consumers: ConsumerStore<C>, tokens?: TokenStore<T>) {
  return verifyRequest(request, {
    consumers,
    tokens,
    nonces,
    timestampWindowSeconds: timestampWindowSeconds(),
    onSignatureInvalid: ({ baseString, consumerKey, signatureMethod }) =>
      log.debug({ consumerKey, signatureMethod, baseString }, "oauth signature_invalid: the base string we computed"),
  });
}
