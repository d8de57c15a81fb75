import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createUser } from "@/lib/users/create-user";
import { changeOwnPassword, resetPassword, setUserDisabled, setUserRole } from "@/lib/users/update-user";
import { verifyPassword } from "@/lib/auth/password";
import { makeUser, PASSWORD, SYSTEM } from "@/tests/support/factories";

async function activeAdmins() {
  return db.user.count({ where: { role: "ADMIN", disabled: false } });
}

describe("users", () => {
  it("are created with lower-case unique usernames and emails, and audited without secrets", async () => {
    const { user, generatedPassword } = await createUser(db, SYSTEM, { username: "Mixed.Case", email: "Mixed@Example.test", role: "USER" });
    expect(user.username).toBe("mixed.case");
    expect(user.email).toBe("mixed@example.test");
    expect(generatedPassword).toMatch(/^\w{20}$/);
    await expect(createUser(db, SYSTEM, { username: "MIXED.case", email: "other@example.test" })).rejects.toMatchObject({ code: "conflict", fields: { username: expect.any(String) } });
    await expect(createUser(db, SYSTEM, { username: "another", email: "MIXED@example.test" })).rejects.toMatchObject({ code: "conflict", fields: { email: expect.any(String) } });
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: "user.create", targetId: user.id } });
    expect(event.after).toContain('"username":"mixed.case"');
    expect(event.after).not.toMatch(/password|scrypt/i);
  });

  it("refuse invalid input with per-field messages", async () => {
    await expect(createUser(db, SYSTEM, { username: "x", email: "not-an-email", password: "short" })).rejects.toMatchObject({
      issues: expect.arrayContaining([
        expect.objectContaining({ path: ["username"] }),
        expect.objectContaining({ path: ["email"] }),
        expect.objectContaining({ path: ["password"] }),
      ]),
    });
  });

  it("never lose the last active administrator (disable or demote)", async () => {
    // Make this file's database hold exactly one active admin.
    await db.user.updateMany({ where: { role: "ADMIN" }, data: { role: "USER" } });
    const admin = await makeUser("ADMIN");
    await expect(setUserDisabled(db, SYSTEM, admin.username, true)).rejects.toMatchObject({ code: "last_admin", status: 409 });
    await expect(setUserRole(db, SYSTEM, admin.username, "USER")).rejects.toMatchObject({ code: "last_admin" });
    expect(await activeAdmins()).toBe(1);

    const second = await makeUser("ADMIN");
    await setUserDisabled(db, SYSTEM, admin.username, true);
    // Now `second` is the last active admin; the disabled one does not count.
    await expect(setUserRole(db, SYSTEM, second.username, "USER")).rejects.toMatchObject({ code: "last_admin" });
    await setUserDisabled(db, SYSTEM, admin.username, false);
    await setUserRole(db, SYSTEM, second.username, "USER");
    expect(await activeAdmins()).toBe(1);
  });

  it("record before and after for role changes and disabling", async () => {
    const user = await makeUser();
    await setUserRole(db, SYSTEM, user.username, "ADMIN");
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: "user.role", targetId: user.id } });
    expect(JSON.parse(event.before!)).toMatchObject({ role: "USER" });
    expect(JSON.parse(event.after!)).toMatchObject({ role: "ADMIN" });
  });

  it("reset a password, ending earlier sessions and forgiving failed sign-ins", async () => {
    const user = await makeUser();
    await db.loginFailure.create({ data: { scope: "user", key: user.username } });
    const before = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { sessionsValidAfter: true } });
    await new Promise((r) => setTimeout(r, 5));
    const { password } = await resetPassword(db, SYSTEM, user.username);
    const after = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { sessionsValidAfter: true, passwordHash: true } });
    expect(after.sessionsValidAfter.getTime()).toBeGreaterThan(before.sessionsValidAfter.getTime());
    expect(await verifyPassword(password, after.passwordHash)).toBe(true);
    expect(await verifyPassword(PASSWORD, after.passwordHash)).toBe(false);
    expect(await db.loginFailure.count({ where: { key: user.username } })).toBe(0);
    await expect(resetPassword(db, SYSTEM, user.username, "short")).rejects.toMatchObject({ code: "validation_failed" });
    await expect(resetPassword(db, SYSTEM, "no-such-user")).rejects.toMatchObject({ code: "not_found" });
  });

  it("let people change their own password only with the current one", async () => {
    const user = await makeUser();
    const actor = { id: user.id, username: user.username, via: "session" as const };
    await expect(changeOwnPassword(db, actor, "wrong password", "a brand new password")).rejects.toMatchObject({ fields: { currentPassword: expect.any(String) } });
    await changeOwnPassword(db, actor, PASSWORD, "a brand new password");
    const row = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } });
    expect(await verifyPassword("a brand new password", row.passwordHash)).toBe(true);
  });

  it("are read without their password hash unless asked", async () => {
    const user = await makeUser();
    const row = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row).not.toHaveProperty("passwordHash");
  });
});
