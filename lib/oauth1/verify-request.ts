import type crypto from "node:crypto";
import { baseStringUri, signatureBaseString } from "./base-string";
import { collectParameters, normalizeParameters, type Param } from "./parameters";
import { OAuthProblemError } from "./problems";
import { bodyHash, isSignatureMethod, signingKey, verifyHmacSha1, verifyPlaintext, verifyRsaSha1, type SignatureMethod } from "./signature";

/**
 * A request as this app received it: `url` is the URL the client called (see `requestUrl`), as
 * text or already parsed (then it is not parsed again).
 */
export interface IncomingRequest {
  method: string;
  url: string | URL;
  headers: Headers;
  /** The raw body text, when there is one (needed for form parameters and `oauth_body_hash`). */
  body?: string | Uint8Array | null;
}

/** What a provider stores about a consumer. */
export interface Consumer {
  key: string;
  name?: string;
  /** RSA-SHA1 verification key. */
  publicKey?: crypto.KeyObject;
  /** HMAC-SHA1 / PLAINTEXT shared secret. */
  secret?: string;
  /** Methods this consumer may use; default: RSA-SHA1 only. */
  signatureMethods?: readonly SignatureMethod[];
}

export interface ConsumerStore<C extends Consumer = Consumer> {
  findConsumer(key: string): Promise<C | null>;
}

/** A token as the verifier needs it; anything else the store returns is handed back untouched. */
export interface StoredToken {
  secret: string;
  expiresAt?: Date | null;
}

export interface TokenStore<T extends StoredToken = StoredToken> {
  /** The token `oauth_token` names for this consumer, or null when unknown or revoked. */
  findToken(consumerKey: string, token: string): Promise<T | null>;
}

export interface NonceStore {
  /**
   * Cheap early check: has this consumer used this nonce within the window? Refuses a replay
   * before its signature is checked. Optional: a store whose every look-up is a network round trip
   * leaves it out, and a replay is refused by `use` after the signature check instead.
   */
  isUsed?(consumerKey: string, nonce: string): Promise<boolean>;
  /** Records the nonce atomically; false when it was already there (a concurrent replay). */
  use(consumerKey: string, nonce: string, timestamp: number): Promise<boolean>;
}

export interface VerifyOptions<C extends Consumer, T extends StoredToken> {
  consumers: ConsumerStore<C>;
  nonces: NonceStore;
  /** Resolves `oauth_token`; without it, a request carrying a token is refused (`token_rejected`). */
  tokens?: TokenStore<T>;
  /** Clock in milliseconds. */
  now?: () => number;
  /** Accepted clock difference either way, in seconds (default 300). */
  timestampWindowSeconds?: number;
  /** Called with the base string we computed when a signature does not verify (log it at debug). */
  onSignatureInvalid?: (info: { baseString: string; consumerKey: string; signatureMethod: SignatureMethod }) => void;
}

export interface VerifiedRequest<C extends Consumer, T extends StoredToken> {
  consumer: C;
  token: T | null;
  signatureMethod: SignatureMethod;
  /** The oauth_* protocol parameters. */
  oauth: Record<string, string>;
  /** Every parameter the signature covered (query, form body, protocol). */
  params: Param[];
  /** `xoauth_requestor_id`, for 2LO with impersonation. */
  requestorId: string | null;
}

const REQUIRED = ["oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"] as const;
/**
 * The request's parameters (RFC 5849 3.5: the `Authorization` header, the query, a form body)
 * and its protocol parameters by name, refusing any `oauth_*` parameter given twice.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.5
 */
export function protocolParameters(request: IncomingRequest, url: URL = urlOf(request)): { params: Param[]; oauth: Record<string, string>; isForm: boolean } {
  const { params, isForm } = collectParameters({ url, contentType: request.headers.get("content-type"), body: request.body, authorization: request.headers.get("authorization") });
  const oauth: Record<string, string> = {};
  let repeated: Set<string> | null = null;
  for (const [name, value] of params) {
    if (!name.startsWith("oauth_")) continue;
    if (oauth[name] !== undefined) (repeated ??= new Set()).add(name);
    oauth[name] = value;
  }
  if (repeated) {
    throw new OAuthProblemError("parameter_rejected", { parametersRejected: [...repeated], advice: "Each oauth_ parameter may be sent once." });
  }
  return { params, oauth, isForm };
}

/**
 * Verifies an OAuth 1.0a request and says why when it does not: every check has its problem
 * (the README's "Security in short"). The nonce is recorded only after the signature verifies, so forged requests never
 * fill the store; the store's unique key settles two identical requests at once.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.2
 */
