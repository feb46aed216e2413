import Foundation
import StrictJSON
import XCTest
@testable import ZKGroup
@testable import Solvency
import ZKTestSupport

/// The strict JSON reader, base64, times and keys.
final class FormatTests: XCTestCase {
    func parse(_ s: String) throws -> JSONValue { try JSONParser.parse(Array(s.utf8)) }

    func testJSONParsesAndRoundTrips() throws {
        let text = #"{"a": [1, -2.5e3, "x\u00e9\n", true, null], "b": {"c": {}}, "d": []}"#
        let v = try parse(text)
        XCTAssertEqual(try JSONParser.parse(v.encoded()), v)
        XCTAssertEqual(try JSONParser.parse(v.compactEncoded()), v)
        XCTAssertFalse(v.compactEncoded().contains(UInt8(ascii: "\n")))
        guard case .object(let o) = v, case .array(let a) = o["a"]! else { return XCTFail("shape") }
        XCTAssertEqual(a[1], .number("-2.5e3"))   // numbers keep their text
        XCTAssertEqual(a[2], .string("xé\n"))
        XCTAssertEqual(o.keys, ["a", "b", "d"])   // order kept
    }

    func testJSONRejectsWhatItMust() {
        let bad: [(String, String)] = [
            ("", "empty"),
            ("   ", "empty"),
            (#"{"a": 1, "a": 2}"#, "duplicate key"),
            (#"{"a": 1} x"#, "after the end"),
            (#"{"a": 1"#, "truncated"),
            (#"{"a": "abc"#, "truncated"),
            (#"{"a": 01}"#, "expected ','"),
            (#"{"a": 1.}"#, "invalid number"),
            (#"{"a": +1}"#, "unexpected character"),
            (#"{'a': 1}"#, "expected a quoted key"),
            (#"{"a": "\x"}"#, "invalid escape"),
            (#"{"a": "\ud800"}"#, "surrogate"),
            ("{\"a\": \"\u{01}\"}", "control character"),
            (#"[1, 2,]"#, "unexpected character"),
            (#"{"a": tru}"#, "invalid literal"),
            (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "nested"),
        ]
        for (text, reason) in bad {
            XCTAssertThrowsError(try JSONParser.parse(Array(text.utf8)), text) { e in
                let e = e as! JSONSyntaxError
                XCTAssertTrue(e.reason.contains(reason), "\(text): \(e.reason)")
            }
        }
        // Invalid UTF-8 inside a string.
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]))
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]))   // encoded surrogate
    }

    func testFieldReaderRejectsUnknownAndMistypedFields() throws {
        guard case .object(let o) = try parse(#"{"a": "x", "n": 5, "extra": 1}"#) else { return XCTFail() }
        var r = FieldReader(o, path: "f")
        XCTAssertEqual(try r.string("a"), "x")
        XCTAssertEqual(try r.integer("n", in: 1...8), 5)
        XCTAssertThrowsError(try r.finish()) { XCTAssertEqual(($0 as! SolvencyError).description, "f.extra: unknown field") }
        var r2 = FieldReader(o, path: "f")
        XCTAssertThrowsError(try r2.integer("a", in: 0...1))
        XCTAssertThrowsError(try r2.string("missing")) { XCTAssertEqual(($0 as! SolvencyError).description, "f.missing: missing") }
    }

    func testBase64IsCanonicalOnly() {
        XCTAssertEqual(Base64.decode("AAEC"), [0, 1, 2])
        XCTAssertEqual(Base64.decode("AAE="), [0, 1])
        XCTAssertNil(Base64.decode("AAE"))        // missing padding
        XCTAssertNil(Base64.decode("AAF="))       // stray bits
        XCTAssertNil(Base64.decode("AA E="))      // whitespace
        XCTAssertNil(Base64.decode("AA\nE="))
        XCTAssertNil(Base64.decode("AA-_"))       // URL alphabet
        XCTAssertEqual(Base64.decode(""), [])
    }

    func testRFC3339TimesAreReadStrictly() throws {
        XCTAssertEqual(try RFC3339.parse("2025-11-25T12:00:00Z"), testIssuedAt)
        XCTAssertEqual(try RFC3339.parse("2025-11-25t12:00:00z"), testIssuedAt)
        XCTAssertEqual(try RFC3339.parse("2025-11-25T14:00:00+02:00"), testIssuedAt)
        XCTAssertEqual(try RFC3339.parse("2025-11-25T11:30:00-00:30"), testIssuedAt)
        XCTAssertEqual(try RFC3339.parse("2025-11-25T12:00:00.500Z").timeIntervalSince1970, testIssuedAt.timeIntervalSince1970 + 0.5)
        XCTAssertEqual(try RFC3339.parse("2024-02-29T00:00:00Z").timeIntervalSince1970, 1_709_164_800)
        XCTAssertEqual(try RFC3339.parse("1969-12-31T23:59:59Z").timeIntervalSince1970, -1)
        XCTAssertEqual(try RFC3339.parse("2000-03-01T00:00:00Z").timeIntervalSince1970, 951_868_800)
        XCTAssertEqual(RFC3339.format(testIssuedAt), "2025-11-25T12:00:00Z")
        XCTAssertEqual(RFC3339.format(Date(timeIntervalSince1970: -1)), "1969-12-31T23:59:59Z")
        XCTAssertEqual(RFC3339.format(Date(timeIntervalSince1970: 253_402_300_799)), "9999-12-31T23:59:59Z")
        // Every day of four centuries round-trips through format and parse.
        for day in stride(from: -146_097, to: 146_097 * 2, by: 1) where day % 7 == 0 {
            let d = Date(timeIntervalSince1970: Double(day) * 86_400 + 45_296)
            XCTAssertEqual(try RFC3339.parse(RFC3339.format(d)), d)
        }
        // What the lenient parser took, each refused with its reason.
        let refused: [(String, String)] = [
            ("2030-01-01T23:60:00Z", "minute 60"), ("2030-02-30T00:00:00Z", "day 30"), ("2023-02-29T00:00:00Z", "day 29"),
            ("2030-01-01T24:00:00Z", "hour 24"), ("2016-12-31T23:59:60Z", "leap seconds"), ("2030-13-01T00:00:00Z", "month 13"),
            ("2030-01-01T00:00:00Zjunk", "after the time"), ("2030-01-01T00:00:00Z ", "after the time"), (" 2030-01-01T00:00:00Z", "year"),
            ("2030-01-01", "`T`"), ("2030-01-01T00:00:00", "`Z` or an offset"), ("2030-01-01T00:00Z", "`:` before the seconds"),
            ("٢٠٣٠-01-01T00:00:00Z", "ASCII digits"), ("2030-01-01T00:00:00.Z", "digits after the decimal point"),
            ("2030-01-01T00:00:00.1234567890Z", "9 digits"), ("2030-01-01T00:00:00+24:00", "offset"), ("yesterday", "year"), ("", "year"),
        ]
        for (text, reason) in refused {
            XCTAssertThrowsError(try RFC3339.parse(text), text) { error in
                XCTAssertTrue((error as! TimeSyntaxError).reason.contains(reason), "\(text): \(error)")
            }
        }
        // Signed files carry only the canonical form.
        XCTAssertEqual(try RFC3339.parseCanonical("2025-11-25T12:00:00Z"), testIssuedAt)
        for text in ["2025-11-25T14:00:00+02:00", "2025-11-25T12:00:00.0Z", "2025-11-25t12:00:00Z"] {
            XCTAssertThrowsError(try RFC3339.parseCanonical(text), text)
        }
    }

    func testEpochsHaveOneCanonicalText() throws {
        XCTAssertEqual(try Epoch("0").text, "0")
        XCTAssertEqual(try Epoch("202511251200").text, "202511251200")
        XCTAssertEqual(try Epoch("2025-11-25").text, "2025-11-25")
        XCTAssertEqual(try Epoch("2025-11-25T12:00:00Z").text, "2025-11-25T12:00:00Z")
        XCTAssertEqual(try Epoch("2025-11-25T14:00:00+02:00").text, "2025-11-25T12:00:00Z")
        XCTAssertEqual(try Epoch("2025-11-25t12:00:00.250z").text, "2025-11-25T12:00:00.25Z")
        XCTAssertEqual(try Epoch("2025-11-25T12:00:00.000Z").text, "2025-11-25T12:00:00Z")
        for text in ["", "007", "-1", "+1", "1234567890123456789", "2025-02-30", "2025-11-25 12:00:00Z", "2025-11-25T23:60:00Z",
                     "epoch-7", "2025-11-25T12:00:00Z\n", "１２"] {
            XCTAssertThrowsError(try Epoch(text), text)
        }
        XCTAssertNoThrow(try Epoch(canonical: "2025-11-25T12:00:00Z"))
        for text in ["2025-11-25T14:00:00+02:00", "2025-11-25T12:00:00.000Z", "2025-11-25t12:00:00Z"] {
            XCTAssertThrowsError(try Epoch(canonical: text), text) { XCTAssertTrue("\($0)".contains("canonical"), "\($0)") }
        }
    }

    func testFormatNamesAreCheckedByKindAndVersion() {
        func check(_ format: JSONValue?, _ kind: FileKind) -> String? {
            do { try FileKind.check(format, expected: kind, path: "x"); return nil } catch { return error.code }
        }
        XCTAssertNil(check(.string("zkmargin/bundle@1"), .bundle))
        XCTAssertEqual(check(.string("zkmargin/bundle@2"), .bundle), "unsupportedVersion")
        XCTAssertEqual(check(.string("zkmargin/bundle@0"), .bundle), "unsupportedVersion")
        XCTAssertEqual(check(.string("zkmargin/proof@1"), .bundle), "wrongFileKind")
        XCTAssertEqual(check(.string("something/else"), .bundle), "unknownFormat")
        XCTAssertEqual(check(nil, .proof), "unknownFormat")
        XCTAssertEqual(check(.number("1"), .proof), "unknownFormat")
    }

    // MARK: Keys

    func testSignAndVerify() throws {
        let key = SigningKey.generate()
        let message = Array("payload bytes".utf8)
        let signature = key.signature(for: message)
        XCTAssertTrue(key.verifyingKey.isValidSignature(signature, for: message))
        XCTAssertFalse(key.verifyingKey.isValidSignature(signature, for: message + [0]))
        XCTAssertFalse(TestKeys.publisher.verifyingKey.isValidSignature(signature, for: message))
        var flipped = signature
        flipped[flipped.count - 1] ^= 1
        XCTAssertFalse(key.verifyingKey.isValidSignature(flipped, for: message))
        XCTAssertFalse(key.verifyingKey.isValidSignature([], for: message))
        XCTAssertFalse(key.verifyingKey.isValidSignature(signature + [0], for: message))   // trailing garbage in DER
    }

    func testKeyEncodingsAndIDs() throws {
        let key = SigningKey.generate()
        var pem = key.pemRepresentation()
        XCTAssertTrue(String(decoding: pem, as: UTF8.self).hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let again = try SigningKey(pemRepresentation: pem)
        secureZero(&pem)
        XCTAssertEqual(again.verifyingKey, key.verifyingKey)
        XCTAssertEqual(again.privateScalarForTesting, key.privateScalarForTesting)
        XCTAssertEqual(key.privateScalarForTesting.count, 32)

        let pub = key.verifyingKey.pemRepresentation
        XCTAssertTrue(pub.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        XCTAssertEqual(try VerifyingKey(pemRepresentation: pub), key.verifyingKey)
        XCTAssertEqual(try VerifyingKey(derRepresentation: key.verifyingKey.derRepresentation), key.verifyingKey)
        XCTAssertEqual(key.verifyingKey.id, SHA256.hash(key.verifyingKey.derRepresentation)[0..<16].hexString)
        XCTAssertEqual(key.verifyingKey.id.count, 32)
        XCTAssertFalse(key.description.contains(key.privateScalarForTesting.hexString))

        XCTAssertThrowsError(try VerifyingKey(pemRepresentation: String(decoding: key.pemRepresentation(), as: UTF8.self))) {
            XCTAssertTrue("\($0)".contains("private key"))
        }
        XCTAssertThrowsError(try SigningKey(pemRepresentation: Array(pub.utf8))) { XCTAssertTrue("\($0)".contains("public key")) }
        XCTAssertThrowsError(try SigningKey(pemRepresentation: Array("garbage".utf8)))
        XCTAssertThrowsError(try VerifyingKey(derRepresentation: key.verifyingKey.derRepresentation + [0]))
        XCTAssertThrowsError(try VerifyingKey(derRepresentation: Array(key.verifyingKey.derRepresentation.dropLast())))
    }

    func testKeysOnOtherCurvesAreRefused() throws {
        // A secp256k1 SubjectPublicKeyInfo (the generator point), made with `openssl`.
        let der = [UInt8](hex: "3056301006072a8648ce3d020106052b8104000a03420004"
                          + "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                          + "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")!
        XCTAssertThrowsError(try VerifyingKey(derRepresentation: der)) { XCTAssertTrue("\($0)".contains("P-256"), "\($0)") }
    }

    func testAtomicWritesAndModes() throws {
        let dir = try temporaryDirectory(self)
        try FileIO.write(Array("secret".utf8), to: dir + "/s.json", mode: FileIO.secretMode)
        try FileIO.write(Array("public".utf8), to: dir + "/p.json", mode: FileIO.publicMode)
        XCTAssertEqual(FileIO.mode(of: dir + "/s.json"), 0o600)
        XCTAssertEqual(FileIO.mode(of: dir + "/p.json"), 0o644)
        try FileIO.write(Array("replaced".utf8), to: dir + "/s.json", mode: FileIO.secretMode)
        XCTAssertEqual(try FileIO.read(dir + "/s.json"), Array("replaced".utf8))
        // No temporary file is left behind, and a failed multi-file write changes nothing.
        XCTAssertThrowsError(try FileIO.write([
            FileIO.Output(path: dir + "/a.json", bytes: [1], mode: 0o644),
            FileIO.Output(path: dir + "/missing/b.json", bytes: [2], mode: 0o644),
        ]))
        XCTAssertFalse(FileIO.exists(dir + "/a.json"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["p.json", "s.json"])
        XCTAssertThrowsError(try FileIO.read(dir + "/nope.json")) { XCTAssertEqual(($0 as! SolvencyError).code, "io") }
    }

    func testKeygenWritesBothFilesAndRefusesToOverwrite() throws {
        let dir = try temporaryDirectory(self)
        let r = try Workflow.keygen(out: dir + "/pub.pem")
        XCTAssertEqual(r.publicKeyPath, dir + "/pub.pub.pem")
        XCTAssertEqual(FileIO.mode(of: r.privateKeyPath), 0o600)
        XCTAssertEqual(FileIO.mode(of: r.publicKeyPath), 0o644)
        XCTAssertEqual(try Workflow.loadVerifyingKey(path: r.publicKeyPath), r.key)
        XCTAssertEqual(try Workflow.loadSigningKey(path: r.privateKeyPath).verifyingKey, r.key)
        assertSolvencyError("io") { try Workflow.keygen(out: dir + "/pub.pem") }
        XCTAssertNotEqual(try Workflow.keygen(out: dir + "/pub.pem", force: true).key, r.key)
    }

    func testEmbeddedExampleDataMatchesTheRepository() throws {
        XCTAssertEqual(ExampleData.crossMarginSource, try Repository.forTests.circuitSource("cross-margin"), "ExampleData.crossMarginSource differs from Circuits/cross-margin.zkm")
        XCTAssertEqual(ExampleData.crossMarginValues, String(decoding: try Repository.forTests.example("cross-margin", "values.json"), as: UTF8.self))
        XCTAssertEqual(ExampleData.solventAccount, String(decoding: try Repository.forTests.read("Vectors/examples/cross-margin/solvent.json"), as: UTF8.self))
        XCTAssertEqual(ExampleData.shortAccount, String(decoding: try Repository.forTests.read("Vectors/examples/cross-margin/short.json"), as: UTF8.self))
    }
}
