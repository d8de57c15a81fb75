/**
 * The migration that lets an incoming-only link have no RPC URL rebuilds SQLite's Link table (SQLite
 * cannot drop NOT NULL in place). Every row must survive it, with the rows that point at a link
 * (cascading deletes included) and the cache triggers: applied here to a database that holds data.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";

const MIGRATIONS = path.resolve("prisma/migrations");
const REBUILD = "20261204030000_incoming_only_links";

describe("the Link table rebuild (rpcUrl may be null)", () => {
  it("keeps every link and every row that points at one, and the cache triggers", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "applink-rebuild-"));
    const db = new Database(path.join(dir, "before.db"));
    db.pragma("foreign_keys = ON");
    const names = fs.readdirSync(MIGRATIONS).filter((n) => fs.statSync(path.join(MIGRATIONS, n)).isDirectory()).sort();
    // The database as it was just before the rebuild (later migrations come after it).
    expect(names).toContain(REBUILD);
    for (const name of names.slice(0, names.indexOf(REBUILD))) db.exec(fs.readFileSync(path.join(MIGRATIONS, name, "migration.sql"), "utf8"));

    db.prepare(`INSERT INTO "User" ("id", "username", "email", "displayName", "passwordHash", "updatedAt") VALUES ('u1', 'ann', 'ann@example.test', 'Ann', 'x', CURRENT_TIMESTAMP)`).run();
    db.prepare(`INSERT INTO "Link" ("id", "name", "type", "rpcUrl", "displayUrl", "inConsumerKey", "updatedAt") VALUES ('l1', 'Jira', 'jira', 'https://jira.example.test', 'https://jira.example.test', 'jira-key', CURRENT_TIMESTAMP)`).run();
    db.prepare(`INSERT INTO "LinkStatus" ("linkId", "status") VALUES ('l1', 'CONNECTED')`).run();
    db.prepare(`INSERT INTO "OAuth2Client" ("id", "linkId", "clientId", "secretHash", "redirectUris", "scopes") VALUES ('c1', 'l1', 'client', 'h', '[]', 'READ')`).run();
    db.prepare(`INSERT INTO "OAuth2Grant" ("id", "clientRowId", "userId", "scopes", "codeHash") VALUES ('g1', 'c1', 'u1', 'READ', 'code')`).run();
    const before = { links: db.prepare(`SELECT * FROM "Link"`).all(), status: db.prepare(`SELECT * FROM "LinkStatus"`).all(), grants: db.prepare(`SELECT * FROM "OAuth2Grant"`).all() };

    db.exec(fs.readFileSync(path.join(MIGRATIONS, REBUILD, "migration.sql"), "utf8"));

    expect({ links: db.prepare(`SELECT * FROM "Link"`).all(), status: db.prepare(`SELECT * FROM "LinkStatus"`).all(), grants: db.prepare(`SELECT * FROM "OAuth2Grant"`).all() }).toEqual(before);
    expect(db.pragma("foreign_key_check")).toEqual([]);
    // A link without an RPC URL now fits, more than one of them, and a change to a link still bumps the cache.
    const version = () => (db.prepare(`SELECT "version" FROM "CacheVersion" WHERE "id" = 1`).get() as { version: number }).version;
    const at = version();
    db.prepare(`INSERT INTO "Link" ("id", "name", "type", "rpcUrl", "displayUrl", "updatedAt") VALUES ('l2', 'CI', 'generic', NULL, '', CURRENT_TIMESTAMP)`).run();
    db.prepare(`INSERT INTO "Link" ("id", "name", "type", "rpcUrl", "displayUrl", "updatedAt") VALUES ('l3', 'Merge bot', 'generic', NULL, '', CURRENT_TIMESTAMP)`).run();
    expect(version()).toBe(at + 2);
    // Foreign keys still hold: deleting a link takes its client and grants with it.
    db.prepare(`DELETE FROM "Link" WHERE "id" = 'l1'`).run();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM "OAuth2Grant"`).get()).toEqual({ n: 0 });
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
