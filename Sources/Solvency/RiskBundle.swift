import Synchronization
public import Foundation
public import MarginCircuits
import StrictJSON
public import ZKGroup

/// A publisher's signed risk bundle: the circuit's full source, the risk
/// values, the curve, the epoch and the validity window, signed with the
/// publisher's key (`zkmargin/bundle@1`).
///
/// Payload (compact JSON: the bytes the signature covers; its SHA-256 is the
/// bundle's digest), shown here indented:
///
/// ```json
/// {
///   "format": "zkmargin/bundle@1",
///   "publisher": "3f1c…",                 key id of the signing key
///   "issued_at": "2025-11-25T12:00:00Z",  the window opens here…
///   "valid_until": "2025-11-26T12:00:00Z",…and closes here
///   "epoch": "2025-11-25T12:00:00Z",      canonical `Epoch` text, bound into proofs
///   "curve": "p256",
///   "circuit": { "name": "cross-margin", "source": "set assets\n…" },
///   "values": { "format": "zkmargin/values@1", "venue": …, … }
/// }
/// ```
public struct RiskBundle: Sendable {
    public let envelope: SignedEnvelope
    /// The key id the payload names as publisher (equal to the signer's).
    public let publisherKeyID: String
    public let issuedAt: Date
    public let validUntil: Date
    public let epoch: String
    public let curve: Curve
    public let circuitName: String
    public let circuitSource: String
    /// The risk values, decoded.
    public let values: RiskValues
    /// The risk values exactly as embedded (canonical JSON).
    public let valuesJSON: [UInt8]

    /// SHA-256 of the signed payload bytes.
    public var digest: [UInt8] { envelope.digest }
    public var digestHex: String { digest.hexString }
    /// SHA-256 of the circuit's source text (UTF-8).
    public var circuitDigest: [UInt8] { SHA256.hash(Array(circuitSource.utf8)) }
    /// The publisher's public key as embedded in the file (not yet trusted:
    /// see `checkPublisher`).
    public var signer: VerifyingKey { envelope.signer }

    // MARK: Publishing

    /// Signs a bundle. The circuit must compile against the values (and the
    /// compiled statement must be provable), or nothing is signed.
    ///
    /// - Parameters:
    ///   - values: the risk values JSON (`zkmargin/values@1`).
    ///   - circuitName: the circuit's name (`cross-margin`); must be the
    ///     base name of the circuit the values name.
    ///   - epoch: an integer, a date or an RFC 3339 time (`Epoch`), written in its canonical text; defaults to `issuedAt`.
    public static func publish(
        values: [UInt8], circuitName: String, circuitSource: String, curve: Curve = .p256,
        epoch: String? = nil, issuedAt: Date = Date(), validUntil: Date, key: SigningKey
    ) throws(SolvencyError) -> RiskBundle {
        let valuesObject = try parseJSONObject(values, what: "risk values")
        let decoded: RiskValues
        do { decoded = try RiskValues.decode(json: valuesObject) } catch { throw .circuit(error) }
        try checkCircuitName(circuitName, values: decoded)
        let epochText: String
        do { epochText = try Epoch(epoch ?? RFC3339.format(issuedAt)).text } catch { throw .field("epoch", error.reason) }
        let issued = RFC3339.format(issuedAt), until = RFC3339.format(validUntil)
        guard validUntil.timeIntervalSince1970.rounded(.down) > issuedAt.timeIntervalSince1970.rounded(.down) else {
            throw .invalidArgument("the validity window is empty: valid-until (\(until)) must be after issued-at (\(issued))")
        }
        // Refuse to sign what no one could prove against.
        let compiled: CompiledStatement
        do { compiled = try compile(circuitSource: circuitSource, fileName: "\(circuitName).zkm", values: decoded) } catch { throw .circuit(error) }
        let plan = try ProofPlan(statement: compiled, mode: .custodian)

        let payload = JSONObject([
            ("format", .string(FileKind.bundle.formatName)),
            ("publisher", .string(key.verifyingKey.id)),
            ("issued_at", .string(issued)),
            ("valid_until", .string(until)),
            ("epoch", .string(epochText)),
            ("curve", .string(curve.rawValue)),
            ("circuit", .object(JSONObject([("name", .string(circuitName)), ("source", .string(circuitSource))]))),
            ("values", .object(valuesObject)),
        ])
        let envelope = SignedEnvelope(kind: .bundle, payload: JSONValue.object(payload).compactEncoded(), key: key)
        let bundle = try RiskBundle(envelope: envelope)
        try bundle.checkUsable(compiled: compiled, plan: plan)
        return bundle
    }

