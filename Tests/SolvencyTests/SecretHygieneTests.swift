import Foundation
import MarginCircuits
import StrictJSON
import XCTest
@testable import ZKGroup
import ZKProofs
@testable import Solvency
import ZKTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Secrets in Solvency (issue 6): openings and private keys never print,
/// secret files are 0600 whatever the umask and never silently replaced,
/// and no error raised while reading a secret file quotes its content.
final class SolvencySecretHygieneTests: XCTestCase {
    /// The text forms of every secret in `openings`: each blinding factor
    /// (hex both cases, base64, 16-digit prefixes) and each nonzero value
    /// with at least five digits.
    static func secretForms(_ openings: Openings) -> [String] {
        var forms: [String] = []
        for e in openings.entries {
            let hex = e.opening.blinding.bytes.hexString
            forms += [hex, hex.uppercased(), Base64.encode(e.opening.blinding.bytes), String(hex.prefix(16)), String(hex.suffix(16))]
            let v = e.value.description.replacingOccurrences(of: "-", with: "")
            if v.count >= 5 { forms.append(v) }
        }
        return forms
    }

    static func keyForms(_ key: SigningKey) -> [String] {
        let scalar = key.privateScalarForTesting
        var forms = [scalar.hexString, scalar.hexString.uppercased(), Base64.encode(scalar), String(scalar.hexString.prefix(16))]
        let pem = key.pemRepresentation()
        forms += String(decoding: pem, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
        return forms
    }

    func assertNoSecret(_ text: String, _ forms: [String], file: StaticString = #filePath, line: UInt = #line) {
        for form in forms where text.contains(form) {
            XCTFail("a secret (\(form.prefix(12))…) appears in: \(text.prefix(300))", file: file, line: line)
        }
    }

    func testOpeningsAndEntriesNeverPrintASecret() throws {
        let flow = try Fixtures.flow()
        let forms = Self.secretForms(flow.openings)
        XCTAssertGreaterThan(forms.count, 20)
        for text in renderings(flow.openings) { assertNoSecret(text, forms) }
        for e in flow.openings.entries {
            for text in renderings(e) { assertNoSecret(text, forms) }
            XCTAssertEqual(e.description, "Openings.Entry(\(e.id), <redacted>)")
        }
        XCTAssertEqual(Mirror(reflecting: flow.openings).children.compactMap(\.label), ["account", "curve", "inputs"])
        XCTAssertEqual(Mirror(reflecting: flow.openings.entries[0]).children.compactMap(\.label), ["id"])
        // The proof and statement, printed any way, hold no secret either.
        for text in renderings(flow.proof) + renderings(flow.statement) { assertNoSecret(text, forms) }
        assertNoSecret(String(decoding: flow.proofBytes, as: UTF8.self), forms)
        // Sanity: the openings file itself does hold them.
        XCTAssertTrue(String(decoding: flow.openings.encoded(), as: UTF8.self).contains(forms[0]))
    }

    func testSigningKeyNeverPrintsThePrivateKey() {
        let key = SigningKey.generate()
        let forms = Self.keyForms(key)
        XCTAssertGreaterThan(forms.count, 4)
        for text in renderings(key) {
            assertNoSecret(text, forms)
            XCTAssertTrue(text.contains(key.verifyingKey.id), text)
        }
        XCTAssertEqual(Mirror(reflecting: key).children.compactMap(\.label), ["verifyingKey"])
    }

    // MARK: Files

    /// Writes a bundle, an account and the custodian key for `Workflow.attest`.
    func attestInputs(in dir: String) throws -> (bundle: String, account: String, key: String) {
        let bundle = try makeBundle()
        try FileIO.write(bundle.encoded(), to: dir + "/bundle.json", mode: FileIO.publicMode)
        var pem = TestKeys.custodian.pemRepresentation()
        defer { secureZero(&pem) }
        try FileIO.write(pem, to: dir + "/custodian.pem", mode: FileIO.secretMode)
        return (dir + "/bundle.json", Repository.forTests.path("Vectors/examples/cross-margin/solvent.json"), dir + "/custodian.pem")
    }

    /// 0600 whatever the umask: a permissive umask (000) does not widen a
    /// secret file, a strict one (077) does not stop the owner reading it.
    func testSecretFilesAre0600WhateverTheUmask() throws {
        let dir = try temporaryDirectory(self)
        let inputs = try attestInputs(in: dir)
        for (k, mask) in [mode_t(0o000), 0o022, 0o077, 0o277].enumerated() {
            let old = umask(mask)
            defer { umask(old) }
            try Workflow.attest(bundlePath: inputs.bundle, accountPath: inputs.account, keyPath: inputs.key,
                                out: "\(dir)/statement-\(k).json", openingsOut: "\(dir)/openings-\(k).json", at: testNow)
            let keys = try Workflow.keygen(out: "\(dir)/key-\(k).pem")
            XCTAssertEqual(FileIO.mode(of: "\(dir)/openings-\(k).json"), 0o600, "umask \(String(mask, radix: 8))")
            XCTAssertEqual(FileIO.mode(of: keys.privateKeyPath), 0o600, "umask \(String(mask, radix: 8))")
            XCTAssertEqual(FileIO.mode(of: "\(dir)/statement-\(k).json"), 0o644)
            XCTAssertEqual(FileIO.mode(of: keys.publicKeyPath), 0o644)
            XCTAssertNoThrow(try Openings.load(path: "\(dir)/openings-\(k).json"))
        }
        // No temporary file is left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }, [])
    }

    /// An existing openings file is never replaced without `force`; with it,
    /// the replacement is 0600 too. Nothing at all is written on refusal.
    func testAttestRefusesToOverwriteOpenings() throws {
        let dir = try temporaryDirectory(self)
        let inputs = try attestInputs(in: dir)
        let openings = dir + "/openings.json"
        try FileIO.write(Array("precious".utf8), to: openings, mode: 0o644)
        let e = assertSolvencyError("io") {
            try Workflow.attest(bundlePath: inputs.bundle, accountPath: inputs.account, keyPath: inputs.key,
                                out: dir + "/statement.json", openingsOut: openings, at: testNow)
        }
        XCTAssertEqual(e?.description, "\(openings): already exists; refusing to overwrite openings")
        XCTAssertEqual(try FileIO.read(openings), Array("precious".utf8))
        XCTAssertFalse(FileIO.exists(dir + "/statement.json"))
        try Workflow.attest(bundlePath: inputs.bundle, accountPath: inputs.account, keyPath: inputs.key,
                            out: dir + "/statement.json", openingsOut: openings, at: testNow, force: true)
        XCTAssertEqual(FileIO.mode(of: openings), 0o600)
        let statement = try AttestedStatement.load(path: dir + "/statement.json")
        XCTAssertNoThrow(try Openings.load(path: openings).check(against: statement, generators: .standard(.p256)))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }, [])
    }

    /// `replace: false` is enforced at the moment the file is put in place
    /// (a link, not a rename), and a refused multi-file write changes nothing.
    func testNoReplaceOutputsNeverClobber() throws {
        let dir = try temporaryDirectory(self)
        try FileIO.write([FileIO.Output(path: dir + "/s.pem", bytes: Array("first".utf8), mode: FileIO.secretMode, replace: false)])
        XCTAssertEqual(FileIO.mode(of: dir + "/s.pem"), 0o600)
        XCTAssertThrowsError(try FileIO.write([
            FileIO.Output(path: dir + "/s.pem", bytes: Array("second".utf8), mode: FileIO.secretMode, replace: false),
            FileIO.Output(path: dir + "/p.pem", bytes: Array("public".utf8), mode: FileIO.publicMode),
        ])) { XCTAssertTrue("\($0)".contains("already exists"), "\($0)") }
        XCTAssertEqual(try FileIO.read(dir + "/s.pem"), Array("first".utf8))
        XCTAssertFalse(FileIO.exists(dir + "/p.pem"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["s.pem"])
    }

    // MARK: Errors

    /// Damaged openings files: every error names the field, and none quotes
    /// a blinding factor or a value, whichever field is broken.
    func testErrorsReadingOpeningsNeverQuoteThem() throws {
        let flow = try Fixtures.flow()
        let good = flow.openings.encoded()
        let forms = Self.secretForms(flow.openings)
        let blinding = flow.openings.entries[0].opening.blinding.bytes.hexString
        let text = String(decoding: good, as: UTF8.self)
        guard case .array(let items)? = (try JSONParser.parse(good)).objectValue?["openings"], case .object(let first) = items[0] else {
            return XCTFail("unexpected openings layout")
        }
        func replacingFirst(_ key: String, with value: JSONValue) throws -> [UInt8] {
            try editJSON(good) { o in
                var entry = first
                entry[key] = value
                o["openings"] = .array([.object(entry)] + items.dropFirst())
            }
        }
        let secretValue = "98765432123456789"
        var damaged: [(String, [UInt8])] = [
            ("upper-case blinding", Array(text.replacingOccurrences(of: blinding, with: blinding.uppercased()).utf8)),
            ("blinding ≥ n", try replacingFirst("blinding", with: .string(String(repeating: "f", count: 64)))),
            ("short blinding", try replacingFirst("blinding", with: .string(String(blinding.dropLast(2))))),
            ("long blinding", try replacingFirst("blinding", with: .string(blinding + "00"))),
            ("blinding as a number", try replacingFirst("blinding", with: .number("1" + secretValue))),
            ("value not an integer", try replacingFirst("value", with: .string(secretValue + "x"))),
            ("value as a number", try replacingFirst("value", with: .number(secretValue))),
            ("zero blinding", try replacingFirst("blinding", with: .string(String(repeating: "0", count: 64)))),
            ("truncated in a blinding", Array(good[..<(text.utf8.distance(from: text.startIndex, to: text.range(of: blinding)!.lowerBound) + 20)])),
            ("cut after the first blinding", Array(text.components(separatedBy: blinding)[0].utf8) + Array(blinding.utf8)),
            ("garbage after", good + Array(" \(blinding)".utf8)),
        ]
        damaged.append(("not JSON", Array("openings: \(blinding) \(secretValue)".utf8)))
        let dir = try temporaryDirectory(self)
        for (what, bytes) in damaged {
            let path = dir + "/damaged.json"
            try FileIO.write(bytes, to: path, mode: FileIO.secretMode)
            do {
                _ = try Openings.load(path: path)
                XCTFail("\(what): accepted")
            } catch {
                assertNoSecret("\(error)", forms + [secretValue, blinding])
                assertNoSecret(error.code, forms + [secretValue, blinding])
            }
        }
    }

    /// An openings file (or a private key) given where another file is
    /// expected: the error says what is wrong, never what is inside.
    func testSecretFilesInTheWrongPlaceAreNotQuoted() throws {
        let flow = try Fixtures.flow()
        let dir = try temporaryDirectory(self)
        try FileIO.write(flow.openings.encoded(), to: dir + "/openings.json", mode: FileIO.secretMode)
        let key = SigningKey.generate()
        var pem = key.pemRepresentation()
        try FileIO.write(pem, to: dir + "/key.pem", mode: FileIO.secretMode)
        secureZero(&pem)
        let forms = Self.secretForms(flow.openings) + Self.keyForms(key)
        var messages: [String] = []
        func record<T>(_ body: () throws -> T) {
            do { _ = try body(); XCTFail("accepted a secret file in the wrong place") } catch { messages.append("\(error)") }
        }
        for path in [dir + "/openings.json", dir + "/key.pem"] {
            record { try RiskBundle.load(path: path) }
            record { try AttestedStatement.load(path: path) }
            record { try MarginProof.load(path: path) }
            record { try Workflow.loadVerifyingKey(path: path) }
            record { try Workflow.loadAccount(path: path) }
            record { try Workflow.circuitReference(inValues: FileIO.read(path)) }
            let report = try Verifier.verify(bundle: flow.bundle, proofs: [(path, try FileIO.read(path))], policy: policy())
            messages += report.lines + [report.json]
            assertVerdict(report.json)
        }
        record { try Openings.load(path: dir + "/key.pem") }
        record { try Workflow.loadSigningKey(path: dir + "/openings.json") }
        XCTAssertEqual(messages.count, 2 * 8 + 2)
        for m in messages { assertNoSecret(m, forms) }
    }

    /// Openings that do not open the statement are refused by the prover
    /// naming the input, not the values or blindings involved.
    func testOpeningsMismatchNamesTheInputOnly() throws {
        let flow = try Fixtures.flow()
        let other = try Custodian.attest(bundle: flow.bundle, account: try Repository.forTests.exampleAccount("cross-margin"), key: TestKeys.custodian, at: testNow).openings
        let swapped = Openings(bundleDigest: flow.openings.bundleDigest, statementDigest: flow.openings.statementDigest,
                               account: flow.openings.account, curve: flow.openings.curve, entries: other.entries)
        let e = assertSolvencyError("openingsMismatch") {
            try Prover.prove(bundle: flow.bundle, statement: flow.statement, openings: swapped, at: testNow)
        }
        XCTAssertTrue(e?.description.contains(flow.openings.entries[0].id) ?? false)
        assertNoSecret(e?.description ?? "", Self.secretForms(flow.openings) + Self.secretForms(other))
    }
}

private extension JSONValue {
    var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
}
