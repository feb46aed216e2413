// MARK: - Arithmetic modulo a 256-bit odd modulus, in Montgomery or folded form
//
// One implementation, generic over its modulus, for every residue ring
// zkmargin computes in with fixed limbs: the base fields 𝔽ₚ of P-256 and
// secp256k1 (the fast MSM, point decompression, RFC 9380 hash-to-curve) and,
// by the same code, ℤ/nℤ for their group orders n (`P256Order`,
// `Secp256k1Order`: every `Scalar` product, inverse and reduction). The constants of
// each modulus are in `CurveConstants.swift`.
//
// Representation. Let m be the modulus (odd, m < 2²⁵⁶) and R its
// representation radix: R = 2²⁵⁶ for moduli reduced by Montgomery's method
// (P-256's p, both group orders), R = 1 for secp256k1's p, which is reduced
// by folding (below). An element a ∈ ℤ/mℤ is stored as its form ā = a·R mod m
// in four little-endian 64-bit limbs. Invariant of every `FieldElement`
// value: 0 ≤ ā < m (fully reduced), so equality of elements is equality of
// limbs and `isZero` is a limb test. Every operation returns a reduced
// output (and takes reduced inputs, except the first factor of a product,
// below); no arithmetic allocates. The constants R mod m, R² mod m, R³ mod m
// and 2²⁵⁶·R mod m (`rModM`, `r2ModM`, `r3ModM`, `radixForm`) let the same
// conversions serve both radices.
//
// Sums are forms of sums (ā + b̄ = (a + b)·R). Montgomery products:
// REDC(ā·b̄) = ā·b̄·R⁻¹ = (a·b)·R mod m, the form of a·b. REDC(T) = T·R⁻¹ mod m
// is computed by Montgomery's CIOS method (coarsely integrated operand
// scanning): for each limb aᵢ of the first factor, t ← (t + aᵢ·b + q·m) / 2⁶⁴
// with q = t₀·(−m⁻¹) mod 2⁶⁴, so that the division is exact. Reduction bound:
// if b < m (any a < R), t < b + m < 2m holds before and after every round, so
// four rounds and one conditional subtraction of m give a reduced result. The
// first factor need not be reduced: that is how `init(_:)` converts any
// 256-bit number (times R² mod m) and how `init(reducing:)` folds in wide byte
// strings. t < 2m < 2²⁵⁷ needs a fifth limb and a carry bit.
//
// Folded products (`ModularReduction.pseudoMersenne`, m = 2²⁵⁶ − c with a
// small c: secp256k1's p, c = 2³² + 977): the 512-bit product H·2²⁵⁶ + L is
// congruent to L + H·c, folded twice and reduced once (`foldReduce`, bounds
// there): 16 word products for the product and 5 for the reduction, where
// REDC takes 16 more (secp256k1's −p⁻¹ mod 2⁶⁴ is not 1, unlike P-256's). Any
// two 256-bit factors are allowed.
//
// The generic code reads the modulus's constants through computed properties
// that return literals: once specialised (always, in a whole-module release
// build) they fold into the instructions — the reduction chosen, P-256's zero
// limb and −p⁻¹ = 1 vanish and its limbs 2⁶⁴ − 1 and 2³² − 1 become shifts —
// so one implementation serves every modulus as fast as a hand-written one
// would, except for special-form reductions of P-256 (they could save the
// product by p₃ per round). Measured (release, 2-core EPYC, `zkmargin bench
// group`, a dependent chain through a protocol witness): a product 39 ns on
// P-256, 24 ns on secp256k1 folded (about 13 ns and 17 ns in a specialised
// chain with REDC on both, before the fold). Earlier measurements: a
// product-scanning (FIPS) variant of REDC was slower, and the same CIOS over
// `multipliedFullWidth` instead of `UInt128` twice as slow (see
// `WordArithmetic.swift`).
//
// Timing (with respect to the values of the elements; the modulus and every
// exponent are public). Constant time — the same instructions on every
// input, no branch and no memory index that depends on the values (by
// construction, over the `UInt128` word primitives of Linux release builds,
// and checked on the compiled release binary under valgrind for the paths
// `scripts/ctcheck.sh` runs; the fallback primitives of
// `WordArithmetic.swift` may compile carries into branches): `+`, `−`,
// negation, `*`, `squared`, `init(_:)`, `canonical`, `init(reducing:)` (for
// a given length), `==`, `isZero`, `isOdd`, `power(_:)` in the base (its
// branches and table indices follow the public exponent), `inverse` (a fixed
// exponentiation a^(m−2)), `isSquare` (a fixed exponentiation) and the
// candidate root `squareRoot` computes (its nil-or-not result reveals whether
// the input is a square). Variable time: `inverseVariableTime` and
// `batchInvert` (GMP's `mpz_invert`). Three kinds of callers: the
// variable-time curve code (`JacobianPoint.swift`, the public MSM,
// decompression, hash-to-curve) on public data only; `Scalar`'s arithmetic
// mod n; and the prover's constant-time path (`CompletePoint.swift`,
// `ConstantTimeMSM.swift`), where coordinates depend on secret scalars. The
// last two use only the constant-time operations above (`fermatInverse`,
// never `inverseVariableTime`).

