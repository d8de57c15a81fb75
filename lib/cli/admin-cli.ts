import { parseArgs } from "node:util";
import fs from "node:fs";
import os from "node:os";
import type { Db } from "@/lib/db";
import type { Actor } from "@/lib/audit/record";
import { ZodError } from "zod";
import { AppError } from "@/lib/errors";
import { createUser } from "@/lib/users/create-user";
import { findUserOrThrow, listUsers } from "@/lib/users/find-user";
import { resetPassword, setUserDisabled, setUserRole } from "@/lib/users/update-user";
import { createApiToken } from "@/lib/tokens/api-tokens";
import { roleSchema } from "@/lib/validation/fields";
import { describeError } from "@/lib/describe-error";
import { keyProvider, moveToProviderKey, rotateMasterKey } from "@/lib/vault/vault";
import { recordAudit } from "@/lib/audit/record";
import { exportData, importData, parseExport } from "@/lib/transfer/export-import";
import { writePrivateFile } from "@/lib/env/secret-file";
import { keyProviderKind } from "@/lib/vault/key-provider";

/** Exit codes a script can rely on. */
export const EXIT = { ok: 0, refused: 1, usage: 2, internal: 70 } as const;

export const USAGE = `Usage: npm run admin -- <command> [options]

  user create --username U --email E --role ADMIN|USER [--password P] [--display-name N]
      Creates a user. Without --password a password is generated and printed (only that line).
  user reset-password --username U [--password P]
      Sets a new password (generated when not given, printed alone) and ends the user's sessions.
  user disable --username U       user enable --username U
  user set-role --username U --role ADMIN|USER
  user list [--json]
  token create --username U --name N
      Creates a personal API token for U and prints only the token.
  rotate-master-key [--new-key BASE64]
      Re-wraps every stored secret's data key under a new master key, in one transaction.
      With a generated key file nothing else is needed; with APP_MASTER_KEY, give --new-key
      (or let one be generated) and set it as it says before restarting. With
      APP_KEY_PROVIDER=pkcs11, moves every secret to the HSM's key instead (PKCS11_KEY_LABEL;
      from the file key, or from the keys in PKCS11_PREVIOUS_KEY_LABELS), in batches while the
      instances keep serving (run again if interrupted), and removes the data folder's key.
  export [--out FILE]
      Writes everything the installation holds (users, tokens, links, the vault, the audit log) as
      one JSON file (mode 0600), secrets still sealed: the master key moves separately.
  import --file FILE [--replace]
      Replaces this database's contents with an export's, in one transaction (SQLite to
      PostgreSQL, test to production). Needs the exporting installation's master key
      (APP_MASTER_KEY) and the same app version; --replace to overwrite a database in use.

Exit codes: 0 done; 1 refused (invalid input, conflict, unknown user, last administrator); 2 usage; 70 internal error.`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

