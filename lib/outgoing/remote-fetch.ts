import { request, type Dispatcher } from "undici";

export type RemoteProblem = "refused" | "unknown_host" | "timeout" | "tls_untrusted" | "tls_hostname" | "tls_version" | "tls_client_certificate" | "too_large" | "redirect" | "http" | "network";

/** A remote that could not be read, with a sentence a person can act on. */
export class RemoteFetchError extends Error {
  constructor(
    readonly problem: RemoteProblem,
    message: string,
  ) {
    super(message);
    this.name = "RemoteFetchError";
  }
}

export interface RemoteText {
  url: string;
  status: number;
  contentType: string;
  text: string;
  /** The remote's `Date` header (its clock), when it sent one. */
  date: string | null;
}

const TLS_UNTRUSTED_WHY: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "it is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "its chain ends in a self-signed certificate this server does not trust",
  CERT_HAS_EXPIRED: "it has expired",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its issuer is unknown here (a missing intermediate certificate?)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "its issuer is unknown here (a private CA? set NODE_EXTRA_CA_CERTS)",
  CERT_UNTRUSTED: "it is not trusted for this purpose",
};
const TLS_UNTRUSTED = new Set(Object.keys(TLS_UNTRUSTED_WHY));

/** TLS alerts a server sends when it wants a client certificate and refuses ours (or none). */
const CLIENT_CERTIFICATE_WHY: Record<string, string> = {
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: "it requires a client certificate and none was sent",
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: "it ended the handshake (with TLS 1.2 servers, usually: a client certificate is required and none was sent)",
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "it does not trust the authority that issued our client certificate",
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "it found our client certificate bad",
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: "our client certificate has expired",
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: "it could not accept our client certificate",
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: "our client certificate was revoked",
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: "it denied access to our client certificate",
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: "our client certificate's signature did not verify",
};

/** Whether an error code is a TLS alert a server sends to refuse a client certificate (or its absence). */
export const isClientCertificateAlert = (code: string): boolean => Object.hasOwn(CLIENT_CERTIFICATE_WHY, code);

/**
 * Turns a network failure into a classified error that says what happened (first, in a few words
 * a person recognises: "connection refused", "certificate not trusted") and what to check.
 */
export function classifyNetworkError(error: unknown, url: string, timeoutMs: number): RemoteFetchError {
  const e = error as { code?: string; name?: string; cause?: { code?: string }; message?: string };
  const code = e.code ?? e.cause?.code ?? "";
  const host = new URL(url).host;
  if (e.name === "TimeoutError" || e.name === "AbortError" || code === "ETIMEDOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT") {
    return new RemoteFetchError("timeout", `timed out: ${host} did not answer within ${timeoutMs / 1000} s.`);
  }
  if (code === "ECONNREFUSED") return new RemoteFetchError("refused", `connection refused: ${host} refused the connection; is the application running on that port?`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new RemoteFetchError("unknown_host", `unknown host: ${new URL(url).hostname} is not in DNS; check the URL.`);
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return new RemoteFetchError("tls_hostname", `certificate for another host: ${host} presented a certificate that does not name it.`);
  if (TLS_UNTRUSTED.has(code)) return new RemoteFetchError("tls_untrusted", `certificate not trusted: ${host}'s certificate is refused because ${TLS_UNTRUSTED_WHY[code]} (${code}).`);
  if (isClientCertificateAlert(code)) {
    return new RemoteFetchError("tls_client_certificate", `client certificate refused: ${host} refused our client certificate: ${CLIENT_CERTIFICATE_WHY[code]} (${code}).`);
  }
  if (code === "ERR_SSL_UNSUPPORTED_PROTOCOL" || code === "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION" || code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "ERR_SSL_NO_PROTOCOLS_AVAILABLE") {
    return new RemoteFetchError("tls_version", `no common TLS version: ${host} and this server share no TLS version (or it does not speak TLS on this port) (${code}).`);
  }
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return new RemoteFetchError("network", `connection reset: ${host} closed the connection before answering.`);
  return new RemoteFetchError("network", `network error: could not reach ${host} (${code || e.message || "unknown cause"}).`);
}

/**
 * GETs a small text document from a remote application: a time limit for the whole exchange, a
 * size cap, and redirects followed only within the same host (a redirect elsewhere is an error).
 * `dispatcher`: a link's own TLS settings (client certificate, authorities), when it has them.
 */
export async function fetchRemoteText(
  url: string,
  { timeoutMs = 5000, maxBytes = 512 * 1024, maxRedirects = 3, accept = "application/xml, text/xml;q=0.9, */*;q=0.1", dispatcher }: { timeoutMs?: number; maxBytes?: number; maxRedirects?: number; accept?: string; dispatcher?: Dispatcher } = {},
): Promise<RemoteText> {
  const signal = AbortSignal.timeout(timeoutMs);
  let current = url;
  for (let hop = 0; ; hop++) {
    let response;
    try {
      response = await request(current, { method: "GET", headers: { accept, "user-agent": "applink-admin" }, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, ...(dispatcher ? { dispatcher } : {}) });
    } catch (error) {
      throw classifyNetworkError(error, current, timeoutMs);
    }
    const location = response.headers.location;
    if (response.statusCode >= 300 && response.statusCode < 400 && location) {
      await response.body.dump().catch(() => undefined);
      const next = new URL(Array.isArray(location) ? location[0]! : location, current);
      if (next.host !== new URL(url).host || (next.protocol !== "http:" && next.protocol !== "https:")) {
        throw new RemoteFetchError("redirect", `${new URL(url).host} redirects to ${next.host}; link the application at its own address.`);
      }
      if (hop >= maxRedirects) throw new RemoteFetchError("redirect", `${new URL(url).host} redirected more than ${maxRedirects} times.`);
      current = next.href;
      continue;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          response.body.destroy();
          throw new RemoteFetchError("too_large", `${new URL(url).host} sent more than ${Math.round(maxBytes / 1024)} KB where a small document was expected.`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof RemoteFetchError) throw error;
      throw classifyNetworkError(error, current, timeoutMs);
    }
    const contentType = String(response.headers["content-type"] ?? "");
    const date = response.headers.date;
    return { url: current, status: response.statusCode, contentType, text: Buffer.concat(chunks).toString("utf8"), date: (Array.isArray(date) ? date[0] : date) ?? null };
  }
}
