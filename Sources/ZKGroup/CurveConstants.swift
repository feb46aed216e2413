// MARK: - The constants of the two curves, each written once
//
// Every number that defines P-256 and secp256k1 for zkmargin's own arithmetic
// is in this file and nowhere else: the base-field primes p and group orders
// n with the constants of Montgomery arithmetic modulo each (the four
// `FieldModulus` types), and the curve equations, generators and RFC 9380
// hash-to-curve parameters (the two `CurveModel` types). `CurveParameters`
// (`Curve.swift`, for OpenSSL and `Scalar`), `FieldElement`, the MSM, point
// decompression and hash-to-curve all read them from here.
//
// Each constant is a `U256` written as its 64 hexadecimal digits in four
// groups of 16, most significant first, so it reads like the published hex
// string; being a literal in a computed property, it folds into the
// instructions of the generic arithmetic once specialised.
//
// How they are checked:
// - `CurveConstantsTests` compares p, n, a, b and the generator with
//   OpenSSL's (`EC_GROUP_get_curve`, `EC_GROUP_get0_order`,
//   `EC_GROUP_get0_generator`) and recomputes every derived constant
//   (R mod m, R² mod m, R³ mod m, −m⁻¹ mod 2⁶⁴, m − 2, (m − 1)/2,
//   (m + 1)/4, Z) with GMP;
// - the RFC 9380 suite constants (A′, B′, the isogeny's coefficients) are
//   pinned by the RFC's own vectors (`HashToCurveTests`,
//   `Vectors/hash-to-curve/`).
//
// R = 2²⁵⁶ throughout.

// MARK: - P-256 (FIPS 186-4 §D.1.2.3, SEC 2 §2.4.2)

/// The base field 𝔽ₚ of P-256, p = 2²⁵⁶ − 2²²⁴ + 2¹⁹² + 2⁹⁶ − 1 ≡ 3 (mod 4).
enum P256Field: SquareRootModulus {
    /// p.
    static var modulus: U256 { U256(hex: 0xffffffff00000001, 0x0000000000000000, 0x00000000ffffffff, 0xffffffffffffffff) }
    /// −p⁻¹ mod 2⁶⁴ (p ≡ −1 mod 2⁶⁴).
    static var negatedInverse64: UInt64 { 0x0000000000000001 }
    /// R mod p.
    static var rModM: U256 { U256(hex: 0x00000000fffffffe, 0xffffffffffffffff, 0xffffffff00000000, 0x0000000000000001) }
    /// R² mod p.
    static var r2ModM: U256 { U256(hex: 0x00000004fffffffd, 0xfffffffffffffffe, 0xfffffffbffffffff, 0x0000000000000003) }
    /// R³ mod p.
    static var r3ModM: U256 { U256(hex: 0x0000001800000001, 0x00000005fffffffc, 0xffffffedfffffff7, 0xfffffffd0000000a) }
    /// p − 2.
    static var inverseExponent: U256 { U256(hex: 0xffffffff00000001, 0x0000000000000000, 0x00000000ffffffff, 0xfffffffffffffffd) }
    /// (p − 1)/2.
    static var eulerExponent: U256 { U256(hex: 0x7fffffff80000000, 0x8000000000000000, 0x000000007fffffff, 0xffffffffffffffff) }
    /// (p + 1)/4.
    static var sqrtExponent: U256 { U256(hex: 0x3fffffffc0000000, 0x4000000000000000, 0x0000000040000000, 0x0000000000000000) }
}

