import crypto from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { log } from "@/lib/log";
import { signRequest } from "@/lib/oauth1";
import { memoryNonceStore } from "@/lib/oauth1/test-support";
import { verifyIncoming } from "@/lib/incoming/verify-incoming";

describe("incoming verification", () => {
  it("logs our base string at debug on signature_invalid, and never a key", async () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const consumer = { key: "logged-consumer", publicKey };
    const s = await signRequest({ method: "GET", url: "http://example.com/a?x=1" }, { key: consumer.key, privateKey });
    const debug = vi.spyOn(log, "debug").mockImplementation(() => undefined);
    const tampered = { method: "GET", url: "http://example.com/a?x=2", headers: new Headers({ authorization: s.authorization }) };
    await expect(verifyIncoming(tampered, { consumers: { findConsumer: async () => consumer }, nonces: memoryNonceStore() })).rejects.toMatchObject({ problem: "signature_invalid" });
    expect(debug).toHaveBeenCalledTimes(1);
    const [fields, message] = debug.mock.calls[0] as unknown as [Record<string, string>, string];
    expect(message).toMatch(/signature_invalid/);
    expect(fields.baseString).toBe("GET&http%3A%2F%2Fexample.com%2Fa&" + fields.baseString!.split("&").slice(2).join("&"));
    expect(fields.baseString).toContain("x%3D2");
    expect(JSON.stringify(fields)).not.toMatch(/PRIVATE|BEGIN/);
    debug.mockRestore();
  });
});
