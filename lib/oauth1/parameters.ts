import { formDecode, percentEncode } from "./encoding";
import { OAuthProblemError } from "./problems";

/** A request parameter as a decoded name and value. Order and repeats are kept. */
export type Param = [name: string, value: string];

/**
 * Splits a query string or form body into decoded pairs: `+` is a space, names are decoded too
 * (`fields%5B%5D` is `fields[]`), repeats and empty values are kept, a value keeps every `=` after
 * the first.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1
 */
export function parseFormEncoded(text: string): Param[] {
  if (!text) return [];
  return text
    .split("&")
    .filter((part) => part !== "")
    .map((part) => {
      const eq = part.indexOf("=");
      return eq === -1 ? [formDecode(part), ""] : [formDecode(part.slice(0, eq)), formDecode(part.slice(eq + 1))];
    });
}

const FORM = /^application\/x-www-form-urlencoded\b/i;

/**
 * Whether a body's parameters are signed: only `application/x-www-form-urlencoded` bodies are.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1
 */
export function isFormEncoded(contentType: string | null | undefined): boolean {
  return FORM.test(contentType ?? "");
}

/** What the parameters of a request are collected from. */
export interface ParameterSources {
  url: URL;
  contentType?: string | null;
  body?: string | Uint8Array | null;
  /** The `Authorization` header, on the provider's side (its `oauth_*` parameters are collected too). */
  authorization?: string | null;
}

/**
 * Collects the parameters a signature covers, on both sides of the wire: the `oauth_*`
 * parameters of an OAuth `Authorization` header (when given), the query, and a form-encoded body;
 * any other body is not signed (it is covered by `oauth_body_hash`).
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1
 */
export function collectParameters(sources: ParameterSources): { params: Param[]; isForm: boolean } {
  const header = (parseAuthorizationHeader(sources.authorization) ?? []).filter(([name]) => name.startsWith("oauth_"));
  const query = parseFormEncoded(sources.url.search.slice(1));
  const isForm = isFormEncoded(sources.contentType);
  const body = sources.body ?? null;
  const form = isForm && body !== null ? parseFormEncoded(typeof body === "string" ? body : Buffer.from(body).toString("utf8")) : [];
  return { params: [...header, ...query, ...form], isForm };
}

/**
 * Parses `Authorization: OAuth k="v", k2="v2"` (separators `,` with or without spaces, quoted
 * values percent-decoded, `realm` dropped). Returns null when the scheme is not OAuth.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1
 */
export function parseAuthorizationHeader(header: string | null | undefined): Param[] | null {
  if (!header) return null;
  let i = 0;
  const n = header.length;
  while (i < n && isSpace(header.charCodeAt(i))) i++;
  if (header.slice(i, i + 5).toLowerCase() !== "oauth" || (i + 5 < n && !isSpace(header.charCodeAt(i + 5)))) return null;
  i += 5;
  const params: Param[] = [];
  // name="value" pairs separated by "," (with or without spaces); values are percent-encoded.
  while (i < n) {
    while (i < n && (isSpace(header.charCodeAt(i)) || header[i] === ",")) i++;
    if (i >= n) break;
    const eq = header.indexOf("=", i);
    if (eq === -1 || header[eq + 1] !== '"') throw malformedHeader();
    const name = header.slice(i, eq).trim();
    const close = header.indexOf('"', eq + 2);
    if (!name || /[\s,"]/.test(name) || close === -1) throw malformedHeader();
    const value = header.slice(eq + 2, close);
    i = close + 1;
    while (i < n && isSpace(header.charCodeAt(i))) i++;
    if (i < n && header[i] !== ",") throw malformedHeader();
    const decodedName = formDecodeStrict(name);
    if (decodedName.toLowerCase() !== "realm") params.push([decodedName, formDecodeStrict(value)]);
  }
  return params;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

function malformedHeader(): OAuthProblemError {
  return new OAuthProblemError("parameter_rejected", { advice: 'The Authorization header is malformed: use OAuth name="value", name="value".' });
}

/** Header values are percent-encoded (a `+` stays a `+`). */
function formDecodeStrict(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    throw new OAuthProblemError("parameter_rejected", { advice: `Malformed percent-encoding in the Authorization header: "${value.slice(0, 40)}".` });
  }
}

/**
 * The normalized request parameters: encode names and values, sort by name then value (byte
 * order), join `name=value` pairs with `&`. `oauth_signature` is left out.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.2
 */
export function normalizeParameters(params: readonly Param[]): string {
  // 1. Percent-encode every name and value.
  const encoded = params.filter(([name]) => name !== "oauth_signature").map(([n, v]) => [percentEncode(n), percentEncode(v)] as const);
  // 2. Sort by name, then by value (ascending byte order; encoded strings are ASCII).
  encoded.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  // 3. and 4. Join each name to its value with "=", and the pairs with "&".
  return encoded.map(([n, v]) => `${n}=${v}`).join("&");
}
