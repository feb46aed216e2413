
/// An element of the scalar field ℤ/nℤ of a curve, n the group order.
///
/// Invariant: the value is always fully reduced, `0 ≤ value < n`, so two
/// scalars are equal exactly when their representations are.
///
/// Every operation runs in constant time with respect to the values:
/// addition, subtraction and negation are branch-free (the reduction is a
/// masked select); multiplication, reduction of byte strings and the
/// inverse run on the Montgomery arithmetic of `FieldElement` over the group
/// order (`P256Order`, `Secp256k1Order`: fixed limbs, no branch or memory
/// index on the values). The stored value is canonical, not in Montgomery
/// form, so encoding and comparison need no conversion; a product costs two
/// Montgomery products instead of one. Secrets only ever meet curve points
/// through `Point.multiplied(by:)` and `SecretMSM`.
///
/// Printing never shows the value: `description`, `debugDescription` and
/// the reflection `dump` and debuggers use are all redacted.
public struct Scalar: Sendable, Hashable {
    /// The curve whose order this scalar is reduced by.
    public let curve: Curve
    var value: U256

    init(unchecked value: U256, curve: Curve) {
        self.value = value
        self.curve = curve
    }

    // MARK: Constants and constructors

    public static func zero(_ curve: Curve) -> Scalar { Scalar(unchecked: .zero, curve: curve) }
    public static func one(_ curve: Curve) -> Scalar { Scalar(unchecked: .one, curve: curve) }

    /// The scalar congruent to `v` mod n (negative values wrap to n − |v|).
    public init(_ v: Int, curve: Curve) {
        let magnitude = Scalar(unchecked: U256(UInt64(v.magnitude), 0, 0, 0), curve: curve)
        self = v < 0 ? Scalar.negate(magnitude) : magnitude
    }

    /// The scalar congruent to `v` mod n.
    public init(_ v: UInt64, curve: Curve) {
        self.init(unchecked: U256(v, 0, 0, 0), curve: curve)
    }

    /// Strict canonical decoding: exactly 32 big-endian bytes encoding a value < n.
    public init<B: Collection<UInt8>>(canonical bytes: B, curve: Curve) throws(GroupError) {
        guard bytes.count == 32 else { throw .scalarLength(bytes.count) }
        let v = U256(bigEndian: bytes)
        guard U256.compare(v, curve.parameters.order) < 0 else { throw .scalarNotReduced }
        self.init(unchecked: v, curve: curve)
    }

    /// Reduces an arbitrary-length big-endian natural number mod n. Used for
    /// hash outputs (64 bytes, so the bias is below 2⁻²⁵⁶) and for public
    /// integer coefficients of any size.
    ///
    /// The input is often secret (`random` feeds it 64 bytes from the DRBG):
    /// `FieldElement.init(reducing:)` runs Horner's rule over 32-byte chunks
    /// with the same operations for every input of a given length, reading
    /// the bytes in place.
    public init<B: Collection<UInt8>>(reducing bytes: B, curve: Curve) {
        self.init(unchecked: Scalar.reduced(bytes, curve: curve), curve: curve)
    }

    /// `init(reducing:curve:)` for a byte array: the same result, specialised
    /// inside this module (the generic entry point is not, when called from
    /// another module, and costs about 30 ns per byte through witness tables;
    /// challenges and random draws take this one).
    public init(reducing bytes: [UInt8], curve: Curve) {
        self.init(unchecked: Scalar.reduced(bytes, curve: curve), curve: curve)
    }

    /// OS2IP(bytes) mod n on the order's Montgomery arithmetic; specialised
    /// for each caller inside this module.
    static func reduced<B: Collection<UInt8>>(_ bytes: B, curve: Curve) -> U256 {
        switch curve {
        case .p256: FieldElement<P256Order>(reducing: bytes).canonical
        case .secp256k1: FieldElement<Secp256k1Order>(reducing: bytes).canonical
        }
    }

    /// A uniformly random nonzero scalar in [1, n): 64 bytes from `source`
    /// reduced mod n (bias < 2⁻²⁵⁶). A draw that reduces to zero (probability
    /// < 2⁻²⁵⁵) gives 1, chosen by mask: no branch on the secret draw.
    public static func random<R: RandomBytesSource>(_ curve: Curve, using source: inout R) -> Scalar {
        var bytes = [UInt8](repeating: 0, count: 64)
        defer { secureZero(&bytes) }
        source.fill(&bytes)
        let s = Scalar(reducing: bytes, curve: curve)
        return Scalar(unchecked: U256.select(s.value.isNonzeroBit, s.value, .one), curve: curve)
    }

    /// A uniformly random nonzero scalar from OpenSSL's `RAND_priv_bytes`.
    public static func random(_ curve: Curve) -> Scalar {
        var source = SystemRandom()
        return random(curve, using: &source)
    }

    // MARK: Encoding

    /// 32 bytes, big-endian.
    public var bytes: [UInt8] { value.bigEndianBytes }

    public var isZero: Bool { value.isZero }

    // MARK: Arithmetic

    static func checkSameCurve(_ a: Scalar, _ b: Scalar) {
        precondition(a.curve == b.curve, "scalars from different curves")
    }

