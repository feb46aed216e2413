// MARK: - secp256k1's endomorphism (GLV), for public scalars
//
// secp256k1 has j-invariant 0, so (x, y) ↦ (β·x, y) with β a primitive cube
// root of unity mod p is a group endomorphism φ; on the prime-order group it
// acts as multiplication by λ, a primitive cube root of unity mod n:
// φ(P) = λ·P. Gallant–Lambert–Vanstone: split k = k₁ + k₂·λ (mod n) with
// |k₁|, |k₂| < 2¹²⁸, then k·P = k₁·P + k₂·φ(P) needs half the doublings.
//
// The split follows libsecp256k1's `secp256k1_scalar_split_lambda` (the
// lattice basis (a₁, b₁), (a₂, b₂) found by the extended Euclidean
// algorithm on n and λ; g₁ = round(2³⁸⁴·b₂/n), g₂ = round(2³⁸⁴·(−b₁)/n)):
//
//     c₁ = round(k·g₁ / 2³⁸⁴),  c₂ = round(k·g₂ / 2³⁸⁴)
//     k₂ = c₁·(−b₁) + c₂·(−b₂)  (mod n),   k₁ = k − k₂·λ  (mod n)
//
// and then each of k₁, k₂ or its negation is below 2¹²⁸ (their proof; our
// tests check the bound and k₁ + k₂·λ ≡ k on random and edge scalars, and
// the constants against each other: λ³ ≡ 1, β³ ≡ 1, λ·G = φ(G)).
//
// Variable time: only the public multi-scalar multiplication (verifier,
// generator folds) uses it, never secret scalars.

/// The constants of a GLV endomorphism φ(x, y) = (β·x, y) = λ·(x, y).
struct Endomorphism {
    /// β, a cube root of unity mod p (canonical).
    let beta: U256
    /// λ, the matching cube root of unity mod n.
    let lambda: U256
    /// g₁, g₂: the rounded 2³⁸⁴-scaled lattice quotients.
    let g1: U256
    let g2: U256
    /// −b₁ and −b₂ mod n.
    let minusB1: U256
    let minusB2: U256
}

extension CurveModel {
    /// No endomorphism (P-256).
    static var endomorphism: Endomorphism? { nil }
}

extension Secp256k1Model {
    static var endomorphism: Endomorphism? {
        Endomorphism(
            beta: U256(hex: 0x7ae96a2b657c0710, 0x6e64479eac3434e9, 0x9cf0497512f58995, 0xc1396c28719501ee),
            lambda: U256(hex: 0x5363ad4cc05c30e0, 0xa5261c028812645a, 0x122e22ea20816678, 0xdf02967c1b23bd72),
            g1: U256(hex: 0x3086d221a7d46bcd, 0xe86c90e49284eb15, 0x3daa8a1471e8ca7f, 0xe893209a45dbb031),
            g2: U256(hex: 0xe4437ed6010e8828, 0x6f547fa90abfe4c4, 0x221208ac9df506c6, 0x1571b4ae8ac47f71),
            minusB1: U256(hex: 0x0000000000000000, 0x0000000000000000, 0xe4437ed6010e8828, 0x6f547fa90abfe4c3),
            minusB2: U256(hex: 0xffffffffffffffff, 0xfffffffffffffffe, 0x8a280ac50774346d, 0xd765cda83db1562c))
    }
}

/// One half of a split scalar: |kᵢ| and whether kᵢ is negative (the point
/// it multiplies is then negated).
struct HalfScalar {
    let magnitude: U256
    let negative: Bool
}

extension Endomorphism {
    /// k = k₁ + k₂·λ (mod n) with |k₁|, |k₂| < 2¹²⁸, for canonical k < n.
    /// Variable time (public scalars only).
    func split<C: CurveModel>(_ k: U256, as _: C.Type) -> (HalfScalar, HalfScalar) {
        func scalar(_ x: U256) -> Scalar { Scalar(unchecked: x, curve: C.curve) }
        let c1 = scalar(Self.roundedShift384(k, g1)), c2 = scalar(Self.roundedShift384(k, g2))
        let k2 = c1 * scalar(minusB1) + c2 * scalar(minusB2)
        let k1 = scalar(k) - k2 * scalar(lambda)
        return (Self.signed(k1.value, C.Order.self), Self.signed(k2.value, C.Order.self))
    }

    /// round(a·b / 2³⁸⁴) for a, b < 2²⁵⁶: the top 128 bits of the 512-bit
    /// product plus bit 383.
    static func roundedShift384(_ a: U256, _ b: U256) -> U256 {
        var product = [UInt64](repeating: 0, count: 8)
        for i in 0..<4 {
            var carry: UInt64 = 0
            for j in 0..<4 {
                let (lo, hi) = mac(product[i + j], a[i], b[j], carry)
                product[i + j] = lo
                carry = hi
            }
            product[i + 4] = carry
        }
        let round = product[5] >> 63
        let (r0, c0) = adc(product[6], round, 0)
        let (r1, _) = adc(product[7], 0, c0)
        return U256(r0, r1, 0, 0)
    }

    /// x or n − x, whichever is smaller, with the sign.
    static func signed<M: FieldModulus>(_ x: U256, _: M.Type) -> HalfScalar {
        let (negated, _) = U256.subWithBorrow(M.modulus, x)
        if !x.isZero && U256.compare(negated, x) < 0 { return HalfScalar(magnitude: negated, negative: true) }
        return HalfScalar(magnitude: x, negative: false)
    }
}
