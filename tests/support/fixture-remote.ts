import http from "node:http";
import type { AddressInfo } from "node:net";

/** How the fixture remote behaves; change it between requests. */
export interface FixtureBehaviour {
  mode: "ok" | "garbage" | "hang" | "huge" | "redirect-away" | "not-found";
  /** Answer every request outside applinks (the manifest, consumer info) with this oauth_problem (401), as a provider refusing it. */
  refuseWith?: string;
  manifest: { id: string; name: string; typeId: string; url?: string };
  consumer: { key: string; name: string; publicKeyBase64: string } | null;
}

/**
 * A remote application on a loopback port that serves an applinks manifest and OAuth consumer
 * info — or garbage, or nothing at all — so discovery is tested against a real HTTP server.
 */
export async function startFixtureRemote(initial: Partial<FixtureBehaviour> = {}) {
  const behaviour: FixtureBehaviour = {
    mode: "ok",
    manifest: { id: "fixture-app-id", name: "Fixture Jira", typeId: "jira" },
    consumer: null,
    ...initial,
  };
  const hanging = new Set<http.ServerResponse>();
  /** Every request outside applinks, as it arrived (method, path, signed or not, body). */
  const seen: { method: string; path: string; signed: boolean; contentType: string | undefined; body: string }[] = [];
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(/^\/[^/]*(?=\/rest|\/plugins)/, "");
    if (!path.endsWith("/rest/applinks/1.0/manifest") && !path.endsWith("/plugins/servlet/oauth/consumer-info") && behaviour.mode === "ok") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      seen.push({ method: req.method ?? "", path: new URL(req.url ?? "/", "http://x").pathname, signed: /^OAuth /.test(req.headers.authorization ?? ""), contentType: req.headers["content-type"], body: Buffer.concat(chunks).toString("utf8") });
    }
    if (behaviour.mode === "hang") {
      hanging.add(res);
      return;
    }
    if (behaviour.mode === "not-found") return void res.writeHead(404).end("nope");
    if (behaviour.mode === "redirect-away") return void res.writeHead(302, { location: "http://127.0.0.2:9/elsewhere" }).end();
    if (behaviour.mode === "garbage") return void res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Welcome to nginx!</body></html>");
    if (behaviour.mode === "huge") {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(`<manifest><id>x</id><name>${"A".repeat(2 * 1024 * 1024)}</name></manifest>`);
      return;
    }
    if (path.endsWith("/rest/applinks/1.0/manifest")) {
      const m = behaviour.manifest;
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(`<?xml version="1.0"?><manifest><id>${m.id}</id><name>${m.name}</name><typeId>${m.typeId}</typeId><version>9.12.0</version><buildNumber>912000</buildNumber><applinksVersion>9.0.0</applinksVersion><url>${m.url ?? base}</url></manifest>`);
      return;
    }
    if (path.endsWith("/plugins/servlet/oauth/consumer-info") && behaviour.consumer) {
      const c = behaviour.consumer;
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(`<?xml version="1.0"?><consumer><key>${c.key}</key><name>${c.name}</name><publicKey>${c.publicKeyBase64}</publicKey><description>fixture</description></consumer>`);
      return;
    }
    if (behaviour.refuseWith) {
      const body = `oauth_problem=${behaviour.refuseWith}&oauth_problem_advice=${encodeURIComponent("refused by the fixture")}`;
      return void res.writeHead(401, { "www-authenticate": `OAuth realm="fixture", oauth_problem="${behaviour.refuseWith}"`, "content-type": "application/x-www-form-urlencoded" }).end(body);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    behaviour,
    seen,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
