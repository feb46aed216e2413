public import Foundation
public import MarginCircuits
import StrictJSON
public import ZKGroup
public import ZKProofs

/// A committed input: its id in the compiled circuit and its commitment.
///
/// Files carry no ids (version 2): commitments are stored in the compiled
/// circuit's order, which the bundle's digest fixes, and get their ids from
/// the compiled circuit when they are read against a bundle. Read without
/// one, an entry is named by its position (`inputs[3]`, `helpers[0]`).
public struct CommittedInput: Sendable, Equatable {
    public let id: String
    public let commitment: Commitment

    public init(id: String, commitment: Commitment) {
        self.id = id
        self.commitment = commitment
    }

    /// `ids` paired with `commitments`, or positional names `<prefix>[k]`
    /// where the ids are not known.
    static func pairing(_ commitments: [Commitment], ids: [String]?, prefix: String) -> [CommittedInput] {
        commitments.enumerated().map { k, c in CommittedInput(id: ids?[k] ?? "\(prefix)[\(k)]", commitment: c) }
    }
}

/// A list of commitments as stored in statements and proofs (version 2):
/// the base64 (canonical, padded) of their 33-byte SEC1 compressed
/// encodings, concatenated, in the compiled circuit's order. 33 bytes are
/// exactly 44 base64 characters, so N commitments are 44·N characters with
/// no padding, and a count is checked from the text's length alone.
///
/// Reading is in three steps, cheapest first, so that a caller can put its
/// own checks between them: `count` (the text's length), `bytes` (base64),
/// `points` (each 33-byte slot decoded strictly, `Point.init(compressed:)`).
enum CommitmentBlob {
    static let pointBytes = 33
    static let charactersPerPoint = 44

    /// The stored form of `commitments`: their encodings concatenated.
    static func encode(_ commitments: [Commitment]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(commitments.count * pointBytes)
        for c in commitments {
            // Commitments made or decoded here are never the identity, so
            // always encode; a 33-byte zero slot would be refused on reading.
            out += (try? c.encoded()) ?? [UInt8](repeating: 0, count: pointBytes)
        }
        return out
    }

    /// The text of a blob field (an empty string is an empty list).
    static func text(_ r: inout FieldReader, _ key: String) throws(SolvencyError) -> String {
        let value = try r.required(key)
        guard case .string(let text) = value else {
            throw .field(r.fieldPath(key), "expected a string (base64 of 33-byte commitments, concatenated), found \(value.kindDescription)")
        }
        return text
    }

    /// The number of commitments `text` holds, from its length alone
    /// (and its trailing padding characters: base64 of 33·N bytes has
    /// none), before a character of it is decoded. With `expected`, a text
    /// of another whole number of commitments is refused with
    /// `mismatch(found)`; a length that cannot be base64 or is not a whole
    /// number of commitments is a malformed field either way.
    static func count(_ text: String, path: String, expected: Int?,
                      mismatch: (Int) -> SolvencyError) throws(SolvencyError) -> Int {
        let utf8 = text.utf8
        let length = utf8.count
        guard length % 4 == 0 else { throw .field(path, "not canonical base64 (\(length) characters, not a multiple of 4)") }
        let padding = utf8.reversed().prefix(2).prefix { $0 == UInt8(ascii: "=") }.count
        let byteCount = length / 4 * 3 - padding
        guard byteCount % pointBytes == 0 else {
            let wanted = expected.map { ", expected \($0) (\($0 * pointBytes) bytes)" } ?? ""
            throw .field(path, "holds \(byteCount) bytes, not a whole number of 33-byte commitments\(wanted)")
        }
        let found = byteCount / pointBytes
        if let expected, found != expected { throw mismatch(found) }
        return found
    }

    /// The bytes of a text whose length `count` has checked (`count`
    /// commitments).
    static func bytes(_ text: String, path: String, count: Int) throws(SolvencyError) -> [UInt8] {
        if text.isEmpty, count == 0 { return [] }
        guard let bytes = Base64.decode(text) else { throw .field(path, "not canonical base64") }
        guard bytes.count == count * pointBytes else {
            throw .field(path, "holds \(bytes.count) bytes, not \(count) commitments of 33 bytes")
        }
        return bytes
    }