/// How products mod m are reduced, and so what the stored form of an
/// element a is: a·R mod m with the representation radix R below.
enum ModularReduction {
    /// Montgomery's REDC (CIOS), R = 2²⁵⁶: any odd m.
    case montgomery
    /// m = 2²⁵⁶ − c with c < 2³⁴ (secp256k1's p, c = 2³² + 977): a 512-bit
    /// product H·2²⁵⁶ + L is folded as L + H·c twice, then reduced once;
    /// R = 1, so the stored form is the canonical value itself.
    case pseudoMersenne(c: UInt64)
}

/// An odd modulus m < 2²⁵⁶ with the constants of its modular arithmetic:
/// the reduction (`reduction`) and the powers of its radix R (2²⁵⁶ for
/// Montgomery reduction, 1 for pseudo-Mersenne). Every property must return
/// a literal (so that it folds after specialisation); the values are written
/// once, in `CurveConstants.swift`, and checked against GMP by
/// `CurveConstantsTests`.
///
/// Addition, subtraction and multiplication need only "m odd". `inverse`
/// (Fermat) and `isSquare` (Euler's criterion) need m prime; square roots
/// need m ≡ 3 (mod 4) as well (`SquareRootModulus`).
protocol FieldModulus {
    /// m, odd.
    static var modulus: U256 { get }
    /// How products are reduced (default: Montgomery).
    static var reduction: ModularReduction { get }
    /// −m⁻¹ mod 2⁶⁴: the factor q = t₀·(−m⁻¹) of a Montgomery round that
    /// makes the lowest limb of t + q·m vanish.
    static var negatedInverse64: UInt64 { get }
    /// R mod m: the stored form of 1.
    static var rModM: U256 { get }
    /// R² mod m: the form of R; a product with it converts x into x·R.
    static var r2ModM: U256 { get }
    /// R³ mod m: a product with it turns (a·R)⁻¹ into a⁻¹·R.
    static var r3ModM: U256 { get }
    /// 2²⁵⁶·R mod m: the form of the element 2²⁵⁶ (Horner's step of
    /// `init(reducing:)`). Default: R² mod m, right for Montgomery moduli.
    static var radixForm: U256 { get }
    /// m − 2: a^(m−2) = a⁻¹ for a ≠ 0 when m is prime (Fermat).
    static var inverseExponent: U256 { get }
    /// (m − 1)/2: a^((m−1)/2) ∈ {0, 1, −1} is the Legendre symbol (Euler).
    static var eulerExponent: U256 { get }
    /// a^(m−2) by a sequence of operations that does not depend on a.
    /// Default: `power(inverseExponent)`; the base fields override it with
    /// shorter addition chains (`AdditionChains.swift`).
    static func fermatInverse(_ a: FieldElement<Self>) -> FieldElement<Self>
}

/// A prime modulus m ≡ 3 (mod 4), where a^((m+1)/4) is a square root of
/// every square a. Both base-field primes are; neither group order is (they
/// are ≡ 1 mod 4 and would need Tonelli–Shanks; nothing needs square roots of
/// scalars).
protocol SquareRootModulus: FieldModulus {
    /// (m + 1)/4.
    static var sqrtExponent: U256 { get }
    /// a^((m+1)/4) by a sequence of operations that does not depend on a.
    /// Default: `power(sqrtExponent)`; the base fields override it.
    static func sqrtCandidate(_ a: FieldElement<Self>) -> FieldElement<Self>
}