    /// `a + b` mod n. Branch-free: both `s` and `s − n` are computed and one
    /// is selected by mask, so the time does not reveal whether the sum
    /// wrapped (for a secret bit b and a random mask ρ, whether b + ρ wraps
    /// says which bit it is: `SecretMSM` relies on this).
    public static func + (a: Scalar, b: Scalar) -> Scalar {
        checkSameCurve(a, b)
        let n = a.curve.parameters.order
        let (s, carry) = U256.addWithCarry(a.value, b.value)
        let (t, borrow) = U256.subWithBorrow(s, n)
        // s − n when the sum overflowed 2²⁵⁶ or s ≥ n (no borrow), else s.
        return Scalar(unchecked: U256.select(carry | (1 &- borrow), t, s), curve: a.curve)
    }

    /// `a − b` mod n, branch-free.
    public static func - (a: Scalar, b: Scalar) -> Scalar {
        checkSameCurve(a, b)
        let (d, borrow) = U256.subWithBorrow(a.value, b.value)
        let (e, _) = U256.addWithCarry(d, a.curve.parameters.order)
        return Scalar(unchecked: U256.select(borrow, e, d), curve: a.curve)
    }

    public static prefix func - (a: Scalar) -> Scalar { negate(a) }

    /// `−a` mod n, branch-free (n − a, except 0 for 0).
    static func negate(_ a: Scalar) -> Scalar {
        let (d, _) = U256.subWithBorrow(a.curve.parameters.order, a.value)
        return Scalar(unchecked: U256.select(a.value.isNonzeroBit, d, .zero), curve: a.curve)
    }

    /// `a · b` mod n, in constant time: two Montgomery products on fixed
    /// limbs (`ScalarOrder.product`).
    public static func * (a: Scalar, b: Scalar) -> Scalar {
        checkSameCurve(a, b)
        switch a.curve {
        case .p256: return Scalar(unchecked: ScalarOrder<P256Order>.product(a.value, b.value), curve: a.curve)
        case .secp256k1: return Scalar(unchecked: ScalarOrder<Secp256k1Order>.product(a.value, b.value), curve: a.curve)
        }
    }

    public static func += (a: inout Scalar, b: Scalar) { a = a + b }
    public static func -= (a: inout Scalar, b: Scalar) { a = a - b }
    public static func *= (a: inout Scalar, b: Scalar) { a = a * b }

    /// The multiplicative inverse, or nil for zero: a^(n−2) by Fermat, a
    /// fixed sequence of Montgomery products (constant time in a; whether a
    /// is zero is the only thing the result reveals).
    public func inverse() -> Scalar? {
        guard !isZero else { return nil }
        switch curve {
        case .p256: return Scalar(unchecked: FieldElement<P256Order>(value).inverse.canonical, curve: curve)
        case .secp256k1: return Scalar(unchecked: FieldElement<Secp256k1Order>(value).inverse.canonical, curve: curve)
        }
    }

    /// Inverts every element with one field inversion (Montgomery's trick):
    /// prefix products, one inverse, then a backward sweep. Returns nil if
    /// any element is zero.
    public static func batchInverse(_ xs: [Scalar]) -> [Scalar]? {
        guard let first = xs.first else { return [] }
        var prefix = [Scalar]()
        prefix.reserveCapacity(xs.count)
        var acc = Scalar.one(first.curve)
        for x in xs {
            if x.isZero { return nil }
            prefix.append(acc)
            acc = acc * x
        }
        guard var inv = acc.inverse() else { return nil }
        var out = xs
        for i in stride(from: xs.count - 1, through: 0, by: -1) {
            out[i] = inv * prefix[i]
            inv = inv * xs[i]
        }
        return out
    }

    /// `self^e` for a small public exponent, by square-and-multiply.
    public func power(_ e: UInt64) -> Scalar {
        var result = Scalar.one(curve), base = self, e = e
        while e > 0 {
            if e & 1 == 1 { result = result * base }
            base = base * base
            e >>= 1
        }
        return result
    }

    /// `[1, x, x², …, x^(count−1)]`.
    public func powers(count: Int) -> [Scalar] {
        var out = [Scalar]()
        out.reserveCapacity(count)
        var acc = Scalar.one(curve)
        for _ in 0..<count {
            out.append(acc)
            acc = acc * self
        }
        return out
    }
}

extension Scalar: CustomStringConvertible {
    /// Deliberately opaque: scalars are often secrets (blinding factors,
    /// openings) and must never reach a log line by accident. Use `bytes` to
    /// print a public scalar on purpose.
    public var description: String { "Scalar(\(curve), <redacted>)" }
}

extension Scalar: CustomDebugStringConvertible {
    public var debugDescription: String { description }
}

extension Scalar: CustomReflectable {
    /// Only the curve: without this, `dump`, `Mirror` and the debugger would
    /// walk into the stored limbs and print the value in decimal.
    public var customMirror: Mirror { Mirror(self, children: ["curve": curve], displayStyle: .struct) }
}

/// Products of canonical residues mod a group order on the Montgomery code.
///
/// For canonical a, b < n and REDC(x·y) = x·y·R⁻¹ mod n (R = 2²⁵⁶):
/// REDC(REDC(a·b)·(R² mod n)) = a·b·R⁻¹·R²·R⁻¹ = a·b mod n. Both products
/// take a reduced second factor (b < n, R² mod n < n), as `FieldElement`'s
/// `*` requires.
enum ScalarOrder<M: FieldModulus> {
    @inline(__always)
    static func product(_ a: U256, _ b: U256) -> U256 {
        let abOverR = FieldElement<M>(montgomery: a) * FieldElement<M>(montgomery: b)
        return (abOverR * FieldElement<M>(montgomery: M.r2ModM)).montgomery
    }
}
