/**
 * The flagship: two instances of this app, A (the server Playwright started) and B (started here,
 * with its own data folder, on 127.0.0.2 so the browser keeps their cookies apart), linked to each
 * other through their public REST API only. Each side's proxy calls the other's /api/v1/myself with
 * 2LO, impersonation and 3LO (the dance in the browser); a reset on B is seen by A at once.
 */
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { ADMIN, api, apiAs as as, cliToken, screenshot, signInOk, startInstance } from "./helpers";

const B_URL = "http://127.0.0.2:3101";
const B_DATA = path.resolve(".tmp/e2e-data-b");
const A_DATA = path.resolve(".tmp/e2e-data");
const ALICE = { username: "alice", password: "alice's long password" };
let instanceB: ChildProcess | undefined;

test.afterAll(() => instanceB?.kill("SIGTERM"));

test("two instances linked to each other: 2LO, impersonation and 3LO both ways, and a reset healed by a re-fetch", async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  const A_URL = baseURL!;
  instanceB = await startInstance({ port: 3101, host: "127.0.0.2", dataDir: B_DATA, admin: { username: "admin", password: "e2e admin password b" } });

  // Administrators of both sides, and the same person (alice) on both; bob runs B's 2LO requests.
  const adminA = await as(cliToken(A_DATA, ADMIN.username));
  const adminB = await as(cliToken(B_DATA, "admin"));
  for (const [ctx, url] of [[adminA, A_URL], [adminB, B_URL]] as const) {
    await api(ctx, "POST", `${url}/api/v1/users`, { username: ALICE.username, email: `alice@${new URL(url).hostname}.test`, role: "USER", password: ALICE.password });
  }
  await api(adminB, "POST", `${B_URL}/api/v1/users`, { username: "bob", email: "bob@b.test", role: "USER", password: "bob's long password" });
  const aliceA = await as(cliToken(A_DATA, ALICE.username));

  // Each side links the other by discovery: manifest and consumer info pulled from the other.
  const aToB = await api(adminA, "POST", `${A_URL}/api/v1/links`, { rpcUrl: B_URL, fetchConsumer: true });
  const bToA = await api(adminB, "POST", `${B_URL}/api/v1/links`, { rpcUrl: A_URL, fetchConsumer: true });
  expect(aToB).toMatchObject({ type: "applink-admin", rpcUrl: B_URL, incoming: { consumerKey: expect.stringMatching(/^applink-admin:/) } });
  const consumerA = (await api(adminA, "GET", `${A_URL}/api/v1/consumer`)).key;
  const consumerB = (await api(adminB, "GET", `${B_URL}/api/v1/consumer`)).key;
  expect(aToB.incoming.consumerKey).toBe(consumerB);
  expect(bToA.incoming.consumerKey).toBe(consumerA);
  const everything = { threeLegged: true, twoLegged: true, impersonation: true };
  await api(adminA, "PUT", `${A_URL}/api/v1/links/${aToB.id}/outgoing`, everything);
  await api(adminA, "PUT", `${A_URL}/api/v1/links/${aToB.id}/incoming`, { ...everything, executeAs: ADMIN.username });
  await api(adminB, "PUT", `${B_URL}/api/v1/links/${bToA.id}/outgoing`, everything);
  await api(adminB, "PUT", `${B_URL}/api/v1/links/${bToA.id}/incoming`, { ...everything, executeAs: "bob" });

  const myselfOnB = (ctx: APIRequestContext) => api(ctx, "GET", `${A_URL}/api/v1/links/${aToB.id}/proxy/api/v1/myself`);
  // Impersonation: alice on A is alice on B.
  expect(await myselfOnB(aliceA)).toMatchObject({ username: ALICE.username, via: "oauth-2loi", consumerKey: consumerA });
  // And the other way: B's admin is A's admin.
  expect(await api(adminB, "GET", `${B_URL}/api/v1/links/${bToA.id}/proxy/api/v1/myself`)).toMatchObject({ username: ADMIN.username, via: "oauth-2loi", consumerKey: consumerB });
  // Plain 2LO (impersonation off on A's side): B runs it as its execute-as user.
  await api(adminA, "PUT", `${A_URL}/api/v1/links/${aToB.id}/outgoing`, { threeLegged: true, twoLegged: true, impersonation: false });
  expect(await myselfOnB(adminA)).toMatchObject({ username: "bob", via: "oauth-2lo", consumerKey: consumerA });

  // 3LO only: alice authorizes A on B in the browser, then A calls B as her.
  await api(adminA, "PUT", `${A_URL}/api/v1/links/${aToB.id}/outgoing`, { threeLegged: true, twoLegged: false, impersonation: false });
  await signInOk(page, ALICE.username, ALICE.password);
  await page.goto(`/links/${aToB.id}/request?path=api/v1/myself`);
  await expect(page.getByRole("alert").filter({ hasText: "authorize this app first" })).toBeVisible();
  await page.getByRole("link", { name: "Authorize", exact: true }).click();
  // On B: sign in, then consent.
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.2:3101\/signin/);
  await page.getByLabel("Username").fill(ALICE.username);
  await page.getByLabel("Password").fill(ALICE.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: /to act as you\?/ })).toBeVisible();
  await screenshot(page, "flagship-consent-on-b");
  await page.getByRole("button", { name: "Allow" }).click();
  // Back on A, the server component shows B's answer, fetched with alice's access token.
  await expect(page).toHaveURL(new RegExp(`^${A_URL}/links/${aToB.id}/request`));
  await expect(page.getByTestId("response-status")).toHaveText("200");
  await expect(page.getByTestId("response-body")).toContainText(/"via":\s*"oauth-3lo"/);
  await expect(page.getByTestId("response-body")).toContainText(new RegExp(`"username":\\s*"${ALICE.username}"`));
  await screenshot(page, "flagship-3lo-result");
  expect(await myselfOnB(aliceA)).toMatchObject({ username: ALICE.username, via: "oauth-3lo" });

  // B forgets A's consumer (a reset without re-fetch): A's next call fails with consumer_key_unknown…
  await api(adminA, "PUT", `${A_URL}/api/v1/links/${aToB.id}/outgoing`, { threeLegged: false, twoLegged: true, impersonation: true });
  const reset = await api(adminB, "POST", `${B_URL}/api/v1/links/${bToA.id}/reset`, { direction: "incoming", fetchConsumer: false });
  expect(reset.incoming).toMatchObject({ forgottenConsumerKey: consumerA, tokensRevoked: 1, refetched: false });
  const broken = await aliceA.get(`${A_URL}/api/v1/links/${aToB.id}/proxy/api/v1/myself`);
  expect(broken.status()).toBe(401);
  expect(broken.headers()["x-applink-oauth-problem"]).toBe("consumer_key_unknown");
  expect((await api(adminA, "GET", `${A_URL}/api/v1/links/${aToB.id}`)).lastProblem).toMatchObject({ problem: "consumer_key_unknown" });
  // …and a reset with the consumer fetched again heals it.
  expect((await api(adminB, "POST", `${B_URL}/api/v1/links/${bToA.id}/reset`, { direction: "incoming" })).incoming).toMatchObject({ refetched: true });
  expect(await myselfOnB(aliceA)).toMatchObject({ username: ALICE.username, via: "oauth-2loi" });
});
