// A small strict JSON reader and a deterministic writer.
//
// Every zkmargin file crosses a trust boundary, so decoding is strict: RFC 8259
// syntax only, valid UTF-8, no duplicate keys (two parsers could otherwise
// disagree on what a signed payload says), bounded nesting, nothing after the
// top-level value. Numbers keep their literal text so nothing is ever rounded
// through floating point. Objects keep their key order, so the writer emits
// fields in the order the code lists them and the output is byte-for-byte
// reproducible.

/// A parsed JSON value.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, exactly as written (RFC 8259 grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// What a value is, for error messages ("a string", "an array", …).
    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON object with its keys in document order and no duplicate key.
package struct JSONObject: Sendable, Equatable {
    package private(set) var entries: [(key: String, value: JSONValue)] = []

    package init() {}

    package init(_ entries: [(String, JSONValue)]) {
        for (k, v) in entries { self[k] = v }
    }

    package subscript(key: String) -> JSONValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let v = newValue { entries[i].value = v } else { entries.remove(at: i) }
            } else if let v = newValue {
                entries.append((key, v))
            }
        }
    }

    package var keys: [String] { entries.map(\.key) }

    package static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

// MARK: Parsing

/// Why a byte string is not JSON, with the byte offset of the problem.
struct JSONSyntaxError: Error {
    let offset: Int
    let reason: String
}

enum JSONParser {
    static let maximumDepth = 64

    /// Parses one complete JSON document.
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var p = Cursor(bytes: bytes)
        p.skipWhitespace()
        guard p.offset < bytes.count else { throw JSONSyntaxError(offset: 0, reason: "the file is empty") }
        let value = try p.value(depth: 0)
        p.skipWhitespace()
        guard p.offset == bytes.count else {
            throw JSONSyntaxError(offset: p.offset, reason: "unexpected data after the end of the JSON value")
        }
        return value
    }

    struct Cursor {
        let bytes: [UInt8]
        var offset = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func fail(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: offset, reason: reason) }

        var atEnd: Bool { offset >= bytes.count }
        var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

        mutating func skipWhitespace() {
            while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { offset += 1 }
        }

        mutating func expect(_ literal: String) throws(JSONSyntaxError) {
            let lit = Array(literal.utf8)
            guard offset + lit.count <= bytes.count, Array(bytes[offset..<offset + lit.count]) == lit else {
                throw fail(atEnd ? "the file ends in the middle of a value (truncated?)" : "invalid literal (expected \(literal))")
            }
            offset += lit.count
        }

        mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            guard depth < JSONParser.maximumDepth else { throw fail("nested more than \(JSONParser.maximumDepth) levels deep") }
            skipWhitespace()
            guard let c = current else { throw fail("the file ends where a value was expected (truncated?)") }
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
            var seen = Set<String>()
            skipWhitespace()
            if current == UInt8(ascii: "}") { offset += 1; return obj }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else {
                    throw fail(atEnd ? "the file ends inside an object (truncated?)" : "expected a quoted key")
                }
                let keyOffset = offset
                let key = try string()
                guard seen.insert(key).inserted else {
                    throw JSONSyntaxError(offset: keyOffset, reason: "duplicate key \(jsonQuoted(key))")
                }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw fail(atEnd ? "the file ends inside an object (truncated?)" : "expected ':' after a key") }
                offset += 1
                let v = try value(depth: depth + 1)
                obj[key] = v
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "}"): offset += 1; return obj
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
                out.append(try value(depth: depth + 1))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): offset += 1
                case UInt8(ascii: "]"): offset += 1; return out
                case nil: throw fail("the file ends inside an array (truncated?)")
                default: throw fail("expected ',' or ']' in an array")
                }
            }
        }

        mutating func number() throws(JSONSyntaxError) -> String {
            let start = offset
            func digits() -> Int {
                var n = 0
                while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { offset += 1; n += 1 }
                return n
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

        mutating func string() throws(JSONSyntaxError) -> String {
            offset += 1
            var out = [UInt8]()
            while true {
                guard let c = current else { throw fail("the file ends inside a string (truncated?)") }
                switch c {
                case UInt8(ascii: "\""):
                    offset += 1
                    // Validate UTF-8 strictly: String(validating:) refuses
                    // overlong forms, surrogates and truncated sequences.
                    guard let s = String(validating: out, as: UTF8.self) else {
                        throw fail("a string is not valid UTF-8")
                    }
                    return s
                case UInt8(ascii: "\\"):
                    offset += 1
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
                        out.append(contentsOf: Array(String(Character(u)).utf8))
                    default:
                        throw fail("invalid escape in a string")
                    }
                default:
                    guard c >= 0x20 else { throw fail("unescaped control character in a string") }
                    out.append(c)
                    offset += 1
                }
            }
        }
    }
}

// MARK: Writing

/// A JSON string literal with the minimal escapes (control characters and
/// DEL as \uXXXX). Public so the executables print JSON the same way.
public func jsonQuoted(_ s: String) -> String {
    var out = "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if ch.value < 0x20 || ch.value == 0x7F {
                let hex = String(ch.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(ch)
            }
        }
    }
    return out + "\""
}

extension JSONValue {
    /// Deterministic pretty-printed UTF-8: two-space indentation, keys in the
    /// object's order, a final newline. Arrays of scalars and empty
    /// containers stay on one line.
    package func encoded() -> [UInt8] {
        var out = ""
        write(into: &out, indent: 0)
        out += "\n"
        return Array(out.utf8)
    }

