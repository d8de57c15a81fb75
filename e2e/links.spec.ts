import crypto from "node:crypto";
import { expect, test } from "@playwright/test";
import { startFixtureRemote } from "../tests/support/fixture-remote";
import { ADMIN, screenshot, signInOk, openSection } from "./helpers";

let remote: Awaited<ReturnType<typeof startFixtureRemote>>;
const remoteKey = (crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64");

test.beforeAll(async () => {
  remote = await startFixtureRemote({ consumer: { key: "jira:e2e-fixture", name: "E2E Jira", publicKeyBase64: remoteKey } });
});
test.afterAll(() => remote.close());

test("an admin creates a link by discovery, configures both directions, sets primary, resets and deletes it", async ({ page }) => {
  remote.behaviour.manifest = { id: "e2e-jira-1", name: "E2E Jira", typeId: "jira", url: `${remote.url}/jira` };
  await signInOk(page, ADMIN.username, ADMIN.password);

  // The wizard: a URL with no manifest offers manual creation; a good one discovers.
  await page.getByRole("link", { name: "Create link" }).click();
  remote.behaviour.mode = "garbage";
  await page.getByLabel("Application URL").fill(`${remote.url}/broken`);
  await page.getByRole("button", { name: "Discover and create" }).click();
  await expect(page.getByRole("form", { name: "Create link" }).getByRole("alert")).toContainText("Create the link manually");
  await expect(page.getByLabel("Name", { exact: true })).toBeVisible();
  await screenshot(page, "link-wizard");
  remote.behaviour.mode = "ok";
  await page.goto("/links/new");
  await page.getByLabel("Application URL").fill(`${remote.url}/jira`);
  await page.getByRole("button", { name: "Discover and create" }).click();
  await expect(page.getByRole("heading", { name: "E2E Jira" })).toBeVisible();
  await expect(page.getByTestId("incoming-consumer-key")).toHaveText("jira:e2e-fixture");
  await expect(page.getByText("Primary")).toBeVisible();

  // Outgoing: enabling impersonation asks for the shared-user-base confirmation.
  await openSection(page, "Outgoing");
  const outgoing = page.getByRole("form", { name: "Outgoing" });
  await outgoing.getByLabel(/3-legged OAuth/).check();
  await outgoing.getByLabel(/with impersonation/).check();
  await expect(outgoing.getByRole("group", { name: "Confirm impersonation" })).toBeVisible();
  await outgoing.getByRole("button", { name: "Save outgoing" }).click();
  await expect(outgoing.getByRole("alert")).toContainText("Confirm that both applications share one user base");
  await outgoing.getByLabel("Both applications share one user base").check();
  await outgoing.getByRole("button", { name: "Save outgoing" }).click();
  await expect(outgoing.getByRole("status")).toHaveText("Outgoing saved.");
  // Plain 2LO opened to every user, then closed again: the summary says which.
  await outgoing.getByLabel(/2-legged OAuth \(requests run as a fixed user\)/).check();
  await outgoing.getByLabel(/for every signed-in user/).check();
  await outgoing.getByRole("button", { name: "Save outgoing" }).click();
  await expect(page.getByText("Now: 3LO, 2LO (all users), impersonation.")).toBeVisible();
  await outgoing.getByLabel(/2-legged OAuth \(requests run as a fixed user\)/).uncheck();
  await outgoing.getByRole("button", { name: "Save outgoing" }).click();
  await expect(page.getByText("Now: 3LO, impersonation.")).toBeVisible();

  // Incoming: 2LO runs as a chosen local user.
  await openSection(page, "Incoming");
  const incoming = page.getByRole("form", { name: "Incoming" });
  await incoming.getByLabel(/2-legged OAuth \(requests run as a fixed user\)/).check();
  await incoming.getByRole("button", { name: "Save incoming" }).click();
  await expect(incoming.getByRole("alert").first()).toContainText("2-legged requests run as a local user: choose one.");
  await incoming.getByLabel("2-legged requests run as").selectOption("admin");
  await incoming.getByRole("button", { name: "Save incoming" }).click();
  await expect(incoming.getByRole("status")).toHaveText("Incoming saved.");
  await page.reload();
  await expect(page.getByText("Now: 3LO, impersonation.")).toBeVisible();
  await expect(page.getByText("Now: 3LO, 2LO.")).toBeVisible();
  await screenshot(page, "link-page");

  // A second Jira link (manual) is not primary until made so.
  await page.goto("/links/new");
  await page.getByRole("button", { name: "Enter the details by hand instead" }).click();
  await page.getByLabel("Application URL").fill("http://jira-two.example.test");
  await page.getByLabel("Name", { exact: true }).fill("Second Jira");
  await page.getByLabel("Type").selectOption("jira");
  await page.getByRole("button", { name: "Create link" }).click();
  await expect(page.getByRole("heading", { name: "Second Jira" })).toBeVisible();
  await page.getByRole("button", { name: "Make primary" }).click();
  await expect(page.getByRole("button", { name: "Make primary" })).toHaveCount(0);
  await page.goto("/links");
  await expect(page.getByTestId("link-row-Second Jira")).toContainText("Primary");
  await expect(page.getByTestId("link-row-E2E Jira")).not.toContainText("Primary");
  await screenshot(page, "links-list");

  // Reset each direction of the first link: the consumer is fetched again.
  await page.getByRole("link", { name: "E2E Jira", exact: true }).click();
  remote.behaviour.consumer = { key: "jira:e2e-fixture-new", name: "E2E Jira", publicKeyBase64: remoteKey };
  await openSection(page, "Danger zone");
  await page.getByRole("button", { name: "Reset incoming OAuth…" }).click();
  const resetIncoming = page.getByRole("form", { name: "Reset incoming" });
  await resetIncoming.getByRole("button", { name: "Reset incoming" }).click();
  await expect(resetIncoming.getByRole("status")).toContainText("forgot jira:e2e-fixture");
  await page.reload();
  await expect(page.getByTestId("incoming-consumer-key")).toHaveText("jira:e2e-fixture-new");
  await openSection(page, "Danger zone");
  await page.getByRole("button", { name: "Reset outgoing OAuth…" }).click();
  const resetOutgoing = page.getByRole("form", { name: "Reset outgoing" });
  await resetOutgoing.getByRole("button", { name: "Reset outgoing" }).click();
  await expect(resetOutgoing.getByRole("status")).toHaveText("Outgoing OAuth reset: no access token was held, so nothing to discard.");

  // Delete needs the name typed.
  const del = page.getByRole("form", { name: "Delete link" });
  await del.getByLabel('Type "E2E Jira" to delete this link').fill("E2E jira");
  await del.getByRole("button", { name: "Delete link" }).click();
  await expect(del.getByText('Type "E2E Jira" to confirm.')).toBeVisible();
  await del.getByLabel('Type "E2E Jira" to delete this link').fill("E2E Jira");
  await del.getByRole("button", { name: "Delete link" }).click();
  await expect(page).toHaveURL(/\/links\?deleted=/);
  await expect(page.getByRole("status")).toHaveText("Deleted “E2E Jira”.");
  await expect(page.getByTestId("link-row-E2E Jira")).toHaveCount(0);
  await expect(page.getByTestId("link-row-Second Jira")).toContainText("Primary");

  // Every step is in the audit log.
  await page.goto("/audit?action=link.");
  for (const said of ["Link “E2E Jira” created", "Outgoing authentication of “E2E Jira” changed", "Incoming authentication of “E2E Jira” changed", "Link “Second Jira” changed", "“E2E Jira” reset", "Link “E2E Jira” deleted"]) {
    await expect(page.getByRole("table", { name: "Audit events" })).toContainText(said);
  }
});

test("the manifest and consumer info are served to anyone as XML", async ({ request }) => {
  const manifest = await request.get("/rest/applinks/1.0/manifest");
  expect(manifest.headers()["content-type"]).toMatch(/^application\/xml/);
  expect(await manifest.text()).toContain("<typeId>applink-admin</typeId>");
  const consumer = await request.get("/plugins/servlet/oauth/consumer-info");
  expect(await consumer.text()).toMatch(/<key>applink-admin:[0-9a-f-]{36}<\/key>/);
});

test("the proxy forwards through a link on the real server, and refuses escapes", async ({ page }) => {
  remote.behaviour.mode = "ok";
  remote.behaviour.manifest = { id: "e2e-proxy-app", name: "Proxy target", typeId: "generic", url: `${remote.url}/proxied` };
  await signInOk(page, ADMIN.username, ADMIN.password);
  const created = await page.request.post("/api/v1/links", { data: { name: "Proxy target", type: "generic", rpcUrl: `${remote.url}/proxied` } });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  const through = await page.request.get(`/api/v1/links/${id}/proxy/rest/applinks/1.0/manifest?x=a%20b`);
  expect(through.status()).toBe(200);
  expect(await through.text()).toContain("<id>e2e-proxy-app</id>");
  for (const escape of ["%2e%2e/%2e%2e/%2e%2e/api/health", "..%2f..%2fapi/health", "a%5c..%5cb", "%2f%2fevil.example/x"]) {
    const res = await page.request.get(`/api/v1/links/${id}/proxy/${escape}`);
    expect(res.status(), escape).not.toBe(200);
  }
  expect((await page.request.get(`/api/v1/links/${id}/proxy/a%5c..%5cb`)).status()).toBe(400);
});

/**
 * Issue 21: an address is not the app speaking. A crafted link page address with a proposal from
 * another site and messages in the query shows none of its text as the app's; a create page
 * address only prefills the form.
 */
test("a crafted address shows nothing in the app's voice: a proposal from another origin is refused, query messages are ignored", async ({ page }) => {
  await signInOk(page, ADMIN.username, ADMIN.password);
  const link = await (
    await page.request.post("/api/v1/links", { data: { name: `Crafted ${Date.now()}`, type: "generic", rpcUrl: `${remote.url}/crafted` } })
  ).json();
  const hostile = new URLSearchParams({
    from: "http://evil.example",
    back: "http://evil.example/p",
    in: "3lo,2lo,2loi",
    out: "none",
    warning: "Your licence expired: call +1 555 0100",
    authorized: "Support verified your account: call +1 555 0100",
    oauthError: "Security alert: call +1 555 0100",
    created: "1",
  });
  await page.goto(`/links/${link.id}?${hostile}`);
  await expect(page.getByRole("heading", { name: link.name })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "A proposed change in this page's address was ignored" })).toContainText(`come only from ${link.name} itself (${remote.url})`);
  await expect(page.getByText("555 0100")).toHaveCount(0);
  await expect(page.getByText("evil.example")).toHaveCount(0);
  await expect(page.getByText(/^Created /)).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Apply the proposed change" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: /^Back to/ })).toHaveCount(0);

  // From the link's own remote: the change is shown as exactly what would change here.
  await page.goto(`/links/${link.id}?${new URLSearchParams({ from: remote.url, back: `${remote.url}/p`, out: "3lo" })}`);
  const proposal = page.getByRole("region", { name: `A change proposed by ${link.name} (${remote.url})` });
  await expect(proposal.getByRole("listitem")).toHaveText([`Outgoing (this app → ${link.name}): off → 3LO`]);
  await expect(proposal.getByRole("link", { name: `Back to ${link.name}` })).toHaveAttribute("href", `${remote.url}/p`);

  // A create-back address prefills the form, and says nothing as anyone.
  await page.goto(`/links/new?${new URLSearchParams({ rpcUrl: "http://second.example.test", from: "http://evil.example", in: "3lo,2loi", warning: "call +1 555 0100" })}`);
  await expect(page.getByLabel("Application URL")).toHaveValue("http://second.example.test");
  await expect(page.getByRole("group", { name: /^Incoming/ }).getByRole("checkbox", { name: /^3-legged OAuth/ })).toBeChecked();
  await expect(page.getByText("555 0100")).toHaveCount(0);
  await expect(page.getByText("evil.example")).toHaveCount(0);
  await expect(page.getByText(/proposed/)).toHaveCount(0);
});
