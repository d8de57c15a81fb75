/**
 * Incoming Atlassian Connect JWT set up in the browser: an admin has the link accept the remote's
 * tokens (issuer, shared secret, the user they run as), a token made by the `atlassian-jwt`
 * reference package is then accepted on the REST API, and unticking the box refuses it again.
 * The secret is write-only: it never comes back to the page.
 */
import * as reference from "atlassian-jwt";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { ADMIN, api, apiAs, cliToken, E2E_DATA, expectAccessible, screenshot, signInOk, openSection } from "./helpers";

const SECRET = "e2e connect shared secret 5d1f0c";
const ISSUER = `com.example.e2e-connector.${Date.now()}`;

/** A token from the reference implementation for `GET /api/v1/myself`, as a Connect app sends it. */
function connectToken(baseURL: string): string {
  const now = Math.floor(Date.now() / 1000);
  const qsh = reference.createQueryStringHash(reference.fromMethodAndUrl("GET", `${baseURL}/api/v1/myself`), false, baseURL);
  return reference.encodeSymmetric({ iss: ISSUER, iat: now, exp: now + 180, qsh }, SECRET);
}

async function myself(request: APIRequestContext, baseURL: string) {
  return request.get("/api/v1/myself", { headers: { authorization: `JWT ${connectToken(baseURL)}` } });
}

test("an admin has a link accept Connect JWTs from the page; a reference token then runs as the chosen user, and unticking refuses it", async ({ page, request, baseURL }) => {
  const admin = await apiAs(cliToken(E2E_DATA, ADMIN.username));
  const link = await api(admin, "POST", "/api/v1/links", { name: `Connect app ${Date.now()}`, type: "generic", rpcUrl: `http://127.0.0.1:9/connect-${Date.now()}` });
  expect((await myself(request, baseURL!)).status()).toBe(401);

  await signInOk(page, ADMIN.username, ADMIN.password);
  await page.goto(`/links/${link.id}`);
  await openSection(page, "Incoming");
  const form = page.getByRole("form", { name: "Incoming" });
  const jwt = form.getByRole("group", { name: "Atlassian Connect JWT" });
  await jwt.getByLabel("Accept Connect JWTs from the remote").check();
  await jwt.getByLabel("Issuer of the remote's tokens (iss)").fill(ISSUER);

  // No secret yet, and nobody to run as: each is asked for, in its place.
  await form.getByRole("button", { name: "Save incoming" }).click();
  await expect(form.getByLabel("2-legged requests run as")).toHaveAccessibleDescription(/Connect JWT requests run as a local user/);
  await form.getByLabel("2-legged requests run as").selectOption(ADMIN.username);
  await form.getByRole("button", { name: "Save incoming" }).click();
  await expect(jwt.getByText("Enter the shared secret the remote's tokens are signed with.")).toBeVisible();

  await jwt.getByLabel("Shared secret of the remote's tokens").fill(SECRET);
  await form.getByRole("button", { name: "Save incoming" }).click();
  await expect(form.getByRole("status")).toHaveText("Incoming saved.");
  await expect(page.getByText(`Now: Connect JWT from ${ISSUER}.`)).toBeVisible();
  await expect(jwt.getByLabel("Issuer of the remote's tokens (iss)")).toHaveValue(ISSUER);
  await expect(jwt.getByLabel("Shared secret of the remote's tokens")).toHaveAccessibleDescription(/A shared secret is stored/);
  expect(await page.content()).not.toContain(SECRET);
  await expectAccessible(page, "the link page accepting Connect JWTs");
  await screenshot(page, "link-incoming-connect-jwt");

  const accepted = await myself(request, baseURL!);
  expect(accepted.status()).toBe(200);
  expect((await accepted.json()).username).toBe(ADMIN.username);

  // Saving again with the secret left blank keeps it.
  await form.getByRole("button", { name: "Save incoming" }).click();
  await expect(form.getByRole("status")).toHaveText("Incoming saved.");
  expect((await myself(request, baseURL!)).status()).toBe(200);

  await jwt.getByLabel("Accept Connect JWTs from the remote").uncheck();
  await expect(jwt.getByLabel("Issuer of the remote's tokens (iss)")).toBeHidden();
  await form.getByRole("button", { name: "Save incoming" }).click();
  // The status already said "Incoming saved." from the save before: wait for this save to be stored,
  // then the very next call must be refused (no cached answer from before the change).
  await expect.poll(async () => (await api(admin, "GET", `/api/v1/links/${link.id}`)).incoming.connectJwt).toBeNull();
  await expect(form.getByRole("status")).toHaveText("Incoming saved.");
  expect((await myself(request, baseURL!)).status()).toBe(401);
});
