/**
 * axe on every page, at a desktop width (1280 px) and a phone's (390 px), signed in as an admin
 * with a link that has a diagnosis, and on the pages anyone sees (sign-in): no serious or
 * critical violation anywhere, and no page wider than the screen (nothing scrolls sideways; a
 * table scrolls inside its own frame). A screenshot of each page and width is kept for review.
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
  "/links/new": /^(Create an application link|Link back to )/,
  "/links/:id": /^Axe link /,
  "/links/:id/request": "Request through this link",
  "/users": "Users",
  "/tokens": "My API tokens",
  "/authorizations": "My authorizations",
  "/audit": "Audit log",
  "/settings": "Settings",
  "/settings/notifications": "Notifications",
  "/rest/oauth2/latest/authorize": /^Allow Axe link .+ to act as you\?$/,
};

/** How far the page reaches past the screen's right edge, and the widest elements that do (for the message). */
async function sideways(page: import("@playwright/test").Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const over = document.documentElement.scrollWidth - width;
    const culprits = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest("[style*='overflow'], .overflow-x-auto"))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 3).join(".")} (${Math.round(el.getBoundingClientRect().right - width)} px)`);
    return { over, culprits };
  });
}

test("every page passes axe at 1280 px and 390 px", async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  const admin = await apiAs(cliToken(E2E_DATA, ADMIN.username));
  const link = await api(admin, "POST", `${baseURL}/api/v1/links`, { name: `Axe link ${Date.now().toString(36)}`, type: "jira", rpcUrl: `http://127.0.0.1:9/axe-${Date.now().toString(36)}` });
  await api(admin, "POST", `${baseURL}/api/v1/links/${link.id}/status`);
  // The same link as an external application's OAuth 2.0 client: its consent page is a page too.
  const { oauth2 } = await api(admin, "PUT", `${baseURL}/api/v1/links/${link.id}/incoming`, { oauth2: { redirectUris: ["https://axe-ci.example.test/callback"], scopes: ["READ", "WRITE", "ADMIN", "SYSTEM_ADMIN"] } });
  // A channel with a failed attempt in its log (nothing listens on port 9), and an SMTP server: the Notifications page full.
  const channel = await api(admin, "POST", `${baseURL}/api/v1/notifications/channels`, { kind: "webhook", name: "Axe hook", url: "http://127.0.0.1:9/axe", events: ["status-worse"] });
  await api(admin, "POST", `${baseURL}/api/v1/notifications/channels/${channel.id}/test`);
  await api(admin, "PUT", `${baseURL}/api/v1/notifications/smtp`, { host: "smtp.example.test", port: 587, security: "starttls", sender: "applinks@example.test" });
  const consent = `/rest/oauth2/latest/authorize?${new URLSearchParams({ response_type: "code", client_id: oauth2.clientId, redirect_uri: "https://axe-ci.example.test/callback", state: "axe" })}`;
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    await page.context().clearCookies();
    expect((await page.goto("/signin"))?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1, name: "Applink Admin" })).toBeVisible();
    await expectAccessible(page, `/signin (${size.name})`);
    await signInOk(page, ADMIN.username, ADMIN.password);
    const createBack = `/links/new?${new URLSearchParams({ rpcUrl: "http://127.0.0.1:9/axe-back", from: "http://127.0.0.1:9", in: "3lo,2lo,2loi", out: "3lo" })}`;
    for (const path of ["/links", "/links/new", createBack, `/links/${link.id}`, `/links/${link.id}/request?path=rest/api/2/myself`, "/users", "/tokens", "/authorizations", "/audit", "/settings", "/settings/notifications", consent]) {
      // The page itself, not an error or not-found page that would pass axe as well.
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      await expect(page.getByRole("heading", { level: 1, name: PAGE_TITLES[path.split("?")[0]!.replace(link.id, ":id")] })).toBeVisible();
      await expectAccessible(page, `${path} (${size.name})`);
      const { over, culprits } = await sideways(page);
      expect(over, `${path} scrolls sideways at ${size.width} px by ${over} px: ${culprits.join(", ")}`).toBeLessThanOrEqual(0);
      await screenshot(page, `page-${size.name}${path.replace(/[/?=]+/g, "-")}`);
    }
  }
  // The flows after this one do not need a channel that always fails.
  expect((await admin.fetch(`${baseURL}/api/v1/notifications/channels/${channel.id}`, { method: "DELETE" })).status()).toBe(200);
});
