/// Tokens of the circuit language (see Circuits/README.md).
enum TokenKind: Equatable, Sendable {
    case identifier(String)
    case keyword(Keyword)
    case number(Rational, text: String)
    case string(String)
    case symbol(String)   // [ ] ( ) { } , : ; + - * / = >= <=
    case end

    var display: String {
        switch self {
        case .identifier(let s): return "identifier `\(s)`"
        case .keyword(let k): return "keyword `\(k.rawValue)`"
        case .number(_, let t): return "number `\(t)`"
        case .string(let s): return "string \"\(s)\""
        case .symbol(let s): return "`\(s)`"
        case .end: return "end of file"
        }
    }
}

enum Keyword: String, CaseIterable, Sendable {
    case set, param, `private`, `let`, require, `for`, `in`, sum, max, min, abs, from, scale, `default`
}

struct Token: Sendable {
    let kind: TokenKind
    let location: SourceLocation
}

/// Splits circuit source into tokens. Comments run from `//` to the end of
/// the line. Numbers are exact decimals with an optional exponent (`1e-8`,
/// `2.5e3`); they never pass through floating point.
struct Lexer {
    let file: String
    let bytes: [UInt8]
    var index = 0
    var line = 1
    var column = 1

    init(source: String, file: String) {
        self.file = file
        self.bytes = Array(source.utf8)
    }

    /// The tokens of `source`, ending with `.end`. Sources longer than
    /// `CircuitLimits.maximumSourceBytes` are refused before lexing.
    static func tokenize(_ source: String, file: String) throws(MarginError) -> [Token] {
        let size = source.utf8.count
        guard size <= CircuitLimits.maximumSourceBytes else {
            throw .circuit(SourceLocation(file: file, line: 1, column: 1),
                           CircuitLimits.exceeds("the circuit source has \(size) bytes", CircuitLimits.maximumSourceBytes, "maximumSourceBytes"))
        }
        var lexer = Lexer(source: source, file: file)
        var tokens: [Token] = []
        while true {
            let t = try lexer.next()
            tokens.append(t)
            if t.kind == .end { return tokens }
        }
    }

    var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    mutating func advance() {
        if bytes[index] == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if bytes[index] & 0xC0 != 0x80 {
            column += 1   // count characters, not UTF-8 continuation bytes
        }
        index += 1
    }

