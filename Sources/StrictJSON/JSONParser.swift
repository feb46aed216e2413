// A strict JSON reader.
//
// Every zkmargin file crosses a trust boundary, so decoding is strict: RFC 8259
// syntax only, valid UTF-8, no duplicate keys (compared by bytes: two parsers
// could otherwise disagree on what a signed payload says), nothing after the
// top-level value. Numbers keep their literal text so nothing is ever rounded
// through floating point. Objects keep their key order.
//
// Resources are bounded: time is linear in the input (every byte is scanned
// once, keys are found by hash, and no buffer is rebuilt), and memory is
// bounded by the input's size and `Limits`: nesting depth, values per
// document, and number length.

/// Why a byte string is not acceptable JSON: what went wrong, at which byte
/// offset, and where in the document.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Not JSON (RFC 8259), or a string is not valid UTF-8.
        case syntax
        /// An object has two keys with the same bytes.
        case duplicateKey
        /// The document exceeds one of `JSONParser.Limits`.
        case limit
    }

    public let kind: Kind
    /// Offset of the offending byte in the input.
    public let offset: Int
    /// What was wrong, as a phrase ("duplicate key \"a\"").
    public let reason: String
    /// The keys and array indices from the top-level value down to the
    /// offending value; for a duplicate key, ends with that key.
    public internal(set) var path: [JSONPathComponent] = []

    public init(kind: Kind = .syntax, offset: Int, reason: String, path: [JSONPathComponent] = []) {
        self.kind = kind
        self.offset = offset
        self.reason = reason
        self.path = path
    }

    /// `path` written like `$.instruments[0]["BTC-PERP"]`: a key as `.key`
    /// when it is letters, digits and '_', otherwise in display-safe quotes.
    public func pathDescription(root: String = "$") -> String {
        var out = root
        for component in path {
            switch component {
            case .index(let i): out += "[\(i)]"
            case .key(let k): out += isPlainName(k) ? ".\(k)" : "[\(jsonQuoted(k))]"
            }
        }
        return out
    }

    public var description: String {
        path.isEmpty ? "at byte \(offset): \(reason)" : "at byte \(offset) (\(pathDescription())): \(reason)"
    }

    /// The same error one level further down: `component` is prepended.
    func inside(_ component: JSONPathComponent) -> JSONSyntaxError {
        var e = self
        e.path.insert(component, at: 0)
        return e
    }
}

/// One step of a path into a JSON document.
public enum JSONPathComponent: Sendable, Equatable, CustomStringConvertible {
    /// A member of an object, by key.
    case key(String)
    /// An element of an array, by 0-based position.
    case index(Int)

    public static func == (a: JSONPathComponent, b: JSONPathComponent) -> Bool {
        switch (a, b) {
        case (.key(let x), .key(let y)): return sameBytes(x, y)
        case (.index(let x), .index(let y)): return x == y
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .key(let k): return jsonQuoted(k)
        case .index(let i): return "[\(i)]"
        }
    }
}

/// Whether `s` is a non-empty run of ASCII letters, digits and '_' (a key
/// that reads unambiguously after a '.').
func isPlainName(_ s: String) -> Bool {
    !s.isEmpty && s.utf8.allSatisfy { c in
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }
}

public enum JSONParser {
    /// Bounds on one document, so that memory stays proportional to what the
    /// caller expects, whatever the input.
    public struct Limits: Sendable, Equatable {
        /// Arrays and objects nested deeper than this are refused (this also
        /// bounds the parser's recursion).
        public var maximumDepth: Int
        /// The most values (null, booleans, numbers, strings, arrays and
        /// objects, at any depth, the top-level value included; keys are not
        /// counted) one document may hold. Each parsed value costs tens of
        /// bytes, far more than the two bytes `0,` takes in the file.
        public var maximumValues: Int
        /// The longest number literal, in characters.
        public var maximumNumberLength: Int

