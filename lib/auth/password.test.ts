import { describe, expect, it } from "vitest";
import { DUMMY_HASH, generatePassword, hashPassword, verifyPassword } from "@/lib/auth/password";

describe("password hashing (scrypt)", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^scrypt\$15\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword("correct horse battery staple", hash)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts every hash", async () => {
    const [a, b] = await Promise.all([hashPassword("same password here"), hashPassword("same password here")]);
    expect(a).not.toBe(b);
  });

  it("treats Unicode-equivalent spellings as the same password (NFKC)", async () => {
    const hash = await hashPassword("café au lait!!");
    expect(await verifyPassword("cafe\u0301 au lait!!", hash)).toBe(true);
  });

  it("treats malformed or foreign hashes as a failed check, never a throw", async () => {
    for (const stored of ["", "plain", "scrypt$15$8$1$abc", "bcrypt$x$y$z$a$b", "scrypt$99$8$1$AAAA$AAAA", DUMMY_HASH]) {
      await expect(verifyPassword("anything at all", stored)).resolves.toBe(false);
    }
  });

  it("generates readable passwords from an unambiguous alphabet", () => {
    const passwords = new Set(Array.from({ length: 50 }, () => generatePassword()));
    expect(passwords.size).toBe(50);
    for (const p of passwords) expect(p).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{20}$/);
  });
});
