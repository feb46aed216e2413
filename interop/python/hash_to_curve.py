"""RFC 9380 hash_to_curve for P256_XMD:SHA-256_SSWU_RO_ and
secp256k1_XMD:SHA-256_SSWU_RO_ (SPEC.md §5 and Appendix A)."""
import hashlib

from curves import P256, SECP256K1


def sha256(b):
    return hashlib.sha256(b).digest()


# -- SPEC.md §5.1: expand_message_xmd with SHA-256 -------------------------------

def dst_prime(dst):
    if len(dst) > 255:
        dst = sha256(b"H2C-OVERSIZE-DST-" + dst)
    return dst + bytes([len(dst)])


def msg_prime(msg, dst, length):
    return bytes(64) + msg + length.to_bytes(2, "big") + b"\x00" + dst_prime(dst)


def expand_message_xmd(msg, dst, length):
    ell = (length + 31) // 32
    if not dst or ell > 255 or length > 65535:
        raise ValueError("expand_message_xmd: invalid length or DST")
    dp = dst_prime(dst)
    b0 = sha256(msg_prime(msg, dst, length))
    out, prev = b"", bytes(32)
    for i in range(1, ell + 1):
        prev = sha256(bytes(x ^ y for x, y in zip(b0, prev)) + bytes([i]) + dp)
        out += prev
    return out[:length]


# -- SPEC.md §5.2: hash_to_field, count 2, L = 48 -------------------------------

def hash_to_field(curve, msg, dst):
    u = expand_message_xmd(msg, dst, 96)
    return [int.from_bytes(u[48 * i:48 * (i + 1)], "big") % curve.p for i in range(2)]


# -- SPEC.md §5.3: simplified SWU, and the 3-isogeny for secp256k1 ---------------

class SWU:
    def __init__(self, curve, A, B, Z, iso=None):
        self.curve, self.A, self.B, self.Z, self.iso = curve, A % curve.p, B % curve.p, Z % curve.p, iso

    def sqrt(self, v):
        return self.curve.sqrt(v)

    def simple_swu(self, u):
        p, A, B, Z = self.curve.p, self.A, self.B, self.Z
        inv0 = lambda v: pow(v, p - 2, p)            # inv0(0) = 0
        zu2 = Z * u * u % p
        tv1 = inv0((zu2 * zu2 + zu2) % p)
        if tv1 == 0:
            x1 = B * inv0(Z * A % p) % p
        else:
            x1 = (-B) * inv0(A) * (1 + tv1) % p
        y = self.sqrt((x1 ** 3 + A * x1 + B) % p)
        if y is not None:
            x = x1
        else:
            x = zu2 * x1 % p
            y = self.sqrt((x ** 3 + A * x + B) % p)
            assert y is not None, "neither gx1 nor gx2 is a square: constants are wrong"
        if (u & 1) != (y & 1):                        # sgn0(u) = sgn0(y)
            y = (-y) % p
        return (x, y)

    def map_to_curve(self, u):
        P = self.simple_swu(u)
        return P if self.iso is None else iso_map(self.curve.p, self.iso, P)


def poly(coefficients, x, p):
    """Horner's rule, coefficients in increasing degree."""
    acc = 0
    for c in reversed(coefficients):
        acc = (acc * x + c) % p
    return acc


def iso_map(p, k, P):
    """The 3-isogeny E′ → E of RFC 9380 Appendix E.1; None at its kernel."""
    x, y = P
    xd, yd = poly(k["xden"], x, p), poly(k["yden"], x, p)
    if xd == 0 or yd == 0:
        return None
    return (poly(k["xnum"], x, p) * pow(xd, p - 2, p) % p,
            y * poly(k["ynum"], x, p) * pow(yd, p - 2, p) % p)


# SPEC.md Appendix A (RFC 9380 Appendix E.1); denominators monic, their 1 included.
SECP256K1_ISO = {
    "xnum": [0x8e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38daaaaa8c7,
             0x07d3d4c80bc321d5b9f315cea7fd44c5d595d2fc0bf63b92dfff1044f17c6581,
             0x534c328d23f234e6e2a413deca25caece4506144037c40314ecbd0b53d9dd262,
             0x8e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38daaaaa88c],
    "xden": [0xd35771193d94918a9ca34ccbb7b640dd86cd409542f8487d9fe6b745781eb49b,
             0xedadc6f64383dc1df7c4b2d51b54225406d36b641f5e41bbc52a56612a8c6d14, 1],
    "ynum": [0x4bda12f684bda12f684bda12f684bda12f684bda12f684bda12f684b8e38e23c,
             0xc75e0c32d5cb7c0fa9d0a54b12a0a6d5647ab046d686da6fdffc90fc201d71a3,
             0x29a6194691f91a73715209ef6512e576722830a201be2018a765e85a9ecee931,
             0x2f684bda12f684bda12f684bda12f684bda12f684bda12f684bda12f38e38d84],
    "yden": [0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffff93b,
             0x7a06534bb8bdb49fd5e9e6632722c2989467c1bfc8e8d978dfb425d2685c2573,
             0x6484aa716545ca2cf3a70c3fa8fe337e0a3d21162f0d6299a7bf8192bfd2a76f, 1],
}

# SPEC.md §5.3, the parameter table.
MAPS = {
    "p256": SWU(P256, A=P256.a, B=P256.b, Z=-10),
    "secp256k1": SWU(SECP256K1,
                     A=0x3f8731abdd661adca08a5558f0f5d272e953d363cb6f0e5d405447c01a444533,
                     B=1771, Z=-11, iso=SECP256K1_ISO),
}


def map_to_curve(curve, u):
    return MAPS[curve.name].map_to_curve(u)


# -- SPEC.md §5.4 ------------------------------------------------------------------

def hash_to_curve(curve, msg, dst):
    u0, u1 = hash_to_field(curve, msg, dst)
    return curve.add(map_to_curve(curve, u0), map_to_curve(curve, u1))  # cofactor 1
