// The exact numbers of risk-values and account files (Circuits/README.md §6,
// SPEC.md §16.1, in the grammar notation of Circuits/README.md §2): decimals
// with an optional exponent, and ratios of two integers. Every limit is checked on the text, before any arithmetic, so a
// hostile value costs at most a scan of its bytes.

/// Why a string is not an exact number of a values or account file.
public struct DecimalParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending text, verbatim.
    public let input: String
    /// What was expected instead.
    public let reason: String

    /// Inputs longer than 40 characters are abbreviated (their length is given).
    public var description: String { "\"\(CircuitLimits.abbreviated(input))\" is not a decimal (\(reason))" }
}

extension Rational {
    /// Parses a decimal exactly, with an optional exponent:
    ///
    ///     decimal  := '-'? digits ('.' digits)? (('e' | 'E') ('+' | '-')? digits)?
    ///     digits   := ('0' | … | '9')+
    ///
    /// Nothing else is accepted: no white space, no leading `+`, no bare
    /// `.5` or `5.`, no `e` without digits. The mantissa (integer and
    /// fraction digits together) has at most
    /// `CircuitLimits.maximumDecimalDigits` digits; the exponent at most as
    /// many digits (leading zeros included) and a magnitude of at most
    /// `CircuitLimits.maximumExponent`. All three are checked before 10^e is
    /// computed, so the value is below 10^200 < 2^665 in numerator and
    /// denominator. Every JSON number literal is a decimal of this grammar.
    public init(decimal text: String) throws(DecimalParseError) {
        var scanner = try NumberScanner(text)
        self = try scanner.decimal()
    }

    /// Parses an exact number of a values or account file: a decimal
    /// (`init(decimal:)`) or a ratio of two integers,
    ///
    ///     ratio    := '-'? digits '/' digits
    ///
    /// (`"1/6"`, `"-3/7"`), each integer of at most
    /// `CircuitLimits.maximumDecimalDigits` digits, the denominator not
    /// zero. A ratio takes no decimal point, exponent or sign on the
    /// denominator: `"0.5/3"` and `"1/-2"` are refused.
    public init(exact text: String) throws(DecimalParseError) {
        var scanner = try NumberScanner(text)
        self = scanner.bytes.contains(UInt8(ascii: "/")) ? try scanner.ratio() : try scanner.decimal()
    }
}

/// Reads one number's text left to right; every failure names the text.
private struct NumberScanner {
    let text: String
    let bytes: [UInt8]
    var index = 0

