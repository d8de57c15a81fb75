import crypto from "node:crypto";
import forge from "node-forge";

/** The parts of a subject an admin types (seed 002: the customer's domain as the common name). */
export interface CsrSubject {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  locality?: string;
  state?: string;
  country?: string;
}

const FIELDS: Array<[keyof CsrSubject, string]> = [
  ["country", "C"],
  ["state", "ST"],
  ["locality", "L"],
  ["organization", "O"],
  ["organizationalUnit", "OU"],
  ["commonName", "CN"],
];

/** "CN=…, O=…": a subject as people read it. */
export function subjectText(subject: CsrSubject): string {
  return [...FIELDS].reverse().filter(([k]) => subject[k]).map(([k, short]) => `${short}=${subject[k]}`).join(", ");
}

/**
 * A new RSA key (node:crypto) and a PKCS#10 certificate signing request for `subject` signed with it
 * (SHA-256, built with node-forge: Node has no CSR API), asking for TLS client authentication. The
 * key is returned for the vault and never shown; the CSR goes to the authority that will sign it.
 */
export function createClientCsr(subject: CsrSubject, bits = 2048): { csrPem: string; privateKeyPem: string } {
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: bits });
  const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ type: "pkcs1", format: "pem" }) as string) as forge.pki.rsa.PrivateKey;
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.rsa.setPublicKey(forgeKey.n, forgeKey.e);
  csr.setSubject(FIELDS.filter(([k]) => subject[k]).map(([k, shortName]) => ({ shortName, value: subject[k]! })));
  csr.setAttributes([{ name: "extensionRequest", extensions: [{ name: "extKeyUsage", clientAuth: true }, { name: "keyUsage", digitalSignature: true, keyEncipherment: true }] }]);
  csr.sign(forgeKey, forge.md.sha256.create());
  return { csrPem: forge.pki.certificationRequestToPem(csr), privateKeyPem };
}
