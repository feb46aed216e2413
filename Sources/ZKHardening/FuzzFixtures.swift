package import Foundation
import MarginCircuits
package import Solvency
package import ZKGroup
import ZKProofs
import ZKTestSupport

/// The fixed, valid material the fuzz targets mutate around: a signed
/// cross-margin bundle, a custodian statement, an attested and a
/// self-attested proof, an attested proof that hides among one instrument
/// (with `excluded` and `zero_opening`), and the keys
/// (`Vectors/fuzz/fixtures/`).
///
/// The keys in that folder are test keys, committed on purpose so that seed
/// inputs keep verifying from one run to the next; they sign nothing else.
/// `zkmargin-fuzz make-fixtures` writes a fresh set.
package struct FuzzFixtures: Sendable {
    /// The time every fixture is checked at: inside the bundle's window.
    package static let verificationTime = Date(timeIntervalSince1970: 1_798_761_600) // 2027-01-01T00:00:00Z
    static let issuedAt = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
    static let validUntil = Date(timeIntervalSince1970: 2_082_758_400) // 2036-01-01T00:00:00Z
    /// The circuit the fixtures use: two range proofs, helpers, several inputs.
    static let circuitName = "cross-margin"

    package let root: URL
    package let publisherKey: SigningKey
    package let custodianKey: SigningKey
    package let bundleFile: [UInt8]
    package let statementFile: [UInt8]
    package let proofFile: [UInt8]
    package let selfAttestedProofFile: [UInt8]
    /// An attested proof for the example account reduced to its `BTC-PERP`
    /// position, hiding among `BTC-PERP` alone: `ETH-PERP` is excluded and
    /// shown not held by the zero opening.
    package let hidingProofFile: [UInt8]
    package let bundle: RiskBundle

    /// The folder the fixture files live in.
    package static func directory(root: URL) -> URL {
        root.appendingPathComponent("Vectors/fuzz/fixtures", isDirectory: true)
    }

    /// Loads the committed fixtures and checks that they verify, so a fuzz
    /// run never mutates material that was invalid to begin with.
    package init(root: URL) throws {
        self.root = root
        let dir = Self.directory(root: root)
        func read(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: dir.appendingPathComponent(name))) }
        publisherKey = try SigningKey(pemRepresentation: read("publisher.pem"))
        custodianKey = try SigningKey(pemRepresentation: read("custodian.pem"))
        bundleFile = try read("bundle.json")
        statementFile = try read("statement.json")
        proofFile = try read("proof.json")
        selfAttestedProofFile = try read("proof-self.json")
        hidingProofFile = try read("proof-hiding.json")
        bundle = try RiskBundle(encoded: bundleFile)
        let report = try Verifier.verify(bundle: bundle, proofs: proofFiles, policy: policy)
        guard report.allValid else {
            throw FixtureError("the fixtures in \(dir.path) do not verify; regenerate them with `zkmargin-fuzz make-fixtures`")
        }
    }

    /// Every fixture proof with its file name.
    package var proofFiles: [(String, [UInt8])] {
        [("proof.json", proofFile), ("proof-self.json", selfAttestedProofFile), ("proof-hiding.json", hidingProofFile)]
    }

    /// The instrument the hiding proof keeps in its anonymity set.
    static let keptInstrument = "BTC-PERP"

    /// The verifier's policy for the fixtures (self-attested proofs allowed,
    /// so both proof files are reachable).
    package var policy: VerificationPolicy {
        VerificationPolicy(publisherKey: publisherKey.verifyingKey, custodianKey: custodianKey.verifyingKey,
                           at: Self.verificationTime, allowSelfAttested: true)
    }

    /// Writes a fresh fixture set (new keys, bundle, statement and proofs)
    /// for the cross-margin example.
    package static func generate(root: URL) throws {
        let dir = directory(root: root)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let repository = Repository(root: root)
        let values = try repository.example(circuitName, "values.json")
        let account = try repository.exampleAccount(circuitName)
        let source = try repository.circuitSource(circuitName)
        let publisher = SigningKey.generate(), custodian = SigningKey.generate()
        let bundle = try RiskBundle.publish(values: values, circuitName: circuitName, circuitSource: source,
                                            issuedAt: issuedAt, validUntil: validUntil, key: publisher)
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: custodian, at: verificationTime)
        let proof = try Prover.prove(bundle: bundle, statement: statement, openings: openings, at: verificationTime)
        let selfProof = try Prover.proveSelfAttested(bundle: bundle, account: account, at: verificationTime)
        guard let kept = account.positions[keptInstrument] else {
            throw FixtureError("the \(circuitName) example account no longer holds \(keptInstrument)")
        }
        let reduced = Account(label: account.label, balances: account.balances, positions: [keptInstrument: kept])
        let (reducedStatement, reducedOpenings) = try Custodian.attest(bundle: bundle, account: reduced, key: custodian, at: verificationTime)
        let hidingProof = try Prover.prove(bundle: bundle, statement: reducedStatement, openings: reducedOpenings, at: verificationTime,
                                           hidingAmong: try AnonymitySet([keptInstrument]))
        let files: [(String, [UInt8])] = [
            ("publisher.pem", publisher.pemRepresentation()),
            ("publisher.pub.pem", Array(publisher.verifyingKey.pemRepresentation.utf8)),
            ("custodian.pem", custodian.pemRepresentation()),
            ("custodian.pub.pem", Array(custodian.verifyingKey.pemRepresentation.utf8)),
            ("bundle.json", bundle.encoded()),
            ("statement.json", statement.encoded()),
            ("proof.json", proof.encoded()),
            ("proof-self.json", selfProof.encoded()),
            ("proof-hiding.json", hidingProof.encoded()),
        ]
        for (name, bytes) in files { try Data(bytes).write(to: dir.appendingPathComponent(name), options: .atomic) }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
