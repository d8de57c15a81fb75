import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { masterKeyFromBase64 } from "@/lib/crypto/envelope";
import { newMasterKeyBase64 } from "@/lib/vault/master-keys";
import { fileKeyProvider } from "@/lib/vault/key-provider";
import { checkSharedKeys, SharedKeyMismatch } from "@/lib/setup/shared-keys";
import { resetKeyringCache, storeSecret } from "@/lib/vault/vault";

const ring = (base64: string, previous: string[] = []) => {
  const current = masterKeyFromBase64(base64);
  return fileKeyProvider({ current, all: [current, ...previous.map(masterKeyFromBase64)], source: "env" });
};

describe("secrets every instance on one database must share", () => {
  it("the first instance stores a check value; one with another session secret refuses to start, naming NEXTAUTH_SECRET", async () => {
    const key = newMasterKeyBase64();
    await checkSharedKeys(db, { sessionSecret: "first-secret-0123456789", keyring: ring(key) });
    const row = await db.sharedKeyCheck.findUniqueOrThrow({ where: { name: "session-secret" } });
    expect(row.value).not.toContain("first-secret");
    await expect(checkSharedKeys(db, { sessionSecret: "first-secret-0123456789", keyring: ring(key) })).resolves.toBeUndefined();
    const refused = checkSharedKeys(db, { sessionSecret: "a-generated-one-9876543210", keyring: ring(key) });
    await expect(refused).rejects.toBeInstanceOf(SharedKeyMismatch);
    await expect(refused).rejects.toThrow(/Set NEXTAUTH_SECRET/);
  });

  it("an instance without the master key the vault's secrets are sealed with refuses to start, naming APP_MASTER_KEY; a previous key still counts", async () => {
    const sessionSecret = "first-secret-0123456789";
    const shared = newMasterKeyBase64();
    process.env.APP_MASTER_KEY = shared;
    resetKeyringCache();
    try {
      await storeSecret(db, "test", "sealed by the first instance");
    } finally {
      delete process.env.APP_MASTER_KEY;
      resetKeyringCache();
    }
    const own = newMasterKeyBase64();
    const refused = checkSharedKeys(db, { sessionSecret, keyring: ring(own) });
    await expect(refused).rejects.toThrow(/Set APP_MASTER_KEY to the key the other instances use/);
    await expect(refused).rejects.toThrow(masterKeyFromBase64(shared).id);
    // After a rotation the old key is in the keyring as a previous one: the instance starts.
    await expect(checkSharedKeys(db, { sessionSecret, keyring: ring(own, [shared]) })).resolves.toBeUndefined();
    await expect(checkSharedKeys(db, { sessionSecret, keyring: ring(shared) })).resolves.toBeUndefined();
    // An instance whose HSM holds another key (another token or label) refuses as well, naming the PKCS#11 settings.
    const otherHsm = { kind: "pkcs11" as const, current: { id: "hsm-0123456789abcdef" }, all: [{ id: "hsm-0123456789abcdef" }], setting: 'PKCS11_KEY_LABEL ("other" in token "elsewhere")' };
    await expect(checkSharedKeys(db, { sessionSecret, keyring: otherHsm })).rejects.toThrow(/its key is hsm-0123456789abcdef, from the HSM: PKCS11_KEY_LABEL \("other" in token "elsewhere"\)\)\. Point PKCS11_MODULE, PKCS11_TOKEN_LABEL and PKCS11_KEY_LABEL at the key the other instances use/);
  });
});
