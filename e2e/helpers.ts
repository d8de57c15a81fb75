import { expect, type Page } from "@playwright/test";

export const ADMIN = { username: "admin", password: "e2e admin password" };

export async function signIn(page: Page, username: string, password: string) {
  await page.goto("/signin");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signInOk(page: Page, username: string, password: string) {
  await signIn(page, username, password);
  await expect(page).toHaveURL(/\/links$/);
  await expect(page.getByTestId("current-user")).toContainText(username);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

/** The sign-in form's own message (Next.js also has an empty role=alert route announcer). */
export function signInMessage(page: Page) {
  return page.getByRole("form", { name: "Sign in" }).getByRole("alert");
}
