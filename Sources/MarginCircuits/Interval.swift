/// An extended rational: a finite value or ±∞. Used only by the checker to
/// bound public expressions from the parameters' declared ranges, so that it
/// can tell the sign of a coefficient without knowing the values.
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

    /// Addition where at most one operand is infinite, or both the same infinity.
    static func + (a: Extended, b: Extended) -> Extended {
        switch (a, b) {
        case (.finite(let x), .finite(let y)): return .finite(x + y)
        case (.positiveInfinity, _), (_, .positiveInfinity): return .positiveInfinity
        default: return .negativeInfinity
        }
    }

    /// Multiplication with 0·∞ = 0 (correct for interval endpoints).
    static func * (a: Extended, b: Extended) -> Extended {
        if case .finite(let x) = a, case .finite(let y) = b { return .finite(x * y) }
        let s = a.signum * b.signum
        return s == 0 ? .finite(.zero) : (s > 0 ? .positiveInfinity : .negativeInfinity)
    }
}

/// A closed interval of extended rationals.
struct Interval: Sendable {
    var lo: Extended
    var hi: Extended

    static let unbounded = Interval(lo: .negativeInfinity, hi: .positiveInfinity)
    static func point(_ r: Rational) -> Interval { Interval(lo: .finite(r), hi: .finite(r)) }

    enum Sign { case nonNegative, nonPositive, unknown }

    var sign: Sign {
        if lo.signum >= 0 { return .nonNegative }
        if hi.signum <= 0 { return .nonPositive }
        return .unknown
    }

    static func + (a: Interval, b: Interval) -> Interval {
        // Mixed infinities cannot occur: lo is never +∞ and hi never −∞.
        Interval(lo: a.lo + b.lo, hi: a.hi + b.hi)
    }

    static prefix func - (a: Interval) -> Interval { Interval(lo: -a.hi, hi: -a.lo) }
    static func - (a: Interval, b: Interval) -> Interval { a + (-b) }

    static func * (a: Interval, b: Interval) -> Interval {
        let products = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
        var lo = products[0], hi = products[0]
        for p in products.dropFirst() {
            if p < lo { lo = p }
            if hi < p { hi = p }
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
