/**
 * A STAND-IN for Atlassian Cloud's OAuth 2.0 (3LO), written here for the tests: not Atlassian's
 * code, only its documented shape, so the behaviours this app must meet can be proven on loopback:
 * - `/authorize` insists on `audience=api.atlassian.com`, `prompt=consent` and PKCE S256, and
 *   consents at once for the account named by `STAND_IN_ACCOUNT` (the browser's "Accept");
 * - `/oauth/token` takes the client's id and secret in the form, answers `invalid_grant` with HTTP
 *   403 (as Atlassian does for some refusals), and rotates refresh tokens: a refresh token presented
 *   a second time ends the whole grant (no grace period: stricter than Atlassian);
 * - `/oauth/token/accessible-resources` lists several sites, the link's among them;
 * - `/ex/jira/{cloudId}/rest/api/3/myself` answers who the token is for, on the sites granted.
 * Every refresh token ever presented is recorded, for the single-flight proof.
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInOptions {
  clientId: string;
  clientSecret: string;
  /** The site URLs the person's grant covers, with their cloud ids; the link's is one of them. */
  sites: { id: string; url: string }[];
  accessTokenSeconds?: number;
  account?: string;
}

export interface AtlassianCloudStandIn {
  url: string;
  /** Every refresh token presented at the token endpoint, in order. */
  presentedRefreshTokens: string[];
  /** How many refreshes were answered with new tokens. */
  refreshes: number;
  /** Grants ended because a refresh token was presented twice. */
  endedByReuse: number;
  /** Ends every grant now (the person revoked the app at Atlassian). */
  revokeAll(): void;
  /** One more site among those every grant covers (a site served by this stand-in itself, say). */
  addSite(site: { id: string; url: string }): void;
  close(): Promise<void>;
}

interface Grant {
  account: string;
  scope: string;
  ended: boolean;
  refreshToken: string;
  spent: Set<string>;
}

export async function startAtlassianCloudStandIn(options: StandInOptions): Promise<AtlassianCloudStandIn> {
  const lifetime = options.accessTokenSeconds ?? 3600;
  const codes = new Map<string, { challenge: string; redirectUri: string; scope: string }>();
  const access = new Map<string, { grant: Grant; expiresAt: number }>();
  const byRefresh = new Map<string, Grant>();
  const grants: Grant[] = [];
  const state = { presentedRefreshTokens: [] as string[], refreshes: 0, endedByReuse: 0 };
  const random = () => crypto.randomBytes(24).toString("base64url");
  const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

  const issue = (grant: Grant) => {
    const token = random();
    access.set(token, { grant, expiresAt: Date.now() + lifetime * 1000 });
    const refreshToken = random();
    grant.refreshToken = refreshToken;
    byRefresh.set(refreshToken, grant);
    return { access_token: token, refresh_token: refreshToken, expires_in: lifetime, scope: grant.scope, token_type: "Bearer" };
  };
  const bearer = (req: http.IncomingMessage) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const held = token ? access.get(token) : undefined;
    return held && !held.grant.ended && held.expiresAt > Date.now() ? held.grant : null;
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    if (req.method === "GET" && url.pathname === "/authorize") {
      const p = url.searchParams;
      const wrong = [
        p.get("audience") !== "api.atlassian.com" && "audience",
        p.get("prompt") !== "consent" && "prompt",
        p.get("client_id") !== options.clientId && "client_id",
        p.get("response_type") !== "code" && "response_type",
        p.get("code_challenge_method") !== "S256" && "code_challenge_method",
        !p.get("state") && "state",
      ].filter(Boolean);
      if (wrong.length) return json(res, 400, { error: "invalid_request", error_description: `wrong or missing: ${wrong.join(", ")}` });
      const code = random();
      codes.set(code, { challenge: p.get("code_challenge")!, redirectUri: p.get("redirect_uri")!, scope: p.get("scope") ?? "" });
      const back = new URL(p.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", p.get("state")!);
      return res.writeHead(302, { location: back.href }).end();
    }
    if (req.method === "POST" && url.pathname === "/oauth/token") {
      let text = "";
      for await (const chunk of req) text += chunk;
      const form = req.headers["content-type"]?.includes("json") ? new URLSearchParams(JSON.parse(text) as Record<string, string>) : new URLSearchParams(text);
      if (form.get("client_id") !== options.clientId || form.get("client_secret") !== options.clientSecret) return json(res, 401, { error: "access_denied", error_description: "Unauthorized" });
      if (form.get("grant_type") === "authorization_code") {
        const pending = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        const verifier = form.get("code_verifier") ?? "";
        if (!pending || pending.redirectUri !== form.get("redirect_uri") || crypto.createHash("sha256").update(verifier).digest("base64url") !== pending.challenge) return json(res, 403, { error: "invalid_grant", error_description: "Invalid authorization code" });
        const grant: Grant = { account: options.account ?? "557058:stand-in-account", scope: pending.scope, ended: false, refreshToken: "", spent: new Set() };
        grants.push(grant);
        const answer = issue(grant);
        if (!pending.scope.split(" ").includes("offline_access")) delete (answer as { refresh_token?: string }).refresh_token;
        return json(res, 200, answer);
      }
      if (form.get("grant_type") === "refresh_token") {
        const presented = form.get("refresh_token") ?? "";
        state.presentedRefreshTokens.push(presented);
        const grant = byRefresh.get(presented);
        if (!grant || grant.ended) return json(res, 403, { error: "invalid_grant", error_description: "Unknown or invalid refresh token." });
        if (grant.spent.has(presented) || grant.refreshToken !== presented) {
          // A rotating refresh token used twice: the whole grant ends (Atlassian allows a short grace; this stand-in none).
          grant.ended = true;
          state.endedByReuse++;
          return json(res, 403, { error: "invalid_grant", error_description: "Unknown or invalid refresh token." });
        }
        grant.spent.add(presented);
        state.refreshes++;
        return json(res, 200, issue(grant));
      }
      return json(res, 400, { error: "unsupported_grant_type" });
    }
    if (req.method === "GET" && url.pathname === "/oauth/token/accessible-resources") {
      const grant = bearer(req);
      if (!grant) return json(res, 401, { code: 401, message: "Unauthorized" });
      return json(res, 200, options.sites.map((s) => ({ id: s.id, url: s.url, name: new URL(s.url).hostname.split(".")[0], scopes: grant.scope.split(" "), avatarUrl: "https://example.test/a.png" })));
    }
    const api = /^\/ex\/jira\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (api) {
      const grant = bearer(req);
      if (!grant) return json(res, 401, { code: 401, message: "Unauthorized; scope does not match" });
      if (!options.sites.some((s) => s.id === decodeURIComponent(api[1]!))) return json(res, 404, { message: "Site not found" });
      return json(res, 200, { accountId: grant.account, cloudId: decodeURIComponent(api[1]!), path: api[2] });
    }
    return json(res, 404, { message: "Not found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get presentedRefreshTokens() {
      return state.presentedRefreshTokens;
    },
    get refreshes() {
      return state.refreshes;
    },
    get endedByReuse() {
      return state.endedByReuse;
    },
    revokeAll: () => grants.forEach((g) => (g.ended = true)),
    addSite: (site) => void options.sites.push(site),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
