import Foundation
import StrictJSON
import XCTest
@testable import MarginCircuits

/// Risk values and accounts are read with the strict reader: duplicate keys
/// are refused at their path, and every id is one byte spelling (NFC) free
/// of characters that change how text is displayed.
final class StrictInputTests: XCTestCase {
    static let head = #""venue": "v", "quote": "USD", "circuit": "x""#

    func values(_ body: String) throws -> RiskValues { try MarginCircuitsTests.values("{\(Self.head), \(body)}") }

    /// The error's description, which must itself be display-safe.
    func assertSafeError(_ fragment: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Any) {
        do {
            _ = try body()
            XCTFail("expected an error containing «\(fragment)»", file: file, line: line)
        } catch let e as MarginError {
            XCTAssertTrue(e.description.contains(fragment), "error «\(e.description)» does not contain «\(fragment)»", file: file, line: line)
            XCTAssertFalse(e.description.unicodeScalars.contains(where: isDisplayUnsafe), "raw control or format character in «\(e.description)»", file: file, line: line)
        } catch {
            XCTFail("unexpected error type \(error)", file: file, line: line)
        }
    }

    // MARK: Duplicate keys

    func testDuplicateKeysInValuesAreRefused() {
        assertSafeError("values.venue: duplicate key") {
            try MarginCircuitsTests.values(#"{"venue": "v", "quote": "USD", "venue": "w", "circuit": "x"}"#)
        }
        assertSafeError("values.assets: duplicate key") { try values(#""assets": ["BTC"], "assets": ["ETH"]"#) }
        assertSafeError("values.assets[1].price: duplicate key") {
            try values(#""assets": [{"id": "USDC", "price": "1"}, {"id": "BTC", "price": "97000", "price": "1"}]"#)
        }
        assertSafeError("values.assets[0].id: duplicate key") { try values(#""assets": [{"id": "BTC", "id": "ETH"}]"#) }
        assertSafeError(#"values.instruments[0].loss["up"]: duplicate key"#) {
            try values(#""instruments": [{"id": "P", "loss": {"up": "1", "down": "2", "up": "-5"}}]"#)
        }
        assertSafeError("values.parameters.buffer: duplicate key") { try values(#""parameters": {"buffer": "1", "buffer": "0"}"#) }
    }

    func testDuplicateKeysInAccountsAreRefused() {
        assertSafeError("account.account: duplicate key") { try account(#"{"account": "a", "account": "b"}"#) }
        assertSafeError(#"account.balances["BTC"]: duplicate key"#) {
            try account(#"{"account": "a", "balances": {"BTC": "1", "USDC": "5", "BTC": "100"}}"#)
        }
        assertSafeError(#"account.positions["X"]: duplicate key"#) {
            try account(#"{"account": "a", "positions": {"X": {"size": "1"}, "X": {"size": "-1"}}}"#)
        }
        assertSafeError(#"account.positions["X"].size: duplicate key"#) {
            try account(#"{"account": "a", "positions": {"X": {"size": "1", "size": "-1"}}}"#)
        }
        // Escapes do not hide a duplicate: "\u0042TC" is "BTC".
        assertSafeError(#"account.balances["BTC"]: duplicate key"#) {
            try account(#"{"account": "a", "balances": {"BTC": "1", "\u0042TC": "2"}}"#)
        }
    }

    // MARK: Identifiers

    func testCanonicallyEquivalentIdsAreNotMerged() {
        // Å as one letter (NFC) and as the Ångström sign: Swift `==` calls
        // them equal, so a dictionary would silently keep one. The non-NFC
        // spelling is refused instead.
        assertSafeError("account.balances[\"fund-\u{212B}\"]: the id is not in Unicode normalization form C (NFC)") {
            try account(#"{"account": "a", "balances": {"fund-\u00c5": "1", "fund-\u212b": "2"}}"#)
        }
        assertSafeError("account.positions[\"fund-\u{212B}\"]: the id is not in Unicode normalization form C (NFC)") {
            try account(#"{"account": "a", "positions": {"fund-\u212b": {"size": "1"}}}"#)
        }
        assertSafeError("account.balances[\"\u{212A}\"]: the id is not in Unicode normalization form C (NFC)") {
            try account(#"{"account": "a", "balances": {"\u212a": "1"}}"#)
        }
        assertSafeError("values.assets[1].id: the id \"e\u{0301}\" is not in Unicode normalization form C (NFC)") {
            try values(#""assets": ["\u00e9", "e\u0301"]"#)
        }
        assertSafeError("values.instruments[0].id: the id \"P\u{212B}\" is not in Unicode normalization form C (NFC)") {
            try values(#""instruments": [{"id": "P\u212b", "mark": "1"}]"#)
        }
        assertSafeError("values.instruments[\"P\"].loss[\"\u{212B}\"]: the id is not in Unicode normalization form C (NFC)") {
            try values(#""instruments": [{"id": "P", "loss": {"\u00c5": "1", "\u212b": "2"}}]"#)
        }
        assertSafeError("values.venue: the venue is not in Unicode normalization form C (NFC)") {
            try MarginCircuitsTests.values(#"{"venue": "Cafe\u0301", "quote": "USD", "circuit": "x"}"#)
        }
        assertSafeError("values[\"\u{212A}\"]: the name is not in Unicode normalization form C (NFC)") { try values(#""\u212a": []"#) }
        assertSafeError("values.parameters[\"\u{212A}\"]: the name is not in Unicode normalization form C (NFC)") {
            try values(#""parameters": {"\u212a": "1"}"#)
        }
        // NFC non-ASCII ids are fine.
        XCTAssertEqual(try values(#""assets": ["\u00e9", "fund-\u00c5", "日本"]"#).ids(of: "assets"), ["\u{00E9}", "fund-\u{00C5}", "日本"])
        XCTAssertEqual(try account(#"{"account": "fund-\u00c5", "balances": {"\u00e9": "1"}}"#).balances.count, 1)
    }

    func testControlAndFormatCharactersInIdsAreRefused() {
        assertSafeError(#"account.account: the label contains the control character U+000A"#) {
            try account(#"{"account": "fund-7\nVERIFIED: all accounts meet margin"}"#)
        }
        assertSafeError(#"account.positions["X\u{202E}"]: the id contains the invisible format character U+202E"#) {
            try account(#"{"account": "a", "positions": {"X\u202e": {"size": "1"}}}"#)
        }
        assertSafeError(#"account.balances["a\u{200D}b"]: the id contains the invisible format character U+200D"#) {
            try account(#"{"account": "a", "balances": {"a\u200db": "1"}}"#)
        }
        assertSafeError(#"values.assets[0].id: the id "BTC\u{001B}[2J" contains the control character U+001B"#) {
            try values(#""assets": ["BTC\u001b[2J"]"#)
        }
        assertSafeError(#"values.assets[0].id: the id "BTC\u{0085}" contains the control character U+0085"#) {
            try values(#""assets": [{"id": "BTC\u0085", "price": "1"}]"#)
        }
        assertSafeError(#"values.instruments["P"].loss["up\u{2028}"]: the id contains the line separator U+2028"#) {
            try values(#""instruments": [{"id": "P", "loss": {"up\u2028": "1"}}]"#)
        }
        assertSafeError(#"values.quote: the quote currency contains the control character U+0009"#) {
            try MarginCircuitsTests.values(#"{"venue": "v", "quote": "US\tD", "circuit": "x"}"#)
        }
        assertSafeError(#"values.note: the note contains the control character U+001B"#) { try values(#""note": "\u001b[31mred""#) }
        assertSafeError(#"values.assets["BTC"]["pr\u{202E}ice"]: the name contains the invisible format character U+202E"#) {
            try values(#""assets": [{"id": "BTC", "pr\u202eice": "1"}]"#)
        }
        // Unknown fields and bad decimals are shown display-safe too.
        assertSafeError(#"account["x\u{000A}y"]: unknown field"#) { try account(#"{"account": "a", "x\ny": 1}"#) }
        assertSafeError(#"account.balances["BTC"]: "1\u{0007}" is not a decimal"#) { try account(#"{"account": "a", "balances": {"BTC": "1\u0007"}}"#) }
    }

    func testIdLengths() throws {
        let id128 = String(repeating: "a", count: 128), id129 = id128 + "a"
        XCTAssertNoThrow(try values(#""assets": ["\#(id128)"]"#))
        assertSafeError("values.assets[0].id: the id \"\(id129)\" is longer than 128 bytes") { try values(#""assets": ["\#(id129)"]"#) }
        assertSafeError("account.positions[\"\(id129)\"]: the id is longer than 128 bytes") {
            try account(#"{"account": "a", "positions": {"\#(id129)": {"size": "1"}}}"#)
        }
        let label256 = String(repeating: "\u{00E9}", count: 128)   // 256 bytes
        XCTAssertEqual(try account(#"{"account": "\#(label256)"}"#).label, label256)
        assertSafeError("account.account: the label is longer than 256 bytes") { try account(#"{"account": "\#(label256)x"}"#) }
        let note = String(repeating: "n", count: 4096)
        XCTAssertEqual(try values(#""note": "\#(note)""#).note, note)
        assertSafeError("values.note: the note is longer than 4096 bytes") { try values(#""note": "\#(note)n""#) }
    }

    // MARK: Other shapes

    func testJSONScalarsAreDescribedPrecisely() {
        assertSafeError(#"account.balances["BTC"]: expected a decimal such as "97000.25", "1e-8" or "1/6" (a string or a JSON number), found the JSON boolean true"#) {
            try account(#"{"account": "a", "balances": {"BTC": true}}"#)
        }
        assertSafeError(#"account.balances["BTC"]: the JSON number 1e400 is not a decimal (its exponent is 400, more than the limit of 100 (CircuitLimits.maximumExponent) in magnitude)"#) {
            try account(#"{"account": "a", "balances": {"BTC": 1e400}}"#)
        }
        assertSafeError("values: not valid JSON at byte 0: unexpected character") { try MarginCircuitsTests.values("\u{FEFF}{}") }
        assertSafeError("a number is longer than 100 characters") {
            try account(#"{"account": "a", "balances": {"BTC": \#(String(repeating: "9", count: 101))}}"#)
        }
    }

    func testDecodingAParsedObjectMatchesDecodingBytes() throws {
        let text = #"{"venue": "v", "quote": "USD", "circuit": "x", "note": "n", "parameters": {"buffer": "5"}, "scenarios": ["up", "down"], "instruments": [{"id": "P", "mark": "10", "loss": {"up": "-1", "down": "1"}, "delta": ["1", "2"]}]}"#
        guard case .object(let o) = try JSONParser.parse(Array(text.utf8)) else { return XCTFail() }
        let a = try RiskValues.decode(json: o), b = try MarginCircuitsTests.values(text)
        XCTAssertEqual(a.setNames, b.setNames)
        XCTAssertEqual(a.ids(of: "scenarios"), ["up", "down"])
        XCTAssertEqual(a.ids(of: "instruments"), b.ids(of: "instruments"))
        XCTAssertEqual(a.note, "n")
        XCTAssertEqual(a.parameters["buffer"], b.parameters["buffer"])
    }
}
