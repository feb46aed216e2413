/// A claim a counterparty asks for beyond the venue's margin (SPEC.md
/// §16.16): for one requirement of the circuit (or, unnamed, for each),
///
///     equity ≥ a · requirement + b        a ≥ 0, a and b public constants,
///
/// where *equity* and *requirement* are the two sides of that `require`
/// (lhs ≥ rhs) and excess = equity − requirement. The two spellings:
///
///     covenant := (name ':')? 'excess' '>=' number
///               | (name ':')? 'equity' '>=' (number '*')? 'requirement' (('+' | '-') number)?
///               | (name ':')? 'equity' '>=' number
///
/// `excess >= c` is a = 1, b = c; `equity >= 1.5 * requirement` is a =
/// 3/2, b = 0; `equity >= 1000000` is a = 0. Numbers are exact (decimals
/// with an optional exponent, or ratios p/q, as in values files); a is
/// never negative (a larger requirement must never help). A covenant is
/// proven like a requirement: one more range constraint, lhs − a·rhs − b ≥ 0,
/// lowered with the requirement's own helpers, whose relaxations only ever
/// make the constraint harder to meet.
public struct Covenant: Sendable, Hashable {
    /// The requirement it applies to; nil: every requirement.
    public let requirement: String?
    public let multiplier: Rational
    public let offset: Rational

    public init(requirement: String?, multiplier: Rational, offset: Rational) {
        self.requirement = requirement
        self.multiplier = multiplier
        self.offset = offset
    }

    /// The claim, canonically written: `excess >= b` when a = 1, else
    /// `equity >= a * requirement + b` (`+ b` left out for 0, `- |b|` for a
    /// negative b, `a * requirement` left out for a = 0). Numbers as
    /// `Rational.description` (a terminating decimal, else p/q).
    public var holds: String {
        if multiplier == .one { return "excess >= \(offset)" }
        if multiplier.isZero { return "equity >= \(offset)" }
        var s = "equity >= \(multiplier) * requirement"
        if offset.signum > 0 { s += " + \(offset)" }
        if offset.signum < 0 { s += " - \(offset.magnitude)" }
        return s
    }

    /// `name: holds`, or `holds` for every requirement.
    public var text: String { requirement.map { "\($0): \(holds)" } ?? holds }

    /// The same claim for one named requirement.
    public func `for`(_ name: String) -> Covenant { Covenant(requirement: name, multiplier: multiplier, offset: offset) }

    /// Whether proving `self` shows `other` (same requirement): the same
    /// multiplier and at least its offset, or a multiplier and an offset at
    /// least as large when the requirement can never be negative
    /// (`requirementIsNonNegative`): a·R + b ≥ a′·R + b′ for every R ≥ 0.
    public func implies(_ other: Covenant, requirementIsNonNegative: Bool) -> Bool {
        guard offset >= other.offset else { return false }
        if multiplier == other.multiplier { return true }
        return requirementIsNonNegative && multiplier >= other.multiplier
    }

    /// Parses the grammar above; every refusal says what was expected.
    public init(parsing text: String) throws(CovenantError) {
        func fail(_ why: String) -> CovenantError { CovenantError(text: text, reason: why) }
        var body = Substring(text)
        var name: String? = nil
        if let colon = body.lastIndex(of: ":") {
            let n = body[..<colon].trimmingSpaces
            guard !n.isEmpty else { throw fail("expected a requirement's name before ':'") }
            name = String(n)
            body = body[body.index(after: colon)...]
        }
        let words = body.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        func number(_ w: String) throws(CovenantError) -> Rational {
            do { return try Rational(exact: w) } catch { throw fail("\(w) is not an exact number: \(error.reason)") }
        }
        guard words.count >= 3, words[1] == ">=" else { throw fail("expected `excess >= NUMBER` or `equity >= [NUMBER *] requirement [+ NUMBER]`") }
        switch words[0] {
        case "excess":
            guard words.count == 3 else { throw fail("expected `excess >= NUMBER`") }
            self.init(requirement: name, multiplier: .one, offset: try number(words[2]))
        case "equity":
            var rest = Array(words.dropFirst(2))
            var a = Rational.zero
            if rest.count >= 3, rest[1] == "*", rest[2] == "requirement" {
                a = try number(rest[0])
                rest.removeFirst(3)
            } else if rest.first == "requirement" {
                a = .one
                rest.removeFirst()
            }
            var b = Rational.zero
            if a.isZero {
                guard rest.count == 1 else { throw fail("expected `equity >= NUMBER` or `equity >= NUMBER * requirement [+ NUMBER]`") }
                b = try number(rest[0])
            } else if !rest.isEmpty {
                guard rest.count == 2, rest[0] == "+" || rest[0] == "-" else { throw fail("expected `+ NUMBER` or `- NUMBER` after `requirement`") }
                let n = try number(rest[1])
                guard n.signum >= 0 else { throw fail("write `- \(n.magnitude)` instead of `+ \(n)`") }
                b = rest[0] == "+" ? n : -n
            }
            guard a.signum >= 0 else { throw fail("the multiplier of the requirement must not be negative: a larger requirement must never help") }
            self.init(requirement: name, multiplier: a, offset: b)
        default:
            throw fail("a covenant starts with `excess` or `equity`")
        }
        guard multiplier.bitSize <= CircuitLimits.maximumConstantBits, offset.bitSize <= CircuitLimits.maximumConstantBits else {
            throw fail("a number has more than \(CircuitLimits.maximumConstantBits) bits")
        }
    }

    /// At most this many covenant claims per proof (each is a range
    /// constraint and a recompilation for the verifier).
    public static let maximumClaims = 64
}

/// Why a covenant's text cannot be read.
public struct CovenantError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "covenant \"\(CircuitLimits.abbreviated(text, 80))\": \(reason)" }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
