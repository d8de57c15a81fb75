import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Db, Tx } from "@/lib/db";
import { masterKeyFromBase64, openWithDataKey, parseSealed, rewrap, sealWithDataKey, VaultError, withRewrappedKey } from "@/lib/crypto/envelope";
import { dataDir, type Env } from "@/lib/env/paths";
import { integerSetting } from "@/lib/env/integer-setting";
import { cachedReads } from "@/lib/db/cached-reads";
import { keyProviderKind, openKeyProvider, type KeyProvider } from "@/lib/vault/key-provider";
import { loadKeyring, MASTER_KEY_FILE, newMasterKeyBase64, NEXT_KEY_FILE, PREVIOUS_KEYS_FILE, removeKeyFiles } from "@/lib/vault/master-keys";

/**
 * The installation's key provider (lib/vault/key-provider.ts), opened once. Data keys: one is
 * sealed with for VAULT_DATA_KEY_USES values (default 1000) or VAULT_DATA_KEY_MINUTES (default 10),
 * so minting a token does not call the provider (AES-GCM with random 96-bit IVs stays far inside
 * its limits at that count); unwrapped ones are kept in memory for VAULT_DATA_KEY_CACHE_MINUTES
 * (default 60), keyed by the wrapped key, so a read does not wait for the provider either.
 *
 * No provider call inside a database transaction, by construction: a secret is sealed first
 * (`sealSecret`, which may wait for the provider) and written after (`putSecret`, in the caller's
 * transaction); `storeSecret`, which does both, takes no transaction (its type refuses one). The
 * one value known only inside a transaction (an OAuth 2.0 refresh, under its row lock) is sealed by
 * `sealSecretNow`, synchronously, with the data key in hand or not at all. To keep one in hand, the
 * first data key is minted when the provider opens and the next one in the background once the
 * current has used four fifths of its values (at the seal that crosses it) or of its time (by a
 * timer, traffic or not). A provider that failed to give the next key makes a seal wait for it and
 * then fail with the provider's error: never a seal under anything but a key the provider wrapped.
 */
interface VaultState {
  provider: Promise<KeyProvider> | null;
  /** the provider once open (for what must not wait for it) */
  settled: KeyProvider | null;
  /** the data key values are sealed with now */
  sealing: SealingKey | null;
  /** the next data key, while the provider wraps it */
  next: Promise<SealingKey> | null;
  /** the timer that mints the next data key when the current one has used four fifths of its time */
  renewal: NodeJS.Timeout | null;
  /** the provider's last failure to answer (an HSM gone), cleared by its next answer */
  trouble: { at: Date; message: string } | null;
  /** unwrapped data keys, by key id and wrapped key */
  unwrapped: Map<string, { key: Buffer; until: number }>;
  /** unwraps on their way, by wrapped key: a burst of requests for one secret (a cold start) asks the provider once */
  unwrapping: Map<string, Promise<Buffer>>;
}
/**
 * One per process, on globalThis: Next.js bundles this module more than once (the instrumentation
 * hook, route handlers, pages), and every copy must share one provider, one set of data keys and
 * one view of the provider's health (else the health answer would not see what the background
 * check saw).
 */
const state = ((globalThis as { applinkVault?: VaultState }).applinkVault ??= { provider: null, settled: null, sealing: null, next: null, renewal: null, trouble: null, unwrapped: new Map(), unwrapping: new Map() });

export function keyProvider(): Promise<KeyProvider> {
  state.provider ??= openKeyProvider()
    .then(async (keys) => {
      state.sealing = await mintSealingKey(keys);
      state.settled = keys;
      return keys;
    })
    .catch((error: unknown) => {
      state.provider = null;
      throw error;
    });
  return state.provider;
}

interface SealingKey {
  key: Buffer;
  wrapped: Buffer;
  keyId: string;
  uses: number;
  mintedAt: number;
}
const MAX_CACHED_KEYS = 10_000;

