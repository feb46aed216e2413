package import Foundation
import MarginCircuits
package import Solvency
package import ZKGroup
import ZKTestSupport

/// The bundle and proof files one verification reads. Keys are not in it:
/// they are the fixture's, and the harness never changes them.
package struct TamperFiles: Sendable, Equatable {
    package var bundle: [UInt8]
    package var proof: [UInt8]

    package init(bundle: [UInt8], proof: [UInt8]) {
        self.bundle = bundle
        self.proof = proof
    }
}

/// A valid proof to tamper with: a freshly published bundle for one shipped
/// circuit (`Circuits/<name>.zkm` with `Vectors/examples/<name>/values.json`),
/// a proof of its solvent example account, and the keys (in memory only).
///
/// A custodian-attested fixture has a custodian statement inside its proof;
/// a self-attested one has its own input commitments. Both are verified with
/// the most permissive policy (`allowSelfAttested`, both keys given), so a
/// variant rejected here is rejected under every policy.
package struct TamperFixture: Sendable {
    /// When the bundle's window opens, when it closes, and the time every
    /// verification is made at (inside the window).
    package static let issuedAt = Date(timeIntervalSince1970: 1_764_072_000)   // 2025-11-25T12:00:00Z
    package static let validUntil = issuedAt.addingTimeInterval(30 * 86_400)
    package static let verificationTime = issuedAt.addingTimeInterval(3_600)

    package let circuit: String
    package let mode: AttestationMode
    /// The anonymity set the proof hides among (nil: every instrument). A
    /// hiding fixture's proof has `excluded` and `zero_opening` fields.
    package let hidingAmong: Set<String>?
    /// A custodian-attested fixture whose statement is sealed (SPEC.md
    /// §16.18: attested with the public key only, then sealed with two
    /// other accounts' statements under one signed root) instead of signed:
    /// the seal's members are edited like every other field.
    package let sealed: Bool
    package let curve: Curve
    package let publisherKey: SigningKey
    package let custodianKey: SigningKey
    /// The untampered files; `Workflow.verify` accepts them.
    package let files: TamperFiles
    package var at: Date { Self.verificationTime }

    /// The parsed files (`TamperJSON` writes them back byte for byte).
    package let bundleTree: TamperJSON
    package let bundlePayloadTree: TamperJSON
    package let proofTree: TamperJSON
    /// The custodian statement's payload (nil when self-attested).
    package let statementPayloadTree: TamperJSON?

    /// `cross-margin`, `cross-margin (self-attested)`, `tiered-margin (hiding among 1)`.
    package var name: String {
        let base = mode == .custodian ? (sealed ? "\(circuit) (sealed)" : circuit) : "\(circuit) (self-attested)"
        return hidingAmong.map { "\(base) (hiding among \($0.count))" } ?? base
    }
    /// The name as a file name: `cross-margin`, `cross-margin-self`, `tiered-margin-hiding`.
    package var slug: String { (mode == .custodian ? circuit : "\(circuit)-self") + (sealed ? "-sealed" : "") + (hidingAmong == nil ? "" : "-hiding") }

    /// Publishes, attests (custodian mode) and proves with fresh keys. With
    /// `hiding`, the account keeps only its first position (by id) and the
    /// proof hides among that instrument alone.
    package init(circuit: String, mode: AttestationMode, curve: Curve = .p256, hiding: Bool = false, sealed: Bool = false, root: URL) throws {
        let repository = Repository(root: root)
        let values = try repository.example(circuit, "values.json")
        var account = try repository.exampleAccount(circuit)
        var set: Set<String>? = nil
        if hiding {
            guard let first = account.positions.keys.sorted().first else { throw TamperError("the example account of \(circuit) holds no position to hide") }
            account = Account(label: account.label, balances: account.balances, positions: [first: account.positions[first]!])
            set = [first]
        }
        let anonymitySet = try set.map { try AnonymitySet(Array($0)) }
        let source = try repository.circuitSource(circuit)
        let publisher = SigningKey.generate(), custodian = SigningKey.generate()
        let bundle = try RiskBundle.publish(values: values, circuitName: circuit, circuitSource: source, curve: curve,
                                            issuedAt: Self.issuedAt, validUntil: Self.validUntil, key: publisher)
        let proof: MarginProof
        switch mode {
        case .custodian:
            var (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: custodian,
                                                             publisherKey: publisher.verifyingKey, at: Self.verificationTime)
            if sealed {
                (statement, openings) = try Custodian.attestUnsealed(bundle: bundle, account: account, custodian: custodian.verifyingKey,
                                                                     publisherKey: publisher.verifyingKey, at: Self.verificationTime)
                let peers = try (1...2).map { n in
                    try Custodian.attestUnsealed(bundle: bundle, account: Account(label: "\(account.label)/peer-\(n)", balances: account.balances, positions: account.positions),
                                                 custodian: custodian.verifyingKey, at: Self.verificationTime).statement
                }
                statement = try StatementSeal.seal(statements: [statement] + peers, key: custodian, bundle: bundle, at: Self.verificationTime).sealed[0]
            }
            proof = try Prover.prove(bundle: bundle, statement: statement, openings: openings, publisherKey: publisher.verifyingKey,
                                     custodianKey: custodian.verifyingKey, at: Self.verificationTime, hidingAmong: anonymitySet)
        case .selfAttested:
            proof = try Prover.proveSelfAttested(bundle: bundle, account: account, publisherKey: publisher.verifyingKey, at: Self.verificationTime,
                                                 hidingAmong: anonymitySet)
        }
        try self.init(circuit: circuit, mode: mode, curve: curve, hidingAmong: set, sealed: sealed, publisherKey: publisher, custodianKey: custodian,
                      files: TamperFiles(bundle: bundle.encoded(), proof: proof.encoded()))
    }

    /// A fixture from existing files; checks that the harness's writer
    /// reproduces every file and signed payload byte for byte.
    package init(circuit: String, mode: AttestationMode, curve: Curve, hidingAmong: Set<String>? = nil, sealed: Bool = false, publisherKey: SigningKey,
                 custodianKey: SigningKey, files: TamperFiles) throws {
        self.circuit = circuit
        self.mode = mode
        self.hidingAmong = hidingAmong
        self.sealed = sealed
        self.curve = curve
        self.publisherKey = publisherKey
        self.custodianKey = custodianKey
        self.files = files
        bundleTree = try TamperJSON(parsingObject: files.bundle, what: "risk bundle")
        proofTree = try TamperJSON(parsingObject: files.proof, what: "margin proof")
        try Self.requireRoundTrip(bundleTree.pretty(), files.bundle, what: "the bundle file")
        try Self.requireRoundTrip(proofTree.pretty(), files.proof, what: "the proof file")
        bundlePayloadTree = try Self.payloadTree(of: bundleTree, what: "bundle payload")
        if let statement = proofTree["statement"] {
            statementPayloadTree = try Self.payloadTree(of: statement, what: "statement payload")
        } else {
            statementPayloadTree = nil
        }
        guard (mode == .custodian) == (statementPayloadTree != nil) else {
            throw TamperError("the \(mode.rawValue) proof of \(circuit) \(mode == .custodian ? "has no" : "has a") custodian statement")
        }
    }

    /// The payload of a signed envelope tree, parsed; checks its compact
    /// writing reproduces the signed bytes.
    static func payloadTree(of envelope: TamperJSON, what: String) throws -> TamperJSON {
        guard case .string(let text)? = envelope["payload"], let bytes = Base64.decode(text) else {
            throw TamperError("the \(what) is not base64 in its envelope")
        }
        let tree = try TamperJSON(parsingObject: bytes, what: what)
        try requireRoundTrip(tree.compact(), bytes, what: "the \(what)")
        return tree
    }

    static func requireRoundTrip(_ written: [UInt8], _ original: [UInt8], what: String) throws {
        guard written == original else {
            throw TamperError("the harness's JSON writer does not reproduce \(what) byte for byte; its variants would not be single edits")
        }
    }

    // MARK: The shipped circuits

    /// The circuits that get a self-attested fixture too (self-attested
    /// proofs add two range constraints per input, so a small one).
    package static let selfAttestedCircuits: Set<String> = ["threshold"]

    /// The circuits that get a custodian-attested fixture hiding among one
    /// instrument too (its proof carries `excluded` and `zero_opening`):
    /// the one whose helpers an anonymity set removes.
    package static let hidingCircuits: Set<String> = ["tiered-margin"]

    /// The circuits that get a custodian-attested fixture with a sealed
    /// statement too (the seal is the same for every circuit: a small one).
    package static let sealedCircuits: Set<String> = ["threshold"]

    /// The fixtures of `circuits` (every shipped circuit if nil):
    /// custodian-attested for each, self-attested for those in
    /// `selfAttestedCircuits`, hiding among one instrument for those in
    /// `hidingCircuits`, sealed for those in `sealedCircuits`.
    package static func all(root: URL, circuits: [String]? = nil, curve: Curve = .p256) throws -> [TamperFixture] {
        let shipped = try Repository(root: root).shippedCircuits()
        let chosen = circuits ?? shipped
        for c in chosen where !shipped.contains(c) {
            throw TamperError("no shipped circuit \(c) (Circuits/\(c).zkm with Vectors/examples/\(c)/values.json and solvent.json); shipped: \(shipped.joined(separator: ", "))")
        }
        var out: [TamperFixture] = []
        for c in chosen {
            out.append(try TamperFixture(circuit: c, mode: .custodian, curve: curve, root: root))
            if selfAttestedCircuits.contains(c) { out.append(try TamperFixture(circuit: c, mode: .selfAttested, curve: curve, root: root)) }
            if hidingCircuits.contains(c) { out.append(try TamperFixture(circuit: c, mode: .custodian, curve: curve, hiding: true, root: root)) }
            if sealedCircuits.contains(c) { out.append(try TamperFixture(circuit: c, mode: .custodian, curve: curve, sealed: true, root: root)) }
        }
        return out
    }
}

/// A harness failure that is not a verdict: a fixture that cannot be made,
/// an unusable option, a folder that cannot be written.
package struct TamperError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
