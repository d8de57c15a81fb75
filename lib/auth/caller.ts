import type { UserRow } from "@/lib/db/cached-reads";
import type { Role } from "@/lib/validation/fields";
import type { OAuth2Scope } from "@/lib/auth/oauth2-scopes";

/**
 * The one model of who is calling, as every route, page, server action and the audit log see it.
 * How a caller is recognised from a request (a session, a token, a linked application's signature)
 * is the web layer's work (lib/api/resolve-caller.ts); this file says what a caller is and what the
 * way they came lets them do.
 */

/** The ways a person reaches this app themselves: a browser session, or their own API token. */
export const PERSONAL_VIAS = ["session", "token"] as const;
/** The ways a linked application acts for a person (OAuth 1.0a 2LO, 2LO with impersonation, 3LO; a Connect JWT; an OAuth 2.0 access token). */
export const DELEGATED_VIAS = ["oauth-2lo", "oauth-2loi", "oauth-3lo", "connect-jwt", "oauth2"] as const;

/** How a caller came: declared once, here. */
export type Via = (typeof PERSONAL_VIAS)[number] | (typeof DELEGATED_VIAS)[number];
/** How an actor in the audit log acted: as a caller, from the admin CLI, or as the app itself. */
export type ActorVia = Via | "cli" | "system";

/** Who did something: a signed-in person, an API token's owner, a linked application for a person, the CLI, or the app itself. */
export interface Actor {
  id: string | null;
  username: string;
  via: ActorVia;
}

/**
 * The delegated-access rule, stated once: every way of acting but a person's own (session, token)
 * and the app's own (the CLI, the system) is a linked application acting for a person, bounded by
 * its link and revocable with it. A new way (an OAuth 2.0 access token) is delegated unless it is
 * added to the personal ones here.
 */
export function isDelegatedVia(via: ActorVia): boolean {
  return !(PERSONAL_VIAS as readonly string[]).includes(via) && via !== "cli" && via !== "system";
}

/** Who is calling. Always read fresh from the database (through the cached reads). */
export interface Caller extends Actor, Pick<UserRow, "id" | "username" | "email" | "displayName"> {
  id: string;
  role: Role;
  via: Via;
  /** For a linked application's caller: its consumer key (OAuth) or issuer (Connect JWT)… */
  consumerKey?: string;
  /** …and the link it came through. */
  linkId?: string;
  /** For an OAuth 2.0 caller: the scopes its person consented to (lib/incoming/oauth2/scopes.ts). */
  scopes?: readonly OAuth2Scope[];
}

export function toCaller(user: UserRow, via: Via, linked?: { consumerKey: string; linkId: string; scopes?: readonly OAuth2Scope[] }): Caller {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    displayName: user.displayName,
    role: user.role === "ADMIN" ? "ADMIN" : "USER",
    via,
    ...(linked ? { consumerKey: linked.consumerKey, linkId: linked.linkId } : {}),
    ...(linked?.scopes ? { scopes: linked.scopes } : {}),
  };
}

/** Callers authenticated by delegation: a linked application acting for a person (see lib/api/with-caller.ts `Delegation`). */
export function isDelegated(caller: Caller): boolean {
  return isDelegatedVia(caller.via);
}

export function isAdmin(caller: Caller | null): caller is Caller & { role: "ADMIN" } {
  return caller?.role === "ADMIN";
}