    /// Compact UTF-8 (no whitespace), keys in the object's order: what
    /// signed payloads use.
    package func compactEncoded() -> [UInt8] {
        var out = ""
        writeCompact(into: &out)
        return Array(out.utf8)
    }

    private func writeCompact(into out: inout String) {
        switch self {
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.writeCompact(into: &out)
            }
            out += "]"
        case .object(let obj):
            out += "{"
            for (i, entry) in obj.entries.enumerated() {
                if i > 0 { out += "," }
                out += jsonQuoted(entry.key) + ":"
                entry.value.writeCompact(into: &out)
            }
            out += "}"
        default:
            write(into: &out, indent: 0)
        }
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    private func write(into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): out += jsonQuoted(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            if items.allSatisfy(\.isScalar) {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += ", " }
                    item.write(into: &out, indent: indent + 1)
                }
                out += "]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                item.write(into: &out, indent: indent + 1)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += closing + "]"
        case .object(let obj):
            if obj.entries.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, entry) in obj.entries.enumerated() {
                out += pad + jsonQuoted(entry.key) + ": "
                entry.value.write(into: &out, indent: indent + 1)
                out += i + 1 < obj.entries.count ? ",\n" : "\n"
            }
            out += closing + "}"
        }
    }
}

// MARK: Strict field access

/// Reads the fields of one JSON object, each at most once, naming the exact
/// path in every error (`proof.helpers[2].commitment`). `finish()` rejects any
/// field the reader did not ask for: unknown fields are an error, never
/// silently ignored.
struct FieldReader {
    let path: String
    let object: JSONObject
    private var used = Set<String>()

    init(_ object: JSONObject, path: String) {
        self.object = object
        self.path = path
    }

    init(_ value: JSONValue, path: String) throws(SolvencyError) {
        guard case .object(let o) = value else {
            throw .field(path, "expected an object, found \(value.kindDescription)")
        }
        self.init(o, path: path)
    }

    func fieldPath(_ key: String) -> String { "\(path).\(key)" }

    mutating func optional(_ key: String) -> JSONValue? {
        used.insert(key)
        return object[key]
    }

    mutating func required(_ key: String) throws(SolvencyError) -> JSONValue {
        guard let v = optional(key) else { throw .field(fieldPath(key), "missing") }
        return v
    }

    mutating func string(_ key: String, maxLength: Int = 1 << 20) throws(SolvencyError) -> String {
        let v = try required(key)
        guard case .string(let s) = v else { throw .field(fieldPath(key), "expected a string, found \(v.kindDescription)") }
        guard !s.isEmpty else { throw .field(fieldPath(key), "cannot be empty") }
        guard s.utf8.count <= maxLength else { throw .field(fieldPath(key), "longer than \(maxLength) bytes") }
        return s
    }

    mutating func optionalString(_ key: String) throws(SolvencyError) -> String? {
        guard optional(key) != nil else { return nil }
        return try string(key)
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(SolvencyError) -> Int {
        let v = try required(key)
        guard case .number(let text) = v, let n = Int(text), range.contains(n) else {
            throw .field(fieldPath(key), "expected an integer in \(range.lowerBound)…\(range.upperBound), found \(describe(v))")
        }
        return n
    }

    mutating func array(_ key: String) throws(SolvencyError) -> [JSONValue] {
        let v = try required(key)
        guard case .array(let a) = v else { throw .field(fieldPath(key), "expected an array, found \(v.kindDescription)") }
        return a
    }

    mutating func object(_ key: String) throws(SolvencyError) -> FieldReader {
        let v = try required(key)
        return try FieldReader(v, path: fieldPath(key))
    }

    /// Canonical base64 (padded, no whitespace) of an exact length if given.
    mutating func base64(_ key: String, count: Int? = nil, maxCount: Int = 1 << 24) throws(SolvencyError) -> [UInt8] {
        let s = try string(key, maxLength: maxCount * 2)
        guard let bytes = Base64.decode(s) else {
            throw .field(fieldPath(key), "not canonical base64")
        }
        if let count, bytes.count != count {
            throw .field(fieldPath(key), "expected \(count) bytes, found \(bytes.count)")
        }
        guard bytes.count <= maxCount else { throw .field(fieldPath(key), "longer than \(maxCount) bytes") }
        return bytes
    }

    /// Lower-case hexadecimal of an exact length.
    mutating func hex(_ key: String, count: Int) throws(SolvencyError) -> [UInt8] {
        let s = try string(key, maxLength: 2 * count)
        guard s.utf8.count == 2 * count, s == s.lowercased(), let bytes = [UInt8](hex: s) else {
            throw .field(fieldPath(key), "expected \(count) bytes as \(2 * count) lower-case hexadecimal digits")
        }
        return bytes
    }

    /// Rejects every field that was not read.
    func finish() throws(SolvencyError) {
        for key in object.keys where !used.contains(key) {
            throw .field(fieldPath(key), "unknown field")
        }
    }

    private func describe(_ v: JSONValue) -> String {
        if case .number(let t) = v { return t }
        return v.kindDescription
    }
}

/// Parses bytes that must be one JSON object, for a file of kind `what`.
package func parseJSONObject(_ bytes: [UInt8], what: String) throws(SolvencyError) -> JSONObject {
    guard !bytes.isEmpty else { throw .malformed(what, "the file is empty") }
    let value: JSONValue
    do {
        value = try JSONParser.parse(bytes)
    } catch {
        throw .malformed(what, "not valid JSON at byte \(error.offset): \(error.reason)")
    }
    guard case .object(let o) = value else {
        throw .malformed(what, "expected a JSON object at the top level, found \(value.kindDescription)")
    }
    return o
}
