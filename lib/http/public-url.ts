import { requestUrl } from "@/lib/oauth1";
import { trustProxy } from "@/lib/http/client-ip";

/** `APP_URL` (or `NEXTAUTH_URL`) without a trailing slash, or null when neither is set. */
export function configuredBaseUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  return (env.APP_URL ?? env.NEXTAUTH_URL)?.trim().replace(/\/+$/, "") || null;
}

/**
 * The base URL remote applications and browsers use for this app: `APP_URL` (or `NEXTAUTH_URL`)
 * when configured, else the origin the request came to (forwarded headers only behind a trusted proxy).
 */
export function publicBaseUrl(req: Request): string {
  const configured = configuredBaseUrl();
  if (configured) return configured;
  const url = new URL(req.url);
  if (!req.headers.get("host")) return url.origin;
  return requestUrl(url.pathname, req.headers, { trustProxy: trustProxy(), defaultProtocol: url.protocol === "https:" ? "https" : "http" }).origin;
}
