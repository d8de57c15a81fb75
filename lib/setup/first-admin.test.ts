import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { ensureFirstAdmin } from "@/lib/setup/first-admin";
import { verifyPassword } from "@/lib/auth/password";

describe("first administrator", () => {
  it("is created once from the environment; a second start changes nothing", async () => {
    await db.user.deleteMany();
    const env = { ADMIN_USERNAME: "Root", ADMIN_EMAIL: "root@example.test", ADMIN_PASSWORD: "a very good password" };
    const first = await ensureFirstAdmin(db, env);
    expect(first).toEqual({ created: true, username: "root", generatedPassword: undefined });
    const row = await db.user.findUniqueOrThrow({ where: { username: "root" }, select: { role: true, passwordHash: true, updatedAt: true } });
    expect(row.role).toBe("ADMIN");
    expect(await verifyPassword("a very good password", row.passwordHash)).toBe(true);

    const second = await ensureFirstAdmin(db, { ...env, ADMIN_PASSWORD: "another password here" });
    expect(second).toEqual({ created: false });
    const again = await db.user.findUniqueOrThrow({ where: { username: "root" }, select: { passwordHash: true, updatedAt: true } });
    expect(again).toEqual({ passwordHash: row.passwordHash, updatedAt: row.updatedAt });
  });

  it("generates a password when none is given", async () => {
    await db.user.deleteMany();
    const result = await ensureFirstAdmin(db, {});
    expect(result.username).toBe("admin");
    expect(result.generatedPassword).toMatch(/^\w{20}$/);
  });

  it("refuses a weak ADMIN_PASSWORD rather than creating a weak admin", async () => {
    await db.user.deleteMany();
    await expect(ensureFirstAdmin(db, { ADMIN_PASSWORD: "short" })).rejects.toMatchObject({ issues: [expect.objectContaining({ path: ["password"] })] });
    expect(await db.user.count()).toBe(0);
  });

  it("two instances starting at once on an empty database: one creates them, the other finds them (neither fails)", async () => {
    await db.user.deleteMany();
    const env = { ADMIN_USERNAME: "first-admin", ADMIN_PASSWORD: "a long enough password" };
    const results = await Promise.all([ensureFirstAdmin(db, env), ensureFirstAdmin(db, env), ensureFirstAdmin(db, env)]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await db.user.count()).toBe(1);
  });
});
