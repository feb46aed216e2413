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
/// with more than `linearSearchLimit` keys keep a `KeyIndex` from key bytes
/// to position; smaller ones (almost all) are searched linearly, which is
/// faster at that size and costs no memory. Removing a key is O(n).
public struct JSONObject: Sendable, Equatable {
    /// The entries in document (insertion) order.
    public private(set) var entries: [(key: String, value: JSONValue)] = []

    /// Where each key is in `entries`; nil while the object has at most
    /// `linearSearchLimit` entries. When present it maps every key.
    private var index: KeyIndex?

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

    /// Releases unused capacity of `entries` (see `shrunkIfSmall`); the
    /// parser calls it when an object is complete.
    mutating func shrinkToFit() {
        entries = shrunkIfSmall(entries)
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { sameBytes($0.key, $1.key) && $0.value == $1.value }
    }

    // MARK: Index

    private func position(of key: String) -> Int? {
        if let index { return index.position(of: key) { entries[$0].key } }
        return entries.firstIndex { sameBytes($0.key, key) }
    }

    /// Appends an entry whose key is known to be absent.
    private mutating func append(_ key: String, _ value: JSONValue) {
        entries.append((key, value))
        if index != nil {
            index!.insert(key, at: entries.count - 1) { entries[$0].key }
        } else if entries.count > Self.linearSearchLimit {
            rebuildIndex()
        }
    }

    private mutating func rebuildIndex() {
        guard entries.count > Self.linearSearchLimit else { index = nil; return }
        var built = KeyIndex(minimumCapacity: entries.count)
        for i in entries.indices { built.insert(entries[i].key, at: i) { entries[$0].key } }
        index = built
    }
}

/// A hash table from key bytes to positions in an array of keys held
/// elsewhere: open addressing with linear probing over a power-of-two array
/// of 32-bit slots, never more than half full. It stores positions only (8
/// to 16 bytes per key, against 32 to 64 for a `Dictionary<UTF8Key, Int>`,
/// and one word inline, so a `JSONValue` stays three words); key bytes are
/// compared through the `keyAt` closure callers pass. Keys are indexed in
/// position order 0, 1, 2, …. Hashing is Swift's per-process seeded
/// `Hasher`, so crafted keys cannot be made to collide.
struct KeyIndex: Sendable {
    /// Position + 1 of a key hashed near here, or 0 for an empty slot.
    private var slots: [UInt32]

    init(minimumCapacity: Int) {
        var size = 16
        while size < 2 * minimumCapacity { size *= 2 }
        slots = [UInt32](repeating: 0, count: size)
    }

    private static func hash(_ key: String) -> Int {
        var h = Hasher()
        UTF8Key(key).hash(into: &h)
        return h.finalize()
    }

    /// The position of the key with `key`'s bytes, if indexed.
    func position(of key: String, keyAt: (Int) -> String) -> Int? {
        let mask = slots.count - 1
        var i = Self.hash(key) & mask
        while slots[i] != 0 {
            let p = Int(slots[i]) - 1
            if sameBytes(keyAt(p), key) { return p }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Indexes `key`, absent so far, at `position`, which must be the
    /// number of keys indexed before it. Grows the table to keep it at most
    /// half full.
    mutating func insert(_ key: String, at position: Int, keyAt: (Int) -> String) {
        precondition(position < Int(UInt32.max), "too many keys for one JSON object")
        if 2 * (position + 1) > slots.count {
            var grown = KeyIndex(minimumCapacity: position + 1)
            for p in 0..<position { grown.insert(keyAt(p), at: p, keyAt: keyAt) }
            self = grown
        }
        let mask = slots.count - 1
        var i = Self.hash(key) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = UInt32(position + 1)
    }
}

/// `array` copied to an exactly sized buffer if it has spare capacity and
/// fewer than 4096 elements. A parsed document can hold many small
/// containers, each of whose buffers was grown by doubling; their slack
/// adds up to as much as the containers themselves. A single large
/// container's slack is bounded by its own size, and copying it would raise
/// peak memory by as much, so large ones are left alone.
func shrunkIfSmall<Element>(_ array: [Element]) -> [Element] {
    guard array.count < 4096, array.capacity > array.count else { return array }
    return array.withUnsafeBufferPointer { Array($0) }
}
