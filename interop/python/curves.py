"""The two curves, their encodings and point arithmetic (SPEC.md §2–§4).

Points are affine tuples (x, y) for public values, None for the identity 𝒪.
Internally, sums run in Jacobian coordinates (X, Y, Z) with x = X/Z², y = Y/Z³
and Z = 0 for 𝒪. Everything is plain Python integers: slow, simple, and
independent of the Swift implementation.
"""


class DecodeError(Exception):
    """A rejected scalar or point encoding; `code` is the SPEC.md §13 name."""

    def __init__(self, code, detail=""):
        super().__init__(code + (": " + detail if detail else ""))
        self.code = code


class Curve:
    """y² = x³ + a·x + b over 𝔽ₚ, prime order q, cofactor 1 (SPEC.md §3)."""

    def __init__(self, name, p, q, a, b, gx, gy, suite):
        self.name, self.p, self.q, self.a, self.b = name, p, q, a % p, b
        self.G = (gx, gy)
        self.suite = suite  # RFC 9380 suite ID (SPEC.md §5)
        assert self.is_on_curve(self.G)

    def __repr__(self):
        return "Curve(%s)" % self.name

    def is_on_curve(self, P):
        if P is None:
            return True
        x, y = P
        return (y * y - (x * x * x + self.a * x + self.b)) % self.p == 0

    # -- SPEC.md §3: square roots (both p ≡ 3 mod 4) --------------------------

    def sqrt(self, v):
        """A square root of v mod p, or None if v is not a square."""
        r = pow(v, (self.p + 1) // 4, self.p)
        return r if r * r % self.p == v % self.p else None

    # -- SPEC.md §4.1 and §4.2: scalars -----------------------------------------

    def decode_scalar(self, s):
        if len(s) != 32:
            raise DecodeError("scalarLength", "%d bytes" % len(s))
        v = int.from_bytes(s, "big")
        if v >= self.q:
            raise DecodeError("scalarNotReduced")
        return v

    def encode_scalar(self, v):
        return (v % self.q).to_bytes(32, "big")

    def reduce(self, s):
        """OS2IP(s) mod q for a byte string of any length (§4.2)."""
        return int.from_bytes(s, "big") % self.q

    # -- SPEC.md §4.3: SEC1 compressed points ----------------------------------

    def decode_point(self, s):
        """Strict SEC1 compressed decoding, the checks in SPEC.md §4.3's order."""
        s = bytes(s)
        if s == b"\x00":                                        # step 1
            raise DecodeError("identityEncoding")
        if len(s) != 33:                                        # step 2
            if len(s) >= 1 and s[0] == 0x04:
                raise DecodeError("uncompressedPoint")
            if len(s) >= 1 and s[0] in (0x06, 0x07):
                raise DecodeError("hybridPoint")
            raise DecodeError("pointLength", "%d bytes" % len(s))
        prefix = s[0]                                           # step 3
        if prefix == 0x00:
            raise DecodeError("identityEncoding")
        if prefix == 0x04:
            raise DecodeError("uncompressedPoint")
        if prefix in (0x06, 0x07):
            raise DecodeError("hybridPoint")
        if prefix not in (0x02, 0x03):
            raise DecodeError("invalidPointPrefix", "0x%02x" % prefix)
        x = int.from_bytes(s[1:], "big")                        # step 4
        if x >= self.p:
            raise DecodeError("coordinateNotReduced")
        y = self.sqrt((x * x * x + self.a * x + self.b) % self.p)   # step 5
        if y is None:
            raise DecodeError("notOnCurve")
        if (y & 1) != (prefix & 1):                             # step 6
            if y == 0:
                raise DecodeError("notOnCurve")
            y = self.p - y
        return (x, y)                                           # step 7: never 𝒪

    def encode_point(self, P):
        if P is None:
            raise DecodeError("identityPoint", "the identity has no encoding")
        x, y = P
        return bytes([2 + (y & 1)]) + x.to_bytes(32, "big")

    # -- Jacobian arithmetic ----------------------------------------------------

    def to_jacobian(self, P):
        return (0, 1, 0) if P is None else (P[0], P[1], 1)

    def to_affine(self, J):
        X, Y, Z = J
        if Z == 0:
            return None
        p = self.p
        zi = pow(Z, p - 2, p)
        zi2 = zi * zi % p
        return (X * zi2 % p, Y * zi2 * zi % p)

    def jdouble(self, J):
        X, Y, Z = J
        if Z == 0 or Y == 0:
            return (0, 1, 0)
        p = self.p
        YY = Y * Y % p
        S = 4 * X * YY % p
        ZZ = Z * Z % p
        M = (3 * X * X + self.a * ZZ * ZZ) % p
        X3 = (M * M - 2 * S) % p
        Y3 = (M * (S - X3) - 8 * YY * YY) % p
        return (X3, Y3, 2 * Y * Z % p)

    def jadd(self, J1, J2):
        X1, Y1, Z1 = J1
        X2, Y2, Z2 = J2
        if Z1 == 0:
            return J2
        if Z2 == 0:
            return J1
        p = self.p
        Z1Z1 = Z1 * Z1 % p
        Z2Z2 = Z2 * Z2 % p
        U1 = X1 * Z2Z2 % p
        U2 = X2 * Z1Z1 % p
        S1 = Y1 * Z2 * Z2Z2 % p
        S2 = Y2 * Z1 * Z1Z1 % p
        Hh = (U2 - U1) % p
        r = (S2 - S1) % p
        if Hh == 0:
            return self.jdouble(J1) if r == 0 else (0, 1, 0)
        HH = Hh * Hh % p
        HHH = Hh * HH % p
        V = U1 * HH % p
        X3 = (r * r - HHH - 2 * V) % p
        Y3 = (r * (V - X3) - S1 * HHH) % p
        return (X3, Y3, Z1 * Z2 * Hh % p)

    def jadd_affine(self, J1, P2):
        """J1 + (x2, y2): the mixed addition, Z2 = 1."""
        X1, Y1, Z1 = J1
        x2, y2 = P2
        if Z1 == 0:
            return (x2, y2, 1)
        p = self.p
        Z1Z1 = Z1 * Z1 % p
        Hh = (x2 * Z1Z1 - X1) % p
        r = (y2 * Z1 * Z1Z1 - Y1) % p
        if Hh == 0:
            return self.jdouble(J1) if r == 0 else (0, 1, 0)
        HH = Hh * Hh % p
        HHH = Hh * HH % p
        V = X1 * HH % p
        X3 = (r * r - HHH - 2 * V) % p
        Y3 = (r * (V - X3) - Y1 * HHH) % p
        return (X3, Y3, Z1 * Hh % p)

    # -- affine conveniences ------------------------------------------------------

    def add(self, P, Q):
        return self.to_affine(self.jadd(self.to_jacobian(P), self.to_jacobian(Q)))

    def neg(self, P):
        return None if P is None else (P[0], (-P[1]) % self.p)

    def mul(self, k, P):
        return self.msm([k], [P])

    def msm(self, scalars, points):
        """Σ kᵢ·Pᵢ (affine points, None allowed) by Pippenger's bucket method."""
        pairs = [(k % self.q, P) for k, P in zip(scalars, points) if P is not None and k % self.q]
        if not pairs:
            return None
        n = len(pairs)
        c = 1 if n < 4 else 3 if n < 32 else 4 if n < 96 else 5 if n < 512 else 6 if n < 2048 else 7
        mask = (1 << c) - 1
        windows = (self.q.bit_length() + c - 1) // c
        acc = (0, 1, 0)
        for w in range(windows - 1, -1, -1):
            for _ in range(c):
                acc = self.jdouble(acc)
            shift = w * c
            buckets = [None] * (mask + 1)
            for k, P in pairs:
                digit = (k >> shift) & mask
                if digit:
                    b = buckets[digit]
                    buckets[digit] = (P[0], P[1], 1) if b is None else self.jadd_affine(b, P)
            # Σ digit·bucket[digit] by a running sum from the top bucket down.
            running, total = (0, 1, 0), (0, 1, 0)
            for digit in range(mask, 0, -1):
                if buckets[digit] is not None:
                    running = self.jadd(running, buckets[digit])
                total = self.jadd(total, running)
            acc = self.jadd(acc, total)
        return self.to_affine(acc)


P256 = Curve(
    "p256",
    p=0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff,
    q=0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551,
    a=-3,
    b=0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b,
    gx=0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296,
    gy=0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5,
    suite="P256_XMD:SHA-256_SSWU_RO_",
)

SECP256K1 = Curve(
    "secp256k1",
    p=0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f,
    q=0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141,
    a=0,
    b=7,
    gx=0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798,
    gy=0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8,
    suite="secp256k1_XMD:SHA-256_SSWU_RO_",
)

CURVES = {c.name: c for c in (P256, SECP256K1)}
