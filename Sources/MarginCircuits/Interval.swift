/// An extended rational: a finite value or ±∞. Used only by the checker to
/// bound public expressions from the parameters' declared ranges, so that it
/// can tell the sign of a coefficient without knowing the values.
///
/// Finite endpoints stay within CircuitLimits.maximumConstantBits: a sum or
/// product that would exceed it is widened on the safe side instead (a lower
/// endpoint down to 0 or −∞, an upper one up to 0 or +∞, keeping the sign
/// when it is known), so that repeated squaring cannot grow them.
enum Extended: Sendable, Equatable {
    case negativeInfinity
    case finite(Rational)
    case positiveInfinity

    var signum: Int {
        switch self {
        case .negativeInfinity: return -1
        case .positiveInfinity: return 1
        case .finite(let r): return r.signum
        }
    }

    static func < (a: Extended, b: Extended) -> Bool {
        switch (a, b) {
        case (.negativeInfinity, .negativeInfinity), (.positiveInfinity, .positiveInfinity): return false
        case (.negativeInfinity, _), (_, .positiveInfinity): return true
        case (_, .negativeInfinity), (.positiveInfinity, _): return false
        case (.finite(let x), .finite(let y)): return x < y
        }
    }

    static prefix func - (a: Extended) -> Extended {
        switch a {
        case .negativeInfinity: return .positiveInfinity
        case .positiveInfinity: return .negativeInfinity
        case .finite(let r): return .finite(-r)
        }
    }

    /// A lower (`upper` false) or upper bound of a + b, where at most one
    /// operand is infinite, or both the same infinity. Exact unless the sum
    /// exceeds CircuitLimits.maximumConstantBits; then the bound is 0 when
    /// both operands have the same sign in the right direction, else ∓∞.
    static func sum(_ a: Extended, _ b: Extended, upper: Bool) -> Extended {
        switch (a, b) {
        case (.finite(let x), .finite(let y)):
            if let s = try? CircuitLimits.sum(x, y) { return .finite(s) }
            if upper { return x.signum <= 0 && y.signum <= 0 ? .finite(.zero) : .positiveInfinity }
            return x.signum >= 0 && y.signum >= 0 ? .finite(.zero) : .negativeInfinity
        case (.positiveInfinity, _), (_, .positiveInfinity): return .positiveInfinity
        default: return .negativeInfinity
        }
    }

    /// A lower or upper bound of a·b, with 0·∞ = 0 (correct for interval
    /// endpoints). Exact unless the product exceeds
    /// CircuitLimits.maximumConstantBits; then its sign is still known, and
    /// the bound is 0 on the side towards zero and ±∞ on the other.
    static func product(_ a: Extended, _ b: Extended, upper: Bool) -> Extended {
        let s = a.signum * b.signum
        if case .finite(let x) = a, case .finite(let y) = b {
            if let p = try? CircuitLimits.product(x, y) { return .finite(p) }
            if upper { return s > 0 ? .positiveInfinity : .finite(.zero) }
            return s > 0 ? .finite(.zero) : .negativeInfinity
        }
        return s == 0 ? .finite(.zero) : (s > 0 ? .positiveInfinity : .negativeInfinity)
    }
}

/// A closed interval of extended rationals.
struct Interval: Sendable {
    var lo: Extended
    var hi: Extended

    static let unbounded = Interval(lo: .negativeInfinity, hi: .positiveInfinity)
    static func point(_ r: Rational) -> Interval { Interval(lo: .finite(r), hi: .finite(r)) }

    /// The value of a point interval (an exact constant), else nil.
    var pointValue: Rational? {
        if case .finite(let a) = lo, case .finite(let b) = hi, a == b { return a }
        return nil
    }

    enum Sign { case nonNegative, nonPositive, unknown }

    var sign: Sign {
        if lo.signum >= 0 { return .nonNegative }
        if hi.signum <= 0 { return .nonPositive }
        return .unknown
    }

    static func + (a: Interval, b: Interval) -> Interval {
        // Mixed infinities cannot occur: lo is never +∞ and hi never −∞.
        Interval(lo: Extended.sum(a.lo, b.lo, upper: false), hi: Extended.sum(a.hi, b.hi, upper: true))
    }

    static prefix func - (a: Interval) -> Interval { Interval(lo: -a.hi, hi: -a.lo) }
    static func - (a: Interval, b: Interval) -> Interval { a + (-b) }

    static func * (a: Interval, b: Interval) -> Interval {
        let pairs = [(a.lo, b.lo), (a.lo, b.hi), (a.hi, b.lo), (a.hi, b.hi)]
        var lo = Extended.product(pairs[0].0, pairs[0].1, upper: false)
        var hi = Extended.product(pairs[0].0, pairs[0].1, upper: true)
        for (x, y) in pairs.dropFirst() {
            let l = Extended.product(x, y, upper: false), h = Extended.product(x, y, upper: true)
            if l < lo { lo = l }
            if hi < h { hi = h }
        }
        return Interval(lo: lo, hi: hi)
    }

    /// 1/x over the interval; unbounded when it contains zero.
    var reciprocal: Interval {
        if lo.signum <= 0 && hi.signum >= 0 { return .unbounded }
        func inv(_ e: Extended) -> Extended {
            if case .finite(let r) = e { return .finite(Rational.one / r) }
            return .finite(.zero)
        }
        return Interval(lo: inv(hi), hi: inv(lo))
    }

    var absolute: Interval {
        if lo.signum >= 0 { return self }
        if hi.signum <= 0 { return -self }
        return Interval(lo: .finite(.zero), hi: (-lo) < hi ? hi : -lo)
    }

    static func maximum(_ a: Interval, _ b: Interval) -> Interval {
        Interval(lo: a.lo < b.lo ? b.lo : a.lo, hi: a.hi < b.hi ? b.hi : a.hi)
    }

    static func minimum(_ a: Interval, _ b: Interval) -> Interval {
        Interval(lo: a.lo < b.lo ? a.lo : b.lo, hi: a.hi < b.hi ? a.hi : b.hi)
    }

    /// The range of a sum of an unknown number of terms each in `self`.
    var summedOverSet: Interval {
        Interval(lo: lo.signum >= 0 ? .finite(.zero) : .negativeInfinity,
                 hi: hi.signum <= 0 ? .finite(.zero) : .positiveInfinity)
    }
}