    /// Every 33-byte slot decoded strictly; a bad one is named by its
    /// index (and its id, if `ids` are known).
    static func points(_ bytes: [UInt8], path: String, curve: Curve, ids: [String]? = nil) throws(SolvencyError) -> [Commitment] {
        guard bytes.count % pointBytes == 0 else { throw .field(path, "holds \(bytes.count) bytes, not a whole number of 33-byte commitments") }
        var out: [Commitment] = []
        out.reserveCapacity(bytes.count / pointBytes)
        var k = 0
        while k * pointBytes < bytes.count {
            let slot = Array(bytes[(k * pointBytes)..<((k + 1) * pointBytes)])
            do {
                out.append(try Commitment(encoded: slot, curve: curve))
            } catch {
                let name = ids.map { " (\(jsonQuoted($0[k])))" } ?? ""
                throw .field(path, "commitment \(k)\(name), bytes \(k * pointBytes)–\((k + 1) * pointBytes - 1), is not a valid \(curve) point: \(error)")
            }
            k += 1
        }
        return out
    }

    /// `count`, `bytes` and `points` in one: for lists no digest binds
    /// (helpers, self-attested inputs).
    static func decode(_ text: String, path: String, curve: Curve, expected ids: [String]?,
                       mismatch: (Int) -> SolvencyError) throws(SolvencyError) -> [Commitment] {
        let n = try count(text, path: path, expected: ids?.count, mismatch: mismatch)
        return try points(bytes(text, path: path, count: n), path: path, curve: curve, ids: ids)
    }
}

/// A list's number of commitments against the circuit's, for messages.
func describeCount(_ what: String, found: Int, expected ids: [String]) -> String {
    "\(what) has \(found) commitment\(found == 1 ? "" : "s"), the circuit has \(ids.count) (\(ids.prefix(4).joined(separator: ", "))\(ids.count > 4 ? ", …" : ""))"
}

/// The custodian's signed commitments to every input of an account
/// (`zkmargin/statement@2`).
///
/// A signed envelope (`SignedEnvelope`) with one more field, the
/// commitments, outside the signed payload and bound by it through their
/// digest:
///
/// ```json
/// {
///   "format": "zkmargin/statement@2",
///   "payload": "<base64 of the payload JSON bytes>",
///   "signer": "<key id>",
///   "signer_key": "<base64 DER SubjectPublicKeyInfo>",
///   "signature": "<base64 DER ECDSA signature over the payload bytes>",
///   "commitments": "<base64 of the N commitments' 33-byte SEC1 encodings, concatenated>"
/// }
/// ```
///
/// Payload (compact JSON; its SHA-256 is the statement's digest), shown
/// indented:
///
/// ```json
/// {
///   "format": "zkmargin/statement@2",
///   "custodian": "<key id>",
///   "bundle": "<bundle digest, hex>",
///   "account": "fund-7/subacct-2",
///   "epoch": "2025-11-25T12:00:00Z",
///   "curve": "p256",
///   "issued_at": "2025-11-25T12:05:00Z",
///   "inputs": 6,
///   "commitments": "<SHA-256 of the concatenated commitments, lower-case hex>"
/// }
/// ```
///
/// The commitments are in the compiled circuit's input order. No input ids
/// are stored: the bundle digest fixes the circuit, hence its inputs and
/// their order, and `inputs` must equal its number of inputs.
///
/// Reading checks, in order: the payload's fields (custodian, bundle,
/// account, epoch, curve, issue time, `inputs`, digest), each against the
/// bundle when one is expected; the commitments' length, 44·N characters
/// of base64 (33·N bytes), from the text's length before anything is
/// decoded; their SHA-256 against the signed digest; then each point.
public struct AttestedStatement: Sendable, Equatable {
    public let envelope: SignedEnvelope
    public let custodianKeyID: String
    public let bundleDigest: [UInt8]
    public let account: String
    public let epoch: String
    public let curve: Curve
    public let issuedAt: Date
    /// SHA-256 of the concatenated commitments, as signed.
    public let commitmentsDigest: [UInt8]
    /// One commitment per input of the compiled circuit, in its order.
    public let commitments: [Commitment]
    /// The inputs' ids, from the bundle's compiled circuit, when the
    /// statement was read against a bundle or made by `Custodian.attest`;
    /// nil when it was read on its own (the file has no ids).
    public let inputIDs: [String]?

    /// Every input of the compiled circuit, in its order: the commitments
    /// with their ids (`inputIDs`; by position, `inputs[k]`, if unknown).
    public var inputs: [CommittedInput] { CommittedInput.pairing(commitments, ids: inputIDs, prefix: "inputs") }

