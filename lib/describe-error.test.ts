import { describe, expect, it } from "vitest";
import { z } from "zod";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { describeError } from "@/lib/describe-error";
import { makeUser } from "@/tests/support/factories";
import { parsePublicKey } from "@/lib/crypto/rsa-keys";
import { masterKey, open, seal } from "@/lib/crypto/envelope";
import { verifyConnectJwt } from "@/lib/connect-jwt/verify";
import { fetchRemoteText } from "@/lib/outgoing/remote-fetch";
import { OAuthProblemError } from "@/lib/oauth1";
import { freePort } from "@/tests/support/free-port";

describe("describeError: the one mapping from a thrown error to what its caller is told", () => {
  it("says what was wrong with each field, keeps the app's own errors, and never shows a stack", () => {
    const zod = z.object({ name: z.string().min(3, "Too short.") }).safeParse({ name: "a" }).error!;
    expect(describeError(zod, "test")).toEqual({ status: 400, code: "validation_failed", message: "Some fields are not valid.", fields: { name: "Too short." } });
    expect(describeError(new AppError("authorization_required", "Authorize first.", { extra: { authorizeUrl: "/x" } }), "test")).toEqual({ status: 401, code: "authorization_required", message: "Authorize first.", extra: { authorizeUrl: "/x" } });
    const bug = describeError(new TypeError("x is undefined at secret.ts:12"), "test", { logUnexpected: false });
    expect(bug).toMatchObject({ status: 500, code: "internal_error" });
    expect(bug.message).toMatch(/^Something went wrong on our side \(error id [0-9a-f-]{36}\)\.$/);
  });

  it("answers a duplicate (Prisma P2002) with 409 and a record that is gone (P2025) with 404, as forms and the API both do now", async () => {
    const user = await makeUser();
    const duplicate = await db.user.create({ data: { username: user.username, email: "other@example.test", displayName: "Other", passwordHash: "x" } }).catch((error: unknown) => error);
    expect(describeError(duplicate, "test")).toMatchObject({ status: 409, code: "conflict" });
    const gone = await db.user.update({ where: { id: "no-such-user" }, data: { displayName: "x" } }).catch((error: unknown) => error);
    expect(describeError(gone, "test")).toMatchObject({ status: 404, code: "not_found" });
  });

  it("says the layers' own errors with the one table's code and their own words, never as a bug", async () => {
    const caught = async (run: () => unknown) => {
      try {
        await run();
      } catch (error) {
        return describeError(error, "test", { logUnexpected: false });
      }
      throw new Error("expected a refusal");
    };
    expect(await caught(() => parsePublicKey("not a key"))).toMatchObject({ status: 400, code: "validation_failed", message: expect.stringMatching(/not a public key/) });
    const key = masterKey(Buffer.alloc(32, 7));
    const sealed = seal("secret", key, "a");
    expect(await caught(() => open(sealed, [key], "b"))).toMatchObject({ status: 503, code: "unavailable", message: expect.stringMatching(/failed authentication/) });
    expect(await caught(() => verifyConnectJwt("x.y", { method: "GET", url: "http://a/b", baseUrl: "http://a" }, async () => null))).toMatchObject({ status: 401, code: "unauthenticated", extra: { problem: "jwt_malformed" } });
    const port = await freePort();
    expect(await caught(() => fetchRemoteText(`http://127.0.0.1:${port}/`, { timeoutMs: 2000 }))).toMatchObject({ status: 502, code: "network_error", extra: { problem: "refused" } });
    expect(describeError(new OAuthProblemError("nonce_used", { advice: "Sign again." }), "test")).toEqual({ status: 401, code: "nonce_used", message: "Sign again." });
    expect(describeError(new OAuthProblemError("parameter_absent"), "test")).toMatchObject({ status: 400, code: "parameter_absent" });
  });
});
