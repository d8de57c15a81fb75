import type { Db } from "@/lib/db";
import { cachedReads, type UserRow } from "@/lib/db/cached-reads";
import { lastUsedIsDue } from "@/lib/db/last-used";
import { AppError } from "@/lib/errors";
import { hashToken } from "@/lib/crypto/token-hash";
import { ACCESS_TOKEN_PREFIX } from "@/lib/incoming/oauth2/model";
import { recordOAuth2Refusal, recordOAuth2Success } from "@/lib/incoming/oauth2/refusals";
import { scopeList, type OAuth2Scope } from "@/lib/auth/oauth2-scopes";

/** Who an OAuth 2.0 access token acts for, through which link's client, with which scopes. */
export interface OAuth2Identity {
  user: UserRow;
  linkId: string;
  clientId: string;
  /** The scopes consented to that the client still has (an admin may have narrowed them since). */
  scopes: OAuth2Scope[];
}

export const isOAuth2AccessToken = (value: string) => value.startsWith(ACCESS_TOKEN_PREFIX);

/** A `WWW-Authenticate: Bearer …` challenge (RFC 6750 §3), quoted safely. */
export function bearerChallenge(parameters: Record<string, string>): string {
  const quote = (v: string) => `"${v.replace(/["\\\r\n]/g, " ")}"`;
  return ["Bearer realm=\"applink-admin\"", ...Object.entries(parameters).map(([k, v]) => `${k}=${quote(v)}`)].join(", ");
}

/** A refused access token: 401 invalid_token, said the way RFC 6750 says it. */
function invalidToken(description: string): AppError {
  return new AppError("unauthenticated", description, { extra: { oauth2Error: "invalid_token" }, challenge: bearerChallenge({ error: "invalid_token", error_description: description }) });
}

/** A token without the scope a request needs: 403 insufficient_scope, naming the scope (RFC 6750 §3.1). */
export function insufficientScope(needed: OAuth2Scope, message: string): AppError {
  return new AppError("forbidden", message, { extra: { oauth2Error: "insufficient_scope", scope: needed }, challenge: bearerChallenge({ error: "insufficient_scope", scope: needed, error_description: message }) });
}

/**
 * The person an OAuth 2.0 access token acts for, on the cached-read path (one prepared statement,
 * kept until a client, grant or token changes anywhere): refused as `invalid_token` when unknown,
 * expired, revoked (its grant, or OAuth 2.0 turned off), its link disabled or its person disabled.
 */
export async function authenticateOAuth2Token(db: Db, token: string, now = Date.now()): Promise<OAuth2Identity> {
  if (!isOAuth2AccessToken(token) || token.length > 200) throw invalidToken("The access token is not one this app issued.");
  const row = await cachedReads(db).oauth2AccessToken(hashToken(token));
  if (!row || row.kind !== "access") throw invalidToken("The access token is unknown or was revoked: authorize again.");
  const refuse = async (description: string) => {
    await recordOAuth2Refusal(db, row.linkId, "invalid_token", description);
    return invalidToken(description);
  };
  if (row.grantRevokedAt) throw await refuse("The access token was revoked: authorize again.");
  if (row.expiresAt.getTime() <= now) throw await refuse("The access token has expired: use the refresh token, or authorize again.");
  if (row.linkDisabled) throw await refuse("The link this application calls through is disabled here.");
  if (row.user.disabled) throw await refuse("The person who authorized this application is not active here.");
  if (lastUsedIsDue(row.grantLastUsedAt, now)) {
    await db.oAuth2Grant.update({ where: { id: row.grantId }, data: { lastUsedAt: new Date(now) } });
    await recordOAuth2Success(db, row.linkId);
  }
  const clientScopes = new Set(scopeList(row.clientScopes));
  return { user: row.user, linkId: row.linkId, clientId: row.clientId, scopes: scopeList(row.grantScopes).filter((s) => clientScopes.has(s)) };
}
