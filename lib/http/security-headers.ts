import shared from "@/lib/http/security-headers.json";

/** Headers every answer carries, whatever serves it (see security-headers.json). */
export const STATIC_SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = shared.static;
/** API answers (and anything proxied from a remote) never run scripts or load anything under our origin. */
export const API_CONTENT_SECURITY_POLICY: string = shared.apiContentSecurityPolicy;
export const STRICT_TRANSPORT_SECURITY: string = shared.strictTransportSecurity;

/** Whether the browser reached us over https: the configured public URL, or a trusted proxy's word. */
export function servedOverHttps(forwardedProto: string | null | undefined, env: Record<string, string | undefined> = process.env): boolean {
  if ((env.APP_URL ?? env.NEXTAUTH_URL ?? "").startsWith("https://")) return true;
  const trusted = /^(1|true|yes)$/i.test(env.TRUST_PROXY ?? "");
  return trusted && forwardedProto === "https";
}
