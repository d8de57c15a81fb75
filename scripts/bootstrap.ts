/**
 * First-run set-up, run by `npm start` after the migrations: the session secret and the first
 * administrator. Idempotent: on an existing installation it changes nothing.
 */
import { ZodError } from "zod";
import { closeDatabase, db } from "@/lib/db";
import { databaseKind, databaseUrl } from "@/lib/env/paths";
import { withMigrationLock } from "@/lib/db/migrate-postgresql";
import { keyProviderKind } from "@/lib/vault/key-provider";
import { restrictDataDir } from "@/lib/env/data-dir";
import { sessionSecret } from "@/lib/env/secret-file";
import { ensureFirstAdmin } from "@/lib/setup/first-admin";
import { checkSharedKeys, SharedKeyMismatch } from "@/lib/setup/shared-keys";
import { closeKeyProvider, keyProvider } from "@/lib/vault/vault";
import { VaultError } from "@/lib/crypto/envelope";
import { ensureAppIdentity } from "@/lib/identity/app-identity";
import { fieldErrors } from "@/lib/validation/fields";

async function main() {
  // The data folder 0700 and its files 0600 (the database was just created or migrated).
  restrictDataDir();
  // SQLite in write-ahead-log mode: readers (the hot-read cache, lib/db/cached-reads.ts) never wait for a writer, and a
  // read costs less. The mode is kept in the database file.
  if (databaseKind() === "sqlite") await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  const secret = sessionSecret();
  // The vault's master key: APP_MASTER_KEY, or generated into the data folder now (mode 0600); or,
  // with APP_KEY_PROVIDER=pkcs11, the HSM's (the module loaded, logged in, the key found or created).
  // Instances starting at once on PostgreSQL take turns here: one creates the HSM key, the others find it.
  const keyring = databaseKind() === "postgresql" && keyProviderKind() === "pkcs11" ? await withMigrationLock(databaseUrl(), () => keyProvider()) : await keyProvider();
  // Instances on one database share both: one that would use its own refuses to start (and again
  // after creating the identity, in case another instance sealed it first at the same moment).
  await checkSharedKeys(db, { sessionSecret: secret, keyring });
  // This instance's consumer key and RSA key pair (the private key sealed in the vault).
  const identity = await ensureAppIdentity(db);
  await checkSharedKeys(db, { sessionSecret: secret, keyring });
  const result = await ensureFirstAdmin(db);
  // Files the steps above created (the -wal and -shm files, generated secrets) follow the same rule.
  restrictDataDir();
  if (result.created) console.log(`This instance's consumer key: ${identity.consumerKey}`);
  if (result.created) {
    console.log(`Created the first administrator "${result.username}".`);
    if (result.generatedPassword) {
      console.log(`  Password (shown once, store it now): ${result.generatedPassword}`);
    }
  }
}

main()
  .catch((error) => {
    if (error instanceof SharedKeyMismatch || (error instanceof VaultError && (error.problem === "key_provider" || error.problem === "bad_master_key"))) {
      console.error(`Refusing to start: ${error.message}`);
    } else if (error instanceof ZodError) {
      const fields = Object.entries(fieldErrors(error)).map(([field, message]) => `ADMIN_${field.toUpperCase()}: ${message}`);
      console.error(`Cannot create the first administrator: ${fields.join("; ")}`);
    } else {
      console.error(`First-run set-up failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    process.exitCode = 1;
  })
  .finally(async () => {
    await closeKeyProvider();
    await closeDatabase();
  });