const dataKeyUses = () => integerSetting(process.env.VAULT_DATA_KEY_USES, 1000, { min: 1, max: 1_000_000 });
const dataKeyMs = () => integerSetting(process.env.VAULT_DATA_KEY_MINUTES, 10, { min: 1, max: 1440 }) * 60_000;
const cacheMinutes = () => integerSetting(process.env.VAULT_DATA_KEY_CACHE_MINUTES, 60, { min: 0, max: 1440 });

function remember(keyId: string, wrappedText: string, key: Buffer): void {
  if (state.unwrapped.size >= MAX_CACHED_KEYS) state.unwrapped.delete(state.unwrapped.keys().next().value!);
  state.unwrapped.set(`${keyId}.${wrappedText}`, { key, until: Date.now() + cacheMinutes() * 60_000 });
}


async function mintSealingKey(keys: KeyProvider): Promise<SealingKey> {
  const key = crypto.randomBytes(32);
  const wrapped = await watched(keys.wrap(key));
  remember(keys.current.id, wrapped.toString("base64url"), key);
  if (state.renewal) clearTimeout(state.renewal);
  // Unref'd: a CLI run or a test ends when its work does; a failure here is met by the seal that needs the key.
  state.renewal = setTimeout(() => void (state.provider && mintNext(keys).catch(() => undefined)), dataKeyMs() * 0.8).unref();
  return { key, wrapped, keyId: keys.current.id, uses: 0, mintedAt: Date.now() };
}

/** The next data key, minted once however many ask; it replaces the current one when it arrives. */
function mintNext(keys: KeyProvider): Promise<SealingKey> {
  state.next ??= mintSealingKey(keys)
    .then((minted) => {
      if (state.provider) state.sealing = minted;
      return minted;
    })
    .finally(() => {
      state.next = null;
    });
  return state.next;
}

const spent = (key: SealingKey, keys: KeyProvider) => key.keyId !== keys.current.id || key.uses >= dataKeyUses() || Date.now() - key.mintedAt >= dataKeyMs();

/** Counts a use of the data key in hand; at four fifths of its values the next one is minted in the background. */
function counted(current: SealingKey, keys: KeyProvider): SealingKey {
  if (!state.next && current.uses >= dataKeyUses() * 0.8) mintNext(keys).catch(() => undefined);
  current.uses++;
  return current;
}

/** The data key a value is sealed with now, waiting for the provider when none is in hand (see keyProvider's comment). */
async function sealingKey(): Promise<SealingKey> {
  const keys = await keyProvider();
  const current = state.sealing && !spent(state.sealing, keys) ? state.sealing : await mintNext(keys);
  return counted(current, keys);
}

/** Waits, outside any transaction, until a data key is in hand: a `sealSecretNow` soon after (inside one) then has it. */
export async function readyToSeal(): Promise<void> {
  const keys = await keyProvider();
  if (!state.sealing || spent(state.sealing, keys)) await mintNext(keys);
}

/** The data key in hand, without asking the provider: none (the provider not open, or its next key not given) refuses. */
function sealingKeyNow(): SealingKey {
  const keys = state.settled;
  if (!keys || !state.sealing || spent(state.sealing, keys)) {
    if (keys) mintNext(keys).catch(() => undefined);
    throw new VaultError("key_provider", state.trouble ? `No data key in hand to seal with, and the key provider does not answer: ${state.trouble.message}` : "No data key in hand to seal with: the key provider has not given one yet. Try again in a moment.");
  }
  return counted(state.sealing, keys);
}


/** A sealed value's data key: from memory, else unwrapped by the provider. */
async function dataKeyOf(keyId: string, wrappedText: string, wrapped: Buffer): Promise<Buffer> {
  const name = `${keyId}.${wrappedText}`;
  const known = state.unwrapped.get(name);
  if (known && known.until > Date.now()) return known.key;
  let pending = state.unwrapping.get(name);
  if (!pending) {
    pending = (async () => {
      const key = await watched((await keyProvider()).unwrap(keyId, wrapped));
      remember(keyId, wrappedText, key);
      return key;
    })().finally(() => state.unwrapping.delete(name));
    state.unwrapping.set(name, pending);
  }
  return pending;
}

