/**
 * Link status in the browser, across two instances (issue 11): A (the server Playwright started)
 * links to C (started here, on 127.0.0.3 so the browser keeps their cookies apart), which has no link
 * back. The admin clicks the lozenge, checks, follows "Set up this app on …" to C's own create page
 * (signing in there, as an admin of C), comes back and sees CONNECTED; then C's side is broken, and
 * "Fix on …" opens C's link page with the change proposed, applied there, and A is CONNECTED again.
 */
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, api, apiAs, cliToken, E2E_DATA, expectAccessible, screenshot, signInOk, startInstance } from "./helpers";

const C_URL = "http://127.0.0.3:3102";
const C_DATA = path.resolve(".tmp/e2e-data-c");
const C_ADMIN = { username: "admin", password: "e2e admin password c" };
let instanceC: ChildProcess | undefined;

test.afterAll(() => instanceC?.kill("SIGTERM"));

async function checkNow(page: Page, expected: RegExp) {
  const diagnostics = page.getByRole("region", { name: /^Diagnostics/ });
  await diagnostics.getByRole("button", { name: "Check now" }).click();
  await expect(diagnostics.getByRole("status").filter({ hasText: /^Checked:/ })).toBeVisible({ timeout: 30_000 });
  await expect(diagnostics.getByRole("heading", { name: expected })).toBeVisible();
  return diagnostics;
}

