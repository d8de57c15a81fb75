/**
 * Issue 27, the first part: the vault's master key in an HSM through PKCS#11, with Debian's
 * SoftHSM as the HSM. Secrets seal and open through it; the key it creates is AES, sensitive and
 * not extractable (asked of the token itself, not of our code); a copy of the database and data
 * folder without the HSM opens nothing; a lost HSM keeps cached secrets working and refuses new
 * seals, never falling back to a key in memory; each wrong setting is one line naming it.
 */
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import pkcs11js from "pkcs11js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { checkKeyProvider, keyProvider, moveToProviderKey, readSecret, readyToSeal, resetKeyringCache, sealSecretNow, storeSecret } from "@/lib/vault/vault";
import { keyProviderAvailable } from "@/lib/metrics";
import { GET as healthReady } from "@/app/api/health/ready/route";
import { openKeyProvider } from "@/lib/vault/key-provider";
import { masterKeyFromBase64, open, parseSealed } from "@/lib/crypto/envelope";
import { databaseBytes } from "@/tests/support/database-contents";
import { SOFTHSM_MODULE, startSoftHsm } from "@/tests/support/softhsm";
import { ulong } from "@/lib/vault/pkcs11-provider";
import { EXIT, runAdminCli } from "@/lib/cli/admin-cli";
import { withMigrationLock } from "@/lib/db/migrate-postgresql";
import pg from "pg";

// The tokens exist before the PKCS#11 library is first initialised in this process.
const hsm = startSoftHsm();
const main = hsm.token("applink-main");
const spare = hsm.token("applink-spare", "1234-spare");
const noCreate = hsm.token("applink-no-create", "1234-nocreate");
const startToken = hsm.token("applink-start", "1234-start");
const lockedToken = hsm.token("applink-locked", "1234-locked");
const run = promisify(execFile);

const SETTINGS = ["APP_MASTER_KEY", "APP_KEY_PROVIDER", "PKCS11_MODULE", "PKCS11_TOKEN_LABEL", "PKCS11_PIN", "PKCS11_KEY_LABEL", "PKCS11_PREVIOUS_KEY_LABELS", "PKCS11_CREATE_KEY", "VAULT_DATA_KEY_USES", "VAULT_DATA_KEY_MINUTES", "VAULT_DATA_KEY_CACHE_MINUTES"];
function configure(settings: Record<string, string>) {
  for (const name of SETTINGS) delete process.env[name];
  Object.assign(process.env, settings);
  resetKeyringCache();
}
afterEach(() => configure({}));
afterAll(() => configure({}));

/** The token's own view of the key: asked through the library, as an HSM administrator's tool would. */
function keyAttributes(token: { PKCS11_TOKEN_LABEL: string; PKCS11_PIN: string }, label: string) {
  const lib = new pkcs11js.PKCS11();
  lib.load(SOFTHSM_MODULE);
  try {
    lib.C_Initialize();
  } catch {
    // The provider initialised the library in this process already.
  }
  const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === token.PKCS11_TOKEN_LABEL)!;
  const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
  // Private objects are seen only logged in (this process may be already, through the provider).
  try {
    lib.C_Login(session, pkcs11js.CKU_USER, token.PKCS11_PIN);
  } catch {
    // CKR_USER_ALREADY_LOGGED_IN
  }
  lib.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: label }]);
  const keys = lib.C_FindObjects(session, 10);
  lib.C_FindObjectsFinal(session);
  const flags = keys.map((key) => {
    const [extractable, sensitive, type] = lib.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_EXTRACTABLE }, { type: pkcs11js.CKA_SENSITIVE }, { type: pkcs11js.CKA_KEY_TYPE }]);
    let value: string;
    try {
      lib.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_VALUE }]);
      value = "given";
    } catch (error) {
      value = /CKR_[A-Z_]+/.exec((error as Error).message)?.[0] ?? "refused";
    }
    return { extractable: (extractable!.value as Buffer)[0], sensitive: (sensitive!.value as Buffer)[0], aes: ulong(type!.value as Buffer) === pkcs11js.CKK_AES, value };
  });
  lib.C_CloseSession(session);
  return flags;
}

