import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { databaseBytes } from "@/tests/support/database-contents";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { readSecret, resetKeyringCache, rotateMasterKey, storeSecret } from "@/lib/vault/vault";
import { loadKeyring } from "@/lib/vault/master-keys";
import { VaultError } from "@/lib/crypto/envelope";

const dir = () => process.env.DATA_DIR!;

describe("vault", () => {
  it("generates the master key in the data folder, mode 0600", () => {
    resetKeyringCache();
    const ring = loadKeyring();
    const stat = fs.statSync(path.join(dir(), "master-key"));
    expect(stat.mode & 0o777).toBe(0o600);
    expect(ring.source).toBe("file");
    expect(loadKeyring().current.id).toBe(ring.current.id);
  });

  it("keeps no secret readable in the database file", async () => {
    const secrets = ["-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0B", "token-secret-" + crypto.randomUUID(), "shared secret ☃ " + crypto.randomUUID()];
    const ids = [];
    for (const s of secrets) ids.push(await storeSecret(db, "test", s));
    const bytes = await databaseBytes();
    for (const s of secrets) {
      expect(bytes.includes(Buffer.from(s))).toBe(false);
      expect(bytes.includes(Buffer.from(s).subarray(10, 30))).toBe(false);
    }
    for (const [i, id] of ids.entries()) expect((await readSecret(db, id)).toString()).toBe(secrets[i]);
  });

  it("refuses a tampered row or a row's ciphertext copied into another", async () => {
    const a = await storeSecret(db, "test", "alpha");
    const b = await storeSecret(db, "test", "bravo");
    // Opened once (and kept with its cached row): a change to the row must not be answered from memory.
    expect((await readSecret(db, b)).toString()).toBe("bravo");
    const rowA = await db.vaultSecret.findUniqueOrThrow({ where: { id: a }, select: { sealed: true } });
    await db.vaultSecret.update({ where: { id: b }, data: { sealed: rowA.sealed } });
    await expect(readSecret(db, b)).rejects.toBeInstanceOf(VaultError);
    const flipped = rowA.sealed.slice(0, -2) + (rowA.sealed.endsWith("AA") ? "BB" : "AA");
    await db.vaultSecret.update({ where: { id: a }, data: { sealed: flipped } });
    await expect(readSecret(db, a)).rejects.toMatchObject({ problem: "tampered" });
  });

  it("rotates the master key: every data key re-wrapped in one go, every secret still readable", async () => {
    await db.vaultSecret.deleteMany();
    const ids = await Promise.all(["one", "two", "three"].map((s) => storeSecret(db, "test", s)));
    const before = loadKeyring().current.id;
    const result = await rotateMasterKey(db);
    expect(result).toMatchObject({ rewrapped: 3, previousKeyId: before });
    expect(result.newKeyId).not.toBe(before);
    expect(new Set((await db.vaultSecret.findMany()).map((r) => r.keyId))).toEqual(new Set([result.newKeyId]));
    expect(fs.existsSync(path.join(dir(), "master-key.next"))).toBe(false);
    expect(loadKeyring().current.id).toBe(result.newKeyId);
    expect(await Promise.all(ids.map(async (id) => (await readSecret(db, id)).toString()))).toEqual(["one", "two", "three"]);
    // A value sealed under the old key (say, restored from a backup) still opens.
    expect(loadKeyring().all.map((k) => k.id)).toContain(before);
  });

  it("with APP_MASTER_KEY, rotation re-wraps under the given key and says what to set", async () => {
    const oldKey = crypto.randomBytes(32).toString("base64");
    const newKey = crypto.randomBytes(32).toString("base64");
    process.env.APP_MASTER_KEY = oldKey;
    try {
      resetKeyringCache();
      await db.vaultSecret.deleteMany();
      const id = await storeSecret(db, "test", "env-held");
      const result = await rotateMasterKey(db, process.env, newKey);
      expect(result.instructions).toContain(`APP_MASTER_KEY=${newKey}`);
      process.env.APP_MASTER_KEY = newKey;
      resetKeyringCache();
      expect((await readSecret(db, id)).toString()).toBe("env-held");
    } finally {
      delete process.env.APP_MASTER_KEY;
      resetKeyringCache();
    }
  });
});
