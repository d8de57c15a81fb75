/**
 * Issue 26, alerts, as an admin sets them up: the SMTP server and two channels from Settings →
 * Notifications (a real SMTP server requiring STARTTLS and a login, a webhook receiver verifying
 * each signature, both run by this test), a test to each, then a link whose remote goes away: the
 * proxied request that fails is told by email and webhook, and the recovery that follows within the
 * flap window is held, as the page's Recent events says. The secret is shown once; a new one
 * replaces it; a channel is deleted after a confirmation.
 */
import { execFileSync } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ADMIN, api, apiAs, cliToken, E2E_DATA, screenshot, signInOk } from "./helpers";
import { startSmtpServer, startWebhookReceiver } from "../tests/support/alert-receivers";

const certs = JSON.parse(execFileSync("/usr/bin/python3", [path.resolve("tests/support/make_certs.py")], { encoding: "utf8" })) as Record<"ca" | "leaf" | "leafKey", string>;

test("an admin sets up email and a signed webhook; a link that goes down is told by both, once", async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const smtp = await startSmtpServer({ key: certs.leafKey, cert: certs.leaf, user: "alerts", password: "smtp e2e password" });
  const hooks = await startWebhookReceiver();
  const remote = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  await new Promise<void>((resolve) => remote.listen(0, "127.0.0.1", resolve));
  const remotePort = (remote.address() as AddressInfo).port;
  try {
    await signInOk(page, ADMIN.username, ADMIN.password);
    await page.goto("/settings");
    await page.getByRole("link", { name: /set them up/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Notifications" })).toBeVisible();

    // The SMTP server, with the authority that issued its certificate.
    const smtpForm = page.getByRole("form", { name: "SMTP server" });
    await smtpForm.getByLabel("Host").fill("127.0.0.1");
    await smtpForm.getByLabel("Port").fill(String(smtp.port));
    await smtpForm.getByLabel("Encryption").selectOption("starttls");
    await smtpForm.getByLabel("User name (optional)").fill("alerts");
    await smtpForm.getByLabel("Password", { exact: true }).fill("smtp e2e password");
    await smtpForm.getByLabel("Sender address").fill("applinks@example.test");
    await smtpForm.getByLabel("CA certificate to trust (PEM, optional)").fill(certs.ca);
    await smtpForm.getByRole("button", { name: "Save SMTP server" }).click();
    await expect(smtpForm.getByRole("status")).toContainText(`Email goes through 127.0.0.1:${smtp.port} (starttls)`);

    // An email channel, refused first without recipients, then added.
    const add = page.getByRole("form", { name: "Add a channel" });
    await add.getByLabel("Kind").selectOption("email");
    await add.getByLabel("Channel name").fill("Ops mail");
    await add.getByRole("button", { name: "Add channel" }).click();
    await expect(add.getByText("Enter at least one email address.")).toBeVisible();
    await add.getByLabel("Recipients (one per line)").fill("ops@example.test\noncall@example.test");
    await add.getByRole("button", { name: "Add channel" }).click();
    await expect(add.getByRole("status")).toHaveText("Channel “Ops mail” added.");

    // A webhook: its signing secret is shown once.
    await add.getByLabel("Kind").selectOption("webhook");
    await add.getByLabel("Channel name").fill("Ops hook");
    await add.getByLabel("Webhook URL").fill(`${hooks.base}/alerts`);
    await add.getByLabel("A link is deleted").check();
    await add.getByRole("button", { name: "Add channel" }).click();
    // Plain http on this machine: said, not refused.
    await expect(add.getByRole("status")).toContainText("Channel “Ops hook” added. This URL is http");
    hooks.state.secret = (await add.getByTestId("secret-value").textContent()) ?? "";
    expect(hooks.state.secret).toMatch(/^whsec_/);

    // A test to each: what the other end answered is said.
    const hookCard = page.getByLabel("Channel Ops hook");
    await hookCard.getByRole("button", { name: "Send a test to Ops hook" }).click();
    await expect(hookCard.getByRole("status").first()).toContainText("Test sent: HTTP 204");
    expect(hooks.state.hooks.at(-1)).toMatchObject({ verified: true, json: { type: "test" } });
    const mailCard = page.getByLabel("Channel Ops mail");
    await mailCard.getByRole("button", { name: "Send a test to Ops mail" }).click();
    await expect(mailCard.getByRole("status").first()).toContainText("Test sent: 250");
    expect(smtp.mails.at(-1)).toMatchObject({ secure: true, user: "alerts", subject: "[Applink Admin] Test from Applink Admin: this channel works" });
    await screenshot(page, "notifications");

    // A link whose remote goes away: the failed proxied request is told by both channels.
    const admin = await apiAs(cliToken(E2E_DATA, ADMIN.username));
    const link = await api(admin, "POST", `${baseURL}/api/v1/links`, { name: `Alerted ${Date.now().toString(36)}`, type: "generic", rpcUrl: `http://127.0.0.1:${remotePort}/app` });
    await api(admin, "POST", `${baseURL}/api/v1/links/${link.id}/status`);
    await new Promise<void>((resolve) => (remote.close(() => resolve()), remote.closeAllConnections()));
    const before = { hooks: hooks.state.hooks.length, mails: smtp.mails.length };
    const failed = await admin.fetch(`${baseURL}/api/v1/links/${link.id}/proxy/rest/api/2/serverInfo`);
    expect(failed.status()).toBe(502);
    await expect.poll(() => hooks.state.hooks.length - before.hooks, { timeout: 60_000 }).toBe(1);
    await expect.poll(() => smtp.mails.length - before.mails, { timeout: 30_000 }).toBe(1);
    const alert = hooks.state.hooks.at(-1)!;
    expect(alert).toMatchObject({ verified: true, json: { type: "status-worse", to: "NETWORK_ERROR", source: "traffic", link: { id: link.id, name: link.name } } });
    expect(smtp.mails.at(-1)!.subject).toBe(`[Applink Admin] ${link.name} stopped working: Network error`);
    expect(smtp.mails.at(-1)!.to.sort()).toEqual(["oncall@example.test", "ops@example.test"]);

    // It comes back within the flap window: the recovery waits, and the page says so.
    await new Promise<void>((resolve) => remote.listen(remotePort, "127.0.0.1", resolve));
    await api(admin, "POST", `${baseURL}/api/v1/links/${link.id}/status`);
    await page.reload();
    const recent = page.getByRole("table", { name: "Recent events" });
    await expect(recent).toContainText(/Sent to (Ops mail, Ops hook|Ops hook, Ops mail)\./, { timeout: 15_000 });
    await expect.poll(async () => (await page.reload(), await recent.textContent()), { timeout: 20_000 }).toMatch(/Held until .* \(the flap window\)/);
    expect(hooks.state.hooks.length - before.hooks).toBe(1);

    // The delivery log: each attempt with what the receiver said.
    const hookCardAgain = page.getByLabel("Channel Ops hook");
    await hookCardAgain.getByRole("button", { name: /Delivery log/ }).click();
    const log = page.getByRole("table", { name: "Delivery log of Ops hook" });
    await expect(log).toContainText("A link stops working");
    await expect(log).toContainText("HTTP 204");

    // A new signing secret, shown once; the old one no longer verifies at the receiver.
    await hookCardAgain.getByRole("button", { name: "New signing secret for Ops hook" }).click();
    const fresh = (await hookCardAgain.getByTestId("secret-value").textContent()) ?? "";
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(hooks.state.secret);
    await hookCardAgain.getByRole("button", { name: "Send a test to Ops hook" }).click();
    await expect(hookCardAgain.getByRole("status").first()).toContainText("The test did not arrive: HTTP 401");
    // A page reload shows it no more.
    await page.reload();
    await expect(page.getByText(fresh)).toHaveCount(0);

    // Delete the email channel, after a confirmation.
    await page.getByLabel("Channel Ops mail").getByRole("button", { name: "Delete Ops mail" }).click();
    await page.getByRole("group", { name: "Confirm deleting Ops mail" }).getByRole("button", { name: "Yes, delete" }).click();
    await expect(page.getByLabel("Channel Ops mail")).toHaveCount(0);
    // Clean up for the flows after this one.
    await page.getByLabel("Channel Ops hook").getByRole("button", { name: "Delete Ops hook" }).click();
    await page.getByRole("group", { name: "Confirm deleting Ops hook" }).getByRole("button", { name: "Yes, delete" }).click();
    await expect(page.getByLabel("Channel Ops hook")).toHaveCount(0);
  } finally {
    remote.close();
    await smtp.close();
    await hooks.close();
  }
});
