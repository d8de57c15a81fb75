import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { recordAudit, redactSnapshot } from "@/lib/audit/record";
import { listAuditEvents, auditFilterSchema } from "@/lib/audit/query";

describe("audit log", () => {
  it("drops secret-looking fields at any depth", () => {
    expect(
      redactSnapshot({
        username: "a",
        password: "p",
        passwordHash: "h",
        token: "ala_x",
        nested: { privateKey: "k", inPublicKeyPem: "pub", consumerKey: "c", tokenName: "t", keyId: 1, outRequestTokenUrl: "u", list: [{ secret: "s", tokenSecret: "t", ok: 1 }] },
      }),
    ).toEqual({ username: "a", nested: { inPublicKeyPem: "pub", consumerKey: "c", tokenName: "t", keyId: 1, outRequestTokenUrl: "u", list: [{ ok: 1 }] } });
  });

  it("filters by actor, action prefix and day", async () => {
    const actor = { id: null, username: "auditor", via: "system" as const };
    await recordAudit(db, actor, { action: "user.create", targetType: "user", targetLabel: "a" });
    await recordAudit(db, actor, { action: "user.disable", targetType: "user", targetLabel: "a" });
    await recordAudit(db, { ...actor, username: "other" }, { action: "token.create", targetType: "api-token" });
    const today = new Date().toISOString().slice(0, 10);

    const byActor = await listAuditEvents(db, auditFilterSchema.parse({ actor: "AUDITOR" }));
    expect(byActor.events.map((e) => e.action).sort()).toEqual(["user.create", "user.disable"]);
    const byAction = await listAuditEvents(db, auditFilterSchema.parse({ action: "token." }));
    expect(byAction.events.every((e) => e.action.startsWith("token."))).toBe(true);
    expect(byAction.total).toBeGreaterThan(0);
    const byDay = await listAuditEvents(db, auditFilterSchema.parse({ from: today, to: today, actor: "other" }));
    expect(byDay.total).toBe(1);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await listAuditEvents(db, auditFilterSchema.parse({ to: yesterday }))).total).toBe(0);
  });

  it("a change that changed nothing but the version writes nothing; a real change, a creation and an act without snapshots are written", async () => {
    const actor = { id: null, username: "no-op-saver", via: "system" as const };
    await recordAudit(db, actor, { action: "link.outgoing", targetType: "link", before: { out3lo: true, version: 1 }, after: { out3lo: true, version: 2 } });
    await recordAudit(db, actor, { action: "link.outgoing", targetType: "link", before: { out3lo: true, password: "a" }, after: { out3lo: true, password: "b" } });
    expect(await db.auditEvent.count({ where: { actorUsername: "no-op-saver" } })).toBe(0);
    await recordAudit(db, actor, { action: "link.outgoing", targetType: "link", before: { out3lo: true, version: 2 }, after: { out3lo: false, version: 3 } });
    await recordAudit(db, actor, { action: "link.create", targetType: "link", after: { out3lo: true } });
    await recordAudit(db, actor, { action: "link.reset", targetType: "link" });
    expect(await db.auditEvent.count({ where: { actorUsername: "no-op-saver" } })).toBe(3);
  });

  it("ignores malformed filters instead of failing", () => {
    expect(auditFilterSchema.parse({ from: "yesterday", page: "-3", actor: "x".repeat(500) })).toEqual({ page: 1 });
  });
});
