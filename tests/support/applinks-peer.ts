import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import readline from "node:readline";
import { OAuthProblemError, type OAuthProblem } from "@/lib/oauth1";

/**
 * python3-oauthlib as the peer's verifier (tests/interop/oauthlib_peer_verifier.py), one process
 * for the peer's life, one request per line: the peer never trusts this project's own verifier,
 * so a signing bug shared by both ends cannot pass. A verifier that dies fails the next request.
 */
function oauthlibVerifier() {
  const child = spawn("/usr/bin/python3", [path.resolve("tests/interop/oauthlib_peer_verifier.py")], { cwd: path.resolve("tests/interop"), stdio: ["pipe", "pipe", "inherit"] });
  const waiting: Array<{ resolve: (answer: VerifierAnswer) => void; reject: (error: Error) => void }> = [];
  let exited: Error | null = null;
  readline.createInterface({ input: child.stdout }).on("line", (line) => waiting.shift()?.resolve(JSON.parse(line) as VerifierAnswer));
  child.on("exit", (code, signal) => {
    exited = new Error(`the oauthlib verifier exited (${code ?? signal})`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  let queue: Promise<unknown> = Promise.resolve();
  return {
    verify(request: object): Promise<VerifierAnswer> {
      const next = queue.then(
        () =>
          new Promise<VerifierAnswer>((resolve, reject) => {
            if (exited) return reject(exited);
            waiting.push({ resolve, reject });
            child.stdin.write(JSON.stringify(request) + "\n");
          }),
      );
      queue = next.catch(() => undefined);
      return next;
    },
    close: () => child.kill(),
  };
}
type VerifierAnswer = { valid: boolean; requestor: string | null; problem: OAuthProblem | null };

/** One direction's OAuth settings, in the shape Atlassian's status resource answers them. */
export interface PeerOAuthConfig {
  enabled: boolean;
  twoLoEnabled: boolean;
  twoLoImpersonationEnabled: boolean;
}

/** How the peer behaves; change it between checks. */
export interface PeerBehaviour {
  /** The application id its manifest names. */
  appId: string;
  applinksVersion: string;
  /** Its clock against ours, in seconds (its Date header). */
  clockOffsetSeconds: number;
  /** It forgot our consumer: every signed request gets consumer_key_unknown. */
  forgotConsumer: boolean;
  /** Its link back to us: its local configuration, or none (404). */
  linkBack: { incoming: PeerOAuthConfig; outgoing: PeerOAuthConfig } | null;
  /** Users who are administrators there (others get 403 on the status resource). */
  admins: string[];
}

const ALL_ON: PeerOAuthConfig = { enabled: true, twoLoEnabled: true, twoLoImpersonationEnabled: true };

/**
 * An application-links peer on a loopback port, as an Atlassian server presents itself: an applinks
 * manifest, `GET /rest/applinks/3.0/status/{id}` for administrators, and `GET /rest/api/2/myself`.
 * Every request but the manifest must carry a valid OAuth 1.0a RSA-SHA1 signature from `consumer`,
 * checked by python3-oauthlib
 * (2LO, or 2LO with impersonation: `xoauth_requestor_id` names the user); refusals are OAuth problem
 * reports. Its Date header follows `clockOffsetSeconds`.
 */
export async function startApplinksPeer(consumer: { key: string; publicKeyPem: string }, initial: Partial<PeerBehaviour> = {}) {
  const behaviour: PeerBehaviour = {
    appId: "peer-app-id",
    applinksVersion: "9.0.0",
    clockOffsetSeconds: 0,
    forgotConsumer: false,
    linkBack: { incoming: { ...ALL_ON }, outgoing: { ...ALL_ON } },
    admins: ["admin"],
    ...initial,
  };
  const verifier = oauthlibVerifier();
  const seen: string[] = [];
  const server = http.createServer(async (req, res) => {
    const date = new Date(Date.now() + behaviour.clockOffsetSeconds * 1000).toUTCString();
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { date, "content-type": headers["content-type"] ?? "application/json", ...headers }).end(body);
    };
    const url = new URL(req.url ?? "/", base);
    seen.push(`${req.method} ${url.pathname}`);
    if (url.pathname === "/rest/applinks/1.0/manifest") {
      return send(200, `<?xml version="1.0"?><manifest><id>${behaviour.appId}</id><name>Peer Jira</name><typeId>jira</typeId><version>9.12.0</version><buildNumber>912000</buildNumber><applinksVersion>${behaviour.applinksVersion}</applinksVersion><url>${base}</url></manifest>`, { "content-type": "application/xml" });
    }
    let user: string;
    try {
      if (behaviour.forgotConsumer) throw new OAuthProblemError("consumer_key_unknown");
      const verified = await verifier.verify({
        consumers: { [consumer.key]: { rsa_public_pem: consumer.publicKeyPem } },
        method: req.method ?? "GET",
        url: url.href,
        headers: req.headers,
        body: null,
        clock_offset: behaviour.clockOffsetSeconds,
      });
      if (!verified.valid) throw new OAuthProblemError(verified.problem ?? "signature_invalid");
      user = verified.requestor ?? "peer-2lo-user";
    } catch (error) {
      if (error instanceof OAuthProblemError) return send(401, JSON.stringify({ problem: error.problem }), { "www-authenticate": error.wwwAuthenticate("peer") });
      return send(500, "{}");
    }
    if (url.pathname === "/rest/api/2/myself") return send(200, JSON.stringify({ name: user }));
    const status = /^\/rest\/applinks\/3\.0\/status\/([^/]+)$/.exec(url.pathname);
    if (status) {
      if (!behaviour.admins.includes(user)) return send(403, JSON.stringify({ message: "You are not an administrator." }));
      if (!behaviour.linkBack) return send(404, JSON.stringify({ message: `No link to ${decodeURIComponent(status[1]!)}` }));
      return send(200, JSON.stringify({ link: { id: "peer-link-1", name: "Applink Admin" }, working: true, localAuthentication: behaviour.linkBack }));
    }
    send(404, "{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    behaviour,
    seen,
    async close() {
      verifier.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
