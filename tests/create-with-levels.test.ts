/** Creating a link with exactly the levels its form shows (issue 22): what only this admin decides is asked, checked first, and applied. */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import type { Caller } from "@/lib/auth/caller";
import { toCaller } from "@/lib/auth/caller";
import { publicKeyBase64 } from "@/lib/crypto/rsa-keys";
import { createLinkWithLevels, serviceUsernameFor, type LevelsAtCreation } from "@/lib/links/create-with-levels";
import { makeUser } from "@/tests/support/factories";
import { startFixtureRemote } from "@/tests/support/fixture-remote";

let remote: Awaited<ReturnType<typeof startFixtureRemote>>;
let caller: Caller;
let n = 0;

beforeAll(async () => {
  remote = await startFixtureRemote({ consumer: { key: "jira:levels-consumer", name: "Levels Jira", publicKeyBase64: publicKeyBase64(crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey) } });
  const admin = await makeUser("ADMIN");
  caller = toCaller((await db.user.findUniqueOrThrow({ where: { id: admin.id } })) as never, "session");
});
afterAll(() => remote.close());

const none = { threeLegged: false, twoLegged: false, impersonation: false };
/** A fresh remote each time: its own URL and consumer key, so links do not clash. */
function fresh() {
  n += 1;
  remote.behaviour.manifest = { id: `levels-app-${n}`, name: `Levels ${n}`, typeId: "jira" };
  remote.behaviour.consumer = { ...remote.behaviour.consumer!, key: `jira:levels-${n}` };
  return { rpcUrl: `${remote.url}/levels-${n}`, fetchConsumer: true };
}

describe("createLinkWithLevels", () => {
  it("proposes a plain username for the user 2LO runs as", () => {
    expect(serviceUsernameFor("First")).toBe("first-2lo");
    expect(serviceUsernameFor("Jira (Prod) — Ünïcode")).toBe("jira-prod-unicode-2lo");
    expect(serviceUsernameFor("★★★")).toBe("linked-app-2lo");
  });

  it("creates exactly what the form showed: the levels both ways, 2LO running as a new user made for it (audited, no password shown)", async () => {
    const levels: LevelsAtCreation = { outgoing: { threeLegged: true, twoLegged: false, impersonation: true }, incoming: { threeLegged: true, twoLegged: true, impersonation: false }, runAs: { kind: "service", username: `svc-${n + 1}` }, impersonationConfirmed: false };
    const input = fresh();
    const { link, warnings } = await createLinkWithLevels(db, caller, input, levels);
    expect(link).toMatchObject({ outEnabled: true, out3lo: true, out2lo: false, outImpersonation: true, inEnabled: true, in3lo: true, in2lo: true, inImpersonation: false, inExecuteAs: `svc-${n}` });
    const user = await db.user.findUniqueOrThrow({ where: { username: `svc-${n}` } });
    expect(user).toMatchObject({ role: "USER", disabled: false, displayName: `Levels ${n} (2-legged requests)` });
    expect(warnings.join(" ")).toMatch(new RegExp(`Created the user "svc-${n}"`));
    expect(await db.auditEvent.count({ where: { action: "user.create", targetLabel: `svc-${n}` } })).toBe(1);
  });

  it("refuses before creating anything: impersonation unconfirmed, a taken or invalid username, an unknown or disabled existing user", async () => {
    const taken = await makeUser("USER");
    const disabled = await makeUser("USER");
    await db.user.update({ where: { id: disabled.id }, data: { disabled: true } });
    const cases: [Partial<LevelsAtCreation>, string, RegExp][] = [
      [{ incoming: { ...none, impersonation: true } }, "inImpersonationConfirmed", /share one user base/],
      [{ incoming: { ...none, twoLegged: true } }, "inServiceUser", /name one/],
      [{ incoming: { ...none, twoLegged: true }, runAs: { kind: "service", username: taken.username } }, "inServiceUser", /already exists/],
      [{ incoming: { ...none, twoLegged: true }, runAs: { kind: "service", username: "-bad name" } }, "inServiceUser", /letters, digits/],
      [{ incoming: { ...none, twoLegged: true }, runAs: { kind: "existing", username: "nobody-here" } }, "inExecuteAs", /No user named/],
      [{ incoming: { ...none, twoLegged: true }, runAs: { kind: "existing", username: disabled.username } }, "inExecuteAs", /is disabled/],
    ];
    for (const [change, field, message] of cases) {
      const before = await db.link.count();
      const input = fresh();
      await expect(createLinkWithLevels(db, caller, input, { outgoing: none, incoming: none, impersonationConfirmed: false, ...change })).rejects.toMatchObject({ code: "validation_failed", fields: { [field]: expect.stringMatching(message) } });
      expect(await db.link.count()).toBe(before);
    }
  });

  it("an existing user for 2LO, impersonation confirmed; and incoming not set up without a consumer is said, not dropped", async () => {
    const runner = await makeUser("USER");
    const { link } = await createLinkWithLevels(db, caller, fresh(), { outgoing: none, incoming: { threeLegged: false, twoLegged: true, impersonation: true }, runAs: { kind: "existing", username: runner.username }, impersonationConfirmed: true });
    expect(link).toMatchObject({ in2lo: true, inImpersonation: true, inExecuteAs: runner.username, outEnabled: false });
    const { link: noConsumer, warnings } = await createLinkWithLevels(db, caller, { ...fresh(), fetchConsumer: false }, { outgoing: { ...none, twoLegged: true }, incoming: { ...none, threeLegged: true }, impersonationConfirmed: false });
    expect(noConsumer).toMatchObject({ inEnabled: false, outEnabled: true, out2lo: true });
    expect(warnings.join(" ")).toMatch(/Incoming .* was not set up: its consumer is not known yet/);
  });
});
