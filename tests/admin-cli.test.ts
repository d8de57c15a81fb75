import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { EXIT, runAdminCli } from "@/lib/cli/admin-cli";
import { authenticateApiToken } from "@/lib/tokens/api-tokens";
import { verifyPassword } from "@/lib/auth/password";

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdminCli(db, argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe("admin CLI", () => {
  it("creates a user and prints only the generated password", async () => {
    const result = await cli("user", "create", "--username", "cli-one", "--email", "cli-one@example.test", "--role", "admin");
    expect(result.code).toBe(EXIT.ok);
    expect(result.out).toHaveLength(1);
    const row = await db.user.findUniqueOrThrow({ where: { username: "cli-one" }, select: { role: true, passwordHash: true } });
    expect(row.role).toBe("ADMIN");
    expect(await verifyPassword(result.out[0]!, row.passwordHash)).toBe(true);
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: "user.create", targetLabel: "cli-one" } });
    expect(event.via).toBe("cli");
  });

  it("creates with a given password and prints nothing on stdout", async () => {
    const result = await cli("user", "create", "--username", "cli-two", "--email", "cli-two@example.test", "--role", "USER", "--password", "given password 123");
    expect(result).toMatchObject({ code: EXIT.ok, out: [] });
  });

  it("refuses duplicates, bad input and unknown users with exit 1 and a message", async () => {
    await cli("user", "create", "--username", "cli-dup", "--email", "cli-dup@example.test", "--role", "USER");
    const dup = await cli("user", "create", "--username", "cli-dup", "--email", "x@example.test", "--role", "USER");
    expect(dup.code).toBe(EXIT.refused);
    expect(dup.err.join("\n")).toMatch(/already exists/);
    const bad = await cli("user", "create", "--username", "!", "--email", "nope", "--role", "USER");
    expect(bad.code).toBe(EXIT.refused);
    expect(bad.err.join("\n")).toMatch(/^username: .*\nemail: /);
    expect((await cli("user", "reset-password", "--username", "ghost")).code).toBe(EXIT.refused);
  });

  it("answers usage errors with exit 2", async () => {
    expect((await cli()).code).toBe(EXIT.usage);
    expect((await cli("user", "create", "--username", "x")).code).toBe(EXIT.usage);
    expect((await cli("user", "create", "--username", "x", "--email", "x@e.test", "--role", "ROOT")).code).toBe(EXIT.usage);
    expect((await cli("user", "frobnicate")).code).toBe(EXIT.usage);
    expect((await cli("user", "list", "--no-such-flag")).code).toBe(EXIT.usage);
    expect((await cli("--help")).code).toBe(EXIT.ok);
  });

  it("resets a password and prints only the new one", async () => {
    await cli("user", "create", "--username", "cli-reset", "--email", "cli-reset@example.test", "--role", "USER");
    const result = await cli("user", "reset-password", "--username", "cli-reset");
    expect(result.code).toBe(EXIT.ok);
    const row = await db.user.findUniqueOrThrow({ where: { username: "cli-reset" }, select: { passwordHash: true } });
    expect(await verifyPassword(result.out[0]!, row.passwordHash)).toBe(true);
  });

  it("creates a token that authenticates its owner, and prints only the token", async () => {
    await cli("user", "create", "--username", "cli-tok", "--email", "cli-tok@example.test", "--role", "USER");
    const result = await cli("token", "create", "--username", "cli-tok", "--name", "deploy");
    expect(result.code).toBe(EXIT.ok);
    expect(result.out).toHaveLength(1);
    expect((await authenticateApiToken(db, result.out[0]!))?.username).toBe("cli-tok");
    expect((await cli("token", "create", "--username", "nobody", "--name", "x")).code).toBe(EXIT.refused);
  });

  it("protects the last administrator", async () => {
    await db.user.updateMany({ where: { role: "ADMIN" }, data: { role: "USER" } });
    await cli("user", "create", "--username", "cli-last", "--email", "cli-last@example.test", "--role", "ADMIN");
    const result = await cli("user", "disable", "--username", "cli-last");
    expect(result.code).toBe(EXIT.refused);
    expect(result.err[0]).toMatch(/last active administrator/);
    expect((await cli("user", "set-role", "--username", "cli-last", "--role", "USER")).code).toBe(EXIT.refused);
  });

  it("lists users as a table and as JSON", async () => {
    const table = await cli("user", "list");
    expect(table.out[0]).toBe("USERNAME\tROLE\tSTATUS\tEMAIL");
    const json = await cli("user", "list", "--json");
    const users = JSON.parse(json.out[0]!) as Array<Record<string, unknown>>;
    expect(users.length).toBeGreaterThan(0);
    expect(JSON.stringify(users)).not.toMatch(/passwordHash|scrypt/);
  });

  it("rotates the master key and audits it", async () => {
    const { storeSecret, readSecret } = await import("@/lib/vault/vault");
    const id = await storeSecret(db, "test", "kept across rotation");
    const result = await cli("rotate-master-key");
    expect(result.code).toBe(EXIT.ok);
    expect(result.err[0]).toMatch(/^Re-wrapped \d+ secrets?: master key \w{16} → \w{16}\.$/);
    expect((await readSecret(db, id)).toString()).toBe("kept across rotation");
    expect(await db.auditEvent.count({ where: { action: "vault.rotate-master-key" } })).toBe(1);
    expect((await cli("rotate-master-key", "--new-key", "too-short")).code).toBe(EXIT.refused);
  });

  it("runs as `npm run admin` (the script entry point) with the same exit codes", async () => {
    const run = promisify(execFile);
    const env = { ...process.env, NODE_ENV: "production" as const };
    const tsx = path.resolve("node_modules/.bin/tsx");
    const created = await run(tsx, ["scripts/admin.ts", "user", "create", "--username", "cli-proc", "--email", "cli-proc@example.test", "--role", "USER"], { env });
    expect(created.stdout.trim()).toMatch(/^\w{20}$/);
    const failed = await run(tsx, ["scripts/admin.ts", "user", "create"], { env }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: EXIT.usage });
    expect((failed as { stderr: string }).stderr).toContain("--username is required");
  });
});
