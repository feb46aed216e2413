public import Foundation
public import MarginCircuits
import StrictJSON
public import ZKGroup
public import ZKProofs

/// A committed input: its id in the compiled circuit and its commitment.
public struct CommittedInput: Sendable, Equatable {
    public let id: String
    public let commitment: Commitment

    public init(id: String, commitment: Commitment) {
        self.id = id
        self.commitment = commitment
    }

    var json: JSONValue {
        .object(JSONObject([("id", .string(id)), ("commitment", .string(Base64.encode((try? commitment.encoded()) ?? [])))]))
    }

    /// Decodes a list of `{id, commitment}` objects.
    ///
    /// With `expected` ids (what the verifier compiled from the bundle),
    /// the number of entries and every id (compared as UTF-8 bytes) are
    /// checked before a single point is decoded: a list of the wrong length
    /// or with a foreign id costs a count and a comparison, not a point
    /// decompression per entry. `mismatch` builds the error for a list that
    /// differs from the expected one.
    static func decode(_ items: [JSONValue], path: String, curve: Curve, expected: [String]? = nil,
                       mismatch: (String) -> SolvencyError = { .proofMismatch($0) }) throws(SolvencyError) -> [CommittedInput] {
        if let expected, items.count != expected.count {
            throw mismatch("\(path) has \(items.count) entries, the circuit has \(expected.count) (\(expected.prefix(4).joined(separator: ", "))\(expected.count > 4 ? ", …" : ""))")
        }
        var raw: [(id: String, bytes: [UInt8])] = []
        raw.reserveCapacity(items.count)
        for (k, item) in items.enumerated() {
            var r = try FieldReader(item, path: "\(path)[\(k)]")
            let id = try r.string("id", maxLength: FormatLimits.maximumIdentifierBytes)
            if let expected, !sameBytes(id, expected[k]) {
                throw mismatch("\(path) differs from the circuit's at position \(k): \(jsonQuoted(id)) where the circuit has \(jsonQuoted(expected[k]))")
            }
            let bytes = try r.base64("commitment", count: 33)
            try r.finish()
            raw.append((id, bytes))
        }
        var out: [CommittedInput] = []
        out.reserveCapacity(raw.count)
        for (k, entry) in raw.enumerated() {
            do {
                out.append(CommittedInput(id: entry.id, commitment: try Commitment(encoded: entry.bytes, curve: curve)))
            } catch {
                throw .field("\(path)[\(k)].commitment", "not a valid \(curve) point: \(error)")
            }
        }
        return out
    }
}

/// The custodian's signed commitments to every input of an account
/// (`zkmargin/statement@1`, in a signed envelope).
///
/// ```json
/// {
///   "format": "zkmargin/statement@1",
///   "custodian": "<key id>",
///   "bundle": "<bundle digest, hex>",
///   "account": "fund-7/subacct-2",
///   "epoch": "2025-11-25T12:00:00Z",
///   "curve": "p256",
///   "issued_at": "2025-11-25T12:05:00Z",
///   "inputs": [ { "id": "balance[BTC]", "commitment": "<base64, 33 bytes>" }, … ]
/// }
/// ```
public struct AttestedStatement: Sendable, Equatable {
    public let envelope: SignedEnvelope
    public let custodianKeyID: String
    public let bundleDigest: [UInt8]
    public let account: String
    public let epoch: String
    public let curve: Curve
    public let issuedAt: Date
    /// Every input of the compiled circuit, in its order.
    public let inputs: [CommittedInput]

    /// SHA-256 of the signed payload.
    public var digest: [UInt8] { envelope.digest }
    public var custodian: VerifyingKey { envelope.signer }

    /// Strict decoding; checks the signature against the embedded signer key.
    public init(encoded bytes: [UInt8]) throws(SolvencyError) {
        try self.init(envelope: SignedEnvelope(decoding: bytes, kind: .statement))
    }

    /// What a statement must say to belong to a bundle, known before its
    /// payload is read: decoding checks each field as it comes, and the
    /// input count and ids before any point is decoded.
    struct Expectation: Sendable {
        let bundle: RiskBundle
        let inputIDs: [String]
    }

    public static func load(path: String) throws(SolvencyError) -> AttestedStatement {
        let bytes = try FileIO.read(path)
        do { return try AttestedStatement(encoded: bytes) } catch { throw error.inFile(path) }
    }

