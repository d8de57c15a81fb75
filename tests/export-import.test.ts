/**
 * `npm run admin -- export` / `import`: an installation moves to the other database (this suite's
 * SQLite to PostgreSQL, and PostgreSQL to SQLite when the suite runs on PostgreSQL), everything
 * arrives and works there, secrets still sealed, and bad files, a foreign master key, another
 * version and a database in use are refused with a message that says what to do.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseClient, db, type Db } from "@/lib/db";
import { databaseKind } from "@/lib/env/paths";
import { EXIT, runAdminCli } from "@/lib/cli/admin-cli";
import { migratePostgresql } from "@/lib/db/migrate-postgresql";
import { appSigner, ensureAppIdentity } from "@/lib/identity/app-identity";
import { createLink } from "@/lib/links/create-link";
import { setIncoming, setOutgoing } from "@/lib/links/update-link";
import { authenticateApiToken, createApiToken } from "@/lib/tokens/api-tokens";
import { clientSecretMatches, setOAuth2Client } from "@/lib/incoming/oauth2/clients";
import { hashToken } from "@/lib/crypto/token-hash";
import { authenticateOAuth2Token } from "@/lib/incoming/oauth2/access";
import { readSecret, resetKeyringCache, storeSecret } from "@/lib/vault/vault";
import { newMasterKeyBase64 } from "@/lib/vault/master-keys";
import { verifyPassword } from "@/lib/auth/password";
import { makeUser, PASSWORD, SYSTEM } from "@/tests/support/factories";
import { databaseUrlFor, startTestPostgresql, type TestPostgresql } from "@/tests/support/postgresql-server";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "applink-transfer-"));
let server: TestPostgresql | undefined;
let target: Db;
let targetDatabase: string | undefined;

async function cli(client: Db, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdminCli(client, argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err: err.join("\n") };
}

/** A new, migrated database of the other kind than this suite's. */
beforeAll(async () => {
  if (databaseKind() === "sqlite") {
    server = await startTestPostgresql();
    targetDatabase = `applink_transfer_${process.pid}_${crypto.randomBytes(3).toString("hex")}`;
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${targetDatabase}"`);
    await admin.end();
    const url = databaseUrlFor(server.adminUrl, targetDatabase);
    await migratePostgresql(url);
    target = createDatabaseClient(url);
  } else {
    const file = path.join(dir, "target.db");
    execFileSync(path.resolve("node_modules/.bin/prisma"), ["migrate", "deploy"], { env: { ...process.env, DATABASE_URL: `file:${file}`, CHECKPOINT_DISABLE: "1" }, stdio: "pipe" });
    target = createDatabaseClient(`file:${file}`);
  }
});

