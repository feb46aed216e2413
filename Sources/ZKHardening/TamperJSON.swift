package import Solvency
package import StrictJSON

/// A JSON tree for writing tampered files.
///
/// Unlike Solvency's `JSONObject`, an object here may hold a key twice, and a
/// number is written exactly as its text says (even when that text is not
/// JSON), so the harness can write the files a strict reader must refuse.
/// The writers reproduce Solvency's byte for byte (`pretty` as
/// `JSONValue.encoded()`, `compact` as `compactEncoded()`), which
/// `TamperFixture` checks on every fixture: an unchanged tree writes the
/// original bytes, so every variant differs from the original only by the
/// edit it describes.
package indirect enum TamperJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, written as is.
    case number(String)
    case string(String)
    case array([TamperJSON])
    case object([Member])

    /// One key and its value; an object may list a key more than once.
    package struct Member: Sendable, Equatable {
        package var key: String
        package var value: TamperJSON

        package init(_ key: String, _ value: TamperJSON) {
            self.key = key
            self.value = value
        }
    }

    /// The tree of a parsed Solvency value (keys in document order).
    package init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n): self = .number(n)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(TamperJSON.init))
        case .object(let o): self = .object(o.entries.map { Member($0.key, TamperJSON($0.value)) })
        }
    }

    /// Parses a JSON object with Solvency's strict reader.
    package init(parsingObject bytes: [UInt8], what: String) throws(SolvencyError) {
        self.init(.object(try parseJSONObject(bytes, what: what)))
    }

    /// What kind of value this is, for descriptions.
    package var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    // MARK: Lookup and replacement

    /// The value of the first member named `key`, if this is an object.
    package subscript(key: String) -> TamperJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// Sets the first member named `key` (appending it if absent); does
    /// nothing if this is not an object.
    package mutating func set(_ key: String, _ value: TamperJSON) {
        guard case .object(var members) = self else { return }
        if let i = members.firstIndex(where: { $0.key == key }) { members[i].value = value } else { members.append(Member(key, value)) }
        self = .object(members)
    }

    /// The node at `path`, or nil if the path does not lead anywhere.
    package func node(at path: TamperJSONPath) -> TamperJSON? {
        var node = self
        for step in path.steps {
            switch (step, node) {
            case (.member(let i), .object(let members)) where members.indices.contains(i): node = members[i].value
            case (.element(let i), .array(let items)) where items.indices.contains(i): node = items[i]
            default: return nil
            }
        }
        return node
    }

    /// This tree with the node at `path` replaced (unchanged if the path
    /// does not lead anywhere).
    package func replacing(at path: TamperJSONPath, with replacement: TamperJSON) -> TamperJSON {
        replacing(path.steps[...], with: replacement)
    }

    private func replacing(_ steps: ArraySlice<TamperJSONPath.Step>, with replacement: TamperJSON) -> TamperJSON {
        guard let step = steps.first else { return replacement }
        switch (step, self) {
        case (.member(let i), .object(var members)) where members.indices.contains(i):
            members[i].value = members[i].value.replacing(steps.dropFirst(), with: replacement)
            return .object(members)
        case (.element(let i), .array(var items)) where items.indices.contains(i):
            items[i] = items[i].replacing(steps.dropFirst(), with: replacement)
            return .array(items)
        default:
            return self
        }
    }

    /// Every node of the tree, the root first, in document order.
    package func nodes(root: String) -> [(path: TamperJSONPath, node: TamperJSON)] {
        var out: [(TamperJSONPath, TamperJSON)] = []
        func walk(_ node: TamperJSON, _ path: TamperJSONPath) {
            out.append((path, node))
            switch node {
            case .object(let members):
                for (i, m) in members.enumerated() { walk(m.value, path.appending(.member(i), name: m.key)) }
            case .array(let items):
                for (i, item) in items.enumerated() { walk(item, path.appending(.element(i), name: nil)) }
            default:
                break
            }
        }
        walk(self, TamperJSONPath(root: root))
        return out
    }

    // MARK: Writing

    /// Pretty-printed UTF-8 exactly as `JSONValue.encoded()` writes it (the
    /// same writer, `JSONWritable`).
    package func pretty() -> [UInt8] { prettyJSON() }

    /// Compact UTF-8 exactly as `JSONValue.compactEncoded()` writes it.
    package func compact() -> [UInt8] { compactJSON() }

    /// Compact text, for descriptions and for values turned into strings.
    package var compactText: String { String(decoding: compact(), as: UTF8.self) }
}

extension TamperJSON: JSONWritable {
    /// Containers as they are (keys may repeat); scalars written exactly as
    /// the `JSONValue` with the same content is.
    package var jsonNode: JSONNode<TamperJSON> {
        let scalar: JSONValue
        switch self {
        case .array(let items): return .array(items)
        case .object(let members): return .object(members.map { ($0.key, $0.value) })
        case .null: scalar = .null
        case .bool(let b): scalar = .bool(b)
        case .number(let n): scalar = .number(n)
        case .string(let s): scalar = .string(s)
        }
        guard case .scalar(let text) = scalar.jsonNode else { preconditionFailure("a JSON scalar is written as a scalar") }
        return .scalar(text)
    }
}

/// Where a node sits in a `TamperJSON` tree, and how to name it:
/// `proof.range_proofs[0].proof`.
package struct TamperJSONPath: Sendable, Equatable {
    package enum Step: Sendable, Equatable {
        /// The i-th member of an object (by position: keys may repeat).
        case member(Int)
        /// The i-th element of an array.
        case element(Int)
    }

    package private(set) var steps: [Step] = []
    /// The human-readable name.
    package private(set) var display: String

    package init(root: String) { display = root }

    package func appending(_ step: Step, name: String?) -> TamperJSONPath {
        var p = self
        p.steps.append(step)
        switch step {
        case .member: p.display += "." + (name ?? "?")
        case .element(let i): p.display += "[\(i)]"
        }
        return p
    }
}
