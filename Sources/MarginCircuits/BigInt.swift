internal import CGMP

/// Owns one GMP `mpz_t`. The box is written only while the value that owns it
/// is being constructed and is immutable afterwards, which is what makes
/// `BigInt` a value type and safe to share between threads.
final class MPZBox: @unchecked Sendable {
    let p: UnsafeMutablePointer<__mpz_struct>

    init() {
        p = .allocate(capacity: 1)
        zk_mpz_init(p)
    }

    deinit {
        zk_mpz_clear(p)
        p.deallocate()
    }
}

/// An arbitrary-precision signed integer backed by GMP's `mpz_t`.
///
/// Value semantics: every operation returns a fresh value; nothing is mutated
/// in place. No GMP type appears in the public API.
public struct BigInt: Sendable {
    let box: MPZBox

    /// Builds a new value by letting `body` write into a fresh `mpz_t`.
    init(_ body: (UnsafeMutablePointer<__mpz_struct>) -> Void) {
        let b = MPZBox()
        body(b.p)
        box = b
    }

    public init(_ value: Int) {
        self.init { zk_mpz_set_si($0, value) }
    }

    public init(_ value: UInt64) {
        self.init { zk_mpz_set_ui($0, UInt(value)) }
    }

    /// Parses a base-10 integer: an optional `-` followed by one or more ASCII
    /// digits, nothing else (no spaces, no `+`, no exponent).
    public init?(_ decimal: String) {
        let bytes = Array(decimal.utf8)
        var start = 0
        if bytes.first == UInt8(ascii: "-") { start = 1 }
        guard bytes.count > start,
              bytes[start...].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        var ok = true
        self.init { p in ok = zk_mpz_set_str(p, decimal, 10) == 0 }
        if !ok { return nil }
    }

    /// Reads a big-endian magnitude (any length, empty = 0) and a sign.
    public init(magnitudeBigEndianBytes bytes: [UInt8], negative: Bool = false) {
        self.init { p in
            if !bytes.isEmpty {
                bytes.withUnsafeBytes { raw in zk_mpz_import(p, bytes.count, 1, 1, 1, 0, raw.baseAddress) }
            }
            if negative { zk_mpz_neg(p, p) }
        }
    }

    public static let zero = BigInt(0)
    public static let one = BigInt(1)

    /// 2^n.
    public static func powerOfTwo(_ n: Int) -> BigInt {
        precondition(n >= 0)
        return BigInt { zk_mpz_ui_pow_ui($0, 2, UInt(n)) }
    }

    /// 10^n.
    public static func powerOfTen(_ n: Int) -> BigInt {
        precondition(n >= 0)
        return BigInt { zk_mpz_ui_pow_ui($0, 10, UInt(n)) }
    }

    // MARK: Properties

    /// −1, 0 or 1.
    public var signum: Int { Int(zk_mpz_sgn(box.p)) }
    public var isNegative: Bool { signum < 0 }
    public var isZero: Bool { signum == 0 }

    /// The number of bits of the magnitude: 0 for 0, 1 for ±1, 64 for 2^63.
    public var bitWidth: Int {
        isZero ? 0 : Int(zk_mpz_sizeinbase(box.p, 2))
    }

    /// |self|.
    public var magnitude: BigInt {
        signum >= 0 ? self : -self
    }

    /// The magnitude as minimal big-endian bytes; empty for zero.
    public var magnitudeBigEndianBytes: [UInt8] {
        if isZero { return [] }
        let count = (bitWidth + 7) / 8
        var out = [UInt8](repeating: 0, count: count)
        var written = 0
        out.withUnsafeMutableBytes { raw in
            _ = zk_mpz_export(raw.baseAddress, &written, 1, 1, 1, 0, box.p)
        }
        precondition(written == count)
        return out
    }

    /// The value as an `Int` if it fits.
    public var intValue: Int? {
        zk_mpz_fits_slong_p(box.p) != 0 ? zk_mpz_get_si(box.p) : nil
    }

    // MARK: Arithmetic

    public static func + (a: BigInt, b: BigInt) -> BigInt {
        BigInt { zk_mpz_add($0, a.box.p, b.box.p) }
    }

    public static func - (a: BigInt, b: BigInt) -> BigInt {
        BigInt { zk_mpz_sub($0, a.box.p, b.box.p) }
    }

    public static func * (a: BigInt, b: BigInt) -> BigInt {
        BigInt { zk_mpz_mul($0, a.box.p, b.box.p) }
    }

    public static prefix func - (a: BigInt) -> BigInt {
        BigInt { zk_mpz_neg($0, a.box.p) }
    }

    public static func += (a: inout BigInt, b: BigInt) { a = a + b }
    public static func -= (a: inout BigInt, b: BigInt) { a = a - b }
    public static func *= (a: inout BigInt, b: BigInt) { a = a * b }

    /// ⌊a / b⌋ (rounds towards −∞). Precondition: b ≠ 0.
    public static func floorDivide(_ a: BigInt, _ b: BigInt) -> BigInt {
        precondition(!b.isZero, "division by zero")
        return BigInt { zk_mpz_fdiv_q($0, a.box.p, b.box.p) }
    }

    /// ⌈a / b⌉ (rounds towards +∞). Precondition: b ≠ 0.
    public static func ceilingDivide(_ a: BigInt, _ b: BigInt) -> BigInt {
        precondition(!b.isZero, "division by zero")
        return BigInt { zk_mpz_cdiv_q($0, a.box.p, b.box.p) }
    }

