import * as oauth from "oauth4webapi";
import type { Db } from "@/lib/db";
import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/record";
import type { Caller } from "@/lib/auth/caller";
import { safeReturnPath } from "@/lib/http/page-path";
import { hashToken, sameHash } from "@/lib/crypto/token-hash";
import { deleteSecret, putSecret, readSecret, sealSecret } from "@/lib/vault/vault";
import { outgoingOAuth2InUse, schemeInfoOf } from "@/lib/outgoing/schemes";
import { authorizationServer, clientAuthentication, oauth2Endpoints, requestOptions, type OAuth2Endpoints } from "@/lib/outgoing/oauth2-settings";
import { tokenRefusal } from "@/lib/outgoing/oauth2-refusals";
import { chooseCloudSite } from "@/lib/outgoing/atlassian-cloud";
import crypto from "node:crypto";
import { callbackPath } from "@/lib/outgoing/auth-level";

/** An authorization must come back within 10 minutes, to the browser and session that started it. */
export const AUTHORIZATION_TTL_MS = 10 * 60_000;

/** Where the remote sends the browser back (the same callback as OAuth 1.0a 3LO): register this at the remote. */
export function oauth2RedirectUrl(base: string, linkId: string): string {
  return `${base}${callbackPath({ id: linkId })}`;
}

/** A link's OAuth 2.0 settings and client secret, or a clear refusal when they are not there. */
export async function oauth2Client(db: Db, link: Link): Promise<{ endpoints: OAuth2Endpoints; clientSecret: string }> {
  const info = schemeInfoOf(link);
  if (!outgoingOAuth2InUse(link) || !info || !link.outSchemeSecretId) throw new AppError("forbidden", `OAuth 2.0 (authorization code) is not set up for "${link.name}": an administrator chooses it under Outgoing.`);
  return { endpoints: oauth2Endpoints(link, info), clientSecret: (await readSecret(db, link.outSchemeSecretId)).toString("utf8") };
}

/**
 * Starts a person's authorization: a PKCE S256 verifier (sealed) and a `state` whose hash only this
 * app keeps, bound to the person and to their browser (the binding, for an httpOnly cookie). Answers
 * where to send the browser: the remote's consent page.
 */
export async function startOAuth2Authorization(db: Db, link: Link, caller: Caller, { redirectUrl, returnTo = "/links" }: { redirectUrl: string; returnTo?: string }) {
  if (link.disabled) throw new AppError("link_disabled", `"${link.name}" is disabled: an administrator can enable it on the link's page.`);
  const { endpoints } = await oauth2Client(db, link);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const binding = crypto.randomBytes(32).toString("base64url");
  const sealedVerifier = await sealSecret("oauth2.code-verifier", verifier);
  await db.$transaction(async (tx) => {
    const stale = await tx.oAuth2Authorization.findMany({ where: { expiresAt: { lt: new Date() } }, select: { id: true, verifierSecretId: true } });
    if (stale.length) {
      await tx.oAuth2Authorization.deleteMany({ where: { id: { in: stale.map((s) => s.id) } } });
      await tx.vaultSecret.deleteMany({ where: { id: { in: stale.map((s) => s.verifierSecretId) } } });
    }
    const verifierSecretId = await putSecret(tx, sealedVerifier);
    await tx.oAuth2Authorization.create({
      data: { stateHash: hashToken(state), userId: caller.id, linkId: link.id, verifierSecretId, bindingHash: hashToken(binding), returnTo: safeReturnPath(returnTo), expiresAt: new Date(Date.now() + AUTHORIZATION_TTL_MS) },
    });
  });
  const url = new URL(endpoints.authorizationUrl);
  for (const [name, value] of Object.entries(endpoints.parameters)) url.searchParams.set(name, value);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", endpoints.clientId);
  url.searchParams.set("redirect_uri", redirectUrl);
  if (endpoints.scope) url.searchParams.set("scope", endpoints.scope);
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  return { authorizeUrl: url.href, binding };
}

/**
 * Finishes it at the callback: the state must be one this app gave this person in this browser, for
 * this link, fresh, and is spent either way (one conditional delete: a replayed callback finds
 * nothing). The code is exchanged with the verifier; the tokens are sealed per (person, link),
 * replacing any earlier ones. Atlassian Cloud: the site whose URL is the link's is chosen among those
 * the person authorized.
 */
