/**
 * Issue 26, history: every change of a link's status is recorded with what noticed it (an admin's
 * Check now, real traffic, a background check), each check's time feeds the day's p50 / p95, proxied
 * requests are counted by outcome per day without a write per request, `GET …/status/history`
 * answers it, and pruning keeps each day's roll-up while forgetting the detail.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { createLink } from "@/lib/links/create-link";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { linkFetch } from "@/lib/outgoing/link-fetch";
import { checkLinkNow } from "@/lib/status/store";
import { dayOf, flushRequestCounts, pruneHistory, statusHistory } from "@/lib/history/status-history";
import * as historyRoute from "@/app/api/v1/links/[id]/status/history/route";
import { makeUser, sessionCookie, SYSTEM } from "@/tests/support/factories";

let remote: http.Server;
let port: number;
const listen = () => new Promise<void>((resolve) => remote.listen(port, "127.0.0.1", resolve));

beforeAll(async () => {
  remote = http.createServer((req, res) => res.writeHead(req.url?.includes("missing") ? 404 : 200, { "content-type": "application/json" }).end("{}"));
  await new Promise<void>((resolve) => remote.listen(0, "127.0.0.1", resolve));
  port = (remote.address() as AddressInfo).port;
});
afterAll(() => remote.close());

type Handler = (req: Request, ctx: { params: Promise<Record<string, unknown>> }) => Promise<Response>;
const history = async (linkId: string, cookie: string, query = "") => {
  const res = await (historyRoute as unknown as Record<string, Handler>).GET!(new Request(`http://localhost/api/v1/links/${linkId}/status/history${query}`, { headers: { cookie } }), { params: Promise.resolve({ id: linkId }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { changes: { from: string | null; to: string; source: string; cause: string }[]; days: { day: string; checks: number; checkP50Ms: number | null; requests: Record<string, number> }[] } };
};

describe("a link's status history", () => {
  it("records each change with what noticed it, counts checks and requests per day, and answers GET …/status/history", async () => {
    const admin = await makeUser("ADMIN");
    const user = await makeUser("USER");
    const cookie = await sessionCookie(user.id);
    const { link } = await createLink(db, SYSTEM, { name: "History remote", type: "generic", rpcUrl: `http://127.0.0.1:${port}/app` });

    const first = await checkLinkNow(db, link.id, { admin });
    const firstStatus = first.row!.status;
    // The same status again is no change.
    await checkLinkNow(db, link.id, { admin });
    // Requests through the link: counted in memory, added to the day at the flush.
    const through = (path: string) => linkFetch(db, link, { method: "GET", url: `http://127.0.0.1:${port}/app/${path}` }, { as: { server: true }, retry: { delaysMs: [] } }).then((r) => r.text());
    await through("ok");
    await through("ok");
    await through("missing");
    // The remote goes away: real traffic notices first.
    await new Promise<void>((resolve) => (remote.close(() => resolve()), remote.closeAllConnections()));
    // Until the pool has seen its kept-alive connection close (a reset is not yet a broken link).
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(through("ok")).rejects.toMatchObject({ code: "network_error", message: expect.stringMatching(/refused/i) });
    expect((await db.linkStatus.findUniqueOrThrow({ where: { linkId: link.id } })).status).toBe("NETWORK_ERROR");
    await flushRequestCounts(db);
    // It comes back: a background check sees it.
    await listen();
    await checkLinkNow(db, link.id, {});

    const { status, body } = await history(link.id, cookie);
    expect(status).toBe(200);
    expect(body.changes.map((c) => [c.from, c.to, c.source])).toEqual([
      [null, firstStatus, "admin"],
      [firstStatus, "NETWORK_ERROR", "traffic"],
      ["NETWORK_ERROR", firstStatus, "background"],
    ]);
    expect(body.changes[1]!.cause).toMatch(/A request through the link failed/);
    const today = body.days.at(-1)!;
    expect(today).toMatchObject({ day: dayOf(new Date()), checks: 3, requests: { ok: 2, clientError: 1, serverError: 0, failed: 1 } });
    expect(today.checkP50Ms).toEqual(expect.any(Number));
    expect(body.days).toHaveLength(31);
    expect((await findLinkOrThrow(db, link.id)).id).toBe(link.id);

    // A bad or future `since` is a clear 400.
    expect((await history(link.id, cookie, "?since=yesterday")).status).toBe(400);
    expect((await history(link.id, cookie, `?since=${new Date(Date.now() + 86_400_000).toISOString()}`)).status).toBe(400);
  });

  it("counts requests made through another copy of the module (Next.js bundles it more than once) in the flush, and shares one link limiter", async () => {
    const { link } = await createLink(db, SYSTEM, { name: "Counted across bundles", type: "generic", rpcUrl: `http://127.0.0.1:${port}/counted` });
    const first = await import("@/lib/outgoing/resilience");
    vi.resetModules();
    const copy = await import("@/lib/history/status-history");
    const otherResilience = await import("@/lib/outgoing/resilience");
    // Truly another copy of each module, as a second bundle has.
    expect(copy.flushRequestCounts).not.toBe(flushRequestCounts);
    expect(otherResilience.ConcurrencyLimiter).not.toBe(first.ConcurrencyLimiter);
    // A server action's copy counts; the instrumentation hook's copy (the one imported above) flushes.
    copy.countRequest(link.id, "ok");
    copy.countRequest(link.id, "serverError");
    await flushRequestCounts(db);
    expect(await db.linkDay.findUniqueOrThrow({ where: { linkId_day: { linkId: link.id, day: dayOf(new Date()) } } })).toMatchObject({ requestsOk: 1, requestsServerError: 1 });
    expect(otherResilience.linkLimiter).toBe(first.linkLimiter);
  });

  it("prunes detail older than the setting's days, keeping each pruned day's checks and p50 / p95 in its roll-up", async () => {
    const { link } = await createLink(db, SYSTEM, { name: "Old history", type: "generic", rpcUrl: `http://127.0.0.1:${port}/old` });
    const longAgo = new Date(Date.now() - 100 * 86_400_000);
    for (const [ms, status] of [[10, "CONNECTED"], [20, "CONNECTED"], [30, "NETWORK_ERROR"], [400, "CONNECTED"]] as const) {
      await db.linkCheckRun.create({ data: { linkId: link.id, at: longAgo, ms, status } });
    }
    await db.linkStatusChange.create({ data: { linkId: link.id, fromStatus: "CONNECTED", toStatus: "NETWORK_ERROR", cause: "long ago", source: "background", at: longAgo } });
    const pruned = await pruneHistory(db, 90);
    expect(pruned.changes).toBeGreaterThanOrEqual(1);
    expect(pruned.checks).toBeGreaterThanOrEqual(4);
    expect(await db.linkCheckRun.count({ where: { linkId: link.id } })).toBe(0);
    const since = new Date(longAgo.getTime() - 86_400_000);
    const kept = await statusHistory(db, link.id, since);
    expect(kept.changes).toEqual([]);
    expect(kept.days.find((d) => d.day === dayOf(longAgo))).toMatchObject({ checks: 4, checksFailed: 1, checkP50Ms: 20, checkP95Ms: 400 });
  });
});
