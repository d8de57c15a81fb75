import crypto from "node:crypto";
import type { Link } from "@/lib/generated/prisma/client";
import { parseJsonText } from "@/lib/db/json-text";
import { AppError } from "@/lib/errors";
import { MAX_RSA_BITS, rsaModulusBits } from "@/lib/crypto/rsa-keys";
import type { Dispatcher } from "undici";
import { signConnectJwt } from "@/lib/connect-jwt";
import { clientCredentialsToken, forgetClientCredentialsToken } from "@/lib/outgoing/oauth2-client-credentials";

/**
 * How a link's outgoing requests authenticate. `oauth1`: this app's consumer key and the levels
 * (3LO, 2LO, 2LO with impersonation). The others send one fixed credential, the same for every
 * caller, so the remote sees one user: `basic` (a username and a password or an Atlassian API
 * token), `bearer` (a Jira or Confluence personal access token), `api-key` (a gateway's key in a
 * header of its choosing), `connect-jwt` (an Atlassian Connect app's issuer and shared secret: a fresh
 * HS256 token with the request's query string hash on every request, lib/connect-jwt),
 * `oauth2-client-credentials` (a token from the remote's token endpoint, kept until shortly before it
 * expires: lib/outgoing/oauth2-client-credentials.ts). `oauth2`, like OAuth 1.0a 3LO, runs each
 * request as its person: their own token from the remote's authorization server (authorization
 * code with PKCE, refreshed: lib/outgoing/oauth2); its client secret is stored as a fixed
 * credential's is. A client certificate (mutual TLS) can be added under any of them.
 */
export const SCHEMES = ["oauth1", "oauth2", "basic", "bearer", "api-key", "connect-jwt", "oauth2-client-credentials"] as const;
export type Scheme = (typeof SCHEMES)[number];
/** The schemes whose settings are a stored credential (a secret in the vault, public fields beside it). */
export type StoredScheme = Exclude<Scheme, "oauth1">;
/** The schemes that send one credential for every caller (one remote user). */
export type FixedScheme = Exclude<Scheme, "oauth1" | "oauth2">;

/** Each stored credential's fields in `PUT …/outgoing`: its one secret (and how a person calls it), and the public ones beside it. */
export const SCHEME_FIELDS = {
  oauth2: { secret: "clientSecret", secretName: "client secret", fields: ["preset", "clientId", "scopes", "issuer", "authorizationUrl", "tokenUrl", "revocationUrl", "resourcesUrl", "apiUrl", "parameters", "clientAuth"] },
  basic: { secret: "password", secretName: "password or API token", fields: ["username"] },
  bearer: { secret: "token", secretName: "token", fields: [] },
  "api-key": { secret: "value", secretName: "key", fields: ["header"] },
  "connect-jwt": { secret: "sharedSecret", secretName: "shared secret", fields: ["issuer"] },
  "oauth2-client-credentials": { secret: "clientSecret", secretName: "client secret", fields: ["tokenUrl", "clientId", "scope"] },
} as const satisfies Record<StoredScheme, { secret: string; secretName: string; fields: readonly string[] }>;

export const isStoredScheme = (scheme: string): scheme is StoredScheme => scheme !== "oauth1" && (SCHEMES as readonly string[]).includes(scheme);
export const isFixedScheme = (scheme: string): scheme is FixedScheme => scheme !== "oauth2" && isStoredScheme(scheme);

/** Whether the link's outgoing OAuth 1.0a levels are in use: on, and no other scheme in their place (they are kept, unused, while one is). */
export const outgoingOAuthInUse = (link: Pick<Link, "outEnabled" | "outScheme">): boolean => link.outEnabled && !isStoredScheme(link.outScheme);

/** Whether the link's requests run as each person with their own OAuth 2.0 token (authorization code). */
export const outgoingOAuth2InUse = (link: Pick<Link, "outEnabled" | "outScheme">): boolean => link.outEnabled && link.outScheme === "oauth2";

/** The public half of a fixed credential, stored beside the link (the secret is in the vault). */
export interface SchemeInfo {
  username?: string;
  header?: string;
  /** connect-jwt: the `iss` of our tokens (the app key the remote knows us by); oauth2: the authorization server's issuer URL. */
  issuer?: string;
  /** oauth2-client-credentials: where tokens come from, for which client, with what scope. */
  tokenUrl?: string;
  clientId?: string;
  scope?: string;
  /** oauth2 (authorization code): the preset, and any URL or parameter given instead of the preset's (lib/outgoing/oauth2-settings.ts). */
  preset?: string;
  authorizationUrl?: string;
  revocationUrl?: string;
  resourcesUrl?: string;
  apiUrl?: string;
  parameters?: Record<string, string>;
  clientAuth?: "basic" | "post";
  /** The secret's last four characters, for recognising it ("••••abcd"); nothing for a short one. */
  preview: string;
}

