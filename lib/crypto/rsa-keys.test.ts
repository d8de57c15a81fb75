import crypto from "node:crypto";
import forge from "node-forge";
import { describe, expect, it } from "vitest";
import { rsaPublicKeyOfBits } from "@/tests/support/pkcs12-files";
import { generateRsaKeyPair, KeyFormatError, parsePrivateKey, parsePublicKey, privateKeyPem, publicKeyBase64, publicKeyFingerprint, publicKeyPem } from "@/lib/crypto/rsa-keys";

function problemOf(input: string) {
  try {
    parsePublicKey(input);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyFormatError);
    return (error as KeyFormatError).problem;
  }
  return "accepted";
}

describe("RSA keys", () => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const spkiPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const pkcs1Pem = publicKey.export({ type: "pkcs1", format: "pem" }).toString();
  const spkiB64 = (publicKey.export({ type: "spki", format: "der" }) as Buffer).toString("base64");
  const pkcs1B64 = (publicKey.export({ type: "pkcs1", format: "der" }) as Buffer).toString("base64");
  const fingerprint = publicKeyFingerprint(publicKey);

  it("accepts every way admins paste a public key, as the same key", () => {
    const wrapped = spkiB64.replace(/(.{64})/g, "$1\n");
    for (const input of [spkiPem, pkcs1Pem, spkiB64, pkcs1B64, wrapped, `  ${spkiB64}\r\n`, spkiPem.replace(/\n/g, "\r\n")]) {
      expect(publicKeyFingerprint(parsePublicKey(input))).toBe(fingerprint);
    }
  });

  it("refuses RSA public keys over 8,192 bits, pasted as PEM or base64, naming the size", () => {
    // Only the modulus's size matters to the check: an odd number of that size is made in a millisecond.
    const ofBits = (bits: number) => forge.pki.publicKeyToPem(rsaPublicKeyOfBits(bits));
    expect(problemOf(ofBits(8192))).toBe("accepted");
    expect(problemOf(ofBits(8200))).toBe("too_large");
    expect(problemOf(ofBits(16384).replace(/-----[A-Z ]+-----|\s/g, ""))).toBe("too_large");
    expect(() => parsePublicKey(ofBits(16384))).toThrow("This RSA key has 16384 bits; at most 8192 are accepted.");
  });

  it("refuses non-RSA, small, private, empty and malformed keys, naming the problem", () => {
    const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
    const small = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(problemOf(ec)).toBe("not_rsa");
    expect(problemOf(small)).toBe("too_small");
    expect(problemOf(privateKey.export({ type: "pkcs8", format: "pem" }).toString())).toBe("private_key_given");
    expect(problemOf("   ")).toBe("empty");
    for (const junk of ["hello", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "QUJD", spkiB64.slice(0, 100)]) expect(problemOf(junk)).toBe("malformed");
    expect(() => parsePublicKey(small)).toThrow(/1024 bits; at least 2048/);
  });

  // Issue 10, finding 9: a private key pasted as bare base64 DER had its public half derived silently.
  it("refuses a private key in every encoding, with words that say what to paste instead", () => {
    const ecPrivate = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const forms = [
      privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      (privateKey.export({ type: "pkcs8", format: "der" }) as Buffer).toString("base64"),
      (privateKey.export({ type: "pkcs1", format: "der" }) as Buffer).toString("base64").replace(/(.{64})/g, "$1\n"),
      (ecPrivate.export({ type: "sec1", format: "der" }) as Buffer).toString("base64"),
      privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "x" }).toString(),
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
    ];
    for (const form of forms) {
      expect(problemOf(form)).toBe("private_key_given");
      expect(() => parsePublicKey(form)).toThrow(/^This is a private key: paste the public key/);
    }
  });

  it("exports as PEM and as bare base64 that read back", () => {
    expect(publicKeyPem(publicKey)).toBe(spkiPem);
    expect(publicKeyBase64(publicKey)).toBe(spkiB64);
    expect(publicKeyBase64(publicKey)).not.toMatch(/\s/);
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(publicKeyFingerprint(crypto.createPublicKey(parsePrivateKey(privateKeyPem(privateKey))))).toBe(fingerprint);
  });

  it("generates key pairs of the offered sizes (2048 and 3072 tried here) that sign and verify", async () => {
    for (const bits of [2048, 3072] as const) {
      const pair = await generateRsaKeyPair(bits);
      expect(pair.publicKey.asymmetricKeyDetails?.modulusLength).toBe(bits);
      const sig = crypto.sign("sha1", Buffer.from("x"), pair.privateKey);
      expect(crypto.verify("sha1", Buffer.from("x"), pair.publicKey, sig)).toBe(true);
    }
  });
});
