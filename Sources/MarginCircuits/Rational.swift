internal import CGMP

/// Owns one GMP `mpq_t`, immutable once its value is built (see `MPZBox`).
final class MPQBox: @unchecked Sendable {
    let p: UnsafeMutablePointer<__mpq_struct>

    init() {
        p = .allocate(capacity: 1)
        zk_mpq_init(p)
    }

    deinit {
        zk_mpq_clear(p)
        p.deallocate()
    }
}

/// An exact rational number backed by GMP's `mpq_t`, always in lowest terms
/// with a positive denominator. Used for every price, rate, parameter and
/// margin figure: nothing in zkmargin is ever rounded through floating point.
public struct Rational: Sendable {
    let box: MPQBox

    init(_ body: (UnsafeMutablePointer<__mpq_struct>) -> Void) {
        let b = MPQBox()
        body(b.p)
        box = b
    }

    public init(_ value: Int) {
        self.init { zk_mpq_set_si($0, value, 1) }
    }

    public init(_ value: BigInt) {
        self.init { zk_mpq_set_z($0, value.box.p) }
    }

    /// numerator / denominator, reduced. Precondition: denominator ≠ 0.
    public init(numerator: BigInt, denominator: BigInt) {
        precondition(!denominator.isZero, "zero denominator")
        self.init { q in
            zk_mpz_set(zk_mpq_numref(q), numerator.box.p)
            zk_mpz_set(zk_mpq_denref(q), denominator.box.p)
            zk_mpq_canonicalize(q)
        }
    }

    public static let zero = Rational(0)
    public static let one = Rational(1)

    /// 10^e for any integer e (negative: 1/10^−e).
    public static func powerOfTen(_ e: Int) -> Rational {
        e >= 0 ? Rational(BigInt.powerOfTen(e)) : Rational(numerator: .one, denominator: BigInt.powerOfTen(-e))
    }

    // MARK: Properties

    public var numerator: BigInt { BigInt { zk_mpz_set($0, zk_mpq_numref_const(box.p)) } }
    public var denominator: BigInt { BigInt { zk_mpz_set($0, zk_mpq_denref_const(box.p)) } }

    /// Bits of |numerator| (0 for zero) and of the denominator, read
    /// without copying.
    var numeratorBits: Int {
        signum == 0 ? 0 : Int(zk_mpz_sizeinbase(zk_mpq_numref_const(box.p), 2))
    }
    var denominatorBits: Int { Int(zk_mpz_sizeinbase(zk_mpq_denref_const(box.p), 2)) }
    /// The larger of the two: what `CircuitLimits.maximumConstantBits` bounds.
    var bitSize: Int { Swift.max(numeratorBits, denominatorBits) }

    public var signum: Int { Int(zk_mpq_sgn(box.p)) }
    public var isZero: Bool { signum == 0 }
    public var isNegative: Bool { signum < 0 }
    public var isInteger: Bool { zk_mpz_cmp_si(zk_mpq_denref_const(box.p), 1) == 0 }
    public var magnitude: Rational { signum >= 0 ? self : -self }

    /// ⌊self⌋.
    public var floor: BigInt { BigInt.floorDivide(numerator, denominator) }
    /// ⌈self⌉.
    public var ceiling: BigInt { BigInt.ceilingDivide(numerator, denominator) }

    // MARK: Arithmetic

    public static func + (a: Rational, b: Rational) -> Rational { Rational { zk_mpq_add($0, a.box.p, b.box.p) } }
    public static func - (a: Rational, b: Rational) -> Rational { Rational { zk_mpq_sub($0, a.box.p, b.box.p) } }
    public static func * (a: Rational, b: Rational) -> Rational { Rational { zk_mpq_mul($0, a.box.p, b.box.p) } }
    /// Precondition: b ≠ 0.
    public static func / (a: Rational, b: Rational) -> Rational {
        precondition(!b.isZero, "division by zero")
        return Rational { zk_mpq_div($0, a.box.p, b.box.p) }
    }
    public static prefix func - (a: Rational) -> Rational { Rational { zk_mpq_neg($0, a.box.p) } }

    public static func += (a: inout Rational, b: Rational) { a = a + b }
    public static func -= (a: inout Rational, b: Rational) { a = a - b }
    public static func *= (a: inout Rational, b: Rational) { a = a * b }

    // MARK: Formatting

    /// The exact decimal expansion when the denominator is 2^a·5^b (every
    /// value read as a decimal is, `Rational(decimal:)`), without trailing zeros; nil
    /// when the expansion does not terminate.
    public var decimalString: String? {
        var d = denominator
        var twos = 0
        while !d.isZero, !d.testBit(0) { d = BigInt.exactQuotient(d, 2); twos += 1 }
        var fives = 0
        let five = BigInt(5)
        while true {
            let (q, r) = d.quotientAndRemainder(dividingBy: five)
            if !r.isZero { break }
            d = q
            fives += 1
        }
        guard d == .one else { return nil }
        let k = Swift.max(twos, fives)
        let n = numerator
        let scaled = BigInt.exactQuotient(n.magnitude * BigInt.powerOfTen(k), denominator)
        var digits = scaled.description
        if k > 0 {
            if digits.count <= k { digits = String(repeating: "0", count: k - digits.count + 1) + digits }
            let split = digits.index(digits.endIndex, offsetBy: -k)
            var frac = String(digits[split...])
            while frac.last == "0" { frac.removeLast() }
            digits = String(digits[..<split]) + (frac.isEmpty ? "" : "." + frac)
        }
        return (n.isNegative ? "-" : "") + digits
    }
}

extension Rational: Comparable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }

    public static func == (a: Rational, b: Rational) -> Bool { zk_mpq_equal(a.box.p, b.box.p) != 0 }
    public static func < (a: Rational, b: Rational) -> Bool { zk_mpq_cmp(a.box.p, b.box.p) < 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(numerator)
        hasher.combine(denominator)
    }

    /// The exact decimal when it terminates (`"97000.25"`), else `"p/q"`.
    public var description: String {
        decimalString ?? "\(numerator)/\(denominator)"
    }
}

extension Rational {
    static func max(_ a: Rational, _ b: Rational) -> Rational { a < b ? b : a }
    static func min(_ a: Rational, _ b: Rational) -> Rational { a < b ? a : b }
}
