/**
 * Percent-encoding as OAuth 1.0a defines it: UTF-8, every byte outside the RFC 3986 unreserved set
 * (`A-Z a-z 0-9 - . _ ~`) as `%XX` with upper-case hex; a space is `%20`, never `+`.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.6
 */
export function percentEncode(value: string): string {
  // Fast path: most names and values (keys, nonces, timestamps) are unreserved already.
  if (UNRESERVED.test(value)) return value;
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

const NEEDS_DECODING = /[%+]/;

/**
 * Decodes one `application/x-www-form-urlencoded` component: `+` is a space, `%XX` a byte. A
 * malformed escape is kept literally (as browsers and oauthlib do), never an exception.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1
 */
export function formDecode(component: string): string {
  if (!NEEDS_DECODING.test(component)) return component;
  const spaced = component.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}
