import forge from "node-forge";

/** A PKCS#12 file (.p12, .pfx) that could not be opened: the message says why, for a person. */
export class Pkcs12Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Pkcs12Error";
  }
}

/**
 * The certificate chain and private key inside a PKCS#12 file, as PEM (node-forge reads the format;
 * Node can use a PFX for TLS but not open one): the leaf is the certificate whose public key matches
 * the private key, the others follow it as its chain.
 */
export function pemFromPkcs12(der: Buffer, passphrase: string): { certificatePem: string; privateKeyPem: string } {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString("binary"))), false, passphrase);
  } catch (error) {
    const message = (error as Error).message ?? "";
    throw new Pkcs12Error(/mac|password|invalid/i.test(message) ? "The passphrase does not open this PKCS#12 file." : "This is not a PKCS#12 file (.p12 or .pfx, base64).");
  }
  const bags = (type: string): forge.pkcs12.Bag[] => p12.getBags({ bagType: type })[type] ?? [];
  const keys = [...bags(forge.pki.oids.pkcs8ShroudedKeyBag!), ...bags(forge.pki.oids.keyBag!)].filter((bag) => bag.key);
  const certificates = bags(forge.pki.oids.certBag!).flatMap((bag) => (bag.cert ? [bag.cert] : []));
  if (keys.length !== 1) throw new Pkcs12Error(keys.length ? "The PKCS#12 file holds several private keys: export the one for this link alone." : "The PKCS#12 file holds no private key.");
  if (!certificates.length) throw new Pkcs12Error("The PKCS#12 file holds no certificate.");
  const key = keys[0]!.key as forge.pki.rsa.PrivateKey;
  const publicPem = forge.pki.publicKeyToPem(forge.pki.setRsaPublicKey(key.n, key.e));
  const leaf = certificates.find((c) => forge.pki.publicKeyToPem(c.publicKey) === publicPem) ?? certificates[0]!;
  const chain = [leaf, ...certificates.filter((c) => c !== leaf)];
  return { certificatePem: chain.map((c) => forge.pki.certificateToPem(c)).join(""), privateKeyPem: forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key))) };
}
