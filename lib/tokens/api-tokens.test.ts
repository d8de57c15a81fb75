import { databaseBytes } from "@/tests/support/database-contents";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { authenticateApiToken, createApiToken, hashToken, listApiTokens, revokeApiToken } from "@/lib/tokens/api-tokens";
import { setUserDisabled } from "@/lib/users/update-user";
import { makeUser, SYSTEM } from "@/tests/support/factories";

describe("API tokens", () => {
  it("are shown once and stored only as a SHA-256 hash", async () => {
    const user = await makeUser();
    const { token, view } = await createApiToken(db, SYSTEM, user, "deploy");
    expect(token).toMatch(/^ala_[\w-]{43}$/);
    expect(view.preview).toBe(token.slice(-4));
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: view.id }, select: { tokenHash: true } });
    expect(row.tokenHash).toBe(hashToken(token));
    expect(row.tokenHash).not.toContain(token.slice(4, 20));
    const file = await databaseBytes();
    expect(file.includes(Buffer.from(token))).toBe(false);
  });

  it("authenticate their owner, record last use, and stop working once revoked", async () => {
    const user = await makeUser();
    const { token, view } = await createApiToken(db, SYSTEM, user, "ci");
    expect((await authenticateApiToken(db, token))?.id).toBe(user.id);
    expect((await listApiTokens(db, user.id))[0]?.lastUsedAt).toBeInstanceOf(Date);
    await revokeApiToken(db, SYSTEM, user.id, view.id);
    expect(await authenticateApiToken(db, token)).toBeNull();
  });

  it("refuse tokens of disabled users, unknown tokens and junk", async () => {
    const user = await makeUser();
    const { token } = await createApiToken(db, SYSTEM, user, "x");
    await setUserDisabled(db, SYSTEM, user.username, true);
    expect(await authenticateApiToken(db, token)).toBeNull();
    expect(await authenticateApiToken(db, `${token.slice(0, -1)}A`)).toBeNull();
    expect(await authenticateApiToken(db, "not-a-token")).toBeNull();
    expect(await authenticateApiToken(db, "ala_" + "x".repeat(500))).toBeNull();
  });

  it("cannot be revoked by someone else (answers not found)", async () => {
    const owner = await makeUser();
    const other = await makeUser();
    const { token, view } = await createApiToken(db, SYSTEM, owner, "mine");
    await expect(revokeApiToken(db, SYSTEM, other.id, view.id)).rejects.toMatchObject({ code: "not_found" });
    expect(await authenticateApiToken(db, token)).not.toBeNull();
  });

  it("refuse a duplicate active name but allow reusing a revoked one", async () => {
    const user = await makeUser();
    const first = await createApiToken(db, SYSTEM, user, "laptop");
    await expect(createApiToken(db, SYSTEM, user, "laptop")).rejects.toMatchObject({ code: "conflict" });
    await revokeApiToken(db, SYSTEM, user.id, first.view.id);
    const second = await createApiToken(db, SYSTEM, user, "laptop");
    expect(second.view.name).toBe("laptop");
    expect((await listApiTokens(db, user.id)).length).toBe(2);
  });

  it("are audited on creation and revocation, without the secret", async () => {
    const user = await makeUser();
    const { token, view } = await createApiToken(db, SYSTEM, user, "audited");
    await revokeApiToken(db, SYSTEM, user.id, view.id);
    const events = await db.auditEvent.findMany({ where: { targetId: view.id }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["token.create", "token.revoke"]);
    expect(JSON.stringify(events)).not.toContain(token);
  });
});
