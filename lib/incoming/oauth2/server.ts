import OAuth2Server, { OAuthError, Request as OAuthRequest, Response as OAuthResponse } from "@node-oauth/oauth2-server";
import type { Db } from "@/lib/db";
import { log } from "@/lib/log";
import { clientSecretMatches, redirectMatches } from "@/lib/incoming/oauth2/clients";
import { hashToken } from "@/lib/crypto/token-hash";
import { oauth2Model, type ModelClient } from "@/lib/incoming/oauth2/model";
import { recordOAuth2Refusal, recordOAuth2Success, type OAuth2Refusal } from "@/lib/incoming/oauth2/refusals";
import { OAUTH2_SCOPES, scopeList, type OAuth2Scope } from "@/lib/auth/oauth2-scopes";
import { integerSetting } from "@/lib/env/integer-setting";

/** How long an authorization code lives: at most 10 minutes (RFC 6749 §4.1.2). */
export const CODE_SECONDS = 600;

/** Access tokens' life, seconds (OAUTH2_ACCESS_TOKEN_SECONDS, 5 minutes to a day; one hour by default, as Atlassian's). */
export function accessTokenSeconds(env: Record<string, string | undefined> = process.env): number {
  return integerSetting(env.OAUTH2_ACCESS_TOKEN_SECONDS, 3600, { min: 300, max: 86_400 });
}

/** Refresh tokens' life, days (OAUTH2_REFRESH_TOKEN_DAYS, 1 to 365; 90 by default, as Atlassian's). */
export function refreshTokenDays(env: Record<string, string | undefined> = process.env): number {
  return integerSetting(env.OAUTH2_REFRESH_TOKEN_DAYS, 90, { min: 1, max: 365 });
}

/**
 * The authorization server: @node-oauth/oauth2-server (maintained, RFC 6749 and 7636) over this
 * app's storage (model.ts), with the authorization-code and refresh grants only, PKCE `plain`
 * refused, a refresh token on every code and a new one on every refresh.
 */
function server(db: Db): OAuth2Server {
  return new OAuth2Server({
    model: oauth2Model(db),
    accessTokenLifetime: accessTokenSeconds(),
    refreshTokenLifetime: refreshTokenDays() * 86_400,
    authorizationCodeLifetime: CODE_SECONDS,
    allowEmptyState: true,
    alwaysIssueNewRefreshToken: true,
    requireClientAuthentication: { authorization_code: true, refresh_token: true },
  });
}

/** Parameters of an authorization request, first value of each. */
export type AuthorizationParams = Partial<Record<"response_type" | "client_id" | "redirect_uri" | "scope" | "state" | "code_challenge" | "code_challenge_method", string>>;

export type AuthorizationCheck =
  /** An unknown client or a redirect URL that does not match: said here, never sent anywhere (RFC 6749 §4.1.2.1). */
  | { kind: "refused"; message: string }
  /** Anything else wrong: sent back to the client's redirect URL as an error. */
  | { kind: "redirect"; location: string }
  | { kind: "consent"; applicationName: string; applicationUrl: string; linkId: string; scopes: OAuth2Scope[]; redirectUri: string };

/** The redirect URL with an error for the client (RFC 6749 §4.1.2.1), its own query kept. */
export function errorRedirect(redirectUri: string, error: string, description: string, state?: string): string {
  const url = new URL(redirectUri);
  url.searchParams.set("error", error);
  url.searchParams.set("error_description", description);
  if (state) url.searchParams.set("state", state);
  return url.href;
}

const CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * Checks an authorization request before the consent page shows it: the client and its redirect
 * URL first (refused here when either is wrong), then everything a client may be told about.
 */
