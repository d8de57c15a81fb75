/**
 * Issue 26, alerts: a link that goes down is told by email (a real SMTP server requiring STARTTLS
 * and a login) and by a signed webhook (a receiver that verifies the signature), once, by whichever
 * of two instances holds the background lease, and a recovery follows; a flapping link sends one
 * alert per window and then one recovery; a failing channel is retried with backoff under the same
 * event id; and the channels' API keeps its secrets (shown once, sealed, masked).
 */
import { execFileSync } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createLink } from "@/lib/links/create-link";
import { deleteLink } from "@/lib/links/delete-link";
import { patchLink } from "@/lib/links/update-link";
import { linkFetch } from "@/lib/outgoing/link-fetch";
import { checkLinkNow } from "@/lib/status/store";
import { recordStatusChange } from "@/lib/history/status-history";
import { startBackgroundWork } from "@/lib/background/index";
import { queueExpiries, runNotifications, RETRY_DELAYS_MS } from "@/lib/notifications/dispatch";
import { notificationAttempts } from "@/lib/metrics";
import * as channelsRoute from "@/app/api/v1/notifications/channels/route";
import * as channelRoute from "@/app/api/v1/notifications/channels/[id]/route";
import * as testRoute from "@/app/api/v1/notifications/channels/[id]/test/route";
import * as smtpRoute from "@/app/api/v1/notifications/smtp/route";
import { makeUser, sessionCookie, SYSTEM } from "@/tests/support/factories";
import { databaseBytes } from "@/tests/support/database-contents";
import { startSmtpServer, startWebhookReceiver, until } from "@/tests/support/alert-receivers";

type Certs = Record<"ca" | "leaf" | "leafKey", string>;
const certs = JSON.parse(execFileSync("/usr/bin/python3", [path.resolve("tests/support/make_certs.py")], { encoding: "utf8" })) as Certs;
const SMTP_USER = "alerts";
const SMTP_PASSWORD = "smtp password 5c1e-77";
const APP_URL = "https://applinks.example.test";

