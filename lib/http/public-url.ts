import { requestUrl } from "@/lib/oauth1";
import { trustProxy } from "@/lib/http/client-ip";

/**
 * The base URL remote applications and browsers use for this app: `APP_URL` (or `NEXTAUTH_URL`)
 * when configured, else the origin the request came to (forwarded headers only behind a trusted proxy).
 */
export function publicBaseUrl(req: Request): string {
  const configured = (process.env.APP_URL ?? process.env.NEXTAUTH_URL)?.trim();
  if (configured) return configured.replace(/\/+$/, "");
  const url = new URL(req.url);
  if (!req.headers.get("host")) return url.origin;
  return requestUrl(url.pathname, req.headers, { trustProxy: trustProxy(), defaultProtocol: url.protocol === "https:" ? "https" : "http" }).origin;
}
