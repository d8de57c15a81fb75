"""Test certificates made with python3-cryptography: a CA, a leaf for 127.0.0.1 signed by it, a
self-signed leaf, and client certificates for mutual TLS (one from the CA valid for a year, one
from the CA that expired yesterday, one self-signed). Prints them as JSON (PEM strings). Only for
tests: nothing is kept.

`make_certs.py --client-for-seconds N` reads {"ca", "caKey"} (JSON, as printed) on stdin and prints
{"client", "clientKey"}: a client certificate from that CA that expires N seconds from now."""
import datetime, ipaddress, json, sys
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)

def pem_key(k):
    return k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()

def cert(subject_cn, subject_key, issuer_cn, issuer_key, ca=False, client=False, days=(-1, 30), seconds=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)]))
         .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)]))
         .public_key(subject_key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now + datetime.timedelta(days=days[0]))
         .not_valid_after(now + (datetime.timedelta(seconds=seconds) if seconds is not None else datetime.timedelta(days=days[1])))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if client:
        b = b.add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    elif not ca:
        b = b.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    return b.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()

if len(sys.argv) == 3 and sys.argv[1] == "--client-for-seconds":
    given = json.load(sys.stdin)
    issuer_key = serialization.load_pem_private_key(given["caKey"].encode(), password=None)
    issuer_cn = x509.load_pem_x509_certificate(given["ca"].encode()).subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    short_key = key()
    print(json.dumps({"client": cert("applink-admin short-lived client", short_key, issuer_cn, issuer_key, client=True, seconds=int(sys.argv[2])), "clientKey": pem_key(short_key)}))
    sys.exit(0)

ca_key, leaf_key, self_key = key(), key(), key()
client_key, expired_key, stranger_key = key(), key(), key()
print(json.dumps({
    "client": cert("applink-admin client", client_key, "Applink test CA", ca_key, client=True, days=(-1, 365)),
    "clientKey": pem_key(client_key),
    "expiredClient": cert("applink-admin expired client", expired_key, "Applink test CA", ca_key, client=True, days=(-30, -1)),
    "expiredClientKey": pem_key(expired_key),
    "strangerClient": cert("stranger", stranger_key, "stranger", stranger_key, client=True, days=(-1, 365)),
    "strangerClientKey": pem_key(stranger_key),
    "ca": cert("Applink test CA", ca_key, "Applink test CA", ca_key, ca=True),
    "caKey": pem_key(ca_key),
    "leaf": cert("127.0.0.1", leaf_key, "Applink test CA", ca_key),
    "leafKey": pem_key(leaf_key),
    "selfSigned": cert("127.0.0.1", self_key, "127.0.0.1", self_key),
    "selfSignedKey": pem_key(self_key),
}))
