import { NextResponse, type NextRequest } from "next/server";
import { PAGE_PATH_HEADER } from "@/lib/http/page-path";
import { API_CONTENT_SECURITY_POLICY, PROXIED_CONTENT_SECURITY_POLICY, PROXY_PATH, servedOverHttps, STRICT_TRANSPORT_SECURITY } from "@/lib/http/security-headers";

/**
 * Per-request security headers: a nonce-based Content-Security-Policy (Next.js applies the nonce
 * to its own scripts when it finds the policy on the request) and HSTS when served over https.
 * The static headers (X-Frame-Options, nosniff, Referrer-Policy) are in next.config.js.
 */
export function proxy(request: NextRequest) {
  if (isForeignServerAction(request)) {
    return NextResponse.json({ error: { code: "forbidden", message: "This form was posted from another site." } }, { status: 403 });
  }
  const isApi = request.nextUrl.pathname.startsWith("/api/");
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const dev = process.env.NODE_ENV === "development";
  const policy = PROXY_PATH.test(request.nextUrl.pathname)
    ? PROXIED_CONTENT_SECURITY_POLICY
    : isApi
    ? API_CONTENT_SECURITY_POLICY
    : [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
        `style-src 'self' 'nonce-${nonce}'`,
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join("; ");

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  // The page asked for, for a sign-in that must come back to it (layouts are not given the URL).
  requestHeaders.set(PAGE_PATH_HEADER, request.nextUrl.pathname + request.nextUrl.search);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  if (servedOverHttps(request.headers.get("x-forwarded-proto"))) response.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  return response;
}

/**
 * A server action posted with an Origin that is not this host (a cross-site form): Next.js refuses
 * it with a 500; it is a 403. The same comparison Next.js makes: Origin's host against
 * X-Forwarded-Host (present only behind a trusted proxy, see scripts/serve.mjs) or Host.
 */
function isForeignServerAction(request: NextRequest): boolean {
  if (request.method !== "POST" || !request.headers.has("next-action")) return false;
  const origin = request.headers.get("origin");
  if (!origin) return false;
  const host = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || request.headers.get("host");
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

export const config = {
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico).*)" }],
};
