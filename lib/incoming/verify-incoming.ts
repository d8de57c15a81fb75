import type { Db } from "@/lib/db";
import { log } from "@/lib/log";
import { verifyRequest, type Consumer, type ConsumerStore, type IncomingRequest, type NonceStore, type StoredToken, type TokenStore } from "@/lib/oauth1";
import { nonceStoreFor } from "@/lib/incoming/nonce-store";
import { integerSetting } from "@/lib/env/integer-setting";

/** Accepted clock difference for incoming OAuth requests, seconds (OAUTH_TIMESTAMP_WINDOW_SECONDS). */
export function timestampWindowSeconds(env: Record<string, string | undefined> = process.env): number {
  return integerSetting(env.OAUTH_TIMESTAMP_WINDOW_SECONDS, 300, { min: 30, max: 3600 });
}

/** The longest life an incoming Connect JWT may claim, seconds (CONNECT_JWT_MAX_LIFETIME_SECONDS, 60 s to a day; one hour by default). */
export function connectJwtMaxLifetimeSeconds(env: Record<string, string | undefined> = process.env): number {
  return integerSetting(env.CONNECT_JWT_MAX_LIFETIME_SECONDS, 3600, { min: 60, max: 86_400 });
}

/** The stores an incoming request is verified against. */
export interface IncomingStores<C extends Consumer, T extends StoredToken> {
  consumers: ConsumerStore<C>;
  tokens?: TokenStore<T>;
  nonces: NonceStore;
}

/** This app's nonce store for `db` (old nonces are purged by the background work, lib/background). */
export function incomingNonces(db: Db): NonceStore {
  return nonceStoreFor(db);
}

/**
 * Verifies an incoming OAuth request against the given stores and the configured window; on
 * `signature_invalid` the base string we computed is logged at debug level (never a key) so an
 * admin can compare it with the remote's.
 */
export function verifyIncoming<C extends Consumer, T extends StoredToken>(request: IncomingRequest, stores: IncomingStores<C, T>) {
  return verifyRequest(request, {
    ...stores,
    timestampWindowSeconds: timestampWindowSeconds(),
    onSignatureInvalid: ({ baseString, consumerKey, signatureMethod }) =>
      log.debug({ consumerKey, signatureMethod, baseString }, "oauth signature_invalid: the base string we computed"),
  });
}
