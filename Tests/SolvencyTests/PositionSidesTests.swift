import Foundation
import MarginCircuits
import XCTest
import ZKGroup
import ZKProofs
@testable import Solvency
import ZKTestSupport

/// Positions committed as their two sides (long and short parts, both ≥ 0):
/// the custodian commits the canonical split, and a prover that commits any
/// other split (self-attested) can only make its own requirements larger.
final class PositionSidesTests: XCTestCase {
    /// An insolvent self-attested cross-margin account: short 2 BTC-PERP
    /// with too little collateral. The dishonest prover commits the size as
    /// long k, short 2 + k (the same signed size) for many k: |size| is read
    /// as long + short = 2 + 2k, so the requirement only grows and no proof
    /// can be made; the canonical split fails the same way.
    func testBothSidesNonzeroCannotHideAShortfall() throws {
        let bundle = try makeBundle("cross-margin")
        let compiled = try bundle.compiled()
        let account = try Account.decode(from: Data(#"{"account": "fund-short", "balances": {"USDC": "900"}, "positions": {"BTC-PERP": {"size": "-2", "entry_price": "97010.5"}}}"#.utf8))
        XCTAssertFalse(try compiled.evaluate(account).meets)
        assertSolvencyError("marginShortfall") { try Prover.proveSelfAttested(bundle: bundle, account: account, at: testNow) }
        let plan = try ProofPlan(statement: compiled, mode: .selfAttested)
        let honest = try compiled.inputValues(for: account)
        let long = try XCTUnwrap(compiled.inputs.firstIndex { $0.id == "size[BTC-PERP].long" })
        let short = try XCTUnwrap(compiled.inputs.firstIndex { $0.id == "size[BTC-PERP].short" })
        XCTAssertEqual(honest[long], .zero)
        XCTAssertEqual(honest[short], BigInt(200_000_000))
        let requirement = try XCTUnwrap(compiled.constraints.first(where: \.isRequirement))
        var previous: BigInt? = nil
        for k in [BigInt(0), 1, 100_000_000, BigInt.powerOfTwo(40), BigInt(10).power(17) - 200_000_000] {
            var values = honest
            values[long] = k
            values[short] = honest[short] + k
            let excess = requirement.value(values)
            XCTAssertTrue(excess.isNegative, "split k = \(k) hides the shortfall")
            if let previous { XCTAssertTrue(excess < previous, "a larger split must not help") }
            previous = excess
            let openings = values.map { Opening.random(value: Scalar($0, curve: .p256)) }
            let committed = zip(compiled.inputs, openings).map { CommittedInput(id: $0.id, commitment: Commitment($1, generators: .standard(.p256))) }
            XCTAssertThrowsError(try DishonestProver.proof(bundle: bundle, plan: plan, account: account.label, inputs: .selfAttested(committed),
                                                           inputOpenings: openings, helperValues: [], statementDigest: [])) { error in
                guard case RangeProofError.valueOutOfRange = error else { return XCTFail("\(error)") }
            }
        }
    }

    /// A side may only stand where a larger value can only hurt the account:
    /// `max(size, 0)` (the long side) on the equity side would let a
    /// self-attesting prover inflate equity with a non-canonical split, and
    /// the checker refuses it; `min(size, 0)` (minus the short side) on the
    /// equity side and `max(-size, 0)` on the requirement side are accepted.
    func testASidePlacedWhereInflatingItHelpsIsRefused() throws {
        let head = """
            set instruments
            param mark[i in instruments] >= 0
            private size[i in instruments] from size in [-1e9, 1e9] scale 1e-8
            """
        for bad in ["require r: sum(i in instruments: max(size[i], 0) * mark[i]) >= 1",
                    "require r: 1 >= sum(i in instruments: min(size[i], 0) * mark[i])",
                    "require r: sum(i in instruments: abs(size[i]) * mark[i]) >= 1"] {
            XCTAssertThrowsError(try Circuit(source: head + "\n" + bad, fileName: "sides.zkm"), bad) { error in
                XCTAssertTrue("\(error)".contains("where") || "\(error)".contains("convex") || "\(error)".contains("concave"), "\(error)")
            }
        }
        let values = try RiskValues.decode(from: Data(#"{"venue": "V", "quote": "USD", "circuit": "sides", "instruments": [{"id": "X", "mark": "2"}]}"#.utf8))
        for good in ["require r: sum(i in instruments: min(size[i], 0) * mark[i]) + 10 >= 0",
                     "require r: 10 >= sum(i in instruments: max(-size[i], 0) * mark[i])"] {
            let s = try compile(circuitSource: head + "\n" + good, fileName: "sides.zkm", values: values)
            XCTAssertEqual(s.helpers.count, 0, good)
            let account = try Account.decode(from: Data(#"{"account": "a", "positions": {"X": {"size": "-3"}}}"#.utf8))
            XCTAssertEqual(try s.evaluate(account).binding!.excess, Rational(4), good)   // 10 − 3·2
            XCTAssertEqual(Rational(s.constraints[0].value(try s.inputValues(for: account))) / s.constraints[0].scale, Rational(4), good)
        }
    }

    /// The custodian commits the canonical split of every position: long
    /// max(size, 0), short max(−size, 0), and the cost of all positions once.
    func testTheCustodianCommitsTheCanonicalSplit() throws {
        let bundle = try makeBundle("cross-margin")
        let account = try Account.decode(from: Data(#"{"account": "a", "positions": {"BTC-PERP": {"size": "1.5", "entry_price": "90000"}, "ETH-PERP": {"size": "-2", "entry_price": "3000"}}}"#.utf8))
        let (_, openings) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow)
        let byID = Dictionary(uniqueKeysWithValues: openings.entries.map { ($0.id, $0.value) })
        XCTAssertEqual(byID["size[BTC-PERP].long"], BigInt(150_000_000))
        XCTAssertEqual(byID["size[BTC-PERP].short"], .zero)
        XCTAssertEqual(byID["size[ETH-PERP].long"], .zero)
        XCTAssertEqual(byID["size[ETH-PERP].short"], BigInt(200_000_000))
        // 1.5 × 90000 − 2 × 3000 = 129000 at scale 1e-12.
        XCTAssertEqual(byID["sum(cost)"], BigInt(129_000) * BigInt(10).power(12))
    }
}