export async function checkAuthorizationRequest(db: Db, params: AuthorizationParams): Promise<AuthorizationCheck> {
  const row = params.client_id ? await db.oAuth2Client.findUnique({ where: { clientId: params.client_id }, include: { link: true } }) : null;
  if (!row) return { kind: "refused", message: "This application is not known here (no OAuth 2.0 client has this client_id). Check the client id it was configured with." };
  if (row.link.disabled) return { kind: "refused", message: `The link to "${row.link.name}" is disabled here.` };
  const registered = JSON.parse(row.redirectUris) as string[];
  let redirectUri = params.redirect_uri;
  if (!redirectUri) {
    if (registered.length !== 1) return { kind: "refused", message: "The request names no redirect_uri, and this application has several: it must name one." };
    redirectUri = registered[0]!;
  } else if (!redirectMatches(registered, redirectUri)) {
    await recordOAuth2Refusal(db, row.linkId, "redirect_uri_mismatch", redirectUri);
    return { kind: "refused", message: `The redirect URL ${redirectUri} is not one registered for "${row.link.name}" here. An administrator can add it on the link's page (Incoming, OAuth 2.0).` };
  }
  const back = (error: string, description: string): AuthorizationCheck => ({ kind: "redirect", location: errorRedirect(redirectUri, error, description, params.state) });
  if (params.response_type !== "code") return back("unsupported_response_type", "Only response_type=code is supported.");
  if (params.code_challenge_method && params.code_challenge_method !== "S256") return back("invalid_request", "Only the S256 code_challenge_method is accepted.");
  if (params.code_challenge_method && !params.code_challenge) return back("invalid_request", "code_challenge_method without code_challenge.");
  if (params.code_challenge && !CHALLENGE.test(params.code_challenge)) return back("invalid_request", "code_challenge is not 43 to 128 characters of A-Z a-z 0-9 - . _ ~.");
  if (params.code_challenge && !params.code_challenge_method) return back("invalid_request", "code_challenge_method=S256 is required with a code_challenge (plain is not accepted).");
  const allowed = scopeList(row.scopes);
  const asked = (params.scope ?? "").split(/\s+/).filter(Boolean);
  const unknown = asked.filter((s) => !(OAUTH2_SCOPES as readonly string[]).includes(s) || !allowed.includes(s as OAuth2Scope));
  if (unknown.length) {
    await recordOAuth2Refusal(db, row.linkId, "invalid_scope", unknown.join(" "));
    return back("invalid_scope", `This application may ask for ${allowed.join(" ")}, not ${unknown.join(" ")}.`);
  }
  return { kind: "consent", applicationName: row.link.name, applicationUrl: row.link.displayUrl, linkId: row.linkId, scopes: asked.length ? scopeList(asked.join(" ")) : allowed, redirectUri };
}

/**
 * The signed-in person's answer on the consent page: where to send them. Allowed, the library
 * issues and stores the code and builds the redirect; denied, the client hears `access_denied`.
 * The request is checked again here: the form's hidden fields are the person's browser's word.
 */
export async function decideAuthorization(db: Db, userId: string, params: AuthorizationParams, allow: boolean): Promise<AuthorizationCheck> {
  const check = await checkAuthorizationRequest(db, params);
  if (check.kind !== "consent") return check;
  if (!allow) return { kind: "redirect", location: errorRedirect(check.redirectUri, "access_denied", "The person denied the application access.", params.state) };
  const query = Object.fromEntries(Object.entries({ ...params, redirect_uri: check.redirectUri }).filter(([, v]) => typeof v === "string")) as Record<string, string>;
  const request = new OAuthRequest({ method: "GET", headers: {}, query, body: {} });
  const response = new OAuthResponse({ headers: {} });
  try {
    await server(db).authorize(request, response, { authenticateHandler: { handle: async () => ({ id: userId }) } });
  } catch (error) {
    if (!(error instanceof OAuthError) || (error.code ?? 500) >= 500) log.error({ err: error }, "OAuth 2.0 authorization failed");
    const name = error instanceof OAuthError && (error.code ?? 500) < 500 ? error.name : "server_error";
    return { kind: "redirect", location: errorRedirect(check.redirectUri, name, error instanceof OAuthError && name !== "server_error" ? error.message : "The authorization could not be completed.", params.state) };
  }
  return { kind: "redirect", location: String(response.get("location")) };
}

/** An OAuth 2.0 endpoint's answer: status, JSON body, headers. */
export interface EndpointAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** RFC 6749 §5.2's JSON error. */
const oauthError = (status: number, error: string, description: string, headers: Record<string, string> = {}): EndpointAnswer => ({ status, body: { error, error_description: description }, headers: { ...NO_STORE, ...headers } });

/** Form parameters, refusing any given twice (RFC 6749 §3.2). */
export function formParameters(text: string): Record<string, string> | EndpointAnswer {
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    if (name in out) return oauthError(400, "invalid_request", `The parameter ${name} was sent more than once.`);
    out[name] = value;
  }
  return out;
}

/**
 * POST /rest/oauth2/latest/token: the authorization-code and refresh grants (RFC 6749 §4.1.3, §6),
 * by the library, with its errors as RFC 6749 §5.2 says them; a failure of ours is a plain
 * server_error that shows nothing of it.
 */
