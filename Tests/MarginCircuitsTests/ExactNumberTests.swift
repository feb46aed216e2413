import Foundation
import StrictJSON
import XCTest
@testable import MarginCircuits
import ZKTestSupport

/// The exact numbers of risk-values and account files (SPEC.md §16.1,
/// Circuits/README.md §6): decimals with an optional exponent, JSON numbers,
/// ratios `p/q`, and the limits on each. The table is `Vectors/numbers/cases.json`,
/// which `interop/python/test_vectors.py` (family `numbers`) checks against
/// verify.py's reader, so both implementations accept the same texts with the
/// same values and refuse the same texts.
final class ExactNumberTests: XCTestCase {
    struct Case {
        let text: String
        let json: Bool
        /// `p/q` for an accepted case, a fragment of the message for a refused one.
        let expected: String
    }

    /// A case of the table that is not `{"text", "json", field}`: fails the test.
    struct UnexpectedShape: Error {
        let what: String
    }

    func cases(_ key: String, _ field: String) throws -> [Case] {
        guard case .object(let doc) = try Repository.forTests.vector("numbers/cases.json"), case .array(let list)? = doc[key] else {
            throw UnexpectedShape(what: "Vectors/numbers/cases.json has no array \(key)")
        }
        return try list.map { item in
            guard case .object(let o) = item, case .string(let text)? = o["text"], case .bool(let json)? = o["json"],
                  case .string(let expected)? = o[field] else {
                throw UnexpectedShape(what: "Vectors/numbers/cases.json: \(key) has the case \(item)")
            }
            return Case(text: text, json: json, expected: expected)
        }
    }

    /// The case as it arrives in a file: a string, or a JSON number's literal.
    func read(_ c: Case, path: String = "values.parameters.x") throws(MarginError) -> Rational {
        try decimal(c.json ? .number(c.text) : .string(c.text), path: path)
    }

    /// `"p/q"` as the exact rational.
    func rational(_ text: String) -> Rational {
        let parts = text.split(separator: "/").map { BigInt(String($0))! }
        return Rational(numerator: parts[0], denominator: parts[1])
    }

    func testAcceptedFormsHaveTheirExactValues() throws {
        let accepted = try cases("accepted", "value")
        XCTAssertGreaterThanOrEqual(accepted.count, 38)
        for c in accepted {
            XCTAssertEqual(try read(c), rational(c.expected), "\(c.text) (JSON number: \(c.json))")
            // A decimal reads the same as a string and as a JSON number.
            if !c.text.contains("/") {
                XCTAssertEqual(try Rational(decimal: c.text), rational(c.expected), c.text)
            }
        }
    }

    func testTheBriefsExamples() throws {
        XCTAssertEqual(try Rational(exact: "4.97038E7"), Rational(49703800))
        XCTAssertEqual(try Rational(exact: "1e-10"), Rational.powerOfTen(-10))
        XCTAssertEqual(try Rational(exact: "-2.5e+3"), Rational(-2500))
        XCTAssertEqual(try decimal(.number("0.004"), path: "p"), Rational(numerator: 1, denominator: 250))
        XCTAssertEqual(try Rational(exact: "1/6"), Rational(numerator: 1, denominator: 6))
        XCTAssertEqual(try Rational(exact: "-3/7"), Rational(numerator: -3, denominator: 7))
        // At the limits: 100 mantissa digits with exponent ±100.
        let nines = String(repeating: "9", count: 100)
        let big = try Rational(exact: nines + "e100")
        XCTAssertEqual(big, Rational((BigInt.powerOfTen(100) - 1) * BigInt.powerOfTen(100)))
        XCTAssertLessThanOrEqual(big.bitSize, 665)
        let small = try Rational(exact: "0." + String(repeating: "0", count: 98) + "1e-100")
        XCTAssertEqual(small, Rational.powerOfTen(-199))
        XCTAssertLessThanOrEqual(small.bitSize, 665)
    }

