import crypto from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { masterKey, masterKeyFromBase64, open, rewrap, seal, sealedKeyId, VaultError } from "@/lib/crypto/envelope";

const k1 = masterKey(crypto.randomBytes(32));
const k2 = masterKey(crypto.randomBytes(32));

function vaultProblem(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VaultError);
    return (error as VaultError).problem;
  }
  return "opened";
}

describe("envelope encryption", () => {
  it("seals and opens, with a fresh data key and IV every time", () => {
    const a = seal("-----BEGIN PRIVATE KEY-----secret", k1, "ctx");
    const b = seal("-----BEGIN PRIVATE KEY-----secret", k1, "ctx");
    expect(a).not.toBe(b);
    expect(a).not.toContain("secret");
    expect(sealedKeyId(a)).toBe(k1.id);
    expect(open(a, [k1], "ctx").toString()).toBe("-----BEGIN PRIVATE KEY-----secret");
  });

  it("refuses a tampered ciphertext, one moved to another record, and an unknown key, clearly", () => {
    const sealed = seal("token secret", k1, "vault:token:1");
    const parts = sealed.split(".");
    const payload = Buffer.from(parts[3]!, "base64url");
    payload[payload.length - 1]! ^= 1;
    const tampered = [...parts.slice(0, 3), payload.toString("base64url")].join(".");
    expect(vaultProblem(() => open(tampered, [k1], "vault:token:1"))).toBe("tampered");
    expect(vaultProblem(() => open(sealed, [k1], "vault:token:2"))).toBe("tampered");
    expect(vaultProblem(() => open(sealed, [k2], "vault:token:1"))).toBe("unknown_key");
    expect(vaultProblem(() => open("garbage", [k1], "x"))).toBe("malformed");
    expect(vaultProblem(() => open(`v1.${k1.id}.AAAA.AAAA`, [k1], "x"))).toBe("malformed");
  });

  it("re-wraps under a new master key without touching the payload", () => {
    const sealed = seal("shared secret", k1, "c");
    const moved = rewrap(sealed, [k1], k2);
    expect(sealedKeyId(moved)).toBe(k2.id);
    expect(moved.split(".")[3]).toBe(sealed.split(".")[3]);
    expect(open(moved, [k2], "c").toString()).toBe("shared secret");
    expect(vaultProblem(() => open(moved, [k1], "c"))).toBe("unknown_key");
  });

  it("reads master keys from base64 and refuses wrong lengths", () => {
    const b64 = crypto.randomBytes(32).toString("base64");
    expect(masterKeyFromBase64(b64).key.toString("base64")).toBe(b64);
    expect(vaultProblem(() => masterKeyFromBase64(crypto.randomBytes(16).toString("base64")))).toBe("bad_master_key");
    expect(vaultProblem(() => masterKeyFromBase64("not base64 at all!"))).toBe("bad_master_key");
  });

  it("a VaultError from another copy of this module (Next.js bundles it more than once) is still a VaultError", async () => {
    vi.resetModules();
    const copy = await import("@/lib/crypto/envelope");
    expect(copy.VaultError).not.toBe(VaultError);
    const foreign = new copy.VaultError("key_provider", "The HSM does not answer.");
    expect(foreign instanceof VaultError).toBe(true);
    expect(new VaultError("tampered", "x") instanceof copy.VaultError).toBe(true);
    expect(new Error("not one") instanceof VaultError).toBe(false);
    expect(Object.assign(new Error("look-alike"), { name: "VaultError", problem: "key_provider" }) instanceof VaultError).toBe(false);
  });
});