        public init(maximumDepth: Int = 64, maximumValues: Int = 1_000_000, maximumNumberLength: Int = 100) {
            self.maximumDepth = maximumDepth
            self.maximumValues = maximumValues
            self.maximumNumberLength = maximumNumberLength
        }

        /// What every zkmargin file is read with. A million values is ten
        /// times the largest realistic bundle (5000 instruments × 16
        /// scenarios, about 1.1 × 10⁵ values). Measured on a release build,
        /// parsing a hostile 16 MiB document takes at most about 100 MB
        /// beyond the input bytes: `[0,0,…]` and `[{"a":0},…]` are refused
        /// after about 32 MB, the worst shape found (nine-key objects with
        /// 16-byte keys, parsed in full) about 100 MB.
        public static let standard = Limits()
    }

    /// Parses one complete JSON document. Time is linear in `bytes.count`.
    public static func parse(_ bytes: [UInt8], limits: Limits = .standard) throws(JSONSyntaxError) -> JSONValue {
        var p = Cursor(bytes: bytes, limits: limits)
        p.skipWhitespace()
        guard p.offset < bytes.count else { throw JSONSyntaxError(offset: 0, reason: "the file is empty") }
        let value = try p.value(depth: 0)
        p.skipWhitespace()
        guard p.offset == bytes.count else {
            throw JSONSyntaxError(offset: p.offset, reason: "unexpected data after the end of the JSON value")
        }
        return value
    }

    /// A position in the input and the running count of values. Every
    /// method moves only forward.
    struct Cursor {
        let bytes: [UInt8]
        let limits: Limits
        var offset = 0
        var valueCount = 0

        init(bytes: [UInt8], limits: Limits) {
            self.bytes = bytes
            self.limits = limits
        }

        func fail(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: offset, reason: reason) }

        var atEnd: Bool { offset >= bytes.count }
        var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

        mutating func skipWhitespace() {
            while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { offset += 1 }
        }

        mutating func expect(_ literal: StaticString) throws(JSONSyntaxError) {
            let count = literal.utf8CodeUnitCount
            let available = min(count, bytes.count - offset)
            let prefixMatches = literal.withUTF8Buffer { lit in
                (0..<available).allSatisfy { bytes[offset + $0] == lit[$0] }
            }
            guard prefixMatches, available == count else {
                throw fail(prefixMatches ? "the file ends in the middle of a value (truncated?)" : "invalid literal (expected \(literal))")
            }
            offset += count
        }

        mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            guard depth < limits.maximumDepth else {
                throw JSONSyntaxError(kind: .limit, offset: offset, reason: "nested more than \(limits.maximumDepth) levels deep")
            }
            skipWhitespace()
            guard let c = current else { throw fail("the file ends where a value was expected (truncated?)") }
            valueCount += 1
            guard valueCount <= limits.maximumValues else {
                throw JSONSyntaxError(kind: .limit, offset: offset, reason: "the document holds more than \(limits.maximumValues) values (the limit per document)")
            }
            switch c {
            case UInt8(ascii: "{"): return .object(try object(depth: depth))
            case UInt8(ascii: "["): return .array(try array(depth: depth))
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw fail("unexpected character where a value was expected")
            }
        }

        mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONObject {
            offset += 1
            var obj = JSONObject()
            skipWhitespace()
            if current == UInt8(ascii: "}") { offset += 1; return obj }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else {
                    throw fail(atEnd ? "the file ends inside an object (truncated?)" : "expected a quoted key")
                }
                let keyOffset = offset
                let key = try string()
                guard !obj.containsKey(key) else {
                    throw JSONSyntaxError(kind: .duplicateKey, offset: keyOffset, reason: "duplicate key \(jsonQuoted(key))", path: [.key(key)])
                }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw fail(atEnd ? "the file ends inside an object (truncated?)" : "expected ':' after a key") }
                offset += 1
                let v: JSONValue
                do { v = try value(depth: depth + 1) } catch { throw error.inside(.key(key)) }
                obj.appendNew(key, v)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "}"): offset += 1; obj.shrinkToFit(); return obj
                case nil: throw fail("the file ends inside an object (truncated?)")
                default: throw fail("expected ',' or '}' in an object")
                }
            }
        }

        mutating func array(depth: Int) throws(JSONSyntaxError) -> [JSONValue] {
            offset += 1
            var out: [JSONValue] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") { offset += 1; return out }
            while true {
                do { out.append(try value(depth: depth + 1)) } catch { throw error.inside(.index(out.count)) }
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "]"):
                    offset += 1
                    return shrunkIfSmall(out)
                case nil: throw fail("the file ends inside an array (truncated?)")
                default: throw fail("expected ',' or ']' in an array")
                }
            }
        }

        mutating func number() throws(JSONSyntaxError) -> String {
            let start = offset
            func digits() -> Int {
                let first = offset
                while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { offset += 1 }
                return offset - first
            }
            if current == UInt8(ascii: "-") { offset += 1 }
            if current == UInt8(ascii: "0") {
                offset += 1
            } else if digits() == 0 {
                throw fail("invalid number")
            }
            if current == UInt8(ascii: ".") {
                offset += 1
                guard digits() > 0 else { throw fail("invalid number (no digit after '.')") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                offset += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
                guard digits() > 0 else { throw fail("invalid number (no digit in the exponent)") }
            }
            guard offset - start <= limits.maximumNumberLength else {
                throw JSONSyntaxError(kind: .limit, offset: start, reason: "a number is longer than \(limits.maximumNumberLength) characters")
            }
            return String(decoding: bytes[start..<offset], as: UTF8.self)
        }

        mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
            guard offset + 4 <= bytes.count else { throw fail("the file ends inside a \\u escape (truncated?)") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[offset]
                let d: UInt32
                switch c {
                case 48...57: d = UInt32(c - 48)
                case 97...102: d = UInt32(c - 87)
                case 65...70: d = UInt32(c - 55)
                default: throw fail("invalid \\u escape")
                }
                v = v << 4 | d
                offset += 1
            }
            return v
        }

        /// A string literal; `offset` is at its opening quote. Runs without
        /// escapes are validated straight from the input; escapes are decoded
        /// into a buffer that grows by amortized doubling.
        mutating func string() throws(JSONSyntaxError) -> String {
            offset += 1
            var out = [UInt8]()
            var runStart = offset
            while true {
                guard let c = current else { throw fail("the file ends inside a string (truncated?)") }
                switch c {
                case UInt8(ascii: "\""):
                    let run = bytes[runStart..<offset]
                    offset += 1
                    // Validate UTF-8 strictly: String(validating:) refuses
                    // overlong forms, surrogates and truncated sequences.
                    let s: String?
                    if out.isEmpty {
                        s = String(validating: run, as: UTF8.self)
                    } else {
                        out.append(contentsOf: run)
                        s = String(validating: out, as: UTF8.self)
                    }
                    guard let s else { throw fail("a string is not valid UTF-8") }
                    return s
                case UInt8(ascii: "\\"):
                    out.append(contentsOf: bytes[runStart..<offset])
                    offset += 1
                    try escape(into: &out)
                    runStart = offset
                default:
                    guard c >= 0x20 else { throw fail("unescaped control character in a string") }
                    offset += 1
                }
            }
        }

        /// One escape sequence after its backslash, decoded as UTF-8.
        mutating func escape(into out: inout [UInt8]) throws(JSONSyntaxError) {
            guard let e = current else { throw fail("the file ends inside a string (truncated?)") }
            offset += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired surrogate in a \\u escape")
                    }
                    offset += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw fail("unpaired surrogate in a \\u escape")
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                UTF8.encode(u) { out.append($0) }
            default:
                throw fail("invalid escape in a string")
            }
        }
    }
}
