import CGMP

// MARK: - Prime-field arithmetic in Montgomery form
//
// The base fields of P-256 and secp256k1, in pure Swift over four 64-bit limbs.
// This is the arithmetic under the fast multi-scalar multiplication
// (`Pippenger.swift`) and the fast point decompression (`JacobianPoint.swift`).
//
// Representation. An element a ∈ 𝔽ₚ is stored as its Montgomery form
// ā = a·R mod p, R = 2²⁵⁶, in four little-endian limbs. Invariant of every
// `FieldElement` value: 0 ≤ ā < p (fully reduced), so equality of elements is
// equality of limbs and `isZero` is a limb test. Every operation takes reduced
// inputs and returns a reduced output; nothing allocates.
//
// Multiplication is Montgomery's CIOS method (coarsely integrated operand
// scanning): for each limb aᵢ, t ← (t + aᵢ·b + m·p) / 2⁶⁴ with m = t₀·(−p⁻¹)
// mod 2⁶⁴, so that the division is exact; after four rounds t = a·b·R⁻¹ < 2p
// and one conditional subtraction reduces it. Both primes exceed 2²⁵⁵, so t
// needs a fifth limb and a carry bit.
//
// The code is generic over a `MontgomeryModulus` whose constants are computed
// properties returning literals: once the generic code is specialised (always,
// in a whole-module release build) the constants fold into the instructions —
// P-256's zero limb and −p⁻¹ = 1 vanish and its limbs 2⁶⁴ − 1 and 2³² − 1
// become shifts — so one implementation serves both primes; a hand-written
// special-form P-256 reduction could only save the multiplication by p₃ per
// round. Measured (release, this 2-core EPYC, latency of dependent products):
// P-256 24 ns, secp256k1 32 ns; a product-scanning (FIPS) variant was slower
// (31 / 34 ns), and the same CIOS over `multipliedFullWidth` instead of
// `UInt128` twice as slow (see "Word primitives").
//
// Not constant-time: conditional subtractions are branch-free, but inversion
// through GMP and the special cases of the point formulas branch on values.
// Everything that uses this file works on public data only (verification
// equations, public points); secrets stay on OpenSSL's constant-time paths.

/// The constants of a prime p with 2²⁵⁵ < p < 2²⁵⁶ for Montgomery arithmetic.
/// Every property must be a literal (so that it folds after specialisation).
protocol MontgomeryModulus {
    /// p, least significant limb first.
    static var p0: UInt64 { get }
    static var p1: UInt64 { get }
    static var p2: UInt64 { get }
    static var p3: UInt64 { get }
    /// −p⁻¹ mod 2⁶⁴.
    static var n0: UInt64 { get }
    /// R mod p (the Montgomery form of 1).
    static var rModP: U256 { get }
    /// R² mod p (converts into Montgomery form with one multiplication).
    static var r2ModP: U256 { get }
    /// R³ mod p (turns a plain inverse of a Montgomery form into a Montgomery form).
    static var r3ModP: U256 { get }
    /// The field prime as a `U256`.
    static var prime: U256 { get }
    /// a^(p−2) = a⁻¹ by a fixed addition chain (zero for zero).
    static func invertByChain(_ a: FieldElement<Self>) -> FieldElement<Self>
    /// a^((p+1)/4), a square root of a when a is a square (p ≡ 3 mod 4).
    static func sqrtCandidate(_ a: FieldElement<Self>) -> FieldElement<Self>
}

/// An element of 𝔽ₚ in Montgomery form: the limbs hold a·2²⁵⁶ mod p, fully
/// reduced (0 ≤ limbs < p). Value type, four words, no heap storage.
struct FieldElement<M: MontgomeryModulus>: Sendable, Equatable {
    var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64

    /// From Montgomery-form limbs. Precondition (unchecked): they are < p.
    @inline(__always)
    init(montgomeryLimbs l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3
    }

    /// From a Montgomery-form `U256` (< p, unchecked).
    @inline(__always)
    init(montgomery u: U256) { self.init(montgomeryLimbs: u.w.0, u.w.1, u.w.2, u.w.3) }

    /// The Montgomery-form limbs as a `U256`.
    @inline(__always)
    var montgomery: U256 { U256(l0, l1, l2, l3) }

