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
export function parseFormEncoded(text: string, into: Param[] = []): Param[] {
  // An indexOf loop rather than split/filter/map: this runs on every signed request, both ways.
  let start = 0;
  const n = text.length;
  while (start <= n) {
    let end = text.indexOf("&", start);
    if (end === -1) end = n;
    if (end > start) {
      const eq = text.indexOf("=", start);
      into.push(eq === -1 || eq > end ? [formDecode(text.slice(start, end)), ""] : [formDecode(text.slice(start, eq)), formDecode(text.slice(eq + 1, end))]);
    }
    start = end + 1;
  }
  return into;
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
  const params: Param[] = [];
  for (const param of parseAuthorizationHeader(sources.authorization) ?? []) if (param[0].startsWith("oauth_")) params.push(param);
  const search = sources.url.search;
  if (search.length > 1) parseFormEncoded(search.slice(1), params);
  const isForm = isFormEncoded(sources.contentType);
  const body = sources.body ?? null;
  if (isForm && body !== null) parseFormEncoded(typeof body === "string" ? body : Buffer.from(body).toString("utf8"), params);
  return { params, isForm };
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
    while (i < n && (isSpace(header.charCodeAt(i)) || header.charCodeAt(i) === COMMA)) i++;
    if (i >= n) break;
    const eq = header.indexOf("=", i);
    if (eq === -1 || header.charCodeAt(eq + 1) !== QUOTE) throw malformedHeader();
    const name = header.slice(i, eq).trim();
    const close = header.indexOf('"', eq + 2);
    if (!name || close === -1 || !isHeaderName(name)) throw malformedHeader();
    const value = header.slice(eq + 2, close);
    i = close + 1;
    while (i < n && isSpace(header.charCodeAt(i))) i++;
    if (i < n && header.charCodeAt(i) !== COMMA) throw malformedHeader();
    const decodedName = formDecodeStrict(name);
    if (decodedName.length !== 5 || decodedName.toLowerCase() !== "realm") params.push([decodedName, formDecodeStrict(value)]);
  }
  return params;
}

/** No white space, comma or quote in a parameter name (a loop: this runs on every incoming request). */
function isHeaderName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === COMMA || c === QUOTE || isSpace(c) || c === 11 || c === 12 || (c > 127 && /\s/.test(name[i]!))) return false;
  }
  return true;
}

const COMMA = 44;
const QUOTE = 34;

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
  // 1. Percent-encode every name and value, as `name NUL value`: NUL sorts below every character an
  //    encoded name can hold, so one plain string sort orders by name, then by value (2.), in the
  //    byte order the RFC asks for (encoded strings are ASCII).
  const encoded: string[] = [];
  for (const [name, value] of params) if (name !== "oauth_signature") encoded.push(`${percentEncode(name)}\u0000${percentEncode(value)}`);
  encoded.sort();
  // 3. and 4. Join each name to its value with "=", and the pairs with "&".
  return encoded.join("&").replaceAll("\u0000", "=");
}