    /// SHA-256 of the signed payload (the same signed, sealed or unsealed).
    public var digest: [UInt8] { envelope.digest }
    public var custodian: VerifyingKey { envelope.signer }

    /// What authenticates the statement: its own signature, its seal under
    /// the custodian's epoch root, or nothing yet (unsealed: read only when
    /// asked for, `allowingUnsealed`).
    public var authentication: SignedEnvelope.Authentication { envelope.authentication }
    public var isSealed: Bool { if case .seal = authentication { return true } else { return false } }
    /// Written without the custodian's key and not sealed yet: no verifier
    /// or prover accepts it until `zkmargin seal` has run.
    public var isUnsealed: Bool { authentication == .unsealed }

    /// Two statements are the same when their files are (the ids are not
    /// in the file).
    public static func == (a: AttestedStatement, b: AttestedStatement) -> Bool { a.envelope == b.envelope }

    /// Strict decoding; checks the signature (or the seal) against the
    /// embedded signer key. The inputs get positional names: the file has
    /// no ids. An unsealed statement is refused (`statementUnsealed`)
    /// unless `allowingUnsealed` (the seal run, and tools that must tell
    /// one apart to say "run zkmargin seal").
    public init(encoded bytes: [UInt8], allowingUnsealed: Bool = false) throws(SolvencyError) {
        try self.init(envelope: SignedEnvelope(decoding: bytes, kind: .statement, allowingUnsealed: allowingUnsealed))
    }

    /// What a statement must say to belong to a bundle, known before its
    /// payload is read: decoding checks each field as it comes, and the
    /// input count before any commitment is decoded. `account`, if given,
    /// is the account the statement must name (a proof's), compared as
    /// bytes before the commitments are read.
    struct Expectation: Sendable {
        let bundle: RiskBundle
        let inputIDs: [String]
        var account: String? = nil
    }

    public static func load(path: String, allowingUnsealed: Bool = false) throws(SolvencyError) -> AttestedStatement {
        let bytes = try FileIO.read(path)
        do { return try AttestedStatement(encoded: bytes, allowingUnsealed: allowingUnsealed) } catch { throw error.inFile(path) }
    }

    /// The same statement authenticated otherwise (sealed or resealed):
    /// its payload, digest and commitments are unchanged.
    func authenticated(by authentication: SignedEnvelope.Authentication) -> AttestedStatement {
        AttestedStatement(copying: self, envelope: envelope.authenticated(by: authentication), inputIDs: inputIDs)
    }

    public func encoded() -> [UInt8] { envelope.encoded() }

    package init(envelope: SignedEnvelope) throws(SolvencyError) {
        try self.init(envelope: envelope, expecting: nil)
    }

    /// Decodes the signed payload, then the commitments. With `expecting`,
    /// every field is checked against the bundle as it is read (identifiers
    /// as bytes), so that a statement for another bundle, epoch, curve,
    /// account or number of inputs is refused before its commitments are
    /// touched; `check(against:compiled:)` makes the same checks on an
    /// already decoded statement.
    init(envelope: SignedEnvelope, expecting: Expectation?, path envelopePath: String = "statement") throws(SolvencyError) {
        self.envelope = envelope
        var r = FieldReader(try envelope.payloadObject(), path: "statement.payload")
        _ = r.optional("format")
        custodianKeyID = try r.signerKeyID("custodian", signer: envelope.signer, file: "statement")
        bundleDigest = try r.hex("bundle", count: 32)
        // A seal's root names a bundle and an epoch: the statement's own
        // must be the same (the custodian sealed this epoch's statements).
        let seal: StatementSeal? = if case .seal(let s) = envelope.authentication { s } else { nil }
        if let seal, seal.root.bundleDigest != bundleDigest {
            throw .statementMismatch("the statement is for bundle \(short(bundleDigest.hexString))…, but its seal's root was signed for bundle \(short(seal.root.bundleDigest.hexString))…")
        }
        if let b = expecting?.bundle, bundleDigest != b.digest {
            throw .statementForAnotherBundle(statement: bundleDigest.hexString, bundle: b.digestHex)
        }
        account = try r.string("account", maxLength: FormatLimits.maximumIdentifierBytes)
        if let a = expecting?.account, !sameBytes(account, a) {
            throw .statementMismatch("the statement is for account \(jsonQuoted(account)), the proof claims account \(jsonQuoted(a))")
        }
        epoch = try r.epoch("epoch")
        if let seal, !sameBytes(seal.root.epoch, epoch) {
            throw .statementMismatch("the statement is for epoch \(epoch), but its seal's root was signed for epoch \(seal.root.epoch)")
        }
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
        let count = try r.integer("inputs", in: 0...FormatLimits.maximumCommitments)
        if let ids = expecting?.inputIDs, count != ids.count {
            throw .statementMismatch("the statement commits to \(count) input\(count == 1 ? "" : "s"), the circuit has \(ids.count) (\(ids.prefix(4).joined(separator: ", "))\(ids.count > 4 ? ", …" : ""))")
        }
        commitmentsDigest = try r.hex("commitments", count: 32)
        try r.finish()

        // The commitments: their length from the text, their digest, then the points.
        let path = "\(envelopePath).commitments"
        guard let text = envelope.commitmentsBase64 else { throw .field(path, "missing") }
        _ = try CommitmentBlob.count(text, path: path, expected: count) { found in
            .field(path, "holds \(found) commitment\(found == 1 ? "" : "s") (\(found * CommitmentBlob.pointBytes) bytes), the signed payload says \(count) (\(count * CommitmentBlob.pointBytes) bytes)")
        }
        let bytes = try CommitmentBlob.bytes(text, path: path, count: count)
        let found = SHA256.hash(bytes)
        guard found == commitmentsDigest else {
            throw .statementMismatch("the statement's commitments are not the ones its custodian signed: their SHA-256 is \(short(found.hexString))…, the signed payload says \(short(commitmentsDigest.hexString))…")
        }
        inputIDs = expecting?.inputIDs
        commitments = try CommitmentBlob.points(bytes, path: path, curve: c, ids: inputIDs)
    }