    func testRefusedFormsNameThePathTheTextAndWhy() throws {
        let refused = try cases("refused", "says")
        XCTAssertGreaterThanOrEqual(refused.count, 53)
        for c in refused {
            do {
                let v = try read(c, path: #"values.assets["BTC"].price"#)
                XCTFail("\(c.text) (JSON number: \(c.json)) accepted as \(v)")
            } catch {
                let message = error.description
                XCTAssertTrue(message.hasPrefix(#"values.assets["BTC"].price: "#), message)
                XCTAssertTrue(message.contains(c.expected), "\(c.text): «\(message)» does not contain «\(c.expected)»")
                // The text is quoted (abbreviated past 40 characters), display-safe.
                let shown = CircuitLimits.abbreviated(c.text)
                XCTAssertTrue(message.contains(c.json ? "the JSON number \(shown) is not a decimal" : "\"\(displaySafe(shown))\" is not a decimal"), message)
            }
        }
    }

    func testAHugeExponentIsRefusedFromItsText() throws {
        // A million exponent digits, and a million leading zeros before a
        // small exponent: both refused on the text's length, nothing computed.
        let longExponent = "1e" + String(repeating: "9", count: 1_000_000)
        XCTAssertThrowsError(try Rational(exact: longExponent)) { error in
            XCTAssertEqual("\(error)", #""1e99999999999999999999999999999999999999… (1000002 characters)" is not a decimal (its exponent has 1000000 digits, more than the limit of 100 (CircuitLimits.maximumDecimalDigits))"#)
        }
        XCTAssertThrowsError(try Rational(exact: "1e-" + String(repeating: "0", count: 1_000_000) + "5")) { error in
            XCTAssertTrue("\(error)".contains("its exponent has 1000001 digits"), "\(error)")
        }
        XCTAssertThrowsError(try Rational(exact: "1e999999999")) { error in
            XCTAssertEqual("\(error)", #""1e999999999" is not a decimal (its exponent is 999999999, more than the limit of 100 (CircuitLimits.maximumExponent) in magnitude)"#)
        }
    }

    /// The parser refuses a JSON number literal longer than 100 characters
    /// before any field sees it (SPEC.md §16.1), so a 101-digit JSON number
    /// in a file never reaches the decimal reader (which would refuse it too,
    /// `testRefusedFormsNameThePathTheTextAndWhy`).
    func testA101DigitJSONNumberInAFile() {
        let digits = "1" + String(repeating: "0", count: 100)
        assertMarginError(["account: not valid JSON", "a number is longer than 100 characters"]) {
            try account(#"{"account": "a", "balances": {"BTC": \#(digits)}}"#)
        }
    }

    // MARK: In files

    /// Every field of values, scalar parameters, vector fields and matrix
    /// rows (keyed and in order), reads the same in any form.
    func testValuesFieldsAcceptEveryForm() throws {
        let v = try values(#"{"venue": "v", "quote": "USD", "circuit": "x", "parameters": {"k": 1e-10, "h": "1/6"}, "tiers": ["1", "2"], "instruments": [{"id": "P", "mm": {"1": "4.97038E7", "2": 0.004}, "loss": [-2.5e+3, "-3/7"]}]}"#)
        XCTAssertEqual(v.parameters["k"], Rational.powerOfTen(-10))
        XCTAssertEqual(v.parameters["h"], Rational(numerator: 1, denominator: 6))
        guard case .byID(let mm)? = v.sets["instruments"]?.first?.fields["mm"], case .list(let loss)? = v.sets["instruments"]?.first?.fields["loss"] else {
            return XCTFail("rows")
        }
        XCTAssertEqual(mm["1"], Rational(49703800))
        XCTAssertEqual(mm["2"], Rational(numerator: 1, denominator: 250))
        XCTAssertEqual(loss, [Rational(-2500), Rational(numerator: -3, denominator: 7)])
        assertMarginError([#"values.instruments["P"].loss[1]: "1/0" is not a decimal (division by zero"#]) {
            try values(#"{"venue": "v", "quote": "USD", "circuit": "x", "instruments": [{"id": "P", "loss": ["1", "1/0"]}]}"#)
        }
        assertMarginError([#"values.instruments["P"].mm["2"]: the JSON number 1e101 is not a decimal (its exponent is 101"#]) {
            try values(#"{"venue": "v", "quote": "USD", "circuit": "x", "instruments": [{"id": "P", "mm": {"2": 1e101}}]}"#)
        }
        assertMarginError([#"values.parameters.k: "1e999999999" is not a decimal (its exponent is 999999999, more than the limit of 100 (CircuitLimits.maximumExponent) in magnitude)"#]) {
            try values(#"{"venue": "v", "quote": "USD", "circuit": "x", "parameters": {"k": "1e999999999"}}"#)
        }
    }

    /// The same values written as plain decimals (`Vectors/numbers/values-plain.json`)
    /// and with exponents, JSON numbers and ratios (`values-forms.json`)
    /// compile to the same statement (`InteropTests` compares the canonical
    /// bytes, in both implementations).
    func testOtherFormsCompileToTheSameStatement() throws {
        let source = try Repository.forTests.circuitSource("cross-margin")
        func compiled(_ file: String) throws -> CompiledStatement {
            let v = try RiskValues.decode(from: Data(try Repository.forTests.read("Vectors/numbers/\(file)")))
            return try compile(circuitSource: source, fileName: "cross-margin.zkm", values: v)
        }
        let plain = try compiled("values-plain.json")
        let other = try compiled("values-forms.json")
        XCTAssertEqual(plain.inputs, other.inputs)
        XCTAssertEqual(plain.helpers.map(\.id), other.helpers.map(\.id))
        XCTAssertEqual(plain.helpers.map(\.branches), other.helpers.map(\.branches))
        XCTAssertEqual(plain.helpers.map(\.unit), other.helpers.map(\.unit))
        XCTAssertEqual(plain.constraints.map(\.name), other.constraints.map(\.name))
        XCTAssertEqual(plain.constraints.map(\.terms), other.constraints.map(\.terms))
        XCTAssertEqual(plain.constraints.map(\.constant), other.constraints.map(\.constant))
        XCTAssertEqual(plain.constraints.map(\.bitWidth), other.constraints.map(\.bitWidth))
        XCTAssertEqual(plain.constraints.map(\.scale), other.constraints.map(\.scale))
        let solvent = try Account.decode(from: Data(try Repository.forTests.example("cross-margin", "solvent.json")))
        XCTAssertEqual(try plain.evaluate(solvent).requirements, try other.evaluate(solvent).requirements)
    }

    /// Balances, sizes and entry prices take the same forms.
    func testAccountsAcceptEveryForm() throws {
        let plain = try account(#"{"account": "a", "balances": {"BTC": "1.25", "USDC": "50000"}, "positions": {"BTC-PERP": {"size": "-2.5", "entry_price": "96000"}, "X": {"size": "0.3333"}}}"#)
        let other = try account(#"{"account": "a", "balances": {"BTC": "5/4", "USDC": 5e4}, "positions": {"BTC-PERP": {"size": -2.5, "entry_price": "9.6E+4"}, "X": {"size": "3333e-4"}}}"#)
        XCTAssertEqual(plain.balances, other.balances)
        XCTAssertEqual(plain.positions, other.positions)
        assertMarginError([#"account.positions["X"].entry_price: "1/-2" is not a decimal (the denominator of a ratio is written without a sign"#]) {
            try account(#"{"account": "a", "positions": {"X": {"size": "1", "entry_price": "1/-2"}}}"#)
        }
        // A negative ratio is a borrowed balance like any other (the circuit's bounds limit it).
        XCTAssertEqual(try account(#"{"account": "a", "balances": {"BTC": "-1/3"}}"#).balances["BTC"], Rational(-1) / Rational(3))
    }
}
