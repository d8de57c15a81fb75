import * as oauth from "oauth4webapi";
import { fetch as undiciFetch } from "undici";
import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { SchemeInfo } from "@/lib/outgoing/schemes";

/**
 * Outgoing OAuth 2.0 (authorization code, per person): where a link's authorization server is, by
 * preset. `atlassian-cloud`: auth.atlassian.com, with the `audience` and `prompt` Atlassian asks for,
 * and requests through api.atlassian.com/ex/{product}/{cloudId}; `jira-dc`, `confluence-dc`,
 * `bitbucket-dc`: the product's own `/rest/oauth2/latest/*` (each with its own scopes); `applink-admin`: another instance of this app
 * (its incoming OAuth 2.0, same paths, with revocation); `custom`: the endpoints an authorization
 * server's metadata names (RFC 8414 / OpenID discovery, read when the admin saves), or typed by hand.
 * Every URL a preset fills can be given instead (an override).
 */
export const OAUTH2_PRESETS = ["atlassian-cloud", "jira-dc", "confluence-dc", "bitbucket-dc", "applink-admin", "custom"] as const;
export type OAuth2Preset = (typeof OAUTH2_PRESETS)[number];

export const PRESET_NAMES: Record<OAuth2Preset, string> = {
  "atlassian-cloud": "Atlassian Cloud",
  "jira-dc": "Jira Data Center",
  "confluence-dc": "Confluence Data Center",
  "bitbucket-dc": "Bitbucket Data Center",
  "applink-admin": "Another instance of this app",
  custom: "Any OAuth 2.0 authorization server",
};

/** Atlassian Cloud ends a person's grant (its refresh tokens) this long after consent. */
export const ATLASSIAN_GRANT_LIFE_MS = 365 * 86_400_000;

export const ATLASSIAN_CLOUD = {
  authorizationUrl: "https://auth.atlassian.com/authorize",
  tokenUrl: "https://auth.atlassian.com/oauth/token",
  resourcesUrl: "https://api.atlassian.com/oauth/token/accessible-resources",
  apiUrl: "https://api.atlassian.com",
  parameters: { audience: "api.atlassian.com", prompt: "consent" },
} as const;

/** The scopes a preset asks for when the admin names none, by the link's type. */
export function defaultScopes(preset: OAuth2Preset, type: string): string {
  if (preset === "atlassian-cloud") return type === "confluence" ? "read:confluence-user read:confluence-content.summary offline_access" : "read:jira-user read:jira-work offline_access";
  if (preset === "jira-dc" || preset === "confluence-dc") return "READ";
  if (preset === "bitbucket-dc") return "REPO_READ";
  if (preset === "applink-admin") return "READ";
  return "";
}

export const isDataCenter = (preset: OAuth2Preset): boolean => preset === "jira-dc" || preset === "confluence-dc" || preset === "bitbucket-dc";

/** The product Atlassian Cloud's API gateway routes to (`/ex/{product}/{cloudId}`), for the link types it serves. */
export function cloudProduct(type: string): "jira" | "confluence" | null {
  return type === "jira" || type === "confluence" ? type : null;
}

/** Everything a flow needs from a link's OAuth 2.0 settings, with the preset's URLs filled in. */
export interface OAuth2Endpoints {
  preset: OAuth2Preset;
  clientId: string;
  scope: string;
  /** How the client authenticates at the token endpoint: HTTP Basic, or its id and secret in the form. */
  clientAuth: "basic" | "post";
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl: string | null;
  /** The issuer the metadata named (custom): checked against an `iss` in the authorization response. */
  issuer: string | null;
  /** Extra parameters of the authorization request. */
  parameters: Record<string, string>;
  /** Data Center validates redirect_uri on the refresh grant too. */
  redirectOnRefresh: boolean;
  /** Atlassian Cloud: where the sites a person authorized are listed, and the API gateway. */
  cloud: { resourcesUrl: string; apiUrl: string; product: "jira" | "confluence" } | null;
}

/** The settings stored for a link with the preset's URLs filled in (a URL the admin gave wins). */
export function oauth2Endpoints(link: Pick<Link, "type" | "rpcUrl" | "displayUrl">, info: SchemeInfo): OAuth2Endpoints {
  const preset: OAuth2Preset = info.preset && (OAUTH2_PRESETS as readonly string[]).includes(info.preset) ? (info.preset as OAuth2Preset) : "custom";
  const rpc = link.rpcUrl ?? link.displayUrl;
  const common = { preset, clientId: info.clientId ?? "", scope: info.scope ?? defaultScopes(preset, link.type), issuer: info.issuer ?? null };
  if (preset === "atlassian-cloud") {
    return {
      ...common,
      clientAuth: info.clientAuth ?? "post",
      authorizationUrl: info.authorizationUrl ?? ATLASSIAN_CLOUD.authorizationUrl,
      tokenUrl: info.tokenUrl ?? ATLASSIAN_CLOUD.tokenUrl,
      revocationUrl: info.revocationUrl ?? null,
      parameters: { ...ATLASSIAN_CLOUD.parameters, ...info.parameters },
      redirectOnRefresh: false,
      cloud: { resourcesUrl: info.resourcesUrl ?? ATLASSIAN_CLOUD.resourcesUrl, apiUrl: info.apiUrl ?? ATLASSIAN_CLOUD.apiUrl, product: cloudProduct(link.type) ?? "jira" },
    };
  }
  if (isDataCenter(preset) || preset === "applink-admin") {
    // The browser goes to the display URL; this server calls the RPC URL.
    return {
      ...common,
      clientAuth: info.clientAuth ?? (preset === "applink-admin" ? "basic" : "post"),
      authorizationUrl: info.authorizationUrl ?? `${link.displayUrl}/rest/oauth2/latest/authorize`,
      tokenUrl: info.tokenUrl ?? `${rpc}/rest/oauth2/latest/token`,
      revocationUrl: info.revocationUrl ?? (preset === "applink-admin" ? `${rpc}/rest/oauth2/latest/revoke` : null),
      parameters: { ...info.parameters },
      redirectOnRefresh: preset !== "applink-admin",
      cloud: null,
    };
  }
  return {
    ...common,
    clientAuth: info.clientAuth ?? "basic",
    authorizationUrl: info.authorizationUrl ?? "",
    tokenUrl: info.tokenUrl ?? "",
    revocationUrl: info.revocationUrl ?? null,
    parameters: { ...info.parameters },
    redirectOnRefresh: false,
    cloud: null,
  };
}