extension FieldModulus {
    static func fermatInverse(_ a: FieldElement<Self>) -> FieldElement<Self> { a.power(inverseExponent) }
    static var reduction: ModularReduction { .montgomery }
    static var radixForm: U256 { r2ModM }
}

extension SquareRootModulus {
    static func sqrtCandidate(_ a: FieldElement<Self>) -> FieldElement<Self> { a.power(sqrtExponent) }
}

/// An element of ℤ/mℤ in its stored form: the limbs hold a·R mod m (R = 2²⁵⁶ under
/// Montgomery reduction, 1 for a folded modulus; see the top of this file), fully
/// reduced (0 ≤ limbs < m). Value type, four words, no heap storage.
struct FieldElement<M: FieldModulus>: Sendable, Equatable {
    var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64

    // The modulus limbs, least significant first (literals after specialisation).
    @inline(__always) static var m0: UInt64 { M.modulus.w.0 }
    @inline(__always) static var m1: UInt64 { M.modulus.w.1 }
    @inline(__always) static var m2: UInt64 { M.modulus.w.2 }
    @inline(__always) static var m3: UInt64 { M.modulus.w.3 }

    // MARK: Conversions

    /// From Montgomery-form limbs. Precondition (unchecked): they are < m.
    @inline(__always)
    init(montgomeryLimbs l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3
    }

    /// From a Montgomery-form `U256` (< m, unchecked).
    @inline(__always)
    init(montgomery u: U256) { self.init(montgomeryLimbs: u.w.0, u.w.1, u.w.2, u.w.3) }

    /// The Montgomery-form limbs as a `U256`.
    @inline(__always)
    var montgomery: U256 { U256(l0, l1, l2, l3) }

    /// The element x mod m, for any x < 2²⁵⁶: one Montgomery product
    /// x·(R² mod m)·R⁻¹ = x·R (the reduction bound allows x ≥ m).
    @inline(__always)
    init(_ x: U256) {
        self = FieldElement(montgomery: x) * FieldElement(montgomery: M.r2ModM)
    }

    /// OS2IP(bytes) mod m for a big-endian byte string of any length
    /// (RFC 9380 hash_to_field reads 48-byte strings). Horner's rule over
    /// 32-byte chunks, most significant first: acc ← acc·2²⁵⁶ + chunk, where
    /// the product by 2²⁵⁶ = R is a Montgomery product with R² mod m. Two
    /// products per chunk; the operations depend on the length only.
    init<B: Collection<UInt8>>(reducing bytes: B) {
        var acc = FieldElement.zero
        var chunk = U256.zero
        // The first chunk takes the odd bytes so that the rest are whole;
        // `inChunk` counts the bytes still to come in the current chunk.
        var inChunk = bytes.count % 32 == 0 ? 32 : bytes.count % 32
        for byte in bytes {
            chunk[(inChunk - 1) / 8] |= UInt64(byte) << UInt64(8 * ((inChunk - 1) % 8))
            inChunk -= 1
            if inChunk == 0 {
                acc = acc * FieldElement(montgomery: M.radixForm) + FieldElement(chunk)
                chunk = .zero
                inChunk = 32
            }
        }
        self = acc
    }

    /// The canonical natural number in [0, m) this element stands for:
    /// REDC(ā) = ā·R⁻¹ = a, a Montgomery product with 1.
    @inline(__always)
    var canonical: U256 { (self * FieldElement(montgomeryLimbs: 1, 0, 0, 0)).montgomery }

    /// I2OSP(canonical, 32): 32 bytes, big-endian.
    var bigEndianBytes: [UInt8] { canonical.bigEndianBytes }

    static var zero: FieldElement { FieldElement(montgomeryLimbs: 0, 0, 0, 0) }
    static var one: FieldElement { FieldElement(montgomery: M.rModM) }

    @inline(__always)
    var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

    /// Parity of the canonical value: SEC1's "y is odd", RFC 9380's sgn0
    /// (for extension degree 1).
    var isOdd: Bool { canonical.w.0 & 1 == 1 }

    @inline(__always)
    static func == (a: FieldElement, b: FieldElement) -> Bool {
        ((a.l0 ^ b.l0) | (a.l1 ^ b.l1) | (a.l2 ^ b.l2) | (a.l3 ^ b.l3)) == 0
    }

    // MARK: Addition

