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

/**
 * One loaded library per module path, initialised once per process, and again when a provider
 * finds the device back but its key not (`reinitialise`): `generation` counts those, so every
 * provider on the library logs in again; `busy` counts operations in flight (never finalised under one).
 */
interface Library {
  lib: pkcs11js.PKCS11;
  generation: number;
  busy: number;
  reinitialisedAt: number;
}
const loaded = new Map<string, Library>();

function initialise(lib: pkcs11js.PKCS11, path: string): void {
  try {
    // The library may be called from several threads at once (the binding's *Async calls run on libuv's pool): it must lock.
    lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (ckr(error) !== "CKR_CRYPTOKI_ALREADY_INITIALIZED") throw new VaultError("key_provider", `PKCS11_MODULE: ${path} would not initialise (${ckr(error)}).`);
  }
}

/** Finalises and initialises the library again (some, SoftHSM among them, read their tokens afresh only then); not while an operation is in flight. */
function reinitialise(library: Library, path: string): boolean {
  if (library.busy > 0) return false;
  try {
    library.lib.C_Finalize();
  } catch {
    // Already finalised, or the device went with it: initialising again is what matters.
  }
  library.reinitialisedAt = Date.now();
  initialise(library.lib, path);
  library.generation++;
  return true;
}

function load(path: string): Library {
  const known = loaded.get(path);
  if (known) return known;
  const lib = new pkcs11js.PKCS11();
  try {
    lib.load(path);
  } catch (error) {
    throw new VaultError("key_provider", `PKCS11_MODULE: cannot load ${path} (${error instanceof Error ? error.message.split("\n")[0] : String(error)}).`);
  }
  initialise(lib, path);
  const library = { lib, generation: 0, busy: 0, reinitialisedAt: 0 };
  loaded.set(path, library);
  return library;
}

/** After the device or the session went, how often an operation tries to log in and find the key again (the calls that do are synchronous). */
const RECONNECT_MS = 5_000;
/** How often, at most, the library is finalised and initialised again to find a device that came back. */
const REINITIALISE_MS = 30_000;

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

/** The token, logged in (a session that stays open while the provider lives: PKCS#11 logs the whole application in), and the key. */
function connect(lib: pkcs11js.PKCS11, settings: Pkcs11Settings) {
  // A slot whose token cannot be read (gone from under the library) is not ours to pick.
  const tokens = lib.C_GetSlotList(true).flatMap((slot) => {
    try {
      return [{ slot, info: lib.C_GetTokenInfo(slot) }];
    } catch {
      return [];
    }
  });
  const token = tokens.find((t) => t.info.label.trim() === settings.tokenLabel);
  if (!token) {
    throw new VaultError("key_provider", `PKCS11_TOKEN_LABEL: no token labelled "${settings.tokenLabel}" in ${settings.module} (tokens there: ${tokens.map((t) => `"${t.info.label.trim()}"`).join(", ") || "none"}).`);
  }
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
  try {
    const key = findOrCreateKey(lib, session, settings);
    const [id] = lib.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_ID }]);
    const keyId = `hsm-${crypto.createHash("sha256").update(`${token.info.serialNumber.trim()}|${settings.keyLabel}|${Buffer.isBuffer(id?.value) ? id.value.toString("hex") : ""}`).digest("hex").slice(0, 16)}`;
    return { slot: token.slot, session, key, keyId };
  } catch (error) {
    lib.C_CloseSession(session);
    throw error;
  }
}

async function openProvider(settings: Pkcs11Settings): Promise<KeyProvider> {
  const library = load(settings.module);
  const lib = library.lib;
  let connection = { ...connect(lib, settings), generation: library.generation };
  const keyId = connection.keyId;
  /**
   * Set when the device or the session went (a network HSM unreachable, a token pulled out): its
   * object handles may not survive, so an operation (at most one each RECONNECT_MS) logs in and
   * finds the key again, never creating one, and only the same key (the same id) is taken back.
   * When that fails, the library is initialised again and asked once more (SoftHSM reads its
   * tokens afresh only then), at most every REINITIALISE_MS. Another provider's reinitialisation: log in again at once.
   */
  let lost: { at: number; why: string } | null = null;

  function reconnect(gone: { at: number; why: string }, what: string): void {
    const refuse = () => new VaultError("key_provider", `The HSM (token "${settings.tokenLabel}") could not ${what}: it is not back (${gone.why}).`);
    if (Date.now() - gone.at < RECONNECT_MS) throw refuse();
    gone.at = Date.now();
    let fresh: ReturnType<typeof connect>;
    try {
      try {
        fresh = connect(lib, { ...settings, createKey: false });
      } catch (error) {
        // The library may hold a stale view of the token: initialised again (at most every REINITIALISE_MS: those calls block), and asked once more.
        if ((error instanceof VaultError && error.message.startsWith("PKCS11_PIN:")) || Date.now() - library.reinitialisedAt < REINITIALISE_MS || !reinitialise(library, settings.module)) throw error;
        fresh = connect(lib, { ...settings, createKey: false });
      }
    } catch (error) {
      gone.why = error instanceof VaultError ? error.message.replace(/\.$/, "") : ckr(error);
      throw refuse();
    }
    if (fresh.keyId !== keyId) {
      lib.C_CloseSession(fresh.session);
      gone.why = `PKCS11_KEY_LABEL: the key labelled "${settings.keyLabel}" is now ${fresh.keyId}, not the key ${keyId} this instance opened; restart it to take the key as it is now`;
      throw refuse();
    }
    try {
      lib.C_CloseSession(connection.session);
    } catch {
      // The session went with the device.
    }
    connection = { ...fresh, generation: library.generation };
    lost = null;
  }

  /** Each operation in a session of its own (an operation holds its session from Init to the result), after a reconnection if the device went. */
  async function inSession<T>(what: string, run: (opSession: Buffer, key: Buffer) => Promise<T>): Promise<T> {
    if (!lost && connection.generation !== library.generation) lost = { at: 0, why: "the library was initialised again" };
    if (lost) reconnect(lost, what);
    let opSession: Buffer;
    try {
      opSession = lib.C_OpenSession(connection.slot, pkcs11js.CKF_SERIAL_SESSION);
    } catch (error) {
      lost ??= { at: 0, why: ckr(error) };
      throw new VaultError("key_provider", `The HSM (token "${settings.tokenLabel}") could not ${what} (${ckr(error)}); check the device and PKCS11_MODULE.`);
    }
    library.busy++;
    try {
      return await run(opSession, connection.key);
    } catch (error) {
      if (error instanceof VaultError && error.problem === "key_provider") lost ??= { at: 0, why: /\((CKR_[A-Z_]+)\)/.exec(error.message)?.[1] ?? error.message };
      throw error;
    } finally {
      library.busy--;
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
      inSession("wrap a data key", async (opSession, key) => {
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
      return inSession("unwrap a data key", async (opSession, key) => {
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
        lib.C_CloseSession(connection.session);
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
