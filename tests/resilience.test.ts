/** Retries, the per-link concurrency cap and timeouts of requests through a link, against a scripted server. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { Link } from "@/lib/generated/prisma/client";
import { createLink } from "@/lib/links/create-link";
import { linkFetch } from "@/lib/outgoing/link-fetch";
import { ConcurrencyLimiter, retryDelay, retryPolicy } from "@/lib/outgoing/resilience";
import { setOutgoing } from "@/lib/links/update-link";
import { parseAuthorizationHeader } from "@/lib/oauth1";
import { SYSTEM } from "@/tests/support/factories";

const seen: Record<string, string[]> = {};
const held: http.ServerResponse[] = [];
let server: http.Server;
let base: string;
let link: Link;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = new URL(req.url!, "http://x").pathname;
    const nonce = Object.fromEntries(parseAuthorizationHeader(req.headers.authorization) ?? []).oauth_nonce ?? "none";
    const count = (seen[path] ??= []).push(nonce);
    if (path.startsWith("/flaky")) return void (count <= 2 ? res.writeHead(503).end("busy") : res.writeHead(200).end("ok"));
    if (path === "/always-502") return void res.writeHead(502).end("bad gateway");
    if (path === "/rate-limited") return void (count === 1 ? res.writeHead(429, { "retry-after": "7" }).end() : res.writeHead(200).end("ok"));
    if (path === "/reset") return void (count === 1 ? req.socket.destroy() : res.writeHead(200).end("ok"));
    if (path === "/hold") return void held.push(res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const created = await createLink(db, SYSTEM, { name: "Scripted", type: "generic", rpcUrl: base });
  link = await setOutgoing(db, SYSTEM, created.link.id, { threeLegged: false, twoLegged: true, impersonation: false });
});
afterAll(async () => {
  held.forEach((r) => r.destroy());
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function recorder() {
  const waits: number[] = [];
  return { waits, retry: { sleep: async (ms: number) => void waits.push(ms), jitter: 0 } };
}

const get = (path: string, extra: Parameters<typeof linkFetch>[3] extends infer O ? Partial<O> : never = {}, method = "GET") =>
  linkFetch(db, link, { method, url: `${base}${path}`, body: method === "POST" ? Buffer.from("x") : null }, { as: { server: true }, level: "2lo", ...extra });

describe("requests through a link", () => {
  it("retry idempotent requests on 503 after 2 s and 4 s, each with a fresh signature", async () => {
    const r = recorder();
    const res = await get("/flaky-get", { retry: r.retry });
    expect(res.status).toBe(200);
    expect(r.waits).toEqual([2000, 4000]);
    expect(new Set(seen["/flaky-get"]).size).toBe(3);
  });

  it("give up after three retries (2, 4, 8 s) and return the last answer", async () => {
    const r = recorder();
    const res = await get("/always-502", { retry: r.retry });
    expect(res.status).toBe(502);
    expect(r.waits).toEqual([2000, 4000, 8000]);
    expect(seen["/always-502"]).toHaveLength(4);
  });

  it("honour Retry-After, capped", async () => {
    const r = recorder();
    expect((await get("/rate-limited", { retry: { ...r.retry, maxRetryAfterMs: 5000 } })).status).toBe(200);
    expect(r.waits).toEqual([5000]);
    expect(retryDelay(0, retryPolicy({ jitter: 0 }), "3")).toBe(3000);
    expect(retryDelay(0, retryPolicy({ jitter: 0 }), new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8000);
  });

  it("retry a connection reset", async () => {
    const r = recorder();
    expect((await get("/reset", { retry: r.retry })).status).toBe(200);
    expect(r.waits).toEqual([2000]);
  });

  it("do not retry POST unless the caller opts in", async () => {
    const r = recorder();
    expect((await get("/flaky-post", { retry: r.retry }, "POST")).status).toBe(503);
    expect(seen["/flaky-post"]).toHaveLength(1);
    expect((await get("/flaky-post", { retry: { ...r.retry, retryPost: true } }, "POST")).status).toBe(200);
  });

  it("add jitter of at most ±20 % by default", () => {
    const delays = Array.from({ length: 200 }, () => retryDelay(1, retryPolicy({ delaysMs: [2000, 4000, 8000] })));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(3200);
    expect(Math.max(...delays)).toBeLessThanOrEqual(4800);
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it("cap concurrency per link with a bounded queue: beyond it, 503 at once", async () => {
    const limiter = new ConcurrencyLimiter(2, 1);
    const inFlight = [get("/hold", { limiter }), get("/hold", { limiter }), get("/hold", { limiter })];
    await expect.poll(() => held.length).toBe(2);
    await expect(get("/hold", { limiter })).rejects.toMatchObject({ code: "unavailable", status: 503 });
    held.splice(0).forEach((r) => r.writeHead(200).end("done"));
    await expect.poll(() => held.length).toBe(1);
    held.splice(0).forEach((r) => r.writeHead(200).end("done"));
    expect((await Promise.all(inFlight)).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it("hold a link's slot only for the exchange: not while waiting to retry", async () => {
    const limiter = new ConcurrencyLimiter(1, 0);
    let waiting!: () => void;
    const waitStarted = new Promise<void>((resolve) => (waiting = resolve));
    let wake!: () => void;
    const retry = { delaysMs: [10_000], jitter: 0, sleep: () => new Promise<void>((resolve) => ((wake = resolve), waiting())) };
    const first = get("/flaky-slot", { limiter, retry });
    await waitStarted;
    // The only slot is free while the first request sleeps: another request reaches the remote.
    expect((await get("/elsewhere", { limiter })).status).toBe(404);
    wake();
    expect((await first).status).toBe(503);
    expect(seen["/flaky-slot"]).toHaveLength(2);
  });

  it("answer a response timeout with 504", async () => {
    const pending = get("/hold", { timeouts: { responseMs: 300 }, retry: recorder().retry });
    await expect(pending).rejects.toMatchObject({ code: "gateway_timeout", status: 504, message: expect.stringMatching(/^NETWORK_ERROR: .*did not answer/) });
    held.splice(0).forEach((r) => r.destroy());
  });
});