export function schemeInfoOf(link: Pick<Link, "outSchemeInfo">): SchemeInfo | null {
  return parseJsonText<SchemeInfo | null>(link.outSchemeInfo, null);
}

/** The fixed schemes' settings kept while another scheme is in use (`outSchemeKept`), by scheme. */
export function keptSchemesOf(link: Pick<Link, "outSchemeKept">): Record<string, { info: string | null; secretId: string | null }> {
  return parseJsonText<Record<string, { info: string | null; secretId: string | null }>>(link.outSchemeKept, {}) ?? {};
}

/** Every vault secret a link's kept schemes hold (deleted with the link). */
export function keptSchemeSecretIds(link: Pick<Link, "outSchemeKept">): string[] {
  return Object.values(keptSchemesOf(link)).flatMap((k) => (k.secretId ? [k.secretId] : []));
}

/** "••••abcd": enough to tell two secrets apart, never enough to use one (nothing of a secret under 12 characters). */
export function maskedPreview(secret: string): string {
  return secret.length >= 12 ? `••••${secret.slice(-4)}` : "••••";
}

/** What a fixed credential adds to a request through the link (Connect JWT: a new token for each request, bound to its method and URL). */
export type CredentialHeaders = (method: string, url: string) => Promise<Record<string, string>>;

/** How a fixed credential authenticates one request, and what to do when the remote answers 401 (fetch a new token, once). */
export interface SchemeCredential {
  headersFor: CredentialHeaders;
  onUnauthorized?: () => void;
}

/** `cacheKey`: the link and its settings' version (a token fetched for old settings is never used); `dispatcher`: the link's TLS. */
export function schemeCredential(scheme: FixedScheme, info: SchemeInfo, secret: string, context: { baseUrl: string; cacheKey: string; dispatcher?: Dispatcher }): SchemeCredential {
  if (scheme === "oauth2-client-credentials") {
    const credentials = { tokenUrl: info.tokenUrl ?? "", clientId: info.clientId ?? "", clientSecret: secret, ...(info.scope ? { scope: info.scope } : {}) };
    return {
      headersFor: async () => ({ authorization: `Bearer ${await clientCredentialsToken(context.cacheKey, credentials, context.dispatcher)}` }),
      onUnauthorized: () => forgetClientCredentialsToken(context.cacheKey),
    };
  }
  return { headersFor: schemeHeaders(scheme, info, secret, context.baseUrl) };
}

function schemeHeaders(scheme: Exclude<FixedScheme, "oauth2-client-credentials">, info: SchemeInfo, secret: string, baseUrl: string): CredentialHeaders {
  switch (scheme) {
    case "basic": {
      const headers = { authorization: `Basic ${Buffer.from(`${info.username ?? ""}:${secret}`, "utf8").toString("base64")}` };
      return async () => headers;
    }
    case "bearer":
      return async () => ({ authorization: `Bearer ${secret}` });
    case "api-key":
      return async () => ({ [info.header ?? "x-api-key"]: secret });
    case "connect-jwt":
      return async (method, url) => ({ authorization: `JWT ${await signConnectJwt({ issuer: info.issuer ?? "", sharedSecret: secret, method, url, baseUrl })}` });
  }
}

/** Headers a gateway key may not travel in: the transport's own, and what the proxy never forwards. */
const NOT_A_KEY_HEADER = new Set(["host", "content-length", "content-type", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "cookie", "proxy-authorization", "expect"]);

export function validKeyHeader(name: string): boolean {
  return /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/.test(name) && !NOT_A_KEY_HEADER.has(name.toLowerCase());
}

/** What a person is told when the remote refuses a fixed credential with 401 or 403. */
export function schemeRefusal(scheme: FixedScheme, status: number, remote: string, info: SchemeInfo | null): { message: string; fix: string } {
  const which = {
    basic: `the username${info?.username ? ` "${info.username}"` : ""} or its password (or API token)`,
    bearer: "the personal access token",
    "api-key": `the API key in ${info?.header ?? "its header"}`,
    "connect-jwt": `the Connect JWT of issuer${info?.issuer ? ` "${info.issuer}"` : ""} (its shared secret, or a clock out of step)`,
    "oauth2-client-credentials": `the OAuth 2.0 access token of client${info?.clientId ? ` "${info.clientId}"` : ""} (even a fresh one)`,
  }[scheme];
  if (status === 403) return { message: `${remote} accepted ${which} but refuses this request to that user (403).`, fix: `Give the remote user more permissions on ${remote}, or use another credential.` };
  return { message: `${remote} refused ${which} (401).`, fix: `Check ${which} on ${remote} (revoked, expired, mistyped?) and enter it again under Outgoing.` };
}

/** A client certificate as the link page and the API show it (never the key). */
export interface ClientCertificateInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
  serialNumber: string;
}

export function clientCertificateInfoOf(link: Pick<Link, "outClientCertInfo">): ClientCertificateInfo | null {
  return parseJsonText<ClientCertificateInfo | null>(link.outClientCertInfo, null);
}

