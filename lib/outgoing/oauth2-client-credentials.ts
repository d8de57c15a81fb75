import * as oauth from "oauth4webapi";
import type { Dispatcher } from "undici";
import { AppError } from "@/lib/errors";
import { requestOptions } from "@/lib/outgoing/oauth2-settings";
import { tokenEndpointError } from "@/lib/outgoing/oauth2-refusals";

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) for a link's outgoing requests, with `oauth4webapi`:
 * the token is fetched from the link's token endpoint with the client's id and secret (HTTP Basic),
 * kept in this process until shortly before it expires (a tenth of its life, at most 30 s early),
 * and fetched again once when the remote answers 401 (the token was revoked early). A token
 * endpoint that refuses the client is named, with its `error` and description.
 */
export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}

interface Kept {
  token: string;
  renewAt: number;
}

const kept = new Map<string, Kept>();
const inFlight = new Map<string, Promise<Kept>>();

async function fetchToken(credentials: ClientCredentials, dispatcher: Dispatcher | undefined, now = Date.now()): Promise<Kept> {
  const as: oauth.AuthorizationServer = { issuer: new URL(credentials.tokenUrl).origin, token_endpoint: credentials.tokenUrl };
  const client: oauth.Client = { client_id: credentials.clientId };
  const parameters = new URLSearchParams(credentials.scope ? { scope: credentials.scope } : {});
  const where = new URL(credentials.tokenUrl).host;
  let response: Response;
  try {
    // The link's TLS settings apply to the token endpoint too.
    response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(credentials.clientSecret), parameters, requestOptions(credentials.tokenUrl, dispatcher));
  } catch (error) {
    throw new AppError("network_error", `NETWORK_ERROR: the token endpoint ${where} could not be reached (${(error as Error).message}).`);
  }
  try {
    const result = await oauth.processClientCredentialsResponse(as, client, response);
    const lifetimeMs = (result.expires_in ?? 3600) * 1000;
    return { token: result.access_token, renewAt: now + lifetimeMs - Math.min(30_000, lifetimeMs / 10) };
  } catch (error) {
    // The endpoint's refusal comes as a JSON error body, or (for a client that failed HTTP Basic) as a challenge.
    const refusal = tokenEndpointError(error);
    if (refusal) {
      throw new AppError("network_error", `The token endpoint ${where} refused the client "${credentials.clientId}": ${refusal.error}${refusal.description ? ` (${refusal.description})` : ""}.`, { extra: { problem: `oauth2_${refusal.error}` } });
    }
    throw new AppError("network_error", `The token endpoint ${where} answered something other than a token (${(error as Error).message}).`);
  }
}

/** A token for `key` (the link and its settings' version): kept, or fetched once for all callers asking at the same moment. */
export async function clientCredentialsToken(key: string, credentials: ClientCredentials, dispatcher?: Dispatcher): Promise<string> {
  const current = kept.get(key);
  if (current && current.renewAt > Date.now()) return current.token;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = fetchToken(credentials, dispatcher).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  const fresh = await pending;
  kept.set(key, fresh);
  return fresh.token;
}

/** Forgets `key`'s token (the remote refused it): the next request fetches a new one. */
export function forgetClientCredentialsToken(key: string): void {
  kept.delete(key);
}
