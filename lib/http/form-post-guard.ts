/**
 * Posts to the app's pages (server actions, and the plain form posts Next.js treats as possible
 * actions) that Next.js would answer with a 500: one from another site (its CSRF check throws),
 * and an action whose body cannot be decoded. Checked in proxy.ts before Next.js sees them, so they
 * get a 4xx in the API's error shape, with no stack trace.
 */

/** Paths that are route handlers, not pages: remotes post to them, with bodies of their own kinds. */
const NOT_PAGES = /^\/(api|_next)(\/|$)|^\/rest(\/(?!oauth2\/latest\/authorize(\/|$))|$)|^\/plugins\/servlet\/oauth\/(request-token|access-token|consumer-info)(\/|$)/;

export type FormPostRefusal = { status: 400 | 403; code: "bad_request" | "forbidden"; message: string };

/** Whether Next.js would take this request for a server action: a POST to a page with an action id, or a form's body. */
export function isActionLike(request: Request, pathname: string): boolean {
  if (request.method !== "POST" || NOT_PAGES.test(pathname)) return false;
  if (request.headers.has("next-action")) return true;
  const type = request.headers.get("content-type") ?? "";
  return /^\s*(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(type);
}

/**
 * The origins a page may be posted from: this request's own host (X-Forwarded-Host only when
 * scripts/serve.mjs let it through, behind a trusted proxy), and the configured public URL
 * (`APP_URL`), so posts through a reverse proxy that does not forward the host still work.
 */
function ownHosts(request: Request, env: Record<string, string | undefined>): string[] {
  const hosts = [request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || request.headers.get("host") || ""];
  const configured = (env.APP_URL ?? env.NEXTAUTH_URL)?.trim();
  if (configured) {
    try {
      hosts.push(new URL(configured).host);
    } catch {
      // A malformed APP_URL is reported where it is used; it grants nothing here.
    }
  }
  return hosts.filter(Boolean);
}

/**
 * The host Next.js should compare the Origin with, when the post came from the configured public
 * URL while the request names another host (a reverse proxy that does not forward it): Next.js's
 * own check would refuse it with a 500. Null when nothing needs changing.
 */
export function publicHostFor(request: Request, env: Record<string, string | undefined> = process.env): string | null {
  const origin = originHost(request);
  if (!origin) return null;
  const [requestHost, ...configured] = ownHosts(request, env);
  return origin !== requestHost && configured.includes(origin) ? origin : null;
}

function originHost(request: Request): string | null {
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return null;
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/**
 * Why an action-like post is refused, or null: 403 when its Origin is another site (a browser
 * always sends Origin with a form post; "null" comes from sandboxed or privacy-stripped pages), 400
 * when a server action's body is not what Next.js's client sends (a reply React can decode: JSON,
 * or a readable multipart form whose root field "0" is such JSON).
 */
export async function refuseFormPost(request: Request, env: Record<string, string | undefined> = process.env): Promise<FormPostRefusal | null> {
  const origin = request.headers.get("origin");
  if (origin !== null) {
    const host = originHost(request);
    if (!host || !ownHosts(request, env).includes(host)) return { status: 403, code: "forbidden", message: "This form was posted from another site." };
  }
  if (!request.headers.has("next-action")) return null;
  const malformed: FormPostRefusal = { status: 400, code: "bad_request", message: "The action's body could not be read: send it from the app's own page." };
  const type = request.headers.get("content-type") ?? "";
  try {
    if (/^\s*application\/x-www-form-urlencoded/i.test(type)) return null; // Next.js answers these itself, with a 404
    if (/^\s*multipart\/form-data/i.test(type)) {
      const form = await request.clone().formData();
      // The root is part "0"; every other numbered part is JSON of the same kind, pointed at from it.
      const parts = [...form.entries()].filter(([key]) => /^\d+$/.test(key));
      const whole = form.has("0") && parts.every(([, value]) => typeof value === "string" && isReply(value, form));
      return whole ? null : malformed;
    }
    return isReply(await request.clone().text(), null) ? null : malformed;
  } catch {
    return malformed;
  }
}

/**
 * The special strings React's reply decoder reads without looking elsewhere ("$$…" is an escaped
 * "$"; `$K<id>` a FormData argument, whose fields may be absent when it is empty).
 */
const SELF_CONTAINED = /^\$(\$|undefined$|NaN$|-?Infinity$|-0$|T$|K[0-9a-f]+$|D|n-?\d+$)/;
/** Those that point at another part of a multipart body by its (hex) id: a Promise, Map, Set, iterable, Blob or stream. */
const PART_REFERENCE = /^\$[@QWiBRrXx]([0-9a-f]+)$/;

/**
 * Whether `json` is a reply React's decoder can take: JSON whose special strings are the ones
 * Next.js's client sends for this app's actions, each reference naming a part that is there.
 * Anything else (a server function passed as an argument, a part that is missing) would make the
 * decoder throw, which Next.js answers with a 500.
 */
function isReply(json: string, form: FormData | null): boolean {
  let root: unknown;
  try {
    root = JSON.parse(json);
  } catch {
    return false;
  }
  const stack: unknown[] = [root];
  for (let seen = 0; stack.length; seen++) {
    if (seen > 100_000) return false;
    const value = stack.pop();
    if (typeof value === "string") {
      if (!value.startsWith("$") || SELF_CONTAINED.test(value)) continue;
      const part = PART_REFERENCE.exec(value);
      if (!part || !form?.has(String(parseInt(part[1]!, 16)))) return false;
    } else if (value && typeof value === "object") {
      for (const item of Array.isArray(value) ? value : Object.values(value)) stack.push(item);
    }
  }
  return true;
}
