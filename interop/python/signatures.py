"""ECDSA P-256/SHA-256 signatures and SubjectPublicKeyInfo public keys
(SPEC.md §16.8), with plain integers: the publisher's and the custodian's
keys, key ids, and verification over the exact payload bytes."""
import base64
import hashlib

from curves import P256, DecodeError

# id-ecPublicKey (1.2.840.10045.2.1) and prime256v1 (1.2.840.10045.3.1.7), DER.
EC_PUBLIC_KEY_OID = bytes.fromhex("06072a8648ce3d0201")
P256_OID = bytes.fromhex("06082a8648ce3d030107")
SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")


class KeyError_(Exception):
    """A key that cannot be used (its encoding, its curve)."""


def der_length(data, i):
    """(length, next offset) of a DER length at data[i], minimal form only."""
    if i >= len(data):
        raise KeyError_("truncated DER")
    first = data[i]
    if first < 0x80:
        return first, i + 1
    count = first & 0x7F
    if count == 0 or count > 2 or i + 1 + count > len(data):
        raise KeyError_("bad DER length")
    value = int.from_bytes(data[i + 1:i + 1 + count], "big")
    if value < 0x80 or (count == 2 and value < 0x100):
        raise KeyError_("non-minimal DER length")
    return value, i + 1 + count


def der_element(data, i, tag):
    """(contents, next offset) of the element with `tag` at data[i]."""
    if i >= len(data) or data[i] != tag:
        raise KeyError_("expected DER tag %02x" % tag)
    length, j = der_length(data, i + 1)
    if j + length > len(data):
        raise KeyError_("truncated DER")
    return data[j:j + length], j + length


class PublicKey:
    """An ECDSA P-256 public key: its DER SubjectPublicKeyInfo and point."""

    def __init__(self, der):
        der = bytes(der)
        if not der or len(der) > 1024:
            raise KeyError_("not a public key (wrong length)")
        # SEQUENCE { SEQUENCE { OID ecPublicKey, OID prime256v1 }, BIT STRING { 00 04 X Y } }
        body, end = der_element(der, 0, 0x30)
        if end != len(der):
            raise KeyError_("bytes after the SubjectPublicKeyInfo")
        algorithm, i = der_element(body, 0, 0x30)
        bits, j = der_element(body, i, 0x03)
        if j != len(body):
            raise KeyError_("bytes after the public key")
        if algorithm[:len(EC_PUBLIC_KEY_OID)] != EC_PUBLIC_KEY_OID:
            raise KeyError_("the public key is not an EC key")
        if algorithm[len(EC_PUBLIC_KEY_OID):] != P256_OID:
            raise KeyError_("the public key is not an ECDSA P-256 key")
        if len(bits) != 66 or bits[0] != 0 or bits[1] != 0x04:
            raise KeyError_("the public key is not in its canonical DER encoding (an uncompressed P-256 point)")
        x, y = int.from_bytes(bits[2:34], "big"), int.from_bytes(bits[34:], "big")
        if x >= P256.p or y >= P256.p or not P256.is_on_curve((x, y)):
            raise KeyError_("the public key is not a point of P-256")
        if der != SPKI_PREFIX + bits[1:]:
            raise KeyError_("the public key is not in its canonical DER encoding")
        self.der, self.point = der, (x, y)

    @property
    def key_id(self):
        """Lower-case hex of SHA-256(DER)[0:16]."""
        return hashlib.sha256(self.der).digest()[:16].hex()

    @staticmethod
    def from_pem(text):
        if "PRIVATE KEY" in text:
            raise KeyError_("this is a private key; give the public key (the .pub.pem file that keygen wrote next to it)")
        begin, end = "-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----"
        if begin not in text or end not in text:
            raise KeyError_("not a PEM public key (expected -----BEGIN PUBLIC KEY-----)")
        body = text.split(begin, 1)[1].split(end, 1)[0]
        try:
            der = base64.b64decode("".join(body.split()), validate=True)
        except ValueError:
            raise KeyError_("the PEM public key cannot be decoded")
        return PublicKey(der)

    def verify(self, signature, message):
        """True iff `signature` (DER) is an ECDSA signature of SHA-256(message)."""
        try:
            r, s = parse_signature(signature)
        except KeyError_:
            return False
        q = P256.q
        e = int.from_bytes(hashlib.sha256(bytes(message)).digest(), "big")
        w = pow(s, -1, q)
        R = P256.msm([e * w % q, r * w % q], [P256.G, self.point])
        return R is not None and R[0] % q == r


def parse_signature(sig):
    """(r, s) of a strict DER ECDSA signature, each in [1, q − 1]."""
    sig = bytes(sig)
    if not sig or len(sig) > 80:
        raise KeyError_("signature length")
    body, end = der_element(sig, 0, 0x30)
    if end != len(sig):
        raise KeyError_("bytes after the signature")
    values = []
    i = 0
    for _ in range(2):
        raw, i = der_element(body, i, 0x02)
        if not raw or raw[0] & 0x80 or (len(raw) > 1 and raw[0] == 0 and not raw[1] & 0x80):
            raise KeyError_("not a minimal positive DER integer")
        v = int.from_bytes(raw, "big")
        if not 1 <= v < P256.q:
            raise KeyError_("signature value out of range")
        values.append(v)
    if i != len(body):
        raise KeyError_("bytes after s")
    return values[0], values[1]


__all__ = ["PublicKey", "KeyError_", "parse_signature", "DecodeError"]
