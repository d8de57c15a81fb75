import { percentEncode } from "./encoding";

/**
 * The base string URI: scheme and host in lower case, the port only when it is not the scheme's
 * default, the path as sent (at least `/`), no query and no fragment.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.2
 */
export function baseStringUri(url: string | URL): string {
  const u = typeof url === "string" ? new URL(url) : url;
  // WHATWG URL already lower-cases the scheme and host and drops a default port.
  return `${u.protocol}//${u.host}${u.pathname || "/"}`;
}

/**
 * `METHOD&encoded-base-string-URI&encoded-normalized-parameters`.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.1
 */
export function signatureBaseString(method: string, uri: string, normalizedParameters: string): string {
  return [method.toUpperCase(), percentEncode(uri), percentEncode(normalizedParameters)].join("&");
}