    /// Converts a canonical natural number x < p into Montgomery form (x·R).
    /// Precondition: x < p (checked by callers that read untrusted input).
    @inline(__always)
    init(_ x: U256) {
        self = FieldElement(montgomery: x) * FieldElement(montgomery: M.r2ModP)
    }

    /// The canonical natural number in [0, p) this element stands for.
    @inline(__always)
    var canonical: U256 { (self * FieldElement(montgomeryLimbs: 1, 0, 0, 0)).montgomery }

    static var zero: FieldElement { FieldElement(montgomeryLimbs: 0, 0, 0, 0) }
    static var one: FieldElement { FieldElement(montgomery: M.rModP) }

    @inline(__always)
    var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

    /// Parity of the canonical value (SEC1's "y is odd").
    var isOdd: Bool { canonical.w.0 & 1 == 1 }

    @inline(__always)
    static func == (a: FieldElement, b: FieldElement) -> Bool {
        ((a.l0 ^ b.l0) | (a.l1 ^ b.l1) | (a.l2 ^ b.l2) | (a.l3 ^ b.l3)) == 0
    }

    // MARK: Addition

    /// t − p if t ≥ p, else t, for t = (hi·2²⁵⁶ + t) < 2p. Branch-free.
    @inline(__always)
    static func reduceOnce(_ t0: UInt64, _ t1: UInt64, _ t2: UInt64, _ t3: UInt64, _ hi: UInt64) -> FieldElement {
        let (s0, b0) = subb(t0, M.p0, 0)
        let (s1, b1) = subb(t1, M.p1, b0)
        let (s2, b2) = subb(t2, M.p2, b1)
        let (s3, b3) = subb(t3, M.p3, b2)
        // Keep t when the subtraction borrowed out of the five-limb value.
        let (_, borrow) = subb(hi, 0, b3)
        let keep = 0 &- borrow          // all ones: t < p, keep t
        return FieldElement(montgomeryLimbs:
            (t0 & keep) | (s0 & ~keep), (t1 & keep) | (s1 & ~keep),
            (t2 & keep) | (s2 & ~keep), (t3 & keep) | (s3 & ~keep))
    }