/** oauth4webapi's view of the server. */
export function authorizationServer(endpoints: OAuth2Endpoints): oauth.AuthorizationServer {
  return {
    issuer: endpoints.issuer ?? new URL(endpoints.tokenUrl).origin,
    authorization_endpoint: endpoints.authorizationUrl,
    token_endpoint: endpoints.tokenUrl,
    ...(endpoints.revocationUrl ? { revocation_endpoint: endpoints.revocationUrl } : {}),
  };
}

export function clientAuthentication(endpoints: OAuth2Endpoints, clientSecret: string): oauth.ClientAuth {
  return endpoints.clientAuth === "post" ? oauth.ClientSecretPost(clientSecret) : oauth.ClientSecretBasic(clientSecret);
}

/**
 * How this app calls an authorization server: through `dispatcher` (the link's TLS pool) when given,
 * within 10 s, and over http when the admin chose an http URL (as for the RPC URL, that is theirs to choose).
 */
export function requestOptions(url: string, dispatcher?: unknown): { [oauth.allowInsecureRequests]: boolean; [oauth.customFetch]: typeof fetch; signal: AbortSignal } {
  return {
    [oauth.allowInsecureRequests]: url.startsWith("http:"),
    [oauth.customFetch]: ((input: string, init: object) => undiciFetch(input, { ...init, ...(dispatcher ? { dispatcher } : {}) } as never)) as unknown as typeof fetch,
    signal: AbortSignal.timeout(10_000),
  };
}

/** What an authorization server's metadata says, as this app stores it. */
export interface DiscoveredServer {
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl: string | null;
  clientAuth: "basic" | "post";
  scopesSupported: string[] | null;
}

/**
 * Reads the metadata of the authorization server `issuerUrl` names: RFC 8414
 * (`/.well-known/oauth-authorization-server`), else OpenID Connect discovery. Metadata whose
 * `issuer` is not the URL asked is refused (RFC 8414 §3.3: it could send the person's code elsewhere).
 */
export async function discoverServer(issuerUrl: string): Promise<DiscoveredServer> {
  const issuer = new URL(issuerUrl);
  let lastError: unknown = null;
  for (const algorithm of ["oauth2", "oidc"] as const) {
    let response: Response;
    try {
      response = await oauth.discoveryRequest(issuer, { algorithm, ...requestOptions(issuer.href) });
    } catch (error) {
      const message = `The authorization server at ${issuer.host} could not be reached (${(error as Error).message}).`;
      throw new AppError("validation_failed", message, { fields: { issuer: message } });
    }
    if (response.status === 404) {
      lastError = null;
      continue;
    }
    try {
      const metadata = await oauth.processDiscoveryResponse(issuer, response);
      if (!metadata.authorization_endpoint || !metadata.token_endpoint) {
        const message = `The metadata of ${issuer.href} names no ${metadata.authorization_endpoint ? "token" : "authorization"} endpoint.`;
        throw new AppError("validation_failed", message, { fields: { issuer: message } });
      }
      const methods = metadata.token_endpoint_auth_methods_supported ?? ["client_secret_basic"];
      return {
        issuer: metadata.issuer,
        authorizationUrl: metadata.authorization_endpoint,
        tokenUrl: metadata.token_endpoint,
        revocationUrl: metadata.revocation_endpoint ?? null,
        clientAuth: methods.includes("client_secret_basic") || !methods.includes("client_secret_post") ? "basic" : "post",
        scopesSupported: metadata.scopes_supported ?? null,
      };
    } catch (error) {
      if (error instanceof AppError) throw error;
      lastError = error;
      // A metadata document for another issuer: refused, whichever document said it.
      if (error instanceof oauth.OperationProcessingError && error.code === oauth.JSON_ATTRIBUTE_COMPARISON) {
        const message = `The metadata at ${issuer.href} names another issuer (${String((error.cause as { attribute?: string; body?: Record<string, unknown> })?.body?.issuer ?? "?")}): refused, as RFC 8414 §3.3 requires. Enter the issuer URL exactly as the server names itself.`;
        throw new AppError("validation_failed", message, { fields: { issuer: message } });
      }
    }
  }
  const message = `No OAuth 2.0 or OpenID metadata was found for ${issuer.href}${lastError ? ` (${(lastError as Error).message})` : ""}: enter the endpoints by hand.`;
  throw new AppError("validation_failed", message, { fields: { issuer: message } });
}
