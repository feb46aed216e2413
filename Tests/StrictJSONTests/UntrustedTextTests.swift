import StrictJSON
import XCTest

/// Showing untrusted text safely, and which strings are usable identifiers.
final class UntrustedTextTests: XCTestCase {
    /// One scalar of every display-changing class, with its visible escape.
    static let unsafe: [(Unicode.Scalar, String)] = [
        ("\u{0}", "0000"), ("\t", "0009"), ("\n", "000A"), ("\r", "000D"), ("\u{1B}", "001B"), ("\u{1F}", "001F"),
        ("\u{7F}", "007F"),                                                    // DEL
        ("\u{80}", "0080"), ("\u{85}", "0085"), ("\u{9B}", "009B"), ("\u{9F}", "009F"),   // C1 (NEL, CSI)
        ("\u{AD}", "00AD"),                                                    // soft hyphen (Cf)
        ("\u{061C}", "061C"), ("\u{200E}", "200E"), ("\u{200F}", "200F"),     // bidi marks
        ("\u{202A}", "202A"), ("\u{202B}", "202B"), ("\u{202C}", "202C"), ("\u{202D}", "202D"), ("\u{202E}", "202E"),
        ("\u{2066}", "2066"), ("\u{2067}", "2067"), ("\u{2068}", "2068"), ("\u{2069}", "2069"),   // isolates
        ("\u{200B}", "200B"), ("\u{200C}", "200C"), ("\u{200D}", "200D"), ("\u{2060}", "2060"),   // zero-width
        ("\u{FEFF}", "FEFF"), ("\u{FFF9}", "FFF9"),
        ("\u{2028}", "2028"), ("\u{2029}", "2029"),                            // Zl, Zp
        ("\u{E0001}", "E0001"), ("\u{E0041}", "E0041"), ("\u{1D173}", "1D173"),   // tags, musical format
    ]

    static let ordinary = ["fund-7/subacct-2", "≥ … · — −", "Å é ñ ß", "\u{212B}", "e\u{0301}", "日本語", "😀", "a b", "\u{A0}", "~!@#$%^&*()_+{}|:<>?`-=[];',./"]

    func testDisplaySafeEscapesEveryDisplayChangingScalar() {
        for (u, hex) in Self.unsafe {
            XCTAssertTrue(isDisplayUnsafe(u), hex)
            XCTAssertEqual(displaySafe("a\(Character(u))b"), "a\\u{\(hex)}b", hex)
        }
        XCTAssertEqual(displaySafe("line1\nFAKE: ok\u{202E}"), "line1\\u{000A}FAKE: ok\\u{202E}")
    }

    func testDisplaySafeKeepsOrdinaryText() {
        for s in Self.ordinary {
            XCTAssertEqual(displaySafe(s), s)
            XCTAssertTrue(sameBytes(displaySafe(s), s), s)
            XCTAssertFalse(s.unicodeScalars.contains(where: isDisplayUnsafe), s)
        }
    }

