import { describe, expect, it } from "vitest";
import { encodeFlash, FLASH_SECONDS, readFlash } from "@/lib/http/flash";

describe("flash messages", () => {
  const secret = "flash test secret";
  const now = Date.parse("2026-12-03T12:00:00Z");
  const value = encodeFlash("/links/abc", [{ tone: "success", text: "Jira is authorized." }], secret, now);

  it("are read back on their page while fresh", () => {
    expect(readFlash(value, "/links/abc", secret, now + 1000)).toEqual([{ tone: "success", text: "Jira is authorized." }]);
  });

  it("are nothing on another page, once expired, under another secret, or when altered", () => {
    expect(readFlash(value, "/links/other", secret, now)).toEqual([]);
    expect(readFlash(value, "/links/abc", secret, now + FLASH_SECONDS * 1000 + 1)).toEqual([]);
    expect(readFlash(value, "/links/abc", "another secret", now)).toEqual([]);
    const [payload, signature] = value.split(".");
    const forged = Buffer.from(JSON.stringify({ p: "/links/abc", e: now + 60_000, m: [{ tone: "error", text: "Call +1 555 0100 now" }] })).toString("base64url");
    expect(readFlash(`${forged}.${signature}`, "/links/abc", secret, now)).toEqual([]);
    expect(readFlash(`${payload}.`, "/links/abc", secret, now)).toEqual([]);
    expect(readFlash("garbage", "/links/abc", secret, now)).toEqual([]);
    expect(readFlash(undefined, "/links/abc", secret, now)).toEqual([]);
  });

  it("stay small enough for a cookie: long messages are cut", () => {
    const long = encodeFlash("/p", [{ tone: "warning", text: "w".repeat(10_000) }, { tone: "warning", text: "dropped" }], secret, now);
    expect(long.length).toBeLessThan(4000);
    const [message, ...rest] = readFlash(long, "/p", secret, now);
    expect(message!.text).toMatch(/^w+…$/);
    expect(rest).toEqual([]);
  });
});