    /// Signs commitments to the compiled circuit's inputs, in its order
    /// (`inputs` are its ids with their commitments).
    static func sign(bundle: RiskBundle, account: String, inputs: [CommittedInput], issuedAt: Date, key: SigningKey) throws(SolvencyError) -> AttestedStatement {
        try make(bundle: bundle, account: account, inputs: inputs, issuedAt: issuedAt, signer: .key(key))
    }

    /// Who authenticates a statement being made: the custodian's private
    /// key (signed), or only its public key (unsealed, for `zkmargin seal`).
    enum Signer {
        case key(SigningKey)
        case unsealed(VerifyingKey)

        var verifyingKey: VerifyingKey {
            switch self {
            case .key(let k): return k.verifyingKey
            case .unsealed(let k): return k
            }
        }
    }

    /// The statement of commitments to the compiled circuit's inputs,
    /// signed or unsealed.
    static func make(bundle: RiskBundle, account: String, inputs: [CommittedInput], issuedAt: Date, signer: Signer) throws(SolvencyError) -> AttestedStatement {
        let blob = CommitmentBlob.encode(inputs.map(\.commitment))
        let payload = JSONObject([
            ("format", .string(FileKind.statement.formatName)),
            ("custodian", .string(signer.verifyingKey.id)),
            ("bundle", .string(bundle.digestHex)),
            ("account", .string(account)),
            ("epoch", .string(bundle.epoch)),
            ("curve", .string(bundle.curve.rawValue)),
            ("issued_at", .string(RFC3339.format(issuedAt))),
            ("inputs", .number(String(inputs.count))),
            ("commitments", .string(SHA256.hash(blob).hexString)),
        ])
        let bytes = JSONValue.object(payload).compactEncoded()
        let envelope: SignedEnvelope
        switch signer {
        case .key(let key): envelope = SignedEnvelope(kind: .statement, payload: bytes, key: key, commitments: blob)
        case .unsealed(let key):
            envelope = SignedEnvelope(kind: .statement, payload: bytes, signer: key, authentication: .unsealed, commitmentsBase64: Base64.encode(blob))
        }
        return try AttestedStatement(envelope: envelope, expecting: Expectation(bundle: bundle, inputIDs: inputs.map(\.id)))
    }

