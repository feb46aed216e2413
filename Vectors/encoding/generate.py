#!/usr/bin/env python3
"""Writes Vectors/encoding/*.json and Vectors/scalar/*.json from plain Python
integers: an implementation independent of the Swift code under test."""
import json, os, random

CURVES = {
    "p256": dict(
        p=0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff,
        n=0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551,
        a=-3, b=0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b,
        gx=0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296,
        gy=0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5),
    "secp256k1": dict(
        p=0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f,
        n=0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141,
        a=0, b=7,
        gx=0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798,
        gy=0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8),
}

def add(c, P, Q):
    p = c["p"]
    if P is None: return Q
    if Q is None: return P
    if P[0] == Q[0] and (P[1] + Q[1]) % p == 0: return None
    if P == Q: l = (3 * P[0] * P[0] + c["a"]) * pow(2 * P[1], -1, p) % p
    else: l = (Q[1] - P[1]) * pow(Q[0] - P[0], -1, p) % p
    x = (l * l - P[0] - Q[0]) % p
    return (x, (l * (P[0] - x) - P[1]) % p)

def mul(c, k, P):
    R = None
    while k:
        if k & 1: R = add(c, R, P)
        P = add(c, P, P); k >>= 1
    return R

def compress(P): return ("%02x" % (2 + (P[1] & 1))) + "%064x" % P[0]
def uncompressed(P): return "04" + "%064x%064x" % P
def hybrid(P): return ("%02x" % (6 + (P[1] & 1))) + "%064x%064x" % P
def h32(v): return "%064x" % v

def main():
    root = os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(20261125)
    for name, c in CURVES.items():
        p, n = c["p"], c["n"]
        G = (c["gx"], c["gy"])
        rhs = lambda x: (x ** 3 + c["a"] * x + c["b"]) % p
        nonsquare_x = next(x for x in range(1, 1000) if pow(rhs(x), (p - 1) // 2, p) == p - 1)
        valid_points = []
        for k in [1, 2, 3, 7, n - 1, rng.randrange(1, n), rng.randrange(1, n)]:
            P = mul(c, k, G)
            valid_points.append({"k": h32(k), "compressed": compress(P)})
        negative = [
            {"case": "empty", "hex": "", "error": "pointLength"},
            {"case": "identity byte 00", "hex": "00", "error": "identityEncoding"},
            {"case": "33 zero bytes (prefix 00)", "hex": "00" * 33, "error": "identityEncoding"},
            {"case": "uncompressed generator", "hex": uncompressed(G), "error": "uncompressedPoint"},
            {"case": "hybrid generator", "hex": hybrid(G), "error": "hybridPoint"},
            {"case": "33 bytes with prefix 04", "hex": "04" + "%064x" % G[0], "error": "uncompressedPoint"},
            {"case": "33 bytes with prefix 06", "hex": "06" + "%064x" % G[0], "error": "hybridPoint"},
            {"case": "prefix 05", "hex": "05" + "%064x" % G[0], "error": "invalidPointPrefix"},
            {"case": "prefix ff", "hex": "ff" + "%064x" % G[0], "error": "invalidPointPrefix"},
            {"case": "x = p", "hex": "02" + h32(p), "error": "coordinateNotReduced"},
            {"case": "x = p + gx (G's x not reduced)", "hex": compress(G)[:2] + h32(p + G[0]) if p + G[0] < 2 ** 256 else "02" + h32(2 ** 256 - 1), "error": "coordinateNotReduced"},
            {"case": "x = 2^256 - 1", "hex": "03" + "ff" * 32, "error": "coordinateNotReduced"},
            {"case": "x with no curve point", "hex": "02" + h32(nonsquare_x), "error": "notOnCurve"},
            {"case": "32 bytes (prefix missing)", "hex": "%064x" % G[0], "error": "pointLength"},
            {"case": "34 bytes (trailing byte)", "hex": compress(G) + "00", "error": "pointLength"},
        ]
        scalars_neg = [
            {"case": "31 bytes", "hex": "01" * 31, "error": "scalarLength"},
            {"case": "33 bytes", "hex": "00" + h32(1), "error": "scalarLength"},
            {"case": "empty", "hex": "", "error": "scalarLength"},
            {"case": "n", "hex": h32(n), "error": "scalarNotReduced"},
            {"case": "n + 1", "hex": h32(n + 1), "error": "scalarNotReduced"},
            {"case": "2^256 - 1", "hex": "ff" * 32, "error": "scalarNotReduced"},
        ]
        scalars_valid = [h32(v) for v in [0, 1, n - 1, n // 2]]
        with open(os.path.join(root, f"{name}.json"), "w") as f:
            json.dump({"curve": name, "valid_points": valid_points, "invalid_points": negative,
                       "valid_scalars": scalars_valid, "invalid_scalars": scalars_neg}, f, indent=1)
            f.write("\n")
        # Scalar field known answers: a, b, a+b, a-b, a*b, a^-1, -a mod n.
        cases = []
        specials = [(n - 1, n - 1), (n - 1, 1), (1, n - 1), (2 ** 255, 2 ** 255 % n), (0, 5)]
        for _ in range(12): specials.append((rng.randrange(n), rng.randrange(n)))
        for a, b in specials:
            a %= n; b %= n
            cases.append({"a": h32(a), "b": h32(b), "sum": h32((a + b) % n), "difference": h32((a - b) % n),
                          "product": h32(a * b % n), "a_inverse": h32(pow(a, -1, n)) if a else None,
                          "a_negated": h32(-a % n)})
        wide = []
        for _ in range(6):
            w = rng.randrange(2 ** 512)
            wide.append({"wide": "%0128x" % w, "reduced": h32(w % n)})
        wide.append({"wide": "ff" * 64, "reduced": h32((2 ** 512 - 1) % n)})
        with open(os.path.join(root, "..", "scalar", f"{name}.json"), "w") as f:
            json.dump({"curve": name, "order": h32(n), "arithmetic": cases, "wide_reduction": wide}, f, indent=1)
            f.write("\n")

main()
