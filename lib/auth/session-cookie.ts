import type { Env } from "@/lib/env/paths";
/**
 * Whether cookies are marked Secure: when this app is served over https (`NEXTAUTH_URL` or
 * `APP_URL` starts with https://). next-auth then names its cookie `__Secure-…`.
 */
export function secureCookies(env: Env = process.env): boolean {
  return (env.NEXTAUTH_URL ?? env.APP_URL ?? "").startsWith("https://");
}

export function sessionCookieName(env: Env = process.env): string {
  return `${secureCookies(env) ? "__Secure-" : ""}next-auth.session-token`;
}

/** Sessions last 12 hours; a sign-out or a password reset ends them earlier. */
export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;
