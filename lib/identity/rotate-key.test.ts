import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { appSigner, ensureAppIdentity } from "@/lib/identity/app-identity";
import { rotateAppKeyPair } from "@/lib/identity/rotate-key";
import { createLink } from "@/lib/links/create-link";
import { setOutgoing } from "@/lib/links/update-link";
import { SYSTEM } from "@/tests/support/factories";

describe("rotating this app's key pair", () => {
  it("signs with the new key at once, drops the old private key, and names the links to update", async () => {
    const before = await ensureAppIdentity(db);
    const oldKey = (await appSigner(db)).privateKey;
    const oldSecret = (await db.appIdentity.findUniqueOrThrow({ where: { id: 1 } })).privateKeySecretId;
    const { link: signing } = await createLink(db, SYSTEM, { name: "Signs with us", type: "jira", rpcUrl: "http://rot-1.example.test" });
    await setOutgoing(db, SYSTEM, signing.id, { threeLegged: true, twoLegged: false, impersonation: false });
    await createLink(db, SYSTEM, { name: "Not yet", type: "generic", rpcUrl: "http://rot-2.example.test" });

    const result = await rotateAppKeyPair(db, SYSTEM);
    expect(result.affected.map((l) => l.name)).toEqual(["Signs with us"]);
    expect(result.identity.fingerprint).not.toBe(before.fingerprint);
    expect(result.identity.consumerKey).toBe(before.consumerKey);

    const newKey = (await appSigner(db)).privateKey;
    const sig = crypto.sign("sha1", Buffer.from("x"), newKey);
    expect(crypto.verify("sha1", Buffer.from("x"), crypto.createPublicKey(result.identity.publicKeyPem), sig)).toBe(true);
    expect(crypto.verify("sha1", Buffer.from("x"), crypto.createPublicKey(before.publicKeyPem), sig)).toBe(false);
    expect(newKey).not.toBe(oldKey);
    expect(await db.vaultSecret.count({ where: { id: oldSecret } })).toBe(0);
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: "identity.rotate-key" } });
    expect(JSON.parse(event.after!)).toMatchObject({ fingerprint: result.identity.fingerprint, linksToUpdate: ["Signs with us"] });
  });
});
