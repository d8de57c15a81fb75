import type { Db } from "@/lib/db";
import { handleApiError } from "@/lib/api/handle-error";
import { proxyMaxBodyBytes, readBodyCapped } from "@/lib/http/read-body";
import { OAuthProblemError } from "@/lib/oauth1";
import { incomingRequest, linkedConsumers, refuseDisabled } from "@/lib/incoming/incoming-caller";
import { exchangeRequestToken, issuedTokenStore, issueRequestToken, validCallback } from "@/lib/incoming/issued-tokens";
import { incomingNonces, verifyIncoming } from "@/lib/incoming/verify-incoming";

const form = (fields: Record<string, string>) =>
  new Response(new URLSearchParams(fields).toString(), { status: 200, headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Cache-Control": "no-store" } });

async function signedCall(req: Request) {
  const body = req.method === "GET" || req.method === "HEAD" ? null : await readBodyCapped(req.body as AsyncIterable<Uint8Array> | null, req.headers.get("content-length"), proxyMaxBodyBytes());
  return incomingRequest({ method: req.method, url: req.url, headers: req.headers, body });
}

/**
 * `POST /plugins/servlet/oauth/request-token`: a linked consumer whose incoming 3LO is on asks for
 * a request token, naming where the person returns (`oauth_callback`, or `oob`).
 */
export async function requestTokenEndpoint(db: Db, req: Request): Promise<Response> {
  try {
    const verified = await verifyIncoming(await signedCall(req), { consumers: linkedConsumers(db), nonces: incomingNonces(db) });
    const link = verified.consumer.link;
    refuseDisabled(link);
    if (verified.token) throw new OAuthProblemError("parameter_rejected", { parametersRejected: ["oauth_token"], advice: "A request-token request carries no token." });
    if (!link.in3lo) throw new OAuthProblemError("permission_denied", { advice: `3-legged OAuth from "${link.name}" is not allowed here.` });
    const callback = verified.oauth.oauth_callback;
    if (!callback) throw new OAuthProblemError("parameter_absent", { parametersAbsent: ["oauth_callback"] });
    if (!validCallback(callback)) throw new OAuthProblemError("parameter_rejected", { parametersRejected: ["oauth_callback"], advice: "oauth_callback is an http(s) URL or oob." });
    const issued = await issueRequestToken(db, link, callback);
    return form({ oauth_token: issued.token, oauth_token_secret: issued.secret, oauth_callback_confirmed: "true" });
  } catch (error) {
    return handleApiError(error);
  }
}

/** `POST /plugins/servlet/oauth/access-token`: an authorized request token and its verifier become an access token, once. */
export async function accessTokenEndpoint(db: Db, req: Request): Promise<Response> {
  try {
    const consumers = linkedConsumers(db);
    const verified = await verifyIncoming(await signedCall(req), { consumers, tokens: issuedTokenStore(db, "request", consumers), nonces: incomingNonces(db) });
    if (!verified.token) throw new OAuthProblemError("parameter_absent", { parametersAbsent: ["oauth_token"] });
    refuseDisabled(verified.consumer.link);
    if (!verified.consumer.link.in3lo) throw new OAuthProblemError("permission_denied", { advice: "3-legged OAuth is not allowed here." });
    const issued = await exchangeRequestToken(db, verified.token, verified.oauth.oauth_verifier);
    return form({ oauth_token: issued.token, oauth_token_secret: issued.secret });
  } catch (error) {
    return handleApiError(error);
  }
}
