/**
 * TLS failures, against real https servers with certificates made by python3-cryptography: each
 * one is answered with a cause a person understands, through a link and in discovery.
 */
import { execFileSync } from "node:child_process";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createLink } from "@/lib/links/create-link";
import { setOutgoing } from "@/lib/links/update-link";
import { linkFetch } from "@/lib/outgoing/link-fetch";
import { classifyNetworkError, fetchRemoteText } from "@/lib/outgoing/remote-fetch";
import { SYSTEM } from "@/tests/support/factories";

const certs = JSON.parse(execFileSync("/usr/bin/python3", [path.resolve("tests/support/make_certs.py")], { encoding: "utf8" })) as Record<"ca" | "leaf" | "leafKey" | "selfSigned" | "selfSignedKey", string>;
const servers: https.Server[] = [];
/** Every request that reached a server (after its TLS handshake), by the server's URL: a refused certificate must leave none. */
const received = new Map<string, string[]>();

async function serve(options: https.ServerOptions): Promise<string> {
  const requests: string[] = [];
  const server = https.createServer(options, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "text/plain" }).end("secret data");
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  received.set(url, requests);
  return url;
}

let selfSigned: string;
let privateCa: string;

beforeAll(async () => {
  selfSigned = await serve({ cert: certs.selfSigned, key: certs.selfSignedKey });
  // A leaf from a CA this machine does not trust, sent with its CA as a company's server would.
  privateCa = await serve({ cert: certs.leaf + certs.ca, key: certs.leafKey });
});
afterAll(() => servers.forEach((s) => s.close()));

async function throughLink(name: string, rpcUrl: string) {
  const { link } = await createLink(db, SYSTEM, { name, type: "generic", rpcUrl });
  const configured = await setOutgoing(db, SYSTEM, link.id, { threeLegged: false, twoLegged: true, impersonation: false });
  return linkFetch(db, configured, { method: "GET", url: `${rpcUrl}/rest/api/2/myself` }, { as: { server: true }, retry: { delaysMs: [] } });
}

describe("TLS failures", () => {
  it("a self-signed certificate: 502 NETWORK_ERROR: certificate not trusted, saying why, and the request is never sent", async () => {
    await expect(throughLink("Self-signed", selfSigned)).rejects.toMatchObject({
      code: "network_error",
      status: 502,
      message: expect.stringMatching(/^NETWORK_ERROR: certificate not trusted: 127\.0\.0\.1:\d+'s certificate is refused because it is self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\)\.$/),
    });
    expect(received.get(selfSigned)).toEqual([]);
    // The control: the same server does record a request that is sent (to it, trusting its certificate).
    const control = await new Promise<number>((resolve, reject) => https.get(`${selfSigned}/control`, { ca: certs.selfSigned }, (res) => resolve(res.statusCode!)).on("error", reject));
    expect(control).toBe(200);
    expect(received.get(selfSigned)).toEqual(["GET /control"]);
  });

  it("a private CA: certificate not trusted, pointing at NODE_EXTRA_CA_CERTS or the chain", async () => {
    await expect(throughLink("Private CA", privateCa)).rejects.toMatchObject({
      code: "network_error",
      message: expect.stringMatching(/^NETWORK_ERROR: certificate not trusted: .*(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/),
    });
  });

  it("discovery says the same", async () => {
    await expect(fetchRemoteText(`${selfSigned}/rest/applinks/1.0/manifest`)).rejects.toMatchObject({ problem: "tls_untrusted", message: expect.stringContaining("certificate not trusted") });
  });

  it("a trusted certificate for another host name: certificate for another host", async () => {
    // The CA trusted for this one connection, but the name asked for is not the certificate's.
    const port = Number(new URL(privateCa).port);
    const error = await new Promise<Error>((resolve) => {
      const socket = tls.connect({ host: "127.0.0.1", port, ca: certs.ca, servername: "jira.example.test", checkServerIdentity: (_host, cert) => tls.checkServerIdentity("jira.example.test", cert) }, () => resolve(new Error("connected")));
      socket.on("error", resolve);
    });
    expect((error as { code?: string }).code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    expect(classifyNetworkError(error, "https://jira.example.test/", 5000)).toMatchObject({ problem: "tls_hostname", message: expect.stringMatching(/^certificate for another host: jira\.example\.test/) });
  });
});
