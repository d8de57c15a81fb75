import { describeError } from "@/lib/describe-error";
import { OAuthProblemError } from "@/lib/oauth1";

export function jsonError(status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers?: HeadersInit, topLevel: Record<string, unknown> = {}) {
  return Response.json({ error: { code, message, ...extra }, ...topLevel }, { status, headers });
}

/**
 * The one place an API error becomes a response: `{error: {code, message}}` with a fitting status
 * (describeError), or an OAuth problem report for OAuth peers.
 */
export function handleApiError(error: unknown): Response {
  if (error instanceof OAuthProblemError) {
    // Reported as OAuth peers expect it: the problem in WWW-Authenticate and as a form body.
    return new Response(error.formBody(), {
      status: error.status,
      headers: { "WWW-Authenticate": error.wwwAuthenticate("applink-admin"), "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
    });
  }
  const described = describeError(error, "API");
  const challenge = described.challenge ?? (described.status === 401 ? 'Bearer realm="applink-admin"' : undefined);
  const headers = challenge ? { "WWW-Authenticate": challenge } : undefined;
  return jsonError(described.status, described.code, described.message, described.fields ? { fields: described.fields } : {}, headers, described.extra);
}