/// ℤ/nℤ for the order n of P-256's group (prime, ≡ 1 mod 4).
enum P256Order: FieldModulus {
    /// n.
    static var modulus: U256 { U256(hex: 0xffffffff00000000, 0xffffffffffffffff, 0xbce6faada7179e84, 0xf3b9cac2fc632551) }
    /// −n⁻¹ mod 2⁶⁴.
    static var negatedInverse64: UInt64 { 0xccd1c8aaee00bc4f }
    /// R mod n.
    static var rModM: U256 { U256(hex: 0x00000000ffffffff, 0x0000000000000000, 0x4319055258e8617b, 0x0c46353d039cdaaf) }
    /// R² mod n.
    static var r2ModM: U256 { U256(hex: 0x66e12d94f3d95620, 0x2845b2392b6bec59, 0x4699799c49bd6fa6, 0x83244c95be79eea2) }
    /// R³ mod n.
    static var r3ModM: U256 { U256(hex: 0x503a54e76407be65, 0x2543b9246ba5e93f, 0x111f28ae0c0555c9, 0xac8ebec90b65a624) }
    /// n − 2.
    static var inverseExponent: U256 { U256(hex: 0xffffffff00000000, 0xffffffffffffffff, 0xbce6faada7179e84, 0xf3b9cac2fc63254f) }
    /// (n − 1)/2.
    static var eulerExponent: U256 { U256(hex: 0x7fffffff80000000, 0x7fffffffffffffff, 0xde737d56d38bcf42, 0x79dce5617e3192a8) }
}

/// P-256: y² = x³ − 3x + b over 𝔽ₚ, prime order n, cofactor 1; hashed to
/// by `P256_XMD:SHA-256_SSWU_RO_` (RFC 9380 §8.2).
enum P256Model: CurveModel {
    typealias Field = P256Field
    typealias Order = P256Order
    static var curve: Curve { .p256 }

    /// a = −3 mod p.
    static var coefficientA: U256 { U256(hex: 0xffffffff00000001, 0x0000000000000000, 0x00000000ffffffff, 0xfffffffffffffffc) }
    static var aIsMinusThree: Bool { true }
    /// b.
    static var coefficientB: U256 { U256(hex: 0x5ac635d8aa3a93e7, 0xb3ebbd55769886bc, 0x651d06b0cc53b0f6, 0x3bce3c3e27d2604b) }
    /// The generator G = (x, y).
    static var generatorX: U256 { U256(hex: 0x6b17d1f2e12c4247, 0xf8bce6e563a440f2, 0x77037d812deb33a0, 0xf4a13945d898c296) }
    static var generatorY: U256 { U256(hex: 0x4fe342e2fe1a7f9b, 0x8ee7eb4a7c0f9e16, 0x2bce33576b315ece, 0xcbb6406837bf51f5) }

    /// Simplified SWU maps onto P-256 itself: A = a, B = b.
    static var sswuA: U256 { coefficientA }
    static var sswuB: U256 { coefficientB }
    /// Z = −10 mod p.
    static var sswuZ: U256 { U256(hex: 0xffffffff00000001, 0x0000000000000000, 0x00000000ffffffff, 0xfffffffffffffff5) }
    static var isogeny: IsogenyCoefficients? { nil }
}

// MARK: - secp256k1 (SEC 2 §2.4.1)

/// The base field 𝔽ₚ of secp256k1, p = 2²⁵⁶ − 2³² − 977 ≡ 3 (mod 4).
enum Secp256k1Field: SquareRootModulus {
    /// p.
    static var modulus: U256 { U256(hex: 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xfffffffefffffc2f) }
    /// p = 2²⁵⁶ − c with c = 2³² + 977: products are folded (2²⁵⁶ ≡ c), not
    /// Montgomery-reduced, and elements are stored as their canonical
    /// values (R = 1); see `FieldElement.swift`.
    static var reduction: ModularReduction { .pseudoMersenne(c: 0x1000003d1) }
    /// −p⁻¹ mod 2⁶⁴ (unused by the folding reduction; kept checked).
    static var negatedInverse64: UInt64 { 0xd838091dd2253531 }
    /// R mod p, R² mod p, R³ mod p with R = 1.
    static var rModM: U256 { U256(hex: 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001) }
    static var r2ModM: U256 { U256(hex: 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001) }
    static var r3ModM: U256 { U256(hex: 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000001) }
    /// 2²⁵⁶·R mod p = 2³² + 977.
    static var radixForm: U256 { U256(hex: 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x00000001000003d1) }
    /// p − 2.
    static var inverseExponent: U256 { U256(hex: 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xfffffffefffffc2d) }
    /// (p − 1)/2.
    static var eulerExponent: U256 { U256(hex: 0x7fffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffff7ffffe17) }
    /// (p + 1)/4.
    static var sqrtExponent: U256 { U256(hex: 0x3fffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffbfffff0c) }
}

