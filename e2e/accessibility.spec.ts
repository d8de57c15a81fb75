/**
 * axe on every page, at a desktop width (1280 px) and a phone's (390 px), signed in as an admin
 * with a link that has a diagnosis, and on the pages anyone sees (sign-in): no serious or
 * critical violation anywhere. A screenshot of each page and width is kept for review.
 */
import { expect, test } from "@playwright/test";
import { ADMIN, api, apiAs, cliToken, E2E_DATA, expectAccessible, screenshot, signInOk } from "./helpers";

const WIDTHS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

/** Each page's own heading: seen before axe runs, so axe never passes on an error page. */
const PAGE_TITLES: Record<string, string | RegExp> = {
  "/links": "Application links",
  "/links/new": "Create an application link",
  "/links/:id": /^Axe link /,
  "/links/:id/request": "Request through this link",
  "/users": "Users",
  "/tokens": "My API tokens",
  "/authorizations": "My authorizations",
  "/audit": "Audit log",
  "/settings": "Settings",
};

test("every page passes axe at 1280 px and 390 px", async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  const admin = await apiAs(cliToken(E2E_DATA, ADMIN.username));
  const link = await api(admin, "POST", `${baseURL}/api/v1/links`, { name: `Axe link ${Date.now().toString(36)}`, type: "jira", rpcUrl: `http://127.0.0.1:9/axe-${Date.now().toString(36)}` });
  await api(admin, "POST", `${baseURL}/api/v1/links/${link.id}/status`);
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await page.context().clearCookies();
    expect((await page.goto("/signin"))?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1, name: "Applink Admin" })).toBeVisible();
    await expectAccessible(page, `/signin (${size.name})`);
    await signInOk(page, ADMIN.username, ADMIN.password);
    for (const path of ["/links", "/links/new", `/links/${link.id}`, `/links/${link.id}/request?path=rest/api/2/myself`, "/users", "/tokens", "/authorizations", "/audit", "/settings"]) {
      // The page itself, not an error or not-found page that would pass axe as well.
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      await expect(page.getByRole("heading", { level: 1, name: PAGE_TITLES[path.split("?")[0]!.replace(link.id, ":id")] })).toBeVisible();
      await expectAccessible(page, `${path} (${size.name})`);
      await screenshot(page, `page-${size.name}${path.replace(/[/?=]+/g, "-")}`);
    }
  }
});
