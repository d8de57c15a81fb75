import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { ensureAppIdentity } from "@/lib/identity/app-identity";
import { cachedReads, cachedReadsForTest, sqliteDate, withOneCacheVersion } from "@/lib/db/cached-reads";
import { createApiToken, hashToken, revokeApiToken } from "@/lib/tokens/api-tokens";
import { storeSecret } from "@/lib/vault/vault";
import { makeUser, SYSTEM } from "@/tests/support/factories";

describe("cached reads", () => {
  const { prisma, fast } = cachedReadsForTest(db);

  it("answer exactly what Prisma answers, for every row shape on the hot path", async () => {
    await ensureAppIdentity(db);
    const user = await makeUser("ADMIN");
    const { token } = await createApiToken(db, SYSTEM, user, "fast reads");
    const secretId = await storeSecret(db, "test", "s3cret");
    // Every boolean on, every optional filled, and a second link with every default.
    const full = await db.link.create({
      data: {
        name: "Full",
        type: "jira",
        rpcUrl: "https://full.example.test",
        displayUrl: "https://full.example.test/display",
        remoteAppId: "remote-app",
        primary: true,
        trustedApps: true,
        basicAccess: true,
        outEnabled: true,
        out3lo: true,
        out2lo: true,
        outImpersonation: true,
        out2loUsers: true,
        outRequestTokenUrl: "https://full.example.test/rt",
        outAuthorizeUrl: "https://full.example.test/az",
        outAccessTokenUrl: "https://full.example.test/at",
        inEnabled: true,
        inConsumerKey: "full-consumer",
        inJwtIssuer: "full-issuer",
        inJwtSecretId: "sec_full",
        inConsumerName: "Full consumer",
        inPublicKeyPem: "-----BEGIN PUBLIC KEY-----",
        in3lo: true,
        in2lo: true,
        inExecuteAs: "someone",
        inImpersonation: true,
        lastProblem: "timestamp_refused",
        lastProblemAt: new Date("2026-01-02T03:04:05.678Z"),
      },
    });
    const bare = await db.link.create({ data: { name: "Bare", type: "generic", rpcUrl: "https://bare.example.test", displayUrl: "https://bare.example.test" } });
    await db.oAuthAccessToken.create({ data: { userId: user.id, linkId: full.id, token: "access-token", secretId } });
    await db.oAuthIssuedToken.create({ data: { linkId: full.id, kind: "access", tokenHash: "issued-hash", secretId, userId: user.id, callback: "oob", verifierHash: "v", expiresAt: new Date("2031-01-01T00:00:00.000Z"), lastUsedAt: new Date("2026-11-30T10:00:00.123Z") } });
    await db.oAuthIssuedToken.create({ data: { linkId: bare.id, kind: "request", tokenHash: "pending-hash", secretId, expiresAt: new Date("2026-12-01T00:00:00.000Z") } });
    // An OAuth 2.0 grant used and revoked (every optional filled), and one never used.
    const client = await db.oAuth2Client.create({ data: { linkId: full.id, clientId: "full-client", secretHash: "h", redirectUris: "[]", scopes: "READ WRITE" } });
    const used = await db.oAuth2Grant.create({ data: { clientRowId: client.id, userId: user.id, scopes: "READ", codeHash: "c1", lastUsedAt: new Date("2026-11-30T10:00:00.123Z"), revokedAt: new Date("2026-12-01T10:00:00.456Z") } });
    const fresh = await db.oAuth2Grant.create({ data: { clientRowId: client.id, userId: user.id, scopes: "READ WRITE", codeHash: "c2" } });
    await db.oAuth2Token.create({ data: { tokenHash: "oauth2-used", grantId: used.id, kind: "access", expiresAt: new Date("2031-01-01T00:00:00.000Z"), spentAt: new Date("2026-12-01T00:00:00.000Z") } });
    await db.oAuth2Token.create({ data: { tokenHash: "oauth2-fresh", grantId: fresh.id, kind: "refresh", expiresAt: new Date("2031-01-01T00:00:00.000Z") } });

    const calls: Array<[string, (r: typeof prisma) => Promise<unknown>]> = [
      ["token", (r) => r.apiTokenByHash(hashToken(token))],
      ["unknown token", (r) => r.apiTokenByHash(hashToken("ala_nope"))],
      ["user", (r) => r.userById(user.id)],
      ["unknown user", (r) => r.userById("nope")],
      ["full link", (r) => r.linkById(full.id)],
      ["bare link", (r) => r.linkById(bare.id)],
      ["unknown link", (r) => r.linkById("nope")],
      ["signer", (r) => r.appSignerRow()],
      ["access token", (r) => r.accessToken(user.id, full.id)],
      ["no access token", (r) => r.accessToken(user.id, bare.id)],
      ["secret", (r) => r.vaultSecret(secretId)],
      ["link by consumer key", (r) => r.linkByConsumerKey("full-consumer")],
      ["unknown consumer key", (r) => r.linkByConsumerKey("nope")],
      ["link by JWT issuer", (r) => r.linkByJwtIssuer("full-issuer")],
      ["unknown JWT issuer", (r) => r.linkByJwtIssuer("nope")],
      ["user by username", (r) => r.userByUsername(user.username)],
      ["unknown username", (r) => r.userByUsername("nobody-at-all")],
      ["issued access token", (r) => r.issuedToken("issued-hash")],
      ["issued request token", (r) => r.issuedToken("pending-hash")],
      ["unknown issued token", (r) => r.issuedToken("nope")],
      ["OAuth 2.0 token of a used, revoked grant", (r) => r.oauth2AccessToken("oauth2-used")],
      ["OAuth 2.0 token of a fresh grant", (r) => r.oauth2AccessToken("oauth2-fresh")],
      ["unknown OAuth 2.0 token", (r) => r.oauth2AccessToken("nope")],
    ];
    for (const [name, call] of calls) {
      expect({ name, value: await call(fast) }).toEqual({ name, value: await call(prisma) });
    }
    expect(await fast.linkById(full.id)).toMatchObject({ primary: true, inImpersonation: true, lastProblemAt: new Date("2026-01-02T03:04:05.678Z") });
  });

  it("are kept until anything is committed, then see the write at once (a revoked token, a disabled user)", async () => {
    const user = await makeUser("USER");
    const { token, view } = await createApiToken(db, SYSTEM, user, "revoke me");
    const first = await fast.apiTokenByHash(hashToken(token));
    expect(first?.revokedAt).toBeNull();
    // Unchanged database: the same answer from memory, frozen so no caller can change it for the next.
    expect(await fast.apiTokenByHash(hashToken(token))).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    await revokeApiToken(db, SYSTEM, user.id, view.id);
    expect((await fast.apiTokenByHash(hashToken(token)))?.revokedAt).toBeInstanceOf(Date);
    await db.user.update({ where: { id: user.id }, data: { disabled: true } });
    expect((await fast.userById(user.id))?.disabled).toBe(true);
  });

  it("read the counter once per request (withOneCacheVersion), and the next request sees a revocation", async () => {
    const user = await makeUser("USER");
    const { token, view } = await createApiToken(db, SYSTEM, user, "one version");
    const reads = cachedReads(db);
    await reads.apiTokenByHash(hashToken(token));
    // Within one request, a revocation committed after its first read is not seen: one counter read for the request.
    const within = await withOneCacheVersion(async () => {
      const before = await reads.apiTokenByHash(hashToken(token));
      await revokeApiToken(db, SYSTEM, user.id, view.id);
      return { before, after: await reads.apiTokenByHash(hashToken(token)) };
    });
    expect(within.before?.revokedAt).toBeNull();
    expect(within.after).toBe(within.before);
    // The next request reads the counter again, and sees it.
    expect((await withOneCacheVersion(() => reads.apiTokenByHash(hashToken(token))))?.revokedAt).toBeInstanceOf(Date);
  });

  // Issue 13: every incoming OAuth request writes a nonce; that write must not empty the cache.
  it("are kept across writes to tables they do not read (nonces), and dropped on a change to one they do", async () => {
    const user = await makeUser("USER");
    const first = await fast.userById(user.id);
    await db.oAuthNonce.create({ data: { consumerKey: "cache-test", nonce: "n1", timestamp: Math.floor(Date.now() / 1000) } });
    expect(await fast.userById(user.id)).toBe(first);
    await db.link.create({ data: { name: "Bump", type: "generic", rpcUrl: "https://bump.example.test", displayUrl: "https://bump.example.test" } });
    const after = await fast.userById(user.id);
    expect(after).not.toBe(first);
    expect(after).toEqual(first);
  });

  it("use prepared statements for the process-wide client only (a transaction reads through Prisma)", async () => {
    expect(cachedReads(db)).toBe(cachedReads(db));
    await db.$transaction(async (tx) => {
      const link = await tx.link.create({ data: { name: "In tx", type: "generic", rpcUrl: "https://tx.example.test", displayUrl: "https://tx.example.test" } });
      expect((await cachedReads(tx).linkById(link.id))?.name).toBe("In tx");
      expect(await cachedReads(db).linkById(link.id)).toBeNull();
    });
  });

  it("read SQLite's own timestamp text as UTC", () => {
    expect(sqliteDate("2026-11-23 02:37:47")).toEqual(new Date("2026-11-23T02:37:47Z"));
    expect(sqliteDate("2026-11-23T02:37:47.006+00:00")).toEqual(new Date("2026-11-23T02:37:47.006Z"));
    expect(sqliteDate(1_700_000_000_000)).toEqual(new Date(1_700_000_000_000));
    expect(sqliteDate(null)).toBeNull();
  });
});
