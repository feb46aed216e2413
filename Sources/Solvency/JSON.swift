// Strict field access over `StrictJSON` values, with `SolvencyError`s that
// name the exact path. The reader and writer themselves are in `StrictJSON`.

package import StrictJSON
import ZKGroup

// MARK: Strict field access

/// Reads the fields of one JSON object, each at most once, naming the exact
/// path in every error (`proof.helpers[2].commitment`). `finish()` rejects any
/// field the reader did not ask for: unknown fields are an error, never
/// silently ignored.
struct FieldReader {
    let path: String
    let object: JSONObject
    /// The keys asked for, by bytes: a key that is merely canonically
    /// equivalent to one asked for ("\u{212A}" for "K") is still unknown.
    private var used = Set<UTF8Key>()

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
        used.insert(UTF8Key(key))
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

    /// The member `key` of a signed payload, naming the key that signed it
    /// (a key id, at most 64 bytes): it must be `signer`'s id, as bytes.
    /// `file` names the file in the message ("bundle", "statement").
    mutating func signerKeyID(_ key: String, signer: VerifyingKey, file: String) throws(SolvencyError) -> String {
        let id = try string(key, maxLength: 64)
        guard sameBytes(id, signer.id) else {
            throw .field(fieldPath(key), "names key \(short(id)) but the \(file) is signed by \(short(signer.id))")
        }
        return id
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
        for key in object.keys where !used.contains(UTF8Key(key)) {
            throw .field(fieldPath(displaySafe(key)), "unknown field")
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