    /// Refuses a bundle that a later step would refuse: an id longer than
    /// statements and proofs allow, a bundle file or a proof file larger
    /// than any command reads. Nothing is signed that nobody could use.
    func checkUsable(compiled: CompiledStatement, plan: ProofPlan) throws(SolvencyError) {
        let limit = FormatLimits.maximumIdentifierBytes
        for (what, ids) in [("input", compiled.inputs.map(\.id)), ("helper", compiled.helpers.map(\.id)), ("requirement", plan.claims)] {
            if let long = ids.first(where: { $0.utf8.count > limit }) {
                throw .limitExceeded("the circuit compiles to a \(what) id of \(long.utf8.count) bytes (\(jsonQuoted(String(long.prefix(60))))…), longer than the \(limit) bytes statements and proofs allow (FormatLimits.maximumIdentifierBytes); use shorter element ids")
            }
        }
        let bundleBytes = encoded().count
        guard bundleBytes <= FormatLimits.maximumFileBytes else {
            throw .limitExceeded("the bundle would be \(bundleBytes) bytes, more than the \(FormatLimits.maximumFileBytes >> 20) MiB any command reads (FormatLimits.maximumFileBytes)")
        }
        let proofBytes = try MarginProof.largestEncodedSize(bundle: self, compiled: compiled, plan: plan)
        guard proofBytes <= FormatLimits.maximumFileBytes else {
            throw .limitExceeded("a proof against this bundle could be \(proofBytes) bytes, more than the \(FormatLimits.maximumFileBytes >> 20) MiB a verifier reads (FormatLimits.maximumFileBytes); split the book into several bundles")
        }
    }

    // MARK: Reading

    /// Strict decoding; checks the signature against the embedded signer key
    /// (whether that key is the trusted publisher is `checkPublisher`).
    ///
    /// With `publisher`, a bundle signed by any other key is refused before
    /// its payload is decoded (the cheap refusal a verifier wants for a
    /// large file from anyone).
    public init(encoded bytes: [UInt8], publisher: VerifyingKey? = nil) throws(SolvencyError) {
        try self.init(envelope: SignedEnvelope(decoding: bytes, kind: .bundle, trusted: publisher.map { TrustedSigner(key: $0, role: "publisher") }))
    }

    /// Reads and decodes a bundle file. This is what `zkmargin check
    /// --bundle` and every other command use to load a bundle.
    public static func load(path: String, publisher: VerifyingKey? = nil) throws(SolvencyError) -> RiskBundle {
        try load(path: path, publishers: publisher.map { [$0] })
    }

    /// Reads and decodes a bundle file signed by one of `publishers` (any
    /// signer when nil), compared before the payload is decoded.
    public static func load(path: String, publishers: [VerifyingKey]?) throws(SolvencyError) -> RiskBundle {
        let bytes = try FileIO.read(path)
        do {
            return try RiskBundle(envelope: SignedEnvelope(decoding: bytes, kind: .bundle, trusted: publishers.map { TrustedSigner(keys: $0, role: "publisher") }))
        } catch { throw error.inFile(path) }
    }

    package init(envelope: SignedEnvelope) throws(SolvencyError) {
        self.envelope = envelope
        let object = try envelope.payloadObject()
        var r = FieldReader(object, path: "bundle.payload")
        _ = r.optional("format")
        publisherKeyID = try r.signerKeyID("publisher", signer: envelope.signer, file: "bundle")
        issuedAt = try r.time("issued_at")
        validUntil = try r.time("valid_until")
        epoch = try r.epoch("epoch")
        let curveName = try r.string("curve", maxLength: 32)
        guard let c = Curve(name: curveName), c.rawValue == curveName else {
            throw .field("bundle.payload.curve", "unknown curve \(jsonQuoted(curveName)) (expected \"p256\" or \"secp256k1\")")
        }
        curve = c
        var circuit = try r.object("circuit")
        circuitName = try circuit.string("name", maxLength: FormatLimits.maximumCircuitNameBytes)
        circuitSource = try circuit.string("source", maxLength: 4 << 20)
        try circuit.finish()
        let valuesValue = try r.required("values")
        guard case .object(let valuesObject) = valuesValue else { throw .field("bundle.payload.values", "expected an object, found \(valuesValue.kindDescription)") }
        try r.finish()
        valuesJSON = valuesValue.encoded()
        do { values = try RiskValues.decode(json: valuesObject) } catch { throw .circuit(error) }
        try Self.checkCircuitName(circuitName, values: values)
    }

