import { execFile } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { ADMIN, screenshot, signOut, signInOk } from "./helpers";

const run = promisify(execFile);
const CONSUMER = "jira:e2e-consent";
const CALLBACK = "https://remote-jira.example.test/plugins/servlet/applinks/oauth/login-dance/authorized";

/** python3-requests-oauthlib as the linked application, against the real server. */
async function peer(base: string, privatePem: string, input: Record<string, unknown>): Promise<Record<string, string>> {
  const child = run("/usr/bin/python3", [path.resolve("tests/interop/requests_oauthlib_3lo.py")], { encoding: "utf8" });
  child.child.stdin!.end(JSON.stringify({ base, key: CONSUMER, rsa_private_pem: privatePem, ...input }));
  return JSON.parse((await child).stdout) as Record<string, string>;
}

test("a linked application asks to act as a person: they sign in, see the consent page, allow it, see it under their authorizations and revoke it", async ({ page, baseURL }) => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  await signInOk(page, ADMIN.username, ADMIN.password);
  const link = await (await page.request.post("/api/v1/links", { data: { name: "Remote Jira", type: "jira", rpcUrl: "https://remote-jira.example.test" } })).json();
  const saved = await page.request.put(`/api/v1/links/${link.id}/incoming`, {
    data: { consumerKey: CONSUMER, consumerName: "Remote Jira", publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(), threeLegged: true, twoLegged: false, impersonation: false },
  });
  expect(saved.status()).toBe(200);
  await signOut(page);

  // The remote gets a request token and sends the person here; they are asked to sign in first.
  const requestToken = await peer(baseURL!, privatePem, { step: "request-token", callback: CALLBACK });
  expect(requestToken.oauth_callback_confirmed).toBe("true");
  await page.goto(`/plugins/servlet/oauth/authorize?oauth_token=${requestToken.oauth_token}`);
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();

  // Back on the consent page, which names the application and what it may do.
  await expect(page.getByRole("heading", { name: "Allow Remote Jira to act as you?" })).toBeVisible();
  await expect(page.getByText("https://remote-jira.example.test")).toBeVisible();
  await expect(page.getByText(`as ${ADMIN.username}, with exactly your rights`)).toBeVisible();
  await screenshot(page, "oauth-consent");
  // The remote's callback page, answered here (the remote does not exist).
  let verifier = "";
  await page.route("https://remote-jira.example.test/**", (route) => {
    verifier = new URL(route.request().url()).searchParams.get("oauth_verifier") ?? "";
    return route.fulfill({ status: 200, contentType: "text/html", body: "<h1>Back at Remote Jira</h1>" });
  });
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page.getByRole("heading", { name: "Back at Remote Jira" })).toBeVisible();
  expect(verifier).toMatch(/^[A-Za-z0-9]{24}$/);

  // The remote exchanges it and calls this app as the person.
  const access = await peer(baseURL!, privatePem, { step: "access-token", token: requestToken.oauth_token, token_secret: requestToken.oauth_token_secret, verifier });
  const me = await peer(baseURL!, privatePem, { step: "call", path: "/api/v1/myself", token: access.oauth_token, token_secret: access.oauth_token_secret });
  expect(JSON.parse(me.body!)).toMatchObject({ username: ADMIN.username, via: "oauth-3lo", consumerKey: CONSUMER });

  // The link's administrators see who allowed it.
  await page.goto(`/links/${link.id}?section=incoming`);
  await expect(page.getByTestId("issued-token-count")).toHaveText("1 person has allowed Remote Jira to act as them (3-legged).");
  await expect(page.getByRole("table", { name: "Access tokens issued to this application" }).getByRole("cell", { name: ADMIN.username, exact: true })).toBeVisible();

  // The person sees the application and revokes it; its next call is refused.
  await page.goto("/authorizations");
  await expect(page.getByTestId("application-row-Remote Jira")).toBeVisible();
  await screenshot(page, "authorized-applications");
  await page.getByRole("button", { name: "Revoke the access of Remote Jira" }).click();
  await expect(page.getByText("No application may act as you")).toBeVisible();
  const refused = await peer(baseURL!, privatePem, { step: "call", path: "/api/v1/myself", token: access.oauth_token, token_secret: access.oauth_token_secret });
  expect(refused.status).toBe(401);
  expect(refused.www_authenticate).toContain('oauth_problem="token_rejected"');

  // A used or unknown request token gets a clear page, not an error.
  await page.goto(`/plugins/servlet/oauth/authorize?oauth_token=${requestToken.oauth_token}`);
  await expect(page.getByRole("heading", { name: "Nothing to authorize" })).toBeVisible();
});
