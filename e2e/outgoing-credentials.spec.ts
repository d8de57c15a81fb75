/**
 * Issue 15 in the browser: an admin switches a link to a personal access token with a client
 * certificate (a Jira Data Center behind mutual TLS, seed 004), tries a request and sees it work;
 * then breaks the certificate and sees the diagnosis name it, and puts it back as a PKCS#12 file
 * (a wrong passphrase named first). The remote is Node's https server
 * asking for a client certificate from a CA made by python3-cryptography for this test.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { expect, test } from "@playwright/test";
import { ADMIN, api, apiAs, cliToken, E2E_DATA, expectAccessible, screenshot, signInOk, openSection } from "./helpers";

const certs = JSON.parse(execFileSync("/usr/bin/python3", [path.resolve("tests/support/make_certs.py")], { encoding: "utf8" })) as Record<string, string>;
const PAT = "NjQ1MjM0OTk0ODk2-e2e-personal-access-token";

/** The certificate and key as one PKCS#12 file, made by openssl as a keystore export would be. */
function pkcs12(certificatePem: string, keyPem: string, passphrase: string): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-p12-"));
  try {
    fs.writeFileSync(path.join(dir, "cert.pem"), certificatePem);
    fs.writeFileSync(path.join(dir, "key.pem"), keyPem);
    execFileSync("openssl", ["pkcs12", "-export", "-in", path.join(dir, "cert.pem"), "-inkey", path.join(dir, "key.pem"), "-out", path.join(dir, "client.p12"), "-passout", `pass:${passphrase}`], { stdio: "pipe" });
    return fs.readFileSync(path.join(dir, "client.p12"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const remote = https.createServer({ key: certs.leafKey, cert: certs.leaf, ca: certs.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
  const client = (req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? null;
  res.writeHead(req.headers.authorization === `Bearer ${PAT}` ? 200 : 401, { "content-type": "application/json" }).end(JSON.stringify({ name: "jira-dc", client }));
});

test.beforeAll(() => new Promise<void>((resolve) => remote.listen(0, "127.0.0.1", resolve)));
test.afterAll(() => remote.close());

test("a link switched to a personal access token with a client certificate works, and a removed certificate is named by the diagnosis", async ({ page }) => {
  const admin = await apiAs(cliToken(E2E_DATA, ADMIN.username));
  const link = await api(admin, "POST", "/api/v1/links", { name: `Jira DC mTLS ${Date.now()}`, type: "jira", rpcUrl: `https://127.0.0.1:${(remote.address() as AddressInfo).port}` });
  await signInOk(page, ADMIN.username, ADMIN.password);
  await page.goto(`/links/${link.id}`);

  await openSection(page, "Credential and TLS");
  const form = page.getByRole("form", { name: "Credential and TLS" });
  await form.getByLabel("Authentication").selectOption("bearer");
  await form.getByLabel("Personal access token").fill(PAT);
  await form.getByLabel("Certificate (PEM)").fill(certs.client!);
  await form.getByLabel("Its private key (PEM, unencrypted)").fill(certs.clientKey!);
  await form.getByLabel("Certificate authorities to trust for this link (PEM)").fill(certs.ca!);
  await form.getByRole("button", { name: "Save credential and TLS" }).click();
  await expect(page.getByText("Now: a personal access token, with a client certificate.")).toBeVisible();
  await expect(page.getByTestId("client-certificate")).toContainText("CN=applink-admin client, issued by CN=Applink test CA");
  // Write-only: nothing of the token or the key comes back to the page.
  expect(await page.content()).not.toContain(PAT);
  expect(await page.content()).not.toContain("PRIVATE KEY-----\n");
  await expectAccessible(page, "the link page with a credential and a client certificate");
  await screenshot(page, "link-credential-and-tls");

  await page.goto(`/links/${link.id}/request?path=rest/api/2/serverInfo`);
  await expect(page.getByTestId("response-status")).toHaveText("200");
  await expect(page.getByTestId("response-body")).toContainText('"client": "applink-admin client"');

  // Break it: the certificate removed, the remote refuses the connection; the diagnosis says why.
  await page.goto(`/links/${link.id}?section=credential`);
  await form.getByLabel("Remove the client certificate").check();
  await form.getByRole("button", { name: "Save credential and TLS" }).click();
  await expect(page.getByText("Now: a personal access token.")).toBeVisible();
  const diagnostics = page.getByRole("region", { name: /^Diagnostics/ });
  await diagnostics.getByRole("button", { name: "Check now" }).click();
  await expect(diagnostics.getByRole("status").filter({ hasText: /^Checked:/ })).toBeVisible({ timeout: 30_000 });
  await expect(diagnostics.getByTestId("status-cause")).toContainText(/client certificate refused/i);
  await expect(diagnostics).toContainText("Upload the client certificate the remote expects");
  await screenshot(page, "link-client-certificate-refused");

  // Back as a Windows or Java keystore exports it: one PKCS#12 file and its passphrase.
  const p12 = pkcs12(certs.client!, certs.clientKey!, "p12 passphrase");
  await form.getByLabel("Or a PKCS#12 file (.p12, .pfx)").setInputFiles({ name: "client.p12", mimeType: "application/x-pkcs12", buffer: p12 });
  await form.getByLabel("The file's passphrase").fill("not it");
  await form.getByRole("button", { name: "Save credential and TLS" }).click();
  await expect(form.getByLabel("Or a PKCS#12 file (.p12, .pfx)")).toHaveAccessibleDescription("The passphrase does not open this PKCS#12 file.");
  await form.getByLabel("Or a PKCS#12 file (.p12, .pfx)").setInputFiles({ name: "client.p12", mimeType: "application/x-pkcs12", buffer: p12 });
  await form.getByLabel("The file's passphrase").fill("p12 passphrase");
  await form.getByRole("button", { name: "Save credential and TLS" }).click();
  await expect(page.getByText("Now: a personal access token, with a client certificate.")).toBeVisible();
  await expect(page.getByTestId("client-certificate")).toContainText("CN=applink-admin client, issued by CN=Applink test CA");
  await page.goto(`/links/${link.id}/request?path=rest/api/2/serverInfo`);
  await expect(page.getByTestId("response-status")).toHaveText("200");
  await page.goto(`/links/${link.id}`);
  await openSection(page, "Credential and TLS");

  // Seed 002's way to a certificate: this app makes the key and a request for the customer's domain.
  const request = page.getByRole("form", { name: "Certificate request" });
  await request.getByLabel("Common name (the domain)").fill("jira-connector.example.com");
  await request.getByLabel("Country code (optional)").fill("US");
  await request.getByRole("button", { name: "Make a key and certificate request" }).click();
  await expect(request.getByRole("status")).toContainText("Certificate request made for CN=jira-connector.example.com, C=US");
  await expect(page.getByLabel("Certificate request waiting for its certificate")).toHaveValue(/-----BEGIN CERTIFICATE REQUEST-----/);
  await expectAccessible(page, "the link page with a certificate request waiting");
});
