import { expect, test, type Page } from "@playwright/test";
import { ADMIN, cliToken, E2E_DATA, screenshot, signIn, signInMessage, signInOk, signOut } from "./helpers";

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
  // Each step sends its own client address (the server trusts X-Forwarded-For in this run).
  const from = (page: Page, address: string) => page.setExtraHTTPHeaders({ "X-Forwarded-For": address });

  test("failures lock one username at one address; the real person still signs in from where they did before", async ({ page, request }) => {
    // A person and two addresses of this run's own, so nothing earlier (or a repeat) has counted against them.
    const run = Math.floor(Math.random() * 250) + 1;
    const home = `203.0.113.${run}`;
    const attacker = `198.51.100.${run}`;
    const person = { username: `victim-${Date.now()}`, password: "the victim's long password" };
    const stranger = `throttled-person-${Date.now()}`;
    const created = await request.post("/api/v1/users", {
      headers: { authorization: `Bearer ${cliToken(E2E_DATA, ADMIN.username)}` },
      data: { username: person.username, email: `${person.username}@example.test`, role: "USER", password: person.password },
    });
    expect(created.status()).toBe(201);

    await from(page, home);
    for (let i = 0; i < 5; i++) {
      await signIn(page, stranger, `wrong ${i}`);
      await expect(signInMessage(page)).toHaveText("Invalid username or password.");
    }
    await signIn(page, stranger, "wrong again");
    await expect(signInMessage(page)).toHaveText(/^Too many failed sign-in attempts\. Try again in 15 minutes\.$/);
    await screenshot(page, "signin-throttled");
    // Another username at that address is not locked out: the person signs in there (now a known address).
    await signInOk(page, person.username, person.password);
    await signOut(page);

    // An attacker elsewhere guesses the person's password: that address is locked, even for the right one…
    await from(page, attacker);
    for (let i = 0; i < 5; i++) {
      await signIn(page, person.username, `guess ${i}`);
      // Each refusal is on screen before the next try: a navigation may not cut a submission short.
      await expect(signInMessage(page)).toHaveText("Invalid username or password.");
    }
    await signIn(page, person.username, person.password);
    await expect(signInMessage(page)).toHaveText(/^Too many failed sign-in attempts/);
    // …while the person, from the address they signed in from before, is let in.
    await from(page, home);
    await signInOk(page, person.username, person.password);
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
