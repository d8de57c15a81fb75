import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";

/** How a request through a link is authenticated. `none`: the link's outgoing OAuth is off. */
export type AuthLevel = "3lo" | "2loi" | "2lo" | "none";

/** Who a request is made for: a person, or server-side code (optionally acting for a username). */
export type LinkCaller = Caller | { server: true; username?: string };

export const isServer = (as: LinkCaller): as is { server: true; username?: string } => "server" in as;

/** Where a person starts the 3-legged dance for a link (GET, in the browser). */
export function authorizePath(link: { id: string }, returnTo?: string): string {
  return `/api/v1/links/${encodeURIComponent(link.id)}/authorize${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ""}`;
}

export function authorizationRequired(link: Link, why = "needs you to authorize this app first (3-legged OAuth)"): AppError {
  return new AppError("authorization_required", `"${link.name}" ${why}.`, { extra: { authorizeUrl: authorizePath(link) } });
}

/**
 * Chooses the authentication as Atlassian's authenticated request factory does: the caller's own
 * 3LO token, else 2LO with impersonation as the caller, else plain 2LO when this caller may use
 * it (admins and server code, or every user where the link allows it: it runs as a fixed remote
 * user). A caller never gains more through a link than they could do themselves.
 */
export function chooseAuthLevel(link: Link, as: LinkCaller, demand?: Exclude<AuthLevel, "none">, has3loToken = false): AuthLevel {
  if (!link.outEnabled) {
    if (demand) throw new AppError("forbidden", `Outgoing OAuth is off for "${link.name}".`);
    return "none";
  }
  const username = as.username;
  const may = {
    "3lo": link.out3lo && has3loToken,
    "2loi": link.outImpersonation && !!username,
    "2lo": link.out2lo && (isServer(as) || as.role === "ADMIN" || link.out2loUsers),
  };
  if (demand) {
    if (!may[demand]) throw new AppError("forbidden", `${demand.toUpperCase()} is not allowed for this caller on "${link.name}".`);
    return demand;
  }
  const level = (["3lo", "2loi", "2lo"] as const).find((l) => may[l]);
  if (level) return level;
  if (link.out3lo && !isServer(as)) throw authorizationRequired(link);
  throw new AppError("forbidden", `No authentication configured on "${link.name}" is open to this caller.`);
}