    public func encoded() -> [UInt8] { envelope.encoded() }

    package init(envelope: SignedEnvelope) throws(SolvencyError) {
        try self.init(envelope: envelope, expecting: nil)
    }

    /// Decodes the signed payload. With `expecting`, every field is checked
    /// against the bundle as it is read (identifiers as bytes), so that a
    /// statement for another bundle, epoch, curve or input list is refused
    /// before its commitments are decoded; `check(against:compiled:)` makes
    /// the same checks on an already decoded statement.
    init(envelope: SignedEnvelope, expecting: Expectation?) throws(SolvencyError) {
        self.envelope = envelope
        var r = FieldReader(try envelope.payloadObject(), path: "statement.payload")
        _ = r.optional("format")
        custodianKeyID = try r.string("custodian", maxLength: 64)
        guard sameBytes(custodianKeyID, envelope.signer.id) else {
            throw .field("statement.payload.custodian", "names key \(short(custodianKeyID)) but the statement is signed by \(short(envelope.signer.id))")
        }
        bundleDigest = try r.hex("bundle", count: 32)
        if let b = expecting?.bundle, bundleDigest != b.digest {
            throw .statementForAnotherBundle(statement: bundleDigest.hexString, bundle: b.digestHex)
        }
        account = try r.string("account", maxLength: FormatLimits.maximumIdentifierBytes)
        epoch = try r.epoch("epoch")
        if let b = expecting?.bundle, !sameBytes(epoch, b.epoch) {
            throw .statementMismatch("the statement is for epoch \(epoch), the bundle's epoch is \(b.epoch)")
        }
        let curveName = try r.string("curve", maxLength: 32)
        guard let c = Curve(name: curveName), c.rawValue == curveName else {
            throw .field("statement.payload.curve", "unknown curve \(jsonQuoted(curveName))")
        }
        if let b = expecting?.bundle, c != b.curve {
            throw .statementMismatch("the statement commits on \(c), the bundle uses \(b.curve)")
        }
        curve = c
        issuedAt = try r.time("issued_at")
        inputs = try CommittedInput.decode(try r.array("inputs"), path: "statement.payload.inputs", curve: c, expected: expecting?.inputIDs,
                                           mismatch: { .statementMismatch("the statement's inputs: \($0)") })
        try r.finish()
    }

    static func sign(bundle: RiskBundle, account: String, inputs: [CommittedInput], issuedAt: Date, key: SigningKey) throws(SolvencyError) -> AttestedStatement {
        let payload = JSONObject([
            ("format", .string(FileKind.statement.formatName)),
            ("custodian", .string(key.verifyingKey.id)),
            ("bundle", .string(bundle.digestHex)),
            ("account", .string(account)),
            ("epoch", .string(bundle.epoch)),
            ("curve", .string(bundle.curve.rawValue)),
            ("issued_at", .string(RFC3339.format(issuedAt))),
            ("inputs", .array(inputs.map(\.json))),
        ])
        return try AttestedStatement(envelope: SignedEnvelope(kind: .statement, payload: JSONValue.object(payload).compactEncoded(), key: key))
    }

    /// Checks the statement belongs to `bundle`, whose circuit compiles to
    /// `compiled`: same bundle digest, epoch and curve, and exactly the
    /// compiled inputs in their order.
    func check(against bundle: RiskBundle, compiled: CompiledStatement) throws(SolvencyError) {
        guard bundleDigest == bundle.digest else {
            throw .statementForAnotherBundle(statement: bundleDigest.hexString, bundle: bundle.digestHex)
        }
        guard curve == bundle.curve else {
            throw .statementMismatch("the statement commits on \(curve), the bundle uses \(bundle.curve)")
        }
        guard sameBytes(epoch, bundle.epoch) else {
            throw .statementMismatch("the statement is for epoch \(epoch), the bundle's epoch is \(bundle.epoch)")
        }
        let expected = compiled.inputs.map(\.id)
        let found = inputs.map(\.id)
        guard sameBytes(expected, found) else {
            throw .statementMismatch("the statement's inputs " + describeDifference(expected: expected, found: found))
        }
    }
}

