import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import { databaseBytes } from "@/tests/support/database-contents";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { appSigner, ensureAppIdentity } from "@/lib/identity/app-identity";
import { GET as manifestRoute } from "@/app/rest/applinks/1.0/manifest/route";
import { GET as consumerInfoRoute } from "@/app/plugins/servlet/oauth/consumer-info/route";
import { parsePublicKey, publicKeyFingerprint } from "@/lib/crypto/rsa-keys";
import { APPLINKS_VERSION } from "@/lib/applinks/manifest";

/** Python's ElementTree, as an independent XML reader: element texts by tag. */
function readXml(xml: string): Record<string, string[]> {
  const script = "import sys,json,xml.etree.ElementTree as E\nr=E.fromstring(sys.stdin.buffer.read())\no={'_root':[r.tag]}\nfor c in r: o.setdefault(c.tag,[]).append(c.text or '')\nprint(json.dumps(o))";
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", script], { input: xml, encoding: "utf8" }));
}

describe("this app's identity", () => {
  it("is created once, with a consumer key from the instance id and the private key only in the vault", async () => {
    const [a, b] = await Promise.all([ensureAppIdentity(db), ensureAppIdentity(db)]);
    expect(a.instanceId).toBe(b.instanceId);
    expect((await ensureAppIdentity(db)).consumerKey).toBe(`applink-admin:${a.instanceId}`);
    expect(await db.appIdentity.count()).toBe(1);
    const key = (await appSigner(db)).privateKey;
    const sig = crypto.sign("sha1", Buffer.from("base string"), key);
    expect(crypto.verify("sha1", Buffer.from("base string"), crypto.createPublicKey(a.publicKeyPem), sig)).toBe(true);
    const file = await databaseBytes();
    const pkcs8 = key.export({ type: "pkcs8", format: "der" }) as Buffer;
    expect(file.includes(pkcs8.subarray(40, 80))).toBe(false);
    expect(file.includes(Buffer.from(pkcs8.subarray(40, 80).toString("base64").slice(0, 40)))).toBe(false);
    expect(file.includes(Buffer.from("PRIVATE KEY"))).toBe(false);
  });

  it("serves a manifest an XML client reads: id, name, typeId, version, buildNumber, applinksVersion, url, auth types", async () => {
    const identity = await ensureAppIdentity(db);
    const response = await manifestRoute(new Request("http://applink.test:3000/rest/applinks/1.0/manifest", { headers: { host: "applink.test:3000" } }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/xml/);
    const xml = readXml(await response.text());
    expect(xml._root).toEqual(["manifest"]);
    expect(xml.id).toEqual([identity.instanceId]);
    expect(xml.name).toEqual([identity.consumerName]);
    expect(xml.typeId).toEqual(["applink-admin"]);
    expect(xml.version?.[0]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(xml.buildNumber?.[0]).toMatch(/^\d+$/);
    expect(xml.applinksVersion).toEqual([APPLINKS_VERSION]);
    expect(xml.url).toEqual(["http://applink.test:3000"]);
    expect(xml.inboundAuthenticationTypes).toContain("com.atlassian.applinks.api.auth.types.OAuthAuthenticationProvider");
    expect(xml.outboundAuthenticationTypes?.length).toBe(3);
  });

  it("serves consumer info whose public key is the identity's, and escapes what needs escaping", async () => {
    await db.appIdentity.update({ where: { id: 1 }, data: { consumerName: `R&D <"Tools"> 'Ünïcode'` } });
    const identity = await ensureAppIdentity(db);
    const xml = readXml(await (await consumerInfoRoute()).text());
    expect(xml._root).toEqual(["consumer"]);
    expect(xml.key).toEqual([identity.consumerKey]);
    expect(xml.name).toEqual([`R&D <"Tools"> 'Ünïcode'`]);
    expect(publicKeyFingerprint(parsePublicKey(xml.publicKey![0]!))).toBe(identity.fingerprint);
    expect(xml.description).toEqual([identity.description]);
  });
});
