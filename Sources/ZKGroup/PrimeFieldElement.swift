import CGMP

/// A prime field 𝔽_p of curve coordinates, with the constants the RFC 9380
/// maps need. Both primes zkmargin uses are ≡ 3 (mod 4).
///
/// Invariant: immutable after `init`, so instances are shared freely.
final class PrimeField: Sendable {
    /// The prime p.
    let p: U256
    /// (p + 1) / 4: for p ≡ 3 (mod 4), x^((p+1)/4) is a square root of every square x.
    let sqrtExponent: U256

    init(p: U256) {
        precondition(p[0] & 3 == 3, "PrimeField needs p ≡ 3 (mod 4)")
        self.p = p
        // (p + 1) / 4 = (p >> 2) + 1, since p ≡ 3 (mod 4).
        var q = U256.zero
        for i in 0..<4 {
            q[i] = (p[i] >> 2) | (i < 3 ? p[i + 1] << 62 : 0)
        }
        sqrtExponent = U256.add(q, .one).0
    }

    /// The base field of `curve`.
    static func of(_ curve: Curve) -> PrimeField {
        switch curve {
        case .p256: return p256
        case .secp256k1: return secp256k1
        }
    }

    static let p256 = PrimeField(p: CurveParameters.p256.prime)
    static let secp256k1 = PrimeField(p: CurveParameters.secp256k1.prime)
}

/// An element of a prime field 𝔽_p, GMP-backed; used by hash-to-curve only.
///
/// Invariant: `value` is fully reduced, 0 ≤ value < p, so equality of elements
/// is equality of representations.
///
/// Not constant-time: it only ever processes public data (hash-to-curve of
/// public labels).
struct GMPFieldElement: Sendable, Equatable, CustomStringConvertible {
    let field: PrimeField
    let value: U256

    init(unchecked value: U256, field: PrimeField) {
        self.value = value
        self.field = field
    }

    static func zero(_ field: PrimeField) -> GMPFieldElement { GMPFieldElement(unchecked: .zero, field: field) }
    static func one(_ field: PrimeField) -> GMPFieldElement { GMPFieldElement(unchecked: .one, field: field) }

    /// The element congruent to the small integer `v` (negative values wrap).
    init(_ v: Int, field: PrimeField) {
        let magnitude = GMPFieldElement(reducing: U256(UInt64(v.magnitude), 0, 0, 0).bigEndianBytes, field: field)
        self = v < 0 ? -magnitude : magnitude
    }

    /// A big-endian hexadecimal constant, reduced mod p.
    init(hex: String, field: PrimeField) {
        self.init(reducing: U256(hex: hex).bigEndianBytes, field: field)
    }

    /// OS2IP(bytes) mod p, for a big-endian byte string of any length
    /// (hash_to_field reads 48-byte strings here).
    init<B: Collection<UInt8>>(reducing bytes: B, field: PrimeField) {
        let bytes = Array(bytes)
        let limbCount = max(4, (bytes.count + 7) / 8)
        var limbs = [mp_limb_t](repeating: 0, count: limbCount)
        for (i, byte) in bytes.reversed().enumerated() {
            limbs[i / 8] |= mp_limb_t(byte) << mp_limb_t(8 * (i % 8))
        }
        var quotient = [mp_limb_t](repeating: 0, count: limbCount - 3)
        var r = U256.zero
        field.p.withLimbs { pp in
            r.withMutableLimbs { rp in zk_mpn_tdiv_qr(&quotient, rp, limbs, mp_size_t(limbCount), pp, 4) }
        }
        self.init(unchecked: r, field: field)
    }

    /// 32 bytes big-endian (I2OSP(value, 32)).
    var bytes: [UInt8] { value.bigEndianBytes }

    var isZero: Bool { value.isZero }

    var description: String { "GMPFieldElement(\(bytes.hexString))" }

    static func == (a: GMPFieldElement, b: GMPFieldElement) -> Bool {
        a.field === b.field && a.value == b.value
    }

    // MARK: Arithmetic

    static func checkSameField(_ a: GMPFieldElement, _ b: GMPFieldElement) {
        precondition(a.field === b.field, "field elements from different fields")
    }

    static func + (a: GMPFieldElement, b: GMPFieldElement) -> GMPFieldElement {
        checkSameField(a, b)
        let p = a.field.p
        var (s, carry) = U256.add(a.value, b.value)
        if carry || U256.compare(s, p) >= 0 { s = U256.sub(s, p).0 }
        return GMPFieldElement(unchecked: s, field: a.field)
    }

