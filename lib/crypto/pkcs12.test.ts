import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_PKCS12_ITERATIONS, pemFromPkcs12, Pkcs12Error } from "@/lib/crypto/pkcs12";
import { makePkcs12, withIterations } from "@/tests/support/pkcs12-files";

describe("pemFromPkcs12", () => {
  const file = makePkcs12("pw");

  it("opens a file as OpenSSL writes it: the leaf certificate and its key", async () => {
    const { certificatePem, privateKeyPem } = await pemFromPkcs12(file, "pw");
    expect(new crypto.X509Certificate(certificatePem).checkPrivateKey(crypto.createPrivateKey(privateKeyPem))).toBe(true);
    await expect(pemFromPkcs12(file, "not it")).rejects.toThrow("The passphrase does not open this PKCS#12 file.");
  });

  it("refuses a MAC iteration count above the cap before deriving anything, naming the count", async () => {
    for (const count of [8_000_000, 2 ** 31 - 1, MAX_PKCS12_ITERATIONS + 1]) {
      const started = performance.now();
      const refusal = await pemFromPkcs12(withIterations(file, { mac: count }), "pw").catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(Pkcs12Error);
      expect((refusal as Pkcs12Error).iterations).toBe(count);
      expect((refusal as Pkcs12Error).message).toContain(count.toLocaleString("en-US"));
      // Deriving 200,001 iterations takes node-forge about 0.3 s; refusing takes the worker's start.
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });

  it("refuses an encryption iteration count above the cap (the shrouded key bag and the encrypted certificates)", async () => {
    const refusal = await pemFromPkcs12(withIterations(file, { encryption: 5_000_000 }), "pw").catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(Pkcs12Error);
    expect((refusal as Pkcs12Error).iterations).toBe(5_000_000);
  });

  it("accepts counts up to the cap", async () => {
    // A MAC that no longer matches its count: the derivation runs (at the cap) and the MAC fails.
    await expect(pemFromPkcs12(withIterations(file, { mac: MAX_PKCS12_ITERATIONS }), "pw")).rejects.toThrow("The passphrase does not open this PKCS#12 file.");
  });

  it("refuses RSA keys over 8,192 bits inside the file", async () => {
    await expect(pemFromPkcs12(makePkcs12("pw", { chainKeyBits: 8192 }), "pw")).resolves.toHaveProperty("privateKeyPem");
    const refusal = await pemFromPkcs12(makePkcs12("pw", { chainKeyBits: 8200 }), "pw").catch((error: unknown) => error);
    expect((refusal as Error).message).toBe("The PKCS#12 file holds an RSA key of 8200 bits; at most 8192 are accepted.");
  });

  it("refuses what is not a PKCS#12 file", async () => {
    await expect(pemFromPkcs12(Buffer.from("not a p12"), "x")).rejects.toThrow("This is not a PKCS#12 file");
  });
});
