/**
 * Graceful stop (issue 14, operating it): on SIGTERM readiness answers 503 at once (requests are
 * still taken for SHUTDOWN_UNREADY_SECONDS, so a load balancer sees it), then no new connection is
 * taken, a proxied request in flight still gets its full answer, and the process exits 0 within its
 * grace period. Liveness and readiness are separate routes.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { api, apiAs, cliToken, startInstance } from "./helpers";

const D_URL = "http://127.0.0.4:3104";
const D_DATA = path.resolve(".tmp/e2e-data-d");

/** GET over one kept-alive socket (the agent has one), so a request can arrive on a connection opened before the stop. */
function get(agent: http.Agent, url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
      })
      .on("error", reject);
  });
}

/** GET on a new connection; its status, or the connection error's code (ECONNREFUSED once the listener is closed). */
async function statusOrRefusal(url: string): Promise<number | string> {
  try {
    return (await get(new http.Agent(), url)).status;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? "error";
  }
}

test("SIGTERM: not ready at once, the request in flight completes, then a clean exit", async () => {
  test.setTimeout(180_000);
  // A remote that holds each request until the test lets it answer: the request is in flight for
  // exactly as long as the test needs, with no sleep guessing how long a loaded machine takes.
  let received!: () => void;
  const arrived = new Promise<void>((resolve) => (received = resolve));
  const held: http.ServerResponse[] = [];
  const slow = http.createServer((_req, res) => {
    held.push(res);
    received();
  });
  const release = () => held.forEach((res) => res.writeHead(200, { "content-type": "application/json" }).end('{"slow":true}'));
  slow.listen(0, "127.0.0.1");
  await once(slow, "listening");
  const unreadySeconds = 5;
  const graceSeconds = 20;
  const instance = await startInstance({ port: 3104, host: "127.0.0.4", dataDir: D_DATA, admin: { username: "admin", password: "e2e admin password d" }, env: { SHUTDOWN_UNREADY_SECONDS: String(unreadySeconds), SHUTDOWN_GRACE_SECONDS: String(graceSeconds) } });
  try {
    const token = cliToken(D_DATA, "admin");
    const admin = await apiAs(token);
    const link = await api(admin, "POST", `${D_URL}/api/v1/links`, { name: "Slow remote", type: "generic", rpcUrl: `http://127.0.0.1:${(slow.address() as AddressInfo).port}` });
    await api(admin, "PUT", `${D_URL}/api/v1/links/${link.id}/outgoing`, { threeLegged: false, twoLegged: true, impersonation: false });

    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(keepAlive, `${D_URL}/api/health/live`)).status).toBe(200);
    const ready = await get(keepAlive, `${D_URL}/api/health/ready`);
    expect({ status: ready.status, body: JSON.parse(ready.body) }).toEqual({ status: 200, body: { status: "ok", db: "ok", keys: { provider: "file", status: "ok" } } });

    // A proxied request in flight (the remote has it), on its own connection; then the stop.
    const inFlight = get(new http.Agent(), `${D_URL}/api/v1/links/${link.id}/proxy/slow`, { authorization: `Bearer ${token}` });
    await arrived;
    const exited = once(instance, "exit");
    const stoppedAt = Date.now();
    instance.kill("SIGTERM");

    // Not ready at once: within the unready window readiness turns 503 (each connection closed
    // after its answer) while liveness still answers.
    await expect.poll(() => statusOrRefusal(`${D_URL}/api/health/ready`), { timeout: (unreadySeconds - 1) * 1000, intervals: [50] }).toBe(503);
    const draining = await get(new http.Agent(), `${D_URL}/api/health/ready`);
    expect({ status: draining.status, body: JSON.parse(draining.body), connection: draining.connection }).toEqual({ status: 503, body: { status: "draining", db: "ok", keys: { provider: "file", status: "ok" } }, connection: "close" });
    expect(await statusOrRefusal(`${D_URL}/api/health/live`)).toBe(200);
    // Then no new connection is taken, while the request in flight is still held by the remote.
    await expect.poll(() => statusOrRefusal(`${D_URL}/api/health/live`), { timeout: graceSeconds * 1000, intervals: [100] }).toBe("ECONNREFUSED");
    expect(held).toHaveLength(1);
    // The request in flight gets its whole answer, and only then does the process exit, with 0.
    release();
    expect(await inFlight).toMatchObject({ status: 200, body: '{"slow":true}' });
    const [code] = await exited;
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan((unreadySeconds + graceSeconds) * 1000);
  } finally {
    instance.kill("SIGKILL");
    slow.close();
  }
});
