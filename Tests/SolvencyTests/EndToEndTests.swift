import Foundation
import MarginCircuits
import StrictJSON
import XCTest
import ZKGroup
@testable import Solvency
import ZKTestSupport

/// publish → attest → prove → verify through the library, for every shipped
/// circuit with its example values (Vectors/examples/) on both curves, and
/// the verifier's rejections of proofs.
final class EndToEndTests: XCTestCase {
    func checkFlow(_ circuit: String, _ curve: Curve, file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try Fixtures.flow(circuit, curve: curve)
        let report = try Verifier.verify(bundle: f.bundle, proofs: [("\(circuit).json", f.proofBytes)], policy: policy())
        guard case .success(let accepted) = report.verdicts[0].result else {
            return XCTFail("\(circuit)/\(curve): \(report.verdicts[0].result)", file: file, line: line)
        }
        XCTAssertTrue(accepted.attested, file: file, line: line)
        XCTAssertEqual(accepted.custodianKeyID, TestKeys.custodian.verifyingKey.id, file: file, line: line)
        XCTAssertEqual(accepted.requirements, try f.bundle.compiled().constraints.filter(\.isRequirement).map(\.name), file: file, line: line)
        XCTAssertTrue(report.lines[0].hasPrefix("VALID    \(circuit).json: account"), report.lines[0], file: file, line: line)
        // The proof file decodes to itself.
        XCTAssertEqual(try MarginProof(encoded: f.proofBytes).encoded(), f.proofBytes, file: file, line: line)
    }

    func testThresholdP256() throws { try checkFlow("threshold", .p256) }
    func testThresholdSecp256k1() throws { try checkFlow("threshold", .secp256k1) }
    func testCrossMarginP256() throws { try checkFlow("cross-margin", .p256) }
    func testCrossMarginSecp256k1() throws { try checkFlow("cross-margin", .secp256k1) }
    func testTieredMarginP256() throws { try checkFlow("tiered-margin", .p256) }
    func testTieredMarginSecp256k1() throws { try checkFlow("tiered-margin", .secp256k1) }
    func testRoundedMarginP256() throws { try checkFlow("rounded-margin", .p256) }
    func testRoundedMarginSecp256k1() throws { try checkFlow("rounded-margin", .secp256k1) }
    func testPortfolioMarginP256() throws { try checkFlow("portfolio-margin", .p256) }
    func testPortfolioMarginSecp256k1() throws { try checkFlow("portfolio-margin", .secp256k1) }
    func testOptionsStandardP256() throws { try checkFlow("options-standard", .p256) }
    func testOptionsStandardSecp256k1() throws { try checkFlow("options-standard", .secp256k1) }

