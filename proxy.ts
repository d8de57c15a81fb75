import { NextResponse, type NextRequest } from "next/server";
import { isActionLike, publicHostFor, refuseFormPost } from "@/lib/http/form-post-guard";
import { PAGE_PATH_HEADER } from "@/lib/http/page-path";
import { API_CONTENT_SECURITY_POLICY, PROXIED_CONTENT_SECURITY_POLICY, PROXY_PATH, servedOverHttps, STRICT_TRANSPORT_SECURITY } from "@/lib/http/security-headers";

/**
 * Per-request security headers: a nonce-based Content-Security-Policy (Next.js applies the nonce
 * to its own scripts when it finds the policy on the request) and HSTS when served over https.
 * The static headers (X-Frame-Options, nosniff, Referrer-Policy) are in next.config.js. Before
 * them, posts to pages that Next.js would answer with a 500 (from another site, or an action body
 * it cannot decode) are refused with a 403 or a 400 (lib/http/form-post-guard.ts).
 */
export async function proxy(request: NextRequest) {
  let forwardedHost: string | null = null;
  if (isActionLike(request, request.nextUrl.pathname)) {
    const refusal = await refuseFormPost(request);
    if (refusal) return NextResponse.json({ error: { code: refusal.code, message: refusal.message } }, { status: refusal.status });
    forwardedHost = publicHostFor(request);
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
  // Posted from the configured public URL through a proxy that did not forward the host: Next.js
  // compares the Origin with X-Forwarded-Host, which is then the public one.
  if (forwardedHost) requestHeaders.set("x-forwarded-host", forwardedHost);
  // The page asked for, for a sign-in that must come back to it (layouts are not given the URL).
  requestHeaders.set(PAGE_PATH_HEADER, request.nextUrl.pathname + request.nextUrl.search);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  if (servedOverHttps(request.headers.get("x-forwarded-proto"))) response.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  return response;
}

export const config = {
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico).*)" }],
};
