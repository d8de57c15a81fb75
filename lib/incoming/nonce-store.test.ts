import crypto from "node:crypto";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { db } from "@/lib/db";
import { nonceStoreFor, postgresqlNonceStore, prismaNonceStore, purgeNonces, sqliteNonceStore } from "@/lib/incoming/nonce-store";
import { databaseKind, databaseUrl, sqliteFile } from "@/lib/env/paths";
import pg from "pg";
import { OAuthProblemError, signRequest, verifyRequest } from "@/lib/oauth1";

describe("database nonce store", () => {
  it("lets exactly one of two identical requests through when they arrive together", async () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const consumer = { key: "race-consumer", publicKey };
    const s = await signRequest({ method: "GET", url: "http://example.com/race" }, { key: consumer.key, privateKey });
    const request = { method: "GET", url: s.url, headers: new Headers({ authorization: s.authorization }) };
    const options = { consumers: { findConsumer: async () => consumer }, nonces: prismaNonceStore(db) };
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => verifyRequest(request, options).then(() => "ok", (e: OAuthProblemError) => e.problem)));
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "nonce_used")).toHaveLength(7);
    expect(await db.oAuthNonce.count({ where: { consumerKey: "race-consumer" } })).toBe(1);
  });

  it("over the database's own statements, from two connections (two processes, or two instances), still accepts exactly one copy", async () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const consumer = { key: "race-consumer-sqlite", publicKey };
    const url = databaseUrl();
    const pools = databaseKind(url) === "postgresql" ? [new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url })] : [];
    onTestFinished(() => Promise.all(pools.map((p) => p.end())).then(() => undefined));
    const stores = pools.length ? pools.map((p) => postgresqlNonceStore(p)) : [sqliteNonceStore(sqliteFile(url)), sqliteNonceStore(sqliteFile(url))];
    const s = await signRequest({ method: "GET", url: "http://example.com/race" }, { key: consumer.key, privateKey });
    const request = { method: "GET", url: s.url, headers: new Headers({ authorization: s.authorization }) };
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => verifyRequest(request, { consumers: { findConsumer: async () => consumer }, nonces: stores[i % 2]! }).then(() => "ok", (e: OAuthProblemError) => e.problem)),
    );
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "nonce_used")).toHaveLength(9);
    // The same table Prisma sees: reset and delete forget a consumer's nonces there.
    expect(await db.oAuthNonce.count({ where: { consumerKey: consumer.key } })).toBe(1);
    expect(await prismaNonceStore(db).isUsed(consumer.key, s.oauthParams.find(([n]) => n === "oauth_nonce")![1])).toBe(true);
  });

  it("keeps nonces per consumer and purges old ones", async () => {
    const store = prismaNonceStore(db);
    await db.oAuthNonce.create({ data: { consumerKey: "old", nonce: "n1", timestamp: Math.floor(Date.now() / 1000) - 3600 } });
    const now = Math.floor(Date.now() / 1000);
    expect(await store.use("a", "same-nonce", now)).toBe(true);
    expect(await store.use("b", "same-nonce", now)).toBe(true);
    expect(await store.use("a", "same-nonce", now)).toBe(false);
    expect(await store.isUsed("a", "same-nonce")).toBe(true);
    expect(await purgeNonces(db, 300)).toBe(1);
    expect(await db.oAuthNonce.count({ where: { consumerKey: "old" } })).toBe(0);
    expect(await store.isUsed("a", "same-nonce")).toBe(true);
  });

  afterEach(() => vi.useRealTimers());

  // Issue 10, finding 6: with a 30 s window, a request stamped 30 s ahead was replayable once the
  // purge (by storage time) had run, while its timestamp was still inside the window.
  it(`never forgets a nonce while its request's timestamp is still accepted, across a purge (the ${databaseKind()} store production uses)`, async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const window = 30;
    const t0 = Date.UTC(2026, 10, 30, 12, 0, 0);
    vi.setSystemTime(t0);
    const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const consumer = { key: "future-consumer", publicKey };
    // The store production uses on this database (SQLite's prepared statements, or PostgreSQL's nonce pool), not Prisma's.
    const store = nonceStoreFor(db);
    const options = { consumers: { findConsumer: async () => consumer }, nonces: store, timestampWindowSeconds: window };
    const stampedAhead = await signRequest({ method: "GET", url: "http://example.com/ahead" }, { key: consumer.key, privateKey }, { now: () => t0 + window * 1000 });
    const request = { method: "GET", url: stampedAhead.url, headers: new Headers({ authorization: stampedAhead.authorization }) };
    const verify = () => verifyRequest(request, options).then(() => "ok", (e: OAuthProblemError) => e.problem);
    const purgeAt = async (ms: number) => {
      vi.setSystemTime(ms);
      await purgeNonces(db, window);
    };

    expect(await verify()).toBe("ok");
    // 60.5 s later the next purge runs: the nonce was stored two windows ago, but its timestamp
    // (t0 + 30 s) is still inside the window (now, t0 + 60 s, less 30 s): a replay must still be refused.
    await purgeAt(t0 + 2 * window * 1000 + 500);
    expect(await verify()).toBe("nonce_used");
    // Once the timestamp is out of the window the timestamp check refuses replays, and the nonce may go.
    await purgeAt(t0 + 4 * window * 1000 + 1000);
    expect(await verify()).toBe("timestamp_refused");
    expect(await db.oAuthNonce.count({ where: { consumerKey: "future-consumer" } })).toBe(0);
  });
});