    func testEveryShippedCircuitHasATest() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repository.forTests.path("Circuits")).filter { $0.hasSuffix(".zkm") }
        XCTAssertEqual(Set(files.map { String($0.dropLast(4)) }), Set(shippedCircuits), "a circuit was added or removed: update shippedCircuits and EndToEndTests")
    }

    func testManyProofsBatchVerifiedAndTheBadOneNamed() throws {
        let f = try Fixtures.flow()
        var bad = f.proofBytes
        bad = try editJSON(bad) { o in
            guard case .array(var ps) = o["range_proofs"]!, case .object(var p) = ps[0], case .string(let s) = p["proof"]!, var raw = Base64.decode(s) else { return }
            raw[raw.count - 40] ^= 0x01   // inside a scalar: still canonical, but wrong
            p["proof"] = .string(Base64.encode(raw))
            ps[0] = .object(p)
            o["range_proofs"] = .array(ps)
        }
        let report = try Verifier.verify(bundle: f.bundle, proofs: [("a.json", f.proofBytes), ("bad.json", bad), ("b.json", f.proofBytes), ("empty.json", [])], policy: policy())
        XCTAssertEqual(report.verdicts.map(\.isValid), [true, false, true, false])
        XCTAssertFalse(report.allValid)
        guard case .failure(let e) = report.verdicts[1].result, case .failure(let empty) = report.verdicts[3].result else { return XCTFail() }
        XCTAssertEqual(e.code, "proofInvalid")
        XCTAssertEqual(empty.code, "malformed")
        XCTAssertTrue(report.lines[1].hasPrefix("INVALID  bad.json: the range proofs do not verify"), report.lines[1])
        XCTAssertTrue(report.summary.hasPrefix("2 of 4 proofs valid"), report.summary)
        guard let o = assertVerdict(report.json), case .array(let proofs) = o["proofs"]!, case .object(let p1) = proofs[1], case .object(let err) = p1["error"]! else { return XCTFail() }
        XCTAssertEqual(o["valid"], .bool(false))
        XCTAssertEqual(err["code"], .string("proofInvalid"))
    }

    func testSelfAttestedProofsNeedTheFlagAndBoundEveryInput() throws {
        let (bundle, account) = try smallBundle("threshold")
        let proof = try Prover.proveSelfAttested(bundle: bundle, account: account, at: testNow)
        XCTAssertEqual(proof.mode, .selfAttested)
        let bytes = proof.encoded()
        let e = assertSolvencyError("selfAttestedNotAllowed") {
            if case .failure(let e) = try verdict(bytes, bundle: bundle, policy: policy()) { throw e }
        }
        XCTAssertEqual(e?.description, "self-attested proof: no custodian vouches for its inputs, and self-attested proofs are not accepted")
        let report = try Verifier.verify(bundle: bundle, proofs: [("self.json", bytes)], policy: policy(custodian: nil, selfAttested: true))
        guard case .success(let accepted) = report.verdicts[0].result else { return XCTFail("\(report.verdicts[0].result)") }
        XCTAssertFalse(accepted.attested)
        XCTAssertTrue(report.lines[0].hasPrefix("VALID (UNATTESTED)"), report.lines[0])
        XCTAssertTrue(report.summary.contains("UNATTESTED"))
        // Two bound constraints per input (the example's spans are not 2^w − 1).
        let plan = try ProofPlan(statement: bundle.compiled(), mode: .selfAttested)
        let compiled = try bundle.compiled()
        XCTAssertEqual(plan.constraints.count, compiled.constraints.count + 2 * compiled.inputs.count)
        // A self-attested proof cannot pass as custodian-attested, or vice versa.
        let relabelled = try editJSON(bytes) { o in
            o["attestation"] = .string("custodian")
            o["statement"] = .object(try! Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow).statement.envelope.json)
            o["inputs"] = nil
        }
        assertInvalid(relabelled, bundle: bundle, code: "proofMismatch", contains: "range proof 0 is for n = 128, m = 3; the circuit needs n = 128, m = 1")
    }

    func testSelfAttestedBoundsAreSound() throws {
        // The bound constraints pin x to [lower, upper] exactly: check them
        // over the integers at and beyond each edge.
        let compiled = try makeBundle("cross-margin").compiled()
        let bounds = try ProofPlan.selfAttestedBounds(compiled.inputs)
        for (j, input) in compiled.inputs.enumerated() {
            let mine = bounds.filter { $0.terms.map(\.index) == [j] }
            func holds(_ x: BigInt) -> Bool {
                mine.allSatisfy { c in
                    let v = c.terms[0].coefficient * x + c.constant
                    return !v.isNegative && v < BigInt.powerOfTwo(c.bitWidth)
                }
            }
            XCTAssertTrue(holds(input.lowerBound) && holds(input.upperBound), input.id)
            XCTAssertFalse(holds(input.lowerBound - 1), input.id)
            XCTAssertFalse(holds(input.upperBound + 1), input.id)
        }
    }

    func testProverRefusesAnAccountShortOfMargin() throws {
        let bundle = try makeBundle()
        let short = try Repository.forTests.exampleAccount("cross-margin", "short")
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: short, key: TestKeys.custodian, at: testNow)
        let e = assertSolvencyError("marginShortfall") { try Prover.prove(bundle: bundle, statement: statement, openings: openings, at: testNow) }
        guard case .marginShortfall(let s) = e else { return }
        let report = try bundle.compiled().evaluate(short)
        XCTAssertEqual(s.requirement, report.binding?.name)
        XCTAssertEqual(s.shortfall, -report.binding!.excess)
        XCTAssertEqual(e?.description, "the account does not meet its margin: requirement `maintenance` is short by 0.00001 USD; no proof was made")
        assertSolvencyError("marginShortfall") { try Prover.proveSelfAttested(bundle: bundle, account: short, at: testNow) }
        // At exactly the margin, it proves (excess 0 is ≥ 0): checked without proving here.
        let atMargin = try Repository.forTests.exampleAccount("cross-margin", "at-margin")
        let values = try bundle.compiled().inputValues(for: atMargin)
        XCTAssertEqual(Prover.excesses(compiled: try bundle.compiled(), inputValues: values).first?.excess, .zero)
    }

    func testProverExcessesMatchThePlainEvaluator() throws {
        for circuit in shippedCircuits {
            let compiled = try makeBundle(circuit).compiled()
            for name in ["solvent", "at-margin", "short"] {
                let account = try Repository.forTests.exampleAccount(circuit, name)
                let plain = try compiled.evaluate(account)
                let mine = Prover.excesses(compiled: compiled, inputValues: try compiled.inputValues(for: account))
                XCTAssertEqual(mine.map(\.name), plain.requirements.map(\.name), "\(circuit)/\(name)")
                XCTAssertEqual(mine.map(\.excess), plain.requirements.map(\.excess), "\(circuit)/\(name)")
            }
        }
    }

    // MARK: Rejections (each with its own message)

    func testProofMadeForAnotherBundle() throws {
        let f = try Fixtures.flow()
        let other = try makeBundle(epoch: "2025-11-25T13:00:00Z")
        assertInvalid(f.proofBytes, bundle: other, code: "proofForAnotherBundle",
                      contains: "the proof was made for another risk bundle (\(f.bundle.digestHex.prefix(16))…), not for the bundle given (\(other.digestHex.prefix(16))…)")
        // Re-pointing the proof at the other bundle: now its statement is for another bundle.
        let repointed = try editJSON(f.proofBytes) { $0["bundle"] = .string(other.digestHex); $0["epoch"] = .string(other.epoch) }
        assertInvalid(repointed, bundle: other, code: "statementForAnotherBundle")
    }

    func testStatementSignedByAnotherKey() throws {
        let f = try Fixtures.flow()
        assertInvalid(f.proofBytes, bundle: f.bundle, policy: policy(custodian: TestKeys.otherCustodian.verifyingKey), code: "wrongSigner",
                      contains: "the custodian statement is signed by key \(TestKeys.custodian.verifyingKey.id.prefix(16)), not by the custodian key \(TestKeys.otherCustodian.verifyingKey.id.prefix(16)) you trust")
        assertInvalid(f.proofBytes, bundle: f.bundle, policy: policy(custodian: nil), code: "custodianKeyRequired")
        // A statement forged with another key and spliced into the proof.
        let forged = try resign(f.statement.encoded(), kind: .statement, key: TestKeys.otherCustodian) { $0["custodian"] = .string(TestKeys.otherCustodian.verifyingKey.id) }
        let spliced = try editJSON(f.proofBytes) { o in
            guard case .object(let env) = try! JSONParser.parse(forged) else { return }
            o["statement"] = .object(env)
        }
        assertInvalid(spliced, bundle: f.bundle, code: "wrongSigner")
    }

    func testCommitmentsSwappedBetweenTwoAccounts() throws {
        let f = try Fixtures.flow()
        let other = try Custodian.attest(bundle: f.bundle, account: Repository.forTests.exampleAccount("cross-margin", "at-margin"), key: TestKeys.custodian, at: testNow)
        // 1. Another account's (validly signed) statement in this proof, label kept: the statement does not match the proof.
        let swapped = try editJSON(f.proofBytes) { $0["statement"] = .object(other.statement.envelope.json) }
        assertInvalid(swapped, bundle: f.bundle, code: "statementMismatch",
                      contains: "the statement is for account \"fund-7/subacct-3\", the proof claims account \"fund-7/subacct-2\"")
        // 2. …and relabelled to that account: the range proofs do not verify against its commitments.
        let relabelled = try editJSON(swapped) { $0["account"] = .string("fund-7/subacct-3") }
        assertInvalid(relabelled, bundle: f.bundle, code: "proofInvalid", contains: "the range proofs do not verify")
        // 3. The other statement's commitments copied into this statement (they are outside
        //    the signature): their digest is not the one signed.
        let copied = try editStatement(f.proofBytes) { $0["commitments"] = .string(other.statement.envelope.commitmentsBase64!) }
        assertInvalid(copied, bundle: f.bundle, code: "statementMismatch", contains: "the statement's commitments are not the ones its custodian signed")
        // …with their digest too: the signature breaks.
        let otherDigest = try other.statement.envelope.payloadObject()["commitments"]!
        let tampered = try editJSON(try tamperPayload(f.statement.encoded()) { $0["commitments"] = otherDigest }) {
            $0["commitments"] = .string(other.statement.envelope.commitmentsBase64!)
        }
        let spliced = try editJSON(f.proofBytes) { o in
            guard case .object(let env) = try! JSONParser.parse(tampered) else { return }
            o["statement"] = .object(env)
        }
        assertInvalid(spliced, bundle: f.bundle, code: "signatureInvalid", contains: "the signature on the custodian statement does not verify")
        // 4. Two of this statement's own commitments swapped: the digest differs.
        var slots = commitmentSlots(f.statement.envelope.commitmentsBase64!)
        slots.swapAt(0, 1)
        let inner = try editJSON(f.statement.encoded()) { $0["commitments"] = .string(commitmentText(slots)) }
        assertSolvencyError("statementMismatch") { try AttestedStatement(encoded: inner) }
    }

    func testTamperedProofFields() throws {
        // Tiered margin: its tier maxima are helper commitments, and it has
        // more than one range proof.
        let f = try Fixtures.flow("tiered-margin")
        let b = f.bundle
        assertInvalid(try editJSON(f.proofBytes) { $0["epoch"] = .string("2025-11-26T12:00:00Z") }, bundle: b, code: "proofMismatch", contains: "epoch")
        // On another curve the helper commitments may not even decode; either way it is refused.
        switch try verdict(try editJSON(f.proofBytes) { $0["curve"] = .string("secp256k1") }, bundle: b, policy: policy()) {
        case .success: XCTFail("a proof relabelled to another curve verified")
        case .failure(let e): XCTAssertTrue(["field", "proofMismatch"].contains(e.code), "\(e)")
        }
        assertInvalid(try editJSON(f.proofBytes) { $0["circuit"] = .string("threshold") }, bundle: b, code: "proofMismatch", contains: "circuit")
        assertInvalid(try editJSON(f.proofBytes) { $0["claims"] = .array([]) }, bundle: b, code: "proofMismatch", contains: "claims")
        assertInvalid(try editJSON(f.proofBytes) { $0["helpers"] = .string("") }, bundle: b, code: "proofMismatch",
                      contains: "proof.helpers has 0 commitments, the circuit has 2")
        assertInvalid(try editJSON(f.proofBytes) { $0["helpers"] = .array([]) }, bundle: b, code: "field", contains: "proof.helpers: expected a string")
        assertInvalid(try editJSON(f.proofBytes) { o in
            guard case .array(let ps) = o["range_proofs"]! else { return }
            o["range_proofs"] = .array(Array(ps.dropLast()))
        }, bundle: b, code: "proofMismatch", contains: "range proofs")
        assertInvalid(try editJSON(f.proofBytes) { o in
            guard case .array(var ps) = o["range_proofs"]!, case .object(var p) = ps[0] else { return }
            p["n"] = .number("128")
            ps[0] = .object(p)
            o["range_proofs"] = .array(ps)
        }, bundle: b, code: "proofMismatch", contains: "n = 128")
        // A helper commitment replaced by another valid point.
        func helperSlot(_ k: Int, _ bytes: [UInt8]) throws -> [UInt8] {
            try editJSON(f.proofBytes) { o in
                guard case .string(let text) = o["helpers"]! else { return }
                var slots = commitmentSlots(text)
                slots[k] = bytes
                o["helpers"] = .string(commitmentText(slots))
            }
        }
        assertInvalid(try helperSlot(0, try Point.generator(.p256).compressed()), bundle: b, code: "proofInvalid")
        // A non-canonical point, a truncated range proof.
        assertInvalid(try helperSlot(1, [0x05] + [UInt8](repeating: 1, count: 32)), bundle: b, code: "field",
                      contains: "proof.helpers: commitment 1 (\"max(t in tiers: …) at line 61 [i=ETH-PERP]\"), bytes 33–65, is not a valid p256 point")
        assertInvalid(try editJSON(f.proofBytes) { o in
            guard case .array(var ps) = o["range_proofs"]!, case .object(var p) = ps[0], case .string(let s) = p["proof"]! else { return }
            p["proof"] = .string(Base64.encode(Array(Base64.decode(s)!.dropLast(32))))
            ps[0] = .object(p)
            o["range_proofs"] = .array(ps)
        }, bundle: b, code: "proofInvalid", contains: "range proof 0: proof must be")
        // Unknown fields are refused, not ignored.
        assertInvalid(try editJSON(f.proofBytes) { $0["note"] = .string("trust me") }, bundle: b, code: "field", contains: "unknown field")
    }

    func testProofFilesTruncatedGarbledEmptyOrOfAnotherVersion() throws {
        let f = try Fixtures.flow()
        let b = f.bundle
        assertInvalid([], bundle: b, code: "malformed", contains: "empty")
        for cut in [10, f.proofBytes.count / 2, f.proofBytes.count - 2] {
            assertInvalid(Array(f.proofBytes.prefix(cut)), bundle: b, code: "malformed", contains: "truncated")
        }
        assertInvalid(Array("\u{0}\u{1}garbage\u{ff}".utf8), bundle: b, code: "malformed")
        var garbled = f.proofBytes
        for i in stride(from: 100, to: garbled.count, by: 97) { garbled[i] = UInt8(ascii: "#") }
        XCTAssertFalse(try verdict(garbled, bundle: b, policy: policy()).isSuccess)
        assertInvalid(try editJSON(f.proofBytes) { $0["format"] = .string("zkmargin/proof@3") }, bundle: b, code: "unsupportedVersion",
                      contains: "margin proof in format \"zkmargin/proof@3\", which this build does not read (it reads \"zkmargin/proof@2\"); use a matching zkmargin version")
        assertInvalid(try editJSON(f.proofBytes) { $0["format"] = .string("zkmargin/proof@1") }, bundle: b, code: "unsupportedVersion",
                      contains: "margin proof in format \"zkmargin/proof@1\", which this build does not read (it reads \"zkmargin/proof@2\"): make the proof again with this version")
        assertInvalid(try editJSON(f.proofBytes) { $0["format"] = .string("zkproof/v9") }, bundle: b, code: "unknownFormat")
        assertInvalid(f.bundle.encoded(), bundle: b, code: "wrongFileKind")
    }
}

extension Result {
    var isSuccess: Bool { if case .success = self { return true } else { return false } }
    var failureDescription: String? { if case .failure(let e) = self { return "\(e)" } else { return nil } }
}
