// The one place TRUST_PROXY is read: the server (scripts/serve.mjs, plain JavaScript) and the app
// (lib/http/client-ip.ts) both ask here, so they can never disagree about it.

/**
 * Whether this app sits behind a reverse proxy whose X-Forwarded-* headers it trusts.
 * @param {Record<string, string | undefined>} [env]
 * @returns {boolean}
 */
export function trustProxy(env = process.env) {
  return /^(1|true|yes)$/i.test(env.TRUST_PROXY?.trim() ?? "");
}
