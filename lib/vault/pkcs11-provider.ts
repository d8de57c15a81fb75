import crypto from "node:crypto";
import pkcs11js from "pkcs11js";
import { VaultError, WRAP_AAD } from "@/lib/crypto/envelope";
import type { Env } from "@/lib/env/paths";
import type { KeyProvider } from "@/lib/vault/key-provider";

/**
 * The master key in an HSM, through PKCS#11 (`pkcs11js`, a maintained binding; its *Async calls
 * run on libuv's threads, so the event loop never waits for the device): an AES-256 secret key
 * object with CKA_EXTRACTABLE false and CKA_SENSITIVE true, found by its label in the token, or
 * created there at the first start (unless PKCS11_CREATE_KEY=false, for HSMs whose policy has the
 * administrator create keys with their own tools). A data key is wrapped by CKM_AES_GCM inside the
 * HSM (a fresh 96-bit IV each time, the same additional data as the file key's wrapping) and
 * unwrapped there; the key's bytes are never asked for, and an HSM that would give them (an
 * extractable key) is refused.
 */
export interface Pkcs11Settings {
  module: string;
  tokenLabel: string;
  pin: string;
  keyLabel: string;
  createKey: boolean;
  /** older keys in the same token, still read with while their secrets move to `keyLabel`'s */
  previousKeyLabels: string[];
}

/** The PKCS#11 settings, each missing one named. */
export function pkcs11Settings(env: Env = process.env): Pkcs11Settings {
  const need = (name: string) => {
    const value = env[name]?.trim();
    if (!value) throw new VaultError("key_provider", `APP_KEY_PROVIDER=pkcs11 needs ${name} (${PKCS11_SETTINGS[name]}).`);
    return value;
  };
  return {
    module: need("PKCS11_MODULE"),
    tokenLabel: need("PKCS11_TOKEN_LABEL"),
    pin: need("PKCS11_PIN"),
    keyLabel: env.PKCS11_KEY_LABEL?.trim() || "applink-admin-master-key",
    createKey: (env.PKCS11_CREATE_KEY ?? "true").trim().toLowerCase() !== "false",
    previousKeyLabels: (env.PKCS11_PREVIOUS_KEY_LABELS ?? "")
      .split(",")
      .map((label) => label.trim())
      .filter(Boolean),
  };
}
const PKCS11_SETTINGS: Record<string, string> = {
  PKCS11_MODULE: "the path of the HSM vendor's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so",
  PKCS11_TOKEN_LABEL: "the label of the token (partition) that holds the key",
  PKCS11_PIN: "the token's user PIN",
};

/** A PKCS#11 error's CKR_ name, from the binding's message ("CKR_PIN_INCORRECT:160" and the like). */
function ckr(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /CKR_[A-Z_]+/.exec(message)?.[0] ?? message;
}

/** Errors that say the device or the session is gone, not that the data was altered. */
const UNAVAILABLE = new Set(["CKR_DEVICE_REMOVED", "CKR_DEVICE_ERROR", "CKR_DEVICE_MEMORY", "CKR_TOKEN_NOT_PRESENT", "CKR_TOKEN_NOT_RECOGNIZED", "CKR_SESSION_HANDLE_INVALID", "CKR_SESSION_CLOSED", "CKR_CRYPTOKI_NOT_INITIALIZED", "CKR_USER_NOT_LOGGED_IN", "CKR_KEY_HANDLE_INVALID", "CKR_OBJECT_HANDLE_INVALID", "CKR_FUNCTION_FAILED"]);

/** One loaded library per module path: C_Initialize once per process. */
const loaded = new Map<string, pkcs11js.PKCS11>();

function load(path: string): pkcs11js.PKCS11 {
  const known = loaded.get(path);
  if (known) return known;
  const lib = new pkcs11js.PKCS11();
  try {
    lib.load(path);
  } catch (error) {
    throw new VaultError("key_provider", `PKCS11_MODULE: cannot load ${path} (${error instanceof Error ? error.message.split("\n")[0] : String(error)}).`);
  }
  try {
    // The library may be called from several threads at once (the binding's *Async calls run on libuv's pool): it must lock.
    lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (ckr(error) !== "CKR_CRYPTOKI_ALREADY_INITIALIZED") throw new VaultError("key_provider", `PKCS11_MODULE: ${path} would not initialise (${ckr(error)}).`);
  }
  loaded.set(path, lib);
  return lib;
}

