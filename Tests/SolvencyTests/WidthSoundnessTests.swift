import Foundation
@testable import MarginCircuits
import XCTest
import ZKGroup
import ZKProofs
@testable import Solvency
import ZKTestSupport

/// Finding F1 and F2 of the soundness review: a constraint proven at a wider
/// width than its no-wrap-around analysis assumed lets a dishonest prover
/// wrap a requirement around the group order (F1), or exceed a self-attested
/// input's declared bound (F2). The plan now proves every constraint at
/// exactly its analysed width; these tests attack it with a prover that
/// runs its own code.
final class WidthSoundnessTests: XCTestCase {
    // MARK: F1

    /// A floor on debt: `max(-balance, 0)` of a signed input that is not a
    /// position is a helper the prover commits, analysed at 64 bits. The
    /// review's attack: an insolvent account (below the 100 000 floor), its
    /// helper set near 2^126 so that the requirement's form, whose
    /// coefficient on it is about 2^130, wraps around the group order into
    /// [0, 2^128). Whether a wrapping value exists depends on the floor
    /// modulo n, so the floor is varied until one does.
    static let debtFloorCircuit = """
        set assets
        param price[a in assets] >= 0
        param floor[a in assets] >= 0
        private balance[a in assets] from balance in [-1e9, 1e9] scale 1e-8
        require floor_on_debt: sum(a in assets: balance[a] * price[a]) >= sum(a in assets: max(-balance[a], 0) * floor[a]) + 100000
        """

    func testAHelperProvenWiderThanAnalysedCouldWrapAndIsRefused() throws {
        let account = #"{"account": "fund-F1", "balances": {"USDC": "40000"}}"#
        try assertWrapAroundRefused(account: account) { j in
            let values = #"{"venue": "Test", "quote": "USD", "circuit": "debt-floor", "assets": [{"id": "USDC", "price": "1", "floor": "\#(13 + j)00000000000000000000000000000000000000"}]}"#
            return try RiskBundle.publish(values: Array(values.utf8), circuitName: "debt-floor", circuitSource: Self.debtFloorCircuit, epoch: "7",
                                          issuedAt: testIssuedAt, validUntil: testValidUntil, key: TestKeys.publisher)
        }
    }