export async function tokenEndpoint(db: Db, input: { method: string; headers: Record<string, string>; body: Record<string, string> }): Promise<EndpointAnswer> {
  // RFC 6749 §2.3.1: the client id and secret in HTTP Basic are form-encoded first (oauth4webapi
  // sends "-" as %2D); the library compares them as sent, so they are handed to it decoded.
  const basic = basicCredentials(input.headers.authorization);
  const headers = basic ? { ...input.headers, authorization: `Basic ${Buffer.from(`${basic.id}:${basic.secret}`, "utf8").toString("base64")}` } : input.headers;
  const request = new OAuthRequest({ method: input.method, headers, query: {}, body: input.body });
  const response = new OAuthResponse({ headers: {} });
  try {
    const token = await server(db).token(request, response);
    await recordOAuth2Success(db, (token.client as ModelClient).linkId);
    return { status: 200, body: response.body as Record<string, unknown>, headers: { ...NO_STORE, ...(response.headers as Record<string, string>) } };
  } catch (error) {
    if (!(error instanceof OAuthError) || (error.code ?? 500) >= 500) {
      log.error({ err: error }, "OAuth 2.0 token endpoint failed");
      return oauthError(500, "server_error", "The token could not be issued; try again.");
    }
    const clientId = basic?.id ?? input.body.client_id;
    const row = clientId ? await db.oAuth2Client.findUnique({ where: { clientId }, select: { linkId: true } }) : null;
    if (row && (error.name === "invalid_grant" || error.name === "invalid_request" || error.name === "invalid_scope")) await recordOAuth2Refusal(db, row.linkId, error.name as OAuth2Refusal, error.message);
    return { status: error.code, body: { error: error.name, error_description: error.message }, headers: { ...NO_STORE, ...(response.headers as Record<string, string>) } };
  }
}

function basicCredentials(authorization: string | undefined): { id: string; secret: string } | undefined {
  const match = authorization?.match(/^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return undefined;
  try {
    const formDecode = (value: string) => decodeURIComponent(value.replaceAll("+", " "));
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/**
 * POST /rest/oauth2/latest/revoke (RFC 7009): the client authenticates as at the token endpoint;
 * a refresh token ends its whole grant (its access tokens with it), an access token itself; a
 * token that is unknown, already revoked or another client's answers 200 and changes nothing.
 */
export async function revokeEndpoint(db: Db, input: { headers: Record<string, string>; body: Record<string, string> }): Promise<EndpointAnswer> {
  const basic = basicCredentials(input.headers.authorization);
  const id = basic?.id ?? input.body.client_id;
  const secret = basic?.secret ?? input.body.client_secret;
  const client = id ? await db.oAuth2Client.findUnique({ where: { clientId: id }, include: { link: { select: { disabled: true } } } }) : null;
  if (!client || client.link.disabled || !secret || !clientSecretMatches(client, secret)) {
    if (client) await recordOAuth2Refusal(db, client.linkId, "invalid_client", "revocation");
    return oauthError(401, "invalid_client", "The client could not be authenticated.", basic ? { "WWW-Authenticate": 'Basic realm="applink-admin"' } : {});
  }
  if (!input.body.token) return oauthError(400, "invalid_request", "Missing parameter: token.");
  const row = await db.oAuth2Token.findUnique({ where: { tokenHash: hashToken(input.body.token) }, include: { grant: { select: { clientRowId: true } } } });
  if (row && row.grant.clientRowId === client.id) {
    if (row.kind === "refresh") await db.oAuth2Grant.updateMany({ where: { id: row.grantId, revokedAt: null }, data: { revokedAt: new Date() } });
    else await db.oAuth2Token.deleteMany({ where: { tokenHash: row.tokenHash } });
  }
  return { status: 200, body: {}, headers: NO_STORE };
}

/** GET /.well-known/oauth-authorization-server (RFC 8414): what a client needs to configure itself. */
export function authorizationServerMetadata(baseUrl: string) {
  return {
    issuer: baseUrl,
    authorization_endpoint: `${baseUrl}/rest/oauth2/latest/authorize`,
    token_endpoint: `${baseUrl}/rest/oauth2/latest/token`,
    revocation_endpoint: `${baseUrl}/rest/oauth2/latest/revoke`,
    response_types_supported: ["code"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    code_challenge_methods_supported: ["S256"],
    scopes_supported: [...OAUTH2_SCOPES],
  };
}
