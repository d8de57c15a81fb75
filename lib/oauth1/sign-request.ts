import type crypto from "node:crypto";
import OAuth from "oauth-1.0a";
import { baseStringUri } from "./base-string";
import { percentEncode } from "./encoding";
import { collectParameters, type Param } from "./parameters";
import { bodyHash, generateNonce, signHmacSha1, signingKey, signRsaSha1, signRsaSha1InPlace, type SignatureMethod } from "./signature";

/** What this app knows about itself as a consumer. */
export interface ConsumerCredentials {
  key: string;
  /** Default RSA-SHA1. */
  signatureMethod?: SignatureMethod;
  /** For RSA-SHA1. */
  privateKey?: crypto.KeyObject;
  /** For HMAC-SHA1 and PLAINTEXT. */
  secret?: string;
}

/** The request to sign, as it will be sent. */
export interface OutgoingRequest {
  method: string;
  url: string | URL;
  /** Only `Content-Type` matters for signing. */
  contentType?: string | null;
  body?: string | Uint8Array | null;
}

export interface SignOptions {
  /** 3LO access token, or the request token in the access-token step. */
  token?: { key: string; secret?: string };
  /** 2LO with impersonation: added to the query as `xoauth_requestor_id` and signed. */
  requestorId?: string;
  /** Request-token step: `oauth_callback` (a URL or `oob`). */
  callback?: string;
  /** Access-token step: `oauth_verifier`. */
  verifier?: string;
  realm?: string;
  /** Clock in milliseconds (tests). */
  now?: () => number;
  /** Nonce source (tests). */
  nonce?: () => string;
  /**
   * RSA-SHA1 on this thread instead of libuv's pool: for a caller that knows nothing else waits
   * for this thread (an idle server answering one request), where the hop to the pool and back
   * costs more latency than it saves. Default: the pool.
   */
  inPlace?: boolean;
}

export interface SignedRequest {
  /** The URL to send: normalised (host case, default port), with `xoauth_requestor_id` when asked. */
  url: string;
  /** The `Authorization` header value. */
  authorization: string;
  /** The protocol parameters sent in the header, signature included. */
  oauthParams: Param[];
  baseString: string;
}

/**
 * Signs a request as OAuth 1.0a (RSA-SHA1 by default) and returns the `Authorization` header and
 * the URL to send. The base string comes from the `oauth-1.0a` package, fed so that none of its
 * pitfalls reach a caller: it gets the normalised base URI with no query, and every query and form
 * parameter already decoded (`+` as space, encoded names decoded, repeats as arrays, values with
 * `=` whole); a non-form body is covered by `oauth_body_hash` (plain SHA-1); nonces come from the
 * CSPRNG; RSA signing runs off the main thread.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3
 */
export async function signRequest(request: OutgoingRequest, consumer: ConsumerCredentials, options: SignOptions = {}): Promise<SignedRequest> {
  const method = request.method.toUpperCase();
  const signatureMethod = consumer.signatureMethod ?? "RSA-SHA1";
  const url = new URL(request.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`Only http and https URLs can be signed, not ${url.protocol}`);
  url.hash = "";
  if (options.requestorId !== undefined) {
    url.search = (url.search ? `${url.search}&` : "?") + `xoauth_requestor_id=${percentEncode(options.requestorId)}`;
  }
  if (signatureMethod === "PLAINTEXT" && url.protocol !== "https:") {
    throw new TypeError("PLAINTEXT sends the secrets themselves: it is refused over plain http.");
  }
  if (signatureMethod === "RSA-SHA1" && !consumer.privateKey) throw new TypeError("RSA-SHA1 needs the consumer's private key.");

  // Parameters the base string covers besides the oauth_* ones (RFC 5849 3.4.1.3.1).
  const body = request.body ?? null;
  const { params, isForm } = collectParameters({ url, contentType: request.contentType, body });

  const extra: Param[] = [];
  if (!isForm && body !== null && body.length > 0) extra.push(["oauth_body_hash", bodyHash(body)]);
  if (options.callback !== undefined) extra.push(["oauth_callback", options.callback]);
  if (options.verifier !== undefined) extra.push(["oauth_verifier", options.verifier]);

  let baseString = "";
  const oauth = new OAuth({
    consumer: { key: consumer.key, secret: consumer.secret ?? "" },
    signature_method: signatureMethod,
    // Capture the base string; the signature is made below (asynchronously for RSA).
    hash_function: (base: string) => {
      baseString = base;
      return "";
    },
  });
  const nonce = (options.nonce ?? generateNonce)();
  const timestamp = Math.floor((options.now?.() ?? Date.now()) / 1000);
  oauth.getNonce = () => nonce;
  oauth.getTimeStamp = () => timestamp;
  const authorized = oauth.authorize(
    { url: baseStringUri(url), method, data: toDataObject([...params, ...extra]) },
    options.token ? { key: options.token.key, secret: options.token.secret ?? "" } : undefined,
  );

  const key = signingKey(consumer.secret ?? "", options.token?.secret ?? "");
  const signature =
    signatureMethod === "RSA-SHA1" ? (options.inPlace ? signRsaSha1InPlace(baseString, consumer.privateKey!) : await signRsaSha1(baseString, consumer.privateKey!)) : signatureMethod === "HMAC-SHA1" ? signHmacSha1(baseString, key) : key;

  const oauthParams: Param[] = [
    ["oauth_consumer_key", consumer.key],
    ["oauth_nonce", String(authorized.oauth_nonce)],
    ["oauth_signature_method", signatureMethod],
    ["oauth_timestamp", String(authorized.oauth_timestamp)],
    ["oauth_version", "1.0"],
    ...(options.token ? ([["oauth_token", options.token.key]] as Param[]) : []),
    ...extra,
    ["oauth_signature", signature],
  ];
  const header = oauthParams.map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`);
  if (options.realm !== undefined) header.unshift(`realm="${percentEncode(options.realm)}"`);
  return { url: url.href, authorization: `OAuth ${header.join(", ")}`, oauthParams, baseString };
}

/** oauth-1.0a's `data`: one key per name, an array for repeated names (it sorts their values). */
function toDataObject(params: readonly Param[]): Record<string, string | string[]> {
  const data: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of params) {
    const existing = data[name];
    if (existing === undefined) data[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else data[name] = [existing, value];
  }
  return data;
}
