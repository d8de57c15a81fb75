import crypto from "node:crypto";

/**
 * Messages shown once after a redirect ("Created …", "… is authorized", "You declined …"): the
 * server puts them in a short-lived cookie signed with the session secret, for one page path, and
 * that page shows them. They never travel in the address, where anyone could write a message in
 * the app's own voice (`?oauthError=Call +1 555 …`). The cookie is not HttpOnly so the page can
 * clear it once shown (it holds nothing secret: the person's own message, signed so it cannot be
 * forged).
 */
export const FLASH_COOKIE = "applink_flash";
export const FLASH_SECONDS = 60;

export type FlashTone = "success" | "warning" | "error";
export interface FlashMessage {
  tone: FlashTone;
  text: string;
}

/** Cookies stay under 4 KB: longer messages are cut, and at most this much text is kept. */
const MAX_TEXT = 2500;

function mac(payload: string, secret: string): string {
  return crypto.createHmac("sha256", secret).update("applink-flash\0").update(payload).digest("base64url");
}

/** The cookie's value: messages for `path`, valid for FLASH_SECONDS from `now`. */
export function encodeFlash(path: string, messages: FlashMessage[], secret: string, now = Date.now()): string {
  let left = MAX_TEXT;
  const kept = messages.flatMap((m) => {
    if (left <= 0) return [];
    const text = m.text.length > left ? `${m.text.slice(0, left - 1)}…` : m.text;
    left -= text.length;
    return [{ tone: m.tone, text }];
  });
  const payload = Buffer.from(JSON.stringify({ p: path, e: now + FLASH_SECONDS * 1000, m: kept })).toString("base64url");
  return `${payload}.${mac(payload, secret)}`;
}

/** The flash cookie's attributes: Path=/ so the target page receives it, for FLASH_SECONDS. */
export function flashCookieOptions(secure: boolean) {
  return { path: "/", maxAge: FLASH_SECONDS, sameSite: "lax", secure } as const;
}

/** A `Set-Cookie` header that sets the flash (route handlers; server actions set `flashCookieOptions` through Next's cookies()). */
export function flashSetCookie(path: string, messages: FlashMessage[], secret: string, secure: boolean): string {
  const o = flashCookieOptions(secure);
  return [`${FLASH_COOKIE}=${encodeFlash(path, messages, secret)}`, `Path=${o.path}`, `Max-Age=${o.maxAge}`, "SameSite=Lax", ...(o.secure ? ["Secure"] : [])].join("; ");
}

/** The messages in a flash cookie for the page at `path`, or [] (none, another page's, expired, or not ours). */
export function readFlash(value: string | undefined, path: string, secret: string, now = Date.now()): FlashMessage[] {
  if (!value) return [];
  const [payload, signature] = value.split(".");
  if (!payload || !signature) return [];
  const expected = Buffer.from(mac(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return [];
  try {
    const flash = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { p: string; e: number; m: FlashMessage[] };
    if (flash.p !== path || !(flash.e > now) || !Array.isArray(flash.m)) return [];
    return flash.m.filter((m) => (m.tone === "success" || m.tone === "warning" || m.tone === "error") && typeof m.text === "string");
  } catch {
    return [];
  }
}
