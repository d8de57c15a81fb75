import { z } from "zod";
import { createLinkSchema, csrSubjectSchema, incomingPutSchema, listLinksSchema, outgoingSchema, patchLinkSchema, resetSchema } from "@/lib/links/schemas";
import { checkNowSchema } from "@/lib/status/apply-fix";
import { createTokenSchema } from "@/lib/tokens/api-tokens";
import { createChannelSchema, patchChannelSchema } from "@/lib/notifications/channels";
import { smtpSettingsSchema } from "@/lib/notifications/smtp";
import { createUserSchema } from "@/lib/users/create-user";
import { patchUserSchema } from "@/lib/users/update-user";
import pkg from "@/package.json";

/**
 * The REST API as an OpenAPI 3.1 document (`GET /api/v1/openapi.json`), for scripts and QA that
 * generate clients: every route, who may call it, and its request body and query as the zod
 * schemas the routes validate with (z.toJSONSchema, JSON Schema 2020-12 as OpenAPI 3.1 takes it).
 * The README's "The public HTTP API" says the same in words; `tests/openapi.test.ts` holds this
 * list to the route files, so a route cannot be added without it.
 */

/** Who may call an operation (the README's "who" column). */
type Who = "anyone" | "user" | "admin" | "linked-application" | "metrics-scraper" | "browser" | "oauth2-client";

interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete" | "head";
  path: string;
  summary: string;
  who: Who;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** What the answer is when it is not JSON. */
  produces?: string;
  /** Not for a linked application acting for a person (see `Delegation` in with-caller.ts). */
  neverDelegated?: boolean;
}

const PROXY_METHODS = ["get", "post", "put", "patch", "delete", "head"] as const;