export async function verifyRequest<C extends Consumer, T extends StoredToken>(
  request: IncomingRequest,
  options: VerifyOptions<C, T>,
): Promise<VerifiedRequest<C, T>> {
  const url = urlOf(request);
  const { params, oauth, isForm } = protocolParameters(request, url);

  const absent = REQUIRED.filter((name) => !oauth[name]);
  if (absent.length) throw new OAuthProblemError("parameter_absent", { parametersAbsent: absent });
  if (oauth.oauth_version !== undefined && oauth.oauth_version !== "1.0") {
    throw new OAuthProblemError("version_rejected", { advice: `oauth_version must be 1.0, not "${oauth.oauth_version}".` });
  }

  const method = oauth.oauth_signature_method!;
  if (!isSignatureMethod(method)) throw new OAuthProblemError("signature_method_rejected", { advice: `Unsupported signature method "${method}".` });

  const nowMs = options.now?.() ?? Date.now();
  const now = Math.floor(nowMs / 1000);
  const window = options.timestampWindowSeconds ?? 300;
  const timestamp = /^\d{1,12}$/.test(oauth.oauth_timestamp!) ? Number(oauth.oauth_timestamp) : NaN;
  if (!(Math.abs(timestamp - now) <= window)) {
    throw new OAuthProblemError("timestamp_refused", {
      acceptableTimestamps: { from: now - window, to: now + window },
      advice: "The request's clock differs from ours by more than allowed; check both servers' clocks (NTP).",
    });
  }

  const consumerKey = oauth.oauth_consumer_key!;
  const consumer = await options.consumers.findConsumer(consumerKey);
  if (!consumer) throw new OAuthProblemError("consumer_key_unknown", { advice: `No consumer "${consumerKey}" is linked here.` });
  const allowed = consumer.signatureMethods ?? ["RSA-SHA1"];
  if (!allowed.includes(method)) throw new OAuthProblemError("signature_method_rejected", { advice: `This consumer may use ${allowed.join(", ")}.` });
  if (method === "PLAINTEXT" && url.protocol !== "https:") {
    throw new OAuthProblemError("signature_method_rejected", { advice: "PLAINTEXT is accepted over https only." });
  }

  const nonce = oauth.oauth_nonce!;
  if (await options.nonces.isUsed?.(consumerKey, nonce)) throw new OAuthProblemError("nonce_used");

  let token: T | null = null;
  if (oauth.oauth_token) {
    token = (await options.tokens?.findToken(consumerKey, oauth.oauth_token)) ?? null;
    if (!token) throw new OAuthProblemError("token_rejected", { advice: "The token is unknown or revoked: authorize again." });
    if (token.expiresAt && token.expiresAt.getTime() <= nowMs) throw new OAuthProblemError("token_expired", { advice: "The token has expired: authorize again." });
  }

  if (oauth.oauth_body_hash !== undefined) {
    if (isForm) throw new OAuthProblemError("parameter_rejected", { parametersRejected: ["oauth_body_hash"], advice: "oauth_body_hash is not used with form bodies." });
    if (oauth.oauth_body_hash !== bodyHash(request.body ?? "")) {
      throw new OAuthProblemError("signature_invalid", { advice: "oauth_body_hash does not match the body." });
    }
  }

  const baseString = signatureBaseString(request.method, baseStringUri(url), normalizeParameters(params));
  const signature = oauth.oauth_signature!;
  const sharedSecretValid = () => {
    const key = signingKey(consumer.secret ?? "", token?.secret ?? "");
    return consumer.secret !== undefined && (method === "HMAC-SHA1" ? verifyHmacSha1(baseString, signature, key) : verifyPlaintext(signature, key));
  };
  const valid = method === "RSA-SHA1" ? !!consumer.publicKey && verifyRsaSha1(baseString, signature, consumer.publicKey) : sharedSecretValid();
  if (!valid) {
    options.onSignatureInvalid?.({ baseString, consumerKey, signatureMethod: method });
    throw new OAuthProblemError("signature_invalid", {
      advice: "The signature does not match. Common causes: a URL rewritten by a proxy (set TRUST_PROXY), or a changed key pair.",
    });
  }

  if (!(await options.nonces.use(consumerKey, nonce, timestamp))) throw new OAuthProblemError("nonce_used");

  return { consumer, token, signatureMethod: method, oauth, params, requestorId: oauth.xoauth_requestor_id ?? firstParam(params, "xoauth_requestor_id") };
}

const urlOf = (request: IncomingRequest): URL => (typeof request.url === "string" ? new URL(request.url) : request.url);

function firstParam(params: readonly Param[], name: string): string | null {
  return params.find(([n]) => n === name)?.[1] ?? null;
}

/**
 * The URL a client called, rebuilt from what we received: the Host header and the request path
 * and query as sent; `X-Forwarded-Proto` and `X-Forwarded-Host` only when we sit behind a trusted
 * proxy (a URL mismatch behind a proxy is the most common cause of `signature_invalid`).
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.2
 */
export function requestUrl(pathAndQuery: string, headers: Headers, options: { trustProxy: boolean; defaultProtocol?: "http" | "https" }): URL {
  const first = (v: string | null) => v?.split(",")[0]?.trim() || null;
  const proto = (options.trustProxy && first(headers.get("x-forwarded-proto"))) || options.defaultProtocol || "http";
  const host = (options.trustProxy && first(headers.get("x-forwarded-host"))) || headers.get("host");
  if (!host) throw new OAuthProblemError("parameter_rejected", { advice: "The request has no Host header." });
  return new URL(pathAndQuery, `${proto}://${host}`);
}
