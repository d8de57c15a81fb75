/**
 * The scopes an external application may ask for, as Jira and Confluence Data Center name them.
 * Each includes the ones before it (WRITE reads too, ADMIN writes too, SYSTEM_ADMIN administers
 * too), and none ever gives more than the person who consented may do.
 */
export const OAUTH2_SCOPES = ["READ", "WRITE", "ADMIN", "SYSTEM_ADMIN"] as const;

export type OAuth2Scope = (typeof OAUTH2_SCOPES)[number];

/** What each scope allows, in the words the consent page and the link page use. */
export const SCOPE_WORDS: Record<OAuth2Scope, string> = {
  READ: "Read what you may read here: links, their status, and answers through links (GET and HEAD).",
  WRITE: "Also send any request through a link as you, and change what you may change that is not administration.",
  ADMIN: "Also administer links, their settings and users, if you are an administrator. Never credentials.",
  SYSTEM_ADMIN: "Also change this instance's settings, if you are an administrator. Never credentials.",
};

export function isOAuth2Scope(value: string): value is OAuth2Scope {
  return (OAUTH2_SCOPES as readonly string[]).includes(value);
}

/** Whether scopes granted include the one needed (a higher scope includes every lower one). */
export function scopeAllows(granted: readonly string[], needed: OAuth2Scope): boolean {
  const rank = OAUTH2_SCOPES.indexOf(needed);
  return granted.some((scope) => isOAuth2Scope(scope) && OAUTH2_SCOPES.indexOf(scope) >= rank);
}

/** Scopes as stored and sent: space-separated, in the order above, each once. */
export function scopeText(scopes: Iterable<string>): string {
  const given = new Set(scopes);
  return OAUTH2_SCOPES.filter((scope) => given.has(scope)).join(" ");
}

export function scopeList(text: string | null | undefined): OAuth2Scope[] {
  return (text ?? "").split(/\s+/).filter(isOAuth2Scope);
}