const DAY_MS = 86_400_000;

/** "expired", "expires-soon" (within 30 days) or "valid". */
export function certificateState(info: Pick<ClientCertificateInfo, "validTo">, now = Date.now()): "expired" | "expires-soon" | "valid" {
  const until = Date.parse(info.validTo);
  if (until <= now) return "expired";
  return until - now <= 30 * DAY_MS ? "expires-soon" : "valid";
}

function pemBlocks(text: string, label: string): string[] {
  return text.match(new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, "g")) ?? [];
}

/**
 * Checks a pasted client certificate (PEM, leaf first, then any intermediates) and its private key
 * (PEM, PKCS#8 or PKCS#1, unencrypted): each parses, the key belongs to the certificate, and the
 * certificate has not expired. Returns what is stored (normalised PEM) and what is shown.
 */
export function parseClientCertificate(input: { certificatePem: string; privateKeyPem: string }, now = Date.now()): { certificatePem: string; privateKeyPem: string; info: ClientCertificateInfo } {
  const blocks = pemBlocks(input.certificatePem, "CERTIFICATE");
  if (!blocks.length) throw new AppError("validation_failed", "Paste the certificate in PEM form (-----BEGIN CERTIFICATE-----).", { fields: { certificatePem: "Not a PEM certificate." } });
  let chain: crypto.X509Certificate[];
  try {
    chain = blocks.map((block) => new crypto.X509Certificate(block));
  } catch {
    throw new AppError("validation_failed", "The certificate could not be read.", { fields: { certificatePem: "The certificate could not be read (damaged or not X.509)." } });
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(input.privateKeyPem);
  } catch {
    throw new AppError("validation_failed", "The private key could not be read.", { fields: { privateKeyPem: "Paste an unencrypted private key in PEM form (-----BEGIN PRIVATE KEY-----)." } });
  }
  const leaf = chain[0]!;
  for (const [field, bits] of [["certificatePem", Math.max(...chain.map((c) => rsaModulusBits(c.publicKey)))], ["privateKeyPem", rsaModulusBits(key)]] as const) {
    if (bits > MAX_RSA_BITS) throw new AppError("validation_failed", `An RSA key of ${bits} bits was given; at most ${MAX_RSA_BITS} are accepted.`, { fields: { [field]: `An RSA key of ${bits} bits: at most ${MAX_RSA_BITS} are accepted.` } });
  }
  if (!leaf.checkPrivateKey(key)) throw new AppError("validation_failed", "The private key does not belong to the certificate.", { fields: { privateKeyPem: "This key does not belong to the certificate." } });
  const info: ClientCertificateInfo = {
    subject: leaf.subject.replaceAll("\n", ", "),
    issuer: leaf.issuer.replaceAll("\n", ", "),
    validFrom: new Date(leaf.validFrom).toISOString(),
    validTo: new Date(leaf.validTo).toISOString(),
    fingerprint256: leaf.fingerprint256,
    serialNumber: leaf.serialNumber,
  };
  if (certificateState(info, now) === "expired") throw new AppError("validation_failed", `The certificate expired on ${info.validTo.slice(0, 10)}.`, { fields: { certificatePem: `Expired on ${info.validTo.slice(0, 10)}: ask for a new one.` } });
  return { certificatePem: blocks.join("\n") + "\n", privateKeyPem: key.export({ type: "pkcs8", format: "pem" }) as string, info };
}

/** Certificate authorities trusted for one link: every block must be a certificate; returns the normalised bundle and what is shown. */
export function parseCaCertificates(pem: string): { pem: string; certificates: { subject: string; validTo: string }[] } {
  const blocks = pemBlocks(pem, "CERTIFICATE");
  if (!blocks.length) throw new AppError("validation_failed", "Paste the certificate authorities in PEM form.", { fields: { caCertificatesPem: "No PEM certificate found." } });
  let parsed: crypto.X509Certificate[];
  try {
    parsed = blocks.map((block) => new crypto.X509Certificate(block));
  } catch {
    throw new AppError("validation_failed", "A certificate authority could not be read.", { fields: { caCertificatesPem: "A certificate could not be read (damaged or not X.509)." } });
  }
  const large = parsed.find((c) => rsaModulusBits(c.publicKey) > MAX_RSA_BITS);
  if (large) {
    const message = `${large.subject.replaceAll("\n", ", ")} has an RSA key of ${rsaModulusBits(large.publicKey)} bits; at most ${MAX_RSA_BITS} are accepted.`;
    throw new AppError("validation_failed", message, { fields: { caCertificatesPem: message } });
  }
  const certificates = parsed.map((c) => ({ subject: c.subject.replaceAll("\n", ", "), validTo: new Date(c.validTo).toISOString() }));
  return { pem: blocks.join("\n") + "\n", certificates };
}
