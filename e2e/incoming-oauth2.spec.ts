/**
 * Incoming OAuth 2.0 end to end: an admin creates an external application (no URL) and turns
 * OAuth 2.0 on from its page, copying the client id
 * and the secret shown once; python3-requests-oauthlib's OAuth2Session, as the external
 * application, builds the authorization URL (PKCE S256); the person signs in, reads the consent
 * page in Chromium and allows it; the application exchanges the code and calls this app as them;
 * the link page and the person's own page show the authorization, and revoking it ends its token.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { ADMIN, expectAccessible, openSection, screenshot, signInOk, signOut } from "./helpers";

const run = promisify(execFile);
const REDIRECT = "https://ci-server.example.test/oauth/callback";

async function peer<T = Record<string, unknown>>(input: Record<string, unknown>): Promise<T> {
  const child = run("/usr/bin/python3", [path.resolve("tests/interop/requests_oauthlib_oauth2.py")], { encoding: "utf8" });
  child.child.stdin!.end(JSON.stringify(input));
  return JSON.parse((await child).stdout) as T;
}

test("an external application is linked with OAuth 2.0 from the link page, a person allows it in the browser, and revoking it ends its token", async ({ page, baseURL }) => {
  await signInOk(page, ADMIN.username, ADMIN.password);
  const name = `CI server ${Date.now()}`;
  // An external application needs no URL: the new-link page offers it as such.
  await page.goto("/links/new");
  const create = page.getByRole("form", { name: "Create an external application" });
  await create.getByLabel("Its name").fill(name);
  await create.getByRole("button", { name: "Create external application" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByText("External application (incoming only)")).toBeVisible();
  const link = { id: new URL(page.url()).pathname.split("/").at(-1)! };
  await openSection(page, "OAuth 2.0 (incoming)");
  const form = page.getByRole("form", { name: "Incoming OAuth 2.0" });
  await form.getByLabel("Redirect URLs (one per line)").fill("http://ci-server.example.test/oauth/callback");
  await form.getByRole("button", { name: "Turn on OAuth 2.0" }).click();
  // Plain http beyond loopback is refused, in the field, with the way out named.
  await expect(form.getByLabel("Redirect URLs (one per line)")).toHaveAccessibleDescription(/plain http/);
  await form.getByLabel("Redirect URLs (one per line)").fill(REDIRECT);
  await form.getByRole("checkbox", { name: /^WRITE/ }).check();
  await form.getByRole("button", { name: "Turn on OAuth 2.0" }).click();
  const secret = (await page.getByTestId("secret-value").textContent())!;
  expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const clientId = (await page.getByText(/^[0-9a-f]{32}$/).first().textContent())!;
  await expectAccessible(page, "the link page's OAuth 2.0 section");
  await screenshot(page, "link-incoming-oauth2");
  // Shown once: a reload shows it as set, never in clear.
  await page.reload();
  await openSection(page, "OAuth 2.0 (incoming)");
  await expect(page.getByText(/Client secret: set/)).toBeVisible();
  expect(await page.content()).not.toContain(secret);
  await signOut(page);

  // The application sends the person to the authorization URL; they sign in first.
  const urls = { authorize_url: `${baseURL}/rest/oauth2/latest/authorize`, token_url: `${baseURL}/rest/oauth2/latest/token` };
  const started = await peer<{ url: string; state: string; verifier: string }>({ step: "authorize-url", ...urls, client_id: clientId, redirect_uri: REDIRECT, scope: "READ WRITE" });
  await page.goto(started.url);
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page.getByRole("heading", { name: `Allow ${name} to act as you?` })).toBeVisible();
  const may = page.getByRole("list", { name: "What it may do" });
  await expect(may.getByRole("listitem")).toHaveText([/^READ: Read what you may read here/, /^WRITE: Also send any request through a link as you/]);
  await expectAccessible(page, "the OAuth 2.0 consent page");
  await screenshot(page, "oauth2-consent");
  let callback = "";
  await page.route("https://ci-server.example.test/**", (route) => {
    callback = route.request().url();
    return route.fulfill({ status: 200, contentType: "text/html", body: "<h1>Back at the CI server</h1>" });
  });
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page.getByRole("heading", { name: "Back at the CI server" })).toBeVisible();
  expect(new URL(callback).searchParams.get("state")).toBe(started.state);

  const token = await peer<{ access_token: string; refresh_token: string }>({ step: "token", ...urls, client_id: clientId, client_secret: secret, redirect_uri: REDIRECT, authorization_response: callback, state: started.state, verifier: started.verifier });
  expect(token.access_token).toMatch(/^alo2_/);
  const me = await peer<{ status: number; body: string }>({ step: "call", url: `${baseURL}/api/v1/myself`, token: { ...token, token_type: "Bearer" } });
  expect(JSON.parse(me.body)).toMatchObject({ username: ADMIN.username, via: "oauth2", clientId, scopes: ["READ", "WRITE"] });

  // The admin sees who authorized it; the person sees it under their authorizations and revokes it.
  await page.goto(`/links/${link.id}`);
  await openSection(page, "OAuth 2.0 (incoming)");
  await expect(page.getByTestId("oauth2-grant-count")).toHaveText(`1 person has authorized ${name} (OAuth 2.0).`);
  await page.goto("/authorizations");
  await expect(page.getByTestId(`oauth2-grant-row-${name}`)).toContainText("READ, WRITE");
  await page.getByRole("button", { name: `Revoke the access of ${name}` }).click();
  await expect(page.getByTestId(`oauth2-grant-row-${name}`)).toHaveCount(0);
  const refused = await peer<{ status: number; www_authenticate: string }>({ step: "call", url: `${baseURL}/api/v1/myself`, token: { ...token, token_type: "Bearer" } });
  expect(refused.status).toBe(401);
  expect(refused.www_authenticate).toContain('error="invalid_token"');

  // Clients configure themselves from the metadata (RFC 8414), whose issuer is this app.
  const metadata = await (await page.request.get("/.well-known/oauth-authorization-server")).json();
  expect(metadata).toMatchObject({ issuer: baseURL, token_endpoint: urls.token_url, code_challenge_methods_supported: ["S256"] });

  // An unknown client gets a page here, never a redirect.
  await page.goto(`/rest/oauth2/latest/authorize?response_type=code&client_id=nobody&redirect_uri=${encodeURIComponent(REDIRECT)}`);
  await expect(page.getByRole("heading", { name: "This authorization request cannot be answered" })).toBeVisible();
});
