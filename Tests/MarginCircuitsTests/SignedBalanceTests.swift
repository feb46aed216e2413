import Foundation
import XCTest
@testable import MarginCircuits
import ZKTestSupport

/// Signed (borrowed) balances in the library circuits: a balance whose bounds
/// lie on both sides of 0 (`max_borrow` > 0) is committed as its asset and
/// liability parts; the haircut applies to the asset part only.
final class SignedBalanceTests: XCTestCase {
    func library(_ name: String, _ valuesJSON: String) throws -> CompiledStatement {
        try compile(circuitSource: try Repository.forTests.circuitSource(name), fileName: "\(name).zkm", values: try values(valuesJSON))
    }

    /// cross-margin example values: BTC (haircut 0.05) may be borrowed up to
    /// 100, USDC up to 10^7. Positions as in the other examples: PnL
    /// −2523.75, MM 1552.65625.
    func testBorrowedQuoteBalanceExamples() throws {
        let s = try compiledExample("cross-margin")
        // borrowed-solvent: 1.25·97000·0.95 − 100000 = 15187.5; equity 15187.5 − 2523.75 = 12663.75
        let solvent = try Repository.forTests.exampleAccount("cross-margin", "borrowed-solvent")
        var r = try s.evaluate(solvent)
        XCTAssertTrue(r.meets)
        XCTAssertEqual(r.binding!.equity, dec("12663.75"))
        XCTAssertEqual(r.binding!.requirement, dec("1552.65625"))
        XCTAssertEqual(r.binding!.excess, dec("11111.09375"))
        try assertFormsAgree(s, solvent)
        // borrowed-short: 0.05·97000·0.95 − 531.09376 = 4076.40624; equity 1552.65624
        let short = try Repository.forTests.exampleAccount("cross-margin", "borrowed-short")
        r = try s.evaluate(short)
        XCTAssertFalse(r.meets)
        XCTAssertEqual(r.binding!.equity, dec("1552.65624"))
        XCTAssertEqual(r.binding!.excess, dec("-0.00001"))
        XCTAssertTrue(try assertFormsAgree(s, short)["maintenance"]!.isNegative)
        // The custodian's canonical split: the liability part holds the debt.
        let x = try s.inputValues(for: solvent)
        let index = { (id: String) in s.inputs.firstIndex { $0.id == id }! }
        XCTAssertEqual(x[index("balance[USDC].asset")], .zero)
        XCTAssertEqual(x[index("balance[USDC].liability")], BigInt(10_000_000_000_000))
        XCTAssertEqual(x[index("balance[BTC]")], BigInt(125_000_000))   // BTC may not be borrowed: one input
    }

