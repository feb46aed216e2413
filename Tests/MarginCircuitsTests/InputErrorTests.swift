import Foundation
import XCTest
@testable import MarginCircuits
import ZKTestSupport

/// Every input error names the field: risk values, accounts, and matching
/// them to a circuit.
final class InputErrorTests: XCTestCase {
    static let crossValues = """
        {"venue": "Example Exchange", "quote": "USD", "circuit": "cross-margin",
         "assets": [{"id": "BTC", "price": "97000", "haircut": "0.05"}, {"id": "USDC", "price": "1"}],
         "instruments": [{"id": "BTC-PERP", "mark": "97010.5", "mm_rate": "0.005", "multiplier": "1"}]}
        """

    func cross(_ valuesJSON: String = crossValues) throws -> CompiledStatement {
        try compile(circuitSource: try Repository.forTests.circuitSource("cross-margin"), fileName: "cross-margin.zkm", values: try values(valuesJSON))
    }

    /// `crossValues` with one substitution.
    func crossValues(replacing a: String, with b: String) -> String {
        precondition(InputErrorTests.crossValues.contains(a))
        return InputErrorTests.crossValues.replacingOccurrences(of: a, with: b)
    }

    // MARK: Risk values: shape and decimals

    func testValuesDecodingErrors() {
        assertMarginError(["values: not valid JSON"]) { try values("{") }
        assertMarginError(["values: expected a JSON object"]) { try values("[1]") }
        assertMarginError(["values.venue: missing"]) { try values(#"{"quote": "USD", "circuit": "x"}"#) }
        assertMarginError(["values.circuit: expected a string, found the JSON number"]) { try values(#"{"venue": "v", "quote": "USD", "circuit": 5}"#) }
        assertMarginError(["values.quote: cannot be empty"]) { try values(#"{"venue": "v", "quote": "", "circuit": "x"}"#) }
        assertMarginError(["values.format: expected \"zkmargin/values@1\""]) { try values(#"{"format": "zkmargin/values@2", "venue": "v", "quote": "USD", "circuit": "x"}"#) }
        assertMarginError([#"values.assets["BTC"].price: the JSON number 97000e101 is not a decimal (its exponent is 101"#]) {
            try values(crossValues(replacing: #""price": "97000""#, with: #""price": 97000e101"#))
        }
        assertMarginError([#"values.instruments["BTC-PERP"].mark: "abc" is not a decimal"#]) {
            try values(crossValues(replacing: #""mark": "97010.5""#, with: #""mark": "abc""#))
        }
        assertMarginError([#"values.instruments["BTC-PERP"].mm_rate: "5e-3e" is not a decimal (unexpected "e""#]) {
            try values(crossValues(replacing: #""mm_rate": "0.005""#, with: #""mm_rate": "5e-3e""#))
        }
        assertMarginError(["values.assets[1]: missing \"id\""]) {
            try values(crossValues(replacing: #"{"id": "USDC", "price": "1"}"#, with: #"{"price": "1"}"#))
        }
        assertMarginError(["values.assets[1].id: duplicate id \"BTC\""]) {
            try values(crossValues(replacing: #""id": "USDC""#, with: #""id": "BTC""#))
        }
        assertMarginError(["values.assets[1].id: an id cannot be empty"]) {
            try values(crossValues(replacing: #""id": "USDC""#, with: #""id": """#))
        }
        assertMarginError(["values.assets: expected an array of set elements"]) {
            try values(#"{"venue": "v", "quote": "USD", "circuit": "x", "assets": {"BTC": "1"}}"#)
        }
        assertMarginError(["values.parameters: expected an object"]) {
            try values(#"{"venue": "v", "quote": "USD", "circuit": "x", "parameters": ["1"]}"#)
        }
        assertMarginError(["values.parameters.min_value: \"lots\" is not a decimal"]) {
            try values(#"{"venue": "v", "quote": "USD", "circuit": "x", "parameters": {"min_value": "lots"}}"#)
        }
        assertMarginError([#"values.instruments["P"].loss["up"]: " 1" is not a decimal"#]) {
            try values(#"{"venue": "v", "quote": "USD", "circuit": "x", "instruments": [{"id": "P", "loss": {"up": " 1"}}]}"#)
        }
        assertMarginError([#"values.instruments["P"].loss[1]: expected a decimal such as "97000.25", "1e-8" or "1/6" (a string or a JSON number), found null"#]) {
            try values(#"{"venue": "v", "quote": "USD", "circuit": "x", "instruments": [{"id": "P", "loss": ["1", null]}]}"#)
        }
    }

    // MARK: Risk values matched to a circuit

    func testValuesBindingErrors() throws {
        XCTAssertNoThrow(try cross())
        assertMarginError(["values.instruments: missing", "set instruments"]) {
            try cross(#"{"venue": "v", "quote": "USD", "circuit": "c", "assets": []}"#)
        }
        assertMarginError(["values.options: unknown field: the circuit has no set `options`"]) {
            try cross(crossValues(replacing: #""instruments":"#, with: #""options": [], "instruments":"#))
        }
        assertMarginError([#"values.instruments["BTC-PERP"].mmrate: unknown field (the circuit's parameters over instruments are: cost_step, mark, max_cost, max_position, mm_rate, multiplier, size_step)"#]) {
            try cross(crossValues(replacing: #""mm_rate": "0.005""#, with: #""mm_rate": "0.005", "mmrate": "1""#))
        }
        assertMarginError([#"values.instruments["BTC-PERP"].mark: missing"#, "param mark[instruments]"]) {
            try cross(crossValues(replacing: #""mark": "97010.5", "#, with: ""))
        }
        assertMarginError([#"values.assets["BTC"].haircut: 1.5 is outside the declared range of `haircut` (in [0, 1]"#]) {
            try cross(crossValues(replacing: #""haircut": "0.05""#, with: #""haircut": "1.5""#))
        }
        assertMarginError([#"values.instruments["BTC-PERP"].mark: -1 is outside the declared range of `mark` (>= 0"#]) {
            try cross(crossValues(replacing: #""mark": "97010.5""#, with: #""mark": "-1""#))
        }
        assertMarginError(["values.parameters.bogus: unknown parameter (the circuit's scalar parameters are: buffer)"]) {
            try cross(crossValues(replacing: #""circuit": "cross-margin","#, with: #""circuit": "cross-margin", "parameters": {"bogus": "1"},"#))
        }
        assertMarginError(["values.parameters.mark: `mark` is indexed by instruments; give it as a field of each element of values.instruments"]) {
            try cross(crossValues(replacing: #""circuit": "cross-margin","#, with: #""circuit": "cross-margin", "parameters": {"mark": "1"},"#))
        }
        assertMarginError(["values.parameters.buffer: -5 is outside the declared range of `buffer` (>= 0"]) {
            try cross(crossValues(replacing: #""circuit": "cross-margin","#, with: #""circuit": "cross-margin", "parameters": {"buffer": "-5"},"#))
        }
        assertMarginError([#"values.instruments["BTC-PERP"].mark: expected a decimal, found a row"#]) {
            try cross(crossValues(replacing: #""mark": "97010.5""#, with: #""mark": {"a": "1"}"#))
        }
        // A scalar without a default.
        assertMarginError(["values.parameters.min_value: missing"]) {
            try compile(circuitSource: try Repository.forTests.circuitSource("threshold"), fileName: "threshold.zkm",
                        values: try values(#"{"venue": "v", "quote": "USD", "circuit": "threshold", "assets": []}"#))
        }
    }

    func testMatrixParameterErrors() throws {
        let src = try Repository.forTests.circuitSource("portfolio-margin")
        func pm(_ loss: String) throws -> CompiledStatement {
            try compile(circuitSource: src, fileName: "portfolio-margin.zkm", values: try values("""
                {"venue": "v", "quote": "USD", "circuit": "portfolio-margin", "assets": [{"id": "USDC", "price": "1"}],
                 "scenarios": ["up", "down"], "instruments": [{"id": "P", "mark": "10", "loss": \(loss)}]}
                """))
        }
        XCTAssertNoThrow(try pm(#"{"up": "-1", "down": "1"}"#))
        XCTAssertNoThrow(try pm(#"["-1", "1"]"#))
        assertMarginError([#"values.instruments["P"].loss["sideways"]: unknown id: values.scenarios has no element "sideways""#]) {
            try pm(#"{"up": "-1", "down": "1", "sideways": "0"}"#)
        }
        assertMarginError([#"values.instruments["P"].loss["down"]: missing (`loss` has no default)"#]) { try pm(#"{"up": "-1"}"#) }
        assertMarginError([#"values.instruments["P"].loss: expected 2 values, one per element of values.scenarios in order, found 1"#]) { try pm(#"["1"]"#) }
        assertMarginError([#"values.instruments["P"].loss: expected a row over scenarios"#]) { try pm(#""1""#) }
    }

    // MARK: Accounts

    func testAccountDecodingErrors() {
        assertMarginError([#"account.positions["BTC-PERP"].size: "abc" is not a decimal"#]) {
            try account(#"{"account": "a", "positions": {"BTC-PERP": {"size": "abc", "entry_price": "96000"}}}"#)
        }
        assertMarginError([#"account.positions["BTC-PERP"].entry_price: "96,000" is not a decimal"#]) {
            try account(#"{"account": "a", "positions": {"BTC-PERP": {"size": "1", "entry_price": "96,000"}}}"#)
        }
        // A negative balance is borrowed, in any number form: the account
        // reads it, the circuit's declared bounds limit it (SignedBalanceTests).
        XCTAssertEqual(try? account(#"{"account": "a", "balances": {"BTC": "-1.25"}}"#).balances["BTC"], dec("-1.25"))
        XCTAssertEqual(try? account(#"{"account": "a", "balances": {"BTC": -1.25}}"#).balances["BTC"], dec("-1.25"))
        assertMarginError([#"account.balances["USDC"]: "1e5/2" is not a decimal (unexpected "e""#]) {
            try account(#"{"account": "a", "balances": {"USDC": "1e5/2"}}"#)
        }
        assertMarginError(["account.account: missing"]) { try account(#"{"balances": {}}"#) }
        assertMarginError(["account.foo: unknown field"]) { try account(#"{"account": "a", "foo": 1}"#) }
        assertMarginError([#"account.positions["X"].qty: unknown field"#]) {
            try account(#"{"account": "a", "positions": {"X": {"size": "1", "qty": "2"}}}"#)
        }
        assertMarginError([#"account.positions["X"].size: missing"#]) { try account(#"{"account": "a", "positions": {"X": {"entry_price": "2"}}}"#) }
        assertMarginError([#"account.positions["X"]: expected an object"#]) { try account(#"{"account": "a", "positions": {"X": "1"}}"#) }
        assertMarginError(["account.positions: expected an object"]) { try account(#"{"account": "a", "positions": []}"#) }
        assertMarginError(["account: not valid JSON"]) { try account("nope") }
        XCTAssertNoThrow(try account(#"{"account": "a"}"#))
        XCTAssertNoThrow(try account(#"{"format": "zkmargin/account@1", "account": "a", "balances": {}, "positions": {}}"#))
    }

    func testAccountMatchedToCircuit() throws {
        let s = try cross()
        func input(_ json: String) throws -> [BigInt] { try s.inputValues(for: try account(json)) }
        // Zeros for what the account does not hold; the position as its two
        // sides (long 0, short 2.5); cost = size × entry × multiplier.
        XCTAssertEqual(try input(#"{"account": "a", "balances": {"USDC": "1.5"}, "positions": {"BTC-PERP": {"size": "-2.5", "entry_price": "96000.25"}}}"#),
                       [0, 150_000_000, 0, 250_000_000, BigInt("-240000625000000000")!].map { $0 })
        assertMarginError([#"account.balances["DOGE"]: unknown asset (not in values.assets)"#]) {
            try input(#"{"account": "a", "balances": {"DOGE": "1"}}"#)
        }
        assertMarginError([#"account.positions["XRP-PERP"]: unknown instrument (not in values.instruments)"#]) {
            try input(#"{"account": "a", "positions": {"XRP-PERP": {"size": "1", "entry_price": "1"}}}"#)
        }
        assertMarginError([#"account.positions["BTC-PERP"].size: 0.000000001 is more precise than the circuit's precision for `size` (scale 0.00000001"#]) {
            try input(#"{"account": "a", "positions": {"BTC-PERP": {"size": "0.000000001", "entry_price": "1"}}}"#)
        }
        assertMarginError([#"account.positions["BTC-PERP"].size: 2000000000 is outside the circuit's declared bounds for `size` [-1000000000, 1000000000]"#]) {
            try input(#"{"account": "a", "positions": {"BTC-PERP": {"size": "2000000000", "entry_price": "1"}}}"#)
        }
        assertMarginError([#"account.balances["BTC"]: 1000000000000.00000001 is outside the circuit's declared bounds for `balance`"#]) {
            try input(#"{"account": "a", "balances": {"BTC": "1000000000000.00000001"}}"#)
        }
        assertMarginError([#"account.positions["BTC-PERP"]: cost = size * entry_price * multiplier[i] = 0.0000000000001 is more precise than the circuit's precision for `cost` (scale 0.000000000001"#]) {
            try input(#"{"account": "a", "positions": {"BTC-PERP": {"size": "0.00000001", "entry_price": "0.00001"}}}"#)
        }
        assertMarginError([#"account.positions["BTC-PERP"]: cost = size * entry_price * multiplier[i] = 10000000000000000 is outside the circuit's declared bounds for `cost`"#]) {
            try input(#"{"account": "a", "positions": {"BTC-PERP": {"size": "1000000000", "entry_price": "10000000"}}}"#)
        }
        assertMarginError([#"account.positions["BTC-PERP"].entry_price: missing (the circuit commits to cost = size * entry_price * multiplier[i])"#]) {
            try input(#"{"account": "a", "positions": {"BTC-PERP": {"size": "1"}}}"#)
        }
        // A flat position needs no entry price.
        XCTAssertNoThrow(try input(#"{"account": "a", "positions": {"BTC-PERP": {"size": "0"}}}"#))
        // A circuit without positions refuses them.
        let t = try compiledExample("threshold")
        assertMarginError([#"account.positions["BTC-PERP"]: unknown instrument (the circuit commits to no such field)"#]) {
            try t.inputValues(for: try account(#"{"account": "a", "positions": {"BTC-PERP": {"size": "1", "entry_price": "1"}}}"#))
        }
    }

    func testMultiplierEntersCost() throws {
        let s = try cross(crossValues(replacing: #""multiplier": "1""#, with: #""multiplier": "0.001""#))
        // cost = 2 × 96000 × 0.001 = 192 → 192e12 units
        let x = try s.inputValues(for: try account(#"{"account": "a", "positions": {"BTC-PERP": {"size": "2", "entry_price": "96000"}}}"#))
        XCTAssertEqual(x[4], BigInt("192000000000000")!)   // after balance[BTC], balance[USDC], size[BTC-PERP].long and .short
        // equity = 2·97010.5·0.001 − 192 = 194.021 − 192 = 2.021; MM = 194.021·0.005 = 0.970105
        let r = try s.evaluate(try account(#"{"account": "a", "positions": {"BTC-PERP": {"size": "2", "entry_price": "96000"}}}"#))
        XCTAssertEqual(r.binding!.equity, dec("2.021"))
        XCTAssertEqual(r.binding!.requirement, dec("0.970105"))
    }
}
