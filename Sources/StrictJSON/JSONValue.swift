// The JSON data model: values, and objects that keep their keys in document
// order and tell keys apart by their UTF-8 bytes.

/// A parsed JSON value.
///
/// Equality is equality of documents: strings and object keys compare by
/// their UTF-8 bytes (not by Swift's canonical equivalence, see `sameBytes`),
/// numbers by their literal text, objects in key order.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, exactly as written (RFC 8259 grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// What a value is, for error messages ("a string", "an array", …).
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)), (.string(let x), .string(let y)): return sameBytes(x, y)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0 == $1 }
        case (.object(let x), .object(let y)): return x == y
        default: return false
        }
    }
}

/// A JSON object: its entries in document order, no two keys with the same
/// UTF-8 bytes.
///
/// Keys are told apart by bytes, not by Swift `String` equality: "\u{00C5}"
/// and "\u{212B}" are two different keys here (as they are to a signature),
/// and looking up one never finds the other.
///
/// Lookups, insertions and replacements take O(1) average time: objects
/// with more than `linearSearchLimit` keys keep an index from key bytes to
/// position; smaller ones (almost all) are searched linearly, which is
/// faster at that size and costs no memory. Removing a key is O(n).
public struct JSONObject: Sendable, Equatable {
    /// The entries in document (insertion) order.
    public private(set) var entries: [(key: String, value: JSONValue)] = []

    /// Key bytes → position in `entries`; nil while the object has at most
    /// `linearSearchLimit` entries. When present it maps every key.
    private var index: [UTF8Key: Int]?

    /// Objects with at most this many keys are searched without an index.
    static let linearSearchLimit = 8

    public init() {}

    /// An object with these entries in this order. A later entry whose key
    /// has the same bytes as an earlier one replaces its value in place, as
    /// assigning through the subscript does.
    public init(_ entries: [(String, JSONValue)]) {
        for (k, v) in entries { self[k] = v }
    }

    /// The value of the key with exactly these UTF-8 bytes. Assigning a
    /// value replaces it in place or appends a new entry; assigning nil
    /// removes the entry.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { entries[$0].value } }
        set {
            if let i = position(of: key) {
                if let v = newValue {
                    entries[i].value = v
                } else {
                    entries.remove(at: i)
                    rebuildIndex()
                }
            } else if let v = newValue {
                append(key, v)
            }
        }
    }

    /// The keys in document order.
    public var keys: [String] { entries.map(\.key) }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// Whether a key with exactly these bytes is present.
    public func containsKey(_ key: String) -> Bool { position(of: key) != nil }

    /// Appends an entry; the caller has checked `containsKey(key)` is false.
    /// What the parser uses, so that it can refuse a duplicate key before
    /// reading its value.
    mutating func appendNew(_ key: String, _ value: JSONValue) {
        append(key, value)
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { sameBytes($0.key, $1.key) && $0.value == $1.value }
    }

    // MARK: Index

    private func position(of key: String) -> Int? {
        if let index { return index[UTF8Key(key)] }
        return entries.firstIndex { sameBytes($0.key, key) }
    }

    /// Appends an entry whose key is known to be absent.
    private mutating func append(_ key: String, _ value: JSONValue) {
        entries.append((key, value))
        if index != nil {
            index![UTF8Key(key)] = entries.count - 1
        } else if entries.count > Self.linearSearchLimit {
            rebuildIndex()
        }
    }

    private mutating func rebuildIndex() {
        guard entries.count > Self.linearSearchLimit else { index = nil; return }
        var built = [UTF8Key: Int](minimumCapacity: entries.count)
        for (i, e) in entries.enumerated() { built[UTF8Key(e.key)] = i }
        index = built
    }
}