    static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || c == UInt8(ascii: "_")
    }
    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    mutating func next() throws(MarginError) -> Token {
        // Skip white space and comments.
        while let c = peek() {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") {
                advance()
            } else if c == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/") {
                while let d = peek(), d != UInt8(ascii: "\n") { advance() }
            } else {
                break
            }
        }
        let start = location
        let startIndex = index
        guard let c = peek() else { return Token(kind: .end, location: start) }

        if Lexer.isIdentStart(c) {
            var s: [UInt8] = []
            while let d = peek(), Lexer.isIdentStart(d) || Lexer.isDigit(d) { s.append(d); advance() }
            let text = String(decoding: s, as: UTF8.self)
            if let k = Keyword(rawValue: text) { return Token(kind: .keyword(k), location: start) }
            return Token(kind: .identifier(text), location: start)
        }

        if Lexer.isDigit(c) { return try number(start: start, startIndex: startIndex) }

        if c == UInt8(ascii: "\"") {
            advance()
            var s: [UInt8] = []
            while let d = peek(), d != UInt8(ascii: "\""), d != UInt8(ascii: "\n") { s.append(d); advance() }
            guard peek() == UInt8(ascii: "\"") else {
                throw .circuit(start, "unterminated string: expected a closing `\"` on the same line")
            }
            advance()
            return Token(kind: .string(String(decoding: s, as: UTF8.self)), location: start)
        }

        if c == UInt8(ascii: ">") || c == UInt8(ascii: "<") {
            advance()
            guard peek() == UInt8(ascii: "=") else {
                let op = c == UInt8(ascii: ">") ? ">" : "<"
                throw .circuit(start, "`\(op)` alone is not an operator: requirements are written `A >= B` (strict comparisons cannot be proven with range proofs)")
            }
            advance()
            return Token(kind: .symbol(c == UInt8(ascii: ">") ? ">=" : "<="), location: start)
        }

        let singles = "[](){},:;+-*/="
        if singles.utf8.contains(c) {
            advance()
            return Token(kind: .symbol(String(Unicode.Scalar(c))), location: start)
        }

        // Decode one full character for the message.
        var scalarBytes: [UInt8] = [c]
        var j = index + 1
        while j < bytes.count, bytes[j] & 0xC0 == 0x80 { scalarBytes.append(bytes[j]); j += 1 }
        throw .circuit(start, "unexpected character `\(String(decoding: scalarBytes, as: UTF8.self))`")
    }

    /// A number literal: digits, optionally `.` digits, optionally an
    /// exponent. The mantissa may have at most
    /// `CircuitLimits.maximumDecimalDigits` digits and the exponent at most
    /// `CircuitLimits.maximumExponent` in magnitude, both checked before the
    /// value is computed (so every literal is below 10^200 < 2^665, inside
    /// `CircuitLimits.maximumConstantBits`).
    mutating func number(start: SourceLocation, startIndex: Int) throws(MarginError) -> Token {
        var mantissa: [UInt8] = []
        var fractionDigits = 0
        while let d = peek(), Lexer.isDigit(d) { mantissa.append(d); advance() }
        if peek() == UInt8(ascii: "."), let d = peek(1), Lexer.isDigit(d) {
            advance()
            while let d = peek(), Lexer.isDigit(d) { mantissa.append(d); fractionDigits += 1; advance() }
        }
        var exponent = 0
        var text = String(decoding: bytes[startIndex ..< index], as: UTF8.self)
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            advance()
            var negative = false
            if peek() == UInt8(ascii: "-") { negative = true; advance() } else if peek() == UInt8(ascii: "+") { advance() }
            var expDigits: [UInt8] = []
            while let d = peek(), Lexer.isDigit(d) { expDigits.append(d); advance() }
            guard !expDigits.isEmpty else {
                throw .circuit(start, "malformed number: expected the digits of an exponent after `e`, e.g. `1e-8`")
            }
            text = String(decoding: bytes[startIndex ..< index], as: UTF8.self)
            // More than 18 digits do not fit an Int and are far beyond the limit.
            let e = expDigits.count <= 18 ? Int(String(decoding: expDigits, as: UTF8.self))! : Int.max
            guard e <= CircuitLimits.maximumExponent else {
                let shown = e < Int.max ? "is \(negative ? "-" : "")\(e)" : "has \(expDigits.count) digits"
                throw .circuit(start, CircuitLimits.exceeds("the exponent of the number `\(CircuitLimits.abbreviated(text))` \(shown)", CircuitLimits.maximumExponent, "maximumExponent") + " in magnitude")
            }
            exponent = negative ? -e : e
        }
        if let d = peek(), Lexer.isIdentStart(d) || d == UInt8(ascii: ".") {
            throw .circuit(location, "malformed number `\(CircuitLimits.abbreviated(text))`: unexpected `\(Character(Unicode.Scalar(d)))` after it")
        }
        guard mantissa.count <= CircuitLimits.maximumDecimalDigits else {
            throw .circuit(start, CircuitLimits.exceeds("the number `\(CircuitLimits.abbreviated(text))` has \(mantissa.count) digits", CircuitLimits.maximumDecimalDigits, "maximumDecimalDigits"))
        }
        let m = Rational(BigInt(String(decoding: mantissa, as: UTF8.self))!)
        let value = m * Rational.powerOfTen(exponent - fractionDigits)
        return Token(kind: .number(value, text: text), location: start)
    }
}