export const OPERATIONS: readonly Operation[] = [
  { method: "get", path: "/api/health", summary: "Readiness: {status, db}; 503 when the database is unreachable or the server is stopping.", who: "anyone" },
  { method: "get", path: "/api/health/ready", summary: "Readiness (as /api/health).", who: "anyone" },
  { method: "get", path: "/api/health/live", summary: "Liveness: the process answers.", who: "anyone" },
  { method: "get", path: "/api/metrics", summary: "Prometheus metrics (404 while METRICS_TOKEN is unset).", who: "metrics-scraper", produces: "text/plain" },
  { method: "get", path: "/api/v1/openapi.json", summary: "This document.", who: "anyone" },
  { method: "get", path: "/api/v1/myself", summary: "The caller: {username, email, displayName, role, via, consumerKey?} (an OAuth 2.0 caller: via \"oauth2\", clientId, scopes).", who: "user" },
  { method: "get", path: "/api/v1/consumer", summary: "This app's consumer identity: {key, name, publicKey, publicKeyBase64, fingerprint}.", who: "user" },
  { method: "get", path: "/api/v1/users", summary: "Users.", who: "admin" },
  { method: "post", path: "/api/v1/users", summary: "Create a user (a generated password is returned once).", who: "admin", body: createUserSchema },
  { method: "get", path: "/api/v1/users/{username}", summary: "One user.", who: "admin" },
  { method: "patch", path: "/api/v1/users/{username}", summary: "Change a role, disable or enable (the last active admin is protected: 409).", who: "admin", body: patchUserSchema },
  { method: "get", path: "/api/v1/tokens", summary: "The caller's own API tokens (never their values).", who: "user", neverDelegated: true },
  { method: "post", path: "/api/v1/tokens", summary: "Create an API token for the caller (its value is in this answer only).", who: "user", body: createTokenSchema, neverDelegated: true },
  { method: "delete", path: "/api/v1/tokens/{id}", summary: "Revoke one of the caller's tokens.", who: "user", neverDelegated: true },
  { method: "get", path: "/api/v1/links", summary: "Links, paginated, searchable, filtered by stored status.", who: "user", query: listLinksSchema },
  { method: "post", path: "/api/v1/links", summary: "Create a link: {rpcUrl} discovers the remote's manifest; {name, type, rpcUrl, displayUrl?} creates as given; {name, type: \"generic\"} alone, an external application that only calls in (OAuth 2.0), with rpcUrl null.", who: "admin", body: createLinkSchema },
  { method: "get", path: "/api/v1/links/{id}", summary: "One link.", who: "user" },
  { method: "patch", path: "/api/v1/links/{id}", summary: "Change a link's general settings (a stale version is 409).", who: "admin", body: patchLinkSchema },
  { method: "delete", path: "/api/v1/links/{id}", summary: "Delete a link, revoking what was issued to it.", who: "admin" },
  { method: "get", path: "/api/v1/links/{id}/outgoing", summary: "How this app calls the remote.", who: "user" },
  { method: "put", path: "/api/v1/links/{id}/outgoing", summary: "Set the outgoing scheme and its fields (secrets are write-only).", who: "admin", body: outgoingSchema },
  { method: "post", path: "/api/v1/links/{id}/outgoing/csr", summary: "A new key in the vault and a certificate signing request for it.", who: "admin", body: csrSubjectSchema, neverDelegated: true },
  { method: "get", path: "/api/v1/links/{id}/incoming", summary: "How the remote calls this app.", who: "user" },
  {
    method: "put",
    path: "/api/v1/links/{id}/incoming",
    summary: "Set the incoming consumer, levels and Connect JWT, and (or only) OAuth 2.0: {oauth2: {redirectUris, scopes} | null}; turning OAuth 2.0 on answers oauth2.clientSecret, the only time it is shown.",
    who: "admin",
    body: incomingPutSchema,
  },
  { method: "post", path: "/api/v1/links/{id}/incoming/oauth2-secret", summary: "A new OAuth 2.0 client secret, in this answer only; the old one stops working.", who: "admin", neverDelegated: true },
  { method: "get", path: "/api/v1/links/{id}/incoming/oauth2-grants", summary: "Who authorized the link's external application: person, scopes, when, last call.", who: "admin", neverDelegated: true },
  { method: "delete", path: "/api/v1/links/{id}/incoming/oauth2-grants", summary: "Revoke every authorization of the link's external application: its tokens stop at once.", who: "admin", neverDelegated: true },
  { method: "delete", path: "/api/v1/links/{id}/incoming/oauth2-grants/{grantId}", summary: "Revoke one person's authorization: its tokens stop at once.", who: "admin", neverDelegated: true },
  { method: "get", path: "/api/v1/links/{id}/status", summary: "The stored diagnosis (no network).", who: "user" },
  { method: "get", path: "/api/v1/links/{id}/status/history", summary: "Every change of the link's status since `since` (default 30 days), and its days: checks and proxied requests.", who: "user" },
  { method: "post", path: "/api/v1/links/{id}/status", summary: "Check now, after applying a fix the last check offered.", who: "admin", body: checkNowSchema, neverDelegated: true },
  { method: "get", path: "/api/v1/notifications/channels", summary: "Every notification channel: {id, name, kind: email|webhook, url (masked) | recipients, format, events, links, enabled}.", who: "admin", neverDelegated: true },
  { method: "post", path: "/api/v1/notifications/channels", summary: "A new email or webhook channel; a webhook's signing `secret` is in this answer only. `warnings` about its URL.", who: "admin", body: createChannelSchema, neverDelegated: true },
  { method: "get", path: "/api/v1/notifications/channels/{id}", summary: "A channel and its delivery log (the last 50 attempts: event, outcome, what the other end said).", who: "admin", neverDelegated: true },
  { method: "patch", path: "/api/v1/notifications/channels/{id}", summary: "Change a channel; `rotateSecret: true` answers a new signing `secret`, once.", who: "admin", body: patchChannelSchema, neverDelegated: true },
  { method: "delete", path: "/api/v1/notifications/channels/{id}", summary: "Delete a channel with its log and sealed URL and secret.", who: "admin", neverDelegated: true },
  { method: "post", path: "/api/v1/notifications/channels/{id}/test", summary: "Send a test message to the channel now: {ok, detail, ms}.", who: "admin", neverDelegated: true },
  { method: "get", path: "/api/v1/notifications/smtp", summary: "The SMTP server email channels send through (the password never: passwordSet).", who: "admin", neverDelegated: true },
  { method: "put", path: "/api/v1/notifications/smtp", summary: "Set the SMTP server: host, port, security (starttls|tls|none), username, password (write-only), sender, caPem.", who: "admin", body: smtpSettingsSchema, neverDelegated: true },
  { method: "post", path: "/api/v1/links/{id}/reset", summary: "Forget a direction's settings and revoke what it issued.", who: "admin", body: resetSchema },
  { method: "get", path: "/api/v1/links/{id}/authorize", summary: "Start the 3-legged dance (browser).", who: "browser", neverDelegated: true },
  { method: "get", path: "/api/v1/links/{id}/oauth-callback", summary: "Where the remote returns after the person's consent (browser).", who: "browser", neverDelegated: true },
  ...PROXY_METHODS.map((method) => ({
    method,
    path: "/api/v1/links/{id}/proxy/{path}",
    summary: "Forward to the link's RPC URL + path (query and body kept), signed for the caller; the answer is the remote's, sandboxed.",
    who: "user" as const,
    produces: "*/*",
  })),
  { method: "get", path: "/rest/applinks/1.0/manifest", summary: "This app's applinks manifest.", who: "anyone", produces: "application/xml" },
  { method: "get", path: "/rest/applinks/3.0/status/{applicationId}", summary: "How this app sees its link to that application, in Atlassian's shape.", who: "admin" },
  { method: "get", path: "/plugins/servlet/oauth/consumer-info", summary: "This app's consumer info.", who: "anyone", produces: "application/xml" },
  { method: "post", path: "/plugins/servlet/oauth/request-token", summary: "A request token for a linked consumer (OAuth-signed, incoming 3LO on).", who: "linked-application", produces: "application/x-www-form-urlencoded" },
  { method: "post", path: "/plugins/servlet/oauth/access-token", summary: "An access token for an authorized request token and its verifier.", who: "linked-application", produces: "application/x-www-form-urlencoded" },
  {
    method: "post",
    path: "/rest/oauth2/latest/token",
    summary: "OAuth 2.0 token endpoint (RFC 6749): grant_type authorization_code (code, redirect_uri, code_verifier) or refresh_token; form-encoded; errors as RFC 6749 §5.2.",
    who: "oauth2-client",
  },
  { method: "post", path: "/rest/oauth2/latest/revoke", summary: "OAuth 2.0 token revocation (RFC 7009): a refresh token ends its whole grant; unknown tokens answer 200.", who: "oauth2-client" },
  { method: "get", path: "/.well-known/oauth-authorization-server", summary: "OAuth 2.0 authorization server metadata (RFC 8414).", who: "anyone" },
];

