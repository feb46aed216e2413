import StrictJSON
import XCTest

/// The strict reader: duplicate keys by bytes, limits, paths in errors, and
/// objects that tell canonically equivalent keys apart.
final class ParserTests: XCTestCase {
    func parse(_ s: String, limits: JSONParser.Limits = .standard) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser.parse(Array(s.utf8), limits: limits)
    }

    func object(_ s: String) throws -> JSONObject {
        guard case .object(let o) = try parse(s) else { throw XCTSkip("not an object: \(s)") }
        return o
    }

    /// The error `s` fails with.
    func failure(_ s: String, limits: JSONParser.Limits = .standard, file: StaticString = #filePath, line: UInt = #line) -> JSONSyntaxError? {
        do {
            _ = try parse(s, limits: limits)
            XCTFail("parsed: \(s.prefix(80))", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testParsesAndRoundTrips() throws {
        let text = #"{"a": [1, -2.5e3, "x\u00e9\n", true, null], "b": {"c": {}}, "d": [], "\u00c5": "\u212b"}"#
        let v = try parse(text)
        XCTAssertEqual(try JSONParser.parse(v.encoded()), v)
        XCTAssertEqual(try JSONParser.parse(v.compactEncoded()), v)
        guard case .object(let o) = v, case .array(let a) = o["a"]! else { return XCTFail("shape") }
        XCTAssertEqual(a[1], .number("-2.5e3"))
        XCTAssertEqual(a[2], .string("xé\n"))
        XCTAssertEqual(o.keys, ["a", "b", "d", "\u{00C5}"])
    }

    // MARK: Duplicate keys

    func testDuplicateKeysAreRefusedByBytesWithTheirPath() throws {
        let e = try XCTUnwrap(failure(#"{"a": 1, "a": 2}"#))
        XCTAssertEqual(e.kind, .duplicateKey)
        XCTAssertEqual(e.offset, 9)
        XCTAssertEqual(e.path, [.key("a")])
        XCTAssertEqual(e.reason, #"duplicate key "a""#)

        // The same bytes spelled differently (an escape) are the same key.
        XCTAssertEqual(failure(#"{"a": 1, "\u0061": 2}"#)?.kind, .duplicateKey)

        let nested = try XCTUnwrap(failure(#"{"x": [{"b": 1}, {"b": 1, "c": {"id": "k", "id": "k"}}]}"#))
        XCTAssertEqual(nested.kind, .duplicateKey)
        XCTAssertEqual(nested.path, [.key("x"), .index(1), .key("c"), .key("id")])
        XCTAssertEqual(nested.pathDescription(), "$.x[1].c.id")
        XCTAssertEqual(nested.pathDescription(root: "values"), "values.x[1].c.id")

        // In an object large enough to be indexed.
        let keys = (0..<50).map { "\"k\($0)\": 0" }.joined(separator: ", ")
        let big = try XCTUnwrap(failure("{\(keys), \"k17\": 1}"))
        XCTAssertEqual(big.kind, .duplicateKey)
        XCTAssertEqual(big.path, [.key("k17")])

        // A key that is not a plain name is quoted, display-safe, in the path.
        let odd = try XCTUnwrap(failure(#"{"BTC-PERP": {"size": "1", "size": "2"}, "x\u202e": 0}"#))
        XCTAssertEqual(odd.pathDescription(), #"$["BTC-PERP"].size"#)
        let bidi = try XCTUnwrap(failure(#"{"x\u202e": {"a": 0, "a": 0}}"#))
        XCTAssertEqual(bidi.pathDescription(), #"$["x\u202e"].a"#)
    }

    func testCanonicallyEquivalentKeysAreDistinctKeys() throws {
        // Å as one letter and as the Ångström sign; K and the Kelvin sign;
        // é precomposed and decomposed. Swift `==` calls each pair equal.
        let pairs: [(String, String)] = [("\u{00C5}", "\u{212B}"), ("K", "\u{212A}"), ("\u{00E9}", "e\u{0301}")]
        for (a, b) in pairs {
            XCTAssertTrue(a == b)   // what makes String equality wrong for keys
            for padding in [0, 20] {   // small (searched) and large (indexed) objects
                let filler = (0..<padding).map { "\"f\($0)\": 0, " }.joined()
                let o = try object("{\(filler)\(jsonQuoted(a)): \"first\", \(jsonQuoted(b)): \"second\"}")
                XCTAssertEqual(o.count, padding + 2)
                XCTAssertEqual(o[a], .string("first"))
                XCTAssertEqual(o[b], .string("second"))
                XCTAssertTrue(sameBytes(o.keys.suffix(2), [a, b]))
            }
        }
        XCTAssertNil(try object(#"{"K": 1}"#)["\u{212A}"])
        XCTAssertNotEqual(JSONValue.string("\u{00C5}"), .string("\u{212B}"))
        XCTAssertNotEqual(JSONObject([("\u{00C5}", .null)]), JSONObject([("\u{212B}", .null)]))
    }

    func testAnObjectWith200kKeysParses() throws {
        let n = 200_000
        var text = "{"
        for i in 0..<n { text += (i == 0 ? "" : ",") + "\"key\(i)\":\(i)" }
        text += "}"
        let o = try object(text)
        XCTAssertEqual(o.count, n)
        XCTAssertEqual(o["key0"], .number("0"))
        XCTAssertEqual(o["key123456"], .number("123456"))
        XCTAssertEqual(o["key199999"], .number("199999"))
        XCTAssertNil(o["key200000"])
        XCTAssertEqual(o.keys[54321], "key54321")
        // A duplicate at the very end is still found.
        XCTAssertEqual(failure(String(text.dropLast()) + ",\"key7\":0}")?.kind, .duplicateKey)
    }

    // MARK: Limits

    func testNestingLimit() throws {
        func nested(_ n: Int) -> String { String(repeating: "[", count: n) + String(repeating: "]", count: n) }
        XCTAssertEqual(JSONParser.Limits.standard.maximumDepth, 64)
        XCTAssertNoThrow(try parse(nested(64)))
        let e = try XCTUnwrap(failure(nested(65)))
        XCTAssertEqual(e.kind, .limit)
        XCTAssertTrue(e.reason.contains("nested more than 64 levels deep"), e.reason)
        XCTAssertEqual(e.path.count, 64)
        XCTAssertEqual(failure(nested(3), limits: .init(maximumDepth: 2))?.kind, .limit)
        XCTAssertEqual(failure(String(repeating: #"{"a":"#, count: 65) + "0" + String(repeating: "}", count: 65))?.kind, .limit)
    }

    func testValueCountLimit() throws {
        let ten = JSONParser.Limits(maximumValues: 10)
        // The array itself and nine elements: ten values.
        XCTAssertNoThrow(try parse("[1,2,3,4,5,6,7,8,9]", limits: ten))
        let e = try XCTUnwrap(failure("[1,2,3,4,5,6,7,8,9,10]", limits: ten))
        XCTAssertEqual(e.kind, .limit)
        XCTAssertEqual(e.reason, "the document holds more than 10 values (the limit per document)")
        XCTAssertEqual(e.path, [.index(9)])
        // Keys are not values: five one-key objects in an array are eleven.
        XCTAssertNoThrow(try parse(#"[{"a":0},{"a":0},{"a":0},{"a":0}]"#, limits: ten))
        XCTAssertEqual(failure(#"[{"a":0},{"a":0},{"a":0},{"a":0},{"a":0}]"#, limits: ten)?.kind, .limit)

        // The standard limit: a million values.
        XCTAssertEqual(JSONParser.Limits.standard.maximumValues, 1_000_000)
        let zeros = "[" + String(repeating: "0,", count: 999_999) + "0]"
        let tooMany = try XCTUnwrap(failure(zeros))   // the array and a million zeros
        XCTAssertEqual(tooMany.kind, .limit)
        XCTAssertTrue(tooMany.reason.contains("more than 1000000 values"))
    }

    func testNumberLengthLimit() throws {
        XCTAssertEqual(JSONParser.Limits.standard.maximumNumberLength, 100)
        let hundred = "-" + String(repeating: "1", count: 91) + ".25e+123"
        XCTAssertEqual(hundred.count, 100)
        XCTAssertEqual(try parse("[\(hundred)]"), .array([.number(hundred)]))
        let e = try XCTUnwrap(failure("[\(hundred)4]"))
        XCTAssertEqual(e.kind, .limit)
        XCTAssertEqual(e.offset, 1)
        XCTAssertEqual(e.reason, "a number is longer than 100 characters")
        XCTAssertEqual(failure("1234", limits: .init(maximumNumberLength: 3))?.kind, .limit)
    }

    // MARK: Syntax

    func testRejectsWhatItMust() {
        let bad: [(String, String)] = [
            ("", "empty"),
            ("   ", "empty"),
            (#"{"a": 1} x"#, "after the end"),
            (#"{"a": 1"#, "truncated"),
            (#"{"a": "abc"#, "truncated"),
            (#"{"a": 01}"#, "expected ','"),
            (#"{"a": 1.}"#, "invalid number"),
            (#"{"a": 1e}"#, "exponent"),
            (#"{"a": +1}"#, "unexpected character"),
            (#"{'a': 1}"#, "expected a quoted key"),
            (#"{"a": "\x"}"#, "invalid escape"),
            (#"{"a": "\ud800"}"#, "surrogate"),
            (#"{"a": "\udc00"}"#, "surrogate"),
            (#"{"a": "\u12"}"#, #"invalid \u escape"#),
            ("{\"a\": \"\u{01}\"}", "control character"),
            ("{\"a\": \"\n\"}", "control character"),
            (#"[1, 2,]"#, "unexpected character"),
            (#"{"a": tru}"#, "invalid literal"),
            (#"{"a": nul"#, "truncated"),
            (#"{"a": nil}"#, "invalid literal"),
            ("nul", "truncated"),
        ]
        for (text, reason) in bad {
            let e = failure(text)
            XCTAssertEqual(e?.kind, .syntax, text)
            XCTAssertTrue(e?.reason.contains(reason) ?? false, "\(text): \(e?.reason ?? "")")
        }
        for bytes: [UInt8] in [[0x22, 0xC3, 0x28, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0xEF, 0xBB, 0xBF, 0x30]] {
            XCTAssertThrowsError(try JSONParser.parse(bytes))
        }
        // Invalid UTF-8 after an escape is caught too.
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0x5C, 0x6E, 0xC3, 0x22]))
    }

    func testSyntaxErrorsNameWhereTheyAre() throws {
        let e = try XCTUnwrap(failure(#"{"a": [1, 2, tru]}"#))
        XCTAssertEqual(e.path, [.key("a"), .index(2)])
        XCTAssertEqual(e.description, "at byte 13 ($.a[2]): invalid literal (expected true)")
    }

    func testStringsWithEscapes() throws {
        XCTAssertEqual(try parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#), .string("a\"b\\c/d\u{8}\u{C}\n\r\té😀"))
        XCTAssertEqual(try parse(#""plain ≥ text""#), .string("plain ≥ text"))
        XCTAssertEqual(try parse(#""\u0000""#), .string("\u{0}"))
    }

    // MARK: JSONObject

    func testObjectEditing() {
        var o = JSONObject([("a", .number("1")), ("b", .null), ("a", .number("2"))])
        XCTAssertEqual(o.keys, ["a", "b"])
        XCTAssertEqual(o["a"], .number("2"))
        for i in 0..<30 { o["k\(i)"] = .number("\(i)") }
        o["k3"] = nil
        o["a"] = nil
        XCTAssertEqual(o.count, 30)
        XCTAssertNil(o["k3"])
        XCTAssertEqual(o["k29"], .number("29"))
        XCTAssertEqual(o.keys.first, "b")
        o["k3"] = .bool(true)
        XCTAssertEqual(o.keys.last, "k3")
        XCTAssertTrue(o.containsKey("k3"))
        XCTAssertFalse(o.containsKey("a"))
        for i in 0..<30 where i != 3 { o["k\(i)"] = nil }
        XCTAssertEqual(o.keys, ["b", "k3"])
        XCTAssertEqual(o["k3"], .bool(true))
    }
}
