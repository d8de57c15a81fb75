import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { Caller } from "@/lib/auth/caller";
import { isFixedScheme } from "@/lib/outgoing/schemes";

/**
 * How a request through a link is authenticated. `none`: the link's outgoing authentication is
 * off; `fixed`: the link's one fixed credential (Basic, a personal access token, an API key);
 * `app`: this application itself, signed 2-legged with no user, never chosen for a caller: only
 * the diagnosis demands it, to read the remote's status of its link to us (which another Applink
 * Admin answers to the linked application itself, whatever levels it runs requests with); `oauth2`:
 * the person's own OAuth 2.0 token (authorization code, lib/outgoing/oauth2-*.ts).
 */
export type AuthLevel = "3lo" | "2loi" | "2lo" | "app" | "fixed" | "oauth2" | "none";

/** Who a request is made for: a person, or server-side code (optionally acting for a username). */
export type LinkCaller = Caller | { server: true; username?: string };

export const isServer = (as: LinkCaller): as is { server: true; username?: string } => "server" in as;

/** Where a person starts the 3-legged dance for a link (GET, in the browser). */
export function authorizePath(link: { id: string }, returnTo?: string): string {
  return `/api/v1/links/${encodeURIComponent(link.id)}/authorize${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ""}`;
}

/** Where the remote sends the browser back after consent (OAuth 1.0a 3LO and OAuth 2.0 alike): the redirect URL registered at the remote. */
export function callbackPath(link: { id: string }): string {
  return `/api/v1/links/${encodeURIComponent(link.id)}/oauth-callback`;
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
    if (demand) throw new AppError("forbidden", `Outgoing authentication is off for "${link.name}".`);
    return "none";
  }
  if (link.outScheme === "oauth2") {
    if (demand && demand !== "oauth2") throw new AppError("forbidden", `"${link.name}" runs requests as each person with OAuth 2.0, not ${demand.toUpperCase()}.`);
    // Each person's own token: server code names the person it acts for, and uses only their authorization.
    if (isServer(as) && !as.username) throw new AppError("forbidden", `"${link.name}" runs every request as a person with their own OAuth 2.0 authorization: server code must name the username it acts for.`);
    return "oauth2";
  }
  if (demand === "oauth2") throw new AppError("forbidden", `"${link.name}" does not use OAuth 2.0 (authorization code).`);
  if (isFixedScheme(link.outScheme)) {
    if (demand && demand !== "fixed") throw new AppError("forbidden", `"${link.name}" authenticates with ${link.outScheme}, not OAuth (${demand.toUpperCase()}).`);
    // One credential for everyone is one remote user for everyone: as plain 2LO, admins and server code only unless the link opens it.
    if (isServer(as) || as.role === "ADMIN" || link.out2loUsers) return "fixed";
    throw new AppError("forbidden", `"${link.name}" sends one fixed credential (${link.outScheme}), the same remote user for every caller: administrators and server code only, unless an administrator opens it to users.`);
  }
  if (demand === "fixed") throw new AppError("forbidden", `"${link.name}" authenticates with OAuth 1.0a, not a fixed credential.`);
  // The application's own signature: only server code (the diagnosis) asks for it by name.
  if (demand === "app") {
    if (!isServer(as)) throw new AppError("forbidden", `Only this application's own checks sign as the application on "${link.name}".`);
    return "app";
  }
  const username = as.username;
  const may: Record<"3lo" | "2loi" | "2lo", boolean> = {
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