    @inline(__always)
    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        let (t0, c0) = adc(a.l0, b.l0, 0)
        let (t1, c1) = adc(a.l1, b.l1, c0)
        let (t2, c2) = adc(a.l2, b.l2, c1)
        let (t3, c3) = adc(a.l3, b.l3, c2)
        return FieldElement.reduceOnce(t0, t1, t2, t3, c3)
    }

    @inline(__always)
    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        let (t0, b0) = subb(a.l0, b.l0, 0)
        let (t1, b1) = subb(a.l1, b.l1, b0)
        let (t2, b2) = subb(a.l2, b.l2, b1)
        let (t3, b3) = subb(a.l3, b.l3, b2)
        // On borrow add p back (mask is all ones when a < b).
        let mask = 0 &- b3
        let (r0, c0) = adc(t0, M.p0 & mask, 0)
        let (r1, c1) = adc(t1, M.p1 & mask, c0)
        let (r2, c2) = adc(t2, M.p2 & mask, c1)
        let (r3, _) = adc(t3, M.p3 & mask, c2)
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

    /// One CIOS round: t ← (t + aᵢ·b + m·p) / 2⁶⁴, t kept in five limbs
    /// (t < 2p < 2²⁵⁷ before and after).
    @inline(__always)
    static func round(_ t0: inout UInt64, _ t1: inout UInt64, _ t2: inout UInt64, _ t3: inout UInt64,
                      _ t4: inout UInt64, _ ai: UInt64, _ b: FieldElement) {
        var c: UInt64
        (t0, c) = mac(t0, ai, b.l0, 0)
        (t1, c) = mac(t1, ai, b.l1, c)
        (t2, c) = mac(t2, ai, b.l2, c)
        (t3, c) = mac(t3, ai, b.l3, c)
        let (s4, t5) = adc(t4, c, 0)
        let m = t0 &* M.n0
        var d: UInt64
        (_, d) = mac(t0, m, M.p0, 0)
        (t0, d) = mac(t1, m, M.p1, d)
        (t1, d) = mac(t2, m, M.p2, d)
        (t2, d) = mac(t3, m, M.p3, d)
        let (u3, e) = adc(s4, d, 0)
        t3 = u3
        t4 = t5 &+ e
    }

    /// Montgomery product a·b·R⁻¹ mod p (the Montgomery form of the product).
    @inline(__always)
    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0, t4: UInt64 = 0
        round(&t0, &t1, &t2, &t3, &t4, a.l0, b)
        round(&t0, &t1, &t2, &t3, &t4, a.l1, b)
        round(&t0, &t1, &t2, &t3, &t4, a.l2, b)
        round(&t0, &t1, &t2, &t3, &t4, a.l3, b)
        return reduceOnce(t0, t1, t2, t3, t4)
    }

    /// a² (Montgomery form). The full 512-bit square is computed with the
    /// off-diagonal products once and doubled (10 word products instead of
    /// 16), then reduced by four Montgomery rounds.
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
        return FieldElement.montgomeryReduce(r0, r1, r2, r3, r4, r5, r6, r7)
    }

    /// T·R⁻¹ mod p for a 512-bit T < p·R, by four word-wise Montgomery
    /// steps: step i adds m·p·2⁶⁴ⁱ with m = tᵢ·(−p⁻¹) so that limb i
    /// vanishes; the carry out of each step ripples one limb up (k ∈ {0, 1}).
    @inline(__always)
    static func montgomeryReduce(_ r0: UInt64, _ r1: UInt64, _ r2: UInt64, _ r3: UInt64,
                                 _ r4: UInt64, _ r5: UInt64, _ r6: UInt64, _ r7: UInt64) -> FieldElement {
        var t1 = r1, t2 = r2, t3 = r3, t4 = r4, t5 = r5, t6 = r6, t7 = r7
        var c: UInt64, k: UInt64, m: UInt64
        m = r0 &* M.n0
        (_, c) = mac(r0, m, M.p0, 0); (t1, c) = mac(t1, m, M.p1, c); (t2, c) = mac(t2, m, M.p2, c); (t3, c) = mac(t3, m, M.p3, c)
        (t4, k) = adc(t4, c, 0)
        m = t1 &* M.n0
        (_, c) = mac(t1, m, M.p0, 0); (t2, c) = mac(t2, m, M.p1, c); (t3, c) = mac(t3, m, M.p2, c); (t4, c) = mac(t4, m, M.p3, c)
        (t5, k) = adc(t5, c, k)
        m = t2 &* M.n0
        (_, c) = mac(t2, m, M.p0, 0); (t3, c) = mac(t3, m, M.p1, c); (t4, c) = mac(t4, m, M.p2, c); (t5, c) = mac(t5, m, M.p3, c)
        (t6, k) = adc(t6, c, k)
        m = t3 &* M.n0
        (_, c) = mac(t3, m, M.p0, 0); (t4, c) = mac(t4, m, M.p1, c); (t5, c) = mac(t5, m, M.p2, c); (t6, c) = mac(t6, m, M.p3, c)
        (t7, k) = adc(t7, c, k)
        return reduceOnce(t4, t5, t6, t7, k)
    }

    /// aⁿ for n = 2^k repeated squarings.
    @inline(__always)
    func squared(times k: Int) -> FieldElement {
        var r = self
        for _ in 0..<k { r = r.squared }
        return r
    }

    /// self^e by a 4-bit fixed window (reference and generic exponentiation;
    /// public exponents only).
    func power(_ e: U256) -> FieldElement {
        var table = [FieldElement](repeating: .one, count: 16)
        for i in 1..<16 { table[i] = table[i - 1] * self }
        var r = FieldElement.one
        for i in stride(from: 63, through: 0, by: -1) {
            r = r.squared(times: 4)
            let nibble = e.bits(from: 4 * i, count: 4)
            if nibble != 0 { r = r * table[nibble] }
        }
        return r
    }

    // MARK: Inversion and square roots

    /// a⁻¹ by Fermat's little theorem (a^(p−2), a fixed addition chain of
    /// about 255 squarings and 15 multiplications; the same sequence of
    /// operations for every input). Zero maps to zero.
    @inline(__always)
    var inverse: FieldElement { M.invertByChain(self) }

    /// a⁻¹ through GMP's `mpz_invert` (variable time, about 8× faster than
    /// the addition chain; public values only). Zero maps to zero.
    ///
    /// mpz_invert(ā) = (aR)⁻¹; one Montgomery product with R³ gives a⁻¹·R.
    var inverseVariableTime: FieldElement {
        if isZero { return self }
        var out = U256.zero
        var ok: Int32 = 0
        montgomery.withLimbs { ap in
            M.prime.withLimbs { pp in
                var aRO = __mpz_struct(), pRO = __mpz_struct(), r = __mpz_struct()
                zk_mpz_init(&r)
                defer { zk_mpz_clear(&r) }
                let a = zk_mpz_roinit_n(&aRO, ap, 4)
                let p = zk_mpz_roinit_n(&pRO, pp, 4)
                ok = zk_mpz_invert(&r, a, p)
                let size = zk_mpz_size(&r)
                for i in 0..<min(size, 4) { out[i] = UInt64(zk_mpz_getlimbn(&r, mp_size_t(i))) }
            }
        }
        precondition(ok != 0, "field inversion of a non-invertible element")
        return FieldElement(montgomery: out) * FieldElement(montgomery: M.r3ModP)
    }

    /// A square root of `self`, or nil if `self` is not a square. Both primes
    /// are ≡ 3 mod 4, so the candidate is self^((p+1)/4), checked by squaring.
    var squareRoot: FieldElement? {
        let r = M.sqrtCandidate(self)
        return r.squared == self ? r : nil
    }

    /// Inverts `count` elements in place with one inversion (Montgomery's
    /// trick: prefix products, one inverse, a backward sweep; 3
    /// multiplications per element). `scratch` holds at least `count`
    /// elements. Precondition: no element is zero.
    static func batchInvert(_ xs: UnsafeMutablePointer<FieldElement>, count: Int,
                            scratch: UnsafeMutablePointer<FieldElement>) {
        guard count > 0 else { return }
        var acc = xs[0]
        scratch[0] = acc
        for i in 1..<count {
            acc = acc * xs[i]
            scratch[i] = acc
        }
        var inv = acc.inverseVariableTime
        var i = count - 1
        while i > 0 {
            let xi = xs[i]
            xs[i] = inv * scratch[i - 1]
            inv = inv * xi
            i -= 1
        }
        xs[0] = inv
    }

    /// Batch inversion over an array (convenience for tests and set-up code).
    static func batchInverted(_ xs: [FieldElement]) -> [FieldElement] {
        var out = xs
        var scratch = xs
        out.withUnsafeMutableBufferPointer { o in
            scratch.withUnsafeMutableBufferPointer { s in
                batchInvert(o.baseAddress!, count: o.count, scratch: s.baseAddress!)
            }
        }
        return out
    }
}

