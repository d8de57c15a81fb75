import { outgoingOAuthInUse } from "@/lib/outgoing/schemes";
import type { Db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { cachedReads } from "@/lib/db/cached-reads";
import { linkFetch } from "@/lib/outgoing/link-fetch";
import { proxyTarget } from "@/lib/outgoing/proxy-path";
import { authorizePath } from "@/lib/outgoing/auth-level";
import { problemAdvice } from "@/lib/outgoing/problem-advice";
import { rpcUrlOf } from "@/lib/outgoing/rpc-url";

export type TryOutcome =
  | { kind: "response"; status: number; contentType: string; body: string; truncated: boolean; oauthProblem: string | null }
  /** The remote refused the signed request (an oauth_problem): what it means, and Authorize when 3LO would let the person through as themselves. */
  | { kind: "problem"; problem: string; advice: string; authorizeUrl: string | null; canReset: boolean }
  | { kind: "authorize"; message: string; authorizeUrl: string }
  | { kind: "error"; code: string; message: string };

const MAX_SHOWN = 20_000;

/** What the console sends besides the path: a method, headers (filtered as the proxy filters them) and a text body. */
export interface ConsoleRequest {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  headers?: [string, string][];
  body?: string;
}

/**
 * `Name: value` per line → header pairs; a line that is not one is an error naming it (never a
 * header sent half-parsed).
 */
export function parseHeaderLines(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (!line.trim()) continue;
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!m || /[\0\r\n]/.test(m[2]!)) throw new AppError("validation_failed", `Line ${i + 1} is not a header ("Name: value").`, { fields: { headers: `Line ${i + 1} is not a header ("Name: value").` } });
    out.push([m[1]!, m[2]!]);
  }
  return out;
}

/**
 * GETs a path through a link as the caller, for a page to show: the answer (first 20 kB), or what
 * the person must do (authorize), or a classified error. Used by the request console.
 */
export async function tryLinkRequest(db: Db, caller: Caller, linkId: string, path: string, request: ConsoleRequest = {}): Promise<TryOutcome> {
  try {
    // The link as the proxy reads it (lib/outgoing/proxy-request.ts).
    const link = await cachedReads(db).linkById(linkId);
    if (!link) throw new AppError("not_found", "No such link.");
    const [rawPath, rawQuery = ""] = path.replace(/^\/+/, "").split(/\?(.*)/s, 2);
    const url = proxyTarget(rpcUrlOf(link), rawPath ?? "", rawQuery);
    const headers = new Headers({ accept: "application/json, application/xml;q=0.9, */*;q=0.5" });
    for (const [name, value] of request.headers ?? []) headers.set(name, value);
    const method = request.method ?? "GET";
    const body = request.body && method !== "GET" && method !== "DELETE" ? Buffer.from(request.body, "utf8") : null;
    const response = await linkFetch(db, link, { method, url, headers, body }, { as: caller, retry: { delaysMs: [] } });
    const contentType = response.headers.get("content-type") ?? "";
    const problem = response.headers.get("x-applink-oauth-problem");
    if (problem) {
      await response.body?.cancel().catch(() => undefined);
      return {
        kind: "problem",
        problem,
        advice: problemAdvice(problem),
        authorizeUrl: outgoingOAuthInUse(link) && link.out3lo ? authorizePath(link) : null,
        canReset: caller.role === "ADMIN",
      };
    }
    const text = readable(await response.text(), contentType);
    return {
      kind: "response",
      status: response.status,
      contentType,
      body: text.slice(0, MAX_SHOWN),
      truncated: text.length > MAX_SHOWN,
      oauthProblem: response.headers.get("x-applink-oauth-problem"),
    };
  } catch (error) {
    if (error instanceof AppError) {
      if (error.code === "authorization_required") return { kind: "authorize", message: error.message, authorizeUrl: String(error.extra?.authorizeUrl ?? "") };
      return { kind: "error", code: error.code, message: error.message };
    }
    throw error;
  }
}

/** JSON is shown indented (as it came when it does not parse). */
function readable(text: string, contentType: string): string {
  if (!/\bjson\b/i.test(contentType)) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
