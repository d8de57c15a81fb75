import type crypto from "node:crypto";
import type { Consumer, NonceStore, StoredToken, TokenStore, VerifyOptions } from "./verify-request";

/** In-memory stores for tests and scripts: the verifier's interfaces, nothing more. */
export function memoryNonceStore(): NonceStore & { size(): number } {
  const seen = new Set<string>();
  return {
    async isUsed(consumerKey, nonce) {
      return seen.has(`${consumerKey}\0${nonce}`);
    },
    async use(consumerKey, nonce) {
      const key = `${consumerKey}\0${nonce}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    },
    size: () => seen.size,
  };
}

export function memoryTokenStore<T extends StoredToken>(tokens: Record<string, T>): TokenStore<T> {
  return { findToken: async (_consumer, token) => tokens[token] ?? null };
}

export function memoryOptions(
  consumers: Consumer[],
  extra: Partial<VerifyOptions<Consumer, StoredToken>> = {},
): VerifyOptions<Consumer, StoredToken> {
  return {
    consumers: { findConsumer: async (key) => consumers.find((c) => c.key === key) ?? null },
    nonces: memoryNonceStore(),
    ...extra,
  };
}

export type { crypto };