    /// Refuses, before reading further, the empty string, white space
    /// anywhere and a leading `+`.
    init(_ text: String) throws(DecimalParseError) {
        self.text = text
        bytes = Array(text.utf8)
        if bytes.isEmpty { throw fail("the string is empty") }
        if bytes.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
            throw fail("it contains white space")
        }
        if bytes[0] == UInt8(ascii: "+") { throw fail("a leading + is not accepted") }
    }

    func fail(_ reason: String) -> DecimalParseError { DecimalParseError(input: text, reason: reason) }

    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Consumes `c` (an ASCII character) if it is next.
    mutating func take(_ c: Unicode.Scalar) -> Bool {
        guard let b = peek(), c.isASCII, b == UInt8(c.value) else { return false }
        index += 1
        return true
    }

    /// `digits`, possibly empty.
    mutating func digits() -> ArraySlice<UInt8> {
        let start = index
        while let c = peek(), Self.isDigit(c) { index += 1 }
        return bytes[start ..< index]
    }

    /// The whole text must have been read; otherwise names the first
    /// character left (a whole character, not a byte of one).
    func end(_ expected: String) throws(DecimalParseError) {
        guard index < bytes.count else { return }
        var j = index + 1
        while j < bytes.count, bytes[j] & 0xC0 == 0x80 { j += 1 }
        throw fail("unexpected \"\(String(decoding: bytes[index ..< j], as: UTF8.self))\"; expected \(expected)")
    }

    /// At most `CircuitLimits.maximumDecimalDigits` digits in `what`.
    func checkDigitCount(_ digits: Int, _ what: String) throws(DecimalParseError) {
        guard digits <= CircuitLimits.maximumDecimalDigits else {
            throw fail(CircuitLimits.exceeds("\(what) has \(digits) digits", CircuitLimits.maximumDecimalDigits, "maximumDecimalDigits"))
        }
    }

    /// The digits as a non-negative integer (at most 100 of them, checked).
    static func integer(_ digits: ArraySlice<UInt8>) -> BigInt {
        BigInt(String(decoding: digits, as: UTF8.self))!
    }

    /// The value, refused if it would not be a constant the compiler keeps
    /// (it always is, within the digit and exponent limits).
    func checked(_ value: Rational) throws(DecimalParseError) -> Rational {
        guard value.bitSize <= CircuitLimits.maximumConstantBits else {
            throw fail(CircuitLimits.exceeds("it has \(value.bitSize) bits", CircuitLimits.maximumConstantBits, "maximumConstantBits"))
        }
        return value
    }

    /// `'-'? digits ('.' digits)? (('e' | 'E') ('+' | '-')? digits)?`.
    mutating func decimal() throws(DecimalParseError) -> Rational {
        let negative = take("-")
        let whole = digits()
        var fraction: ArraySlice<UInt8> = []
        if take(".") {
            fraction = digits()
            if fraction.isEmpty { throw fail("expected digits after the decimal point") }
        }
        if whole.isEmpty { throw fail("expected a digit before the decimal point, e.g. \"0.5\"") }
        var exponent = 0
        var exponentDigits: ArraySlice<UInt8> = []
        var exponentNegative = false
        if take("e") || take("E") {
            exponentNegative = take("-")
            if !exponentNegative { _ = take("+") }
            exponentDigits = digits()
            if exponentDigits.isEmpty { throw fail("expected the digits of an exponent after \"e\", e.g. \"1e-8\"") }
        }
        try end("digits with an optional - sign, one decimal point and an optional exponent, e.g. \"-2.5\" or \"4.97e7\"")
        try checkDigitCount(whole.count + fraction.count, "it")
        if !exponentDigits.isEmpty {
            try checkDigitCount(exponentDigits.count, "its exponent")
            exponent = try self.exponent(exponentDigits, negative: exponentNegative)
        }
        let mantissa = Self.integer(whole + fraction)
        let value = Rational(negative ? -mantissa : mantissa) * Rational.powerOfTen(exponent - fraction.count)
        return try checked(value)
    }

    /// The signed value of an exponent's digits (at most
    /// `maximumDecimalDigits` of them, checked), refused when its magnitude
    /// exceeds `CircuitLimits.maximumExponent`. Leading zeros are skipped, so
    /// at most 18 digits are ever converted. (A circuit literal's exponent,
    /// `Lexer.number`, is refused beyond 18 digits, leading zeros included.)
    func exponent(_ digits: ArraySlice<UInt8>, negative: Bool) throws(DecimalParseError) -> Int {
        let significant = digits.drop(while: { $0 == UInt8(ascii: "0") })
        let magnitude = significant.count <= 18 ? significant.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } : nil
        guard let magnitude, magnitude <= CircuitLimits.maximumExponent else {
            // More than 18 significant digits do not fit an Int and are far beyond the limit.
            let shown = magnitude.map { "is \(negative ? "-" : "")\($0)" } ?? "has \(significant.count) significant digits"
            throw fail(CircuitLimits.exceeds("its exponent \(shown)", CircuitLimits.maximumExponent, "maximumExponent") + " in magnitude")
        }
        return negative ? -magnitude : magnitude
    }

    /// `'-'? digits '/' digits`, the denominator not zero.
    mutating func ratio() throws(DecimalParseError) -> Rational {
        let integers = "two integers p/q, p with an optional - sign, e.g. \"1/6\" or \"-3/7\""
        let form = "a ratio is \(integers)"
        let slashes = bytes.count(where: { $0 == UInt8(ascii: "/") })
        guard slashes == 1 else { throw fail("it has \(slashes) \"/\"; \(form)") }
        let negative = take("-")
        let p = digits()
        guard !p.isEmpty else { throw fail("expected digits before the \"/\"; \(form)") }
        guard take("/") else { try end(integers); throw fail(form) }
        if peek() == UInt8(ascii: "-") || peek() == UInt8(ascii: "+") {
            throw fail("the denominator of a ratio is written without a sign; \(form)")
        }
        let q = digits()
        guard !q.isEmpty else { throw fail("expected digits after the \"/\"; \(form)") }
        try end(integers)
        try checkDigitCount(p.count, "its numerator")
        try checkDigitCount(q.count, "its denominator")
        let denominator = Self.integer(q)
        guard !denominator.isZero else { throw fail("division by zero: the denominator of a ratio cannot be 0") }
        let numerator = Self.integer(p)
        return try checked(Rational(numerator: negative ? -numerator : numerator, denominator: denominator))
    }
}