    /// The shipped circuits under the review's extreme parameters (a
    /// short-option minimum of 1.2·10³⁵, an underlying of 2.3·10³⁶): the
    /// short part the requirement reads is a committed position side, which
    /// the custodian bounds, so there is no helper a prover could inflate.
    func testShippedCircuitsLeaveNoHelperToInflate() throws {
        let account = try Account.decode(from: Data(#"{"account": "fund-F1", "balances": {"USDC": "40000"}, "positions": {"BTC-27JUN-100000-C": {"size": "-4", "entry_price": "2400"}}}"#.utf8))
        let pm = try makeBundle("portfolio-margin", values: try Repository.forTests.example("portfolio-margin", "values.json")
            .replacing(#""short_option_min": "500""#, with: #""short_option_min": "120000000000000000000000000000000000""#))
        let os = try makeBundle("options-standard", values: try Repository.forTests.example("options-standard", "values.json")
            .replacing(#""mark": "2500", "underlying": "97000""#, with: #""mark": "2500", "underlying": "2300000000000000000000000000000000000""#))
        for bundle in [pm, os] {
            let compiled = try bundle.compiled()
            XCTAssertEqual(compiled.helpers.count, 0, bundle.circuitName)
            XCTAssertNil(DishonestProver.wrapAroundValues(compiled, inputValues: try compiled.inputValues(for: account), curve: bundle.curve))
            let (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow)
            assertSolvencyError("marginShortfall") { try Prover.prove(bundle: bundle, statement: statement, openings: openings, at: testNow) }
        }
    }

    func assertWrapAroundRefused(account json: String, bundle makeBundle: (Int) throws -> RiskBundle,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let acct = try Account.decode(from: Data(json.utf8))
        // Find parameter values for which a wrapping helper value exists.
        var found: (RiskBundle, [BigInt], String)? = nil
        for j in 0..<64 where found == nil {
            let bundle = try makeBundle(j)
            let compiled = try bundle.compiled()
            let inputs = try compiled.inputValues(for: acct)
            if let (v, r) = DishonestProver.wrapAroundValues(compiled, inputValues: inputs, curve: bundle.curve) { found = (bundle, v, r) }
        }
        let (bundle, forged, requirement) = try XCTUnwrap(found, "no wrap-around value found: the attack setup is wrong", file: file, line: line)
        let compiled = try bundle.compiled()
        let plan = try ProofPlan(statement: compiled, mode: .custodian)
        // The account is insolvent: the honest prover refuses it.
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: acct, key: TestKeys.custodian, at: testNow)
        assertSolvencyError("marginShortfall", file: file, line: line) { try Prover.prove(bundle: bundle, statement: statement, openings: openings, at: testNow) }

        let helperValues = Array(forged[compiled.inputs.count...])
        let inputOpenings = openings.entries.map(\.opening)
        // Against a plan that proves everything at 128 bits the forgery goes
        // through: Bulletproofs+ proves it and the range proofs verify.
        let widened = DishonestProver.widenedPlan(plan)
        let forgery = try DishonestProver.proof(bundle: bundle, plan: widened, account: acct.label, inputs: .attested(statement),
                                                inputOpenings: inputOpenings, helperValues: helperValues, statementDigest: statement.digest)
        XCTAssertNoThrow(try DishonestProver.verifyRangeProofs(forgery, plan: widened, bundle: bundle, statement: statement),
                         "the widened plan accepts the forgery of \(requirement)", file: file, line: line)

        // The verifier's plan proves the helper's constraints at their
        // analysed width: the forged file is refused …
        XCTAssertTrue(plan.chunks.contains { $0.bits < 128 }, "some constraint is analysed narrower than 128 bits", file: file, line: line)
        assertInvalid(forgery.encoded(), bundle: bundle, code: "proofMismatch", contains: "the circuit needs", file: file, line: line)
        try assertRefusedByTheVerifierTool(bundle: bundle, forgery: forgery, file: file, line: line)
        // … and no proof for its plan can be made with these helper values.
        XCTAssertThrowsError(try DishonestProver.proof(bundle: bundle, plan: plan, account: acct.label, inputs: .attested(statement),
                                                       inputOpenings: inputOpenings, helperValues: helperValues, statementDigest: statement.digest),
                             file: file, line: line) { error in
            guard case RangeProofError.valueOutOfRange = error else { return XCTFail("\(error)", file: file, line: line) }
        }
    }

    // MARK: F2, a self-attested input whose range spans exactly 2^w − 1

    func testSelfAttestedInputAboveItsUpperBoundIsRefused() throws {
        let source = """
            set assets
            param price[a in assets] >= 0
            private balance[a in assets] from balance in [0, 255] scale 1
            require floor: sum(a in assets: balance[a] * price[a]) >= 10
            """
        let values = #"{"venue": "Test", "quote": "USD", "circuit": "span", "assets": [{"id": "USD", "price": "1"}]}"#
        let bundle = try RiskBundle.publish(values: Array(values.utf8), circuitName: "span", circuitSource: source, epoch: "7",
                                            issuedAt: testIssuedAt, validUntil: testValidUntil, key: TestKeys.publisher)
        let compiled = try bundle.compiled()
        let plan = try ProofPlan(statement: compiled, mode: .selfAttested)
        // Both bounds are proven, each at the width of the declared span.
        let bounds = plan.constraints.filter { !$0.isRequirement }
        XCTAssertEqual(bounds.map(\.bitWidth), [8, 8])
        XCTAssertEqual(bounds.count, 2)

        // A balance of 1000, above the declared 255, committed by the prover itself.
        let x = BigInt(1000)
        let opening = Opening.random(value: Scalar(x, curve: .p256))
        let committed = [CommittedInput(id: compiled.inputs[0].id, commitment: Commitment(opening, generators: .standard(.p256)))]
        XCTAssertThrowsError(try DishonestProver.proof(bundle: bundle, plan: plan, account: "self/over", inputs: .selfAttested(committed),
                                                       inputOpenings: [opening], helperValues: [], statementDigest: []))
        // With only the lower bound, proven inside a 128-bit proof, it went through.
        let lowerOnly = ProofPlan(mode: .selfAttested, inputCount: 1, helperCount: 0,
                                  constraints: plan.constraints.filter { !$0.name.contains("upper bound") }, claims: plan.claims,
                                  chunks: [ProofPlan.Chunk(bits: 128, constraints: [0, 1], commitments: [0], widths: [128, 128])])
        let forgery = try DishonestProver.proof(bundle: bundle, plan: lowerOnly, account: "self/over", inputs: .selfAttested(committed),
                                                inputOpenings: [opening], helperValues: [], statementDigest: [])
        assertInvalid(forgery.encoded(), bundle: bundle, policy: policy(selfAttested: true), code: "proofMismatch")
        try assertRefusedByTheVerifierTool(bundle: bundle, forgery: forgery, extra: ["--allow-self-attested"])
    }

    /// The forged file, given to the real `zkmargin-verify`: INVALID, exit 1.
    func assertRefusedByTheVerifierTool(bundle: RiskBundle, forgery: MarginProof, extra: [String] = [],
                                        file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        try FileIO.write(bundle.encoded(), to: "\(dir)/bundle.json", mode: 0o644)
        try FileIO.write(forgery.encoded(), to: "\(dir)/forged.json", mode: 0o644)
        let r = try verifyWithCLI(dir, ["forged.json"], extra: extra)
        XCTAssertEqual(r.status, 1, r.output, file: file, line: line)
        XCTAssertTrue(r.stdout.hasPrefix("INVALID  forged.json: "), r.stdout, file: file, line: line)
        XCTAssertTrue(r.stdout.contains("the circuit needs"), r.stdout, file: file, line: line)
    }

    /// A self-attested bound is never proven wider than 250 bits: a width of
    /// 256 would bound nothing (every value mod n is below 2^256), so a span
    /// needing more is refused rather than rounded up to the next proof size.
    func testSelfAttestedBoundsNeverUseAWidthThatProvesNothing() throws {
        func input(_ lo: BigInt, _ hi: BigInt) -> CompiledInput { CompiledInput(id: "x", lowerBound: lo, upperBound: hi, scale: .one) }
        XCTAssertEqual(try ProofPlan.selfAttestedBounds([input(.zero, BigInt.powerOfTwo(250) - 1)]).map(\.bitWidth), [250, 250])
        XCTAssertEqual(try ProofPlan.selfAttestedBounds([input(.zero, BigInt.powerOfTwo(129))]).map(\.bitWidth), [130, 130])
        XCTAssertEqual(try ProofPlan.selfAttestedBounds([input(BigInt(5), BigInt(5))]).map(\.bitWidth), [1, 1])
        assertSolvencyError("statementMismatch") { try ProofPlan.selfAttestedBounds([input(-BigInt.powerOfTwo(249), BigInt.powerOfTwo(249))]) }
    }

    // MARK: The rule, on the shipped circuits

    func testShippedCircuitsProveEveryConstraintAtItsAnalysedWidth() throws {
        for circuit in shippedCircuits {
            let compiled = try makeBundle(circuit).compiled()
            for mode in [AttestationMode.custodian, .selfAttested] {
                guard let plan = try? ProofPlan(statement: compiled, mode: mode) else { continue }
                for chunk in plan.chunks {
                    for (c, w) in zip(chunk.constraints, chunk.widths) {
                        XCTAssertEqual(plan.constraints[c].bitWidth, w, "\(circuit) \(mode): \(plan.constraints[c].name)")
                        XCTAssertLessThanOrEqual(w, chunk.bits)
                    }
                }
            }
        }
    }
}

extension Array where Element == UInt8 {
    func replacing(_ old: String, with new: String) -> [UInt8] {
        let text = String(decoding: self, as: UTF8.self)
        precondition(text.contains(old), "\(old) not found")
        return Array(text.replacingOccurrences(of: old, with: new).utf8)
    }
}