/// Describes how two id lists differ, for messages.
func describeDifference(expected: [String], found: [String]) -> String {
    if expected.count != found.count {
        return "number \(found.count), the circuit has \(expected.count) (\(expected.prefix(4).joined(separator: ", "))\(expected.count > 4 ? ", …" : ""))"
    }
    let i = zip(expected, found).enumerated().first { !sameBytes($0.element.0, $0.element.1) }!.offset
    return "differ from the circuit's at position \(i): \(jsonQuoted(found[i])) where the circuit has \(jsonQuoted(expected[i]))"
}

/// The secret openings of a custodian statement: each input's integer
/// value and blinding factor (`zkmargin/openings@1`, mode 0600). The
/// custodian hands this file to the account holder only.
///
/// ```json
/// {
///   "format": "zkmargin/openings@1",
///   "warning": "SECRET: …",
///   "bundle": "<bundle digest, hex>",
///   "statement": "<statement digest, hex>",
///   "account": "fund-7/subacct-2",
///   "curve": "p256",
///   "openings": [ { "id": "balance[BTC]", "value": "125000000", "blinding": "<64 hex digits>" }, … ]
/// }
/// ```
///
/// `value` is the input's integer in the circuit's units (`balance[BTC]`
/// at scale 1e-8: 1.25 BTC is 125000000).
///
/// Secret throughout: `description`, `debugDescription` and the reflection
/// `dump` and debuggers use show the account and the number of inputs, never
/// a value or a blinding factor; so do an entry's.
public struct Openings: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public struct Entry: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public let id: String
        public let value: BigInt
        public let opening: Opening

        public var description: String { "Openings.Entry(\(id), <redacted>)" }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["id": id], displayStyle: .struct) }
    }

    static let warning = "SECRET: these blinding factors open the custodian's commitments to this account. Keep this file private (mode 0600); it is needed only to prove."

    public let bundleDigest: [UInt8]
    public let statementDigest: [UInt8]
    public let account: String
    public let curve: Curve
    public let entries: [Entry]

    public var description: String { "Openings(\(account), \(entries.count) inputs, <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["account": account, "curve": curve, "inputs": entries.count], displayStyle: .struct)
    }

    init(bundleDigest: [UInt8], statementDigest: [UInt8], account: String, curve: Curve, entries: [Entry]) {
        self.bundleDigest = bundleDigest
        self.statementDigest = statementDigest
        self.account = account
        self.curve = curve
        self.entries = entries
    }

    /// The file's bytes. Secret: write with mode 0600 (`FileIO.secretMode`)
    /// and wipe the result (`secureZero`) once written. The JSON is built
    /// from Swift strings, which cannot be wiped (SECURITY.md, "Secrets in
    /// memory"); the raw blinding bytes are.
    public func encoded() -> [UInt8] {
        let payload = JSONObject([
            ("format", .string(FileKind.openings.formatName)),
            ("warning", .string(Self.warning)),
            ("bundle", .string(bundleDigest.hexString)),
            ("statement", .string(statementDigest.hexString)),
            ("account", .string(account)),
            ("curve", .string(curve.rawValue)),
            ("openings", .array(entries.map { e in
                var raw = e.opening.blinding.bytes
                defer { secureZero(&raw) }
                return .object(JSONObject([("id", .string(e.id)), ("value", .string(e.value.description)), ("blinding", .string(raw.hexString))]))
            })),
        ])
        return JSONValue.object(payload).encoded()
    }

    /// Strict decoding. Errors name fields, never a value or a blinding.
    public init(encoded bytes: [UInt8]) throws(SolvencyError) {
        let object = try parseJSONObject(bytes, what: FileKind.openings.noun)
        try FileKind.check(object["format"], expected: .openings, path: "openings")
        var r = FieldReader(object, path: "openings")
        _ = r.optional("format")
        _ = try r.optionalString("warning")
        bundleDigest = try r.hex("bundle", count: 32)
        statementDigest = try r.hex("statement", count: 32)
        account = try r.string("account", maxLength: FormatLimits.maximumIdentifierBytes)
        let curveName = try r.string("curve", maxLength: 32)
        guard let c = Curve(name: curveName), c.rawValue == curveName else {
            throw .field("openings.curve", "unknown curve \(jsonQuoted(curveName))")
        }
        curve = c
        var entries: [Entry] = []
        for (k, item) in try r.array("openings").enumerated() {
            let path = "openings.openings[\(k)]"
            var e = try FieldReader(item, path: path)
            let id = try e.string("id", maxLength: FormatLimits.maximumIdentifierBytes)
            let valueText = try e.string("value", maxLength: 100)
            guard let value = BigInt(valueText) else { throw .field("\(path).value", "expected an integer as a decimal string") }
            var raw = try e.hex("blinding", count: 32)
            defer { secureZero(&raw) }
            let blinding: Scalar
            do { blinding = try Scalar(canonical: raw, curve: c) } catch { throw .field("\(path).blinding", "not a scalar below the group order") }
            guard !blinding.isZero else { throw .field("\(path).blinding", "a blinding factor cannot be zero") }
            try e.finish()
            entries.append(Entry(id: id, value: value, opening: Opening(value: Scalar(value, curve: c), blinding: blinding)))
        }
        try r.finish()
        self.entries = entries
    }

    public static func load(path: String) throws(SolvencyError) -> Openings {
        var bytes = try FileIO.read(path)
        defer { secureZero(&bytes) }
        do { return try Openings(encoded: bytes) } catch { throw error.inFile(path) }
    }

    /// Checks these openings open `statement` (same bundle, statement,
    /// account, curve, ids, and every commitment).
    func check(against statement: AttestedStatement, generators: Generators) throws(SolvencyError) {
        guard bundleDigest == statement.bundleDigest else {
            throw .openingsMismatch("they were made for bundle \(short(bundleDigest.hexString))…, the statement for \(short(statement.bundleDigest.hexString))…")
        }
        guard sameBytes(account, statement.account) else {
            throw .openingsMismatch("they are for account \(jsonQuoted(account)), the statement for \(jsonQuoted(statement.account))")
        }
        guard statementDigest == statement.digest else {
            throw .openingsMismatch("they belong to another statement (\(short(statementDigest.hexString))…, this statement is \(short(statement.digest.hexString))…)")
        }
        guard curve == statement.curve else { throw .openingsMismatch("they are on \(curve), the statement on \(statement.curve)") }
        guard sameBytes(entries.map(\.id), statement.inputs.map(\.id)) else {
            throw .openingsMismatch("their inputs " + describeDifference(expected: statement.inputs.map(\.id), found: entries.map(\.id)))
        }
        for (e, input) in zip(entries, statement.inputs) where Commitment(e.opening, generators: generators) != input.commitment {
            throw .openingsMismatch("the opening of \(e.id) does not open the statement's commitment to it")
        }
    }
}

