import { unwrapDataKey, VaultError, wrapDataKey } from "@/lib/crypto/envelope";
import type { Env } from "@/lib/env/paths";
import { existingKeyring, loadKeyring, type Keyring } from "@/lib/vault/master-keys";

/**
 * Where the vault's master key lives, chosen per installation by APP_KEY_PROVIDER:
 * - `file` (the default): `APP_MASTER_KEY`, else the data folder's `master-key`; the key is in this
 *   process's memory, so whoever reads the environment or copies the data folder holds it;
 * - `pkcs11`: a non-extractable AES-256 key inside an HSM (lib/vault/pkcs11-provider.ts); data
 *   keys are wrapped and unwrapped inside it, and the key itself never leaves it.
 * A provider only wraps and unwraps 32-byte data keys; the values themselves are sealed in this
 * process with the data keys (lib/vault/vault.ts caches unwrapped ones, so a request does not
 * wait for the provider). A cloud KMS (AWS KMS Encrypt/Decrypt, Google Cloud KMS, Azure Key
 * Vault wrapKey/unwrapKey) is one more implementation of this interface.
 */
export interface KeyProvider {
  /** Where the current key lives, for the settings page, the health answer and error messages. */
  readonly kind: "env" | "file" | "pkcs11";
  /** The key new values are sealed under: its id is written in every sealed value. */
  readonly current: { id: string };
  /** Every key this provider can unwrap with (current, and older ones kept for reading). */
  readonly all: { id: string }[];
  /** The setting an operator checks when this key is not the one expected. */
  readonly setting: string;
  wrap(dataKey: Buffer): Promise<Buffer>;
  unwrap(keyId: string, wrapped: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

/** The file or environment key (today's behaviour): a keyring in memory. */
export function fileKeyProvider(ring: Keyring = loadKeyring()): KeyProvider {
  return {
    kind: ring.source,
    current: { id: ring.current.id },
    all: ring.all.map((key) => ({ id: key.id })),
    setting: ring.source === "env" ? "APP_MASTER_KEY" : "the data folder's master-key (or APP_MASTER_KEY)",
    wrap: async (dataKey) => wrapDataKey(ring.current, dataKey),
    unwrap: async (keyId, wrapped) => {
      const key = ring.all.find((k) => k.id === keyId);
      if (!key) throw new VaultError("unknown_key", `The master key ${keyId} that sealed this value is not configured.`);
      return unwrapDataKey(key, wrapped);
    },
    close: async () => undefined,
  };
}

export type KeyProviderKind = "file" | "pkcs11";

/** APP_KEY_PROVIDER, checked: a misspelt provider stops the start rather than falling back to a file key. */
export function keyProviderKind(env: Env = process.env): KeyProviderKind {
  const value = (env.APP_KEY_PROVIDER ?? "file").trim().toLowerCase() || "file";
  if (value !== "file" && value !== "pkcs11") throw new VaultError("key_provider", `APP_KEY_PROVIDER is "${env.APP_KEY_PROVIDER}": use "file" (the default) or "pkcs11".`);
  return value;
}

/** The installation's key provider, opened (for PKCS#11: the module loaded, the token logged in, the key found or created). */
export async function openKeyProvider(env: Env = process.env): Promise<KeyProvider> {
  if (keyProviderKind(env) === "file") return fileKeyProvider(loadKeyring(env));
  const { openPkcs11KeyProvider, pkcs11Settings } = await import("@/lib/vault/pkcs11-provider");
  const settings = pkcs11Settings(env);
  let hsm = await openPkcs11KeyProvider(settings);
  // A newer HSM key: the older ones (PKCS11_PREVIOUS_KEY_LABELS) still read what they sealed, never created.
  for (const label of settings.previousKeyLabels) hsm = withOlderKeys(hsm, await openPkcs11KeyProvider({ ...settings, keyLabel: label, createKey: false, previousKeyLabels: [] }));
  // Moving from the file key: until every secret is re-wrapped (and the file removed), the file's
  // keys still read what they sealed; new secrets go under the HSM's key only.
  const before = existingKeyring(env);
  return before ? withOlderKeys(hsm, fileKeyProvider(before)) : hsm;
}

/** A provider that seals under `current` and also reads what `older` sealed. */
export function withOlderKeys(current: KeyProvider, older: KeyProvider): KeyProvider {
  const olderIds = new Set(older.all.map((k) => k.id));
  return {
    ...current,
    all: [...current.all, ...older.all.filter((k) => !current.all.some((c) => c.id === k.id))],
    unwrap: (keyId, wrapped) => (olderIds.has(keyId) && !current.all.some((c) => c.id === keyId) ? older.unwrap(keyId, wrapped) : current.unwrap(keyId, wrapped)),
    close: async () => {
      await current.close();
      await older.close();
    },
  };
}
