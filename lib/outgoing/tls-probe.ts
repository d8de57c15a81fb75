import net from "node:net";
import tls from "node:tls";
import { isClientCertificateAlert, RemoteFetchError } from "@/lib/outgoing/remote-fetch";
import { certificateState, type ClientCertificateInfo } from "@/lib/outgoing/schemes";

export interface TlsClientOptions {
  cert?: string;
  key?: string;
  ca?: string[];
  minVersion?: tls.SecureVersion;
}

/**
 * Why a TLS server closed the connection before answering. With TLS 1.3 a server checks the client
 * certificate after the handshake has completed on our side, so its refusal (an alert, or a plain
 * close) arrives while the request is already on its way and an HTTP client reports only "other
 * side closed". This probe opens one connection of its own with the same TLS settings, sends a
 * bare request and watches the socket: the alert the server sent, or that it closed right after the
 * handshake without a byte of answer. Only run after such a failure, never on the request path.
 * `certificate`: the stored details of the client certificate in `options`, to say when it is out of date.
 */
export async function probeTlsRefusal(
  url: string,
  options: TlsClientOptions,
  certificate: Pick<ClientCertificateInfo, "validFrom" | "validTo"> | null = null,
  timeoutMs = 5000,
): Promise<RemoteFetchError | null> {
  const target = new URL(url);
  if (target.protocol !== "https:") return null;
  const host = target.host;
  return new Promise((resolve) => {
    let answered = false;
    let handshaken = false;
    let settled = false;
    const done = (result: RemoteFetchError | null) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    const socket = tls.connect({ host: target.hostname, port: Number(target.port || 443), servername: net.isIP(target.hostname) ? undefined : target.hostname, ...options, timeout: timeoutMs }, () => {
      handshaken = true;
      socket.write(`HEAD ${target.pathname || "/"} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    socket.setTimeout(timeoutMs, () => done(null));
    socket.on("data", () => {
      answered = true;
      done(null);
    });
    // A certificate that has run out since it was uploaded is the likeliest cause, and one we can see here.
    const outOfDate = options.cert && certificate ? outOfDateNote(certificate) : null;
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const code = error.code ?? "";
      if (isClientCertificateAlert(code)) {
        const alert = `TLS alert ${code.replace(/^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_/, "").toLowerCase()}`;
        return done(
          new RemoteFetchError(
            "tls_client_certificate",
            !options.cert
              ? `client certificate refused: ${host} refused the connection without a client certificate (${alert}).`
              : outOfDate
                ? `client certificate refused: ${host} refused our client certificate (${alert}): it ${outOfDate}.`
                : `client certificate refused: ${host} refused our client certificate (${alert}).`,
          ),
        );
      }
      done(null);
    });
    socket.on("close", () => {
      if (handshaken && !answered) {
        return done(
          new RemoteFetchError(
            "tls_client_certificate",
            !options.cert
              ? `client certificate refused: ${host} closed the connection right after the TLS handshake without answering: it wants a client certificate, and this link has none.`
              : outOfDate
                ? `client certificate refused: ${host} closed the connection right after the TLS handshake without answering: our client certificate ${outOfDate}.`
                : `client certificate refused: ${host} closed the connection right after the TLS handshake without answering: most likely it does not accept our client certificate (issued by an authority it does not trust, or unknown to it).`,
          ),
        );
      }
      done(null);
    });
  });
}

/** "expired on …; upload a renewed one" (or "is not valid before …") for a certificate out of its validity now; null within it. */
function outOfDateNote(certificate: Pick<ClientCertificateInfo, "validFrom" | "validTo">, now = Date.now()): string | null {
  if (certificateState(certificate, now) === "expired") return `expired on ${certificate.validTo.slice(0, 10)}; upload a renewed one`;
  if (Date.parse(certificate.validFrom) > now) return `is not valid before ${certificate.validFrom.slice(0, 10)}`;
  return null;
}
