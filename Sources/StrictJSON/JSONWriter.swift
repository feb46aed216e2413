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

/// A JSON tree as the writer sees it, so that one writer serves every tree:
/// `JSONValue`, and trees that may repeat a key or carry number text that
/// is not JSON (the tamper harness writes the files a strict reader must
/// refuse, byte for byte as zkmargin writes the valid ones).
public protocol JSONWritable {
    /// This node: a scalar's exact text, or its elements, or its members in order.
    var jsonNode: JSONNode<Self> { get }
}

/// One node of a `JSONWritable` tree.
public enum JSONNode<Child> {
    /// `null`, `true`, `false`, a number's text or a quoted string, as written.
    case scalar(String)
    case array([Child])
    case object([(key: String, value: Child)])
}

extension JSONWritable {
    /// Deterministic pretty-printed UTF-8: two-space indentation, members in
    /// order, a final newline. Arrays of scalars and empty containers stay on
    /// one line.
    public func prettyJSON() -> [UInt8] {
        var out = ""
        writePretty(into: &out, indent: 0)
        out += "\n"
        return Array(out.utf8)
    }

    /// Compact UTF-8 (no whitespace), members in order.
    public func compactJSON() -> [UInt8] {
        var out = ""
        writeCompact(into: &out)
        return Array(out.utf8)
    }

    private func writeCompact(into out: inout String) {
        switch jsonNode {
        case .scalar(let text): out += text
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.writeCompact(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, m) in members.enumerated() {
                if i > 0 { out += "," }
                out += jsonQuoted(m.key) + ":"
                m.value.writeCompact(into: &out)
            }
            out += "}"
        }
    }

    private func writePretty(into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch jsonNode {
        case .scalar(let text): out += text
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            let scalars = items.compactMap { item -> String? in
                if case .scalar(let text) = item.jsonNode { return text }
                return nil
            }
            if scalars.count == items.count {
                out += "[" + scalars.joined(separator: ", ") + "]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                item.writePretty(into: &out, indent: indent + 1)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += closing + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, m) in members.enumerated() {
                out += pad + jsonQuoted(m.key) + ": "
                m.value.writePretty(into: &out, indent: indent + 1)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += closing + "}"
        }
    }
}

extension JSONValue: JSONWritable {
    public var jsonNode: JSONNode<JSONValue> {
        switch self {
        case .null: return .scalar("null")
        case .bool(let b): return .scalar(b ? "true" : "false")
        case .number(let n): return .scalar(n)
        case .string(let s): return .scalar(jsonQuoted(s))
        case .array(let items): return .array(items)
        case .object(let o): return .object(o.entries)
        }
    }

    /// Deterministic pretty-printed UTF-8 (`prettyJSON`): what every
    /// zkmargin file is written as.
    public func encoded() -> [UInt8] { prettyJSON() }

    /// Compact UTF-8 (`compactJSON`): what signed payloads use.
    public func compactEncoded() -> [UInt8] { compactJSON() }
}
