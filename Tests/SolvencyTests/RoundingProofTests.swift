import Foundation
import MarginCircuits
import XCTest
import ZKGroup
import ZKProofs
@testable import Solvency
import ZKTestSupport

/// Proofs over `ceil`/`floor` helpers (SPEC.md §16.4, "Rounding helpers"),
/// on `RoundingExample` (requirement 0.000008 rounded, 0.000007 unrounded):
/// honest accounts exactly at the rounded margin prove and verify, one
/// quantum short they do not; a prover that runs its own code cannot round
/// a requirement down (a ceil helper one lower), nor commit a helper far
/// outside its bound, which Q·t − E alone would admit modulo the group order.
final class RoundingProofTests: XCTestCase {
    static func account(_ balance: String) throws -> Account {
        try Account.decode(from: Data(RoundingExample.account(balance: balance).utf8))
    }

    func bundle() throws -> RiskBundle {
        try RiskBundle.publish(values: Array(RoundingExample.values.utf8), circuitName: "rounding", circuitSource: RoundingExample.circuit, epoch: "7",
                               issuedAt: testIssuedAt, validUntil: testValidUntil, key: TestKeys.publisher)
    }

    func testAtTheRoundedMarginProvesAndVerifiesAndOneQuantumShortDoesNot() throws {
        let bundle = try bundle()
        let compiled = try bundle.compiled()
        // 0.00000899 floors to 0.000008: exactly at the margin.
        let at = try Self.account("0.00000899")
        XCTAssertEqual(try compiled.evaluate(at).requirements[0].excess, .zero)
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: at, key: TestKeys.custodian, at: testNow)
        let proof = try Prover.prove(bundle: bundle, statement: statement, openings: openings, at: testNow)
        guard case .success = try verdict(proof.encoded(), bundle: bundle, policy: policy()) else { return XCTFail("the honest proof does not verify") }
        let selfProof = try Prover.proveSelfAttested(bundle: bundle, account: at, at: testNow)
        guard case .success = try verdict(selfProof.encoded(), bundle: bundle, policy: policy(selfAttested: true)) else {
            return XCTFail("the honest self-attested proof does not verify")
        }
        // 0.00000799 floors to 0.000007: one quantum short, though the
        // unrounded requirement (0.000007) would be met.
        let short = try Self.account("0.00000799")
        XCTAssertEqual(try compiled.evaluate(short).requirements[0].excess, try Rational(decimal: "-0.000001"))
        let (s2, o2) = try Custodian.attest(bundle: bundle, account: short, key: TestKeys.custodian, at: testNow)
        assertSolvencyError("marginShortfall") { try Prover.prove(bundle: bundle, statement: s2, openings: o2, at: testNow) }
        assertSolvencyError("marginShortfall") { try Prover.proveSelfAttested(bundle: bundle, account: short, at: testNow) }
    }

    /// The account one quantum short: committing each rounded-up ceil helper
    /// one lower would make the requirement hold (1 µUSD of excess), but its
    /// relation Q·t − E is then negative, and no proof can be made.
    func testACeilHelperCommittedOneLowerCannotBeProven() throws {
        let bundle = try bundle()
        let compiled = try bundle.compiled()
        let short = try Self.account("0.00000799")
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: short, key: TestKeys.custodian, at: testNow)
        var values = try compiled.allValues(for: short)
        var lowered: [String] = []
        for (k, h) in compiled.helpers.enumerated() where h.kind == .ceiling {
            let t = compiled.inputs.count + k
            let e = h.branches[0].evaluate(values)
            // Only those that rounded up (A and C); B is exactly on a multiple.
            guard !e.quotientAndRemainder(dividingBy: h.divisor).remainder.isZero else { continue }
            values[t] -= .one
            lowered.append(h.id)
        }
        XCTAssertEqual(lowered.count, 2)
        let requirement = try XCTUnwrap(compiled.constraints.first(where: \.isRequirement))
        XCTAssertEqual(Rational(requirement.value(values)) / requirement.scale, try Rational(decimal: "0.000001"), "the forged requirement holds")
        let relations = compiled.constraints.filter { c in lowered.contains { c.name.hasPrefix("\($0) >= ") } }
        XCTAssertEqual(relations.count, 2)
        for r in relations { XCTAssertTrue(r.value(values).isNegative, r.name) }
        try assertCannotProve(bundle, compiled, statement, openings, short, Array(values[compiled.inputs.count...]))
    }

    /// Modulo the group order n, Q·t − E ≡ r has a solution t for every r
    /// (Q is invertible): t = (E + r + k·n)/Q for the k that makes it an
    /// integer, about k·n/Q, far above any honest value. The relation's
    /// residue is then r, within its width; the bound t − T₀ ∈ [0, 2^w′)
    /// is what refuses it (as it refuses t just above the bound's end, T₁ + 1).
    func testAHelperOutsideItsBoundCannotBeProvenEvenWhereTheRelationHolds() throws {
        let bundle = try bundle()
        let compiled = try bundle.compiled()
        let n = DishonestProver.order(bundle.curve)
        let account = try Self.account("1")
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow)
        let honest = try compiled.allValues(for: account)
        let k0 = try XCTUnwrap(compiled.helpers.firstIndex { $0.kind == .ceiling && $0.id.contains("size[A]") })
        let h = compiled.helpers[k0], t = compiled.inputs.count + k0
        let bound = try XCTUnwrap(compiled.constraints.first { $0.name.hasPrefix("\(h.id) in [") })
        let relation = try XCTUnwrap(compiled.constraints.first { $0.name.hasPrefix("\(h.id) >= ") })
        let e = h.branches[0].evaluate(honest)
        var huge: BigInt? = nil
        for k in 1...1_000_000 where huge == nil {
            let x = e + BigInt(1) + BigInt(k) * n
            if x.quotientAndRemainder(dividingBy: h.divisor).remainder.isZero { huge = BigInt.exactQuotient(x, h.divisor) }
        }
        // The bound's form is t − T₀: its end T₁ = T₀ + 2^w′ − 1.
        let t1 = -bound.constant + BigInt.powerOfTwo(bound.bitWidth) - .one
        for forged in [try XCTUnwrap(huge, "no k makes E + 1 + k·n a multiple of Q"), t1 + .one] {
            var values = honest
            values[t] = forged
            if forged != t1 + .one {
                XCTAssertEqual(DishonestProver.reduce(relation.value(values), n), .one, "the relation holds modulo n, with residue 1")
            }
            XCTAssertFalse(DishonestProver.reduce(bound.value(values), n) < BigInt.powerOfTwo(bound.bitWidth), "the bound refuses t = \(forged)")
            try assertCannotProve(bundle, compiled, statement, openings, account, Array(values[compiled.inputs.count...]))
        }
    }

    func assertCannotProve(_ bundle: RiskBundle, _ compiled: CompiledStatement, _ statement: AttestedStatement, _ openings: Openings,
                           _ account: Account, _ helperValues: [BigInt], file: StaticString = #filePath, line: UInt = #line) throws {
        let plan = try ProofPlan(statement: compiled, mode: .custodian)
        XCTAssertThrowsError(try DishonestProver.proof(bundle: bundle, plan: plan, account: account.label, inputs: .attested(statement),
                                                       inputOpenings: openings.entries.map(\.opening), helperValues: helperValues,
                                                       statementDigest: statement.digest), file: file, line: line) { error in
            guard case RangeProofError.valueOutOfRange = error else { return XCTFail("\(error)", file: file, line: line) }
        }
    }
}

extension RoundingProofTests {
    /// `zkmargin check` prints the exact rounded figures and exits 0 at the
    /// rounded margin, 1 one quantum short.
    func testCheckCommandAtAndBelowTheRoundedMargin() throws {
        let dir = try temporaryDirectory(self)
        try FileIO.write(Array(RoundingExample.circuit.utf8), to: "\(dir)/rounding.zkm", mode: 0o644)
        try FileIO.write(Array(RoundingExample.values.utf8), to: "\(dir)/values.json", mode: 0o644)
        for (balance, status, text) in [("0.00000899", Int32(0), "maintenance  0.000008     0.000008       0  ok"), ("0.00000799", 1, "short by 0.000001 USD")] {
            try FileIO.write(Array(RoundingExample.account(balance: balance).utf8), to: "\(dir)/account.json", mode: 0o644)
            let r = try CLI.run("zkmargin", ["check", "--values", "values.json", "--circuit", "rounding.zkm", "--account", "account.json"], in: dir)
            XCTAssertEqual(r.status, status, r.output)
            XCTAssertTrue(r.stdout.contains(text), r.stdout)
        }
    }
}