    /// t − m if t ≥ m, else t, for t = hi·2²⁵⁶ + (t₃t₂t₁t₀) < 2m. Branch-free:
    /// both are computed and one selected by mask.
    @inline(__always)
    static func reduceOnce(_ t0: UInt64, _ t1: UInt64, _ t2: UInt64, _ t3: UInt64, _ hi: UInt64) -> FieldElement {
        let (s0, b0) = subb(t0, m0, 0)
        let (s1, b1) = subb(t1, m1, b0)
        let (s2, b2) = subb(t2, m2, b1)
        let (s3, b3) = subb(t3, m3, b2)
        // Keep t when the subtraction borrowed out of the five-limb value.
        let (_, borrow) = subb(hi, 0, b3)
        let keep = 0 &- borrow          // all ones: t < m, keep t
        return FieldElement(montgomeryLimbs:
            (t0 & keep) | (s0 & ~keep), (t1 & keep) | (s1 & ~keep),
            (t2 & keep) | (s2 & ~keep), (t3 & keep) | (s3 & ~keep))
    }

    /// a + b mod m: a + b < 2m, one conditional subtraction.
    @inline(__always)
    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        let (t0, c0) = adc(a.l0, b.l0, 0)
        let (t1, c1) = adc(a.l1, b.l1, c0)
        let (t2, c2) = adc(a.l2, b.l2, c1)
        let (t3, c3) = adc(a.l3, b.l3, c2)
        return FieldElement.reduceOnce(t0, t1, t2, t3, c3)
    }

    /// a − b mod m: a − b, plus m (masked in, no branch) when it borrowed.
    @inline(__always)
    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        let (t0, b0) = subb(a.l0, b.l0, 0)
        let (t1, b1) = subb(a.l1, b.l1, b0)
        let (t2, b2) = subb(a.l2, b.l2, b1)
        let (t3, b3) = subb(a.l3, b.l3, b2)
        let mask = 0 &- b3              // all ones when a < b
        let (r0, c0) = adc(t0, m0 & mask, 0)
        let (r1, c1) = adc(t1, m1 & mask, c0)
        let (r2, c2) = adc(t2, m2 & mask, c1)
        let (r3, _) = adc(t3, m3 & mask, c2)
        return FieldElement(montgomeryLimbs: r0, r1, r2, r3)
    }

    @inline(__always)
    static prefix func - (a: FieldElement) -> FieldElement { zero - a }

    @inline(__always)
    var doubled: FieldElement { self + self }

    @inline(__always)
    static func += (a: inout FieldElement, b: FieldElement) { a = a + b }
    @inline(__always)
    static func -= (a: inout FieldElement, b: FieldElement) { a = a - b }
    @inline(__always)
    static func *= (a: inout FieldElement, b: FieldElement) { a = a * b }

    // MARK: Multiplication

    /// One CIOS round: t ← (t + aᵢ·b + q·m) / 2⁶⁴, q = t₀·(−m⁻¹) mod 2⁶⁴,
    /// t kept in five limbs (t < b + m < 2m before and after).
    @inline(__always)
    static func round(_ t0: inout UInt64, _ t1: inout UInt64, _ t2: inout UInt64, _ t3: inout UInt64,
                      _ t4: inout UInt64, _ ai: UInt64, _ b: FieldElement) {
        var c: UInt64
        (t0, c) = mac(t0, ai, b.l0, 0)
        (t1, c) = mac(t1, ai, b.l1, c)
        (t2, c) = mac(t2, ai, b.l2, c)
        (t3, c) = mac(t3, ai, b.l3, c)
        let (s4, t5) = adc(t4, c, 0)
        let q = t0 &* M.negatedInverse64
        var d: UInt64
        (_, d) = mac(t0, q, m0, 0)
        (t0, d) = mac(t1, q, m1, d)
        (t1, d) = mac(t2, q, m2, d)
        (t2, d) = mac(t3, q, m3, d)
        let (u3, e) = adc(s4, d, 0)
        t3 = u3
        t4 = t5 &+ e
    }

    /// The form of the product of the elements: the Montgomery product
    /// a·b·R⁻¹ mod m, or a·b mod m folded (R = 1). `b` must be reduced;
    /// `a` may be any 256-bit value (see the reduction bounds above).
    @inline(__always)
    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        if case .pseudoMersenne(let c) = M.reduction { return pseudoMersenneProduct(a, b, c: c) }
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0, t4: UInt64 = 0
        round(&t0, &t1, &t2, &t3, &t4, a.l0, b)
        round(&t0, &t1, &t2, &t3, &t4, a.l1, b)
        round(&t0, &t1, &t2, &t3, &t4, a.l2, b)
        round(&t0, &t1, &t2, &t3, &t4, a.l3, b)
        return reduceOnce(t0, t1, t2, t3, t4)
    }

    /// The form of a². The full 512-bit square is computed with the
    /// off-diagonal products once and doubled (10 word products instead of
    /// 16), then reduced by `montgomeryReduce` or `foldReduce`.
    @inline(__always)
    var squared: FieldElement {
        // Off-diagonal products a_i·a_j, i < j, accumulated into r1…r6.
        var c: UInt64
        var r1: UInt64, r2: UInt64, r3: UInt64, r4: UInt64, r5: UInt64, r6: UInt64, r7: UInt64
        (r1, c) = mac(0, l0, l1, 0)
        (r2, c) = mac(0, l0, l2, c)
        (r3, c) = mac(0, l0, l3, c)
        r4 = c
        (r3, c) = mac(r3, l1, l2, 0)
        (r4, c) = mac(r4, l1, l3, c)
        r5 = c
        (r5, c) = mac(r5, l2, l3, 0)
        r6 = c
        // Double them.
        r7 = r6 >> 63
        r6 = (r6 << 1) | (r5 >> 63)
        r5 = (r5 << 1) | (r4 >> 63)
        r4 = (r4 << 1) | (r3 >> 63)
        r3 = (r3 << 1) | (r2 >> 63)
        r2 = (r2 << 1) | (r1 >> 63)
        r1 = r1 << 1
        // Add the diagonal squares a_i².
        let (h0, r0) = l0.multipliedFullWidth(by: l0)
        let (h1, q1) = l1.multipliedFullWidth(by: l1)
        let (h2, q2) = l2.multipliedFullWidth(by: l2)
        let (h3, q3) = l3.multipliedFullWidth(by: l3)
        var k: UInt64
        (r1, k) = adc(r1, h0, 0)
        (r2, k) = adc(r2, q1, k)
        (r3, k) = adc(r3, h1, k)
        (r4, k) = adc(r4, q2, k)
        (r5, k) = adc(r5, h2, k)
        (r6, k) = adc(r6, q3, k)
        (r7, _) = adc(r7, h3, k)
        if case .pseudoMersenne(let c) = M.reduction { return FieldElement.foldReduce(r0, r1, r2, r3, r4, r5, r6, r7, c: c) }
        return FieldElement.montgomeryReduce(r0, r1, r2, r3, r4, r5, r6, r7)
    }

    // MARK: Pseudo-Mersenne moduli m = 2²⁵⁶ − c

    /// a·b mod m for any a, b < 2²⁵⁶: the 512-bit product by rows, then
    /// `foldReduce`.
    @inline(__always)
    static func pseudoMersenneProduct(_ a: FieldElement, _ b: FieldElement, c: UInt64) -> FieldElement {
        var k: UInt64
        var r0: UInt64, r1: UInt64, r2: UInt64, r3: UInt64, r4: UInt64, r5: UInt64, r6: UInt64, r7: UInt64
        (r0, k) = mac(0, a.l0, b.l0, 0)
        (r1, k) = mac(0, a.l0, b.l1, k)
        (r2, k) = mac(0, a.l0, b.l2, k)
        (r3, r4) = mac(0, a.l0, b.l3, k)
        (r1, k) = mac(r1, a.l1, b.l0, 0)
        (r2, k) = mac(r2, a.l1, b.l1, k)
        (r3, k) = mac(r3, a.l1, b.l2, k)
        (r4, r5) = mac(r4, a.l1, b.l3, k)
        (r2, k) = mac(r2, a.l2, b.l0, 0)
        (r3, k) = mac(r3, a.l2, b.l1, k)
        (r4, k) = mac(r4, a.l2, b.l2, k)
        (r5, r6) = mac(r5, a.l2, b.l3, k)
        (r3, k) = mac(r3, a.l3, b.l0, 0)
        (r4, k) = mac(r4, a.l3, b.l1, k)
        (r5, k) = mac(r5, a.l3, b.l2, k)
        (r6, r7) = mac(r6, a.l3, b.l3, k)
        return foldReduce(r0, r1, r2, r3, r4, r5, r6, r7, c: c)
    }

    /// T mod m for T = H·2²⁵⁶ + L < 2⁵¹², m = 2²⁵⁶ − c, c < 2³⁴, branch-free.
    /// 2²⁵⁶ ≡ c, so T ≡ L + H·c < 2²⁵⁶ + 2²⁹⁰: four limbs and a top word
    /// k < 2³⁵. Folding k·c < 2⁶⁹ in again leaves a value below 2²⁵⁶ + 2⁶⁹;
    /// if that carried out of 2²⁵⁶ the low part is below 2⁶⁹ and one more c
    /// (added by mask) cannot carry. The result, below 2²⁵⁶ < 2m, is
    /// reduced once.
    @inline(__always)
    static func foldReduce(_ t0: UInt64, _ t1: UInt64, _ t2: UInt64, _ t3: UInt64,
                           _ t4: UInt64, _ t5: UInt64, _ t6: UInt64, _ t7: UInt64, c: UInt64) -> FieldElement {
        var k: UInt64
        var r0: UInt64, r1: UInt64, r2: UInt64, r3: UInt64
        (r0, k) = mac(t0, t4, c, 0)
        (r1, k) = mac(t1, t5, c, k)
        (r2, k) = mac(t2, t6, c, k)
        (r3, k) = mac(t3, t7, c, k)
        let (lo, hi) = mac(0, k, c, 0)
        var carry: UInt64
        (r0, carry) = adc(r0, lo, 0)
        (r1, carry) = adc(r1, hi, carry)
        (r2, carry) = adc(r2, 0, carry)
        (r3, carry) = adc(r3, 0, carry)
        (r0, carry) = adc(r0, c & (0 &- carry), 0)
        (r1, carry) = adc(r1, 0, carry)
        (r2, carry) = adc(r2, 0, carry)
        (r3, _) = adc(r3, 0, carry)
        return reduceOnce(r0, r1, r2, r3, 0)
    }

    /// REDC(T) = T·R⁻¹ mod m for a 512-bit T < m·R (here T = ā² < m²), by
    /// four word-wise Montgomery steps: step i adds q·m·2⁶⁴ⁱ with
    /// q = tᵢ·(−m⁻¹) so that limb i vanishes; the carry out of each step
    /// ripples one limb up (k ∈ {0, 1}). The result, (T + Q·m)/R < 2m, is
    /// reduced once.
    @inline(__always)
    static func montgomeryReduce(_ r0: UInt64, _ r1: UInt64, _ r2: UInt64, _ r3: UInt64,
                                 _ r4: UInt64, _ r5: UInt64, _ r6: UInt64, _ r7: UInt64) -> FieldElement {
        var t1 = r1, t2 = r2, t3 = r3, t4 = r4, t5 = r5, t6 = r6, t7 = r7
        var c: UInt64, k: UInt64, q: UInt64
        let n0 = M.negatedInverse64
        q = r0 &* n0
        (_, c) = mac(r0, q, m0, 0); (t1, c) = mac(t1, q, m1, c); (t2, c) = mac(t2, q, m2, c); (t3, c) = mac(t3, q, m3, c)
        (t4, k) = adc(t4, c, 0)
        q = t1 &* n0
        (_, c) = mac(t1, q, m0, 0); (t2, c) = mac(t2, q, m1, c); (t3, c) = mac(t3, q, m2, c); (t4, c) = mac(t4, q, m3, c)
        (t5, k) = adc(t5, c, k)
        q = t2 &* n0
        (_, c) = mac(t2, q, m0, 0); (t3, c) = mac(t3, q, m1, c); (t4, c) = mac(t4, q, m2, c); (t5, c) = mac(t5, q, m3, c)
        (t6, k) = adc(t6, c, k)
        q = t3 &* n0
        (_, c) = mac(t3, q, m0, 0); (t4, c) = mac(t4, q, m1, c); (t5, c) = mac(t5, q, m2, c); (t6, c) = mac(t6, q, m3, c)
        (t7, k) = adc(t7, c, k)
        return reduceOnce(t4, t5, t6, t7, k)
    }

    /// self^(2^k): k repeated squarings.
    @inline(__always)
    func squared(times k: Int) -> FieldElement {
        var r = self
        for _ in 0..<k { r = r.squared }
        return r
    }
}
