import { expect, test } from "@playwright/test";
import { ADMIN, screenshot, signIn, signInMessage, signInOk, signOut } from "./helpers";

const person = { username: "e2e-person", email: "e2e-person@example.test", password: "person password 123" };

test("an admin creates a user, who signs in, cannot reach admin pages, and manages API tokens", async ({ page, request }) => {
  // The admin creates the user.
  await signInOk(page, ADMIN.username, ADMIN.password);
  await page.getByRole("navigation", { name: "Main" }).last().getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { name: "Users", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Create a user…" }).click();
  const form = page.getByRole("form", { name: "Create user" });
  await form.getByLabel("Username").fill(person.username);
  await form.getByLabel("Email").fill("not-an-email");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.getByText("Enter a valid email address.")).toBeVisible();
  await expect(form.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  // What was typed survives the refusal.
  await expect(form.getByLabel("Username")).toHaveValue(person.username);
  await form.getByLabel("Email").fill(person.email);
  await form.getByLabel("Password").fill(person.password);
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.getByRole("status")).toHaveText(`Created ${person.username}.`);
  await expect(page.getByTestId(`user-row-${person.username}`)).toContainText("Active");
  await screenshot(page, "users");

  // The last admin is offered neither Disable nor Make user, and the row says why (the server refuses both too).
  await expect(page.getByTestId(`user-row-${ADMIN.username}`)).toContainText("The last active administrator");
  await expect(page.getByRole("button", { name: `Make user: ${ADMIN.username}` })).toHaveCount(0);
  await expect(page.getByRole("button", { name: `Disable ${ADMIN.username}` })).toHaveCount(0);

  // The audit log shows what happened.
  await page.getByRole("link", { name: "Audit log" }).last().click();
  await expect(page.getByRole("table", { name: "Audit events" })).toContainText(`User “${person.username}” created`);
  await expect(page.getByRole("table", { name: "Audit events" })).toContainText(person.username);
  await screenshot(page, "audit");
  await page.getByLabel("Person").fill("nobody-did-this");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByText("No events match")).toBeVisible();
  await signOut(page);

  // The user signs in and sees no admin navigation; admin pages refuse them.
  await signInOk(page, person.username, person.password);
  await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);
  for (const path of ["/users", "/audit"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { name: "Administrators only" })).toBeVisible();
  }
  expect((await page.request.get("/api/v1/users")).status()).toBe(403);

  // The user creates a token, sees it once, uses it, revokes it.
  await page.getByRole("link", { name: "My tokens" }).last().click();
  await expect(page.getByText("No tokens yet")).toBeVisible();
  await page.getByLabel("Token name").fill("laptop script");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("secret-value").textContent())!.trim();
  expect(token).toMatch(/^ala_[\w-]{43}$/);
  await expect(page.getByTestId("token-row-laptop script")).toContainText("Active");
  await screenshot(page, "tokens");
  const auth = { Authorization: `Bearer ${token}` };
  const myself = await request.get("/api/v1/myself", { headers: auth });
  expect(await myself.json()).toMatchObject({ username: person.username, role: "USER", via: "token" });
  // Revoking asks first, in place; "Keep it" keeps it. Once revoked, its secret leaves the screen.
  await page.getByRole("button", { name: "Revoke laptop script" }).click();
  const confirm = page.getByRole("group", { name: "Confirm revoking laptop script" });
  await confirm.getByRole("button", { name: "Keep it" }).click();
  await expect(confirm).toHaveCount(0);
  await expect(page.getByTestId("token-row-laptop script")).toContainText("Active");
  await page.getByRole("button", { name: "Revoke laptop script" }).click();
  await confirm.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(page.getByTestId("token-row-laptop script")).toContainText("Revoked");
  await expect(page.getByTestId("secret-value")).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "“laptop script” was revoked" })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("secret-value")).toHaveCount(0);
  expect((await request.get("/api/v1/myself", { headers: auth })).status()).toBe(401);

  await page.getByRole("link", { name: "Settings" }).last().click();
  await expect(page.getByRole("heading", { name: "Your password" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "This instance" })).toHaveCount(0);
  await signOut(page);
});

test("a disabled user is signed out at once and cannot sign in", async ({ browser }) => {
  const adminPage = await (await browser.newContext()).newPage();
  const userPage = await (await browser.newContext()).newPage();
  await signInOk(adminPage, ADMIN.username, ADMIN.password);
  await adminPage.goto("/users");
  await adminPage.getByRole("button", { name: "Create a user…" }).click();
  const form = adminPage.getByRole("form", { name: "Create user" });
  await form.getByLabel("Username").fill("e2e-leaver");
  await form.getByLabel("Email").fill("e2e-leaver@example.test");
  await form.getByLabel("Password").fill("leaver password 123");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.getByRole("status")).toHaveText("Created e2e-leaver.");

  await signInOk(userPage, "e2e-leaver", "leaver password 123");
  await adminPage.getByRole("button", { name: "Disable e2e-leaver" }).click();
  await expect(adminPage.getByTestId("user-row-e2e-leaver")).toContainText("Disabled");

  await userPage.goto("/tokens");
  await expect(userPage).toHaveURL(/\/signin/);
  await signIn(userPage, "e2e-leaver", "leaver password 123");
  await expect(signInMessage(userPage)).toHaveText("This account is disabled. Ask an administrator to enable it.");
});

test("settings: the admin sees the instance, switches to the dark theme", async ({ page }) => {
  await signInOk(page, ADMIN.username, ADMIN.password);
  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "This instance" })).toBeVisible();
  // Which provider holds the vault's master key, and that it answers (no alert beside it).
  const masterKey = page.getByRole("definition").filter({ hasText: "master-key file" });
  await expect(masterKey).toHaveText(/^The data folder's master-key file, key \S+\.$/);
  await expect(masterKey.getByRole("alert")).toHaveCount(0);
  await page.getByRole("combobox", { name: "Theme" }).selectOption("dark");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.locator("html")).toHaveClass("dark");
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(await background()).toBe("rgb(22, 26, 29)");
  await screenshot(page, "settings-dark");
  await page.getByRole("combobox", { name: "Theme" }).selectOption("light");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.locator("html")).toHaveClass("light");
  expect(await background()).toBe("rgb(246, 247, 249)");
  await screenshot(page, "settings");
});
