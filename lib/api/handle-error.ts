import { ZodError } from "zod";
import { AppError } from "@/lib/errors";
import { fieldErrors } from "@/lib/validation/fields";
import { log } from "@/lib/log";
import { isUnstorableText } from "@/lib/db/dialect";
import { OAuthProblemError } from "@/lib/oauth1";

export function jsonError(status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers?: HeadersInit, topLevel: Record<string, unknown> = {}) {
  return Response.json({ error: { code, message, ...extra }, ...topLevel }, { status, headers });
}

function prismaCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && /^P\d{4}$/.test(code) ? code : undefined;
}

/**
 * The one place an API error becomes a response: `{error: {code, message}}` with a fitting status.
 * Anything unexpected is logged and answered with a generic 500, never a stack trace.
 */
export function handleApiError(error: unknown): Response {
  if (error instanceof ZodError) {
    return jsonError(400, "validation_failed", "Some fields are not valid.", { fields: fieldErrors(error) });
  }
  if (error instanceof OAuthProblemError) {
    // Reported as OAuth peers expect it: the problem in WWW-Authenticate and as a form body.
    return new Response(error.formBody(), {
      status: error.status,
      headers: { "WWW-Authenticate": error.wwwAuthenticate("applink-admin"), "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
    });
  }
  if (error instanceof AppError) {
    const headers = error.status === 401 ? { "WWW-Authenticate": 'Bearer realm="applink-admin"' } : undefined;
    return jsonError(error.status, error.code, error.message, error.fields ? { fields: error.fields } : {}, headers, error.extra);
  }
  const code = prismaCode(error);
  if (code === "P2025") return jsonError(404, "not_found", "Not found.");
  if (code === "P2002") return jsonError(409, "conflict", "That would duplicate an existing record.");
  if (isUnstorableText(error)) return jsonError(400, "bad_request", "Text must not contain NUL characters.");
  const id = crypto.randomUUID();
  log.error({ err: error, errorId: id }, "unhandled API error");
  return jsonError(500, "internal_error", `Something went wrong on our side (error id ${id}).`);
}
