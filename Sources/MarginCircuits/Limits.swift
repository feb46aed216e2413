// Limits on what a circuit and its risk values may ask of `check`, `publish`
// and every verifier. A bundle is signed by its publisher, but a signature
// says who wrote it, not that it is small: without these limits a hostile
// (or careless) circuit could make every verifier spend unbounded time and
// memory, or overflow its stack.
//
// Each limit is enforced where the work happens, before the expensive part
// of it, with an error that names the limit and its value. The real-size
// books in `LimitsTests` (Binance USDⓈ-M 350 instruments × 12 brackets, a
// 1000-instrument cross-margin book, a 326-option chain, a SPAN-like book of
// 5000 instruments × 16 scenarios) compile inside every limit: far inside
// all but the work budget, of which the SPAN-like book, the largest, uses
// 40% (see `maximumExpandedTerms` for why it is not larger).

/// Named limits of the circuit language and the compiler (Circuits/README.md,
/// "Limits").
public enum CircuitLimits {
    /// Bytes of a circuit's source text (UTF-8). Checked before lexing
    /// (`Lexer.tokenize`). The shipped circuits are 1.5–2.5 KiB; a venue
    /// writing a circuit by hand will not come near 1 MiB. It bounds the
    /// tokens, names and checker work of a circuit, all linear in the source.
    public static let maximumSourceBytes = 1 << 20

    /// Digits of a number in risk values or an account (`Rational(exact:)`):
    /// of a decimal's mantissa (integer part + fraction), of its exponent
    /// (leading zeros included, so that they cannot make a long text), and
    /// of each integer of a ratio `p/q`; and of a number literal's mantissa
    /// in a circuit (`Lexer.next`). Real prices, rates and sizes have at most
    /// ~40 significant digits (a 2^64 size at 18 decimals); 100 digits is
    /// about 333 bits, so such a value is far inside `maximumConstantBits`.
    public static let maximumDecimalDigits = 100

    /// The magnitude of a number's exponent (`1e-8`, `1e15`): of a literal in
    /// a circuit, checked by `Lexer.next`, and of a decimal in risk values or
    /// an account (`"4.97038E7"`, the JSON number `1e-10`), checked by
    /// `Rational(decimal:)`; both before `10^e` is computed. Circuits use
    /// exponents for bounds and scales (1e-18 … 1e18); ±100 keeps `10^e` at
    /// ≤ 333 bits. With `maximumDecimalDigits`, every literal and decimal has
    /// a numerator and denominator below 10^200 < 2^665, inside
    /// `maximumConstantBits`.
    public static let maximumExponent = 100

    /// Bits of the numerator and of the denominator of every exact constant
    /// the compiler keeps: literals, parameter values, the constants the
    /// checker's interval arithmetic and the elaborator fold, the
    /// coefficients of the lowered affine forms, and the units of helpers.
    /// A product or sum of two constants within the limit is at most twice
    /// the limit, so it is cheap to compute and check; the limit stops the
    /// repeated squaring (`let c1 = c0 * c0`, …) that doubles sizes per line.
    /// Real coefficients (price × rate × multiplier × 10^-8) have < 200 bits;
    /// a form's coefficients must anyway stay below 2^250 to avoid wrap-around.
    public static let maximumConstantBits = 1024

    /// The depth of an expression tree, and of nested `for` statements.
    ///
    /// An expression's depth counts one level for every parenthesis, unary
    /// minus, binary operator (a chain `a + b + c` is a left-deep tree of
    /// depth 3 over its leaves: chains count their length), `abs`, `max`,
    /// `min`, `sum`, `ceil` and `floor`; a number or name is depth 1. A use of a `let` counts
    /// one more than the `let`'s own depth (its expression, with the lets it
    /// uses counted the same way), because every stage expands lets where
    /// they are used.
    ///
    /// This is the limit that keeps every recursion in MarginCircuits
    /// shallow: the parser (`Parser.parseExpr` … `parsePrimary`, ≤ 4 frames
    /// per level, and `parseStatement`/`parseFor` per `for`), the checker
    /// (`Checker.build`, `checkPolarity`, `checkStatement`), the elaborator
    /// (`Elaborator.elaborate`, `requirements`), the lowering
    /// (`Lowerer.lower`), the evaluator (`evaluateGround`), and the
    /// deinitialisers of the indirect enums `Expr`/`IR`/`Ground`, all recurse
    /// at most to this depth (the `for` recursions to the `for` depth, also
    /// bounded by it): a ground tree is never deeper than the checked
    /// expression it came from. The parser enforces it syntactically, the
    /// checker through `let` references. The shipped circuits need depth ≤ 10.
    /// Measured: the deepest circuits admitted compile on a 384 KiB stack in
    /// a release build (about 3 MiB in a debug build); the recursive
    /// functions keep their per-level work out of line for that reason.
    public static let maximumNestingDepth = 128

