import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";

/** Whether a link is an external application that only calls in (OAuth 2.0): it has no RPC URL, and this app never calls it. */
export const isIncomingOnly = (link: Pick<Link, "rpcUrl">): boolean => link.rpcUrl === null;

/**
 * The URL this app calls a link at; for an incoming-only link, a 409 saying why nothing is sent and
 * how to change that. Every outgoing path asks here, so none builds a URL from nothing.
 */
export function rpcUrlOf(link: Pick<Link, "rpcUrl" | "name">): string {
  if (link.rpcUrl === null) {
    throw new AppError("conflict", `"${link.name}" is an external application that only calls in: it has no RPC URL, so this app sends it nothing. Give the link an RPC URL first to call it.`);
  }
  return link.rpcUrl;
}