test("a lozenge's cause, and both fixes made on the remote's own pages, through the admin's browser", async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  const A_URL = baseURL!;
  instanceC = await startInstance({ port: 3102, host: "127.0.0.3", dataDir: C_DATA, admin: C_ADMIN });
  const adminA = await apiAs(cliToken(E2E_DATA, ADMIN.username));
  const adminC = await apiAs(cliToken(C_DATA, C_ADMIN.username));

  // A links to C by discovery (C's consumer fetched): out 3LO and impersonation, in 3LO. C has no link to A.
  const aToC = await api(adminA, "POST", `${A_URL}/api/v1/links`, { rpcUrl: C_URL, fetchConsumer: true });
  await api(adminA, "PUT", `${A_URL}/api/v1/links/${aToC.id}/outgoing`, { threeLegged: true, twoLegged: false, impersonation: true });
  await api(adminA, "PUT", `${A_URL}/api/v1/links/${aToC.id}/incoming`, { threeLegged: true, twoLegged: false, impersonation: false });

  await signInOk(page, ADMIN.username, ADMIN.password);
  const row = page.getByTestId(`link-row-${aToC.name}`);
  await row.getByRole("link", { name: `${aToC.name} status: Not checked yet` }).click();
  await expect(page).toHaveURL(new RegExp(`/links/${aToC.id}#diagnostics$`));
  let diagnostics = await checkNow(page, /Config error/);
  await expect(diagnostics.getByTestId("status-cause")).toContainText("does not know this app's consumer");
  await screenshot(page, "status-config-error-no-link-back");
  await expectAccessible(page, "a link's diagnosis with a fix on the remote");

  // "Set up this app on C": C's create page, after signing in there, with A's URL and the matching levels.
  await diagnostics.getByRole("link", { name: `Set up this app on ${aToC.name}` }).click();
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.3:3102\/signin/);
  await page.getByLabel("Username").fill(C_ADMIN.username);
  await page.getByLabel("Password").fill(C_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.3:3102\/links\/new\?/);
  await expect(page.getByLabel("Application URL")).toHaveValue(A_URL);
  // The address only prefills the form: the levels that match A, as boxes in the form's own words.
  const incomingBoxes = page.getByRole("group", { name: "Incoming (that application → this app)" });
  await expect(incomingBoxes.getByRole("checkbox", { name: /^3-legged OAuth/ })).toBeChecked();
  await expect(incomingBoxes.getByRole("checkbox", { name: /^2-legged OAuth with impersonation/ })).toBeChecked();
  await expect(incomingBoxes.getByRole("checkbox", { name: /^2-legged OAuth \(as one set user\)/ })).not.toBeChecked();
  await expectAccessible(page, "the create page with the link back proposed");
  // Impersonation assumes one user base: C's admin confirms it, or the link is not created.
  await page.getByRole("button", { name: "Create the link back" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Confirm that both applications share one user base" })).toBeVisible();
  await expect(incomingBoxes.getByRole("checkbox", { name: /^2-legged OAuth with impersonation/ })).toBeChecked();
  await incomingBoxes.getByRole("checkbox", { name: /^Both applications share one user base/ }).check();
  await page.getByRole("button", { name: "Create the link back" }).click();
  // Created: back on A's page for its link, which checks again by itself.
  await expect(page).toHaveURL(new RegExp(`^${A_URL}/links/${aToC.id}`));
  await expect(page.getByRole("region", { name: /^Diagnostics/ }).getByRole("heading", { name: /Connected/ })).toBeVisible({ timeout: 30_000 });
  const cToA = (await api(adminC, "GET", `${C_URL}/api/v1/links`)).links.find((l: { rpcUrl: string }) => l.rpcUrl === A_URL);
  expect(cToA).toMatchObject({ incoming: { threeLegged: true, impersonation: true, consumerKey: expect.stringMatching(/^applink-admin:/) }, outgoing: { threeLegged: true, twoLegged: false } });

  // Back on A: every check passes.
  await page.goto(`${A_URL}/links/${aToC.id}`);
  diagnostics = await checkNow(page, /Connected/);
  await expect(diagnostics.getByTestId("status-cause")).toHaveText("Every check passed: the link works end to end.");
  await page.goto(`${A_URL}/links`);
  await expect(row.getByText("Connected")).toBeVisible();

  // C starts sending 2LO, which A does not accept: CONFIG ERROR naming the side and the level.
  await api(adminC, "PUT", `${C_URL}/api/v1/links/${cToA.id}/outgoing`, { threeLegged: true, twoLegged: true, impersonation: false });
  await page.goto(`${A_URL}/links/${aToC.id}`);
  diagnostics = await checkNow(page, /Config error/);
  await expect(diagnostics.getByTestId("status-cause")).toContainText(`${aToC.name} sends 2LO but incoming 2LO is off here`);
  // What only this admin can choose (whom that 2LO runs as) is a button too: the Incoming section.
  await expect(diagnostics.getByRole("link", { name: `Choose whom ${aToC.name}'s 2LO runs as here` })).toHaveAttribute("href", `/links/${aToC.id}?section=incoming#settings`);
  await screenshot(page, "status-config-error-levels");

  // "Fix on C": C's link page proposes the levels that match A; an admin of C applies them there.
  await diagnostics.getByRole("link", { name: `Fix on ${aToC.name}` }).click();
  await expect(page).toHaveURL(new RegExp(`^http://127\\.0\\.0\\.3:3102/links/${cToA.id}\\?`));
  const proposal = page.getByRole("region", { name: `A change proposed by ${cToA.name} (${A_URL})` });
  await expect(proposal).toContainText("Outgoing (this app → ");
  await expectAccessible(page, "a link page with a proposed change");
  await proposal.getByRole("button", { name: "Apply the proposed change" }).click();
  await expect(proposal.getByRole("status")).toContainText("Applied: set the levels the remote proposed");
  await proposal.getByRole("link", { name: `Back to ${cToA.name}` }).click();
  await expect(page).toHaveURL(new RegExp(`^${A_URL}/links/${aToC.id}$`));
  await checkNow(page, /Connected/);
  expect((await api(adminC, "GET", `${C_URL}/api/v1/links/${cToA.id}`)).outgoing).toMatchObject({ twoLegged: false, threeLegged: true });
  // The change is audited on the side where it was applied, as its admin's, made in the browser.
  const audit = new Database(path.join(C_DATA, "applink.db"), { readonly: true });
  const changes = audit.prepare(`SELECT "via", "actorUsername" FROM "AuditEvent" WHERE "action" = 'link.outgoing' AND "targetId" = ? ORDER BY "createdAt"`).all(cToA.id);
  audit.close();
  expect(changes).toEqual([
    { via: "session", actorUsername: C_ADMIN.username }, // the levels proposed with the link back
    { via: "token", actorUsername: C_ADMIN.username }, // the break, through the API
    { via: "session", actorUsername: C_ADMIN.username }, // the proposal, applied in the browser
  ]);

  // A's history of the link: each change once, with what noticed it, and the same on its page.
  const history = await api(adminA, "GET", `${A_URL}/api/v1/links/${aToC.id}/status/history`);
  expect(history.changes.map((c: { to: string }) => c.to)).toEqual(["CONFIG_ERROR", "CONNECTED", "CONFIG_ERROR", "CONNECTED"]);
  // The first was noticed by the check the link page starts by itself for a link never checked; later ones by Check now too.
  expect(history.changes[0]).toMatchObject({ from: null, source: "background", cause: expect.stringContaining("does not know this app's consumer") });
  expect(new Set(history.changes.map((c: { source: string }) => c.source))).toContain("admin");
  expect(history.days.at(-1)).toMatchObject({ checks: expect.any(Number), checkP50Ms: expect.any(Number) });
  await page.goto(`${A_URL}/links/${aToC.id}`);
  const health = page.getByTestId("status-timeline");
  await expect(health.getByRole("img", { name: new RegExp(`^${aToC.name}, last 30 days: connected [0-9.]+ % of the time checked, 4 changes; now Connected\\.$`) })).toBeVisible();
  await health.getByText("Changes", { exact: true }).click();
  await expect(health.getByRole("table", { name: `Status changes of ${aToC.name}` }).getByRole("row")).toHaveCount(5);
  await expectAccessible(page, "a link page with its health timeline");
  await screenshot(page, "link-health-timeline");
});
