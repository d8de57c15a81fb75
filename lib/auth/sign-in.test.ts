import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { SIGN_IN_MESSAGES, signInWithPassword, SignInError } from "@/lib/auth/sign-in";
import { checkThrottle } from "@/lib/auth/throttle";
import { setUserDisabled } from "@/lib/users/update-user";
import { makeUser, PASSWORD, SYSTEM } from "@/tests/support/factories";

async function attempt(username: string, password: string, ip: string) {
  try {
    await signInWithPassword(db, { username, password, ip });
    return "ok";
  } catch (error) {
    expect(error).toBeInstanceOf(SignInError);
    return (error as SignInError).message;
  }
}

describe("sign-in with throttling", () => {
  beforeEach(async () => {
    await db.loginFailure.deleteMany();
  });

  it("signs in with the right password, case-insensitively by username", async () => {
    const user = await makeUser();
    const signedIn = await signInWithPassword(db, { username: user.username.toUpperCase(), password: PASSWORD, ip: "10.0.0.1" });
    expect(signedIn.id).toBe(user.id);
  });

  it("answers an unknown username exactly as a wrong password (no enumeration)", async () => {
    const user = await makeUser();
    expect(await attempt(user.username, "wrong password!", "10.0.0.2")).toBe(SIGN_IN_MESSAGES.invalid);
    expect(await attempt("nobody-here", "wrong password!", "10.0.0.3")).toBe(SIGN_IN_MESSAGES.invalid);
  });

  it("blocks a username after 5 failures, from any address, even with the right password", async () => {
    const user = await makeUser();
    for (let i = 0; i < 5; i++) expect(await attempt(user.username, "wrong", `10.1.0.${i}`)).toBe(SIGN_IN_MESSAGES.invalid);
    const message = await attempt(user.username, PASSWORD, "10.1.0.99");
    expect(message).toMatch(/^Too many failed sign-in attempts\. Try again in 15 minutes\.$/);
  });

  it("blocks an address after 5 failures, whatever username it tries next", async () => {
    const user = await makeUser();
    for (let i = 0; i < 5; i++) await attempt(`someone-${i}`, "wrong", "10.2.0.1");
    expect(await attempt(user.username, PASSWORD, "10.2.0.1")).toMatch(/^Too many failed/);
    expect(await attempt(user.username, PASSWORD, "10.2.0.2")).toBe("ok");
  });

  it("counts only failures inside the window", async () => {
    const user = await makeUser();
    for (let i = 0; i < 5; i++) await attempt(user.username, "wrong", "10.3.0.1");
    const later = new Date(Date.now() + 15 * 60_000 + 1000);
    expect(await checkThrottle(db, { username: user.username, ip: "10.3.0.1" }, later)).toEqual({ blocked: false });
    const soon = new Date(Date.now() + 60_000);
    const verdict = await checkThrottle(db, { username: user.username, ip: "10.3.0.9" }, soon);
    expect(verdict.blocked).toBe(true);
  });

  it("forgives a username's failures after a successful sign-in", async () => {
    const user = await makeUser();
    for (let i = 0; i < 4; i++) await attempt(user.username, "wrong", `10.4.0.${i}`);
    expect(await attempt(user.username, PASSWORD, "10.4.1.1")).toBe("ok");
    expect(await db.loginFailure.count({ where: { scope: "user", key: user.username } })).toBe(0);
  });

  it("refuses a disabled user only once the password is proven", async () => {
    const user = await makeUser();
    await setUserDisabled(db, SYSTEM, user.username, true);
    expect(await attempt(user.username, "wrong", "10.5.0.1")).toBe(SIGN_IN_MESSAGES.invalid);
    expect(await attempt(user.username, PASSWORD, "10.5.0.1")).toBe(SIGN_IN_MESSAGES.disabled);
  });
});
