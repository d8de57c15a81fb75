import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";
import { jsonError } from "@/lib/api/handle-error";
import { log } from "@/lib/log";

type Context = { params: Promise<{ nextauth: string[] }> };

// GET|POST /api/auth/* – next-auth's sign-in, sign-out, CSRF and session endpoints. Requests
// next-auth would answer with a 500 (a GET to the credentials callback, a body that is not a
// form, one it cannot parse) are refused here with a 4xx first.
async function handler(req: Request, context: Context) {
  const [action] = (await context.params).nextauth ?? [];
  if (req.method === "GET" && action === "callback") return jsonError(405, "method_not_allowed", "Sign in by POSTing the sign-in form.", {}, { Allow: "POST" });
  if (req.method === "POST" && !/^application\/x-www-form-urlencoded\b/i.test(req.headers.get("content-type") ?? "")) {
    return jsonError(415, "unsupported_media_type", "Send the sign-in form as application/x-www-form-urlencoded.");
  }
  try {
    return await NextAuth(authOptions())(req, context);
  } catch (error) {
    log.info({ err: error, action }, "a sign-in request next-auth could not read");
    return jsonError(400, "bad_request", "The sign-in request could not be read.");
  }
}

export { handler as GET, handler as POST };