describe("the PKCS#11 key provider (SoftHSM)", () => {
  beforeAll(async () => {
    await db.vaultSecret.deleteMany({});
  });

  it("seals and opens every secret through the HSM's key, which it creates once: AES-256, sensitive, never extractable", async () => {
    configure(main);
    const secrets = ["-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkq", `token-${Date.now()}`, "shared secret ☃"];
    const ids = [];
    for (const secret of secrets) ids.push(await storeSecret(db, "test", secret));
    const keys = await keyProvider();
    expect(keys.kind).toBe("pkcs11");
    expect(keys.current.id).toMatch(/^hsm-[0-9a-f]{16}$/);
    const rows = await db.vaultSecret.findMany({ where: { id: { in: ids } }, select: { keyId: true, sealed: true } });
    expect(rows.every((r) => r.keyId === keys.current.id && parseSealed(r.sealed).keyId === keys.current.id)).toBe(true);
    const bytes = await databaseBytes();
    for (const secret of secrets) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    // Opened again from scratch (no data key in memory): the HSM unwraps.
    configure(main);
    for (const [i, id] of ids.entries()) expect((await readSecret(db, id)).toString()).toBe(secrets[i]);
    // One key in the token, as the token describes it.
    expect(keyAttributes(main, "applink-admin-master-key")).toEqual([{ extractable: 0, sensitive: 1, aes: true, value: "CKR_ATTRIBUTE_SENSITIVE" }]);
    // Opened again, the provider finds that key (the same id), and creates no second one.
    const again = await openKeyProvider(main);
    expect(again.current.id).toBe(keys.current.id);
    expect(keyAttributes(main, "applink-admin-master-key")).toHaveLength(1);
  });

  it("a copy of the database and the data folder, without the HSM, opens nothing", async () => {
    configure(main);
    const id = await storeSecret(db, "test", "only through the HSM");
    // The same database and data folder, started with the file key (no HSM settings): it has the folder's key, not the HSM's.
    configure({});
    await expect(readSecret(db, id)).rejects.toMatchObject({ name: "VaultError", problem: "unknown_key", message: expect.stringMatching(/hsm-[0-9a-f]{16}/) });
  });

  it("reuses a data key for VAULT_DATA_KEY_USES values, so sealing rarely calls the HSM", async () => {
    configure({ ...main, VAULT_DATA_KEY_USES: "3" });
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push(await storeSecret(db, "test", `value ${i}`));
    const rows = await db.vaultSecret.findMany({ where: { id: { in: ids } }, select: { sealed: true } });
    // 7 values, 3 to a data key: three wrapped keys, so three calls to the HSM.
    expect(new Set(rows.map((r) => parseSealed(r.sealed).wrappedText)).size).toBe(3);
  });

  it("many unwraps at once, on libuv's threads (a cold start's burst): each opens its own value", async () => {
    configure({ ...main, VAULT_DATA_KEY_USES: "1" });
    const values = Array.from({ length: 60 }, (_, i) => `burst ${i} ${crypto.randomUUID()}`);
    const ids = [];
    for (const value of values) ids.push(await storeSecret(db, "test", value));
    // Nothing in memory: sixty data keys, each unwrapped by the HSM, all at once.
    configure({ ...main, VAULT_DATA_KEY_CACHE_MINUTES: "0" });
    const opened = await Promise.all(ids.map((id) => readSecret(db, id).then((b) => b.toString())));
    expect(opened).toEqual(values);
  });

  it("each wrong setting stops the start with one line naming it", async () => {
    const refusal = async (settings: Record<string, string>) => {
      configure(settings);
      const error = (await keyProvider().then(
        () => null,
        (e: Error) => e,
      ))!;
      expect(error, JSON.stringify(settings)).not.toBeNull();
      expect(error.message).not.toContain("\n");
      return error.message;
    };
    // The spare token's PIN is tried wrong before it is ever logged in to.
    expect(await refusal({ ...spare, PKCS11_PIN: "wrong" })).toBe('PKCS11_PIN: the token "applink-spare" refused the PIN (CKR_PIN_INCORRECT).');
    expect(await refusal({ ...main, PKCS11_MODULE: "/usr/lib/no-such-pkcs11.so" })).toMatch(/^PKCS11_MODULE: cannot load \/usr\/lib\/no-such-pkcs11\.so/);
    expect(await refusal({ ...main, PKCS11_TOKEN_LABEL: "nobody" })).toMatch(/^PKCS11_TOKEN_LABEL: no token labelled "nobody" .*"applink-main"/);
    expect(await refusal({ APP_KEY_PROVIDER: "pkcs11" })).toMatch(/^APP_KEY_PROVIDER=pkcs11 needs PKCS11_MODULE/);
    expect(await refusal({ APP_KEY_PROVIDER: "hsm" })).toBe('APP_KEY_PROVIDER is "hsm": use "file" (the default) or "pkcs11".');
    expect(await refusal({ ...noCreate, PKCS11_CREATE_KEY: "false" })).toMatch(/^PKCS11_KEY_LABEL: no key labelled "applink-admin-master-key" in token "applink-no-create", and PKCS11_CREATE_KEY=false/);
    // Two keys under one label: neither is guessed.
    configure({ ...spare, PKCS11_KEY_LABEL: "twice" });
    await keyProvider();
    await openKeyProvider({ ...spare, PKCS11_KEY_LABEL: "twice-b" });
    // A second key labelled "twice", made as an HSM tool would.
    const lib = new pkcs11js.PKCS11();
    lib.load(SOFTHSM_MODULE);
    try {
      lib.C_Initialize();
    } catch {
      // initialised already
    }
    const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === "applink-spare")!;
    const session = lib.C_OpenSession(slot, pkcs11js.CKF_RW_SESSION | pkcs11js.CKF_SERIAL_SESSION);
    lib.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_LABEL, value: "twice" },
    ]);
    lib.C_CloseSession(session);
    expect(await refusal({ ...spare, PKCS11_KEY_LABEL: "twice" })).toMatch(/^PKCS11_KEY_LABEL: two keys are labelled "twice" in token "applink-spare"/);
  });
  it("the real first start: with the HSM, no master key is written to the data folder; with a wrong PIN, one line and exit 1", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "applink-hsm-start-"));
    const env = (settings: Record<string, string>): NodeJS.ProcessEnv => ({ ...process.env, DATA_DIR: dir, DATABASE_URL: "", NEXTAUTH_SECRET: "", APP_MASTER_KEY: "", ADMIN_PASSWORD: "a long enough password", ...settings });
    try {
      await run(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], { env: env({}) });
      const refused = await run(path.resolve("node_modules/.bin/tsx"), ["scripts/bootstrap.ts"], { env: env({ ...startToken, PKCS11_PIN: "not the pin" }) }).then(
        () => null,
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused?.code).toBe(1);
      expect(refused?.stderr.trim()).toBe('Refusing to start: PKCS11_PIN: the token "applink-start" refused the PIN (CKR_PIN_INCORRECT).');
      const started = await run(path.resolve("node_modules/.bin/tsx"), ["scripts/bootstrap.ts"], { env: env(startToken) });
      expect(started.stdout).toContain("Created the first administrator");
      expect(fs.readdirSync(dir)).not.toContain("master-key");
      // The app's own private key was sealed at that start, under the HSM's key.
      const file = new Database(path.join(dir, "applink.db"), { readonly: true });
      const sealedWith = file.prepare("SELECT DISTINCT keyId FROM VaultSecret").all() as { keyId: string }[];
      file.close();
      expect(sealedWith).toEqual([{ keyId: expect.stringMatching(/^hsm-[0-9a-f]{16}$/) }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("moves an installation from the file key to the HSM's under traffic, resumable, losing nothing, and removes the file key", async () => {
    await db.vaultSecret.deleteMany({});
    configure({});
    const values = new Map<string, string>();
    for (let i = 0; i < 300; i++) {
      const value = `secret ${i} ${crypto.randomUUID()}`;
      values.set(await storeSecret(db, "test", value), value);
    }
    const masterKeyFile = path.join(process.env.DATA_DIR!, "master-key");
    const fileKey = fs.readFileSync(masterKeyFile, "utf8").trim();
    configure(main);
    const hsmKey = (await keyProvider()).current.id;
    // Interrupted after two batches: a hundred moved, the file key still there (the rest need it).
    const first = await moveToProviderKey(db, process.env, { batch: 50, maxBatches: 2 });
    expect({ rewrapped: first.rewrapped, remaining: first.remaining, removed: first.removedFiles }).toEqual({ rewrapped: 100, remaining: 200, removed: [] });
    expect(fs.existsSync(masterKeyFile)).toBe(true);
    // Run again, while requests read secrets (moved or not) and seal new ones.
    const entries = [...values.entries()];
    const traffic = (async () => {
      for (let i = 0; i < 120; i++) {
        const [id, value] = entries[(i * 7) % entries.length]!;
        expect((await readSecret(db, id)).toString()).toBe(value);
        values.set(await storeSecret(db, "test", `new ${i}`), `new ${i}`);
      }
    })();
    // The rest through the command an operator runs (npm run admin -- rotate-master-key), audited.
    const said: string[] = [];
    const [code] = await Promise.all([runAdminCli(db, ["rotate-master-key"], { out: (line) => said.push(line), err: (line) => said.push(line) }), traffic]);
    expect(code, said.join("\n")).toBe(EXIT.ok);
    expect(said.join("\n")).toMatch(/^Re-wrapped \d+ secrets under the HSM's key hsm-[0-9a-f]{16} \(from [0-9a-f]{16}\)\.\nRemoved master-key from the data folder: the master key is only in the HSM now\.$/);
    expect(await db.auditEvent.count({ where: { action: "vault.rotate-master-key", targetLabel: hsmKey } })).toBe(1);
    const second = await moveToProviderKey(db, process.env, { batch: 50 });
    // Run once more: nothing left to move.
    expect({ rewrapped: second.rewrapped, remaining: second.remaining, from: second.from, to: second.to }).toEqual({ rewrapped: 0, remaining: 0, from: [], to: hsmKey });
    expect(fs.existsSync(masterKeyFile)).toBe(false);
    expect(await db.vaultSecret.count({ where: { keyId: { not: hsmKey } } })).toBe(0);
    // Everything opens with the HSM alone (nothing in memory: a fresh provider and no data key kept).
    configure(main);
    for (const [id, value] of values) expect((await readSecret(db, id)).toString()).toBe(value);
    // The file key, kept by whoever copied the data folder before the move, opens nothing any more
    // (tried on every row, as another process holding only that key would).
    const rows = await db.vaultSecret.findMany({ select: { id: true, purpose: true, sealed: true } });
    const stolen = masterKeyFromBase64(fileKey);
    const opened = rows.filter((row) => {
      try {
        open(row.sealed, [stolen], `vault:${row.purpose}:${row.id}`);
        return true;
      } catch (error) {
        expect(error).toMatchObject({ name: "VaultError", problem: "unknown_key" });
        return false;
      }
    });
    expect({ rows: rows.length, opened: opened.length }).toEqual({ rows: values.size, opened: 0 });
  }, 60_000);

  it("rotates from one HSM key to a newer one: the older still reads (PKCS11_PREVIOUS_KEY_LABELS) until every secret moved", async () => {
    configure(main);
    const values = new Map<string, string>();
    for (let i = 0; i < 20; i++) values.set(await storeSecret(db, "test", `before ${i}`), `before ${i}`);
    const older = (await keyProvider()).current.id;
    configure({ ...main, PKCS11_KEY_LABEL: "applink-key-2027", PKCS11_PREVIOUS_KEY_LABELS: "applink-admin-master-key" });
    const newer = (await keyProvider()).current.id;
    expect(newer).not.toBe(older);
    // Both read; new secrets go under the newer key.
    values.set(await storeSecret(db, "test", "after"), "after");
    for (const [id, value] of values) expect((await readSecret(db, id)).toString()).toBe(value);
    const moved = await moveToProviderKey(db, process.env, { batch: 7 });
    expect({ remaining: moved.remaining, to: moved.to, from: moved.from }).toEqual({ remaining: 0, to: newer, from: [older] });
    expect(await db.vaultSecret.count({ where: { keyId: { not: newer } } })).toBe(0);
    // The newer key alone opens everything (nothing in memory).
    configure({ ...main, PKCS11_KEY_LABEL: "applink-key-2027" });
    for (const [id, value] of values) expect((await readSecret(db, id)).toString()).toBe(value);
    // An older label that is not in the token is refused by name, never created.
    configure({ ...main, PKCS11_KEY_LABEL: "applink-key-2027", PKCS11_PREVIOUS_KEY_LABELS: "no-such-key" });
    await expect(keyProvider()).rejects.toThrow(/^PKCS11_KEY_LABEL: no key labelled "no-such-key"/);
  });

  // Last: SoftHSM does not take a token folder back well once it was gone.
  // Instances starting at once on one PostgreSQL database take turns to find or create the HSM key:
  // with the migration lock held elsewhere, a first start waits for it before touching the token.
  it.skipIf(!/^postgres/.test(process.env.DATABASE_URL ?? ""))("the first start creates the HSM key under the migration lock (PostgreSQL): it waits for the lock, then creates one key", async () => {
    const url = process.env.DATABASE_URL!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "applink-hsm-lock-"));
    const env = { ...process.env, DATA_DIR: dir, NEXTAUTH_SECRET: "", APP_MASTER_KEY: "", ADMIN_PASSWORD: "a long enough password", ...lockedToken };
    const label = "applink-admin-master-key";
    const watcher = new pg.Client({ connectionString: url });
    await watcher.connect();
    try {
      let start: Promise<unknown> | null = null;
      await withMigrationLock(url, async () => {
        start = run(path.resolve("node_modules/.bin/tsx"), ["scripts/bootstrap.ts"], { env }).catch((error: unknown) => error);
        // The start is waiting for the lock (PostgreSQL says so), and has created nothing in the token.
        let waiting = 0;
        for (let i = 0; i < 300 && !waiting; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          waiting = Number((await watcher.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).rows[0].n);
        }
        expect(waiting).toBe(1);
        expect(keyAttributes(lockedToken, label)).toEqual([]);
      });
      // The lock released, the start creates the key: one.
      await start;
      expect(keyAttributes(lockedToken, label)).toHaveLength(1);
    } finally {
      await watcher.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a data key is always in hand for a seal that cannot wait (inside a transaction): renewed at four fifths of its time, traffic or not", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      configure({ ...main, VAULT_DATA_KEY_MINUTES: "1" });
      await readyToSeal();
      const first = parseSealed(sealSecretNow("test", "at once").sealed).wrappedText;
      // No seal for 49 s: the timer minted the next key at 48 s (through the HSM, on libuv's threads).
      vi.advanceTimersByTime(49_000);
      let second = first;
      for (let i = 0; i < 500 && second === first; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        second = parseSealed(sealSecretNow("test", "still at once").sealed).wrappedText;
      }
      expect(second).not.toBe(first);
      // Past the first key's minute, a seal that cannot wait still has one in hand.
      vi.advanceTimersByTime(20_000);
      expect(parseSealed(sealSecretNow("test", "a minute later").sealed).wrappedText).toBe(second);
    } finally {
      vi.useRealTimers();
    }
  });

  it("an HSM lost while running: what was opened keeps working, a new seal is refused with a clear error, never sealed another way", async () => {
    configure({ ...main, VAULT_DATA_KEY_USES: "1" });
    const id = await storeSecret(db, "test", "opened before the loss");
    expect((await readSecret(db, id)).toString()).toBe("opened before the loss");
    const ready = async () => {
      const response = await healthReady();
      return { status: response.status, body: (await response.json()) as { status: string; keys: { provider: string; status: string } } };
    };
    expect(await ready()).toEqual({ status: 200, body: { status: "ok", db: "ok", keys: { provider: "pkcs11", status: "ok" } } });
    hsm.lose();
    try {
      // Each instance asks its HSM once a minute: the loss is noticed, said by the health answer (still 200:
      // a 503 would take every instance out of the load balancer at once) and by the metric.
      await checkKeyProvider();
      expect(await ready()).toEqual({ status: 200, body: { status: "degraded", db: "ok", keys: { provider: "pkcs11", status: "unavailable" } } });
      expect((await keyProviderAvailable.get()).values.find((v) => v.labels.provider === "pkcs11")?.value).toBe(0);
      expect((await readSecret(db, id)).toString()).toBe("opened before the loss");
      // The data key minted ahead (before the loss) seals one more value; the next seal needs the HSM, and is refused.
      const before = await db.vaultSecret.count();
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) outcomes.push(await storeSecret(db, "test", `after the loss ${i}`).then(() => "sealed", (error: Error & { problem?: string }) => `${error.name} ${error.problem}: ${error.message}`));
      expect(outcomes.filter((o) => o === "sealed").length).toBeLessThanOrEqual(1);
      expect(outcomes.at(-1)).toMatch(/^VaultError key_provider: The HSM \(token "applink-main"\) could not wrap a data key/);
      expect(await db.vaultSecret.count()).toBe(before + outcomes.filter((o) => o === "sealed").length);
      // Inside a transaction a seal never waits for the HSM: it refuses at once, saying why.
      expect(() => sealSecretNow("test", "inside a transaction")).toThrow(/^No data key in hand to seal with, and the key provider does not answer: The HSM \(token "applink-main"\)/);
      await expect(readyToSeal()).rejects.toMatchObject({ name: "VaultError", problem: "key_provider" });
    } finally {
      hsm.restore();
    }
    // Back: the key's handle did not survive the loss (CKR_OBJECT_HANDLE_INVALID); the provider logs in and
    // finds the same key again (every 5 s at most; the library initialised again, SoftHSM needs it, every 30 s at most),
    // and all is well without a restart.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 31_000);
      await checkKeyProvider();
      expect(await ready()).toEqual({ status: 200, body: { status: "ok", db: "ok", keys: { provider: "pkcs11", status: "ok" } } });
      const back = await storeSecret(db, "test", "sealed after the HSM came back");
      configure({ ...main, VAULT_DATA_KEY_CACHE_MINUTES: "0" });
      expect((await readSecret(db, back)).toString()).toBe("sealed after the HSM came back");
      expect((await readSecret(db, id)).toString()).toBe("opened before the loss");
    } finally {
      vi.useRealTimers();
    }
  });
});
