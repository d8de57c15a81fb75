/**
 * PKCS#12 files for tests, made with node-forge from a key Node generates: a valid one, and the same
 * file re-encoded with other iteration counts (the MAC's, or every password-based encryption's), as
 * an attacker or a careless export tool would write it.
 */
import crypto from "node:crypto";
import forge from "node-forge";

export function selfSignedCertificate(bits = 2048): { keyPem: string; certificatePem: string } {
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: bits });
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = "01";
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const name = [{ name: "commonName", value: "pkcs12 test client" }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(key, forge.md.sha256.create());
  return { keyPem, certificatePem: forge.pki.certificateToPem(cert) };
}

/** An RSA public key whose modulus is a random odd number of exactly `bits` bits (a multiple of 8): not a usable key, but its size is real. */
export function rsaPublicKeyOfBits(bits: number): forge.pki.rsa.PublicKey {
  const bytes = forge.random.getBytesSync(bits / 8).split("").map((c) => c.charCodeAt(0));
  bytes[0]! |= 0x80;
  bytes[bytes.length - 1]! |= 1;
  return forge.pki.setRsaPublicKey(new forge.jsbn.BigInteger(Buffer.from(bytes).toString("hex"), 16), new forge.jsbn.BigInteger("65537", 10));
}

/**
 * A certificate for a public key of `bits` bits (an odd number of that size, not a real key: only
 * its size is read), signed by `signer`: a chain member too large to accept, made in a millisecond.
 */
function certificateWithModulusOf(bits: number, signerPem: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = rsaPublicKeyOfBits(bits);
  cert.serialNumber = "02";
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  cert.setSubject([{ name: "commonName", value: `a ${bits}-bit intermediate` }]);
  cert.setIssuer([{ name: "commonName", value: "pkcs12 test client" }]);
  cert.sign(forge.pki.privateKeyFromPem(signerPem), forge.md.sha256.create());
  return cert;
}

/**
 * A PKCS#12 file as OpenSSL's defaults would write it (3DES, 2,048 iterations, a SHA-1 MAC), with
 * a chain certificate of `chainKeyBits` bits when given, and `iterations` for the MAC and every encryption.
 */
export function makePkcs12(passphrase: string, options: { chainKeyBits?: number; iterations?: number } = {}): Buffer {
  const { keyPem, certificatePem } = selfSignedCertificate();
  const chain = [forge.pki.certificateFromPem(certificatePem), ...(options.chainKeyBits ? [certificateWithModulusOf(options.chainKeyBits, keyPem)] : [])];
  const asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(keyPem), chain, passphrase, { algorithm: "3des", count: options.iterations ?? 2048 });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
}

const PBE_OID = /^1\.2\.840\.113549\.1\.(12\.1\.[1-6]|5\.(1|3|4|6|10|11|12))$/;

function integer(n: number): forge.asn1.Asn1 {
  let hex = n.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = "00" + hex;
  return forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.INTEGER, false, forge.util.hexToBytes(hex));
}

/**
 * The same file with other iteration counts: `mac` rewrites MacData's, `encryption` every
 * password-based encryption's that can be read without the key (the MAC is not recomputed, as the
 * attacker's file would not be either: it fails only after the count has been paid for).
 */
export function withIterations(der: Buffer, counts: { mac?: number; encryption?: number }): Buffer {
  const rewrite = (node: forge.asn1.Asn1): void => {
    if (Array.isArray(node.value)) {
      const [first, second] = node.value;
      if (counts.encryption !== undefined && first?.type === forge.asn1.Type.OID && second && Array.isArray(second.value) && PBE_OID.test(forge.asn1.derToOid(first.value as string))) {
        second.value[1] = integer(counts.encryption);
      }
      node.value.forEach(rewrite);
    } else if (node.type === forge.asn1.Type.OCTETSTRING && typeof node.value === "string" && node.value.charCodeAt(0) === 0x30) {
      try {
        const inner = forge.asn1.fromDer(forge.util.createBuffer(node.value), true);
        rewrite(inner);
        node.value = forge.asn1.toDer(inner).getBytes();
      } catch {
        // Encrypted bytes, not DER.
      }
    }
  };
  const root = forge.asn1.fromDer(forge.util.createBuffer(der.toString("binary")));
  const pfx = root.value as forge.asn1.Asn1[];
  rewrite(pfx[1]!);
  if (counts.mac !== undefined) {
    const macData = pfx[2]!.value as forge.asn1.Asn1[];
    macData[2] = integer(counts.mac);
  }
  return Buffer.from(forge.asn1.toDer(root).getBytes(), "binary");
}