/// The custodian's role: commit to every input of an account and sign.
public enum Custodian {
    /// Commits to every input of the bundle's compiled circuit for `account`
    /// (zeros included, so the statement does not reveal which assets and
    /// instruments are held), signs the commitments, and returns the signed
    /// statement and its secret openings.
    ///
    /// Checks the bundle's validity window at `date` and, if given, that it
    /// is signed by `publisherKey`. Values outside the circuit's declared
    /// bounds are refused (the verifier relies on the custodian for them).
    public static func attest(
        bundle: RiskBundle, account: Account, key: SigningKey,
        publisherKey: VerifyingKey? = nil, at date: Date = Date()
    ) throws(SolvencyError) -> (statement: AttestedStatement, openings: Openings) {
        let (compiled, values) = try bundle.inputValues(for: account, publisherKey: publisherKey, at: date)
        let generators = Generators.standard(bundle.curve)
        var entries: [Openings.Entry] = []
        var inputs: [CommittedInput] = []
        for (input, value) in zip(compiled.inputs, values) {
            let opening = Opening.random(value: Scalar(value, curve: bundle.curve))
            entries.append(Openings.Entry(id: input.id, value: value, opening: opening))
            inputs.append(CommittedInput(id: input.id, commitment: Commitment(opening, generators: generators)))
        }
        let statement = try AttestedStatement.sign(bundle: bundle, account: account.label, inputs: inputs, issuedAt: date, key: key)
        let openings = Openings(bundleDigest: bundle.digest, statementDigest: statement.digest, account: account.label, curve: bundle.curve, entries: entries)
        return (statement, openings)
    }
}
