/**
 * The vault's master key in an HSM (issue 27), through the browser and the API: an instance whose
 * key is in a SoftHSM token says so on Settings → This instance. With the token gone, that page
 * says the HSM does not answer (an alert), `/api/health/ready` says degraded while staying 200, a
 * credential already opened keeps working through the proxy, and a new one is refused with a clear
 * 503, never sealed another way. With the token back, all of it is clear again.
 */
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { startSoftHsm } from "../tests/support/softhsm";
import { apiAs, api, cliToken, expectAccessible, startInstance } from "./helpers";

const H_URL = "http://127.0.0.5:3105";
const H_DATA = path.resolve(".tmp/e2e-data-hsm");
const H_ADMIN = { username: "admin", password: "e2e admin password hsm" };
let instance: ChildProcess | undefined;

test.afterAll(() => instance?.kill("SIGTERM"));

test("the master key in an HSM: said on Settings; the HSM gone is said, keeps what was opened, refuses new secrets; back, all clear", async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  const hsm = startSoftHsm();
  // The token's configuration goes to this instance only, not to instances other flows start.
  const conf = process.env.SOFTHSM2_CONF!;
  delete process.env.SOFTHSM2_CONF;
  // One value to a data key: after the loss, the key minted ahead seals one more, and the next needs the HSM.
  const env = { ...hsm.token("applink-e2e"), SOFTHSM2_CONF: conf, VAULT_DATA_KEY_USES: "1" };
  instance = await startInstance({ port: 3105, host: "127.0.0.5", dataDir: H_DATA, admin: H_ADMIN, env });
  const admin = await apiAs(cliToken(H_DATA, H_ADMIN.username, env));

  // A link whose outgoing credential (a password) is sealed under the HSM's key; the proxy opens it.
  const link = await api(admin, "POST", `${H_URL}/api/v1/links`, { name: "Through the HSM", type: "generic", rpcUrl: baseURL });
  await api(admin, "PUT", `${H_URL}/api/v1/links/${link.id}/outgoing`, { scheme: "basic", username: "svc", password: "sealed by the HSM" });
  const proxied = () => admin.get(`${H_URL}/api/v1/links/${link.id}/proxy/api/health`).then((r) => r.status());
  expect(await proxied()).toBe(200);
  const ready = async () => {
    const response = await fetch(`${H_URL}/api/health/ready`);
    return { status: response.status, body: (await response.json()) as { status: string; keys: { provider: string; status: string } } };
  };
  expect(await ready()).toMatchObject({ status: 200, body: { status: "ok", keys: { provider: "pkcs11", status: "ok" } } });

  // Settings → This instance names the provider and the key, with no alert beside it.
  await page.goto(`${H_URL}/signin`);
  await page.getByLabel("Username").fill(H_ADMIN.username);
  await page.getByLabel("Password").fill(H_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${H_URL}/links`);
  await page.goto(`${H_URL}/settings`);
  const masterKey = page.getByRole("definition").filter({ hasText: "In the HSM" });
  await expect(masterKey).toHaveText(/^In the HSM \(PKCS#11\): it never leaves it, key hsm-[0-9a-f]{16}\.$/);
  await expect(masterKey.getByRole("alert")).toHaveCount(0);

  hsm.lose();
  try {
    // The page asks the HSM as it renders: the loss is said at once, not a minute later.
    await page.reload();
    await expect(masterKey.getByRole("alert")).toHaveText(/^Not answering since .+: The HSM \(token "applink-e2e"\) .+ Secrets already opened keep working; new ones cannot be sealed\.$/);
    await expectAccessible(page, "Settings with the HSM gone");
    // 200, degraded: a 503 would take every instance out of the load balancer at once.
    expect(await ready()).toMatchObject({ status: 200, body: { status: "degraded", keys: { provider: "pkcs11", status: "unavailable" } } });
    // The password opened before the loss keeps working.
    expect(await proxied()).toBe(200);
    // A new secret: the data key minted ahead may seal one; then each is refused, clearly, and nothing is stored.
    const put = (password: string) => admin.put(`${H_URL}/api/v1/links/${link.id}/outgoing`, { data: { scheme: "basic", username: "svc", password } });
    await put("maybe sealed by the key in hand");
    const refused = await put("never sealed without the HSM");
    expect(refused.status()).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: "unavailable", message: expect.stringMatching(/^The HSM \(token "applink-e2e"\) could not wrap a data key/) } });
    expect(await proxied()).toBe(200);
  } finally {
    hsm.restore();
  }

  // Back: without a restart, the instance logs in again and finds its key (it tries every 5 s, and
  // initialises the library again, which SoftHSM needs, every 30 s at most); then the page, the
  // health answer and a new secret are all well again.
  await expect
    .poll(
      async () => {
        await page.reload();
        return masterKey.getByRole("alert").count();
      },
      { timeout: 60_000, intervals: [2_000] },
    )
    .toBe(0);
  await expect(masterKey).toHaveText(/^In the HSM \(PKCS#11\): it never leaves it, key hsm-[0-9a-f]{16}\.$/);
  expect(await ready()).toMatchObject({ status: 200, body: { status: "ok", keys: { provider: "pkcs11", status: "ok" } } });
  await api(admin, "PUT", `${H_URL}/api/v1/links/${link.id}/outgoing`, { scheme: "basic", username: "svc", password: "sealed again" });
  expect(await proxied()).toBe(200);
  await admin.dispose();
});
