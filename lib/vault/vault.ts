import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Db, Tx } from "@/lib/db";
import { masterKeyFromBase64, openWithDataKey, parseSealed, rewrap, sealWithDataKey, VaultError } from "@/lib/crypto/envelope";
import { dataDir, type Env } from "@/lib/env/paths";
import { integerSetting } from "@/lib/env/integer-setting";
import { cachedReads } from "@/lib/db/cached-reads";
import { keyProviderKind, openKeyProvider, type KeyProvider } from "@/lib/vault/key-provider";
import { loadKeyring, MASTER_KEY_FILE, newMasterKeyBase64, NEXT_KEY_FILE, PREVIOUS_KEYS_FILE } from "@/lib/vault/master-keys";

/**
 * The installation's key provider (lib/vault/key-provider.ts), opened once. Data keys: one is
 * sealed with for at most VAULT_DATA_KEY_USES values (default 1000) or VAULT_DATA_KEY_MINUTES
 * (default 10), so minting a token does not call the provider (AES-GCM with random 96-bit IVs
 * stays far inside its limits at that count); unwrapped ones are kept in memory for
 * VAULT_DATA_KEY_CACHE_MINUTES (default 60), keyed by the wrapped key, so a read does not wait for
 * the provider either.
 */
let provider: Promise<KeyProvider> | null = null;
export function keyProvider(): Promise<KeyProvider> {
  provider ??= openKeyProvider().catch((error: unknown) => {
    provider = null;
    throw error;
  });
  return provider;
}

interface SealingKey {
  key: Buffer;
  wrapped: Buffer;
  keyId: string;
  uses: number;
  until: number;
}
let sealing: SealingKey | null = null;
let minting: Promise<SealingKey> | null = null;
const unwrapped = new Map<string, { key: Buffer; until: number }>();
const MAX_CACHED_KEYS = 10_000;

const dataKeyUses = () => integerSetting(process.env.VAULT_DATA_KEY_USES, 1000, { min: 1, max: 1_000_000 });
const dataKeyMinutes = () => integerSetting(process.env.VAULT_DATA_KEY_MINUTES, 10, { min: 1, max: 1440 });
const cacheMinutes = () => integerSetting(process.env.VAULT_DATA_KEY_CACHE_MINUTES, 60, { min: 0, max: 1440 });

function remember(keyId: string, wrappedText: string, key: Buffer): void {
  if (unwrapped.size >= MAX_CACHED_KEYS) unwrapped.delete(unwrapped.keys().next().value!);
  unwrapped.set(`${keyId}.${wrappedText}`, { key, until: Date.now() + cacheMinutes() * 60_000 });
}

/** The data key new values are sealed with: the current one while it may be used, else a new one wrapped by the provider (one at a time). */
async function sealingKey(): Promise<SealingKey> {
  const keys = await keyProvider();
  const current = sealing;
  if (current && current.keyId === keys.current.id && current.uses < dataKeyUses() && Date.now() < current.until) {
    current.uses++;
    return current;
  }
  minting ??= (async () => {
    const key = crypto.randomBytes(32);
    const wrapped = await keys.wrap(key);
    remember(keys.current.id, wrapped.toString("base64url"), key);
    sealing = { key, wrapped, keyId: keys.current.id, uses: 0, until: Date.now() + dataKeyMinutes() * 60_000 };
    return sealing;
  })().finally(() => {
    minting = null;
  });
  const minted = await minting;
  minted.uses++;
  return minted;
}

/** A sealed value's data key: from memory, else unwrapped by the provider. */
async function dataKeyOf(keyId: string, wrappedText: string, wrapped: Buffer): Promise<Buffer> {
  const known = unwrapped.get(`${keyId}.${wrappedText}`);
  if (known && known.until > Date.now()) return known.key;
  const key = await (await keyProvider()).unwrap(keyId, wrapped);
  remember(keyId, wrappedText, key);
  return key;
}

/** Closes the provider (an HSM session logs out) and forgets the data keys; the next use opens it again. Never opens one to close it. */
export async function closeKeyProvider(): Promise<void> {
  const open = provider;
  provider = null;
  sealing = null;
  unwrapped.clear();
  await open?.then((keys) => keys.close()).catch(() => undefined);
}

/** Forget the provider and the data keys (after a rotation, or in tests that change the environment). */
export function resetKeyringCache(): void {
  void closeKeyProvider();
}

