// Opens a PKCS#12 file (.p12, .pfx) on a worker thread: lib/crypto/pkcs12.ts starts it, with a
// time and memory limit, so that no file of any shape can stall the server's event loop.
// Plain JavaScript (not TypeScript): the production server loads it by path, outside Next.js's bundle.
import { parentPort, workerData } from "node:worker_threads";
import forge from "node-forge";

/**
 * Password-based encryption and MAC algorithms whose parameters carry an iteration count:
 * PKCS#12's own PBE (1.2.840.113549.1.12.1.1-6), PKCS#5 v1 PBE (1.2.840.113549.1.5.1-11) and
 * PBKDF2 (1.2.840.113549.1.5.12, inside PBES2 1.2.840.113549.1.5.13).
 */
const PBE_WITH_ITERATIONS = /^1\.2\.840\.113549\.1\.(12\.1\.[1-6]|5\.(1|3|4|6|10|11|12))$/;

/** A refusal with the reason for a person; `count` when an iteration count was too high. */
function refuse(message, count) {
  const error = new Error(message);
  error.refusal = true;
  if (count !== undefined) error.count = count;
  return error;
}

function integerOf(node) {
  if (!node || node.tagClass !== forge.asn1.Class.UNIVERSAL || node.type !== forge.asn1.Type.INTEGER || typeof node.value !== "string") return null;
  // Read in full, whatever its length: 2^31 - 1 and 2^64 must both be seen for what they are.
  let n = 0n;
  for (const byte of node.value) n = (n << 8n) | BigInt(byte.charCodeAt(0));
  return n;
}

/**
 * Every iteration count the file states where it can be read without a key: MacData's, and each
 * PBE algorithm's (EncryptedData, shrouded key bags in clear SafeContents, PBES2's PBKDF2),
 * descending into OCTET STRINGs that hold DER. Counts inside encrypted content are unreadable
 * until it is decrypted: the guards below catch those before any derivation.
 */
function statedIterationCounts(root) {
  const counts = [];
  const pfx = root.value;
  if (Array.isArray(pfx) && pfx.length >= 3 && Array.isArray(pfx[2].value)) {
    const macData = pfx[2].value;
    const iterations = macData.length >= 3 ? integerOf(macData[2]) : 1n;
    if (iterations !== null) counts.push({ where: "the MAC", count: iterations });
  }
  const seen = new Set();
  const walk = (node, depth) => {
    if (!node || depth > 40 || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node.value)) {
      const [first, second] = node.value;
      if (first && first.type === forge.asn1.Type.OID && first.tagClass === forge.asn1.Class.UNIVERSAL && second && Array.isArray(second.value)) {
        const oid = forge.asn1.derToOid(first.value);
        if (PBE_WITH_ITERATIONS.test(oid)) {
          const iterations = integerOf(second.value[1]);
          if (iterations !== null) counts.push({ where: oid.startsWith("1.2.840.113549.1.5.12") ? "PBKDF2" : "the encryption", count: iterations });
        }
      }
      for (const child of node.value) walk(child, depth + 1);
    } else if (node.type === forge.asn1.Type.OCTETSTRING && typeof node.value === "string" && node.value.charCodeAt(0) === 0x30) {
      try {
        walk(forge.asn1.fromDer(forge.util.createBuffer(node.value), { strict: true, decodeBitStrings: false }), depth + 1);
      } catch {
        // Not DER (encrypted bytes that happen to start like a SEQUENCE): nothing stated there.
      }
    }
  };
  walk(root, 0);
  return counts;
}

function capIterations(maxIterations) {
  const check = (count) => {
    if (!(Number(count) <= maxIterations)) throw refuse(`This PKCS#12 file asks for ${Number(count).toLocaleString("en-US")} key-derivation iterations; at most ${maxIterations.toLocaleString("en-US")} are accepted (OpenSSL writes 2,048, Java 10,000). Export it again with the usual settings.`, Number(count));
  };
  const pkcs12Key = forge.pbe.generatePkcs12Key;
  forge.pkcs12.generateKey = forge.pbe.generatePkcs12Key = function (password, salt, id, iter, n, md) {
    check(iter);
    return pkcs12Key.call(this, password, salt, id, iter, n, md);
  };
  const pbkdf2 = forge.pkcs5.pbkdf2;
  forge.pkcs5.pbkdf2 = function (password, salt, iter, ...rest) {
    check(iter);
    return pbkdf2.call(this, password, salt, iter, ...rest);
  };
  return check;
}

function rsaBits(key) {
  return key && key.n ? key.n.bitLength() : 0;
}

function open({ der, passphrase, maxIterations, maxRsaBits }) {
  let root;
  try {
    root = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString("binary")));
  } catch {
    throw refuse("This is not a PKCS#12 file (.p12 or .pfx, base64).");
  }
  const check = capIterations(maxIterations);
  for (const { count } of statedIterationCounts(root)) check(count);
  let p12;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(root, false, passphrase);
  } catch (error) {
    if (error && error.refusal) throw error;
    const message = (error && error.message) || "";
    throw refuse(/mac|password|invalid/i.test(message) ? "The passphrase does not open this PKCS#12 file." : "This is not a PKCS#12 file (.p12 or .pfx, base64).");
  }
  const bags = (type) => p12.getBags({ bagType: type })[type] || [];
  const keys = [...bags(forge.pki.oids.pkcs8ShroudedKeyBag), ...bags(forge.pki.oids.keyBag)].filter((bag) => bag.key);
  const certificates = bags(forge.pki.oids.certBag).flatMap((bag) => (bag.cert ? [bag.cert] : []));
  if (keys.length !== 1) throw refuse(keys.length ? "The PKCS#12 file holds several private keys: export the one for this link alone." : "The PKCS#12 file holds no private key.");
  if (!certificates.length) throw refuse("The PKCS#12 file holds no certificate.");
  const key = keys[0].key;
  for (const bits of [rsaBits(key), ...certificates.map((c) => rsaBits(c.publicKey))]) {
    if (bits > maxRsaBits) throw refuse(`The PKCS#12 file holds an RSA key of ${bits} bits; at most ${maxRsaBits} are accepted.`);
  }
  const publicPem = forge.pki.publicKeyToPem(forge.pki.setRsaPublicKey(key.n, key.e));
  const leaf = certificates.find((c) => forge.pki.publicKeyToPem(c.publicKey) === publicPem) || certificates[0];
  const chain = [leaf, ...certificates.filter((c) => c !== leaf)];
  return {
    certificatePem: chain.map((c) => forge.pki.certificateToPem(c)).join(""),
    privateKeyPem: forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key))),
  };
}

try {
  parentPort.postMessage({ ok: open(workerData) });
} catch (error) {
  parentPort.postMessage(error && error.refusal ? { refused: error.message, count: error.count } : { refused: "This PKCS#12 file could not be opened." });
}
