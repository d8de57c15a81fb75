import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { prismaNonceStore } from "@/lib/oauth-provider/nonce-store";
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

  it("keeps nonces per consumer and purges old ones", async () => {
    const store = prismaNonceStore(db, 300);
    await db.oAuthNonce.create({ data: { consumerKey: "old", nonce: "n1", timestamp: 1, createdAt: new Date(Date.now() - 3600_000) } });
    expect(await store.use("a", "same-nonce", 1)).toBe(true);
    expect(await store.use("b", "same-nonce", 1)).toBe(true);
    expect(await store.use("a", "same-nonce", 1)).toBe(false);
    expect(await store.isUsed("a", "same-nonce")).toBe(true);
    expect(await db.oAuthNonce.count({ where: { consumerKey: "old" } })).toBe(0);
  });
});
