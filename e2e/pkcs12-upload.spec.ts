/**
 * Issue 21, finding 1, through the built server: a PKCS#12 file is opened on a worker thread with
 * its iteration counts capped, so no upload of any shape stalls the other requests. While a file
 * is being uploaded, /api/health is asked every 25 ms and each answer is timed.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { ADMIN, cliToken, E2E_DATA, rawRequest } from "./helpers";
import { makePkcs12, withIterations } from "../tests/support/pkcs12-files";

let remote: http.Server;
let admin: Record<string, string>;
let linkId: string;

test.beforeAll(async ({ baseURL }) => {
  remote = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  await new Promise<void>((resolve) => remote.listen(0, "127.0.0.1", resolve));
  admin = { authorization: `Bearer ${cliToken(E2E_DATA, ADMIN.username)}`, "content-type": "application/json" };
  const created = await rawRequest(baseURL!, "POST", "/api/v1/links", admin, JSON.stringify({ name: `PKCS#12 ${Date.now()}`, type: "generic", rpcUrl: `http://127.0.0.1:${(remote.address() as AddressInfo).port}` }));
  expect(created.status, created.body.toString()).toBe(201);
  linkId = (JSON.parse(created.body.toString()) as { id: string }).id;
});
test.afterAll(() => remote?.close());

/** Uploads the file while timing /api/health every 25 ms; the upload's answer and the slowest health answer. */
async function uploadWhileProbing(baseURL: string, file: Buffer) {
  let uploading = true;
  const healthMs: number[] = [];
  const probe = (async () => {
    while (uploading) {
      const res = await rawRequest(baseURL, "GET", "/api/health");
      expect(res.status).toBe(200);
      healthMs.push(res.ms);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  const body = JSON.stringify({ scheme: "bearer", token: "a-personal-access-token", clientCertificate: { pkcs12Base64: file.toString("base64"), passphrase: "pw" } });
  const upload = await rawRequest(baseURL, "PUT", `/api/v1/links/${linkId}/outgoing`, admin, body).finally(() => (uploading = false));
  await probe;
  return { upload, json: JSON.parse(upload.body.toString()) as { error?: { code: string; fields?: Record<string, string> } }, slowestHealthMs: Math.max(...healthMs), probes: healthMs.length };
}

test("a file asking for 8,000,000 iterations is refused in under a second, naming the count, and health keeps answering", async ({ baseURL }) => {
  const { upload, json, slowestHealthMs } = await uploadWhileProbing(baseURL!, withIterations(makePkcs12("pw"), { mac: 8_000_000 }));
  expect(upload.status).toBe(400);
  expect(json.error?.fields?.pkcs12Base64).toContain("8,000,000");
  expect(upload.ms).toBeLessThan(1_000);
  expect(slowestHealthMs).toBeLessThan(200);
});

test("the worst file accepted (200,000 iterations everywhere) opens off the event loop: health answers within 200 ms throughout", async ({ baseURL }) => {
  const { upload, slowestHealthMs, probes } = await uploadWhileProbing(baseURL!, makePkcs12("pw", { iterations: 200_000 }));
  expect(upload.status, upload.body.toString()).toBe(200);
  // The opening takes long enough for health to be asked during it.
  expect(probes).toBeGreaterThanOrEqual(3);
  expect(slowestHealthMs).toBeLessThan(200);
});
