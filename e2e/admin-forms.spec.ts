/**
 * The admin screen's forms say what was saved and keep their state (issue 12's bugs, each of which
 * this flow failed on before its fix): a saved incoming form keeps the execute-as user it saved and
 * saves again; the impersonation warning closes once saved; a refused public key keeps its text,
 * its section open and its error tied to the field; one-time messages leave the URL; reset and
 * "Make primary" say what happened; the request console turns a remote's refusal into words and the
 * Authorize button.
 */
import crypto from "node:crypto";
import { expect, test } from "@playwright/test";
import { startFixtureRemote } from "../tests/support/fixture-remote";
import { ADMIN, api, apiAs, cliToken, E2E_DATA, expectAccessible, signIn, signInOk, openSection } from "./helpers";

let remote: Awaited<ReturnType<typeof startFixtureRemote>>;
const run = Date.now().toString(36);
const remoteKey = (crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64");

test.beforeAll(async () => {
  remote = await startFixtureRemote({ consumer: { key: `jira:forms-${run}`, name: "Forms Jira", publicKeyBase64: remoteKey }, manifest: { id: `forms-${run}`, name: `Forms Jira ${run}`, typeId: "jira" } });
});
test.afterAll(() => remote.close());

test("the link page's forms keep what was saved and say what happened", async ({ page }) => {
  await signInOk(page, ADMIN.username, ADMIN.password);
  await page.goto("/links/new");
  await page.getByLabel("Application URL").fill(`${remote.url}/forms`);
  await page.getByRole("button", { name: "Discover and create" }).click();
  // Discovery lands on the new link with a confirmation, which a reload does not repeat.
  await expect(page.getByRole("status").filter({ hasText: `Created “Forms Jira ${run}” from its manifest` })).toBeVisible();
  await expect(page).not.toHaveURL(/created=/);
  await page.reload();
  await expect(page.getByRole("heading", { name: `Forms Jira ${run}` })).toBeVisible();
  await expect(page.getByText(`Created “Forms Jira ${run}”`)).toHaveCount(0);

  // Incoming 2LO as a chosen user: after saving, the select still shows that user, and saves again.
  await openSection(page, "Incoming");
  const incoming = page.getByRole("form", { name: "Incoming" });
  await incoming.getByLabel(/2-legged OAuth \(requests run as a fixed user\)/).check();
  await incoming.getByLabel("2-legged requests run as").selectOption("admin");
  await incoming.getByRole("button", { name: "Save incoming" }).click();
  await expect(incoming.getByRole("status")).toHaveText("Incoming saved.");
  await expect(incoming.getByLabel("2-legged requests run as")).toHaveValue("admin");
  await incoming.getByRole("button", { name: "Save incoming" }).click();
  await expect(incoming.getByRole("status")).toHaveText("Incoming saved.");
  await expect(incoming.getByRole("alert")).toHaveCount(0);

  // Impersonation: the warning asks for confirmation, and closes once the change is saved.
  await openSection(page, "Outgoing");
  const outgoing = page.getByRole("form", { name: "Outgoing" });
  await outgoing.getByLabel(/with impersonation/).check();
  const confirm = outgoing.getByRole("group", { name: "Confirm impersonation" });
  await confirm.getByLabel("Both applications share one user base").check();
  await outgoing.getByRole("button", { name: "Save outgoing" }).click();
  await expect(outgoing.getByRole("status")).toHaveText("Outgoing saved.");
  await expect(confirm).toHaveCount(0);
  await expect(outgoing.getByLabel(/with impersonation/)).toBeChecked();

  // A refused public key: the text stays, the section stays open, the error is the field's description.
  // A disclosure button (not a <details>): it says whether it is open.
  await openSection(page, "Incoming");
  const paste = incoming.getByRole("button", { name: "Paste the consumer" });
  await expect(paste).toHaveAttribute("aria-expanded", "false");
  await paste.click();
  await expect(paste).toHaveAttribute("aria-expanded", "true");
  await incoming.getByLabel("Public key (PEM or the base64 text Jira shows)").fill("not a public key");
  await incoming.getByRole("button", { name: "Save incoming" }).click();
  const key = incoming.getByLabel("Public key (PEM or the base64 text Jira shows)");
  await expect(key).toBeVisible();
  await expect(key).toHaveValue("not a public key");
  await expect(key).toHaveAttribute("aria-invalid", "true");
  await expect(key).toHaveAccessibleDescription(/./);
  await expectAccessible(page, "the incoming form with a refused key");

  // Reset says what it did in plain words.
  await page.reload();
  await openSection(page, "Danger zone");
  await page.getByRole("button", { name: "Reset outgoing OAuth…" }).click();
  const reset = page.getByRole("form", { name: "Reset outgoing" });
  await reset.getByRole("button", { name: "Reset outgoing" }).click();
  await expect(reset.getByRole("status")).toHaveText("Outgoing OAuth reset: no access token was held, so nothing to discard.");

  // A second Jira link: "Make primary" says so where the button was.
  await page.goto("/links/new");
  await page.getByRole("button", { name: "Enter the details by hand instead" }).click();
  await page.getByLabel("Application URL").fill(`http://forms-two-${run}.example.test`);
  await page.getByLabel("Name", { exact: true }).fill(`Forms two ${run}`);
  await page.getByLabel("Type").selectOption("jira");
  await page.getByRole("button", { name: "Create link" }).click();
  await page.getByRole("button", { name: "Make primary" }).click();
  await expect(page.getByRole("status").filter({ hasText: `"Forms two ${run}" is now the primary Jira link.` })).toBeVisible();
  await expect(page.getByRole("button", { name: "Make primary" })).toHaveCount(0);
});

test("the request console turns a remote's refusal into words and offers Authorize", async ({ browser, baseURL }) => {
  const admin = await apiAs(cliToken(E2E_DATA, ADMIN.username));
  const person = { username: `console-${run}`, password: "console person password" };
  await api(admin, "POST", `${baseURL}/api/v1/users`, { username: person.username, email: `${person.username}@example.test`, role: "USER", password: person.password });
  const link = await api(admin, "POST", `${baseURL}/api/v1/links`, { name: `Console Jira ${run}`, type: "jira", rpcUrl: `${remote.url}/console-${run}` });
  await api(admin, "PUT", `${baseURL}/api/v1/links/${link.id}/outgoing`, { threeLegged: true, twoLegged: false, impersonation: true });
  remote.behaviour.refuseWith = "user_refused";
  try {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, person.username, person.password);
    await expect(page).toHaveURL(/\/links$/);
    await page.goto(`/links/${link.id}/request?path=rest/api/2/myself`);
    const refusal = page.getByRole("alert", { name: "The remote refused the request" });
    await expect(refusal).toContainText("refused the signed request (user_refused)");
    await expect(refusal.getByRole("link", { name: "Authorize, to make it as yourself" })).toHaveAttribute("href", new RegExp(`^/api/v1/links/${link.id}/authorize\\?returnTo=`));
    await expect(page.getByText("oauth_problem=")).toHaveCount(0);
    await expectAccessible(page, "the request console with a refusal");
  } finally {
    remote.behaviour.refuseWith = undefined;
  }
});

