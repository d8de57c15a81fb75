/**
 * GET /api/metrics: off without METRICS_TOKEN, refused without it, and what it reports moves with
 * real events (a request through a link, an incoming OAuth refusal). Route labels are patterns.
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { databaseKind } from "@/lib/env/paths";
import { createLink } from "@/lib/links/create-link";
import { setIncoming, setOutgoing } from "@/lib/links/update-link";
import { linkFetch } from "@/lib/outgoing/link-fetch";
import { recordTrafficProblem } from "@/lib/traffic/traffic";
import { recordStatusChange } from "@/lib/history/status-history";
import { authenticateOAuth } from "@/lib/incoming/incoming-caller";
import { signRequest } from "@/lib/oauth1";
import { routePattern } from "@/lib/http/route-pattern.mjs";
import { GET } from "@/app/api/metrics/route";
import { SYSTEM } from "@/tests/support/factories";

const upstream = http.createServer((_req, res) => res.writeHead(200).end("{}"));
afterAll(() => upstream.close());
afterEach(() => delete process.env.METRICS_TOKEN);

const scrape = (authorization?: string) => GET(new Request("http://localhost/api/metrics", { headers: authorization ? { authorization } : {} }));

/** The value of one series in the exposition text (0 when absent). */
function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe("/api/metrics", () => {
  it("does not exist without METRICS_TOKEN, and refuses any other token", async () => {
    expect((await scrape("Bearer anything")).status).toBe(404);
    process.env.METRICS_TOKEN = "scrape-secret";
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer wrong")).status).toBe(401);
    const ok = await scrape("Bearer scrape-secret");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it("counts requests through a link by link and outcome, and incoming verifications by result", async () => {
    process.env.METRICS_TOKEN = "scrape-secret";
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const { link } = await createLink(db, SYSTEM, { name: "Metrics remote", type: "generic", rpcUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
    const configured = await setOutgoing(db, SYSTEM, link.id, { threeLegged: false, twoLegged: true, impersonation: false });
    const before = await (await scrape("Bearer scrape-secret")).text();
    const proxied = `applink_proxy_requests_total{link="${link.id}",outcome="2xx"}`;
    await (await linkFetch(db, configured, { method: "GET", url: `${configured.rpcUrl}/x` }, { as: { server: true } })).text();
    await (await linkFetch(db, configured, { method: "GET", url: `${configured.rpcUrl}/y` }, { as: { server: true } })).text();

    const keys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    await setIncoming(db, SYSTEM, link.id, { consumerKey: "metrics-peer", publicKey: keys.publicKey.export({ type: "spki", format: "pem" }) as string, threeLegged: true, twoLegged: false, impersonation: false });
    const signed = await signRequest({ method: "GET", url: "http://localhost/api/v1/myself" }, { key: "metrics-peer", privateKey: crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey });
    await expect(authenticateOAuth(db, { method: "GET", url: signed.url, headers: new Headers({ authorization: signed.authorization, host: "localhost" }), body: null })).rejects.toMatchObject({ problem: "signature_invalid" });

    const after = await (await scrape("Bearer scrape-secret")).text();
    expect(value(after, proxied) - value(before, proxied)).toBe(2);
    expect(after).toMatch(new RegExp(`applink_proxy_latency_seconds_count\\{link="${link.id}"\\} 2`));
    const refused = 'applink_incoming_oauth_total{result="signature_invalid"}';
    expect(value(after, refused) - value(before, refused)).toBe(1);
  });

  it("reports the PostgreSQL pool's connections on PostgreSQL, and no pool on SQLite", async () => {
    process.env.METRICS_TOKEN = "scrape-secret";
    await db.user.count();
    const text = await (await scrape("Bearer scrape-secret")).text();
    if (databaseKind() === "postgresql") {
      expect(value(text, 'applink_db_pool_connections{pool="main",state="open"}')).toBeGreaterThanOrEqual(1);
      expect(value(text, 'applink_db_pool_connections{pool="main",state="max"}')).toBe(10);
    } else {
      expect(text).not.toMatch(/^applink_db_pool_connections\{/m);
    }
  });

  it("labels a remote's oauth_problem by the known names and \"other\": 100 made-up problems add one series", async () => {
    process.env.METRICS_TOKEN = "scrape-secret";
    const { link } = await createLink(db, SYSTEM, { name: "Problem peer", type: "generic", rpcUrl: `http://problems-${Date.now()}.example.test` });
    const series = async () => (await (await scrape("Bearer scrape-secret")).text()).split("\n").filter((l) => l.startsWith("applink_outgoing_oauth_problems_total{"));
    const before = await series();
    for (let i = 0; i < 100; i++) await recordTrafficProblem(db, link, `made_up_${[...crypto.randomBytes(8)].map((b) => String.fromCharCode(97 + (b % 26))).join("")}`);
    await recordTrafficProblem(db, link, "token_revoked");
    const after = await series();
    const added = after.filter((l) => !before.some((b) => b.split(" ")[0] === l.split(" ")[0]));
    expect(added.map((l) => l.split(" ")[0]).sort()).toEqual(['applink_outgoing_oauth_problems_total{problem="other"}', 'applink_outgoing_oauth_problems_total{problem="token_revoked"}'].filter((name) => !before.some((b) => b.startsWith(name))));
    expect(value(after.join("\n"), 'applink_outgoing_oauth_problems_total{problem="other"}') - value(before.join("\n"), 'applink_outgoing_oauth_problems_total{problem="other"}')).toBe(100);
  });

  it("labels routes by pattern: no id, username or proxied path becomes a series", () => {
    expect(routePattern("/api/v1/links/cm123/proxy/rest/api/2/search?jql=x")).toBe("/api/v1/links/:id/proxy/*");
    expect(routePattern("/api/v1/links/cm123/status")).toBe("/api/v1/links/:id/status");
    expect(routePattern("/api/v1/users/alice")).toBe("/api/v1/users/:username");
    expect(routePattern("/links/cm123")).toBe("/links/:id");
    expect(routePattern("/links/new")).toBe("/links/new");
    expect(routePattern("/api/v1/anything/a-caller/chose")).toBe("other");
    expect(routePattern("/wp-admin.php")).toBe("other");
  });

  it("reports each link's status, read from the database at the scrape: one series per link, the status it left gone; when it changed; its certificate's expiry", async () => {
    process.env.METRICS_TOKEN = "scrape-secret";
    const { link } = await createLink(db, SYSTEM, { name: "Metrics status link", type: "generic", rpcUrl: "http://127.0.0.1:9/metrics-status" });
    const series = (text: string) => text.split("\n").filter((l) => l.startsWith("applink_link_status{") && l.includes(`link="${link.id}"`));
    expect(series(await (await scrape("Bearer scrape-secret")).text())).toEqual([`applink_link_status{link="${link.id}",name="Metrics status link",status="UNCHECKED"} 1`]);
    const at = new Date("2026-12-01T10:00:00Z");
    await db.linkStatus.create({ data: { linkId: link.id, status: "NETWORK_ERROR" } });
    await recordStatusChange(db, { linkId: link.id, from: "UNCHECKED", to: "NETWORK_ERROR", cause: "refused", source: "traffic", at });
    const text = await (await scrape("Bearer scrape-secret")).text();
    expect(series(text)).toEqual([`applink_link_status{link="${link.id}",name="Metrics status link",status="NETWORK_ERROR"} 1`]);
    expect(value(text, `applink_link_status_changed_timestamp_seconds{link="${link.id}",name="Metrics status link"}`)).toBe(at.getTime() / 1000);
    await db.link.update({ where: { id: link.id }, data: { outClientCertInfo: JSON.stringify({ subject: "CN=x", issuer: "CN=ca", validFrom: "2026-01-01T00:00:00.000Z", validTo: "2027-01-01T00:00:00.000Z", fingerprint256: "AA", serialNumber: "01" }) } });
    expect(value(await (await scrape("Bearer scrape-secret")).text(), `applink_link_certificate_expiry_timestamp_seconds{link="${link.id}",name="Metrics status link"}`)).toBe(Date.parse("2027-01-01T00:00:00Z") / 1000);
    // Deleted: no series any more.
    await db.link.delete({ where: { id: link.id } });
    expect(series(await (await scrape("Bearer scrape-secret")).text())).toEqual([]);
  });
});
