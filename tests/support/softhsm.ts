/**
 * SoftHSM (Debian's softhsm2) as the HSM of the tests: a token folder of its own per test file,
 * outside the data folder, its configuration in SOFTHSM2_CONF (read when the PKCS#11 library is
 * first initialised in the process, so call this before anything opens the provider), tokens
 * initialised with softhsm2-util. `lose()` and `restore()` take the token folder away and bring it
 * back: to the library, the key is then gone (as when a network HSM is unreachable; root ignores
 * file modes, so the folder is moved rather than made unreadable).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so";

export function startSoftHsm() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "applink-softhsm-"));
  const tokens = path.join(root, "tokens");
  fs.mkdirSync(tokens, { mode: 0o700 });
  const conf = path.join(root, "softhsm2.conf");
  fs.writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  return {
    /** A new token; the settings that reach it. */
    token(label: string, pin = "4711-applink") {
      execFileSync("softhsm2-util", ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "so-pin-0815"], { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: "pipe" });
      return { APP_KEY_PROVIDER: "pkcs11", PKCS11_MODULE: SOFTHSM_MODULE, PKCS11_TOKEN_LABEL: label, PKCS11_PIN: pin };
    },
    lose: () => fs.renameSync(tokens, `${tokens}.gone`),
    restore: () => fs.renameSync(`${tokens}.gone`, tokens),
    tokens,
  };
}
