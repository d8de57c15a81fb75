import type { Db } from "@/lib/db";
import { handleApiError } from "@/lib/api/handle-error";
import { readBodyCapped } from "@/lib/http/read-body";
import { publicBaseUrl } from "@/lib/http/public-url";
import { authorizationServerMetadata, formParameters, revokeEndpoint, tokenEndpoint, type EndpointAnswer } from "@/lib/incoming/oauth2/server";

/** A token or revocation request is a small form: 64 KB is far more than any needs. */
const MAX_FORM_BYTES = 64 * 1024;

const answer = ({ status, body, headers }: EndpointAnswer) => Response.json(body, { status, headers });

const invalidRequest = (description: string) => answer({ status: 400, body: { error: "invalid_request", error_description: description }, headers: { "Cache-Control": "no-store" } });

/** The request's form body and headers as the authorization server reads them, or the answer refusing it. */
async function formRequest(req: Request): Promise<{ headers: Record<string, string>; body: Record<string, string> } | Response> {
  if (!/^\s*application\/x-www-form-urlencoded\b/i.test(req.headers.get("content-type") ?? "")) return invalidRequest("Send the parameters as application/x-www-form-urlencoded.");
  const bytes = await readBodyCapped(req.body as AsyncIterable<Uint8Array> | null, req.headers.get("content-length"), MAX_FORM_BYTES);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes ?? new Uint8Array());
  } catch {
    return invalidRequest("The body is not valid UTF-8.");
  }
  const body = formParameters(text);
  if ("status" in body && typeof body.status === "number") return answer(body as EndpointAnswer);
  const headers = Object.fromEntries(req.headers);
  // The library decides whether a body is there by its length header; a chunked request has none.
  headers["content-length"] = String(bytes?.length ?? 0);
  return { headers, body: body as Record<string, string> };
}

/** `POST /rest/oauth2/latest/token` (RFC 6749 §3.2). */
export async function oauth2TokenRoute(db: Db, req: Request): Promise<Response> {
  try {
    const input = await formRequest(req);
    if (input instanceof Response) return input;
    return answer(await tokenEndpoint(db, { method: req.method, ...input }));
  } catch (error) {
    return handleApiError(error);
  }
}

/** `POST /rest/oauth2/latest/revoke` (RFC 7009). */
export async function oauth2RevokeRoute(db: Db, req: Request): Promise<Response> {
  try {
    const input = await formRequest(req);
    if (input instanceof Response) return input;
    return answer(await revokeEndpoint(db, input));
  } catch (error) {
    return handleApiError(error);
  }
}

/** `GET /.well-known/oauth-authorization-server` (RFC 8414). */
export function oauth2MetadataRoute(req: Request): Response {
  return Response.json(authorizationServerMetadata(publicBaseUrl(req)), { headers: { "Cache-Control": "public, max-age=300" } });
}