const WHO: Record<Who, string> = {
  anyone: "Anyone.",
  user: "Any signed-in user, API token or linked application acting for a person.",
  admin: "Administrators (by session, API token, or a linked application acting for one).",
  "linked-application": "A linked application, signing with OAuth 1.0a.",
  "metrics-scraper": "A scraper holding METRICS_TOKEN.",
  browser: "A signed-in person in the browser.",
  "oauth2-client": "An external application, with its OAuth 2.0 client id and secret (client_secret_basic or client_secret_post).",
};

/** The error every route answers with: never a stack trace. */
const ERROR = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" }, fields: { type: "object", additionalProperties: { type: "string" } } },
    },
  },
};

/** A request's schema as it is sent (before defaults and transforms apply). */
function jsonSchema(schema: z.ZodType) {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

function parametersOf(operation: Operation) {
  const parameters: Record<string, unknown>[] = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: "path", required: true, schema: { type: "string" } }));
  if (operation.query) {
    const properties = (jsonSchema(operation.query).properties ?? {}) as Record<string, unknown>;
    for (const [name, schema] of Object.entries(properties)) parameters.push({ name, in: "query", required: false, schema });
  }
  return parameters;
}

export function openApiDocument(serverUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    const parameters = parametersOf(operation);
    (paths[operation.path] ??= {})[operation.method] = {
      summary: operation.summary,
      description: `Who: ${WHO[operation.who]}${operation.neverDelegated ? " Never a linked application acting for a person." : ""}`,
      ...(parameters.length ? { parameters } : {}),
      ...(operation.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(operation.body) } } } } : {}),
      responses: {
        "200": { description: "Done.", content: { [operation.produces ?? "application/json"]: { schema: {} } } },
        default: { description: "An error.", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
      },
      ...(operation.who === "anyone" ? { security: [] } : {}),
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Applink Admin", version: pkg.version, description: "Application links, their authentication both ways, and signed requests through them." },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      schemas: { Error: ERROR },
      securitySchemes: {
        apiToken: { type: "http", scheme: "bearer", description: "A personal API token (ala_…)." },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token" },
        oauth1: { type: "http", scheme: "OAuth", description: "OAuth 1.0a RSA-SHA1 from a linked application." },
        connectJwt: { type: "http", scheme: "JWT", description: "An Atlassian Connect JWT from a linked application." },
      },
    },
    security: [{ apiToken: [] }, { session: [] }, { oauth1: [] }, { connectJwt: [] }],
    paths,
  };
}