    /// A borrowed asset with a haircut counts at its full price: the
    /// liability part's coefficient is −price, the asset part's
    /// price·(1 − haircut), and no helper is needed.
    func testTheHaircutNeverShrinksADebt() throws {
        let s = try library("threshold", """
            {"venue": "v", "quote": "USD", "circuit": "threshold", "parameters": {"min_value": "100000"},
             "assets": [{"id": "BTC", "price": "97000", "haircut": "0.05", "max_borrow": "10"}, {"id": "USDC", "price": "1"}]}
            """)
        XCTAssertEqual(s.inputs.map(\.id), ["balance[BTC].asset", "balance[BTC].liability", "balance[USDC]"])
        XCTAssertEqual(s.inputs[1].upperBound, BigInt(1_000_000_000))   // 10 BTC at 10^-8
        XCTAssertEqual(s.helpers.count, 0)
        // 92150 per BTC held, 97000 per BTC owed, 1 per USDC (÷ 10^8 units, one common factor).
        let form = s.constraints[0]
        XCTAssertEqual(form.terms.map { Rational($0.coefficient) / form.scale / s.inputs[$0.index].scale },
                       [dec("92150"), dec("-97000"), dec("1")])
        // −2 BTC + 300000 USDC: −194000 + 300000 = 106000 (not −2·92150 + 300000 = 115700).
        let a = try account(#"{"account": "a", "balances": {"BTC": "-2", "USDC": "300000"}}"#)
        XCTAssertEqual(try s.evaluate(a).binding!.equity, dec("106000"))
        XCTAssertEqual(try s.evaluate(a).binding!.excess, dec("6000"))
        try assertFormsAgree(s, a)
        // +2 BTC: the haircut applies, 184300 + 300000.
        let b = try account(#"{"account": "b", "balances": {"BTC": "2", "USDC": "300000"}}"#)
        XCTAssertEqual(try s.evaluate(b).binding!.equity, dec("484300"))
        try assertFormsAgree(s, b)
    }

    /// A venue that publishes no `max_borrow` keeps the unsigned balance: one
    /// input in [0, 10^20] at 10^-8, no helper for `max(balance, 0)`, and a
    /// negative balance refused naming the field and the value.
    func testNoBorrowingKeepsTheUnsignedBalance() throws {
        let json = """
            {"venue": "v", "quote": "USD", "circuit": "threshold", "parameters": {"min_value": "1"},
             "assets": [{"id": "BTC", "price": "97000", "haircut": "0.05"}, {"id": "USDC", "price": "1", "max_borrow": "1000"}]}
            """
        let s = try library("threshold", json)
        XCTAssertEqual(s.inputs.map(\.id), ["balance[BTC]", "balance[USDC].asset", "balance[USDC].liability"])
        XCTAssertEqual(s.inputs[0].lowerBound, .zero)
        XCTAssertEqual(s.inputs[0].upperBound, BigInt("100000000000000000000")!)
        XCTAssertEqual(s.helpers.count, 0)
        let line = try Repository.forTests.circuitSource("threshold").split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.hasPrefix("private balance") }! + 1
        assertMarginError([#"account.balances["BTC"]: -0.5 is outside the circuit's declared bounds for `balance` [0, 1000000000000] (line \#(line))"#]) {
            try s.evaluate(try account(#"{"account": "a", "balances": {"BTC": "-0.5"}}"#))
        }
        // Beyond max_borrow: refused, naming the field, the value and the bounds.
        assertMarginError([#"account.balances["USDC"]: -1000.00000001 is outside the circuit's declared bounds for `balance` [-1000, 1000000000000] (line \#(line))"#]) {
            try s.inputValues(for: try account(#"{"account": "a", "balances": {"USDC": "-1000.00000001"}}"#))
        }
        // At max_borrow: accepted.
        let a = try account(#"{"account": "a", "balances": {"BTC": "1", "USDC": "-1000"}}"#)
        XCTAssertEqual(try s.evaluate(a).binding!.equity, dec("91150"))
        try assertFormsAgree(s, a)
    }

    /// Values without any of the new parameters compile to the statement
    /// they compiled to before the bounds became parameters: the same inputs,
    /// bounds, scales and forms as the old constants give.
    func testDefaultsAreTheOldConstants() throws {
        let old = """
            set assets
            set instruments
            param price[a in assets] >= 0
            param haircut[a in assets] in [0, 1] default 0
            param mark[i in instruments] >= 0
            param mm_rate[i in instruments] in [0, 1]
            param multiplier[i in instruments] >= 0 default 1
            param buffer >= 0 default 0
            private balance[a in assets] from balance in [0, 1e12] scale 1e-8
            private size[i in instruments] from size in [-1e9, 1e9] scale 1e-8
            private cost[i in instruments] from size * entry_price * multiplier[i] in [-1e15, 1e15] scale 1e-12
            let equity = sum(a in assets: balance[a] * price[a] * (1 - haircut[a])) + sum(i in instruments: size[i] * mark[i] * multiplier[i] - cost[i])
            require maintenance: equity >= sum(i in instruments: abs(size[i]) * mark[i] * multiplier[i] * mm_rate[i]) + buffer
            """
        let v = """
            {"venue": "v", "quote": "USD", "circuit": "cross-margin",
             "assets": [{"id": "BTC", "price": "97000", "haircut": "0.05"}, {"id": "USDC", "price": "1"}],
             "instruments": [{"id": "BTC-PERP", "mark": "97010.5", "mm_rate": "0.005"}, {"id": "ETH-PERP", "mark": "3400.25", "mm_rate": "0.01"}]}
            """
        let before = try compile(circuitSource: old, fileName: "cross-margin.zkm", values: try values(v))
        let after = try library("cross-margin", v)
        XCTAssertEqual(after.listing, before.listing)
    }
}

/// Bounds and scales per element: books beyond the old constants (sizes
/// above 10^9 units, steps below 10^-8) are expressed through the values.
final class PerElementNumbersTests: XCTestCase {
    /// A memecoin perpetual of 10^13 units at a mark of 2.5·10^-7 (step 1,
    /// tick 10^-9) next to BTC at dYdX's quantum of 10^-10 (tick 1): each
    /// instrument has its own bounds and precision, the costs share one
    /// cost_step (10^-10, the finer of 1·10^-9 and 10^-10·1) and stay one
    /// summed input, and every form stays far below 2^250.
    func testExtremeRealBooks() throws {
        let v = try values("""
            {"venue": "v", "quote": "USD", "circuit": "cross-margin",
             "assets": [{"id": "USDC", "price": "1", "max_borrow": "1000000000", "balance_step": "0.000001"}],
             "instruments": [
               {"id": "PEPE-PERP", "mark": "0.00000025", "mm_rate": "0.05", "max_position": "10000000000000", "size_step": "1",
                "max_cost": "100000000", "cost_step": "0.0000000001"},
               {"id": "BTC-PERP", "mark": "97010.5", "mm_rate": "0.005", "max_position": "100000", "size_step": "0.0000000001",
                "max_cost": "100000000000", "cost_step": "0.0000000001"}]}
            """)
        for circuit in ["cross-margin", "tiered-margin"] {
            let source = try Repository.forTests.circuitSource(circuit)
            let json = circuit == "cross-margin" ? v : try values("""
                {"venue": "v", "quote": "USD", "circuit": "tiered-margin", "tiers": ["1", "2"],
                 "assets": [{"id": "USDC", "price": "1", "max_borrow": "1000000000", "balance_step": "0.000001"}],
                 "instruments": [
                   {"id": "PEPE-PERP", "mark": "0.00000025", "mm_rate": {"1": "0.05", "2": "0.1"}, "deduction": {"1": "0", "2": "25000"},
                    "max_position": "10000000000000", "size_step": "1", "max_cost": "100000000", "cost_step": "0.0000000001"},
                   {"id": "BTC-PERP", "mark": "97010.5", "mm_rate": {"1": "0.005", "2": "0.01"}, "deduction": {"1": "0", "2": "250"},
                    "max_position": "100000", "size_step": "0.0000000001", "max_cost": "100000000000", "cost_step": "0.0000000001"}]}
                """)
            let s = try compile(circuitSource: source, fileName: "\(circuit).zkm", values: json)
            XCTAssertEqual(s.inputs.map(\.id), ["balance[USDC].asset", "balance[USDC].liability", "size[PEPE-PERP].long", "size[PEPE-PERP].short",
                                                "size[BTC-PERP].long", "size[BTC-PERP].short", "sum(cost)"], circuit)
            XCTAssertEqual(s.inputs[2].upperBound, BigInt(10).power(13), circuit)     // 10^13 units at step 1
            XCTAssertEqual(s.inputs[4].upperBound, BigInt(10).power(15), circuit)     // 10^5 BTC at 10^-10
            XCTAssertEqual(s.inputs[6].scale, dec("0.0000000001"), circuit)
            if circuit == "cross-margin" { XCTAssertEqual(s.constraints.last!.bitWidth, 82) }
            for c in s.constraints {
                XCTAssertTrue(c.bitWidth <= CompiledStatement.maximumBitWidth, "\(circuit) \(c.name): \(c.bitWidth) bits")
                XCTAssertTrue(c.maxMagnitude < BigInt.powerOfTwo(CompiledStatement.wrapLimitBits), "\(circuit) \(c.name)")
            }
            // Short 10^13 PEPE at 2.1·10^-7 (cost −2100000), long one quantum of BTC at 96000, 10^6 USDC borrowed:
            let a = try account("""
                {"account": "whale", "balances": {"USDC": "-1000000"},
                 "positions": {"PEPE-PERP": {"size": "-10000000000000", "entry_price": "0.00000021"},
                               "BTC-PERP": {"size": "0.0000000001", "entry_price": "96000"}}}
                """)
            let r = try s.evaluate(a)
            // PnL: −10^13·2.5·10^-7 + 2100000 = −400000; BTC 0.00000970105 − 0.0000096 = 0.00000010105
            XCTAssertEqual(r.binding!.equity, dec("-1399999.99999989895"), circuit)
            try assertFormsAgree(s, a)
            // One quantum finer than BTC's step is refused, naming the field.
            assertMarginError([#"account.positions["BTC-PERP"].size: 0.00000000001 is more precise than the circuit's precision for `size` (scale 0.0000000001"#]) {
                try s.evaluate(try account(#"{"account": "a", "positions": {"BTC-PERP": {"size": "0.00000000001", "entry_price": "1"}}}"#))
            }
            // Beyond the memecoin's own cap: refused.
            assertMarginError([#"account.positions["PEPE-PERP"].size: 10000000000001 is outside the circuit's declared bounds for `size` [-10000000000000, 10000000000000]"#]) {
                try s.evaluate(try account(#"{"account": "a", "positions": {"PEPE-PERP": {"size": "10000000000001", "entry_price": "0.0000002"}}}"#))
            }
        }
    }

    /// Bounds beyond what a commitment can hold are refused when the values
    /// are compiled, naming the input.
    func testBoundsBeyondTwoToThe250AreRefused() throws {
        assertMarginError(["input `size[X]`", "exceed 2^250"]) {
            try compile(circuitSource: try Repository.forTests.circuitSource("cross-margin"), fileName: "cross-margin.zkm", values: try values("""
                {"venue": "v", "quote": "USD", "circuit": "cross-margin", "assets": [{"id": "USDC", "price": "1"}],
                 "instruments": [{"id": "X", "mark": "1", "mm_rate": "0.01", "max_position": "1000000000000000000000000000000000000000000000000000000000000", "size_step": "0.000000000000000001"}]}
                """))
        }
    }
}

/// Deribit's standard margin for a short put: max(0.075·U, 0.075·mark) + mark
/// per unit, against 0.075·U + mark for a call.
final class PutFloorTests: XCTestCase {
    func compiled(_ instruments: String) throws -> CompiledStatement {
        try compile(circuitSource: try Repository.forTests.circuitSource("options-standard"), fileName: "options-standard.zkm", values: try values("""
            {"venue": "v", "quote": "USD", "circuit": "options-standard", "assets": [{"id": "USDC", "price": "1"}],
             "instruments": [\(instruments)]}
            """))
    }

    func testShortPutWhereTheMarkFloorBinds() throws {
        // A deep in-the-money put on an index of 19999.99 marked at 30500.37 (above the index).
        let put = try compiled(#"{"id": "P", "mark": "30500.37", "underlying": "19999.99", "mm_rate": "0.075", "mark_floor_rate": "0.075"}"#)
        let call = try compiled(#"{"id": "P", "mark": "30500.37", "underlying": "19999.99", "mm_rate": "0.075"}"#)
        XCTAssertEqual(put.helpers.count, 0)   // the floor is public: folded to one number
        let a = try account(#"{"account": "a", "balances": {"USDC": "100000"}, "positions": {"P": {"size": "-2", "entry_price": "30000"}}}"#)
        // put:  2·(max(0.075·19999.99, 0.075·30500.37) + 30500.37) = 2·(2287.52775 + 30500.37) = 65575.7955
        // call: 2·(0.075·19999.99 + 30500.37) = 2·(1499.99925 + 30500.37) = 64000.7385
        let p = try put.evaluate(a).binding!, c = try call.evaluate(a).binding!
        let u = dec("19999.99"), m = dec("30500.37"), rate = dec("0.075")
        XCTAssertEqual(p.requirement, 2 * (max(rate * u, rate * m) + m))
        XCTAssertEqual(p.requirement, dec("65575.7955"))
        XCTAssertEqual(c.requirement, dec("64000.7385"))
        XCTAssertEqual(p.requirement - c.requirement, 2 * rate * (m - u))
        // equity 100000 − 2·30500.37 + 60000 = 98999.26
        XCTAssertEqual(p.equity, dec("98999.26"))
        XCTAssertEqual(p.excess, dec("33423.4645"))
        try assertFormsAgree(put, a)
        try assertFormsAgree(call, a)
        XCTAssertNotEqual(put.listing, call.listing)
    }

    func testShortPutOutOfTheMoneyMatchesTheCallFormula() throws {
        // mark 1200 < index 97000: 0.075·97000 binds for the put as for a call.
        let put = try compiled(#"{"id": "P", "mark": "1200", "underlying": "97000", "mm_rate": "0.075", "mark_floor_rate": "0.075"}"#)
        let call = try compiled(#"{"id": "P", "mark": "1200", "underlying": "97000", "mm_rate": "0.075"}"#)
        let a = try account(#"{"account": "a", "balances": {"USDC": "50000"}, "positions": {"P": {"size": "-3", "entry_price": "1000"}}}"#)
        XCTAssertEqual(try put.evaluate(a).binding!.requirement, dec("25425"))   // 3·(7275 + 1200)
        XCTAssertEqual(put.listing, call.listing)
        // A long put needs nothing, whatever its floor.
        let long = try account(#"{"account": "b", "positions": {"P": {"size": "3", "entry_price": "1000"}}}"#)
        XCTAssertEqual(try put.evaluate(long).binding!.requirement, .zero)
    }
}
