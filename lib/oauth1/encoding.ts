/**
 * Percent-encoding as OAuth 1.0a defines it: UTF-8, every byte outside the RFC 3986 unreserved set
 * (`A-Z a-z 0-9 - . _ ~`) as `%XX` with upper-case hex; a space is `%20`, never `+`.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.6
 */
export function percentEncode(value: string): string {
  // Fast path: most names and values (keys, nonces, timestamps) are unreserved already.
  if (UNRESERVED.test(value)) return value;
  const encoded = encodeURIComponent(value);
  return SUB_DELIMS_LEFT.test(encoded) ? encoded.replace(SUB_DELIMS_LEFT_ALL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : encoded;
}

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
/** What `encodeURIComponent` leaves alone that RFC 3986 reserves. */
const SUB_DELIMS_LEFT = /[!'()*]/;
const SUB_DELIMS_LEFT_ALL = /[!'()*]/g;

/**
 * Decodes one `application/x-www-form-urlencoded` component: `+` is a space, `%XX` a byte. A
 * malformed escape is kept literally (as browsers and oauthlib do), never an exception.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1
 */
export function formDecode(component: string): string {
  if (component.indexOf("%") === -1 && component.indexOf("+") === -1) return component;
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
