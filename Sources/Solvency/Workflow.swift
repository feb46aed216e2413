public import Foundation
public import MarginCircuits
import StrictJSON
public import ZKGroup

/// The file-level operations behind each command. The executables only
/// parse arguments and print; everything here is reusable and tested.
public enum Workflow {
    // MARK: Keys

    /// Where `keygen --out KEY.pem` puts the public key: `KEY.pub.pem`.
    public static func publicKeyPath(forPrivateKeyPath path: String) -> String {
        path.hasSuffix(".pem") ? String(path.dropLast(4)) + ".pub.pem" : path + ".pub.pem"
    }

    /// Writes a fresh P-256 key pair: the private key (mode 0600) at `out`
    /// and its public key next to it (`publicKeyPath(forPrivateKeyPath:)`).
    /// Refuses to overwrite a private key (`alreadyExists`) unless `force`
    /// is set.
    @discardableResult
    public static func keygen(out: String, force: Bool = false) throws(SolvencyError) -> (privateKeyPath: String, publicKeyPath: String, key: VerifyingKey) {
        let pubPath = publicKeyPath(forPrivateKeyPath: out)
        guard out != pubPath else {
            throw .invalidArgument("the private key file \(out) would also be its public key file; name it like publisher.pem")
        }
        if !force, FileIO.exists(out) { throw .alreadyExists(path: out, what: "a private key") }
        let key = SigningKey.generate()
        var pem = key.pemRepresentation()
        defer { secureZero(&pem) }
        // Without `force` the private key is linked into place, never
        // renamed over a file that appeared after the check above.
        try FileIO.write([
            FileIO.Output(path: out, bytes: pem, mode: FileIO.secretMode, replace: force),
            FileIO.Output(path: pubPath, bytes: Array(key.verifyingKey.pemRepresentation.utf8), mode: FileIO.publicMode),
        ])
        return (out, pubPath, key.verifyingKey)
    }

    public static func loadSigningKey(path: String) throws(SolvencyError) -> SigningKey {
        var bytes = try FileIO.read(path)
        defer { secureZero(&bytes) }
        do { return try SigningKey(pemRepresentation: bytes) } catch { throw .invalidKey("\(path): \(error.description)") }
    }

    public static func loadVerifyingKey(path: String) throws(SolvencyError) -> VerifyingKey {
        let bytes = try FileIO.read(path)
        do { return try VerifyingKey(pemRepresentation: String(decoding: bytes, as: UTF8.self)) } catch { throw .invalidKey("\(path): \(error)") }
    }

    // MARK: Circuits