const gcm = (iv: Buffer) => ({ mechanism: pkcs11js.CKM_AES_GCM, parameter: { type: pkcs11js.CK_PARAMS_AES_GCM, iv, aad: WRAP_AAD, ivBits: 96, tagBits: 128 } });

/** Opens the provider: the module, the token, the login, the key (found or created). Any failure is one line naming a setting. */
export async function openPkcs11KeyProvider(settings: Pkcs11Settings): Promise<KeyProvider> {
  try {
    return await openProvider(settings);
  } catch (error) {
    if (error instanceof VaultError) throw error;
    throw new VaultError("key_provider", `PKCS11_MODULE: the HSM behind ${settings.module} (token "${settings.tokenLabel}") did not answer as expected (${ckr(error)}).`);
  }
}

async function openProvider(settings: Pkcs11Settings): Promise<KeyProvider> {
  const lib = load(settings.module);
  const slots = lib.C_GetSlotList(true);
  const tokens = slots.map((slot) => ({ slot, info: lib.C_GetTokenInfo(slot) }));
  const token = tokens.find((t) => t.info.label.trim() === settings.tokenLabel);
  if (!token) {
    throw new VaultError("key_provider", `PKCS11_TOKEN_LABEL: no token labelled "${settings.tokenLabel}" in ${settings.module} (tokens there: ${tokens.map((t) => `"${t.info.label.trim()}"`).join(", ") || "none"}).`);
  }
  // The login session stays open while the provider lives: PKCS#11 logs the whole application in.
  const session = lib.C_OpenSession(token.slot, pkcs11js.CKF_RW_SESSION | pkcs11js.CKF_SERIAL_SESSION);
  try {
    lib.C_Login(session, pkcs11js.CKU_USER, settings.pin);
  } catch (error) {
    const code = ckr(error);
    if (code !== "CKR_USER_ALREADY_LOGGED_IN") {
      lib.C_CloseSession(session);
      throw new VaultError("key_provider", code === "CKR_PIN_INCORRECT" ? `PKCS11_PIN: the token "${settings.tokenLabel}" refused the PIN (CKR_PIN_INCORRECT).` : `PKCS11_PIN: could not log in to the token "${settings.tokenLabel}" (${code}).`);
    }
  }
  const key = findOrCreateKey(lib, session, settings);
  const [id] = lib.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_ID }]);
  const keyId = `hsm-${crypto.createHash("sha256").update(`${token.info.serialNumber.trim()}|${settings.keyLabel}|${Buffer.isBuffer(id?.value) ? id.value.toString("hex") : ""}`).digest("hex").slice(0, 16)}`;

  /** Each operation in a session of its own (an operation holds its session from Init to the result). */
  async function inSession<T>(what: string, run: (opSession: Buffer) => Promise<T>): Promise<T> {
    let opSession: Buffer;
    try {
      opSession = lib.C_OpenSession(token!.slot, pkcs11js.CKF_SERIAL_SESSION);
    } catch (error) {
      throw new VaultError("key_provider", `The HSM (token "${settings.tokenLabel}") could not ${what} (${ckr(error)}); check the device and PKCS11_MODULE.`);
    }
    try {
      return await run(opSession);
    } finally {
      try {
        lib.C_CloseSession(opSession);
      } catch {
        // The session went with the device.
      }
    }
  }

  return {
    kind: "pkcs11",
    current: { id: keyId },
    all: [{ id: keyId }],
    setting: `PKCS11_KEY_LABEL ("${settings.keyLabel}" in token "${settings.tokenLabel}")`,
    wrap: (dataKey) =>
      inSession("wrap a data key", async (opSession) => {
        const iv = crypto.randomBytes(12);
        try {
          lib.C_EncryptInit(opSession, gcm(iv), key);
          const sealed = await lib.C_EncryptAsync(opSession, dataKey, Buffer.alloc(dataKey.length + 16));
          return Buffer.concat([iv, sealed]);
        } catch (error) {
          throw new VaultError("key_provider", `The HSM (token "${settings.tokenLabel}") could not wrap a data key (${ckr(error)}): new secrets are not sealed until it is back.`);
        }
      }),
    unwrap: (wantedId, wrapped) => {
      if (wantedId !== keyId) return Promise.reject(new VaultError("unknown_key", `The master key ${wantedId} that sealed this value is not the HSM's key (${keyId}).`));
      if (wrapped.length < 12 + 16) return Promise.reject(new VaultError("malformed", "The wrapped data key is truncated."));
      return inSession("unwrap a data key", async (opSession) => {
        try {
          lib.C_DecryptInit(opSession, gcm(wrapped.subarray(0, 12)), key);
          return await lib.C_DecryptAsync(opSession, wrapped.subarray(12), Buffer.alloc(wrapped.length));
        } catch (error) {
          const code = ckr(error);
          if (UNAVAILABLE.has(code)) throw new VaultError("key_provider", `The HSM (token "${settings.tokenLabel}") could not unwrap a data key (${code}).`);
          throw new VaultError("tampered", `The HSM refused to unwrap this value's data key (${code}): it was altered, or wrapped by another key.`);
        }
      });
    },
    // Closed, not logged out: PKCS#11 logs the whole application in and out at once, so a logout
    // here would end another provider's login in this process; the last session's close ends it.
    close: async () => {
      try {
        lib.C_CloseSession(session);
      } catch {
        // The session went with the device.
      }
    },
  };
}

