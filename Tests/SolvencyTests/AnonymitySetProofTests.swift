import Foundation
import MarginCircuits
import StrictJSON
import XCTest
import ZKGroup
import ZKProofs
@testable import Solvency
import ZKTestSupport

/// Proofs that hide among a holder-chosen anonymity set: the elements
/// outside it are shown to hold nothing (attested: a zero opening of the
/// custodian's commitments; self-attested: not committed at all) and drop
/// out of the range proofs. Every way to cheat with the set is refused.
final class AnonymitySetProofTests: XCTestCase {
    /// A tiered book of 20 instruments (3 brackets) and an account holding
    /// I0, I7 and I14 (`SyntheticBooks.account`).
    static let bundle: RiskBundle = {
        let values = SyntheticBooks.values(circuit: "tiered-margin", instruments: 20, assets: 4, tiers: 3)
        return try! makeBundle("tiered-margin", values: Array(values.utf8))
    }()
    static let account = SyntheticBooks.account(instruments: 20)
    static let held: Set<String> = ["I0", "I7", "I14"]
    /// The held instruments and one more.
    static let kept = held.union(["I3"])

    struct Attested {
        let statement: AttestedStatement
        let openings: Openings
    }

    static func attest(_ account: Account = account, bundle: RiskBundle = bundle) throws -> Attested {
        let (s, o) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow)
        return Attested(statement: s, openings: o)
    }

    static func prove(_ a: Attested, bundle: RiskBundle = bundle, among kept: Set<String>) throws -> MarginProof {
        try Prover.prove(bundle: bundle, statement: a.statement, openings: a.openings, at: testNow, hidingAmong: AnonymitySet(Array(kept)))
    }

    func accepted(_ proof: MarginProof, bundle: RiskBundle = bundle, policy p: VerificationPolicy = policy()) throws -> AcceptedProof {
        try verdict(proof.encoded(), bundle: bundle, policy: p).get()
    }

    // MARK: Honest proofs

    func testAttestedProofHidesAmongTheSetAndDisclosesTheRest() throws {
        let a = try Self.attest()
        let full = try Prover.prove(bundle: Self.bundle, statement: a.statement, openings: a.openings, at: testNow)
        let hiding = try Self.prove(a, among: Self.kept)
        let elements = try Self.bundle.compiled().positionElements
        XCTAssertEqual(elements.count, 20)
        let outside = elements.filter { !Self.kept.contains($0) }
        XCTAssertEqual(hiding.excluded, outside, "every element outside the set, in the values' order")
        XCTAssertNotNil(hiding.zeroOpening)
        XCTAssertEqual(hiding.claims, full.claims, "the claims stay the full list")
        XCTAssertLessThan(hiding.rangeProofByteCount, full.rangeProofByteCount)
        XCTAssertLessThan(hiding.helpers.count, full.helpers.count)
        let ok = try accepted(hiding)
        XCTAssertEqual(ok.excludedElements, outside)
        XCTAssertEqual(ok.requirements, full.claims)
        XCTAssertTrue(try accepted(full).excludedElements.isEmpty)

        let report = try Verifier.verify(bundle: Self.bundle, proofs: [("hiding.json", hiding.encoded())], policy: policy())
        XCTAssertTrue(report.lines.joined().contains("shown to hold nothing in 16 elements (I1, I2, I4, I5, I6, …)"), report.lines.joined())
        guard let o = assertVerdict(report.json), case .array(let proofs)? = o["proofs"],
              case .object(let first) = proofs[0], case .array(let notHeld)? = first["not_held"] else { return XCTFail(report.json) }
        XCTAssertEqual(notHeld.map { if case .string(let s) = $0 { return s } else { return "" } }, outside)

        // The set of every element is no exclusion at all: the proof of the whole bundle.
        let all = try Self.prove(a, among: Set(elements))
        XCTAssertTrue(all.excluded.isEmpty)
        XCTAssertNil(all.zeroOpening)
        XCTAssertEqual(all.helpers.count, full.helpers.count)
    }

    func testSelfAttestedProofCommitsOnlyTheSet() throws {
        let full = try Prover.proveSelfAttested(bundle: Self.bundle, account: Self.account, at: testNow)
        let hiding = try Prover.proveSelfAttested(bundle: Self.bundle, account: Self.account, at: testNow,
                                                  hidingAmong: AnonymitySet(Array(Self.kept)))
        XCTAssertEqual(hiding.excluded.count, 16)
        XCTAssertNil(hiding.zeroOpening, "nothing excluded is committed, so nothing is opened")
        XCTAssertLessThan(hiding.committedInputs.count, full.committedInputs.count)
        for input in hiding.committedInputs {
            XCTAssertFalse(hiding.excluded.contains { input.id.contains("[\($0)]") }, "\(input.id) is committed")
        }
        let ok = try accepted(hiding, policy: policy(selfAttested: true))
        XCTAssertFalse(ok.attested)
        XCTAssertEqual(ok.excludedElements, hiding.excluded)
        // Decoded by the verifier's expectation, the inputs are named by the scoped statement.
        XCTAssertNoThrow(try MarginProof(encoded: hiding.encoded()))
    }

    func testTheProverRefusesASetThatLeavesOutAHolding() throws {
        let a = try Self.attest()
        let e = assertSolvencyError("invalidArgument") { try Self.prove(a, among: ["I0", "I7", "I3"]) }
        XCTAssertTrue(e?.description.contains("I14") ?? false, "\(e!)")
        XCTAssertTrue(e?.description.contains("--hide-among") ?? false, "\(e!)")
        assertSolvencyError("invalidArgument") {
            try Prover.proveSelfAttested(bundle: Self.bundle, account: Self.account, at: testNow, hidingAmong: AnonymitySet(["I0", "I7"]))
        }
        // Not a position element: an asset, an unknown id.
        for bad in ["A0", "I20", "i0"] {
            let e = assertSolvencyError("circuit") { try Self.prove(a, among: Self.kept.union([bad])) }
            XCTAssertTrue(e?.description.contains("only positions can be hidden among") ?? false, "\(e!)")
        }
        assertSolvencyError("invalidArgument") { try AnonymitySet([]) }
        assertSolvencyError("invalidArgument") { try AnonymitySet(["I0", "A\u{30A}"]) }   // not NFC
        assertSolvencyError("invalidArgument") { try AnonymitySet(["I0\n"]) }
    }

    func testTheSetFileFormat() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hide-among-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("set.txt").path
        try Data("# held\nI0\r\n  I7  \n\nI14\n# and one more\nI3".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try AnonymitySet.load(path: path).elements, Self.kept)
        try Data("# nothing\n\n".utf8).write(to: URL(fileURLWithPath: path))
        assertSolvencyError("invalidArgument") { try AnonymitySet.load(path: path) }
        try Data([0x49, 0x30, 0xff]).write(to: URL(fileURLWithPath: path))
        assertSolvencyError("malformed") { try AnonymitySet.load(path: path) }
    }

    // MARK: A dishonest prover

    /// The account holds I7 but claims not to: the range proofs of the
    /// statement without I7 are valid (the account is solvent without it),
    /// and only the zero opening, which no ρ can satisfy for a nonzero
    /// commitment, refuses the proof.
    func testANonzeroElementInTheExcludedSetCannotPass() throws {
        let a = try Self.attest()
        let full = try Self.bundle.compiled()
        let kept = Self.kept.subtracting(["I7"])
        let scoped = try full.hidingAmong(kept)
        XCTAssertTrue(scoped.excludedElements.contains("I7"))
        let values = a.openings.entries.map(\.value)
        XCTAssertTrue(scoped.excludedInputs.contains { !values[$0].isZero }, "I7 is held")
        let plan = try ProofPlan(statement: scoped, mode: .custodian)
        let statement = a.statement.named(by: full)
        let forged = try DishonestProver.proof(
            bundle: Self.bundle, plan: plan, account: statement.account, inputs: .attested(statement),
            inputOpenings: a.openings.entries.map(\.opening), helperValues: scoped.helperValues(inputs: values),
            statementDigest: statement.digest, compiled: scoped)
        // The range proofs alone verify against the verifier's own statements.
        var context = ProofContext(bundleDigest: Self.bundle.digest, circuitDigest: Self.bundle.circuitDigest, curve: .p256, account: statement.account,
                                   epoch: Self.bundle.epoch, mode: .custodian, statementDigest: statement.digest, claims: plan.claims)
        context.excluded = scoped.excludedElements
        let statements = try plan.rangeStatements(curve: .p256, commitments: forged.committedInputs.map(\.commitment) + forged.helpers.map(\.commitment),
                                                  context: context)
        let items = try zip(forged.rangeProofs, statements).map { (try RangeProof(encoded: $0.proof, for: $1), $1) }
        XCTAssertNoThrow(try BulletproofsPlus.verifyBatch(items, generators: .standard(.p256)))
        // The zero opening does not.
        assertInvalid(forged.encoded(), bundle: Self.bundle, code: "proofInvalid", contains: "zero opening")
        // Nor does any other ρ tried: zero, one, the negated one.
        for rho in [Scalar.zero(.p256), .one(.p256), -forged.zeroOpening!] {
            let bytes = try editJSON(forged.encoded()) { $0["zero_opening"] = .string(rho.bytes.hexString) }
            assertInvalid(bytes, bundle: Self.bundle, code: "proofInvalid", contains: "zero opening")
        }
    }

    /// A valid zero opening shows zeros for one statement, account, bundle
    /// and set only: moved to any other, it is refused.
    func testAZeroOpeningMovedElsewhereIsRejected() throws {
        let a = try Self.attest()
        let p1 = try Self.prove(a, among: Self.kept)
        func moving(_ rho: Scalar?, into target: MarginProof, bundle: RiskBundle = Self.bundle) throws {
            XCTAssertNoThrow(try accepted(target, bundle: bundle), "the target itself is valid")
            let bytes = try editJSON(target.encoded()) { $0["zero_opening"] = .string(rho!.bytes.hexString) }
            assertInvalid(bytes, bundle: bundle, code: "proofInvalid", contains: "zero opening")
        }
        // Another set: the same holder hiding among I4 instead of I3.
        let p2 = try Self.prove(a, among: Self.held.union(["I4"]))
        try moving(p1.zeroOpening, into: p2)
        // The proof's excluded list swapped for the other set's, all else kept.
        let swapped = try editJSON(p1.encoded()) { $0["excluded"] = .array(p2.excluded.map { .string($0) }) }
        assertInvalid(swapped, bundle: Self.bundle, code: "proofInvalid", contains: "zero opening")
        // Another account (another statement) of the same bundle and set.
        var other = Self.account
        other = Account(label: "other-desk", balances: other.balances, positions: other.positions)
        let p3 = try Self.prove(Self.attest(other), among: Self.kept)
        try moving(p1.zeroOpening, into: p3)
        // Another bundle: the same book at another epoch.
        let values = SyntheticBooks.values(circuit: "tiered-margin", instruments: 20, assets: 4, tiers: 3)
        let bundle2 = try makeBundle("tiered-margin", epoch: "2025-11-25T13:00:00Z", values: Array(values.utf8))
        let p4 = try Self.prove(Self.attest(bundle: bundle2), bundle: bundle2, among: Self.kept)
        try moving(p1.zeroOpening, into: p4, bundle: bundle2)
    }

    // MARK: The file's new fields

    func testMalformedAnonymityFieldsAreRefused() throws {
        let a = try Self.attest()
        let p = try Self.prove(a, among: Self.kept)
        let bytes = p.encoded()
        let elements = try Self.bundle.compiled().positionElements
        func edited(_ edit: (inout JSONObject) -> Void) throws -> [UInt8] { try editJSON(bytes, edit) }
        func strings(_ xs: [String]) -> JSONValue { .array(xs.map { .string($0) }) }
        var excluded = p.excluded

        assertInvalid(try edited { $0["excluded"] = .array([]) }, bundle: Self.bundle, code: "field", contains: "excluded")
        assertInvalid(try edited { $0["excluded"] = .string("I1") }, bundle: Self.bundle, code: "field", contains: "excluded")
        assertInvalid(try edited { $0["excluded"] = .array([.number("1")]) }, bundle: Self.bundle, code: "field", contains: "excluded[0]")
        excluded[0] = "NOPE"
        assertInvalid(try edited { $0["excluded"] = strings(excluded) }, bundle: Self.bundle, code: "proofMismatch", contains: "in their order")
        excluded = p.excluded
        excluded.swapAt(0, 1)
        assertInvalid(try edited { $0["excluded"] = strings(excluded) }, bundle: Self.bundle, code: "proofMismatch", contains: "in their order")
        assertInvalid(try edited { $0["excluded"] = strings(p.excluded + [p.excluded[0]]) }, bundle: Self.bundle, code: "proofMismatch", contains: "repeat")
        assertInvalid(try edited { $0["excluded"] = strings(p.excluded + ["A0"]) }, bundle: Self.bundle, code: "proofMismatch", contains: "in their order")
        assertInvalid(try edited { $0["excluded"] = strings(elements) }, bundle: Self.bundle, code: "proofMismatch", contains: "at least one")
        // The same ids in another normalization form are other bytes.
        assertInvalid(try edited { $0["excluded"] = strings(["I\u{FF11}"] + p.excluded.dropFirst()) }, bundle: Self.bundle, code: "proofMismatch")

        assertInvalid(try edited { $0["zero_opening"] = nil }, bundle: Self.bundle, code: "field", contains: "zero_opening")
        assertInvalid(try edited { $0["zero_opening"] = .string(String(repeating: "f", count: 64)) }, bundle: Self.bundle, code: "field", contains: "group order")
        assertInvalid(try edited { $0["zero_opening"] = .string(p.zeroOpening!.bytes.hexString.uppercased()) }, bundle: Self.bundle, code: "field")
        // Without its list the proof is checked against the whole bundle: its helpers no longer match.
        assertInvalid(try edited { $0["excluded"] = nil }, bundle: Self.bundle, code: "proofMismatch", contains: "helpers")
        assertInvalid(try edited { $0["excluded"] = nil; $0["zero_opening"] = nil }, bundle: Self.bundle, code: "proofMismatch")

        let full = try Prover.prove(bundle: Self.bundle, statement: a.statement, openings: a.openings, at: testNow)
        assertInvalid(try editJSON(full.encoded()) { $0["zero_opening"] = .string(p.zeroOpening!.bytes.hexString) },
                      bundle: Self.bundle, code: "field", contains: "excludes no element")
        let selfProof = try Prover.proveSelfAttested(bundle: Self.bundle, account: Self.account, at: testNow, hidingAmong: AnonymitySet(Array(Self.kept)))
        assertInvalid(try editJSON(selfProof.encoded()) { $0["zero_opening"] = .string(p.zeroOpening!.bytes.hexString) },
                      bundle: Self.bundle, policy: policy(selfAttested: true), code: "field", contains: "self-attested")
        // A self-attested proof that drops its excluded list: the inputs no longer match.
        assertInvalid(try editJSON(selfProof.encoded()) { $0["excluded"] = nil }, bundle: Self.bundle, policy: policy(selfAttested: true), code: "proofMismatch")
    }
}