// MARK: - Word primitives
//
// Written over `UInt128` where the standard library has it unconditionally
// (Linux): LLVM then emits straight mul/adc chains. With
// `multipliedFullWidth` and `addingReportingOverflow` it turned some carry
// propagations into conditional branches, ≈ 2× slower. Apple platforms
// before macOS 15 lack `UInt128`, hence the fallback; debug builds use it
// too, since unoptimised `UInt128` arithmetic is ≈ 10× slower than the
// fallback there (and debug test runs are dominated by it).

#if !canImport(Darwin) && !DEBUG
/// a + b·c + carry as (low, high); never overflows 128 bits.
@inline(__always)
func mac(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    let t = UInt128(b) &* UInt128(c) &+ UInt128(a) &+ UInt128(carry)
    return (UInt64(truncatingIfNeeded: t), UInt64(truncatingIfNeeded: t &>> 64))
}

/// a + b + carry (carry ∈ {0, 1}) as (sum, carry out).
@inline(__always)
func adc(_ a: UInt64, _ b: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    let t = UInt128(a) &+ UInt128(b) &+ UInt128(carry)
    return (UInt64(truncatingIfNeeded: t), UInt64(truncatingIfNeeded: t &>> 64))
}

/// a − b − borrow (borrow ∈ {0, 1}) as (difference, borrow out).
@inline(__always)
func subb(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (UInt64, UInt64) {
    let t = UInt128(a) &- UInt128(b) &- UInt128(borrow)
    return (UInt64(truncatingIfNeeded: t), UInt64(truncatingIfNeeded: t &>> 127))
}
#else
/// a + b·c + carry as (low, high); never overflows 128 bits.
@inline(__always)
func mac(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    let (hi, lo) = b.multipliedFullWidth(by: c)
    let (s1, c1) = lo.addingReportingOverflow(a)
    let (s2, c2) = s1.addingReportingOverflow(carry)
    return (s2, hi &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0))
}