/** A CK_ULONG attribute's value (8 bytes on 64-bit Linux, 4 elsewhere), in the machine's byte order. */
export const ulong = (value: Buffer): number => (value.length === 8 ? Number(value.readBigUInt64LE(0)) : value.readUInt32LE(0));

/** The key labelled PKCS11_KEY_LABEL: one, AES, not extractable; created when there is none and creating is allowed. */
function findOrCreateKey(lib: pkcs11js.PKCS11, session: Buffer, settings: Pkcs11Settings): Buffer {
  lib.C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_LABEL, value: settings.keyLabel },
  ]);
  const found = lib.C_FindObjects(session, 2);
  lib.C_FindObjectsFinal(session);
  if (found.length > 1) {
    throw new VaultError("key_provider", `PKCS11_KEY_LABEL: two keys are labelled "${settings.keyLabel}" in token "${settings.tokenLabel}"; which one seals the secrets is not guessed. Remove or relabel one with the HSM's tools.`);
  }
  if (found.length === 1) {
    const [type, extractable] = lib.C_GetAttributeValue(session, found[0]!, [{ type: pkcs11js.CKA_KEY_TYPE }, { type: pkcs11js.CKA_EXTRACTABLE }]);
    if (!Buffer.isBuffer(type?.value) || ulong(type.value) !== pkcs11js.CKK_AES) throw new VaultError("key_provider", `PKCS11_KEY_LABEL: the key "${settings.keyLabel}" is not an AES key.`);
    if (Buffer.isBuffer(extractable?.value) && extractable.value[0] === 1) throw new VaultError("key_provider", `PKCS11_KEY_LABEL: the key "${settings.keyLabel}" is extractable (CKA_EXTRACTABLE true): create one that is not, so the master key can never leave the HSM.`);
    return found[0]!;
  }
  if (!settings.createKey) throw new VaultError("key_provider", `PKCS11_KEY_LABEL: no key labelled "${settings.keyLabel}" in token "${settings.tokenLabel}", and PKCS11_CREATE_KEY=false: create it with the HSM's tools (AES-256, not extractable).`);
  return lib.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_ENCRYPT, value: true },
    { type: pkcs11js.CKA_DECRYPT, value: true },
    { type: pkcs11js.CKA_LABEL, value: settings.keyLabel },
    { type: pkcs11js.CKA_ID, value: crypto.randomBytes(8) },
  ]);
}
