import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { db } from "@/lib/db";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { SESSION_MAX_AGE_SECONDS, sessionCookieName, secureCookies } from "@/lib/auth/session-cookie";
import { sessionSecret } from "@/lib/env/secret-file";
import { clientIp } from "@/lib/http/client-ip";

/** next-auth v4: username and password, JWT sessions in an httpOnly, SameSite=Lax cookie. */
export function authOptions(): NextAuthOptions {
  const secure = secureCookies();
  return {
    secret: sessionSecret(),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    useSecureCookies: secure,
    cookies: {
      sessionToken: {
        name: sessionCookieName(),
        options: { httpOnly: true, sameSite: "lax", path: "/", secure },
      },
    },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Username and password",
        credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          const user = await signInWithPassword(db, {
            username: String(credentials?.username ?? ""),
            password: String(credentials?.password ?? ""),
            ip: clientIp((req?.headers ?? {}) as Record<string, string>),
          });
          // Thrown SignInErrors reach the form as `error=<message>`; their messages are safe to show.
          return { id: user.id, name: user.displayName, email: user.email, username: user.username };
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        // `authAt` survives next-auth's re-encoding of the cookie (which refreshes `iat`), so a
        // password reset or disable can end sessions issued before it (lib/auth/caller.ts).
        if (user) {
          token.uid = user.id;
          token.authAt = Date.now();
        }
        return token;
      },
      async session({ session, token }) {
        return { ...session, uid: token.uid };
      },
    },
    logger: {
      error: (code) => logError(code),
      warn: () => undefined,
      debug: () => undefined,
    },
  };
}

function logError(code: string) {
  // next-auth reports a thrown authorize() as an error; a refused sign-in is already logged.
  if (code === "CLIENT_FETCH_ERROR" || code === "CREDENTIALS_SIGNIN_ERROR") return;
  import("@/lib/log").then(({ log }) => log.error({ code }, "next-auth error"));
}