/// ℤ/nℤ for the order n of secp256k1's group (prime, ≡ 1 mod 4).
enum Secp256k1Order: FieldModulus {
    /// n.
    static var modulus: U256 { U256(hex: 0xffffffffffffffff, 0xfffffffffffffffe, 0xbaaedce6af48a03b, 0xbfd25e8cd0364141) }
    /// −n⁻¹ mod 2⁶⁴.
    static var negatedInverse64: UInt64 { 0x4b0dff665588b13f }
    /// R mod n.
    static var rModM: U256 { U256(hex: 0x0000000000000000, 0x0000000000000001, 0x4551231950b75fc4, 0x402da1732fc9bebf) }
    /// R² mod n.
    static var r2ModM: U256 { U256(hex: 0x9d671cd581c69bc5, 0xe697f5e45bcd07c6, 0x741496c20e7cf878, 0x896cf21467d7d140) }
    /// R³ mod n.
    static var r3ModM: U256 { U256(hex: 0x555d800c18ef116d, 0xb1b31347f1d0b2da, 0x0017648444d4322c, 0x7bc0cfe0e9ff41ed) }
    /// n − 2.
    static var inverseExponent: U256 { U256(hex: 0xffffffffffffffff, 0xfffffffffffffffe, 0xbaaedce6af48a03b, 0xbfd25e8cd036413f) }
    /// (n − 1)/2.
    static var eulerExponent: U256 { U256(hex: 0x7fffffffffffffff, 0xffffffffffffffff, 0x5d576e7357a4501d, 0xdfe92f46681b20a0) }
}

/// secp256k1: y² = x³ + 7 over 𝔽ₚ, prime order n, cofactor 1; hashed to by
/// `secp256k1_XMD:SHA-256_SSWU_RO_` (RFC 9380 §8.7) through the 3-isogenous
/// curve E′: y² = x³ + A′·x + B′, because simplified SWU needs A·B ≠ 0.
enum Secp256k1Model: CurveModel {
    typealias Field = Secp256k1Field
    typealias Order = Secp256k1Order
    static var curve: Curve { .secp256k1 }

    /// a = 0.
    static var coefficientA: U256 { U256(hex: 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000) }
    static var aIsMinusThree: Bool { false }
    /// b = 7.
    static var coefficientB: U256 { U256(hex: 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000007) }
    /// The generator G = (x, y).
    static var generatorX: U256 { U256(hex: 0x79be667ef9dcbbac, 0x55a06295ce870b07, 0x029bfcdb2dce28d9, 0x59f2815b16f81798) }
    static var generatorY: U256 { U256(hex: 0x483ada7726a3c465, 0x5da4fbfc0e1108a8, 0xfd17b448a6855419, 0x9c47d08ffb10d4b8) }

    /// A′ of E′ (RFC 9380 §8.7).
    static var sswuA: U256 { U256(hex: 0x3f8731abdd661adc, 0xa08a5558f0f5d272, 0xe953d363cb6f0e5d, 0x405447c01a444533) }
    /// B′ = 1771.
    static var sswuB: U256 { U256(hex: 0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x00000000000006eb) }
    /// Z = −11 mod p.
    static var sswuZ: U256 { U256(hex: 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xfffffffefffffc24) }

