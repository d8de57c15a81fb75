import crypto from "node:crypto";
import type { AuthorizationCodeModel, Client, RefreshTokenModel, Token, User } from "@node-oauth/oauth2-server";
import type { Db } from "@/lib/db";
import { clientSecretMatches, redirectMatches } from "@/lib/incoming/oauth2/clients";
import { hashToken } from "@/lib/crypto/token-hash";
import { scopeList, scopeText } from "@/lib/auth/oauth2-scopes";
import { recordOAuth2Refusal } from "@/lib/incoming/oauth2/refusals";

/** Access tokens carry a prefix of their own, so a bearer value goes to one store by its prefix (API tokens: `ala_`). */
export const ACCESS_TOKEN_PREFIX = "alo2_";
export const REFRESH_TOKEN_PREFIX = "alo2r_";

const random = () => crypto.randomBytes(32).toString("base64url");

/** The client as the library sees it; `grants` are the grants this app offers (no implicit, no password). */
export interface ModelClient extends Client {
  id: string;
  linkId: string;
  redirectUris: string[];
  scopes: string[];
}

/** The person as the library carries them between steps; `grantId` on a refresh. */
export interface ModelUser extends User {
  id: string;
  grantId?: string;
}

/**
 * The storage of the authorization server (@node-oauth/oauth2-server's model) over this app's
 * database: clients per link, codes, grants and tokens, each by the SHA-256 of its value. The
 * library runs the protocol (client authentication, PKCE, redirect and scope checks, code and
 * refresh grants); this model adds what it leaves to the storage:
 * - a client always authenticates at the token endpoint (every client here is confidential), even
 *   on a PKCE request, which the library would otherwise let through with its client_id alone;
 * - a code and a refresh token are spent by a conditional update (`usedAt`/`spentAt` still null),
 *   so two instances can never both spend one; a second use of either revokes its whole grant
 *   (RFC 6819 §5.2.1.1, OAuth 2.1 §4.3.1);
 * - a disabled link, a disabled person, a revoked grant or a scope its client no longer has gives
 *   nothing.
 */
