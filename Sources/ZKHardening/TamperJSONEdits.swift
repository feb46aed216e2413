/// One edit of a JSON tree: what it does, where, and the node that replaces
/// the one at `path` (for edits of a member or an element, the path is the
/// container's and the replacement the whole edited container).
package struct TamperJSONEdit: Sendable {
    package let description: String
    package let path: TamperJSONPath
    package let replacement: TamperJSON

    /// `tree` with the edit applied.
    package func applied(to tree: TamperJSON) -> TamperJSON { tree.replacing(at: path, with: replacement) }
}

/// Every field-level edit of a JSON document, at every depth: each member
/// deleted, duplicated (the key written twice) and joined by an unknown
/// key; each array shortened, lengthened and reordered; each value changed
/// to every other JSON type and to nearby values of its own type.
///
/// Only edits that change the tree are listed, so every edit changes the
/// written bytes (the writers are injective on trees).
package enum TamperJSONEdits {
    /// The name of the key added to objects: no zkmargin file has it.
    static let unknownKey = "zkmargin_unknown"

    /// Every edit of every node of `tree`, whose root is called `root`.
    package static func all(of tree: TamperJSON, root: String) -> [TamperJSONEdit] {
        var out: [TamperJSONEdit] = []
        for (path, node) in tree.nodes(root: root) {
            var seen: [TamperJSON] = []
            func add(_ description: String, _ replacement: TamperJSON) {
                guard replacement != node, !seen.contains(replacement) else { return }
                seen.append(replacement)
                out.append(TamperJSONEdit(description: description, path: path, replacement: replacement))
            }
            for (d, r) in structuralEdits(of: node, at: path) { add(d, r) }
            for (d, r) in typeChanges(of: node) { add("\(path.display): \(d)", r) }
            for (d, r) in valueChanges(of: node) { add("\(path.display): \(d)", r) }
        }
        return out
    }

    // MARK: Containers

    /// Members deleted or written twice, an unknown key; array elements
    /// dropped, duplicated, reordered.
    static func structuralEdits(of node: TamperJSON, at path: TamperJSONPath) -> [(String, TamperJSON)] {
        var out: [(String, TamperJSON)] = []
        switch node {
        case .object(let members):
            for (i, m) in members.enumerated() {
                let name = path.appending(.member(i), name: m.key).display
                var deleted = members
                deleted.remove(at: i)
                out.append(("\(name) deleted", .object(deleted)))
                var twice = members
                twice.insert(m, at: i + 1)
                out.append(("\(name) duplicated (the key twice, same value)", .object(twice)))
                let other: TamperJSON = m.value == .null ? .string("x") : .null
                twice = members
                twice.insert(TamperJSON.Member(m.key, other), at: i + 1)
                out.append(("\(name) duplicated (the key twice, second value \(other.compactText))", .object(twice)))
                twice = members
                twice.insert(TamperJSON.Member(m.key, other), at: i)
                out.append(("\(name) duplicated (the key twice, first value \(other.compactText))", .object(twice)))
            }
            out.append(("\(path.display): unknown key \(jsonQuotedKey(unknownKey)) added", .object(members + [TamperJSON.Member(unknownKey, .string("x"))])))
            out.append(("\(path.display): emptied ({})", .object([])))
        case .array(let items) where !items.isEmpty:
            for i in Set([0, items.count / 2, items.count - 1]).sorted() {
                var dropped = items
                dropped.remove(at: i)
                out.append(("\(path.display): element \(i) dropped", .array(dropped)))
            }
            var twice = items
            twice.insert(items[0], at: 1)
            out.append(("\(path.display): element 0 duplicated", .array(twice)))
            out.append(("\(path.display): last element appended again", .array(items + [items[items.count - 1]])))
            out.append(("\(path.display): reversed", .array(items.reversed())))
            if items.count > 2 {
                var swapped = items
                swapped.swapAt(0, 1)
                out.append(("\(path.display): elements 0 and 1 swapped", .array(swapped)))
            }
            out.append(("\(path.display): null element appended", .array(items + [.null])))
            out.append(("\(path.display): emptied ([])", .array([])))
        default:
            break
        }
        return out
    }

    // MARK: Types

    /// The value as each other JSON type: null, a bool, a number (the
    /// string's own text when it is a number), a string (the value's JSON
    /// text), the value wrapped in an array, an empty object.
    static func typeChanges(of node: TamperJSON) -> [(String, TamperJSON)] {
        var out: [(String, TamperJSON)] = []
        if case .null = node {} else { out.append(("type changed to null", .null)) }
        if case .bool = node {} else {
            out.append(("type changed to bool (true)", .bool(true)))
            out.append(("type changed to bool (false)", .bool(false)))
        }
        switch node {
        case .number: break
        case .string(let s) where isJSONNumber(s): out.append(("type changed to number (\(s))", .number(s)))
        default: out.append(("type changed to number (0)", .number("0")))
        }
        switch node {
        case .string: break
        case .number(let n): out.append(("type changed to string (\"\(n)\")", .string(n)))
        default: out.append(("type changed to string (its JSON text)", .string(node.compactText)))
        }
        if case .array = node {} else { out.append(("type changed to array (the value wrapped)", .array([node]))) }
        if case .object = node {} else { out.append(("type changed to object ({})", .object([]))) }
        return out
    }

    // MARK: Values

    /// Nearby values of the node's own type.
    static func valueChanges(of node: TamperJSON) -> [(String, TamperJSON)] {
        switch node {
        case .bool(let b): return [("flipped to \(!b)", .bool(!b))]
        case .string(let s): return stringChanges(s).map { ($0.0, .string($0.1)) }
        case .number(let n): return numberChanges(n).map { ($0.0, .number($0.1)) }
        default: return []
        }
    }

    /// Empty; one character changed (first, middle, last); a character
    /// appended (a digit, which keeps hex and decimals well-formed, and
    /// NUL); a leading space; upper and lower case.
    static func stringChanges(_ s: String) -> [(String, String)] {
        var out: [(String, String)] = []
        let scalars = Array(s.unicodeScalars)
        if !scalars.isEmpty {
            out.append(("emptied", ""))
            for i in Set([0, scalars.count / 2, scalars.count - 1]).sorted() {
                var changed = scalars
                changed[i] = changedScalar(scalars[i])
                var text = ""
                text.unicodeScalars.append(contentsOf: changed)
                out.append(("character \(i) changed (\(describe(scalars[i])) → \(describe(changed[i])))", text))
            }
        }
        out.append(("character appended (0)", s + "0"))
        out.append(("character appended (NUL)", s + "\u{0}"))
        out.append(("leading space", " " + s))
        if s.uppercased() != s { out.append(("upper-cased", s.uppercased())) }
        if s.lowercased() != s { out.append(("lower-cased", s.lowercased())) }
        return out
    }

    /// ±1, 0, negated, huge, fractional and exponent forms of the same
    /// value, for a number's literal text.
    static func numberChanges(_ n: String) -> [(String, String)] {
        var out: [(String, String)] = []
        if let v = Int(n) {
            if v < Int.max { out.append(("+1", String(v + 1))) }
            if v > Int.min { out.append(("-1", String(v - 1))) }
        }
        out.append(("zero", "0"))
        out.append(("negated", n.hasPrefix("-") ? String(n.dropFirst()) : "-" + n))
        out.append(("huge (2^64 + 1)", "18446744073709551617"))
        out.append(("huge (10^40)", "1" + String(repeating: "0", count: 40)))
        out.append(("fractional (.5 appended)", n.contains(".") ? n + "5" : n + ".5"))
        out.append(("same value with a fraction (.0 appended)", n.contains(".") ? n + "0" : n + ".0"))
        out.append(("exponent form (e0 appended)", n + "e0"))
        out.append(("exponent form (E+0 appended)", n + "E+0"))
        return out
    }

    /// A character that differs from `c` and stays printable ASCII: the next
    /// digit or letter (wrapping), '=' → 'A', '+' ↔ '/', others → 'x'.
    static func changedScalar(_ c: Unicode.Scalar) -> Unicode.Scalar {
        switch c {
        case "0"..."8", "a"..."y", "A"..."Y": return Unicode.Scalar(c.value + 1) ?? "x"
        case "9": return "0"
        case "z": return "a"
        case "Z": return "A"
        case "=": return "A"
        case "+": return "/"
        case "/": return "+"
        case "x": return "y"
        default: return "x"
        }
    }

    static func describe(_ c: Unicode.Scalar) -> String {
        c.value >= 0x20 && c.value < 0x7F ? "'\(Character(c))'" : "U+\(String(c.value, radix: 16, uppercase: true))"
    }

    /// Whether `s` is a number literal in RFC 8259's grammar.
    static func isJSONNumber(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            return i - start
        }
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        if i < b.count, b[i] == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { return false }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            if digits() == 0 { return false }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            if digits() == 0 { return false }
        }
        return i == b.count
    }

    static func jsonQuotedKey(_ key: String) -> String { "\"\(key)\"" }
}
