// A deterministic JSON writer: the same value always gives the same bytes.

/// A JSON string literal with the minimal escapes, plus every scalar that
/// could change how the text is displayed: `\"`, `\\`, `\n`, `\r`, `\t`;
/// other C0 controls, DEL, C1 controls, format characters (Cf: bidi
/// controls, zero-width characters, U+FEFF, tags, …) and U+2028/U+2029 as
/// `\uXXXX` in lower-case hexadecimal (a surrogate pair above U+FFFF). So
/// the output, printed raw, is safe on a terminal, and it is valid JSON
/// that parses back to `s`. Every other scalar is written as itself.
public func jsonQuoted(_ s: String) -> String {
    // The common case: printable ASCII without quote or backslash.
    if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) {
        return "\"" + s + "\""
    }
    var out = "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if !isDisplayUnsafe(ch) {
                out.unicodeScalars.append(ch)
            } else if ch.value <= 0xFFFF {
                out += "\\u" + hexDigits(ch.value, minimumWidth: 4, uppercase: false)
            } else {
                let v = ch.value - 0x10000
                out += "\\u" + hexDigits(0xD800 + (v >> 10), minimumWidth: 4, uppercase: false)
                out += "\\u" + hexDigits(0xDC00 + (v & 0x3FF), minimumWidth: 4, uppercase: false)
            }
        }
    }
    return out + "\""
}

extension JSONValue {
    /// Deterministic pretty-printed UTF-8: two-space indentation, keys in the
    /// object's order, a final newline. Arrays of scalars and empty
    /// containers stay on one line. Strings and keys as `jsonQuoted` writes
    /// them.
    public func encoded() -> [UInt8] {
        var out = ""
        write(into: &out, indent: 0)
        out += "\n"
        return Array(out.utf8)
    }

    /// Compact UTF-8 (no whitespace), keys in the object's order: what
    /// signed payloads use.
    public func compactEncoded() -> [UInt8] {
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