async function watched<T>(call: Promise<T>): Promise<T> {
  try {
    const answer = await call;
    state.trouble = null;
    return answer;
  } catch (error) {
    if (error instanceof VaultError && error.problem === "key_provider") state.trouble = { at: new Date(), message: error.message };
    throw error;
  }
}

/** APP_KEY_PROVIDER as configured, even when it is not a provider this app knows (then as written). */
function configuredKind(): string {
  try {
    return keyProviderKind();
  } catch {
    return process.env.APP_KEY_PROVIDER ?? "file";
  }
}

export interface KeyProviderStatus {
  /** where the master key lives: "file", "env" or "pkcs11" */
  provider: string;
  keyId: string | null;
  /** "unavailable": the provider's last call failed: what was opened keeps working, new seals are refused */
  status: "ok" | "unavailable";
  problem?: string;
  since?: Date;
}

/** What the health answer, the settings page and the metric say of the master key (opening the provider if it is not yet). */
export async function keyProviderStatus(): Promise<KeyProviderStatus> {
  let failure: string | null = null;
  const keys = await keyProvider().catch((error: unknown) => ((failure = error instanceof Error ? error.message : String(error)), null));
  if (!keys) return { provider: configuredKind(), keyId: null, status: "unavailable", problem: failure ?? undefined };
  return { provider: keys.kind, keyId: keys.current.id, status: state.trouble ? "unavailable" : "ok", ...(state.trouble ? { problem: state.trouble.message, since: state.trouble.at } : {}) };
}

/** Asks the provider something (unwraps the current data key): each instance once a minute, so a lost HSM is noticed before a seal needs it. */
export async function checkKeyProvider(): Promise<void> {
  const keys = state.provider ? await state.provider.catch(() => null) : null;
  const current = state.sealing;
  if (!keys || !current || keys.kind !== "pkcs11") return;
  await watched(keys.unwrap(current.keyId, current.wrapped)).catch(() => undefined);
}

