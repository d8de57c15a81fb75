import { expect, test } from "@playwright/test";
import { ADMIN, screenshot, signIn, signInMessage, signInOk, signOut } from "./helpers";

test("the sign-in page, then the admin signs in and out", async ({ page }) => {
  await page.goto("/links");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Flinks/);
  await screenshot(page, "signin");
  await signInOk(page, ADMIN.username, ADMIN.password);
  await expect(page.getByRole("heading", { name: "Application links" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).last().getByRole("link", { name: "Users" })).toBeVisible();
  await screenshot(page, "links");
  await signOut(page);
  await page.goto("/links");
  await expect(page).toHaveURL(/\/signin/);
});

test("a wrong password gets one clear message, the same as an unknown user", async ({ page }) => {
  await signIn(page, ADMIN.username, "not the password");
  await expect(signInMessage(page)).toHaveText("Invalid username or password.");
  await signIn(page, "nobody-at-all", "not the password");
  await expect(signInMessage(page)).toHaveText("Invalid username or password.");
  await expect(page).toHaveURL(/\/signin/);
});

test.describe("throttling", () => {
  // Its own client address (the server trusts X-Forwarded-For in this run), so other tests are not locked out.
  test.use({ extraHTTPHeaders: { "X-Forwarded-For": "203.0.113.77" } });

  test("after 5 failures, sign-in is refused with a clear message", async ({ page }) => {
    for (let i = 0; i < 5; i++) {
      await signIn(page, "throttled-person", `wrong ${i}`);
      await expect(signInMessage(page)).toHaveText("Invalid username or password.");
    }
    await signIn(page, "throttled-person", "wrong again");
    await expect(signInMessage(page)).toHaveText(/^Too many failed sign-in attempts\. Try again in 15 minutes\.$/);
    // The address is blocked for every username, even with the right password.
    await signIn(page, ADMIN.username, ADMIN.password);
    await expect(signInMessage(page)).toHaveText(/^Too many failed sign-in attempts/);
    await screenshot(page, "signin-throttled");
  });
});

test("next-auth's session endpoint answers the anonymous and the signed-in", async ({ page, request }) => {
  expect(await (await request.get("/api/auth/session")).json()).toEqual({});
  await signInOk(page, ADMIN.username, ADMIN.password);
  const session = await (await page.request.get("/api/auth/session")).json();
  expect(session.user.email).toBe("admin@example.test");
  const myself = await (await page.request.get("/api/v1/myself")).json();
  expect(myself).toMatchObject({ username: "admin", role: "ADMIN", via: "session" });
});

test("security headers are on pages and API answers", async ({ request }) => {
  for (const path of ["/signin", "/api/health"]) {
    const response = await request.get(path);
    const headers = response.headers();
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["strict-transport-security"]).toBeUndefined(); // http here; set under https
  }
  const page = await request.get("/signin");
  expect(page.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[\w+/=]+' 'strict-dynamic'/);
});