export async function completeOAuth2Authorization(db: Db, link: Link, caller: Caller, { callback, binding, redirectUrl }: { callback: URL; binding: string | undefined; redirectUrl: string }) {
  const state = callback.searchParams.get("state") ?? "";
  const pending = state ? await db.oAuth2Authorization.findUnique({ where: { stateHash: hashToken(state) } }) : null;
  const bound = !!pending && !!binding && sameHash(hashToken(binding), pending.bindingHash);
  if (!pending || pending.userId !== caller.id || pending.linkId !== link.id || !bound) {
    throw new AppError("forbidden", "This authorization was not started by you in this browser. Start it again from the link.");
  }
  const spent = await db.oAuth2Authorization.deleteMany({ where: { id: pending.id } });
  const verifier = (await readSecret(db, pending.verifierSecretId)).toString("utf8");
  await deleteSecret(db, pending.verifierSecretId);
  if (spent.count !== 1) throw new AppError("forbidden", "This authorization was already used. Start it again from the link.");
  if (pending.expiresAt.getTime() <= Date.now()) throw new AppError("bad_request", "This authorization took longer than 10 minutes and expired. Start it again.");
  const error = callback.searchParams.get("error");
  if (error) {
    const description = callback.searchParams.get("error_description");
    throw new AppError(error === "access_denied" ? "forbidden" : "bad_request", error === "access_denied" ? `You declined to authorize ${link.name}.` : `${link.name} did not complete the authorization: ${error}${description ? ` (${description})` : ""}. Try again.`);
  }
  const { endpoints, clientSecret } = await oauth2Client(db, link);
  const as = authorizationServer(endpoints);
  const client: oauth.Client = { client_id: endpoints.clientId };
  let parameters: URLSearchParams;
  try {
    // oauth4webapi checks the state once more, and the `iss` the server adds (RFC 9207) against its issuer.
    parameters = oauth.validateAuthResponse(as, client, callback.searchParams, state);
  } catch (problem) {
    throw new AppError("bad_request", `${link.name}'s answer could not be accepted: ${(problem as Error).message}. Try again.`);
  }
  let response: Response;
  try {
    response = await oauth.authorizationCodeGrantRequest(as, client, clientAuthentication(endpoints, clientSecret), parameters, redirectUrl, verifier, requestOptions(endpoints.tokenUrl));
  } catch (problem) {
    throw new AppError("network_error", `NETWORK_ERROR: the token endpoint ${new URL(endpoints.tokenUrl).host} could not be reached (${(problem as Error).message}).`);
  }
  let tokens: oauth.TokenEndpointResponse;
  try {
    tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  } catch (problem) {
    throw tokenRefusal(link, endpoints, problem, "the code exchange");
  }
  const cloudId = endpoints.cloud ? await chooseCloudSite(link, endpoints.cloud, tokens.access_token) : null;
  await storeTokens(db, link, caller, endpoints, tokens, { cloudId, redirectUrl });
  return { returnTo: pending.returnTo };
}

/** Seals a person's fresh tokens for a link, replacing the ones they held, and says so in the audit log. */
async function storeTokens(db: Db, link: Link, caller: Caller, endpoints: OAuth2Endpoints, tokens: oauth.TokenEndpointResponse, { cloudId, redirectUrl }: { cloudId: string | null; redirectUrl: string }) {
  const scopes = tokens.scope ?? endpoints.scope;
  const sealed = await sealSecret("oauth2.remote-tokens", JSON.stringify({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? null }));
  await db.$transaction(async (tx) => {
    const previous = await tx.oAuth2RemoteToken.findUnique({ where: { userId_linkId: { userId: caller.id, linkId: link.id } } });
    if (previous) {
      await tx.oAuth2RemoteToken.delete({ where: { id: previous.id } });
      await deleteSecret(tx, previous.secretId);
    }
    const secretId = await putSecret(tx, sealed);
    await tx.oAuth2RemoteToken.create({
      data: { userId: caller.id, linkId: link.id, secretId, scopes, cloudId, redirectUrl, expiresAt: tokens.expires_in !== undefined ? new Date(Date.now() + tokens.expires_in * 1000) : null },
    });
    await recordAudit(tx, caller, { action: "link.authorize", targetType: "link", targetId: link.id, targetLabel: link.name, after: { user: caller.username, scheme: "oauth2", scopes } });
  });
}