    /// Requirements a circuit expands to with given values (each `require`,
    /// times the sizes of the sets of its enclosing `for`s). Counted before
    /// elaboration (`Elaborator.checkRequirementCount`). SPAN-like books need
    /// tens (16 scenarios, 2 requirements per scenario at most); 65536 is far
    /// beyond any venue's scenario grid.
    public static let maximumRequirements = 1 << 16

    /// Committed inputs (the elements of every `private` declaration's set)
    /// with given values, counted before they are created
    /// (`CompiledStatement.checkInputCount`). A 5000-instrument book with 20
    /// assets commits 10020 inputs (a balance per asset, a size and a cost per
    /// instrument); 65536 leaves room for 30000-instrument books.
    public static let maximumCommittedInputs = 1 << 16

    /// A budget of work for compiling a circuit with its values
    /// (`WorkBudget`), in units of roughly equal cost. The charges are
    /// normative (SPEC.md §16.2.2 lists each exactly, and Vectors/work/ gives
    /// totals every implementation must reproduce); in outline:
    /// * `BoundValues.bind`: every parameter entry (a matrix with defaults
    ///   is charged rows × columns before it is filled);
    /// * `Elaborator`: every node elaborated, every term copied into a sum,
    ///   every binding written into a name, memo key or label (strings by
    ///   their length); a reduction over more elements than remain is
    ///   refused before it expands;
    /// * `Lowerer`: every ground node lowered, every term of a shared `let`
    ///   expansion added again at a later use, 2 per term of a requirement
    ///   form, a helper call 32 + 2 per branch term, a new helper 160 + 4 per
    ///   term, and the 2(k − 1)·T + k(k − 1) term operations of the pairwise
    ///   width analysis of k branches of T terms (charged before it runs).
    ///
    /// Measured in a release build on a 2-core machine, a unit costs about
    /// 0.1–0.2 µs on every path, and the slowest refusals found (many
    /// helpers, a large `let` reused by hundreds of requirements) reach the
    /// limit in 0.4–0.75 s, with at most ~200 MB allocated. The largest real
    /// book, a SPAN-like portfolio of 5000 instruments × 16 scenarios, uses
    /// 1.66 M units (0.24 s); Binance's 350 instruments × 12 brackets 0.53 M,
    /// a 1000-instrument cross-margin book 0.25 M, a 326-option chain 0.09 M.
    /// A larger value would let a hostile bundle hold every verifier for
    /// seconds; a smaller one would crowd the SPAN-like book.
    public static let maximumExpandedTerms = 1 << 22
}

// MARK: Messages

extension CircuitLimits {
    /// "…, more than the limit of 1024 (CircuitLimits.maximumConstantBits)".
    static func exceeds(_ what: String, _ limit: Int, _ name: String) -> String {
        "\(what), more than the limit of \(limit) (CircuitLimits.\(name))"
    }

    static func constantMessage(_ bits: Int, exact: Bool = true, coefficient: Bool = false) -> String {
        exceeds("a folded \(coefficient ? "coefficient" : "constant") \(exact ? "has" : "would have up to") \(bits) bits", maximumConstantBits, "maximumConstantBits")
    }

    static var workMessage: String {
        exceeds("compiling the circuit with these values needs more work (ground terms created or copied, nodes lowered, helper branch pairs compared)",
                maximumExpandedTerms, "maximumExpandedTerms")
    }