/** The status after asking the provider now, waiting `ms` at most: what Settings shows, so it is never a minute behind. */
export async function keyProviderStatusNow(ms = 2000): Promise<KeyProviderStatus> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([checkKeyProvider(), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
  return keyProviderStatus();
}

/** Closes the provider (an HSM session logs out) and forgets the data keys; the next use opens it again. Never opens one to close it. */
export async function closeKeyProvider(): Promise<void> {
  const open = state.provider;
  state.provider = null;
  state.settled = null;
  state.sealing = null;
  if (state.renewal) clearTimeout(state.renewal);
  state.renewal = null;
  state.next = null;
  state.trouble = null;
  state.unwrapped.clear();
  await open?.then((keys) => keys.close()).catch(() => undefined);
}

/** Forget the provider and the data keys (after a rotation, or in tests that change the environment). */
export function resetKeyringCache(): void {
  void closeKeyProvider();
}

const context = (id: string, purpose: string) => `vault:${purpose}:${id}`;

/** A secret sealed and not yet stored: sealed before a transaction, stored in it (`putSecret`). */
export interface SealedSecret {
  readonly id: string;
  readonly purpose: string;
  readonly keyId: string;
  readonly sealed: string;
}

function sealedWith(key: SealingKey, purpose: string, plaintext: string | Buffer): SealedSecret {
  const id = `sec_${crypto.randomUUID()}`;
  return { id, purpose, keyId: key.keyId, sealed: sealWithDataKey(plaintext, key.key, key.keyId, key.wrapped, context(id, purpose)) };
}

/** Seals a secret of `purpose`, asking the provider for a data key if none is in hand: call it before a transaction, never in one. */
export async function sealSecret(purpose: string, plaintext: string | Buffer): Promise<SealedSecret> {
  return sealedWith(await sealingKey(), purpose, plaintext);
}

/**
 * Seals with the data key in hand, synchronously, so it can never wait for the provider: for a
 * value known only inside a transaction. Without a key in hand it refuses (VaultError
 * "key_provider"), which only a provider that stopped answering leaves a running app without.
 */
export function sealSecretNow(purpose: string, plaintext: string | Buffer): SealedSecret {
  return sealedWith(sealingKeyNow(), purpose, plaintext);
}

/** Stores a sealed secret (in the caller's transaction, if any); returns its id, which other records keep instead of the secret. */
export async function putSecret(client: Db | Tx, secret: SealedSecret): Promise<string> {
  await client.vaultSecret.create({ data: { id: secret.id, purpose: secret.purpose, keyId: secret.keyId, sealed: secret.sealed } });
  return secret.id;
}

/** Seals a secret and stores it at once: outside a transaction only (a `Tx` is refused by the type; seal first, then `putSecret` in it). */
export async function storeSecret(client: Db, purpose: string, plaintext: string | Buffer): Promise<string> {
  return putSecret(client, await sealSecret(purpose, plaintext));
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

export interface MoveResult {
  rewrapped: number;
  /** secrets still under another key (written meanwhile under an old one, or not openable): run it again */
  remaining: number;
  from: string[];
  to: string;
  removedFiles: string[];
  instructions?: string;
}

/**
 * Moves every stored secret to the provider's current key: from the file or environment key to an
 * HSM's (APP_KEY_PROVIDER=pkcs11). In batches: each data key is unwrapped by the key that wrapped
 * it and wrapped again by the HSM, once per distinct data key and never inside a transaction; then
 * the batch's rows are written in one short transaction, each only if unchanged since it was read
 * (a secret replaced meanwhile is under the new key already). Interrupted, it is run again and
 * goes on where it stopped; instances keep serving throughout (they read both keys). When no
 * secret is left under another key, the data folder's key files are removed.
 */
export async function moveToProviderKey(db: Db, env: Env = process.env, options: { batch?: number; maxBatches?: number } = {}): Promise<MoveResult> {
  const keys = await keyProvider();
  if (keys.kind !== "pkcs11") throw new VaultError("key_provider", "Moving to the HSM's key needs APP_KEY_PROVIDER=pkcs11 and the PKCS11_* settings.");
  const to = keys.current.id;
  const from = new Set<string>();
  const again = new Map<string, Buffer>();
  let rewrapped = 0;
  let cursor = "";
  for (let batches = 0; batches < (options.maxBatches ?? Number.POSITIVE_INFINITY); batches++) {
    const rows = await db.vaultSecret.findMany({ where: { keyId: { not: to }, id: { gt: cursor } }, orderBy: { id: "asc" }, take: options.batch ?? 200, select: { id: true, sealed: true } });
    if (!rows.length) break;
    cursor = rows.at(-1)!.id;
    const updates: { id: string; old: string; sealed: string }[] = [];
    for (const row of rows) {
      const { keyId, wrappedText, wrapped } = parseSealed(row.sealed);
      from.add(keyId);
      let wrappedAgain = again.get(`${keyId}.${wrappedText}`);
      if (!wrappedAgain) {
        const dataKey = await watched(keys.unwrap(keyId, wrapped));
        wrappedAgain = await watched(keys.wrap(dataKey));
        dataKey.fill(0);
        again.set(`${keyId}.${wrappedText}`, wrappedAgain);
      }
      updates.push({ id: row.id, old: row.sealed, sealed: withRewrappedKey(row.sealed, to, wrappedAgain) });
    }
    rewrapped += await db.$transaction(async (tx) => {
      let written = 0;
      for (const update of updates) written += (await tx.vaultSecret.updateMany({ where: { id: update.id, sealed: update.old }, data: { sealed: update.sealed, keyId: to } })).count;
      return written;
    });
  }
  const remaining = await db.vaultSecret.count({ where: { keyId: { not: to } } });
  const removedFiles = remaining === 0 ? removeKeyFiles(env) : [];
  const leftOver = remaining === 0 ? ["APP_MASTER_KEY", "APP_MASTER_KEYS_PREVIOUS", "PKCS11_PREVIOUS_KEY_LABELS"].filter((name) => env[name]?.trim()) : [];
  const instructions = leftOver.length ? `Every secret is under the HSM's key ${to} now: remove ${leftOver.join(" and ")} from every instance's settings before its next start (an older HSM key may then be deleted with the HSM's tools).` : undefined;
  return { rewrapped, remaining, from: [...from].filter((id) => id !== to), to, removedFiles, ...(instructions ? { instructions } : {}) };
}
