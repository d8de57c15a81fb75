import shared from "@/lib/http/security-headers.json";
import { trustProxy } from "@/lib/http/trust-proxy.mjs";

/** Headers every answer carries, whatever serves it (see security-headers.json). */
export const STATIC_SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = shared.static;
/** API answers never run scripts or load anything under our origin. */
export const API_CONTENT_SECURITY_POLICY: string = shared.apiContentSecurityPolicy;
export const STRICT_TRANSPORT_SECURITY: string = shared.strictTransportSecurity;

/**
 * What every answer relayed from a linked application carries, set after the remote's headers:
 * a sandboxing policy (no script, no same-origin access, no cookies, no plug-ins, nothing loaded),
 * no sniffing, no framing, no cross-origin reads, no caching and no re-encoding on the way.
 */
export const PROXIED_RESPONSE_HEADERS: ReadonlyArray<{ key: string; value: string }> = shared.proxied;
export const PROXIED_CONTENT_SECURITY_POLICY: string = shared.proxied.find((h) => h.key === "Content-Security-Policy")!.value;

/** Sets PROXIED_RESPONSE_HEADERS on `headers`, replacing whatever the remote said under those names. */
export function sandboxProxied(headers: { set(name: string, value: string): unknown }): void {
  for (const { key, value } of PROXIED_RESPONSE_HEADERS) headers.set(key, value);
}

/** The proxy's path: `/api/v1/links/{id}/proxy/…`. */
export const PROXY_PATH = /^\/api\/v1\/links\/([^/?#]+)\/proxy\//;

/** Whether the browser reached us over https: the configured public URL, or a trusted proxy's word. */
export function servedOverHttps(forwardedProto: string | null | undefined, env: Record<string, string | undefined> = process.env): boolean {
  if ((env.APP_URL ?? env.NEXTAUTH_URL ?? "").startsWith("https://")) return true;
  return trustProxy(env) && forwardedProto === "https";
}