    public func encoded() -> [UInt8] { envelope.encoded() }

    // MARK: Trust

    /// Checks the bundle is signed by `publisherKey`.
    public func checkPublisher(_ publisherKey: VerifyingKey) throws(SolvencyError) {
        try envelope.requireSigner(publisherKey, role: "publisher")
    }

    /// Checks `at` lies within [issued_at, valid_until].
    public func checkValidity(at date: Date) throws(SolvencyError) {
        if date < issuedAt { throw .bundleNotYetValid(issuedAt: RFC3339.format(issuedAt), at: RFC3339.format(date)) }
        if date > validUntil { throw .bundleExpired(validUntil: RFC3339.format(validUntil), at: RFC3339.format(date)) }
    }

    /// What a custodian (or a self-attesting prover) commits to for an
    /// account: the bundle checked (signed by `publisherKey` if given, valid
    /// at `date`), compiled, and the account's identifiers checked and its
    /// input values computed in the circuit's integer units.
    func inputValues(for account: Account, publisherKey: VerifyingKey?, at date: Date) throws(SolvencyError) -> (CompiledStatement, [BigInt]) {
        if let publisherKey { try checkPublisher(publisherKey) }
        try checkValidity(at: date)
        let compiled = try compiled()
        do {
            try account.checkIdentifiers()
            return (compiled, try compiled.inputValues(for: account))
        } catch { throw .circuit(error) }
    }

    /// Compiles the embedded circuit against the embedded values: the
    /// statement every prover and verifier of this bundle uses.
    ///
    /// Compiled once per process and bundle digest (which covers the
    /// circuit and the values, so the result is the same every time): a
    /// batch proves thousands of accounts against one bundle.
    public func compiled() throws(SolvencyError) -> CompiledStatement {
        let key = digest
        if let hit = Self.compiledCache.withLock({ $0.first { $0.digest == key }?.compiled }) { return hit }
        let result: CompiledStatement
        do { result = try compile(circuitSource: circuitSource, fileName: "\(circuitName).zkm", values: values) } catch { throw .circuit(error) }
        Self.compiledCache.withLock { cache in
            cache.removeAll { $0.digest == key }
            cache.append((key, result))
            if cache.count > 4 { cache.removeFirst() }
        }
        return result
    }

    /// The last few bundles' compiled statements, newest last.
    private static let compiledCache = Mutex<[(digest: [UInt8], compiled: CompiledStatement)]>([])

    // MARK: Helpers

    static func checkCircuitName(_ name: String, values: RiskValues) throws(SolvencyError) {
        guard !name.isEmpty, name.utf8.count <= FormatLimits.maximumCircuitNameBytes, name.utf8.allSatisfy({ c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95 || c == 46
        }) else {
            throw .field("bundle.payload.circuit.name", "a circuit name uses letters, digits, '-', '_' and '.' only, at most \(FormatLimits.maximumCircuitNameBytes) of them")
        }
        var named = values.circuit
        if let slash = named.lastIndex(of: "/") { named = String(named[named.index(after: slash)...]) }
        if named.hasSuffix(".zkm") { named.removeLast(4) }
        guard sameBytes(named, name) else {
            throw .field("values.circuit", "names circuit \(jsonQuoted(values.circuit)), but the bundle's circuit is \(jsonQuoted(name))")
        }
    }
}

extension SolvencyError {
    /// Prefixes decoding errors with the file they came from.
    func inFile(_ path: String) -> SolvencyError {
        switch self {
        case .malformed(let what, let m): return .malformed("\(path) (\(what))", m)
        case .field(let p, let m): return .field("\(path): \(p)", m)
        case .statementUnsealed(let m): return .statementUnsealed("\(path): \(m)")
        case .sealInvalid(let m): return .sealInvalid("\(path): \(m)")
        default: return self
        }
    }
}