class UsageError extends Error {}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name} is required.`);
  return value;
}

/** Runs one admin command; returns the exit code. Pure of process state, so tests drive it directly. */
export async function runAdminCli(db: Db, argv: string[], io: CliIo): Promise<number> {
  const actor: Actor = { id: null, username: `cli:${safeOsUser()}`, via: "cli" };
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        username: { type: "string" },
        email: { type: "string" },
        role: { type: "string" },
        password: { type: "string" },
        "display-name": { type: "string" },
        name: { type: "string" },
        "new-key": { type: "string" },
        out: { type: "string" },
        file: { type: "string" },
        replace: { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    const command = positionals.join(" ");
    if (values.help || command === "" || command === "help") {
      io.out(USAGE);
      return values.help || command === "help" ? EXIT.ok : EXIT.usage;
    }
    switch (command) {
      case "user create": {
        const username = required(values, "username");
        const email = required(values, "email");
        const role = roleSchema.safeParse(required(values, "role").toUpperCase());
        if (!role.success) throw new UsageError("--role must be ADMIN or USER.");
        const { generatedPassword, user } = await createUser(db, actor, {
          username,
          email,
          role: role.data,
          password: values.password ?? "",
          displayName: values["display-name"],
        });
        if (generatedPassword) io.out(generatedPassword);
        else io.err(`Created ${user.username}.`);
        return EXIT.ok;
      }
      case "user reset-password": {
        const { password } = await resetPassword(db, actor, required(values, "username"), values.password);
        if (!values.password) io.out(password);
        else io.err("Password changed.");
        return EXIT.ok;
      }
      case "user disable":
      case "user enable": {
        const user = await setUserDisabled(db, actor, required(values, "username"), command === "user disable");
        io.err(`${user.username} is ${user.disabled ? "disabled" : "enabled"}.`);
        return EXIT.ok;
      }
      case "user set-role": {
        const role = roleSchema.safeParse(required(values, "role").toUpperCase());
        if (!role.success) throw new UsageError("--role must be ADMIN or USER.");
        const user = await setUserRole(db, actor, required(values, "username"), role.data);
        io.err(`${user.username} is ${user.role}.`);
        return EXIT.ok;
      }
      case "user list": {
        const users = await listUsers(db);
        if (values.json) {
          io.out(JSON.stringify(users.map(({ username, email, displayName, role, disabled, createdAt }) => ({ username, email, displayName, role, disabled, createdAt }))));
        } else {
          io.out(["USERNAME", "ROLE", "STATUS", "EMAIL"].join("\t"));
          for (const u of users) io.out([u.username, u.role, u.disabled ? "disabled" : "active", u.email].join("\t"));
        }
        return EXIT.ok;
      }
      case "token create": {
        const owner = await findUserOrThrow(db, required(values, "username"));
        if (owner.disabled) throw new AppError("conflict", `${owner.username} is disabled; enable the user first.`);
        const { token } = await createApiToken(db, actor, owner, required(values, "name"));
        io.out(token);
        return EXIT.ok;
      }
      case "rotate-master-key": {
        if (keyProviderKind() === "pkcs11") {
          // To the HSM's key (APP_KEY_PROVIDER=pkcs11): every secret re-wrapped there, then the file key removed.
          const moved = await moveToProviderKey(db, process.env);
          await recordAudit(db, actor, { action: "vault.rotate-master-key", targetType: "master-key", targetLabel: moved.to, before: { masterKeyIds: moved.from }, after: { masterKeyId: moved.to, provider: "pkcs11", rewrapped: moved.rewrapped, remaining: moved.remaining } });
          io.err(`Re-wrapped ${moved.rewrapped} secret${moved.rewrapped === 1 ? "" : "s"} under the HSM's key ${moved.to}${moved.from.length ? ` (from ${moved.from.join(", ")})` : ""}.`);
          if (moved.remaining) io.err(`${moved.remaining} secret${moved.remaining === 1 ? " is" : "s are"} still under another key (written meanwhile): run rotate-master-key again.`);
          if (moved.removedFiles.length) io.err(`Removed ${moved.removedFiles.join(", ")} from the data folder: the master key is only in the HSM now.`);
          if (moved.instructions) io.out(moved.instructions);
          return moved.remaining ? EXIT.refused : EXIT.ok;
        }
        const result = await rotateMasterKey(db, process.env, values["new-key"]);
        await recordAudit(db, actor, {
          action: "vault.rotate-master-key",
          targetType: "master-key",
          targetLabel: result.newKeyId,
          before: { masterKeyId: result.previousKeyId },
          after: { masterKeyId: result.newKeyId, rewrapped: result.rewrapped },
        });
        io.err(`Re-wrapped ${result.rewrapped} secret${result.rewrapped === 1 ? "" : "s"}: master key ${result.previousKeyId} → ${result.newKeyId}.`);
        if (result.instructions) io.out(result.instructions);
        return EXIT.ok;
      }
      case "export": {
        const data = await exportData(db);
        const text = `${JSON.stringify(data)}\n`;
        if (values.out) writePrivateFile(values.out, text);
        else io.out(text.trimEnd());
        await recordAudit(db, actor, { action: "data.export", targetType: "installation", targetLabel: values.out ?? "stdout", after: { links: data.tables.link.length, users: data.tables.user.length } });
        const counts = `${data.tables.user.length} users, ${data.tables.link.length} links, ${data.tables.vaultSecret.length} sealed secrets, ${data.tables.auditEvent.length} audit events`;
        io.err(`Exported ${counts}${values.out ? ` to ${values.out}` : ""}. Secrets are sealed with master key ${data.masterKeyIds.join(", ") || "(none)"}: move that key separately.`);
        return EXIT.ok;
      }
      case "import": {
        const file = required(values, "file");
        let text: string;
        try {
          text = fs.readFileSync(file, "utf8");
        } catch (error) {
          throw new AppError("bad_request", `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
        }
        const data = parseExport(text, await keyProvider());
        const result = await importData(db, data, { replace: values.replace === true });
        await recordAudit(db, actor, { action: "data.import", targetType: "installation", targetLabel: file, after: result.rows });
        io.err(`Imported ${Object.entries(result.rows).map(([table, n]) => `${n} ${table}`).join(", ")} from ${file} (exported ${data.exportedAt}).`);
        return EXIT.ok;
      }
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`${(error as Error).message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    const described = describeError(error, "CLI", { logUnexpected: false });
    if (described.code === "internal_error") {
      io.err(`Internal error: ${(error as Error)?.message ?? String(error)}`);
      return EXIT.internal;
    }
    // A schema's refusal is said field by field; the app's own errors keep their own words.
    io.err(error instanceof ZodError && described.fields ? Object.entries(described.fields).map(([field, message]) => `${field}: ${message}`).join("\n") : described.message);
    return EXIT.refused;
  }
}

function safeOsUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return "unknown";
  }
}