    static func - (a: GMPFieldElement, b: GMPFieldElement) -> GMPFieldElement {
        checkSameField(a, b)
        var (d, borrow) = U256.sub(a.value, b.value)
        if borrow { d = U256.add(d, a.field.p).0 }
        return GMPFieldElement(unchecked: d, field: a.field)
    }

    static prefix func - (a: GMPFieldElement) -> GMPFieldElement {
        a.isZero ? a : GMPFieldElement(unchecked: U256.sub(a.field.p, a.value).0, field: a.field)
    }

    static func * (a: GMPFieldElement, b: GMPFieldElement) -> GMPFieldElement {
        checkSameField(a, b)
        var product = [mp_limb_t](repeating: 0, count: 8)
        var quotient = [mp_limb_t](repeating: 0, count: 5)
        var r = U256.zero
        a.value.withLimbs { ap in
            b.value.withLimbs { bp in zk_mpn_mul_n(&product, ap, bp, 4) }
        }
        a.field.p.withLimbs { pp in
            r.withMutableLimbs { rp in zk_mpn_tdiv_qr(&quotient, rp, product, 8, pp, 4) }
        }
        return GMPFieldElement(unchecked: r, field: a.field)
    }

    func squared() -> GMPFieldElement { self * self }

    /// `self^e` (GMP `mpz_powm`; variable time, public data only).
    func power(_ e: U256) -> GMPFieldElement {
        var r = U256.zero
        value.withLimbs { ap in
            e.withLimbs { ep in
                field.p.withLimbs { pp in
                    var aRO = __mpz_struct(), eRO = __mpz_struct(), pRO = __mpz_struct(), out = __mpz_struct()
                    zk_mpz_init(&out)
                    defer { zk_mpz_clear(&out) }
                    zk_mpz_powm(&out, zk_mpz_roinit_n(&aRO, ap, 4), zk_mpz_roinit_n(&eRO, ep, 4), zk_mpz_roinit_n(&pRO, pp, 4))
                    for i in 0..<min(zk_mpz_size(&out), 4) { r[i] = UInt64(zk_mpz_getlimbn(&out, mp_size_t(i))) }
                }
            }
        }
        return GMPFieldElement(unchecked: r, field: field)
    }

    /// RFC 9380 `inv0`: the multiplicative inverse, and 0 for 0.
    func inverseOrZero() -> GMPFieldElement {
        guard !isZero else { return self }
        var r = U256.zero
        var ok: Int32 = 0
        value.withLimbs { ap in
            field.p.withLimbs { pp in
                var aRO = __mpz_struct(), pRO = __mpz_struct(), out = __mpz_struct()
                zk_mpz_init(&out)
                defer { zk_mpz_clear(&out) }
                ok = zk_mpz_invert(&out, zk_mpz_roinit_n(&aRO, ap, 4), zk_mpz_roinit_n(&pRO, pp, 4))
                for i in 0..<min(zk_mpz_size(&out), 4) { r[i] = UInt64(zk_mpz_getlimbn(&out, mp_size_t(i))) }
            }
        }
        precondition(ok != 0, "nonzero element of a prime field has no inverse: modulus is not prime")
        return GMPFieldElement(unchecked: r, field: field)
    }

    /// RFC 9380 `is_square`: true for 0 and for the quadratic residues
    /// (Legendre symbol ≠ −1).
    var isSquare: Bool {
        var symbol: Int32 = 0
        value.withLimbs { ap in
            field.p.withLimbs { pp in
                var aRO = __mpz_struct(), pRO = __mpz_struct()
                symbol = zk_mpz_legendre(zk_mpz_roinit_n(&aRO, ap, 4), zk_mpz_roinit_n(&pRO, pp, 4))
            }
        }
        return symbol != -1
    }

    /// RFC 9380 `sqrt` for p ≡ 3 (mod 4): x^((p+1)/4). Only meaningful when
    /// `isSquare`; the caller fixes the sign with `sgn0`.
    func squareRoot() -> GMPFieldElement { power(field.sqrtExponent) }

    /// RFC 9380 `sgn0` for m = 1: the parity of the canonical representative.
    var sgn0: Int { Int(value[0] & 1) }
}
