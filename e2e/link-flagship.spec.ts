/**
 * The flagship flow (issue 22): an admin links two fresh instances, First (127.0.0.1) and Second
 * (127.0.0.2, so the browser keeps their cookies apart), signed in at both, following only the
 * app's own buttons. Both ends end CONNECTED with the levels chosen at creation, in at most five
 * actions (a click or a form submission, on either instance), for plain OAuth and with impersonation.
 */
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { api, apiAs, cliToken, expectAccessible, screenshot, startInstance } from "./helpers";

const FIRST = { url: "http://127.0.0.1:3201", host: "127.0.0.1", port: 3201, dataDir: path.resolve(".tmp/e2e-flagship-first"), name: "First", admin: { username: "admin", password: "flagship first password" } };
const SECOND = { url: "http://127.0.0.2:3202", host: "127.0.0.2", port: 3202, dataDir: path.resolve(".tmp/e2e-flagship-second"), name: "Second", admin: { username: "admin", password: "flagship second password" } };
let running: ChildProcess[] = [];

test.afterEach(() => {
  for (const child of running) child.kill("SIGTERM");
  running = [];
});

/** Two fresh instances, and the admin signed in at both (signing in is not counted). */
async function freshPair(page: Page) {
  // One after the other: each start checks the build, and two builds at once would collide.
  for (const i of [FIRST, SECOND]) running.push(await startInstance({ port: i.port, host: i.host, dataDir: i.dataDir, admin: i.admin, env: { APP_NAME: i.name } }));
  for (const instance of [FIRST, SECOND]) {
    await page.goto(`${instance.url}/signin`);
    await page.getByLabel("Username").fill(instance.admin.username);
    await page.getByLabel("Password").fill(instance.admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(new RegExp(`^${instance.url}/links$`));
  }
}

/** Counts the admin's actions: each one click (a submit button's click is the form's submission). */
function actionCounter() {
  let count = 0;
  return {
    click: async (target: Locator) => {
      count += 1;
      await target.click();
    },
    get count() {
      return count;
    },
  };
}

async function statusOf(instance: typeof FIRST, linkId: string) {
  const admin = await apiAs(cliToken(instance.dataDir, instance.admin.username));
  return { status: await api(admin, "GET", `${instance.url}/api/v1/links/${linkId}/status`), link: await api(admin, "GET", `${instance.url}/api/v1/links/${linkId}`) };
}

for (const variant of ["plain OAuth", "OAuth with impersonation"] as const) {
  test(`flagship, ${variant}: both ends CONNECTED with the levels chosen, in at most 5 actions`, async ({ page }) => {
    test.setTimeout(240_000);
    const impersonation = variant === "OAuth with impersonation";
    await freshPair(page);
    const act = actionCounter();

    // On First: create the link by Second's URL, with the levels the admin wants.
    await page.goto(`${FIRST.url}/links/new`);
    await page.getByLabel("Application URL").fill(SECOND.url);
    const outgoing = page.getByRole("group", { name: "Outgoing (this app → that application)" });
    await expect(outgoing.getByRole("checkbox", { name: /^3-legged OAuth/ })).toBeChecked();
    await expect(outgoing.getByRole("checkbox", { name: /^2-legged OAuth \(as one set user\)/ })).toBeChecked();
    if (impersonation) await act.click(outgoing.getByRole("checkbox", { name: /^2-legged OAuth with impersonation/ }));
    await act.click(page.getByRole("button", { name: "Discover and create" }));
    await expect(page).toHaveURL(new RegExp(`^${FIRST.url}/links/(?!new)[^/?#]+$`));
    const firstLinkId = new URL(page.url()).pathname.split("/").pop()!;
    const diagnostics = page.getByRole("region", { name: /^Diagnostics/ });
    await expect(diagnostics.getByTestId("status-cause")).toContainText("Second does not know this app's consumer");
    await screenshot(page, `flagship-${impersonation ? "impersonation" : "plain"}-1-created-on-first`);

    // The fix is a button to Second's own create page, prefilled with the levels that match First.
    await act.click(diagnostics.getByRole("link", { name: "Set up this app on Second" }));
    await expect(page).toHaveURL(new RegExp(`^${SECOND.url}/links/new\\?`));
    await expect(page.getByRole("heading", { name: "Link back to 127.0.0.1:3201" })).toBeVisible();
    await expect(page.getByLabel("Application URL")).toHaveValue(FIRST.url);
    const incoming = page.getByRole("group", { name: "Incoming (that application → this app)" });
    await expect(incoming.getByRole("checkbox", { name: /^3-legged OAuth/ })).toBeChecked();
    await expect(incoming.getByRole("checkbox", { name: /^2-legged OAuth \(as one set user\)/ })).toBeChecked();
    await expect(incoming.getByRole("checkbox", { name: /^2-legged OAuth with impersonation/ })).toBeChecked({ checked: impersonation });
    // What only Second's admin decides: whom 2LO runs as (a new user proposed) and, for impersonation, the shared user base.
    await expect(incoming.getByRole("radio", { name: /^A new user made for them/ })).toBeChecked();
    await expect(incoming.getByLabel("Its username")).toHaveValue("first-2lo");
    await expectAccessible(page, "the create-back page");
    await screenshot(page, `flagship-${impersonation ? "impersonation" : "plain"}-2-create-back-on-second`);
    if (impersonation) await act.click(incoming.getByRole("checkbox", { name: /^Both applications share one user base/ }));
    await act.click(page.getByRole("button", { name: "Create the link back" }));

    // Back on First, which checks again on its own: CONNECTED, with nothing more to click.
    await expect(page).toHaveURL(new RegExp(`^${FIRST.url}/links/${firstLinkId}`));
    await expect(diagnostics.getByRole("heading", { name: /Connected/ })).toBeVisible({ timeout: 30_000 });
    await screenshot(page, `flagship-${impersonation ? "impersonation" : "plain"}-3-connected-on-first`);
    expect(act.count).toBeLessThanOrEqual(5);
    expect(act.count).toBe(impersonation ? 5 : 3);

    // Both ends: CONNECTED, with exactly the levels chosen.
    const first = await statusOf(FIRST, firstLinkId);
    expect(first.status).toMatchObject({ status: "CONNECTED" });
    expect(first.link.outgoing).toMatchObject({ enabled: true, threeLegged: true, twoLegged: true, impersonation });
    const secondLinks = (await api(await apiAs(cliToken(SECOND.dataDir, SECOND.admin.username)), "GET", `${SECOND.url}/api/v1/links`)).links;
    expect(secondLinks).toHaveLength(1);
    const second = await statusOf(SECOND, secondLinks[0].id);
    expect(second.status).toMatchObject({ status: "CONNECTED" });
    expect(second.link.incoming).toMatchObject({ enabled: true, threeLegged: true, twoLegged: true, impersonation, executeAs: "first-2lo" });
    expect(second.link.outgoing).toMatchObject({ threeLegged: true, twoLegged: false, impersonation: false });
    // First's 2LO really runs on Second as the user made for it; impersonation as the same username.
    const checks = first.status.checks as { name: string; message: string }[];
    expect(checks.find((c) => c.name === "signed-call")?.message).toContain(impersonation ? "2LO accepted (HTTP 200), 2LO with impersonation accepted (HTTP 200)" : "2LO accepted (HTTP 200)");
  });
}
