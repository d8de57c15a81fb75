export { trustProxy } from "@/lib/http/trust-proxy.mjs";

/**
 * The address of the client that sent a request. `scripts/serve.mjs` replaces any
 * `X-Forwarded-For` a client sent with the socket's address unless `TRUST_PROXY` is set, in which
 * case the last entry (the one the nearest proxy appended) is the client.
 */
export function clientIp(headers: Headers | Record<string, string | string[] | undefined>): string {
  const raw = headers instanceof Headers ? headers.get("x-forwarded-for") : headers["x-forwarded-for"];
  const value = Array.isArray(raw) ? raw.join(",") : raw;
  const last = value?.split(",").map((part) => part.trim()).filter(Boolean).pop();
  return last ? normaliseIp(last) : "unknown";
}

function normaliseIp(ip: string): string {
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}
