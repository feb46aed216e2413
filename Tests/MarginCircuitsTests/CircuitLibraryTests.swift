import Foundation
import XCTest
@testable import MarginCircuits
import ZKTestSupport

/// Every shipped circuit against figures worked out by hand, on the example
/// values and accounts in Vectors/examples/<circuit>/.
final class CircuitLibraryTests: XCTestCase {
    func report(_ circuit: String, _ which: String) throws -> MarginReport {
        try compiledExample(circuit).evaluate(try Repository.forTests.exampleAccount(circuit, which))
    }

    func requirement(_ r: MarginReport, _ name: String) -> RequirementReport {
        r.requirements.first { $0.name == name }!
    }

    // threshold: min_value 250000; prices BTC 97000, ETH 3400 (haircut 0.1), USDC 1.
    func testThreshold() throws {
        // solvent: 2·97000 + 10·3400·0.9 + 100000 = 194000 + 30600 + 100000 = 324600
        var r = try report("threshold", "solvent")
        XCTAssertTrue(r.meets)
        XCTAssertEqual(requirement(r, "min_value").equity, dec("324600"))
        XCTAssertEqual(requirement(r, "min_value").requirement, dec("250000"))
        XCTAssertEqual(requirement(r, "min_value").excess, dec("74600"))
        // at margin: 1.5·97000 + 30600 + 73900 = 145500 + 30600 + 73900 = 250000
        r = try report("threshold", "at-margin")
        XCTAssertTrue(r.meets)
        XCTAssertEqual(r.binding!.excess, .zero)
        // short: USDC 73899.99 → 249999.99, short by 0.01
        r = try report("threshold", "short")
        XCTAssertFalse(r.meets)
        XCTAssertEqual(r.binding!.excess, dec("-0.01"))
    }

    // cross-margin: BTC 97000 haircut 0.05, USDC 1; BTC-PERP mark 97010.5 mm 0.005,
    // ETH-PERP mark 3400.25 mm 0.01, multipliers 1.
    func testCrossMargin() throws {
        // collateral = 1.25·97000·0.95 + 50000 = 115187.5 + 50000 = 165187.5
        // PnL BTC-PERP = −2.5·97010.5 − (−2.5·96000) = −242526.25 + 240000 = −2526.25
        // PnL ETH-PERP = 10·3400.25 − 10·3400 = 2.5
        // equity = 165187.5 − 2526.25 + 2.5 = 162663.75
        // MM = 2.5·97010.5·0.005 + 10·3400.25·0.01 = 1212.63125 + 340.025 = 1552.65625
        // excess = 162663.75 − 1552.65625 = 161111.09375
        var r = try report("cross-margin", "solvent")
        XCTAssertTrue(r.meets)
        let m = requirement(r, "maintenance")
        XCTAssertEqual(m.equity, dec("162663.75"))
        XCTAssertEqual(m.requirement, dec("1552.65625"))
        XCTAssertEqual(m.excess, dec("161111.09375"))
        // at margin: USDC X with the same positions: X − 2523.75 = 1552.65625 → X = 4076.40625
        r = try report("cross-margin", "at-margin")
        XCTAssertTrue(r.meets)
        XCTAssertEqual(r.binding!.equity, dec("1552.65625"))
        XCTAssertEqual(r.binding!.excess, .zero)
        // short: X = 4076.40624 → excess −0.00001
        r = try report("cross-margin", "short")
        XCTAssertFalse(r.meets)
        XCTAssertEqual(r.binding!.excess, dec("-0.00001"))
    }

