/**
 * Issue 25's flagship: two instances of this app linked over OAuth 2.0, set up only from what each
 * page shows. A (the server Playwright started) links B; A's Credential and TLS section shows the
 * redirect URL to register, B's external application page takes it and shows a client id and
 * secret, which A's form takes (preset "another instance of this app"). A person on A authorizes in
 * Chromium (B's sign-in and consent pages, PKCE), and requests through A run as them on B
 * (`via: "oauth2"`). B's admin revokes the grant: A's proxy asks the person to authorize again (401
 * with authorizeUrl) and A's diagnosis run by them says AUTHENTICATE; authorizing again restores it,
 * and revoking it under My authorizations ends it on B too (B's revocation endpoint).
 */
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ADMIN, api, apiAs, cliToken, E2E_DATA, expectAccessible, openSection, screenshot, signInOk, startInstance } from "./helpers";

const B_URL = "http://127.0.0.4:3104";
const B_DATA = path.resolve(".tmp/e2e-data-oauth2-b");
const B_ADMIN = { username: ADMIN.username, password: "e2e admin password on b (oauth2)" };
let instanceB: ChildProcess | undefined;

test.afterAll(() => instanceB?.kill("SIGTERM"));

test("two instances linked over OAuth 2.0 from their pages: a person authorizes in the browser, requests run as them, a revocation on B asks them again", async ({ page, baseURL }) => {
  test.setTimeout(150_000);
  const A_URL = baseURL!;
  instanceB = await startInstance({ port: 3104, host: "127.0.0.4", dataDir: B_DATA, admin: B_ADMIN });
  const adminA = await apiAs(cliToken(E2E_DATA, ADMIN.username));
  const adminB = await apiAs(cliToken(B_DATA, B_ADMIN.username));
  const aToB = await api(adminA, "POST", `${A_URL}/api/v1/links`, { rpcUrl: B_URL, name: "Instance B over OAuth 2.0", type: "applink-admin" });

  // A's page: choose OAuth 2.0 and read the redirect URL it shows.
  await signInOk(page, ADMIN.username, ADMIN.password);
  await page.goto(`/links/${aToB.id}`);
  await openSection(page, "Credential and TLS");
  const form = page.getByRole("form", { name: "Credential and TLS" });
  await form.getByLabel("Authentication").selectOption("oauth2");
  const redirectUrl = await form.getByLabel("Redirect URL to register at the remote").inputValue();
  expect(redirectUrl).toBe(`${A_URL}/api/v1/links/${aToB.id}/oauth-callback`);

  // B's page: an external application with that redirect URL; B shows the client id and the secret once.
  await page.goto(`${B_URL}/signin`);
  await page.getByLabel("Username").fill(B_ADMIN.username);
  await page.getByLabel("Password").fill(B_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`^${B_URL}/links`));
  await page.goto(`${B_URL}/links/new`);
  const create = page.getByRole("form", { name: "Create an external application" });
  await create.getByLabel("Its name").fill("Instance A");
  await create.getByRole("button", { name: "Create external application" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Instance A" })).toBeVisible();
  const bLinkId = new URL(page.url()).pathname.split("/").at(-1)!;
  await openSection(page, "OAuth 2.0 (incoming)");
  const incoming = page.getByRole("form", { name: "Incoming OAuth 2.0" });
  await incoming.getByLabel("Redirect URLs (one per line)").fill(redirectUrl);
  await incoming.getByRole("checkbox", { name: /^WRITE/ }).check();
  await incoming.getByRole("button", { name: "Turn on OAuth 2.0" }).click();
  const clientSecret = (await page.getByTestId("secret-value").textContent())!;
  const clientId = (await page.getByText(/^[0-9a-f]{32}$/).first().textContent())!;

  // Back on A: the preset, the client, the scopes.
  await page.goto(`${A_URL}/links/${aToB.id}`);
  await openSection(page, "Credential and TLS");
  await form.getByLabel("Authentication").selectOption("oauth2");
  await form.getByLabel("Authorization server").selectOption("applink-admin");
  await form.getByLabel("Client id").fill(clientId);
  await form.getByLabel("Client secret").fill(clientSecret);
  await form.getByLabel("Scopes").fill("READ WRITE");
  await form.getByRole("button", { name: "Save credential and TLS" }).click();
  await expect(form.getByText("Credential and TLS saved.")).toBeVisible();
  await expect(page.getByTestId("outgoing-summary")).toContainText("OAuth 2.0, each person's own authorization (Another instance of this app");
  await expectAccessible(page, "the link page with outgoing OAuth 2.0");
  await screenshot(page, "link-outgoing-oauth2");
  expect(await page.content()).not.toContain(clientSecret);
  const shown = await api(adminA, "GET", `${A_URL}/api/v1/links/${aToB.id}/outgoing`);
  expect(shown).toMatchObject({ scheme: "oauth2", redirectUrl });
  expect(shown.oauth2).toMatchObject({ preset: "applink-admin", clientId, scopes: ["READ", "WRITE"], authorizationUrl: `${B_URL}/rest/oauth2/latest/authorize`, tokenUrl: `${B_URL}/rest/oauth2/latest/token`, revocationUrl: `${B_URL}/rest/oauth2/latest/revoke`, clientSecret: { set: true } });

  // The person (A's admin, who is also B's admin) has not authorized yet: Try a request says so, with the way.
  const myselfOnB = () => adminA.get(`${A_URL}/api/v1/links/${aToB.id}/proxy/api/v1/myself`);
  const before = await myselfOnB();
  expect(before.status()).toBe(401);
  expect(await before.json()).toMatchObject({ error: { code: "authorization_required" }, authorizeUrl: `/api/v1/links/${aToB.id}/authorize` });
  await page.goto(`/links/${aToB.id}/request?path=api/v1/myself`);
  await expect(page.getByRole("alert").filter({ hasText: "authorize this app first (OAuth 2.0)" })).toBeVisible();
  await page.getByRole("link", { name: "Authorize", exact: true }).click();
  // On B (signed in there already): its consent page, then back to A's console, which now answers as the person.
  await expect(page.getByRole("heading", { name: "Allow Instance A to act as you?" })).toBeVisible();
  await screenshot(page, "flagship-oauth2-consent-on-b");
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page).toHaveURL(new RegExp(`^${A_URL}/links/${aToB.id}/request`));
  await expect(page.getByTestId("response-status")).toHaveText("200");
  await expect(page.getByTestId("response-body")).toContainText(/"via":\s*"oauth2"/);
  expect(await (await myselfOnB()).json()).toMatchObject({ username: ADMIN.username, via: "oauth2" });
  // The person sees it among their authorizations, with its scopes.
  await page.goto("/authorizations");
  await expect(page.getByTestId("authorization-row-Instance B over OAuth 2.0")).toContainText("OAuth 2.0");
  await expect(page.getByTestId("authorization-row-Instance B over OAuth 2.0")).toContainText("READ WRITE");

  // B's admin revokes the grant: A asks the person again, and its diagnosis says AUTHENTICATE.
  const grants = await api(adminB, "GET", `${B_URL}/api/v1/links/${bLinkId}/incoming/oauth2-grants`);
  expect(grants.grants).toHaveLength(1);
  expect((await adminB.delete(`${B_URL}/api/v1/links/${bLinkId}/incoming/oauth2-grants/${grants.grants[0].id}`)).status()).toBe(200);
  const after = await myselfOnB();
  expect(after.status()).toBe(401);
  expect(await after.json()).toMatchObject({ error: { code: "authorization_required", message: expect.stringMatching(/authorize again/) }, authorizeUrl: `/api/v1/links/${aToB.id}/authorize` });
  const diagnosis = await api(adminA, "POST", `${A_URL}/api/v1/links/${aToB.id}/status`, {});
  expect(diagnosis.status).toBe("AUTHENTICATE");

  // Authorizing again (from the link page this time) restores it.
  await page.goto(`/links/${aToB.id}`);
  // Offered twice: beside the summary, and as the diagnosis's fix.
  await expect(page.getByRole("link", { name: "Authorize", exact: true })).toHaveCount(2);
  await page.getByRole("link", { name: "Authorize", exact: true }).first().click();
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page.getByRole("status").filter({ hasText: "is authorized: requests through it now run as you" })).toBeVisible();
  expect(await (await myselfOnB()).json()).toMatchObject({ username: ADMIN.username, via: "oauth2" });
  const healed = await api(adminA, "POST", `${A_URL}/api/v1/links/${aToB.id}/status`, {});
  expect(healed.checks.find((c: { name: string }) => c.name === "signed-call")).toMatchObject({ result: "pass" });

  // The person revokes it under My authorizations: B is told (its revocation endpoint), and A forgets the tokens.
  await page.goto("/authorizations");
  await page.getByRole("button", { name: "Revoke authorization of Instance B over OAuth 2.0" }).click();
  await expect(page.getByTestId("authorization-row-Instance B over OAuth 2.0")).toHaveCount(0);
  expect((await api(adminB, "GET", `${B_URL}/api/v1/links/${bLinkId}/incoming/oauth2-grants`)).grants).toEqual([]);
  expect((await myselfOnB()).status()).toBe(401);
});