type Handler = (req: Request, ctx: { params: Promise<Record<string, unknown>> }) => Promise<Response>;
async function call(route: unknown, method: string, cookie: string, options: { body?: unknown; params?: Record<string, string>; url?: string } = {}) {
  const handler = (route as Record<string, Handler>)[method]!;
  const req = new Request(`http://localhost${options.url ?? "/api/v1/notifications/channels"}`, {
    method,
    headers: { cookie, ...(options.body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const res = await handler(req, { params: Promise.resolve(options.params ?? {}) });
  return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
let remote: http.Server;
let remotePort: number;
let cookie: string;

beforeAll(async () => {
  process.env.APP_URL = APP_URL;
  smtp = await startSmtpServer({ key: certs.leafKey, cert: certs.leaf, user: SMTP_USER, password: SMTP_PASSWORD });
  hooks = await startWebhookReceiver();
  remote = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  await new Promise<void>((resolve) => remote.listen(0, "127.0.0.1", resolve));
  remotePort = (remote.address() as AddressInfo).port;
  cookie = await sessionCookie((await makeUser("ADMIN")).id);
  const put = await call(smtpRoute, "PUT", cookie, { url: "/api/v1/notifications/smtp", body: { host: "127.0.0.1", port: smtp.port, security: "starttls", username: SMTP_USER, password: SMTP_PASSWORD, sender: "applinks@example.test", caPem: certs.ca } });
  expect(put.status).toBe(200);
});
afterAll(async () => {
  delete process.env.APP_URL;
  await smtp.close();
  await hooks.close();
  remote.close();
});
afterEach(() => {
  delete process.env.ALERT_FLAP_MINUTES;
  hooks.state.failNext = 0;
});

/** A webhook channel to the receiver (its secret given to the receiver) and an email channel. */
async function channels(body: Record<string, unknown> = {}) {
  const hook = await call(channelsRoute, "POST", cookie, { body: { kind: "webhook", name: `Hook ${Math.random()}`, url: `${hooks.base}/hook`, events: ["status-worse", "status-recovered", "link-disabled", "link-deleted", "expiry-soon"], ...body } });
  expect(hook.status).toBe(201);
  hooks.state.secret = hook.json.secret;
  const mail = await call(channelsRoute, "POST", cookie, { body: { kind: "email", name: `Mail ${Math.random()}`, recipients: ["ops@example.test", "oncall@example.test"], events: ["status-worse", "status-recovered"], ...body } });
  expect(mail.status).toBe(201);
  return { hook: hook.json, mail: mail.json };
}

const cleanChannels = async () => {
  await db.notificationChannel.deleteMany({});
  await db.notificationEvent.deleteMany({});
  hooks.state.hooks.length = 0;
  smtp.mails.length = 0;
};

describe("alerts", () => {
  it("a link that goes down is told once by email and by a signed webhook, by the lease holder of two instances, and its recovery follows", async () => {
    await cleanChannels();
    process.env.ALERT_FLAP_MINUTES = "0";
    const { hook } = await channels();
    const admin = await makeUser("ADMIN");
    const { link } = await createLink(db, SYSTEM, { name: "Billing Jira", type: "generic", rpcUrl: `http://127.0.0.1:${remotePort}/app` });
    const first = await checkLinkNow(db, link.id, { admin });
    expect(["CONNECTED", "UPGRADE_CONFIG"]).toContain(first.row!.status);

    // Two instances share the database; one holds the lease and sends.
    const stopA = startBackgroundWork(db, { holder: "instance-a", leaseMs: 3000, renewMs: 300, notifyEveryMs: 200, purgeEveryMs: 60_000 });
    const stopB = startBackgroundWork(db, { holder: "instance-b", leaseMs: 3000, renewMs: 300, notifyEveryMs: 200, purgeEveryMs: 60_000 });
    try {
      // The remote goes away: a real request through the link notices at once.
      await new Promise<void>((resolve) => (remote.close(() => resolve()), remote.closeAllConnections()));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const noticed = Date.now();
      await expect(linkFetch(db, link, { method: "GET", url: `http://127.0.0.1:${remotePort}/app/x` }, { as: { server: true }, retry: { delaysMs: [] } })).rejects.toMatchObject({ code: "network_error" });
      await until(() => smtp.mails.length >= 1 && hooks.state.hooks.length >= 1, 20_000, "the alert by email and webhook").catch(async (error: Error) => {
        throw new Error(`${error.message} Outbox: ${JSON.stringify(await db.notificationEvent.findMany({ include: { deliveries: true } }))}; attempts: ${JSON.stringify(await db.notificationAttempt.findMany())}; status: ${JSON.stringify(await db.linkStatus.findUnique({ where: { linkId: link.id } }))}; mails ${smtp.mails.length}, hooks ${hooks.state.hooks.length}`);
      });
      expect(Date.now() - noticed).toBeLessThan(60_000);

      const alert = hooks.state.hooks[0]!;
      expect(alert).toMatchObject({ verified: true, repeat: false, path: "/hook" });
      expect(alert.headers["x-applink-event"]).toBe("status-worse");
      expect(alert.json).toMatchObject({ id: alert.headers["x-applink-event-id"], type: "status-worse", from: first.row!.status, to: "NETWORK_ERROR", source: "traffic", link: { id: link.id, name: "Billing Jira", page: `${APP_URL}/links/${link.id}` } });
      expect(String(alert.json.cause)).toMatch(/refused/i);
      expect(String(alert.json.fix)).toMatch(/checked again/i);

      // One message to both recipients.
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0]!;
      expect(mail).toMatchObject({ from: "applinks@example.test", secure: true, user: SMTP_USER });
      expect(mail.to.sort()).toEqual(["ops@example.test", "oncall@example.test"].sort());
      expect(mail.subject).toMatch(/Billing Jira stopped working: Network error/);
      expect(mail.text).toContain(`Link page: ${APP_URL}/links/${link.id}`);
      expect(mail.text).toMatch(/Cause: .*refused/i);
      expect(mail.text).toMatch(/Fix: /);
      expect(mail.html).toContain(`href="${APP_URL}/links/${link.id}"`);
      expect(mail.messageId).toContain(String(alert.headers["x-applink-event-id"]));

      // It comes back: the quick re-check sees it, and the recovery follows.
      await new Promise<void>((resolve) => remote.listen(remotePort, "127.0.0.1", resolve));
      await checkLinkNow(db, link.id, { source: "background" });
      await until(() => hooks.state.hooks.length >= 2 && smtp.mails.length >= 2, 20_000, "the recovery");
      expect(hooks.state.hooks[1]!.json).toMatchObject({ type: "status-recovered", from: "NETWORK_ERROR", link: { id: link.id } });
      expect(smtp.mails[1]!.subject).toMatch(/Billing Jira works again/);

      // Several more rounds of both instances: nothing more is sent (once, not once per instance).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(hooks.state.hooks.filter((h) => h.verified && !h.repeat)).toHaveLength(2);
      expect(hooks.state.hooks).toHaveLength(2);
      expect(smtp.mails).toHaveLength(2);
      const deliveries = await db.notificationDelivery.findMany({ where: { event: { linkId: link.id } } });
      expect(deliveries.map((d) => d.state)).toEqual(["sent", "sent", "sent", "sent"]);
      // The delivery log says what each end answered.
      const log = await call(channelRoute, "GET", cookie, { params: { id: hook.id } });
      expect(log.json.attempts.map((a: { detail: string; ok: boolean }) => [a.ok, a.detail])).toEqual([
        [true, "HTTP 204"],
        [true, "HTTP 204"],
      ]);
    } finally {
      await Promise.all([stopA(), stopB()]);
    }
  }, 60_000);

  it("two instances noticing the same change at once record it once, so it is told once", async () => {
    await cleanChannels();
    const admin = await makeUser("ADMIN");
    const down = http.createServer();
    await new Promise<void>((resolve) => down.listen(0, "127.0.0.1", resolve));
    const port = (down.address() as AddressInfo).port;
    const { link } = await createLink(db, SYSTEM, { name: "Raced", type: "generic", rpcUrl: `http://127.0.0.1:${port}/app` });
    await db.linkStatus.create({ data: { linkId: link.id, status: "CONNECTED", cause: "", fix: "", action: "[]", checks: "[]" } });
    down.close();
    // Four checks at once, as four instances would run them: each finds the remote gone.
    await Promise.all([1, 2, 3, 4].map(() => checkLinkNow(db, link.id, { admin, timeoutMs: 2000 })));
    expect(await db.linkStatusChange.count({ where: { linkId: link.id } })).toBe(1);
    expect(await db.notificationEvent.count({ where: { linkId: link.id } })).toBe(1);
  });

  it("a flapping link sends one alert per ALERT_FLAP_MINUTES, then one recovery when it settles", async () => {
    await cleanChannels();
    process.env.ALERT_FLAP_MINUTES = "15";
    await channels({ kind: "webhook" }).catch(() => undefined);
    await db.notificationChannel.deleteMany({ where: { kind: "email" } });
    const { link } = await createLink(db, SYSTEM, { name: "Flapping Confluence", type: "generic", rpcUrl: "http://flap.example.test" });
    const t0 = Date.now() - 60 * 60_000;
    const at = (minutes: number) => new Date(t0 + minutes * 60_000);
    const change = (from: string, to: string, minutes: number) => db.$transaction((tx) => recordStatusChange(tx, { linkId: link.id, from, to, cause: `${from} → ${to}`, source: "background", at: at(minutes) }));
    await change("CONNECTED", "NETWORK_ERROR", 0);
    await change("NETWORK_ERROR", "CONNECTED", 1);
    await change("CONNECTED", "NETWORK_ERROR", 2);
    await change("NETWORK_ERROR", "CONNECTED", 3);
    await runNotifications(db, at(4));
    // One alert; the recoveries wait for the window's end.
    expect(hooks.state.hooks.map((h) => h.json.type)).toEqual(["status-worse"]);
    await runNotifications(db, at(16));
    // At the window's end: the last recovery (the first was overtaken by a later change).
    expect(hooks.state.hooks.map((h) => h.json.type)).toEqual(["status-worse", "status-recovered"]);
    const events = await db.notificationEvent.findMany({ where: { linkId: link.id }, orderBy: { at: "asc" } });
    expect(events.map((e) => e.state)).toEqual(["dispatched", "suppressed", "suppressed", "dispatched"]);
    expect(events[2]!.note).toMatch(/at most one per 15 minutes/);
    // Down again after the window: a new alert.
    await change("CONNECTED", "NETWORK_ERROR", 20);
    await runNotifications(db, at(20));
    expect(hooks.state.hooks.map((h) => h.json.type)).toEqual(["status-worse", "status-recovered", "status-worse"]);
    expect(hooks.state.hooks.every((h) => h.verified)).toBe(true);
  });

  it("a failing channel is retried with backoff under the same event id, and the log shows each attempt", async () => {
    await cleanChannels();
    process.env.ALERT_FLAP_MINUTES = "0";
    const { hook } = await channels();
    await db.notificationChannel.deleteMany({ where: { kind: "email" } });
    const { link } = await createLink(db, SYSTEM, { name: "Retry Bamboo", type: "bamboo", rpcUrl: "http://retry.example.test" });
    await db.$transaction((tx) => recordStatusChange(tx, { linkId: link.id, from: "CONNECTED", to: "CONFIG_ERROR", cause: "signature_invalid", source: "background" }));
    hooks.state.failNext = 2;
    const counted = async (outcome: string) => (await notificationAttempts.get()).values.find((v) => v.labels.kind === "webhook" && v.labels.outcome === outcome)?.value ?? 0;
    const before = { sent: await counted("sent"), failed: await counted("failed") };
    const start = Date.now();
    await runNotifications(db, new Date(start));
    // Not due yet before the first wait has passed.
    await runNotifications(db, new Date(start + RETRY_DELAYS_MS[0]! - 5_000));
    expect(await db.notificationAttempt.count({ where: { channelId: hook.id } })).toBe(1);
    await runNotifications(db, new Date(start + RETRY_DELAYS_MS[0]! + 1_000));
    await runNotifications(db, new Date(start + RETRY_DELAYS_MS[0]! + RETRY_DELAYS_MS[1]! + 2_000));
    const attempts = await db.notificationAttempt.findMany({ where: { channelId: hook.id }, orderBy: { at: "asc" } });
    expect(attempts.map((a) => [a.ok, a.detail])).toEqual([
      [false, "HTTP 503: try again later"],
      [false, "HTTP 503: try again later"],
      [true, "HTTP 204"],
    ]);
    expect(new Set(attempts.map((a) => a.eventId)).size).toBe(1);
    expect(hooks.state.hooks).toHaveLength(1);
    expect(hooks.state.hooks[0]!.headers["x-applink-event-id"]).toBe(attempts[0]!.eventId);
    expect((await db.notificationDelivery.findFirstOrThrow({ where: { channelId: hook.id } })).state).toBe("sent");
    // The operators' metric counts each attempt.
    expect({ sent: (await counted("sent")) - before.sent, failed: (await counted("failed")) - before.failed }).toEqual({ sent: 1, failed: 2 });
  });

  it("channels choose their links and events; disabling, deleting and a forgotten consumer are told; Slack and Teams get their shapes", async () => {
    await cleanChannels();
    process.env.ALERT_FLAP_MINUTES = "0";
    const { link: watched } = await createLink(db, SYSTEM, { name: "Watched", type: "jira", rpcUrl: "http://watched.example.test" });
    const { link: other } = await createLink(db, SYSTEM, { name: "Other", type: "jira", rpcUrl: "http://other.example.test" });
    const generic = await call(channelsRoute, "POST", cookie, { body: { kind: "webhook", name: "Only watched", url: `${hooks.base}/generic`, events: ["status-worse", "link-disabled", "link-deleted"], links: [watched.id] } });
    const slack = await call(channelsRoute, "POST", cookie, { body: { kind: "webhook", name: "Slack", format: "slack", url: `${hooks.base}/slack`, events: ["status-worse"], links: "all" } });
    const teams = await call(channelsRoute, "POST", cookie, { body: { kind: "webhook", name: "Teams", format: "teams", url: `${hooks.base}/teams`, events: ["link-deleted"] } });
    expect([generic.status, slack.status, teams.status]).toEqual([201, 201, 201]);
    // One receiver, three secrets: each delivery is checked against its own channel's.
    hooks.state.secrets = { "/generic": generic.json.secret, "/slack": slack.json.secret, "/teams": teams.json.secret };
    await db.$transaction((tx) => recordStatusChange(tx, { linkId: other.id, from: "CONNECTED", to: "NETWORK_ERROR", cause: "connection refused", source: "traffic" }));
    await db.$transaction((tx) => recordStatusChange(tx, { linkId: watched.id, from: "CONNECTED", to: "CONFIG_ERROR", cause: "Watched does not know this app's consumer", problem: "consumer_key_unknown", source: "background" }));
    await patchLink(db, SYSTEM, watched.id, { version: watched.version, enabled: false });
    await deleteLink(db, SYSTEM, watched.id);
    await runNotifications(db);
    hooks.state.secrets = {};
    const got = hooks.state.hooks.map((h) => `${h.path} ${h.headers["x-applink-event"]} ${h.verified}`).sort();
    expect(got).toEqual(
      [
        "/generic consumer-forgotten true",
        "/generic link-disabled true",
        "/generic link-deleted true",
        "/slack status-worse true",
        "/slack consumer-forgotten true",
        "/teams link-deleted true",
      ].sort(),
    );
    const slackBody = hooks.state.hooks.find((h) => h.path === "/slack" && h.headers["x-applink-event"] === "status-worse")!.json;
    expect(slackBody).toMatchObject({ text: "Other stopped working: Network error", blocks: [{ type: "section", text: { type: "mrkdwn" } }, { type: "actions" }] });
    const teamsBody = hooks.state.hooks.find((h) => h.path === "/teams")!.json;
    expect(teamsBody).toMatchObject({ type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: { type: "AdaptiveCard", body: [{ type: "TextBlock", text: "Watched was deleted by system" }, { type: "FactSet" }] } }] });
    // A deleted link's page is not offered; the channel that chose only it now covers none (not all).
    expect(JSON.stringify(teamsBody)).not.toContain("Action.OpenUrl");
    const after = await call(channelRoute, "GET", cookie, { params: { id: generic.json.id } });
    expect(after.json).toMatchObject({ links: [] });
  });

  it("the channels' API: secrets once, sealed and masked; warnings; refusals with their field; a test send; a rotated secret", async () => {
    await cleanChannels();
    const slackUrl = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx";
    const created = await call(channelsRoute, "POST", cookie, { body: { kind: "webhook", name: "Team chat", format: "slack", url: slackUrl, events: ["status-worse"] } });
    expect(created.status).toBe(201);
    expect(created.json.secret).toMatch(/^whsec_[\w-]{43}$/);
    expect(created.json.url).toBe("https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcd…");
    const listed = await call(channelsRoute, "GET", cookie);
    expect(JSON.stringify(listed.json)).not.toContain(created.json.secret);
    expect(JSON.stringify(listed.json)).not.toContain("abcdefghijklmnop");
    // Neither the URL's secret part nor the signing secret is in the database's bytes, nor the SMTP password.
    const bytes = await databaseBytes();
    for (const secret of [created.json.secret, "abcdefghijklmnopqrstuvwx", SMTP_PASSWORD]) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    const smtpRead = await call(smtpRoute, "GET", cookie, { url: "/api/v1/notifications/smtp" });
    expect(smtpRead.json.smtp).toMatchObject({ host: "127.0.0.1", security: "starttls", passwordSet: true });
    expect(JSON.stringify(smtpRead.json)).not.toContain(SMTP_PASSWORD);

    // The same warnings as every URL the server calls, and clear text.
    const metadata = await call(channelsRoute, "POST", cookie, { body: { kind: "webhook", name: "Odd", url: "http://169.254.169.254/latest", events: ["status-worse"] } });
    expect(metadata.json.warnings.join(" ")).toMatch(/link-local/);
    expect(metadata.json.warnings.join(" ")).toMatch(/unencrypted/);

    // Refusals name their field, with 400 (never a 500).
    const refusals = [
      { kind: "webhook", name: "x", url: "ftp://example.test", events: ["status-worse"] },
      { kind: "webhook", name: "x", url: "https://user:pw@example.test/hook", events: ["status-worse"] },
      { kind: "webhook", name: "x", url: "https://example.test/hook", events: ["status-sideways"] },
      { kind: "webhook", name: "x", url: "https://example.test/hook", events: ["status-worse"], links: ["no-such-link"] },
      { kind: "email", name: "x", recipients: [], events: ["status-worse"] },
      { kind: "email", name: "x", recipients: ["not an address"], events: ["status-worse"] },
      { kind: "pigeon", name: "x", events: ["status-worse"] },
      { kind: "email", name: "x", recipients: ["a@example.test"], events: ["status-worse"], url: "https://example.test" },
    ];
    for (const body of refusals) {
      const refused = await call(channelsRoute, "POST", cookie, { body });
      expect({ body, status: refused.status, error: refused.json.error.code }).toEqual({ body, status: 400, error: "validation_failed" });
    }
    const wrongField = await call(channelRoute, "PATCH", cookie, { params: { id: created.json.id }, body: { recipients: ["a@example.test"] } });
    expect(wrongField.status).toBe(400);
    expect(wrongField.json.error.fields).toHaveProperty("recipients");

    // Send a test to the receiver; then a rotated secret: the old one no longer verifies.
    const mine = await call(channelsRoute, "POST", cookie, { body: { kind: "webhook", name: "Receiver", url: `${hooks.base}/test`, events: ["status-worse"] } });
    hooks.state.secret = mine.json.secret;
    const tested = await call(testRoute, "POST", cookie, { params: { id: mine.json.id } });
    expect(tested.json).toMatchObject({ ok: true, detail: "HTTP 204" });
    expect(hooks.state.hooks.at(-1)!.json).toMatchObject({ type: "test", title: "Test from Applink Admin: this channel works" });
    const rotated = await call(channelRoute, "PATCH", cookie, { params: { id: mine.json.id }, body: { rotateSecret: true } });
    expect(rotated.json.secret).toMatch(/^whsec_/);
    expect(rotated.json.secret).not.toBe(mine.json.secret);
    const refusedTest = await call(testRoute, "POST", cookie, { params: { id: mine.json.id } });
    expect(refusedTest.json).toMatchObject({ ok: false, detail: "HTTP 401: bad signature" });
    hooks.state.secret = rotated.json.secret;
    expect((await call(testRoute, "POST", cookie, { params: { id: mine.json.id } })).json.ok).toBe(true);
    const log = await call(channelRoute, "GET", cookie, { params: { id: mine.json.id } });
    expect(log.json.attempts.map((a: { ok: boolean }) => a.ok)).toEqual([true, false, true]);
    expect(log.json).not.toHaveProperty("secret");

    // Email: a test through the real SMTP server; with a wrong password, the server's refusal is said.
    const mail = await call(channelsRoute, "POST", cookie, { body: { kind: "email", name: "Ops", recipients: ["ops@example.test"], events: ["status-worse"] } });
    expect(mail.json.warnings).toEqual([]);
    const mailed = await call(testRoute, "POST", cookie, { params: { id: mail.json.id } });
    expect(mailed.json).toMatchObject({ ok: true, detail: expect.stringMatching(/^250/) });
    expect(smtp.mails.at(-1)).toMatchObject({ to: ["ops@example.test"], secure: true, subject: "[Applink Admin] Test from Applink Admin: this channel works" });
    await call(smtpRoute, "PUT", cookie, { url: "/api/v1/notifications/smtp", body: { host: "127.0.0.1", port: smtp.port, security: "starttls", username: SMTP_USER, password: "wrong", sender: "applinks@example.test", caPem: certs.ca } });
    const wrong = await call(testRoute, "POST", cookie, { params: { id: mail.json.id } });
    expect(wrong.json).toMatchObject({ ok: false, detail: expect.stringMatching(/535/) });
    // Without the CA, the server's certificate is not trusted: nothing is sent in clear text instead.
    await call(smtpRoute, "PUT", cookie, { url: "/api/v1/notifications/smtp", body: { host: "127.0.0.1", port: smtp.port, security: "starttls", username: SMTP_USER, password: SMTP_PASSWORD, sender: "applinks@example.test" } });
    const untrusted = await call(testRoute, "POST", cookie, { params: { id: mail.json.id } });
    expect(untrusted.json).toMatchObject({ ok: false, detail: expect.stringMatching(/certificate/i) });
    const badSmtp = await call(smtpRoute, "PUT", cookie, { url: "/api/v1/notifications/smtp", body: { host: "smtp.example.test/x", port: 99999, security: "ssl", sender: "nobody", caPem: "not a pem" } });
    expect(badSmtp.status).toBe(400);
    expect(Object.keys(badSmtp.json.error.fields).sort()).toEqual(["caPem", "host", "port", "security", "sender"]);
    await call(smtpRoute, "PUT", cookie, { url: "/api/v1/notifications/smtp", body: { host: "127.0.0.1", port: smtp.port, security: "starttls", username: SMTP_USER, password: SMTP_PASSWORD, sender: "applinks@example.test", caPem: certs.ca } });
    const deleted = await call(channelRoute, "DELETE", cookie, { params: { id: mine.json.id } });
    expect(deleted.status).toBe(200);
    expect(await db.notificationAttempt.count({ where: { channelId: mine.json.id } })).toBe(0);
  });

  it("expiry-soon: a client certificate ending within ALERT_EXPIRY_DAYS is told once", async () => {
    await cleanChannels();
    const { link } = await createLink(db, SYSTEM, { name: "Certificate Jira", type: "jira", rpcUrl: "http://cert.example.test" });
    const validTo = new Date(Date.now() + 10 * 86_400_000).toISOString();
    await db.link.update({ where: { id: link.id }, data: { outClientCertInfo: JSON.stringify({ subject: "CN=app", issuer: "CN=ca", validFrom: new Date().toISOString(), validTo, fingerprint256: "AA" }) } });
    await queueExpiries(db, new Date(), 14);
    await queueExpiries(db, new Date(), 14);
    const events = await db.notificationEvent.findMany({ where: { linkId: link.id, type: "expiry-soon" } });
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.detail)).toMatchObject({ what: "the client certificate this app presents", endsAt: validTo });
    // Not yet within 5 days: nothing.
    await db.notificationEvent.deleteMany({ where: { linkId: link.id } });
    await queueExpiries(db, new Date(), 5);
    expect(await db.notificationEvent.count({ where: { linkId: link.id } })).toBe(0);
  });
});