    /// Checks the statement belongs to `bundle`, whose circuit compiles to
    /// `compiled`: same bundle digest, epoch and curve, and one commitment
    /// per compiled input (and, if the statement knows its ids, the same).
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
        guard commitments.count == expected.count else {
            throw .statementMismatch("the statement commits to \(commitments.count) input\(commitments.count == 1 ? "" : "s"), the circuit has \(expected.count) (\(expected.prefix(4).joined(separator: ", "))\(expected.count > 4 ? ", …" : ""))")
        }
        if let found = inputIDs, !sameBytes(expected, found) {
            throw .statementMismatch("the statement's inputs " + describeDifference(expected: expected, found: found))
        }
    }

    /// The statement with its inputs named by `compiled`'s ids (after
    /// `check(against:compiled:)`).
    func named(by compiled: CompiledStatement) -> AttestedStatement {
        AttestedStatement(copying: self, envelope: envelope, inputIDs: compiled.inputs.map(\.id))
    }

    private init(copying s: AttestedStatement, envelope: SignedEnvelope, inputIDs: [String]?) {
        self.envelope = envelope
        custodianKeyID = s.custodianKeyID
        bundleDigest = s.bundleDigest
        account = s.account
        epoch = s.epoch
        curve = s.curve
        issuedAt = s.issuedAt
        commitmentsDigest = s.commitmentsDigest
        commitments = s.commitments
        self.inputIDs = inputIDs
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
/// value and blinding factor (`zkmargin/openings@2`, mode 0600). The
/// custodian hands this file to the account holder only. As in version 1
/// (which is refused: it belongs to a statement@1), but bound to a
/// `zkmargin/statement@2` by its digest.
///
/// ```json
/// {
///   "format": "zkmargin/openings@2",
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
    /// The per-account seed the blindings derive from (`OpeningSeed`),
    /// when the openings are seeded (`zkmargin/openings@3`); nil for
    /// openings@2, which list every blinding. Secret.
    let seed: [UInt8]?

    /// `zkmargin/openings@3`: a seed and the values, no ids and no blinding
    /// per input (about 4 bytes per zero input instead of about 130).
    public static let seededFormatName = "zkmargin/openings@3"

    public var description: String { "Openings(\(account), \(entries.count) inputs, <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["account": account, "curve": curve, "inputs": entries.count], displayStyle: .struct)
    }

    init(bundleDigest: [UInt8], statementDigest: [UInt8], account: String, curve: Curve, entries: [Entry], seed: [UInt8]? = nil) {
        self.bundleDigest = bundleDigest
        self.statementDigest = statementDigest
        self.account = account
        self.curve = curve
        self.entries = entries
        self.seed = seed
    }

    /// Whether the file names each input (openings@2). Seeded openings
    /// (openings@3) hold the values in the compiled circuit's order only;
    /// their entries are named by position (`inputs[k]`), and the check
    /// against a statement then rests on the count and on every commitment
    /// opening, which fix the order anyway.
    var namesInputs: Bool { seed == nil }

    /// The file's bytes. Secret: write with mode 0600 (`FileIO.secretMode`)
    /// and wipe the result (`secureZero`) once written. The JSON is built
    /// from Swift strings, which cannot be wiped (SECURITY.md, "Secrets in
    /// memory"); the raw blinding bytes are.
    public func encoded() -> [UInt8] {
        if let seed { return encodedSeeded(seed) }
        let payload = JSONObject([
            ("format", .string(FileKind.openings.formatName)),
            ("warning", .string(Self.warning)),
            ("bundle", .string(bundleDigest.hexString)),
            ("statement", .string(statementDigest.hexString)),
            ("account", .string(account)),
            ("curve", .string(curve.rawValue)),
            ("openings", .array(entries.map { e in
                var raw = e.opening.blinding.bytes
                var hex = raw.hexDigits
                defer { secureZero(&raw); secureZero(&hex) }
                // Declassified ("openings file text"): from here the digits
                // are a Swift String in the JSON writer, whose UTF-8 checks
                // and escaping branch on every character (the same way for
                // every hex digit: all ASCII, none escaped).
                ConstantTimeCheck.declassify(&hex)
                return .object(JSONObject([("id", .string(e.id)), ("value", .string(e.value.description)),
                                           ("blinding", .string(String(decoding: hex, as: UTF8.self)))]))
            })),
        ])
        return JSONValue.object(payload).encoded()
    }

    /// Strict decoding. Errors name fields, never a value or a blinding.
    public init(encoded bytes: [UInt8]) throws(SolvencyError) {
        let object = try parseJSONObject(bytes, what: FileKind.openings.noun)
        if case .string(let f)? = object["format"], sameBytes(f, Self.seededFormatName) {
            self = try Self(seeded: object)
            return
        }
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
            var blinding: Scalar
            do { blinding = try Scalar(canonical: raw, curve: c) } catch { throw .field("\(path).blinding", "not a scalar below the group order") }
            guard !blinding.isZero else { throw .field("\(path).blinding", "a blinding factor cannot be zero") }
            try e.finish()
            // Secret from here on for the constant-time check: parsing the
            // file (JSON, hex, the range and zero checks) is not in its region.
            ConstantTimeCheck.markSecretWhenChecking(&blinding)
            entries.append(Entry(id: id, value: value, opening: Opening(value: secretScalar(value, curve: c), blinding: blinding)))
        }
        try r.finish()
        self.entries = entries
        self.seed = nil
    }

    public static func load(path: String) throws(SolvencyError) -> Openings {
        var bytes = try FileIO.read(path)
        defer { secureZero(&bytes) }
        do { return try Openings(encoded: bytes) } catch { throw error.inFile(path) }
    }

    /// Checks these openings open `statement` (same bundle, statement,
    /// account, curve, ids, and every commitment). The ids are compared
    /// with `inputIDs` (the compiled circuit's), or with the statement's own
    /// if it knows them: the statement file has none.
    func check(against statement: AttestedStatement, inputIDs: [String]? = nil, generators: Generators) throws(SolvencyError) {
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
        if namesInputs, let ids = inputIDs ?? statement.inputIDs {
            guard sameBytes(entries.map(\.id), ids) else {
                throw .openingsMismatch("their inputs " + describeDifference(expected: ids, found: entries.map(\.id)))
            }
        }
        guard entries.count == statement.commitments.count else {
            throw .openingsMismatch("they open \(entries.count) inputs, the statement commits to \(statement.commitments.count)")
        }
        for (e, commitment) in zip(entries, statement.commitments) where Commitment(e.opening, generators: generators) != commitment {
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
    ///
    /// `seeded`: derive the blindings from a fresh per-account seed
    /// (`OpeningSeed`; the openings are then written as openings@3, a seed
    /// and the values) instead of drawing each one.
    public static func attest(
        bundle: RiskBundle, account: Account, key: SigningKey,
        publisherKey: VerifyingKey? = nil, at date: Date = Date(), seeded: Bool = false
    ) throws(SolvencyError) -> (statement: AttestedStatement, openings: Openings) {
        try attest(bundle: bundle, account: account, signer: .key(key), publisherKey: publisherKey, at: date, seeded: seeded)
    }

    /// `attest` on a worker that holds only the custodian's public key:
    /// the statement is **unsealed** (signer and signer_key, no signature),
    /// refused by every prover and verifier until the custodian's seal run
    /// (`zkmargin seal`, `StatementSeal.seal`) gives it its seal. Its
    /// digest, which the openings name, does not change when it is sealed.
    public static func attestUnsealed(
        bundle: RiskBundle, account: Account, custodian: VerifyingKey,
        publisherKey: VerifyingKey? = nil, at date: Date = Date(), seeded: Bool = false
    ) throws(SolvencyError) -> (statement: AttestedStatement, openings: Openings) {
        try attest(bundle: bundle, account: account, signer: .unsealed(custodian), publisherKey: publisherKey, at: date, seeded: seeded)
    }

    static func attest(
        bundle: RiskBundle, account: Account, signer: AttestedStatement.Signer,
        publisherKey: VerifyingKey?, at date: Date, seeded: Bool
    ) throws(SolvencyError) -> (statement: AttestedStatement, openings: Openings) {
        let (compiled, values) = try bundle.inputValues(for: account, publisherKey: publisherKey, at: date)
        let seed = seeded ? OpeningSeed.fresh() : nil
        let generators = Generators.standard(bundle.curve)
        // The value is secret from here on for the constant-time check;
        // before, it was parsed, scaled and bounds-checked on GMP
        // (`secretScalar`; "account values on GMP", SECURITY.md).
        let openingList = seed.map { OpeningSeed.openings(values: values, seed: $0, curve: bundle.curve, bundleDigest: bundle.digest, account: account.label) }
            ?? values.map { Opening.random(value: secretScalar($0, curve: bundle.curve)) }
        var entries: [Openings.Entry] = []
        var inputs: [CommittedInput] = []
        for ((input, value), opening) in zip(zip(compiled.inputs, values), openingList) {
            entries.append(Openings.Entry(id: input.id, value: value, opening: opening))
            inputs.append(CommittedInput(id: input.id, commitment: Commitment(opening, generators: generators)))
        }
        let statement = try AttestedStatement.make(bundle: bundle, account: account.label, inputs: inputs, issuedAt: date, signer: signer)
        let openings = Openings(bundleDigest: bundle.digest, statementDigest: statement.digest, account: account.label, curve: bundle.curve,
                                entries: entries, seed: seed)
        return (statement, openings)
    }
}
