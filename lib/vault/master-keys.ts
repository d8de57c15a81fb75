import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { masterKeyFromBase64, type MasterKey } from "@/lib/crypto/envelope";
import { dataDir, type Env } from "@/lib/env/paths";
import { readOrCreateSecretFile } from "@/lib/env/secret-file";

export const MASTER_KEY_FILE = "master-key";
export const NEXT_KEY_FILE = "master-key.next";
export const PREVIOUS_KEYS_FILE = "master-key.previous";

export interface Keyring {
  /** The key new secrets are sealed with. */
  current: MasterKey;
  /** Every key that may open a stored value (current, pending, previous). */
  all: MasterKey[];
  /** Where the current key comes from. */
  source: "env" | "file";
}

function readKeys(file: string): MasterKey[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split(/\s+/)
    .filter(Boolean)
    .map(masterKeyFromBase64);
}

/**
 * The master keyring: `APP_MASTER_KEY` (base64, 32 bytes), else the data folder's `master-key`
 * (generated, mode 0600, on first use). Older keys (`APP_MASTER_KEYS_PREVIOUS`, comma-separated,
 * and the files a rotation leaves) stay readable so a rotation never strands a secret.
 */
export function loadKeyring(env: Env = process.env): Keyring {
  const dir = dataDir(env);
  const fromEnv = env.APP_MASTER_KEY?.trim();
  const current = masterKeyFromBase64(fromEnv || readOrCreateSecretFile(MASTER_KEY_FILE, dir));
  const others = [
    ...readKeys(path.join(dir, NEXT_KEY_FILE)),
    ...readKeys(path.join(dir, PREVIOUS_KEYS_FILE)),
    ...(env.APP_MASTER_KEYS_PREVIOUS ?? "").split(",").map((s) => s.trim()).filter(Boolean).map(masterKeyFromBase64),
  ];
  const all = [current, ...others.filter((k, i) => k.id !== current.id && others.findIndex((o) => o.id === k.id) === i)];
  return { current, all, source: fromEnv ? "env" : "file" };
}

export function newMasterKeyBase64(): string {
  return crypto.randomBytes(32).toString("base64");
}

/**
 * The file or environment keys this installation had, without creating one: what an HSM
 * installation still reads with while its secrets move to the HSM's key (lib/vault/vault.ts
 * `moveToProviderKey`), and nothing once that is done and the file is gone. Null when there is none.
 */
export function existingKeyring(env: Env = process.env): Keyring | null {
  const dir = dataDir(env);
  if (!env.APP_MASTER_KEY?.trim() && !fs.existsSync(path.join(dir, MASTER_KEY_FILE))) return null;
  return loadKeyring(env);
}

/** Removes the data folder's key files (after every secret moved to an HSM's key); answers which it removed. */
export function removeKeyFiles(env: Env = process.env): string[] {
  const dir = dataDir(env);
  return [MASTER_KEY_FILE, NEXT_KEY_FILE, PREVIOUS_KEYS_FILE].filter((name) => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) return false;
    fs.rmSync(file);
    return true;
  });
}
