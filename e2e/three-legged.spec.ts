import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ADMIN, screenshot, signInOk } from "./helpers";

let provider: ChildProcess | undefined;

test.afterAll(() => provider?.kill());

test("a person authorizes a link in the browser (3-legged dance), uses it, revokes it, and is asked again", async ({ page }) => {
  await signInOk(page, ADMIN.username, ADMIN.password);
  // The remote: an OAuth 1.0a provider protected by python3-oauthlib, trusting this app's public key.
  const consumer = await (await page.request.get("/api/v1/consumer")).json();
  provider = spawn("/usr/bin/python3", [path.resolve("tests/interop/oauthlib_provider_server.py"), JSON.stringify({ consumers: { [consumer.key]: { rsa_public_pem: consumer.publicKey } } })]);
  const port = await new Promise<number>((resolve) => provider!.stdout!.on("data", (c: Buffer) => /PORT (\d+)/.test(c.toString()) && resolve(Number(/PORT (\d+)/.exec(c.toString())![1]))));
  const created = await page.request.post("/api/v1/links", { data: { name: "Dance Jira", type: "jira", rpcUrl: `http://127.0.0.1:${port}/jira` } });
  const link = await created.json();
  await page.request.put(`/api/v1/links/${link.id}/outgoing`, { data: { threeLegged: true, twoLegged: false, impersonation: false } });

  // Before authorizing, the proxy answers 401 with where to start.
  const before = await page.request.get(`/api/v1/links/${link.id}/proxy/rest/api/2/myself`);
  expect(before.status()).toBe(401);
  expect((await before.json()).authorizeUrl).toBe(`/api/v1/links/${link.id}/authorize`);

  // A page rendered by a server component fetches through the link as the person: first it asks.
  await page.goto(`/links/${link.id}/request?path=rest/api/2/myself`);
  // (Next adds its own empty role="alert" route announcer after a client navigation: pick ours by text.)
  await expect(page.getByRole("alert").filter({ hasText: "authorize this app first" })).toBeVisible();
  await page.getByRole("link", { name: "Authorize", exact: true }).click();
  // The fixture remote consents at once and sends the browser back, to the same page.
  await expect(page).toHaveURL(new RegExp(`/links/${link.id}/request\\?path=rest%2Fapi%2F2%2Fmyself$`));
  // The outcome comes from the server (a flash for this page), not from the address.
  await expect(page.getByRole("status").filter({ hasText: "is authorized: requests through it now run as you" })).toBeVisible();
  await expect(page.getByTestId("response-status")).toHaveText("200");
  await expect(page.getByTestId("response-body")).toContainText('"remoteUser": "remote-user"');
  await screenshot(page, "link-request");
  await page.goto(`/links/${link.id}`);
  await expect(page.getByRole("link", { name: "Authorize again" })).toBeVisible();

  const after = await page.request.get(`/api/v1/links/${link.id}/proxy/rest/api/2/myself`);
  expect(after.status()).toBe(200);
  expect(await after.json()).toMatchObject({ valid: true, remoteUser: "remote-user", token: expect.any(String) });

  await page.getByRole("link", { name: "My authorizations" }).last().click();
  await expect(page.getByTestId("authorization-row-Dance Jira")).toBeVisible();
  await screenshot(page, "authorizations");
  await page.getByRole("button", { name: "Revoke authorization of Dance Jira" }).click();
  await expect(page.getByText("Nothing authorized yet")).toBeVisible();
  expect((await page.request.get(`/api/v1/links/${link.id}/proxy/rest/api/2/myself`)).status()).toBe(401);
  await page.goto(`/links/${link.id}/request?path=rest/api/2/myself`);
  // (Next adds its own empty role="alert" route announcer after a client navigation: pick ours by text.)
  await expect(page.getByRole("alert").filter({ hasText: "authorize this app first" })).toBeVisible();
});