/// a + b + carry (carry ∈ {0, 1}) as (sum, carry out).
@inline(__always)
func adc(_ a: UInt64, _ b: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    let (s1, c1) = a.addingReportingOverflow(b)
    let (s2, c2) = s1.addingReportingOverflow(carry)
    return (s2, (c1 ? 1 : 0) | (c2 ? 1 : 0))
}

/// a − b − borrow (borrow ∈ {0, 1}) as (difference, borrow out).
@inline(__always)
func subb(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (UInt64, UInt64) {
    let (d1, b1) = a.subtractingReportingOverflow(b)
    let (d2, b2) = d1.subtractingReportingOverflow(borrow)
    return (d2, (b1 ? 1 : 0) | (b2 ? 1 : 0))
}
#endif

// MARK: - The two base fields

/// 𝔽ₚ for P-256: p = 2²⁵⁶ − 2²²⁴ + 2¹⁹² + 2⁹⁶ − 1.
enum P256Field: MontgomeryModulus {
    static var p0: UInt64 { 0xffff_ffff_ffff_ffff }
    static var p1: UInt64 { 0x0000_0000_ffff_ffff }
    static var p2: UInt64 { 0 }
    static var p3: UInt64 { 0xffff_ffff_0000_0001 }
    static var n0: UInt64 { 1 }
    static var rModP: U256 { U256(0x0000000000000001, 0xffffffff00000000, 0xffffffffffffffff, 0x00000000fffffffe) }
    static var r2ModP: U256 { U256(0x0000000000000003, 0xfffffffbffffffff, 0xfffffffffffffffe, 0x00000004fffffffd) }
    static var r3ModP: U256 { U256(0xfffffffd0000000a, 0xffffffedfffffff7, 0x00000005fffffffc, 0x0000001800000001) }
    static var prime: U256 { U256(p0, p1, p2, p3) }

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

    /// p − 2 in 32-bit words, most significant first: ffffffff 00000001
    /// 00000000 00000000 00000000 ffffffff ffffffff fffffffd. 255
    /// squarings, 12 multiplications.
    static func invertByChain(_ x: F) -> F {
        let (_, x30, x32) = ones(x)
        var t = x32.squared(times: 32) * x       // ffffffff 00000001
        t = t.squared(times: 96)                 // three zero words
        t = t.squared(times: 32) * x32           // ffffffff
        t = t.squared(times: 32) * x32           // ffffffff
        t = t.squared(times: 30) * x30           // fffffffd = 30 ones, 0, 1
        return t.squared(times: 2) * x
    }

    /// (p + 1)/4 = 2²⁵⁴ − 2²²² + 2¹⁹⁰ + 2⁹⁴: 32 ones, then a one 32 places
    /// lower, then a one 96 places lower, then 94 zeros.
    static func sqrtCandidate(_ x: F) -> F {
        var t = ones(x).x32
        t = t.squared(times: 32) * x
        t = t.squared(times: 96) * x
        return t.squared(times: 94)
    }
}

/// 𝔽ₚ for secp256k1: p = 2²⁵⁶ − 2³² − 977.
enum Secp256k1Field: MontgomeryModulus {
    static var p0: UInt64 { 0xffff_fffe_ffff_fc2f }
    static var p1: UInt64 { 0xffff_ffff_ffff_ffff }
    static var p2: UInt64 { 0xffff_ffff_ffff_ffff }
    static var p3: UInt64 { 0xffff_ffff_ffff_ffff }
    static var n0: UInt64 { 0xd838_091d_d225_3531 }
    static var rModP: U256 { U256(0x00000001000003d1, 0, 0, 0) }
    static var r2ModP: U256 { U256(0x000007a2000e90a1, 0x0000000000000001, 0, 0) }
    static var r3ModP: U256 { U256(0x002bb1e33795f671, 0x0000000100000b73, 0, 0) }
    static var prime: U256 { U256(p0, p1, p2, p3) }

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

    static func invertByChain(_ x: F) -> F {
        let (x2, x22, x223) = blocks(x)
        var t = x223.squared(times: 23) * x22
        t = t.squared(times: 5) * x
        t = t.squared(times: 3) * x2
        t = t.squared(times: 2) * x
        return t
    }

    static func sqrtCandidate(_ x: F) -> F {
        let (x2, x22, x223) = blocks(x)
        var t = x223.squared(times: 23) * x22
        t = t.squared(times: 6) * x2
        return t.squared(times: 2)
    }
}
