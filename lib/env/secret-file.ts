import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDir, type Env } from "@/lib/env/paths";

/**
 * Reads a generated secret from the data folder, creating it (32 random bytes, base64, mode 0600)
 * on first use. Two processes starting at once agree: the file is created exclusively and the
 * loser reads the winner's value.
 */
export function readOrCreateSecretFile(name: string, dir: string = dataDir()): string {
  const file = path.join(dir, name);
  try {
    return readSecret(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString("base64") + "\n", { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return readSecret(file);
}

function readSecret(file: string): string {
  const value = fs.readFileSync(file, "utf8").trim();
  if (!value) throw new Error(`${file} is empty; delete it to generate a new secret.`);
  return value;
}

/** The key that signs and encrypts session cookies: `NEXTAUTH_SECRET`, else the data folder's. */
export function sessionSecret(env: Env = process.env): string {
  return env.NEXTAUTH_SECRET?.trim() || readOrCreateSecretFile("nextauth-secret", dataDir(env));
}

/**
 * Writes `text` to `file` readable by this user alone (0600), whatever was there: a new file is
 * written beside it and renamed over it, so an existing file's mode (or a link standing there)
 * is not kept, and a reader never sees half of it.
 */
export function writePrivateFile(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`);
  try {
    fs.writeFileSync(temporary, text, { flag: "wx", mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}
