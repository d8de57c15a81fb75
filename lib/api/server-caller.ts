import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { db } from "@/lib/db";
import type { Caller } from "@/lib/auth/caller";
import { resolveCaller } from "@/lib/api/resolve-caller";

/** The caller of the current page or server action, or null. */
export async function getServerCaller(): Promise<Caller | null> {
  try {
    return await resolveCaller(db, await headers());
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