afterAll(async () => {
  await target?.$disconnect();
  if (server && targetDatabase) {
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${targetDatabase}" WITH (FORCE)`);
    await admin.end();
    await server.stop();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("export and import", () => {
  it("moves an installation to the other database: every row arrives, and tokens, passwords, sealed secrets and the signing key work there", async () => {
    const identity = await ensureAppIdentity(db);
    const admin = await makeUser("ADMIN");
    const { token } = await createApiToken(db, SYSTEM, admin, "moves along");
    const { link } = await createLink(db, SYSTEM, { name: "Jira ☃ moved", type: "jira", rpcUrl: "https://jira.transfer.example.test" });
    await setOutgoing(db, SYSTEM, link.id, { threeLegged: true, twoLegged: true, impersonation: false });
    const keys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    await setIncoming(db, SYSTEM, link.id, { consumerKey: "transfer-peer", publicKey: keys.publicKey.export({ type: "spki", format: "pem" }) as string, threeLegged: true, twoLegged: true, impersonation: false, executeAs: admin.username });
    const secretId = await storeSecret(db, "test", "a secret that must arrive sealed");
    await db.oAuthAccessToken.create({ data: { userId: admin.id, linkId: link.id, token: "outgoing-access", secretId, lastUsedAt: new Date("2026-11-30T10:00:00.123Z") } });
    // An external application's OAuth 2.0 client and one person's grant: they move, so nobody authorizes again.
    const { clientSecret } = await setOAuth2Client(db, SYSTEM, link.id, { redirectUris: ["https://ci.transfer.example.test/cb"], scopes: ["READ"] });
    const client = await db.oAuth2Client.findUniqueOrThrow({ where: { linkId: link.id } });
    const grant = await db.oAuth2Grant.create({ data: { clientRowId: client.id, userId: admin.id, scopes: "READ", codeHash: hashToken("moved-code") } });
    const oauth2Token = "alo2_moved-along";
    await db.oAuth2Token.create({ data: { tokenHash: hashToken(oauth2Token), grantId: grant.id, kind: "access", expiresAt: new Date(Date.now() + 3_600_000) } });

    const file = path.join(dir, "export.json");
    // Over a file anyone may read: it ends 0600 all the same (the README's promise).
    fs.writeFileSync(file, "older contents", { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const exported = await cli(db, "export", "--out", file);
    expect(exported).toMatchObject({ code: EXIT.ok, out: [] });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(file, "utf8");
    expect(text).not.toContain("a secret that must arrive sealed");
    expect(text).not.toContain(token);
    expect(text).not.toContain(clientSecret!);
    expect(text).not.toContain(oauth2Token);
    expect(text).not.toContain(PASSWORD);

    // The target was started once: its first administrator and identity exist. Import replaces them.
    await ensureAppIdentity(target);
    const imported = await cli(target, "import", "--file", file);
    expect(imported.err).toMatch(/^Imported /);
    expect(imported.code).toBe(EXIT.ok);

    // Row for row the same, but for the audit events the export and import themselves recorded.
    const source = JSON.parse(text) as { tables: Record<string, unknown[]> };
    const again = path.join(dir, "again.json");
    expect((await cli(target, "export", "--out", again)).code).toBe(EXIT.ok);
    const arrived = JSON.parse(fs.readFileSync(again, "utf8")) as { tables: Record<string, { action?: string }[]> };
    for (const [table, rows] of Object.entries(source.tables)) {
      const there = table === "auditEvent" ? arrived.tables[table]!.filter((r) => r.action !== "data.import" && r.action !== "data.export") : arrived.tables[table];
      const here = table === "auditEvent" ? (rows as { action?: string }[]).filter((r) => r.action !== "data.export") : rows;
      expect({ table, rows: there }).toEqual({ table, rows: here });
    }

    // And it works there.
    const byToken = await authenticateApiToken(target, token);
    expect(byToken?.username).toBe(admin.username);
    expect((await authenticateOAuth2Token(target, oauth2Token)).user.username).toBe(admin.username);
    expect(clientSecretMatches(await target.oAuth2Client.findUniqueOrThrow({ where: { linkId: link.id } }), clientSecret!)).toBe(true);
    const row = await target.user.findUniqueOrThrow({ where: { id: admin.id }, select: { passwordHash: true } });
    expect(await verifyPassword(PASSWORD, row.passwordHash)).toBe(true);
    expect((await readSecret(target, secretId)).toString()).toBe("a secret that must arrive sealed");
    expect((await target.appIdentity.findUniqueOrThrow({ where: { id: 1 } })).consumerKey).toBe(identity.consumerKey);
    const signer = await appSigner(target);
    expect(crypto.verify("sha1", Buffer.from("x"), crypto.createPublicKey(identity.publicKeyPem), crypto.sign("sha1", Buffer.from("x"), signer.privateKey))).toBe(true);
    expect(await target.link.findUniqueOrThrow({ where: { id: link.id } })).toMatchObject({ name: "Jira ☃ moved", inConsumerKey: "transfer-peer", inExecuteAs: admin.username, out3lo: true, in2lo: true });

    // A database in use is not overwritten by accident.
    const refused = await cli(target, "import", "--file", file);
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.err).toMatch(/already holds 1 link .*--replace/);
    expect((await cli(target, "import", "--file", file, "--replace")).code).toBe(EXIT.ok);
    expect(await target.link.count()).toBe(1);
  });

  it("refuses a file sealed under another master key, naming the key to set, and changes nothing", async () => {
    const file = path.join(dir, "export.json");
    expect(fs.existsSync(file)).toBe(true);
    const before = await target.user.count();
    process.env.APP_MASTER_KEY = newMasterKeyBase64();
    resetKeyringCache();
    try {
      const refused = await cli(target, "import", "--file", file, "--replace");
      expect(refused.code).toBe(EXIT.refused);
      expect(refused.err).toMatch(/sealed with master key [0-9a-f]{16}.*Set APP_MASTER_KEY to the exporting installation's master key/);
    } finally {
      delete process.env.APP_MASTER_KEY;
      resetKeyringCache();
    }
    expect(await target.user.count()).toBe(before);
  });

  it("refuses what is not an export, an export of another version, and a missing file, each with its reason", async () => {
    const write = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
    const good = JSON.parse(fs.readFileSync(path.join(dir, "export.json"), "utf8")) as Record<string, unknown>;
    const cases: Array<[string, RegExp]> = [
      [write("truncated.json", JSON.stringify(good).slice(0, 500)), /not an Applink Admin export \(not JSON; truncated\?\)/],
      [write("other.json", JSON.stringify({ hello: "world" })), /not an Applink Admin export\.$/],
      [write("version.json", JSON.stringify({ ...good, version: 99 })), /format version 99; this app reads version 1/],
      [write("schema.json", JSON.stringify({ ...good, schema: "20990101000000_future" })), /written at database version 20990101000000_future; this app is at \d+_\w+/],
      [write("notable.json", JSON.stringify({ ...good, tables: { ...(good.tables as object), link: "nope" } })), /no "link" table/],
      [path.join(dir, "missing.json"), /Cannot read .*missing\.json: ENOENT/],
    ];
    for (const [file, message] of cases) {
      const result = await cli(target, "import", "--file", file, "--replace");
      expect({ file: path.basename(file), code: result.code, err: result.err }).toMatchObject({ file: path.basename(file), code: EXIT.refused, err: expect.stringMatching(message) });
    }
    expect(await target.link.count()).toBe(1);
  });
});