    /// Finds the circuit risk values name: a path (anything containing '/'
    /// or ending in `.zkm`: relative to the working directory, then to the
    /// values file's directory), or a name `N`, looked up as `Circuits/N.zkm`
    /// in the working directory and in every ancestor of the values file's
    /// directory.
    public static func locateCircuit(_ reference: String, valuesPath: String?) throws(SolvencyError) -> (name: String, path: String, source: String) {
        var candidates: [String] = []
        let valuesDir = valuesPath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().standardizedFileURL.path }
        if reference.contains("/") || reference.hasSuffix(".zkm") {
            candidates.append(reference)
            if let d = valuesDir, !reference.hasPrefix("/") { candidates.append(d + "/" + reference) }
        } else {
            candidates.append("Circuits/\(reference).zkm")
            if var dir = valuesDir.map({ URL(fileURLWithPath: $0) }) {
                for _ in 0..<16 {
                    candidates.append(dir.appendingPathComponent("Circuits/\(reference).zkm").path)
                    let parent = dir.deletingLastPathComponent()
                    if parent.path == dir.path { break }
                    dir = parent
                }
            }
        }
        var seen = Set<String>()
        candidates = candidates.filter { seen.insert($0).inserted }
        for path in candidates where FileIO.exists(path) {
            let bytes = try FileIO.read(path)
            guard let source = String(validating: bytes, as: UTF8.self) else { throw .io(path: path, message: "the circuit is not valid UTF-8") }
            var name = URL(fileURLWithPath: path).lastPathComponent
            if name.hasSuffix(".zkm") { name.removeLast(4) }
            return (name, path, source)
        }
        throw .circuitNotFound(name: reference, searched: Array(candidates.prefix(3)) + (candidates.count > 3 ? ["…"] : []))
    }

    /// The circuit risk values name (their `"circuit"` field).
    public static func circuitReference(inValues values: [UInt8]) throws(SolvencyError) -> String {
        do { return try RiskValues.decode(from: Data(values)).circuit } catch { throw .circuit(error) }
    }

    /// Risk values read from a file, and their circuit.
    public struct ValuesAndCircuit: Sendable {
        /// The file's bytes (what a bundle embeds).
        public let bytes: [UInt8]
        public let values: RiskValues
        /// The circuit found by `locateCircuit`.
        public let circuit: (name: String, path: String, source: String)
    }

    /// Reads risk values and finds their circuit: `circuitPath` if given,
    /// else the one the values name (`locateCircuit`). What `publish` and
    /// `check` both read.
    public static func loadValues(path: String, circuitPath: String? = nil) throws(SolvencyError) -> ValuesAndCircuit {
        let bytes = try FileIO.read(path)
        let values: RiskValues
        do { values = try RiskValues.decode(from: Data(bytes)) } catch { throw .circuit(error) }
        let circuit = try locateCircuit(circuitPath ?? values.circuit, valuesPath: path)
        return ValuesAndCircuit(bytes: bytes, values: values, circuit: circuit)
    }

    // MARK: Publisher

    /// Reads risk values, finds their circuit (or uses `circuitPath`), and
    /// writes a signed bundle to `out`.
    @discardableResult
    public static func publish(
        valuesPath: String, keyPath: String, out: String, curve: Curve = .p256, circuitPath: String? = nil,
        epoch: String? = nil, issuedAt: Date = Date(), validUntil: Date? = nil
    ) throws(SolvencyError) -> RiskBundle {
        let loaded = try loadValues(path: valuesPath, circuitPath: circuitPath)
        let key = try loadSigningKey(path: keyPath)
        let until = validUntil ?? issuedAt.addingTimeInterval(24 * 3600)
        let bundle = try RiskBundle.publish(values: loaded.bytes, circuitName: loaded.circuit.name, circuitSource: loaded.circuit.source, curve: curve,
                                           epoch: epoch, issuedAt: issuedAt, validUntil: until, key: key)
        try FileIO.write(bundle.encoded(), to: out, mode: FileIO.publicMode)
        return bundle
    }

    // MARK: Margin report (check)

    /// The plain margin report of an account against risk values and their
    /// circuit (found as for `publish`, or `circuitPath`). Nothing is
    /// signed, committed or proven.
    public static func check(valuesPath: String, circuitPath: String? = nil, accountPath: String) throws(SolvencyError) -> MarginReport {
        let loaded = try loadValues(path: valuesPath, circuitPath: circuitPath)
        let statement: CompiledStatement
        do {
            statement = try compile(circuitSource: loaded.circuit.source, fileName: loaded.circuit.path, values: loaded.values)
        } catch { throw .circuit(error) }
        return try report(statement, accountPath: accountPath)
    }

    /// The plain margin report of an account against a bundle's circuit and
    /// values. With `publisherKeyPath`, the bundle must be signed by that key
    /// (checked before its payload is decoded) and valid at `date`.
    public static func check(
        bundlePath: String, publisherKeyPath: String? = nil, at date: Date = Date(), accountPath: String
    ) throws(SolvencyError) -> MarginReport {
        let publisherKey = try publisherKeyPath.map { path throws(SolvencyError) in try loadVerifyingKey(path: path) }
        let bundle = try RiskBundle.load(path: bundlePath, publisher: publisherKey)
        if publisherKey != nil { try bundle.checkValidity(at: date) }
        return try report(bundle.compiled(), accountPath: accountPath)
    }

    private static func report(_ statement: CompiledStatement, accountPath: String) throws(SolvencyError) -> MarginReport {
        let account = try loadAccount(path: accountPath)
        do { return try statement.evaluate(account) } catch { throw .circuit(error) }
    }

    // MARK: Custodian

    public static func loadAccount(path: String) throws(SolvencyError) -> Account {
        let bytes = try FileIO.read(path)
        do { return try Account.decode(from: Data(bytes)) } catch { throw .circuit(error) }
    }

    /// Attests an account: writes the signed statement (0644) and the
    /// openings (0600), both or neither. Refuses to overwrite an existing
    /// openings file unless `force` is set: the openings are the only way to
    /// prove from the statement they belong to, and are never replaced by
    /// accident.
    @discardableResult
    public static func attest(
        bundlePath: String, accountPath: String, keyPath: String, out: String, openingsOut: String,
        publisherKeyPath: String? = nil, at date: Date = Date(), force: Bool = false
    ) throws(SolvencyError) -> AttestedStatement {
        guard out != openingsOut else {
            throw .invalidArgument("the statement and the openings must go to different files (both are \(out))")
        }
        if !force, FileIO.exists(openingsOut) { throw .alreadyExists(path: openingsOut, what: "openings") }
        let bundle = try RiskBundle.load(path: bundlePath)
        let publisherKey = try publisherKeyPath.map { path throws(SolvencyError) in try loadVerifyingKey(path: path) }
        let account = try loadAccount(path: accountPath)
        let key = try loadSigningKey(path: keyPath)
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: key, publisherKey: publisherKey, at: date)
        var secret = openings.encoded()
        defer { secureZero(&secret) }
        try FileIO.write([
            FileIO.Output(path: openingsOut, bytes: secret, mode: FileIO.secretMode, replace: force),
            FileIO.Output(path: out, bytes: statement.encoded(), mode: FileIO.publicMode),
        ])
        return statement
    }

    // MARK: Prover

    /// Proves from a statement and its openings; writes the proof only if
    /// the account meets every requirement.
    @discardableResult
    public static func prove(
        bundlePath: String, statementPath: String, openingsPath: String, out: String,
        publisherKeyPath: String? = nil, custodianKeyPath: String? = nil, at date: Date = Date(), hidingAmong: AnonymitySet? = nil,
        binding: ProofBinding = ProofBinding(), covenants: [Covenant] = []
    ) throws(SolvencyError) -> MarginProof {
        let bundle = try RiskBundle.load(path: bundlePath)
        let publisherKey = try publisherKeyPath.map { path throws(SolvencyError) in try loadVerifyingKey(path: path) }
        let custodianKey = try custodianKeyPath.map { path throws(SolvencyError) in try loadVerifyingKey(path: path) }
        let statement = try AttestedStatement.load(path: statementPath)
        let openings = try Openings.load(path: openingsPath)
        let proof = try Prover.prove(bundle: bundle, statement: statement, openings: openings,
                                     publisherKey: publisherKey, custodianKey: custodianKey, at: date, hidingAmong: hidingAmong, binding: binding,
                                     covenants: covenants)
        try FileIO.write(proof.encoded(), to: out, mode: FileIO.publicMode)
        return proof
    }

    /// Proves from the account itself (self-attested).
    @discardableResult
    public static func proveSelfAttested(
        bundlePath: String, accountPath: String, out: String, publisherKeyPath: String? = nil, at date: Date = Date(),
        hidingAmong: AnonymitySet? = nil, binding: ProofBinding = ProofBinding(), covenants: [Covenant] = []
    ) throws(SolvencyError) -> MarginProof {
        let bundle = try RiskBundle.load(path: bundlePath)
        let publisherKey = try publisherKeyPath.map { path throws(SolvencyError) in try loadVerifyingKey(path: path) }
        let account = try loadAccount(path: accountPath)
        let proof = try Prover.proveSelfAttested(bundle: bundle, account: account, publisherKey: publisherKey, at: date, hidingAmong: hidingAmong,
                                                 binding: binding, covenants: covenants)
        try FileIO.write(proof.encoded(), to: out, mode: FileIO.publicMode)
        return proof
    }

    // MARK: Verifier

    /// Loads the keys and the bundle (any failure: unusable input; a bundle
    /// not signed by the publisher key is refused before its payload is
    /// decoded), then verifies the proof files one at a time in bounded
    /// batches. A proof file that cannot be read or decoded is an invalid
    /// proof, not unusable input.
    public static func verify(
        bundlePath: String, publisherKeyPath: String, custodianKeyPath: String?, proofPaths: [String],
        at date: Date = Date(), allowSelfAttested: Bool = false, freshness: FreshnessPolicy = FreshnessPolicy(),
        limits: BatchLimits = BatchLimits()
    ) throws(SolvencyError) -> VerificationReport {
        guard !proofPaths.isEmpty else { throw .invalidArgument("no proof file given") }
        let publisherKey = try loadVerifyingKey(path: publisherKeyPath)
        let custodianKey = try custodianKeyPath.map { path throws(SolvencyError) in try loadVerifyingKey(path: path) }
        let policy = VerificationPolicy(publisherKey: publisherKey, custodianKey: custodianKey, at: date, allowSelfAttested: allowSelfAttested,
                                        freshness: freshness)
        return try verify(bundlePath: bundlePath, proofPaths: proofPaths, policy: policy, limits: limits)
    }

    /// Verifies the proof files against the bundle under `policy` (its
    /// trust store names the keys): the bundle is refused before its payload
    /// is decoded unless a trusted publisher key signed it.
    public static func verify(bundlePath: String, proofPaths: [String], policy: VerificationPolicy,
                              limits: BatchLimits = BatchLimits()) throws(SolvencyError) -> VerificationReport {
        try verify(bundlePaths: [bundlePath], proofPaths: proofPaths, policy: policy, limits: limits).reports[0]
    }

    /// Verifies proof files against several bundles in one run (proofs
    /// from many venues): each proof against the bundle whose digest it
    /// names. Every bundle must be signed by a publisher key of the trust
    /// store that vouches for it, and valid (else unusable input, exit 2),
    /// whether or not a proof names it. A proof naming none of them (or not
    /// readable) is checked against the first bundle, so its verdict says why.
    /// With `indexPath`, the custodian's signed epoch index is checked
    /// first (unusable input if it fails) and every proof must be in it
    /// (`EpochIndexCheck`, inclusion proofs in `inclusionDirectory` or the
    /// epoch directory's `inclusion/`).
    public static func verify(bundlePaths: [String], proofPaths: [String], policy: VerificationPolicy,
                              limits: BatchLimits = BatchLimits(), indexPath: String? = nil,
                              inclusionDirectory: String? = nil) throws(SolvencyError) -> VerificationRun {
        guard !proofPaths.isEmpty else { throw .invalidArgument("no proof file given") }
        guard !bundlePaths.isEmpty else { throw .invalidArgument("no bundle given") }
        var bundles: [RiskBundle] = []
        for path in bundlePaths {
            let bundle = try RiskBundle.load(path: path, publishers: policy.trust.keys(.publisher))
            if let k = bundles.firstIndex(where: { $0.digest == bundle.digest }) {
                throw .invalidArgument("\(path) is the same bundle as \(bundlePaths[k])")
            }
            bundles.append(bundle)
        }
        let index = try indexPath.map { path throws(SolvencyError) in
            try EpochIndexCheck.load(path: path, policy: policy, bundles: bundles, inclusionDirectory: inclusionDirectory)
        }
        var groups = Array(repeating: [Int](), count: bundles.count)
        for (i, path) in proofPaths.enumerated() {
            let named = bundles.count == 1 ? nil : (try? FileIO.read(path)).flatMap(MarginProof.bundleDigestHex(ofEncoded:))
            groups[named.flatMap { d in bundles.firstIndex { $0.digestHex == d } } ?? 0].append(i)
        }
        var reports: [VerificationReport] = []
        var order = Array(repeating: (report: 0, verdict: 0), count: proofPaths.count)
        for (k, bundle) in bundles.enumerated() {
            let names = groups[k].map { proofPaths[$0] }
            reports.append(try Verifier.verify(bundle: bundle, names: names, policy: policy, limits: limits, read: { j throws(SolvencyError) in
                try FileIO.read(names[j])
            }, admit: { j, bytes, accepted throws(SolvencyError) in
                try index?.admit(proofPath: names[j], bytes: bytes, accepted: accepted, bundle: bundle)
            }))
            for (j, i) in groups[k].enumerated() { order[i] = (k, j) }
        }
        var run = VerificationRun(reports: reports, files: bundlePaths, order: order, requested: policy.freshness, at: policy.at)
        run.covenants = policy.covenants
        run.index = index
        return run
    }
}
