import Foundation
import MarginCircuits
import StrictJSON
import ZKGroup

/// The file-level operations behind each command. The executables only
/// parse arguments and print; everything here is reusable and tested.
public enum Workflow {
    // MARK: Keys

    /// Where `keygen --out KEY.pem` puts the public key: `KEY.pub.pem`.
    public static func publicKeyPath(forPrivateKeyPath path: String) -> String {
        path.hasSuffix(".pem") ? String(path.dropLast(4)) + ".pub.pem" : path + ".pub.pem"
    }

    /// Writes a fresh P-256 key pair: the private key (mode 0600) and its
    /// public key next to it. Refuses to overwrite a private key unless
    /// `force` is set.
    @discardableResult
    public static func keygen(out: String, force: Bool = false) throws(SolvencyError) -> (privateKeyPath: String, publicKeyPath: String, key: VerifyingKey) {
        let pubPath = publicKeyPath(forPrivateKeyPath: out)
        guard out != pubPath else { throw .invalidArgument("--out must name the private key file, e.g. publisher.pem") }
        if !force, FileIO.exists(out) {
            throw .io(path: out, message: "already exists; refusing to overwrite a private key (pass --force to replace it)")
        }
        let key = SigningKey.generate()
        var pem = key.pemRepresentation()
        defer { secureZero(&pem) }
        // Without --force the private key is linked into place, never
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

    // MARK: Publisher

    /// Reads risk values, finds their circuit (or uses `circuitPath`), and
    /// writes a signed bundle to `out`.
    @discardableResult
    public static func publish(
        valuesPath: String, keyPath: String, out: String, curve: Curve = .p256, circuitPath: String? = nil,
        epoch: String? = nil, issuedAt: Date = Date(), validUntil: Date? = nil
    ) throws(SolvencyError) -> RiskBundle {
        let values = try FileIO.read(valuesPath)
        let decoded: RiskValues
        do { decoded = try RiskValues.decode(from: Data(values)) } catch { throw .circuit(error) }
        let circuit = try locateCircuit(circuitPath ?? decoded.circuit, valuesPath: valuesPath)
        let key = try loadSigningKey(path: keyPath)
        let until = validUntil ?? issuedAt.addingTimeInterval(24 * 3600)
        let bundle = try RiskBundle.publish(values: values, circuitName: circuit.name, circuitSource: circuit.source, curve: curve,
                                           epoch: epoch, issuedAt: issuedAt, validUntil: until, key: key)
        try FileIO.write(bundle.encoded(), to: out, mode: FileIO.publicMode)
        return bundle
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
        guard out != openingsOut else { throw .invalidArgument("--out and --openings must be different files") }
        if !force, FileIO.exists(openingsOut) {
            throw .io(path: openingsOut, message: "already exists; refusing to overwrite openings (pass --force to replace them)")
        }
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
        publisherKeyPath: String? = nil, custodianKeyPath: String? = nil, at date: Date = Date()
    ) throws(SolvencyError) -> MarginProof {
        let bundle = try RiskBundle.load(path: bundlePath)
        let publisherKey = try publisherKeyPath.map { path throws(SolvencyError) in try loadVerifyingKey(path: path) }
        let custodianKey = try custodianKeyPath.map { path throws(SolvencyError) in try loadVerifyingKey(path: path) }
        let statement = try AttestedStatement.load(path: statementPath)
        let openings = try Openings.load(path: openingsPath)
        let proof = try Prover.prove(bundle: bundle, statement: statement, openings: openings,
                                     publisherKey: publisherKey, custodianKey: custodianKey, at: date)
        try FileIO.write(proof.encoded(), to: out, mode: FileIO.publicMode)
        return proof
    }

    /// Proves from the account itself (self-attested).
    @discardableResult
    public static func proveSelfAttested(
        bundlePath: String, accountPath: String, out: String, publisherKeyPath: String? = nil, at date: Date = Date()
    ) throws(SolvencyError) -> MarginProof {
        let bundle = try RiskBundle.load(path: bundlePath)
        let publisherKey = try publisherKeyPath.map { path throws(SolvencyError) in try loadVerifyingKey(path: path) }
        let account = try loadAccount(path: accountPath)
        let proof = try Prover.proveSelfAttested(bundle: bundle, account: account, publisherKey: publisherKey, at: date)
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
        at date: Date = Date(), allowSelfAttested: Bool = false, limits: BatchLimits = BatchLimits()
    ) throws(SolvencyError) -> VerificationReport {
        guard !proofPaths.isEmpty else { throw .invalidArgument("no proof file given") }
        let publisherKey = try loadVerifyingKey(path: publisherKeyPath)
        let custodianKey = try custodianKeyPath.map { path throws(SolvencyError) in try loadVerifyingKey(path: path) }
        let bundle = try RiskBundle.load(path: bundlePath, publisher: publisherKey)
        let policy = VerificationPolicy(publisherKey: publisherKey, custodianKey: custodianKey, at: date, allowSelfAttested: allowSelfAttested)
        return try Verifier.verify(bundle: bundle, names: proofPaths, policy: policy, limits: limits) { i throws(SolvencyError) in
            try FileIO.read(proofPaths[i])
        }
    }
}

extension VerificationReport {
    /// One line per proof: `VALID`, `VALID (UNATTESTED)` or `INVALID`, the
    /// file, and what was shown or why not. Each is one line whatever the
    /// files say: names come from signed sources where there are any (the
    /// bundle's circuit, venue, epoch and requirements; the account the
    /// custodian signed), and every control, format or line-separator
    /// character is escaped (`displaySafe`), so a proof cannot forge a line.
    public var lines: [String] {
        verdicts.map { displaySafe(line(for: $0)) }
    }