    func testJSONQuotedEscapesTheSameSetAndRoundTrips() throws {
        for (u, hex) in Self.unsafe {
            let s = "a\(Character(u))b"
            let q = jsonQuoted(s)
            XCTAssertFalse(q.unicodeScalars.contains(where: isDisplayUnsafe), hex)
            XCTAssertEqual(try JSONParser.parse(Array(q.utf8)), .string(s), hex)
        }
        // Unchanged escapes: the committed vectors depend on them.
        XCTAssertEqual(jsonQuoted("\"\\\n\r\t\u{1}\u{7F}/"), #""\"\\\n\r\t\u0001\u007f/""#)
        // The new ones: lower-case \uXXXX, surrogate pairs above U+FFFF.
        XCTAssertEqual(jsonQuoted("\u{85}\u{AD}\u{202E}\u{2028}\u{FEFF}"), #""\u0085\u00ad\u202e\u2028\ufeff""#)
        XCTAssertEqual(jsonQuoted("\u{E0001}"), #""\udb40\udc01""#)
        XCTAssertEqual(jsonQuoted("\u{1D173}"), #""\ud834\udd73""#)
        for s in Self.ordinary {
            XCTAssertEqual(jsonQuoted(s), "\"\(s)\"")
        }
    }

    func testIdentifierProblem() {
        XCTAssertNil(identifierProblem("fund-7/subacct-2", maxBytes: 256))
        XCTAssertNil(identifierProblem("BTC-PERP", maxBytes: 128))
        XCTAssertNil(identifierProblem("\u{00E9}", maxBytes: 128))        // é, NFC
        XCTAssertNil(identifierProblem("fund-\u{00C5}", maxBytes: 128))   // Å, NFC
        XCTAssertNil(identifierProblem("日本語 ≥ 😀", maxBytes: 128))

        let nfc = "is not in Unicode normalization form C (NFC)"
        XCTAssertEqual(identifierProblem("e\u{0301}", maxBytes: 128), nfc)       // é, NFD
        XCTAssertEqual(identifierProblem("fund-\u{212B}", maxBytes: 128), nfc)   // Ångström sign
        XCTAssertEqual(identifierProblem("\u{212A}", maxBytes: 128), nfc)        // Kelvin sign
        XCTAssertEqual(identifierProblem("", maxBytes: 128), "is empty")
        XCTAssertEqual(identifierProblem("a\nb", maxBytes: 128), "contains the control character U+000A")
        XCTAssertEqual(identifierProblem("a\tb", maxBytes: 128), "contains the control character U+0009")
        XCTAssertEqual(identifierProblem("a\u{85}", maxBytes: 128), "contains the control character U+0085")
        XCTAssertEqual(identifierProblem("\u{202E}CSU", maxBytes: 128), "contains the invisible format character U+202E")
        XCTAssertEqual(identifierProblem("a\u{200D}b", maxBytes: 128), "contains the invisible format character U+200D")
        XCTAssertEqual(identifierProblem("a\u{2028}b", maxBytes: 128), "contains the line separator U+2028")
        XCTAssertEqual(identifierProblem("a\u{2029}b", maxBytes: 128), "contains the paragraph separator U+2029")
        for (u, hex) in Self.unsafe {
            XCTAssertTrue(identifierProblem("x\(Character(u))", maxBytes: 128)?.hasSuffix("U+\(hex)") ?? false, hex)
        }

        // Length is in UTF-8 bytes.
        XCTAssertNil(identifierProblem(String(repeating: "a", count: 128), maxBytes: 128))
        XCTAssertEqual(identifierProblem(String(repeating: "a", count: 129), maxBytes: 128), "is longer than 128 bytes")
        XCTAssertNil(identifierProblem(String(repeating: "\u{00E9}", count: 64), maxBytes: 128))
        XCTAssertEqual(identifierProblem(String(repeating: "\u{00E9}", count: 65), maxBytes: 128), "is longer than 128 bytes")
    }

    func testTextProblem() {
        XCTAssertNil(textProblem("", maxBytes: 10))
        XCTAssertNil(textProblem("e\u{0301}", maxBytes: 10))   // any normalization form
        XCTAssertEqual(textProblem("a\nb", maxBytes: 10), "contains the control character U+000A")
        XCTAssertEqual(textProblem("abcdefghijk", maxBytes: 10), "is longer than 10 bytes")
    }

    func testSameBytes() {
        XCTAssertTrue("fund-\u{00C5}" == "fund-\u{212B}")
        XCTAssertFalse(sameBytes("fund-\u{00C5}", "fund-\u{212B}"))
        XCTAssertTrue("\u{212A}" == "K")
        XCTAssertFalse(sameBytes("\u{212A}", "K"))
        XCTAssertTrue(sameBytes("BTC", "BTC"))
        XCTAssertTrue(sameBytes(["a", "\u{00E9}"], ["a", "\u{00E9}"]))
        XCTAssertFalse(sameBytes(["a", "\u{00E9}"], ["a", "e\u{0301}"]))
        XCTAssertFalse(sameBytes(["a"], ["a", "b"]))

        XCTAssertEqual(Set(["\u{00C5}", "\u{212B}"]).count, 1)
        XCTAssertEqual(Set(["\u{00C5}", "\u{212B}"].map(UTF8Key.init)).count, 2)
        XCTAssertEqual(UTF8Key("K"), UTF8Key("K"))
        XCTAssertNotEqual(UTF8Key("K"), UTF8Key("\u{212A}"))
        XCTAssertTrue(isNFC("fund-\u{00C5}"))
        XCTAssertFalse(isNFC("fund-\u{212B}"))
    }
}
