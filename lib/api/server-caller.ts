import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { db } from "@/lib/db";
import { isDelegated, type Caller } from "@/lib/auth/caller";
import { resolveCaller } from "@/lib/api/resolve-caller";

/**
 * The caller of the current page or server action, or null. Pages and actions are a person's own
 * (a session, or their API token): a linked application's credential (an OAuth 2.0 access token;
 * signed requests cannot be checked here at all) is nobody here, so no action runs by delegation.
 */
export async function getServerCaller(): Promise<Caller | null> {
  try {
    const caller = await resolveCaller(db, await headers());
    return caller && !isDelegated(caller) ? caller : null;
  } catch {
    return null;
  }
}

/** For pages: the caller, or a redirect to sign-in that comes back to `path`. */
export async function requirePageCaller(path: string): Promise<Caller> {
  const caller = await getServerCaller();
  if (!caller) redirect(`/signin?callbackUrl=${encodeURIComponent(path)}`);
  return caller;
}
