import type { Db } from "@/lib/db";
import { safeReturnPath } from "@/lib/http/page-path";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { secureCookies } from "@/lib/auth/session-cookie";
import { publicBaseUrl } from "@/lib/http/public-url";
import { flashSetCookie } from "@/lib/http/flash";
import { sessionSecret } from "@/lib/env/secret-file";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { callbackPath } from "@/lib/outgoing/auth-level";
import { completeAuthorization, REQUEST_TOKEN_TTL_MS, startAuthorization } from "@/lib/outgoing/three-legged";
import { completeOAuth2Authorization, oauth2RedirectUrl, startOAuth2Authorization } from "@/lib/outgoing/oauth2-authorization";

const BINDING_COOKIE = "applink_oauth_binding";

/**
 * Back to the link page (or the page the person came from) with a one-line outcome that page
 * shows once (never an error dump): a flash cookie for that page, never text in the address.
 */
function backToLink(base: string, linkId: string, message: string, ok: boolean, returnTo?: string): Response {
  const target = new URL(ok && returnTo ? returnTo : `/links/${encodeURIComponent(linkId)}`, base);
  const flash = flashSetCookie(target.pathname, [{ tone: ok ? "success" : "error", text: message }], sessionSecret(), secureCookies());
  return new Response(null, { status: 302, headers: { Location: target.href, "Set-Cookie": flash, "Cache-Control": "no-store" } });
}


/** GET /api/v1/links/{id}/authorize: fetch a request token and send the browser to the remote. */
export async function beginAuthorization(db: Db, req: Request, caller: Caller, linkId: string): Promise<Response> {
  const base = publicBaseUrl(req);
  const link = await findLinkOrThrow(db, linkId);
  const returnTo = safeReturnPath(new URL(req.url).searchParams.get("returnTo"), `/links/${encodeURIComponent(link.id)}`);
  try {
    const start = link.outScheme === "oauth2" ? startOAuth2Authorization(db, link, caller, { redirectUrl: oauth2RedirectUrl(base, link.id), returnTo }) : startAuthorization(db, link, caller, { callbackUrl: `${base}${callbackPath(link)}`, returnTo });
    const { authorizeUrl, binding } = await start;
    const cookie = [
      `${BINDING_COOKIE}=${binding}`,
      `Path=${callbackPath(link)}`,
      `Max-Age=${REQUEST_TOKEN_TTL_MS / 1000}`,
      "HttpOnly",
      "SameSite=Lax",
      ...(secureCookies() ? ["Secure"] : []),
    ].join("; ");
    return new Response(null, { status: 302, headers: { Location: authorizeUrl, "Set-Cookie": cookie, "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof AppError) return backToLink(base, link.id, error.message, false);
    throw error;
  }
}

/** GET /api/v1/links/{id}/oauth-callback: the remote sends the browser back here after consent. */
export async function finishAuthorization(db: Db, req: Request, caller: Caller, linkId: string): Promise<Response> {
  const base = publicBaseUrl(req);
  const link = await findLinkOrThrow(db, linkId);
  const params = new URL(req.url).searchParams;
  const clear = `${BINDING_COOKIE}=; Path=${callbackPath(link)}; Max-Age=0; HttpOnly; SameSite=Lax`;
  const withClear = (response: Response) => {
    const headers = new Headers(response.headers);
    headers.append("Set-Cookie", clear);
    return new Response(null, { status: response.status, headers });
  };
  const binding = req.headers
    .get("cookie")
    ?.split(";")
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${BINDING_COOKIE}=`))
    ?.slice(BINDING_COOKIE.length + 1);
  // OAuth 2.0 comes back with `state` (and a code or an error); OAuth 1.0a with its token and verifier.
  const oauth2 = params.has("state");
  const problem = params.get("oauth_problem");
  const oauthToken = params.get("oauth_token");
  const verifier = params.get("oauth_verifier");
  if (!oauth2 && (problem || !oauthToken || !verifier)) {
    const why = problem === "user_refused" || problem === "permission_denied" ? `You declined to authorize ${link.name}.` : `${link.name} did not complete the authorization${problem ? ` (${problem})` : ""}. Try again.`;
    return withClear(backToLink(base, link.id, why, false));
  }
  try {
    const { returnTo } = oauth2
      ? await completeOAuth2Authorization(db, link, caller, { callback: new URL(req.url), binding, redirectUrl: oauth2RedirectUrl(base, link.id) })
      : await completeAuthorization(db, link, caller, { oauthToken: oauthToken!, verifier: verifier!, binding });
    return withClear(backToLink(base, link.id, `${link.name} is authorized: requests through it now run as you.`, true, returnTo));
  } catch (error) {
    if (error instanceof AppError) return withClear(backToLink(base, link.id, error.message, false));
    throw error;
  }
}