    /// Truncated quotient and remainder (C semantics). Precondition: b ≠ 0.
    public func quotientAndRemainder(dividingBy b: BigInt) -> (quotient: BigInt, remainder: BigInt) {
        precondition(!b.isZero, "division by zero")
        let q = MPZBox(), r = MPZBox()
        zk_mpz_tdiv_qr(q.p, r.p, box.p, b.box.p)
        return (BigInt(box: q), BigInt(box: r))
    }

    /// a / b when b divides a exactly. Precondition: b ≠ 0 and b | a.
    public static func exactQuotient(_ a: BigInt, _ b: BigInt) -> BigInt {
        precondition(!b.isZero, "division by zero")
        return BigInt { zk_mpz_divexact($0, a.box.p, b.box.p) }
    }

    /// The non-negative greatest common divisor (gcd(0, 0) = 0).
    public static func gcd(_ a: BigInt, _ b: BigInt) -> BigInt {
        BigInt { zk_mpz_gcd($0, a.box.p, b.box.p) }
    }

    /// The non-negative least common multiple (lcm(x, 0) = 0).
    public static func lcm(_ a: BigInt, _ b: BigInt) -> BigInt {
        BigInt { zk_mpz_lcm($0, a.box.p, b.box.p) }
    }

    public func power(_ exponent: Int) -> BigInt {
        precondition(exponent >= 0)
        return BigInt { zk_mpz_pow_ui($0, box.p, UInt(exponent)) }
    }

    /// Whether bit `i` of the two's-complement representation is set.
    func testBit(_ i: Int) -> Bool { zk_mpz_tstbit(box.p, mp_bitcnt_t(i)) != 0 }

    init(box: MPZBox) { self.box = box }
}

extension BigInt: Comparable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }

    public static func == (a: BigInt, b: BigInt) -> Bool { zk_mpz_cmp(a.box.p, b.box.p) == 0 }
    public static func < (a: BigInt, b: BigInt) -> Bool { zk_mpz_cmp(a.box.p, b.box.p) < 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(signum)
        let n = zk_mpz_size(box.p)
        for i in 0..<n { hasher.combine(UInt64(zk_mpz_getlimbn(box.p, mp_size_t(i)))) }
    }

    public var description: String {
        guard let s = zk_mpz_get_str(nil, 10, box.p) else { return "?" }
        defer { zk_gmp_free_str(s) }
        return String(cString: s)
    }
}

extension BigInt {
    static func max(_ a: BigInt, _ b: BigInt) -> BigInt { a < b ? b : a }
    static func min(_ a: BigInt, _ b: BigInt) -> BigInt { a < b ? a : b }
}

/// A GMP integer updated in place, for the compiler's per-term loops (sums of
/// products, running gcd and lcm), where a fresh `BigInt` per step would
/// dominate the cost. Local to one loop, never shared; `value` copies it out.
final class BigIntAccumulator {
    private let box = MPZBox()
    private let scratch = MPZBox()

    init(_ start: BigInt) { zk_mpz_set(box.p, start.box.p) }

    var value: BigInt { BigInt { zk_mpz_set($0, box.p) } }
    var bitWidth: Int { zk_mpz_sgn(box.p) == 0 ? 0 : Int(zk_mpz_sizeinbase(box.p, 2)) }
    var isZero: Bool { zk_mpz_sgn(box.p) == 0 }
    var isOne: Bool { zk_mpz_cmp_si(box.p, 1) == 0 }

    /// self += a·b.
    func addProduct(_ a: BigInt, _ b: BigInt) {
        zk_mpz_mul(scratch.p, a.box.p, b.box.p)
        zk_mpz_add(box.p, box.p, scratch.p)
    }

    /// self −= a·b.
    func subtractProduct(_ a: BigInt, _ b: BigInt) {
        zk_mpz_mul(scratch.p, a.box.p, b.box.p)
        zk_mpz_sub(box.p, box.p, scratch.p)
    }

    /// self += (x − y)·(lo when x − y < 0, else hi).
    func addDifferenceProduct(_ x: BigInt, _ y: BigInt, lo: BigInt, hi: BigInt) {
        zk_mpz_sub(scratch.p, x.box.p, y.box.p)
        let s = zk_mpz_sgn(scratch.p)
        if s < 0 {
            zk_mpz_mul(scratch.p, scratch.p, lo.box.p)
        } else if s > 0 {
            zk_mpz_mul(scratch.p, scratch.p, hi.box.p)
        }
        zk_mpz_add(box.p, box.p, scratch.p)
    }

    /// self = gcd(self, a).
    func gcd(with a: BigInt) { zk_mpz_gcd(box.p, box.p, a.box.p) }

    /// self = lcm(self, denominator of r).
    func lcm(withDenominatorOf r: Rational) { zk_mpz_lcm(box.p, box.p, zk_mpq_denref_const(r.box.p)) }

    /// r · self, an integer when self is a multiple of r's denominator:
    /// numerator(r) · (self / denominator(r)).
    func integerMultiple(of r: Rational) -> BigInt {
        zk_mpz_divexact(scratch.p, box.p, zk_mpq_denref_const(r.box.p))
        return BigInt { zk_mpz_mul($0, zk_mpq_numref_const(r.box.p), scratch.p) }
    }
}
