import Foundation
import MarginCircuits
import XCTest
import ZKGroup
import ZKProofs
@testable import Solvency
import ZKTestSupport

/// Signed balances committed as their asset and liability parts (both ≥ 0):
/// the custodian commits the canonical split, and a prover that commits any
/// other split (self-attested) cannot gain by it. With asset = A + d and
/// liability = L + d, the library's collateral `balance·price −
/// max(balance, 0)·price·haircut` reads price·(1 − haircut)·(A + d) −
/// price·(L + d), which is the true collateral − price·haircut·d: never more.
final class SignedBalanceSplitTests: XCTestCase {
    /// cross-margin with BTC (haircut 0.05) borrowable up to 100 and USDC
    /// (no haircut) up to 10^7, as in the example values.
    func borrowingBundle() throws -> RiskBundle {
        try makeBundle("cross-margin", values: try Repository.forTests.example("cross-margin", "values.json")
            .replacing(#"{ "id": "BTC", "price": "97000", "haircut": "0.05" }"#,
                       with: #"{ "id": "BTC", "price": "97000", "haircut": "0.05", "max_borrow": "100" }"#))
    }

    /// An insolvent self-attested account: 1 BTC borrowed against
    /// 96999.99999999 USDC, short by 10^-8 USD. The dishonest prover commits
    /// each balance with both parts raised by the same d (the same signed
    /// balance): on BTC every d costs it 97000·0.05 per BTC, on USDC it
    /// changes nothing, so no split meets the requirement and no proof can
    /// be made; the canonical split fails the same way.
    func testInflatingBothPartsCannotHideAShortfall() throws {
        let bundle = try borrowingBundle()
        let compiled = try bundle.compiled()
        let account = try Account.decode(from: Data(#"{"account": "fund-borrow", "balances": {"BTC": "-1", "USDC": "96999.99999999"}}"#.utf8))
        XCTAssertEqual(try compiled.evaluate(account).binding!.excess, Rational(-1) / Rational(100_000_000))
        assertSolvencyError("marginShortfall") { try Prover.proveSelfAttested(bundle: bundle, account: account, at: testNow) }
        let plan = try ProofPlan(statement: compiled, mode: .selfAttested)
        let honest = try compiled.inputValues(for: account)
        func index(_ id: String) throws -> Int { try XCTUnwrap(compiled.inputs.firstIndex { $0.id == id }, id) }
        let btc = (asset: try index("balance[BTC].asset"), liability: try index("balance[BTC].liability"))
        let usdc = (asset: try index("balance[USDC].asset"), liability: try index("balance[USDC].liability"))
        XCTAssertEqual(honest[btc.asset], .zero)
        XCTAssertEqual(honest[btc.liability], BigInt(100_000_000))
        XCTAssertEqual(honest[usdc.asset], BigInt("9699999999999")!)
        XCTAssertEqual(honest[usdc.liability], .zero)
        XCTAssertEqual(compiled.helpers.count, 0)
        let requirement = try XCTUnwrap(compiled.constraints.first(where: \.isRequirement))
        let honestExcess = requirement.value(honest)
        XCTAssertTrue(honestExcess.isNegative)
        // What one unit of d on BTC's parts costs, in the form's units: 97000·0.05 USD per BTC.
        let btcCost = -(requirement.terms.first { $0.index == btc.asset }!.coefficient + requirement.terms.first { $0.index == btc.liability }!.coefficient)
        XCTAssertEqual(Rational(btcCost) / requirement.scale, Rational(4850) / Rational(100_000_000))
        var previous = honestExcess
        for d in [BigInt(1), 100_000_000, BigInt.powerOfTwo(30), BigInt(10).power(10) - 100_000_000] {
            for (parts, gain) in [([btc.asset, btc.liability], -d * btcCost), ([usdc.asset, usdc.liability], BigInt.zero),
                                  ([btc.asset, btc.liability, usdc.asset, usdc.liability], -d * btcCost)] {
                var values = honest
                for j in parts { values[j] = values[j] + d }
                let excess = requirement.value(values)
                XCTAssertEqual(excess, honestExcess + gain, "d = \(d) on \(parts)")
                XCTAssertTrue(excess.isNegative, "d = \(d) on \(parts) hides the shortfall")
                let openings = values.map { Opening.random(value: Scalar($0, curve: .p256)) }
                let committed = zip(compiled.inputs, openings).map { CommittedInput(id: $0.id, commitment: Commitment($1, generators: .standard(.p256))) }
                XCTAssertThrowsError(try DishonestProver.proof(bundle: bundle, plan: plan, account: account.label, inputs: .selfAttested(committed),
                                                               inputOpenings: openings, helperValues: [], statementDigest: [])) { error in
                    guard case RangeProofError.valueOutOfRange = error else { return XCTFail("\(error)") }
                }
            }
            // A larger d only costs more.
            var values = honest
            values[btc.asset] = values[btc.asset] + d
            values[btc.liability] = values[btc.liability] + d
            XCTAssertTrue(requirement.value(values) < previous)
            previous = requirement.value(values)
        }
    }

    /// The custodian commits the canonical split of every signed balance:
    /// asset max(balance, 0), liability max(−balance, 0); an honest prover
    /// then proves the solvent borrowed example and refuses the short one.
    func testTheCustodianCommitsTheCanonicalSplitOfABorrowedBalance() throws {
        let bundle = try makeBundle("cross-margin")
        let solvent = try Repository.forTests.exampleAccount("cross-margin", "borrowed-solvent")
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: solvent, key: TestKeys.custodian, at: testNow)
        let byID = Dictionary(uniqueKeysWithValues: openings.entries.map { ($0.id, $0.value) })
        XCTAssertEqual(byID["balance[BTC]"], BigInt(125_000_000))
        XCTAssertEqual(byID["balance[USDC].asset"], .zero)
        XCTAssertEqual(byID["balance[USDC].liability"], BigInt(10_000_000_000_000))   // 100000 USDC at 10^-8
        let proof = try Prover.prove(bundle: bundle, statement: statement, openings: openings, at: testNow)
        let report = try Verifier.verify(bundle: bundle, proofs: [("borrowed.json", proof.encoded())], policy: policy())
        XCTAssertTrue(report.allValid, "\(report)")
        let short = try Repository.forTests.exampleAccount("cross-margin", "borrowed-short")
        let (s2, o2) = try Custodian.attest(bundle: bundle, account: short, key: TestKeys.custodian, at: testNow)
        assertSolvencyError("marginShortfall") { try Prover.prove(bundle: bundle, statement: s2, openings: o2, at: testNow) }
        // Beyond max_borrow the custodian refuses to attest, naming the field and the value.
        let over = try Account.decode(from: Data(#"{"account": "a", "balances": {"USDC": "-10000000.00000001"}}"#.utf8))
        XCTAssertThrowsError(try Custodian.attest(bundle: bundle, account: over, key: TestKeys.custodian, at: testNow)) { error in
            XCTAssertTrue("\(error)".contains(#"account.balances["USDC"]: -10000000.00000001 is outside the circuit's declared bounds for `balance` [-10000000, 1000000000000]"#), "\(error)")
        }
    }
}