export function oauth2Model(db: Db): AuthorizationCodeModel & RefreshTokenModel {
  return {
    async getClient(clientId: string, clientSecret: string | null) {
      const row = await db.oAuth2Client.findUnique({ where: { clientId }, include: { link: { select: { id: true, disabled: true } } } });
      if (!row || row.link.disabled) return null;
      // null: the authorization endpoint, which identifies the client only; anything else is the
      // token endpoint, where the secret is required and must match.
      if (clientSecret !== null && (typeof clientSecret !== "string" || !clientSecretMatches(row, clientSecret))) {
        await recordOAuth2Refusal(db, row.linkId, "invalid_client");
        return null;
      }
      const client: ModelClient = { id: row.id, linkId: row.linkId, redirectUris: JSON.parse(row.redirectUris) as string[], scopes: scopeList(row.scopes), grants: ["authorization_code", "refresh_token"] };
      return client;
    },

    async validateRedirectUri(redirectUri: string, client: Client) {
      return redirectMatches((client as ModelClient).redirectUris, redirectUri);
    },

    async validateScope(_user: User, client: Client, scope?: string[]) {
      const allowed = (client as ModelClient).scopes;
      // No scope asked for: everything the client may ask for, shown on the consent page as such.
      if (!scope || scope.length === 0) return allowed;
      return scope.every((s) => allowed.includes(s)) ? scopeList(scopeText(scope)) : false;
    },

    generateAuthorizationCode: async () => random(),
    generateAccessToken: async () => ACCESS_TOKEN_PREFIX + random(),
    generateRefreshToken: async () => REFRESH_TOKEN_PREFIX + random(),

    async saveAuthorizationCode(code, client, user) {
      await db.oAuth2Code.create({
        data: {
          codeHash: hashToken(code.authorizationCode),
          clientRowId: client.id,
          userId: (user as ModelUser).id,
          scopes: scopeText(code.scope ?? []),
          redirectUri: code.redirectUri,
          codeChallenge: code.codeChallenge ?? null,
          codeChallengeMethod: code.codeChallengeMethod ?? null,
          expiresAt: code.expiresAt,
        },
      });
      return { ...code, client, user };
    },

    async getAuthorizationCode(authorizationCode: string) {
      const codeHash = hashToken(authorizationCode);
      const row = await db.oAuth2Code.findUnique({ where: { codeHash }, include: { user: { select: { disabled: true } }, client: { select: { linkId: true } } } });
      if (!row) return null;
      if (row.usedAt) {
        // A code used twice: whoever holds it now may not be the client. What its first use issued ends.
        await db.oAuth2Grant.updateMany({ where: { codeHash, revokedAt: null }, data: { revokedAt: new Date() } });
        await recordOAuth2Refusal(db, row.client.linkId, "invalid_grant", "an authorization code used a second time (what its first use issued is revoked)");
        return null;
      }
      if (row.user.disabled) return null;
      return {
        authorizationCode,
        expiresAt: row.expiresAt,
        redirectUri: row.redirectUri,
        scope: scopeList(row.scopes),
        client: { id: row.clientRowId, grants: [] },
        user: { id: row.userId } satisfies ModelUser,
        ...(row.codeChallenge ? { codeChallenge: row.codeChallenge, codeChallengeMethod: row.codeChallengeMethod ?? "S256" } : {}),
      };
    },

    async revokeAuthorizationCode(code) {
      const spent = await db.oAuth2Code.updateMany({ where: { codeHash: hashToken(code.authorizationCode), usedAt: null }, data: { usedAt: new Date() } });
      return spent.count === 1;
    },

    async saveToken(token: Token, client: Client, user: User) {
      const person = user as ModelUser;
      const scopes = scopeText(token.scope ?? []);
      const rows = (grantId: string) => [
        { tokenHash: hashToken(token.accessToken), grantId, kind: "access", expiresAt: token.accessTokenExpiresAt! },
        ...(token.refreshToken ? [{ tokenHash: hashToken(token.refreshToken), grantId, kind: "refresh", expiresAt: token.refreshTokenExpiresAt! }] : []),
      ];
      const grantId = await db.$transaction(async (tx) => {
        let id = person.grantId;
        if (!id) {
          const code = (token as Token & { authorizationCode?: string }).authorizationCode;
          id = (await tx.oAuth2Grant.create({ data: { clientRowId: client.id, userId: person.id, scopes, codeHash: hashToken(code ?? random()) } })).id;
        }
        await tx.oAuth2Token.createMany({ data: rows(id) });
        return id;
      });
      return { ...token, client, user: { ...person, grantId } };
    },

    async getRefreshToken(refreshToken: string) {
      const tokenHash = hashToken(refreshToken);
      const row = await db.oAuth2Token.findUnique({ where: { tokenHash }, include: { grant: { include: { user: { select: { disabled: true } }, client: { select: { linkId: true } } } } } });
      if (!row || row.kind !== "refresh" || row.grant.revokedAt) return null;
      if (row.spentAt) {
        // A refresh token used again after it was spent: it was copied. The whole grant ends.
        await db.oAuth2Grant.updateMany({ where: { id: row.grantId, revokedAt: null }, data: { revokedAt: new Date() } });
        await recordOAuth2Refusal(db, row.grant.client.linkId, "invalid_grant", "a refresh token used a second time (its authorization is revoked)");
        return null;
      }
      if (row.grant.user.disabled) return null;
      return {
        refreshToken,
        refreshTokenExpiresAt: row.expiresAt,
        scope: scopeList(row.grant.scopes),
        client: { id: row.grant.clientRowId, grants: [] },
        user: { id: row.grant.userId, grantId: row.grantId } satisfies ModelUser,
      };
    },

    async revokeToken(token) {
      const spent = await db.oAuth2Token.updateMany({ where: { tokenHash: hashToken(token.refreshToken), kind: "refresh", spentAt: null }, data: { spentAt: new Date() } });
      return spent.count === 1;
    },

    // Bearer tokens are checked by lib/incoming/oauth2/access.ts on the cached-read path, not by the library.
    async getAccessToken() {
      return null;
    },
  };
}