    // rounded-margin: BTC 97000 haircut 0.05, USDC 1; BTC-USD mark 97010.5 (size step
    // 1e-10), ETH-USD mark 3400.25 (1e-9), both im_rate 0.05 and mm_fraction 0.6;
    // quantum 1e-6 USDC. Positions BTC-USD −2.5000000001, ETH-USD +10.000000001.
    func testRoundedMargin() throws {
        // values: BTC-USD −242526.25000970105, floored to −242526.250010 (the chain
        // truncates to −242526.250009: one quantum stricter); ETH-USD
        // 34002.50000340025 → 34002.500003 (the chain's too).
        // equity = 0.5·97000·0.95 + 230000 − 242526.25001 + 34002.500003 = 67551.249993
        // BTC: |n| truncated 242526.250009; ×0.05 = 12126.31250045 → 12126.312501;
        //      ×0.6 = 7275.7875006 → 7275.787501
        // ETH: 34002.500003; ×0.05 = 1700.12500015 → 1700.125001; ×0.6 = 1020.0750006 → 1020.075001
        // requirement = 8295.862502 (unrounded: 8295.8625018…); excess 59255.387491
        var r = try report("rounded-margin", "solvent")
        XCTAssertTrue(r.meets)
        let m = requirement(r, "maintenance")
        XCTAssertEqual(m.equity, dec("67551.249993"))
        XCTAssertEqual(m.requirement, dec("8295.862502"))
        XCTAssertEqual(m.excess, dec("59255.387491"))
        // at margin: USDC X with X − 162448.750007 = 8295.862502 → X = 170744.612509
        r = try report("rounded-margin", "at-margin")
        XCTAssertTrue(r.meets)
        XCTAssertEqual(r.binding!.excess, .zero)
        // short: one quantum less
        r = try report("rounded-margin", "short")
        XCTAssertFalse(r.meets)
        XCTAssertEqual(r.binding!.excess, dec("-0.000001"))
        // notional_slack makes the chain's truncation of |n| exact: 6 ETH quanta
        // (0.000000006 ETH) are worth 0.0000204015, which the chain truncates to
        // 0.00002; ×0.05 = 0.000001 exactly; ×0.6 → 0.000001. Rounding the
        // untruncated value instead would give ⌈0.00000102…⌉ = 0.000002, then 0.000002.
        let six = try compiledExample("rounded-margin").evaluate(Account(label: "six", balances: [:], positions: ["ETH-USD": .init(size: dec("0.000000006"), entryPrice: nil)]))
        XCTAssertEqual(six.binding!.requirement, dec("0.000001"))
        XCTAssertEqual(six.binding!.equity, dec("0.00002"))
        // The slack is in quanta and declared in [0, 1], so no values can shave
        // more than one quantum per position off the chain's requirement.
        let values = String(decoding: try Repository.forTests.example("rounded-margin", "values.json"), as: UTF8.self)
        let tooMuch = values.replacingOccurrences(of: #""notional_slack": "0.99975""#, with: #""notional_slack": "1.5""#)
        XCTAssertNotEqual(tooMuch, values)
        XCTAssertThrowsError(try compile(circuitSource: try Repository.forTests.circuitSource("rounded-margin"), fileName: "rounded-margin.zkm",
                                         values: try RiskValues.decode(from: Data(tooMuch.utf8)))) {
            XCTAssertTrue("\($0)".contains("notional_slack: 1.5 is outside the declared range"), "\($0)")
        }
    }

    // tiered-margin: BTC-PERP mark 97000, tiers (0.004, 0), (0.005, 50), (0.01, 1300);
    // ETH-PERP mark 3500, tiers (0.005, 0), (0.0065, 75), tier 3 defaults to (0, 0).
    func testTieredMargin() throws {
        // BTC-PERP notional 3·97000 = 291000: tiers 1164, 1455 − 50 = 1405, 2910 − 1300 = 1610 → 1610
        // ETH-PERP notional 20·3500 = 70000: tiers 350, 455 − 75 = 380, 0 → 380
        // MM = 1990
        // collateral = 0.5·97000·0.95 + 100000 = 46075 + 100000 = 146075
        // PnL = (−3·97000 + 288000) + (20·3500 − 68000) = −3000 + 2000 = −1000
        // equity = 145075, excess = 143085
        var r = try report("tiered-margin", "solvent")
        XCTAssertTrue(r.meets)
        XCTAssertEqual(r.binding!.equity, dec("145075"))
        XCTAssertEqual(r.binding!.requirement, dec("1990"))
        XCTAssertEqual(r.binding!.excess, dec("143085"))
        // at margin: USDC 2990 − 1000 = 1990
        r = try report("tiered-margin", "at-margin")
        XCTAssertTrue(r.meets)
        XCTAssertEqual(r.binding!.excess, .zero)
        r = try report("tiered-margin", "short")
        XCTAssertFalse(r.meets)
        XCTAssertEqual(r.binding!.excess, dec("-0.01"))
    }

    func testTieredMarginBracketsAreContinuous() throws {
        // At the bracket boundary 50000 (BTC) tiers 1 and 2 agree: 0.004·50000 = 200 = 0.005·50000 − 50.
        let s = try compiledExample("tiered-margin")
        let a = try account(#"{"account": "x", "balances": {"USDC": "1000"}, "positions": {"BTC-PERP": {"size": "0.51546391", "entry_price": "97000"}}}"#)
        // not a round notional; just check forms agree on an odd size
        try assertFormsAgree(s, a)
        // notional exactly 250000 → tier 2: 1250 − 50 = 1200, tier 3: 2500 − 1300 = 1200
        let b = try account(#"{"account": "y", "balances": {"USDC": "5000"}, "positions": {"ETH-PERP": {"size": "0"}, "BTC-PERP": {"size": "-2.5", "entry_price": "100000"}}}"#)
        let s2 = try compile(circuitSource: try Repository.forTests.circuitSource("tiered-margin"), fileName: "tiered-margin.zkm", values: try values("""
            {"venue": "v", "quote": "USD", "circuit": "tiered-margin",
             "assets": [{"id": "USDC", "price": "1"}], "tiers": ["1", "2", "3"],
             "instruments": [{"id": "BTC-PERP", "mark": "100000",
                "mm_rate": {"1": "0.004", "2": "0.005", "3": "0.01"}, "deduction": {"1": "0", "2": "50", "3": "1300"}},
                {"id": "ETH-PERP", "mark": "3500"}]}
            """))
        let r = try s2.evaluate(b)
        // equity = 5000 + (−2.5·100000 + 250000) = 5000; MM = 1200; excess 3800
        XCTAssertEqual(r.binding!.requirement, dec("1200"))
        XCTAssertEqual(r.binding!.excess, dec("3800"))
        try assertFormsAgree(s2, b)
    }

    // portfolio-margin: BTC-PERP +1 @ 96000 (mark 97000), call −4 @ 2400 (mark 2500, SOM 500).
    func testPortfolioMargin() throws {
        // equity = 50000 + (97000 − 96000) + (−4·2500 + 4·2400) = 50000 + 1000 − 400 = 50600
        // scenario losses Σ size·loss:
        //   up-15:       −14550 + (−4)(−9000) = 21450
        //   up-7.5:       −7275 + 14000      = 6725
        //   flat-vol-up:      0 + 800        = 800
        //   down-7.5:      7275 − 6000       = 1275
        //   down-15:      14550 − 8800       = 5750
        // short option minimum: 4·500 = 2000
        var r = try report("portfolio-margin", "solvent")
        XCTAssertTrue(r.meets)
        XCTAssertEqual(r.requirements.count, 6)
        XCTAssertEqual(r.binding!.name, "scenario[up-15]")
        XCTAssertEqual(r.binding!.requirement, dec("21450"))
        XCTAssertEqual(r.binding!.excess, dec("29150"))
        XCTAssertEqual(requirement(r, "scenario[up-7.5]").requirement, dec("6725"))
        XCTAssertEqual(requirement(r, "scenario[flat-vol-up]").requirement, dec("800"))
        XCTAssertEqual(requirement(r, "scenario[down-7.5]").requirement, dec("1275"))
        XCTAssertEqual(requirement(r, "scenario[down-15]").requirement, dec("5750"))
        XCTAssertEqual(requirement(r, "short_option_minimum").requirement, dec("2000"))
        XCTAssertEqual(requirement(r, "short_option_minimum").equity, dec("50600"))
        // Sorted by excess: up-15 (29150), up-7.5 (43875), down-15 (44850), SOM (48600), down-7.5 (49325), flat (49800)
        XCTAssertEqual(r.requirements.map(\.name), ["scenario[up-15]", "scenario[up-7.5]", "scenario[down-15]",
                                                   "short_option_minimum", "scenario[down-7.5]", "scenario[flat-vol-up]"])
        // at margin: USDC 20850 + 600 = 21450
        r = try report("portfolio-margin", "at-margin")
        XCTAssertTrue(r.meets)
        XCTAssertEqual(r.binding!.name, "scenario[up-15]")
        XCTAssertEqual(r.binding!.excess, .zero)
        r = try report("portfolio-margin", "short")
        XCTAssertFalse(r.meets)
        XCTAssertEqual(r.failing.map(\.name), ["scenario[up-15]"])
        XCTAssertEqual(r.binding!.excess, dec("-0.01"))
    }

    // options-standard: call mark 2500, put mark 1200, underlying 97000, mm_rate 0.075.
    func testOptionsStandard() throws {
        // collateral = 1·97000·0.95 + 100000 = 192150
        // PnL call = −3·2500 + 3·2600 = 300; put = 2·1200 − 2·1000 = 400; equity = 192850
        // requirement = 3·(0.075·97000 + 2500) = 3·(7275 + 2500) = 29325 (the long puts need nothing)
        // excess = 163525
        var r = try report("options-standard", "solvent")
        XCTAssertTrue(r.meets)
        XCTAssertEqual(r.binding!.equity, dec("192850"))
        XCTAssertEqual(r.binding!.requirement, dec("29325"))
        XCTAssertEqual(r.binding!.excess, dec("163525"))
        // at margin: USDC 28625 + 700 = 29325
        r = try report("options-standard", "at-margin")
        XCTAssertTrue(r.meets)
        XCTAssertEqual(r.binding!.excess, .zero)
        r = try report("options-standard", "short")
        XCTAssertFalse(r.meets)
        XCTAssertEqual(r.binding!.excess, dec("-0.01"))
    }

    /// The compiled affine forms, evaluated with the honest helper values,
    /// give exactly the evaluator's excesses, every helper constraint holds,
    /// and the requirement form is negative exactly for the short accounts.
    func testCompiledFormsAgreeWithEvaluator() throws {
        for circuit in ["threshold", "cross-margin", "tiered-margin", "rounded-margin", "portfolio-margin", "options-standard"] {
            let s = try compiledExample(circuit)
            XCTAssertEqual(try RiskValues.decode(from: Data(try Repository.forTests.example(circuit, "values.json"))).circuit, circuit)
            for which in ["solvent", "at-margin", "short"] {
                let a = try Repository.forTests.exampleAccount(circuit, which)
                let forms = try assertFormsAgree(s, a)
                let report = try s.evaluate(a)
                let binding = forms[report.binding!.name]!
                switch which {
                case "solvent": XCTAssertTrue(binding.signum > 0, "\(circuit) \(which)")
                case "at-margin": XCTAssertTrue(binding.isZero, "\(circuit) \(which)")
                default:
                    XCTAssertTrue(binding.isNegative, "\(circuit) \(which)")
                    // The short amount times the scale is the (negative) form value.
                    XCTAssertEqual(Rational(binding), report.binding!.excess * s.constraints.first { $0.name == report.binding!.name }!.scale)
                }
            }
        }
    }

    /// The forms also agree on random accounts within the declared bounds.
    func testCompiledFormsAgreeOnRandomAccounts() throws {
        var rng = SplitMix64(seed: 42)
        for circuit in ["cross-margin", "tiered-margin", "rounded-margin", "portfolio-margin", "options-standard"] {
            let s = try compiledExample(circuit)
            let v = try RiskValues.decode(from: Data(try Repository.forTests.example(circuit, "values.json")))
            for _ in 0..<20 {
                var balances: [String: Rational] = [:]
                for id in v.ids(of: "assets")! { balances[id] = Rational(Int(rng.next() % 1_000_000)) / Rational(100) }
                var positions: [String: Account.Position] = [:]
                for id in v.ids(of: "instruments")! {
                    let size = Rational(Int(rng.next() % 2_000_001) - 1_000_000) / Rational(10_000)
                    let entry = Rational(Int(rng.next() % 10_000_000)) / Rational(100)
                    positions[id] = .init(size: size, entryPrice: entry)
                }
                try assertFormsAgree(s, Account(label: "random", balances: balances, positions: positions))
            }
        }
    }

    func testStatementShapeForExamples() throws {
        let cm = try compiledExample("cross-margin")
        // Positions as their two sides; the cost only appears summed, so it
        // is committed once; |size| = long + short needs no helper.
        // USDC may be borrowed (max_borrow 10^7): its asset and liability parts.
        XCTAssertEqual(cm.inputs.map(\.id), ["balance[BTC]", "balance[USDC].asset", "balance[USDC].liability", "size[BTC-PERP].long", "size[BTC-PERP].short",
                                             "size[ETH-PERP].long", "size[ETH-PERP].short", "sum(cost)"])
        XCTAssertEqual(cm.helpers.map(\.id), [])
        XCTAssertEqual(cm.constraints.map(\.name), ["maintenance"])
        XCTAssertEqual(cm.constraints[0].bitWidth, 97)   // exactly what its largest honest value needs
        // size ∈ [−1e17, 1e17] in units of 1e-8: each side in [0, 1e17].
        XCTAssertEqual(cm.inputs[3].lowerBound, .zero)
        XCTAssertEqual(cm.inputs[4].upperBound, BigInt("100000000000000000")!)
        XCTAssertEqual(cm.inputs[7].scale, dec("0.000000000001"))
        XCTAssertEqual(cm.inputs[7].upperBound, BigInt("2000000000000000000000000000")!)   // two costs of at most 1e15 at 1e-12
        XCTAssertEqual(cm.inputs[2].upperBound, BigInt("1000000000000000")!)   // 10^7 USDC borrowed at 10^-8
        XCTAssertEqual(cm.circuitName, "cross-margin")

        // The short-option minimum reads the committed short part: no helper.
        let pm = try compiledExample("portfolio-margin")
        XCTAssertEqual(pm.helpers.map(\.id), [])
        XCTAssertEqual(pm.constraints.filter(\.isRequirement).count, 6)
        // Tier maxima stay proven: one helper per instrument.
        let tm = try compiledExample("tiered-margin")
        XCTAssertEqual(tm.helpers.count, try RiskValues.decode(from: Data(try Repository.forTests.example("tiered-margin", "values.json"))).ids(of: "instruments")!.count)
    }
}

final class ListingTests: XCTestCase {
    func testListingShowsFormsAndWidths() throws {
        let s = try compiledExample("cross-margin")
        let l = s.listing
        XCTAssertTrue(l.hasPrefix("circuit cross-margin: 8 inputs, 0 helpers, 1 range constraints\n"), l)
        XCTAssertTrue(l.contains("x7 sum(cost) ∈ [-2000000000000000000000000000, 2000000000000000000000000000] × 0.000000000001"), l)
        // BTC at 97000 less 5% = 92150 USD per BTC = 921500000 units of 10^-12 USD per 10^-8 BTC;
        // long BTC-PERP: 97010.5·(1 − 0.005) = 96525.4475 → 965254475; short: −97010.5·(1 + 0.005) = −97495.5525 → −974955525.
        XCTAssertTrue(l.contains("[97 bits] maintenance: 921500000·balance[BTC] + 10000·balance[USDC].asset - 10000·balance[USDC].liability + 965254475·size[BTC-PERP].long - 974955525·size[BTC-PERP].short + 33662475·size[ETH-PERP].long - 34342525·size[ETH-PERP].short - sum(cost) ≥ 0   (÷ 1000000000000"), l)
    }
}