const context = (id: string, purpose: string) => `vault:${purpose}:${id}`;

/** Seals a value for the secret `id` of `purpose`. */
async function sealFor(id: string, purpose: string, plaintext: string | Buffer): Promise<{ keyId: string; sealed: string }> {
  const key = await sealingKey();
  return { keyId: key.keyId, sealed: sealWithDataKey(plaintext, key.key, key.keyId, key.wrapped, context(id, purpose)) };
}

/** Seals a secret and stores it; returns its id, which other records keep instead of the secret. */
export async function storeSecret(client: Db | Tx, purpose: string, plaintext: string | Buffer): Promise<string> {
  const id = `sec_${crypto.randomUUID()}`;
  await client.vaultSecret.create({ data: { id, purpose, ...(await sealFor(id, purpose, plaintext)) } });
  return id;
}

/**
 * What a cached row opened to (about 90 µs an open here, paid by every 3LO request otherwise): kept
 * for exactly as long as the cached row object itself, which the hot-read cache replaces on any
 * change to the vault table, so a rotated or replaced secret is never served stale.
 */
const opened = new WeakMap<object, Buffer>();

/** Opens a stored secret. A tampered or swapped ciphertext throws a VaultError, never garbage. */
export async function readSecret(client: Db | Tx, id: string): Promise<Buffer> {
  const row = await cachedReads(client).vaultSecret(id);
  if (!row) throw new Error(`No secret ${id}.`);
  let plaintext = opened.get(row);
  if (!plaintext) {
    const { keyId, wrappedText, wrapped, payload } = parseSealed(row.sealed);
    plaintext = openWithDataKey(payload, await dataKeyOf(keyId, wrappedText, wrapped), context(row.id, row.purpose));
    opened.set(row, plaintext);
  }
  // A copy: no caller can change what the next one reads.
  return Buffer.from(plaintext);
}

export async function deleteSecret(client: Db | Tx, id: string): Promise<void> {
  await client.vaultSecret.deleteMany({ where: { id } });
}

export interface RotationResult {
  rewrapped: number;
  previousKeyId: string;
  newKeyId: string;
  /** For an APP_MASTER_KEY installation: what the operator must set before restarting. */
  instructions?: string;
}

/**
 * Re-wraps every data key under a new master key, in one transaction. With a file-held key the new
 * key is written first as `master-key.next`, then the rows are re-wrapped, then it replaces
 * `master-key` and the old key is kept in `master-key.previous`: a crash at any point leaves every
 * secret readable. With APP_MASTER_KEY the new key is given (or generated) and the operator sets it.
 */
export async function rotateMasterKey(db: Db, env: Env = process.env, newKeyBase64?: string): Promise<RotationResult> {
  if (keyProviderKind(env) !== "file") throw new VaultError("key_provider", "rotate-master-key moves between file or environment keys only so far; an HSM installation keeps its key in the HSM.");
  resetKeyringCache();
  const ring = loadKeyring(env);
  const nextB64 = newKeyBase64 ?? newMasterKeyBase64();
  const next = masterKeyFromBase64(nextB64);
  const dir = dataDir(env);
  if (ring.source === "file") {
    fs.writeFileSync(path.join(dir, NEXT_KEY_FILE), nextB64 + "\n", { mode: 0o600 });
  }
  const rewrapped = await db.$transaction(async (tx) => {
    const rows = await tx.vaultSecret.findMany({ select: { id: true, sealed: true } });
    for (const row of rows) {
      const sealed = rewrap(row.sealed, [...ring.all, next], next);
      await tx.vaultSecret.update({ where: { id: row.id }, data: { sealed, keyId: next.id } });
    }
    return rows.length;
  });
  let instructions: string | undefined;
  if (ring.source === "file") {
    const currentB64 = fs.readFileSync(path.join(dir, MASTER_KEY_FILE), "utf8").trim();
    fs.appendFileSync(path.join(dir, PREVIOUS_KEYS_FILE), currentB64 + "\n", { mode: 0o600 });
    fs.renameSync(path.join(dir, NEXT_KEY_FILE), path.join(dir, MASTER_KEY_FILE));
  } else {
    instructions = `Set APP_MASTER_KEY=${nextB64} and add the old key to APP_MASTER_KEYS_PREVIOUS, then restart.`;
  }
  resetKeyringCache();
  return { rewrapped, previousKeyId: ring.current.id, newKeyId: next.id, instructions };
}