    private func line(for v: ProofVerdict) -> String {
        switch v.result {
            case .success(let a):
                let what = "account \(jsonQuoted(a.account)) meets \(a.requirements.joined(separator: ", ")) of \(bundle.circuitName) (\(bundle.values.venue), epoch \(bundle.epoch))"
                if a.attested {
                    return "VALID    \(v.name): \(what); inputs attested by custodian \(short(a.custodianKeyID ?? ""))"
                }
                return "VALID (UNATTESTED)    \(v.name): \(what); the inputs are self-attested: no custodian vouches for them"
            case .failure(let e):
                return "INVALID  \(v.name): \(e)"
        }
    }

    /// The summary line after the per-proof lines (escaped like `lines`).
    public var summary: String {
        let valid = verdicts.filter(\.isValid).count
        let unattested = verdicts.filter { if case .success(let a) = $0.result { return !a.attested } else { return false } }.count
        var s = "\(valid) of \(verdicts.count) proof\(verdicts.count == 1 ? "" : "s") valid against bundle \(short(bundle.digestHex)) (\(bundle.circuitName), publisher \(short(bundle.publisherKeyID)), checked at \(RFC3339.format(at)))"
        if unattested > 0 { s += "; \(unattested) UNATTESTED" }
        return displaySafe(s)
    }

    /// The machine-readable verdict (`zkmargin-verify --json`).
    public var json: String {
        let proofs: [JSONValue] = verdicts.map { v in
            var o = JSONObject([("file", .string(v.name)), ("valid", .bool(v.isValid))])
            switch v.result {
            case .success(let a):
                o["status"] = .string(a.attested ? "VALID" : "VALID (UNATTESTED)")
                o["attested"] = .bool(a.attested)
                o["account"] = .string(a.account)
                o["custodian"] = a.custodianKeyID.map { .string($0) } ?? .null
                o["requirements"] = .array(a.requirements.map { .string($0) })
            case .failure(let e):
                o["status"] = .string("INVALID")
                o["error"] = .object(JSONObject([("code", .string(e.code)), ("message", .string(e.description))]))
            }
            return .object(o)
        }
        let o = JSONObject([
            ("valid", .bool(allValid)),
            ("bundle", .object(JSONObject([
                ("digest", .string(bundle.digestHex)),
                ("circuit", .string(bundle.circuitName)),
                ("venue", .string(bundle.values.venue)),
                ("epoch", .string(bundle.epoch)),
                ("curve", .string(bundle.curve.rawValue)),
                ("publisher", .string(bundle.publisherKeyID)),
                ("valid_until", .string(RFC3339.format(bundle.validUntil))),
            ]))),
            ("at", .string(RFC3339.format(at))),
            ("proofs", .array(proofs)),
        ])
        return String(decoding: JSONValue.object(o).encoded(), as: UTF8.self)
    }

    /// The JSON for unusable input (exit 2).
    public static func errorJSON(_ error: SolvencyError) -> String {
        let o = JSONObject([
            ("valid", .bool(false)),
            ("error", .object(JSONObject([("code", .string(error.code)), ("message", .string(error.description))]))),
            ("proofs", .array([])),
        ])
        return String(decoding: JSONValue.object(o).encoded(), as: UTF8.self)
    }
}