test("from the list: a keyboard menu per link edits, disables, enables and makes primary; on a phone the list is cards", async ({ page, baseURL }) => {
  const admin = await apiAs(cliToken(E2E_DATA, ADMIN.username));
  const name = `Menu Bamboo ${run}`;
  await api(admin, "POST", `${baseURL}/api/v1/links`, { name, type: "bamboo", rpcUrl: `http://menu-${run}.example.test` });
  const other = await api(admin, "POST", `${baseURL}/api/v1/links`, { name: `Menu Bamboo two ${run}`, type: "bamboo", rpcUrl: `http://menu-two-${run}.example.test` });
  expect(other.primary).toBe(false);
  // Checked once (an unknown host): the list says when, and the banner links to that kind.
  expect((await api(admin, "POST", `${baseURL}/api/v1/links/${other.id}/status`)).status).toBe("NETWORK_ERROR");
  await signInOk(page, ADMIN.username, ADMIN.password);
  await expect(page.getByTestId("attention-banner").getByRole("link", { name: /^\d+ network error$/ })).toHaveAttribute("href", "/links?status=NETWORK_ERROR");
  await page.goto(`/links?q=${encodeURIComponent(`Menu Bamboo two ${run}`)}`);
  const row = page.getByTestId(`link-row-Menu Bamboo two ${run}`);
  // The product is a mark beside the name, named for assistive technology, not a column repeating it.
  await expect(row.getByRole("img", { name: "Bamboo", exact: true })).toBeVisible();
  // Beside the status, the last 7 days as a strip, named with the same facts in words.
  await expect(row.getByRole("img", { name: new RegExp(`^Menu Bamboo two ${run}, last 7 days: connected 0.0 % of the time checked, 1 change; now Network error\\.$`) })).toBeVisible();
  await expect(row.getByText(/^Checked \d{4}-\d\d-\d\d/)).toBeVisible();
  // At 1280 px neither the status nor the menu button wraps onto a second line.
  for (const part of [row.getByRole("link", { name: /status: Network error$/ }), row.getByRole("button", { name: `Actions for Menu Bamboo two ${run}` })]) {
    expect((await part.boundingBox())!.height).toBeLessThan(36);
  }

  // By keyboard: open the menu, arrow to "Disable", Enter; the row says so and the lozenge follows.
  const menuButton = row.getByRole("button", { name: `Actions for Menu Bamboo two ${run}` });
  await menuButton.focus();
  await page.keyboard.press("Enter");
  const menu = page.getByRole("menu");
  await expect(menu.getByRole("menuitem", { name: "Disable" })).toBeVisible();
  await expectAccessible(page, "the links list with a row's menu open");
  await menu.getByRole("menuitem", { name: "Disable" }).focus();
  await page.keyboard.press("Enter");
  await expect(row.getByRole("status")).toContainText("is disabled");
  await expect(row.getByRole("link", { name: `Menu Bamboo two ${run} status: Disabled` })).toBeVisible();
  await expect(menuButton).toBeFocused();

  await menuButton.click();
  await page.getByRole("menuitem", { name: "Enable" }).click();
  await expect(row.getByRole("status")).toContainText("is enabled");
  await menuButton.click();
  await page.getByRole("menuitem", { name: "Make primary" }).click();
  await expect(row.getByRole("status")).toContainText("is now the primary Bamboo link");
  await expect(row).toContainText("Primary");

  // Edit opens the link's page at its edit form; a rename is saved there.
  await menuButton.click();
  await page.getByRole("menuitem", { name: "Edit" }).click();
  const form = page.getByRole("form", { name: "Edit link" });
  await form.getByLabel("Name", { exact: true }).fill(`Menu Bamboo renamed ${run}`);
  await form.getByRole("button", { name: "Save link" }).click();
  await expect(form.getByRole("status")).toHaveText(`Saved "Menu Bamboo renamed ${run}".`);
  await expect(page.getByRole("heading", { name: `Menu Bamboo renamed ${run}` })).toBeVisible();

  // A phone: the list is cards, with the same menu.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/links?q=${encodeURIComponent(`Menu Bamboo renamed ${run}`)}`);
  const card = page.getByTestId(`link-card-Menu Bamboo renamed ${run}`);
  await expect(card).toBeVisible();
  await expect(page.getByTestId(`link-row-Menu Bamboo renamed ${run}`)).toBeHidden();
  await expect(card.getByRole("button", { name: `Actions for Menu Bamboo renamed ${run}` })).toBeVisible();
  await expectAccessible(page, "the links list as cards on a phone");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test("the request console sends any method with headers and a body, signed, and shows the answer", async ({ page, baseURL }) => {
  const admin = await apiAs(cliToken(E2E_DATA, ADMIN.username));
  const link = await api(admin, "POST", `${baseURL}/api/v1/links`, { name: `Console POST ${run}`, type: "jira", rpcUrl: `${remote.url}/console-post-${run}` });
  await api(admin, "PUT", `${baseURL}/api/v1/links/${link.id}/outgoing`, { threeLegged: false, twoLegged: true, impersonation: false });
  await signInOk(page, ADMIN.username, ADMIN.password);
  await page.goto(`/links/${link.id}/request`);
  // One console: a plain GET is an address the page answers (shareable, and where Authorize comes back to).
  await expect(page.getByRole("form")).toHaveCount(1);
  const form = page.getByRole("form", { name: "Send a request" });
  await expect(form.getByLabel("Method")).toHaveValue("GET");
  await form.getByLabel("Path").fill("rest/api/2/myself");
  await form.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/links/${link.id}/request\\?path=rest%2Fapi%2F2%2Fmyself$`));
  await expect(page.getByTestId("response-status")).toHaveText(/^\d{3}$/);
  expect(remote.seen.find((r) => r.path === `/console-post-${run}/rest/api/2/myself`)).toMatchObject({ method: "GET", signed: true });
  await expect(form.getByLabel("Path")).toHaveValue("rest/api/2/myself");
  await form.getByLabel("Method").selectOption("PUT");
  await form.getByLabel("Path").fill("rest/api/2/issue/ABC-1");
  await form.getByLabel(/^Headers/).fill("Content-Type: application/json\nX-Trace: console");
  await form.getByLabel(/^Body/).fill('{"fields":{"summary":"From the console"}}');
  await form.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByTestId("console-status")).toHaveText("404");
  await expectAccessible(page, "the request console with an answer");
  const arrived = remote.seen.find((r) => r.path === `/console-post-${run}/rest/api/2/issue/ABC-1`);
  expect(arrived).toMatchObject({ method: "PUT", signed: true, contentType: "application/json", body: '{"fields":{"summary":"From the console"}}' });

  // A header line that is not one is refused, with the error on the field; nothing is sent.
  const before = remote.seen.length;
  await form.getByLabel(/^Headers/).fill("not a header");
  await form.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByRole("form", { name: "Send a request" }).getByLabel(/^Headers/)).toHaveAccessibleDescription('Line 1 is not a header ("Name: value").');
  // Said once, at the field: no second message above it in other words.
  await expect(page.getByRole("form", { name: "Send a request" }).getByRole("alert")).toHaveCount(1);
  expect(remote.seen.length).toBe(before);
});

test("the audit log reads in sentences, a save that changes nothing writes nothing, and it filters by link, person and action", async ({ page, baseURL }) => {
  const admin = await apiAs(cliToken(E2E_DATA, ADMIN.username));
  const link = await api(admin, "POST", `${baseURL}/api/v1/links`, { name: `Audit Jira ${run}`, type: "jira", rpcUrl: `http://audit-${run}.example.test` });
  await api(admin, "PUT", `${baseURL}/api/v1/links/${link.id}/outgoing`, { threeLegged: true, twoLegged: false, impersonation: false });
  // The same save again changes nothing: no event.
  await api(admin, "PUT", `${baseURL}/api/v1/links/${link.id}/outgoing`, { threeLegged: true, twoLegged: false, impersonation: false });
  await signInOk(page, ADMIN.username, ADMIN.password);
  await page.goto("/audit");
  const filters = page.getByRole("form", { name: "Filter audit log" });
  await filters.getByLabel("Link or user").fill(link.id);
  await page.getByRole("button", { name: "Filter" }).click();
  const table = page.getByRole("table", { name: "Audit events" });
  await expect(table.getByRole("row")).toHaveCount(3); // the header, the creation, the one outgoing change
  await expect(table).toContainText(`Outgoing authentication of “Audit Jira ${run}” changed`);
  await expect(table).toContainText("Outgoing 3LO turned on");
  await expect(table).toContainText(`Link “Audit Jira ${run}” created`);
  await expect(table).toContainText(`Name: “Audit Jira ${run}”`);
  await expect(table).not.toContainText("out3lo");
  await expect(table).not.toContainText("link.outgoing");
  await expect(table).not.toContainText("Version");
  // By person and by action, in words.
  await filters.getByLabel("Person").fill(ADMIN.username);
  await filters.getByLabel("Action").selectOption({ label: "Outgoing authentication changed" });
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(table.getByRole("row")).toHaveCount(2);
  await expectAccessible(page, "the audit log filtered");
});