    /// At most `limit` characters of `text`, with an ellipsis and the length
    /// when it is longer (error messages quote what they refuse).
    static func abbreviated(_ text: String, _ limit: Int = 40) -> String {
        let count = text.count
        return count <= limit ? text : "\(text.prefix(limit))… (\(count) characters)"
    }
}

// MARK: Bounded constants

/// A constant that would exceed `CircuitLimits.maximumConstantBits`.
struct OversizedConstant: Error {
    /// Its size in bits (max of numerator and denominator); a bound on it
    /// when `exact` is false (the product or sum was not computed).
    let bits: Int
    let exact: Bool

    var message: String { CircuitLimits.constantMessage(bits, exact: exact) }
}

extension CircuitLimits {
    /// `r` itself when its numerator and denominator are within
    /// `maximumConstantBits`.
    static func checked(_ r: Rational) throws(OversizedConstant) -> Rational {
        let b = r.bitSize
        guard b <= maximumConstantBits else { throw OversizedConstant(bits: b, exact: true) }
        return r
    }

    /// a·b when it stays within `maximumConstantBits`. The product's size is
    /// bounded from the operands' sizes before multiplying: within the limit
    /// it is computed outright; up to twice the limit (operands within it)
    /// it is computed and measured, since reduction may shrink it; beyond
    /// that it is refused without being computed.
    static func product(_ a: Rational, _ b: Rational) throws(OversizedConstant) -> Rational {
        let bound = Swift.max(a.numeratorBits + b.numeratorBits, a.denominatorBits + b.denominatorBits)
        if bound <= maximumConstantBits { return a * b }
        try refuseBeyondTwiceTheLimit(bound)
        return try checked(a * b)
    }

    /// a + b when it stays within `maximumConstantBits` (bounded as `product`).
    static func sum(_ a: Rational, _ b: Rational) throws(OversizedConstant) -> Rational {
        let bound = Swift.max(a.numeratorBits + b.denominatorBits + 1, b.numeratorBits + a.denominatorBits + 1,
                              a.denominatorBits + b.denominatorBits)
        if bound <= maximumConstantBits { return a + b }
        try refuseBeyondTwiceTheLimit(bound)
        return try checked(a + b)
    }

    /// ⌈v/q⌉·q (`up`) or ⌊v/q⌋·q for q > 0, when it stays within
    /// `maximumConstantBits`. Operands within the limit keep every
    /// intermediate below about three times the limit.
    static func rounded(up: Bool, _ v: Rational, _ q: Rational) throws(OversizedConstant) -> Rational {
        let ratio = v / q
        return try checked(Rational(up ? ratio.ceiling : ratio.floor) * q)
    }

    /// Operands within the limit never exceed this; anything larger is
    /// refused without being computed.
    private static func refuseBeyondTwiceTheLimit(_ bound: Int) throws(OversizedConstant) {
        guard bound <= 2 * maximumConstantBits + 2 else { throw OversizedConstant(bits: bound, exact: false) }
    }
}

// MARK: The work budget

/// Work done so far by one compilation, against
/// `CircuitLimits.maximumExpandedTerms`. Every stage charges what it is
/// about to do, so the limit is reached after a bounded amount of work and
/// refuses before the rest of it.
struct WorkBudget: Sendable {
    private(set) var used = 0
    let limit: Int

    init(limit: Int = CircuitLimits.maximumExpandedTerms) { self.limit = limit }

    /// Whether `units` more fit in the budget.
    func allows(_ units: Int) -> Bool { units >= 0 && units <= limit - used }

    /// Records `units` of work; false (recording nothing) when they do not
    /// fit, and the caller refuses with `CircuitLimits.workMessage`.
    mutating func charge(_ units: Int) -> Bool {
        guard allows(units) else { return false }
        used += units
        return true
    }
}

extension Int {
    /// self × other, or nil on overflow (for counts of expansions).
    func timesOrNil(_ other: Int) -> Int? {
        let (p, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? nil : p
    }
}