    /// The 3-isogeny E′ → E, RFC 9380 Appendix E.1: the constants k₍ᵢ,ⱼ₎.
    static var isogeny: IsogenyCoefficients? {
        IsogenyCoefficients(
            xNum: [U256(hex: 0x8e38e38e38e38e38, 0xe38e38e38e38e38e, 0x38e38e38e38e38e3, 0x8e38e38daaaaa8c7),   // k₁,₀
                   U256(hex: 0x07d3d4c80bc321d5, 0xb9f315cea7fd44c5, 0xd595d2fc0bf63b92, 0xdfff1044f17c6581),   // k₁,₁
                   U256(hex: 0x534c328d23f234e6, 0xe2a413deca25caec, 0xe4506144037c4031, 0x4ecbd0b53d9dd262),   // k₁,₂
                   U256(hex: 0x8e38e38e38e38e38, 0xe38e38e38e38e38e, 0x38e38e38e38e38e3, 0x8e38e38daaaaa88c)],  // k₁,₃
            xDen: [U256(hex: 0xd35771193d94918a, 0x9ca34ccbb7b640dd, 0x86cd409542f8487d, 0x9fe6b745781eb49b),   // k₂,₀
                   U256(hex: 0xedadc6f64383dc1d, 0xf7c4b2d51b542254, 0x06d36b641f5e41bb, 0xc52a56612a8c6d14)],  // k₂,₁
            yNum: [U256(hex: 0x4bda12f684bda12f, 0x684bda12f684bda1, 0x2f684bda12f684bd, 0xa12f684b8e38e23c),   // k₃,₀
                   U256(hex: 0xc75e0c32d5cb7c0f, 0xa9d0a54b12a0a6d5, 0x647ab046d686da6f, 0xdffc90fc201d71a3),   // k₃,₁
                   U256(hex: 0x29a6194691f91a73, 0x715209ef6512e576, 0x722830a201be2018, 0xa765e85a9ecee931),   // k₃,₂
                   U256(hex: 0x2f684bda12f684bd, 0xa12f684bda12f684, 0xbda12f684bda12f6, 0x84bda12f38e38d84)],  // k₃,₃
            yDen: [U256(hex: 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff, 0xfffffffefffff93b),   // k₄,₀
                   U256(hex: 0x7a06534bb8bdb49f, 0xd5e9e6632722c298, 0x9467c1bfc8e8d978, 0xdfb425d2685c2573),   // k₄,₁
                   U256(hex: 0x6484aa716545ca2c, 0xf3a70c3fa8fe337e, 0x0a3d21162f0d6299, 0xa7bf8192bfd2a76f)])  // k₄,₂
    }
}

// MARK: - What a curve is

/// One curve y² = x³ + a·x + b over 𝔽ₚ of prime order n (cofactor 1), as
/// zkmargin's own arithmetic sees it: the generic point code
/// (`JacobianPoint.swift`, `Pippenger.swift`), decompression and
/// hash-to-curve are written over it. All coordinates and coefficients are
/// canonical, in [0, p).
protocol CurveModel {
    associatedtype Field: SquareRootModulus
    associatedtype Order: FieldModulus
    /// The public name of the curve.
    static var curve: Curve { get }
    /// a of the curve equation.
    static var coefficientA: U256 { get }
    /// a = −3 (true) or a = 0 (false): which doubling formula applies.
    static var aIsMinusThree: Bool { get }
    /// b of the curve equation.
    static var coefficientB: U256 { get }
    /// The affine coordinates of the generator G.
    static var generatorX: U256 { get }
    static var generatorY: U256 { get }
    /// A and B of the curve y² = x³ + A·x + B that RFC 9380's simplified SWU
    /// maps onto (the curve itself, or the isogenous E′).
    static var sswuA: U256 { get }
    static var sswuB: U256 { get }
    /// The suite's non-square Z.
    static var sswuZ: U256 { get }
    /// The 3-isogeny from the SWU target E′ to the curve, or nil when SWU
    /// maps onto the curve directly.
    static var isogeny: IsogenyCoefficients? { get }
}

/// A 3-isogeny E′ → E as RFC 9380 Appendix E.1 writes it:
/// x = x_num(x′) / x_den(x′), y = y′ · y_num(x′) / y_den(x′).
/// Coefficients in increasing degree; the denominators are monic and their
/// leading 1 is not listed.
struct IsogenyCoefficients {
    let xNum: [U256]
    let xDen: [U256]
    let yNum: [U256]
    let yDen: [U256]
}
