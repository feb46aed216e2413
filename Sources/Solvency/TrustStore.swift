public import Foundation
import StrictJSON
public import ZKGroup

/// The keys a verifier trusts, with names, validity periods and revocations
/// (`zkmargin/trust@1`, SPEC.md §16.14): one file for every venue and
/// custodian a counterparty deals with, so that keys can rotate without
/// changing the verifier's command line, and the report names who vouched.
///
/// ```json
/// {
///   "format": "zkmargin/trust@1",
///   "keys": [
///     { "name": "Example Venue risk desk", "role": "publisher", "key": "<base64 DER SubjectPublicKeyInfo>",
///       "valid_from": "2025-01-01T00:00:00Z", "valid_until": "2027-01-01T00:00:00Z" },
///     { "name": "Example Custody", "role": "custodian", "key": "…", "revoked_at": "2026-06-01T00:00:00Z" }
///   ]
/// }
/// ```
///
/// **What a key vouches for.** A file (a bundle for a publisher, a
/// statement for a custodian) signed by key K and issued at S, checked at T,
/// is vouched for by the entry of that role holding K exactly when
/// `valid_from` ≤ S ≤ `valid_until` (each bound optional) and, if the entry
/// has `revoked_at` R, T < R. A revoked key vouches for nothing once R has
/// passed, whatever the files it signed say of their own time (a stolen key
/// can write any `issued_at`).
public struct TrustStore: Sendable {
    public enum Role: String, Sendable, CaseIterable {
        case publisher, custodian
    }

    public struct Entry: Sendable {
        /// The name the report gives the key; nil for a key given on the
        /// command line (`--publisher-key`, `--custodian-key`), named by its id.
        public let name: String?
        public let role: Role
        public let key: VerifyingKey
        public let validFrom: Date?
        public let validUntil: Date?
        public let revokedAt: Date?

        public init(name: String?, role: Role, key: VerifyingKey, validFrom: Date? = nil, validUntil: Date? = nil, revokedAt: Date? = nil) {
            self.name = name
            self.role = role
            self.key = key
            self.validFrom = validFrom
            self.validUntil = validUntil
            self.revokedAt = revokedAt
        }

        /// The name, or the key id when it has none.
        public var label: String { name ?? key.id }
    }

    public static let maximumEntries = 1024

    public let entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// The store of a command line's two keys, unnamed and unbounded.
    public init(publisher: VerifyingKey, custodian: VerifyingKey?) {
        entries = [Entry(name: nil, role: .publisher, key: publisher)] + (custodian.map { [Entry(name: nil, role: .custodian, key: $0)] } ?? [])
    }

    public func keys(_ role: Role) -> [VerifyingKey] { entries.filter { $0.role == role }.map(\.key) }

    /// The entry vouching for a `file` signed by `key` in `role`, issued at
    /// `issuedAt`, checked at `at`. Refuses a key no entry of the role holds
    /// (`wrongSigner`), a revoked one (`keyRevoked`) and one outside its
    /// period (`keyOutOfPeriod`).
    func vouch(for key: VerifyingKey, role: Role, file: String, issuedAt: Date, at: Date) throws(SolvencyError) -> Entry {
        guard let entry = entries.first(where: { $0.role == role && $0.key == key }) else {
            let trusted = keys(role)
            throw .wrongSigner(file: file, role: role.rawValue, expected: trusted.count == 1 ? trusted[0].id : "any of the \(trusted.count) \(role.rawValue) keys trusted",
                               found: key.id)
        }
        if let r = entry.revokedAt, at >= r {
            throw .keyRevoked("the \(file) is signed by \(role.rawValue) key \(jsonQuoted(entry.label)) (\(short(key.id))), revoked at \(RFC3339.format(r)); checked at \(RFC3339.format(at))")
        }
        if let f = entry.validFrom, issuedAt < f {
            throw .keyOutOfPeriod("the \(file) was issued at \(RFC3339.format(issuedAt)), before \(role.rawValue) key \(jsonQuoted(entry.label)) is trusted (from \(RFC3339.format(f)))")
        }
        if let u = entry.validUntil, issuedAt > u {
            throw .keyOutOfPeriod("the \(file) was issued at \(RFC3339.format(issuedAt)), after \(role.rawValue) key \(jsonQuoted(entry.label)) stopped being trusted (until \(RFC3339.format(u)))")
        }
        return entry
    }

    // MARK: The file

    public static func load(path: String) throws(SolvencyError) -> TrustStore {
        let bytes = try FileIO.read(path)
        do { return try TrustStore(encoded: bytes) } catch { throw error.inFile(path) }
    }

    /// Strict decoding: exactly the members above, 1…1024 entries, names
    /// that are identifiers, canonical DER P-256 keys, canonical times,
    /// `valid_from` ≤ `valid_until`, no key twice in one role.
    public init(encoded bytes: [UInt8]) throws(SolvencyError) {
        let object = try parseJSONObject(bytes, what: "trust store")
        var r = FieldReader(object, path: "trust")
        let format = try r.string("format", maxLength: 64)
        guard format.utf8.elementsEqual(Self.formatName.utf8) else {
            throw .unknownFormat(file: "trust store", found: jsonQuoted(format), expected: Self.formatName)
        }
        let items = try r.array("keys")
        guard (1...Self.maximumEntries).contains(items.count) else {
            throw .field("trust.keys", "expected 1 to \(Self.maximumEntries) keys, found \(items.count)")
        }
        var entries: [Entry] = []
        var seen: Set<String> = []
        for (k, item) in items.enumerated() {
            let path = "trust.keys[\(k)]"
            var f = try FieldReader(item, path: path)
            let name = try f.string("name", maxLength: FormatLimits.maximumIdentifierBytes)
            if let problem = identifierProblem(name, maxBytes: FormatLimits.maximumIdentifierBytes) { throw .field("\(path).name", problem) }
            let roleText = try f.string("role", maxLength: 16)
            guard let role = Role(rawValue: roleText), roleText.utf8.elementsEqual(role.rawValue.utf8) else {
                throw .field("\(path).role", "expected \"publisher\" or \"custodian\", found \(jsonQuoted(roleText))")
            }
            let der = try f.base64("key", maxCount: 1024)
            let key: VerifyingKey
            do { key = try VerifyingKey(derRepresentation: der) } catch { throw .field("\(path).key", error.description) }
            let validFrom = try f.optionalTime("valid_from")
            let validUntil = try f.optionalTime("valid_until")
            let revokedAt = try f.optionalTime("revoked_at")
            try f.finish()
            if let a = validFrom, let b = validUntil, a > b {
                throw .field("\(path).valid_until", "is before valid_from")
            }
            guard seen.insert("\(role.rawValue) \(key.id)").inserted else {
                throw .field("\(path).key", "the \(role.rawValue) key \(short(key.id)) is listed twice")
            }
            entries.append(Entry(name: name, role: role, key: key, validFrom: validFrom, validUntil: validUntil, revokedAt: revokedAt))
        }
        try r.finish()
        self.entries = entries
    }

    public static let formatName = "zkmargin/trust@1"
}
