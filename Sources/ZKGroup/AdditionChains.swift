// MARK: - Addition chains for the base fields
//
// Inversion a^(p−2) and the square-root candidate a^((p+1)/4) of the two
// base fields by fixed addition chains, in place of `power`'s generic fixed
// window (≈ 255 squarings and 12–15 products instead of 256 squarings and
// ≈ 60 products). Each is the same sequence of operations for every input.
// `FieldElementTests` checks every chain against `power` with the exponents
// of `CurveConstants.swift`, which `CurveConstantsTests` recomputes with GMP.

extension P256Field {
    typealias F = FieldElement<P256Field>

    /// x^(2²−1), x^(2³⁰−1), x^(2³²−1): 31 squarings, 7 multiplications.
    @inline(__always)
    static func ones(_ x: F) -> (x2: F, x30: F, x32: F) {
        let x2 = x.squared * x
        let x3 = x2.squared * x
        let x6 = x3.squared(times: 3) * x3
        let x12 = x6.squared(times: 6) * x6
        let x15 = x12.squared(times: 3) * x3
        let x30 = x15.squared(times: 15) * x15
        let x32 = x30.squared(times: 2) * x2
        return (x2, x30, x32)
    }

    /// x^(p−2). p − 2 in 32-bit words, most significant first: ffffffff
    /// 00000001 00000000 00000000 00000000 ffffffff ffffffff fffffffd. 255
    /// squarings, 12 multiplications.
    static func fermatInverse(_ x: F) -> F {
        let (_, x30, x32) = ones(x)
        var t = x32.squared(times: 32) * x       // ffffffff 00000001
        t = t.squared(times: 96)                 // three zero words
        t = t.squared(times: 32) * x32           // ffffffff
        t = t.squared(times: 32) * x32           // ffffffff
        t = t.squared(times: 30) * x30           // fffffffd = 30 ones, 0, 1
        return t.squared(times: 2) * x
    }

    /// x^((p+1)/4), (p + 1)/4 = 2²⁵⁴ − 2²²² + 2¹⁹⁰ + 2⁹⁴: 32 ones, then a
    /// one 32 places lower, then a one 96 places lower, then 94 zeros.
    static func sqrtCandidate(_ x: F) -> F {
        var t = ones(x).x32
        t = t.squared(times: 32) * x
        t = t.squared(times: 96) * x
        return t.squared(times: 94)
    }
}

extension Secp256k1Field {
    typealias F = FieldElement<Secp256k1Field>

    /// The blocks of ones of p − 2 and (p + 1)/4 have lengths in
    /// {1, 2, 22, 223}; libsecp256k1's chain 1, 2, 3, 6, 9, 11, 22, 44, 88,
    /// 176, 220, 223 builds them.
    @inline(__always)
    static func blocks(_ x: F) -> (x2: F, x22: F, x223: F) {
        let x2 = x.squared * x
        let x3 = x2.squared * x
        let x6 = x3.squared(times: 3) * x3
        let x9 = x6.squared(times: 3) * x3
        let x11 = x9.squared(times: 2) * x2
        let x22 = x11.squared(times: 11) * x11
        let x44 = x22.squared(times: 22) * x22
        let x88 = x44.squared(times: 44) * x44
        let x176 = x88.squared(times: 88) * x88
        let x220 = x176.squared(times: 44) * x44
        let x223 = x220.squared(times: 3) * x3
        return (x2, x22, x223)
    }

    /// x^(p−2): p − 2 = 223 ones, 0, 22 ones, 0000, 1, 0, 11, 0, 1.
    static func fermatInverse(_ x: F) -> F {
        let (x2, x22, x223) = blocks(x)
        var t = x223.squared(times: 23) * x22
        t = t.squared(times: 5) * x
        t = t.squared(times: 3) * x2
        t = t.squared(times: 2) * x
        return t
    }

    /// x^((p+1)/4): (p + 1)/4 = 223 ones, 0, 22 ones, 0000, 11, 00.
    static func sqrtCandidate(_ x: F) -> F {
        let (x2, x22, x223) = blocks(x)
        var t = x223.squared(times: 23) * x22
        t = t.squared(times: 6) * x2
        return t.squared(times: 2)
    }
}
