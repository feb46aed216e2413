import Foundation
import MarginCircuits
import StrictJSON
import XCTest
import ZKGroup
@testable import Solvency
import ZKTestSupport

/// Signed risk bundles, statements and openings: everything that does not
/// need a range proof.
final class BundleTests: XCTestCase {
    func testPublishAndLoadRoundTrip() throws {
        let bundle = try makeBundle()
        let decoded = try RiskBundle(encoded: bundle.encoded())
        XCTAssertEqual(decoded.digest, bundle.digest)
        XCTAssertEqual(decoded.digest, SHA256.hash(bundle.envelope.payload))
        XCTAssertEqual(decoded.circuitName, "cross-margin")
        XCTAssertEqual(decoded.circuitSource, try Repository.forTests.circuitSource("cross-margin"))
        XCTAssertEqual(decoded.curve, .p256)
        XCTAssertEqual(decoded.epoch, "2025-11-25T12:00:00Z")
        XCTAssertEqual(decoded.issuedAt, testIssuedAt)
        XCTAssertEqual(decoded.validUntil, testValidUntil)
        XCTAssertEqual(decoded.publisherKeyID, TestKeys.publisher.verifyingKey.id)
        XCTAssertEqual(decoded.values.venue, "Example Exchange")
        XCTAssertNoThrow(try decoded.checkPublisher(TestKeys.publisher.verifyingKey))
        XCTAssertNoThrow(try decoded.checkValidity(at: testNow))
        XCTAssertEqual(try decoded.compiled().inputs.count, 8)   // BTC, USDC (borrowable) × 2 parts, 2 positions × 2 sides, the summed cost
        // The envelope's shape.
        guard case .object(let env) = try JSONParser.parse(bundle.encoded()) else { return XCTFail() }
        XCTAssertEqual(env.keys, ["format", "payload", "signer", "signer_key", "signature"])
        XCTAssertEqual(env["format"], .string("zkmargin/bundle@1"))
        let payload = try bundle.envelope.payloadObject()
        XCTAssertEqual(payload.keys, ["format", "publisher", "issued_at", "valid_until", "epoch", "curve", "circuit", "values"])
    }

    func testEpochMayBeAnInteger() throws {
        XCTAssertEqual(try makeBundle(epoch: "42").epoch, "42")
        assertSolvencyError("field") { try makeBundle(epoch: "last tuesday") }
        XCTAssertEqual(try makeBundle(epoch: nil).epoch, "2025-11-25T12:00:00Z")
    }

    func testPublishRefusesWhatCannotBeProven() throws {
        // Values for another circuit.
        assertSolvencyError("field") {
            try RiskBundle.publish(values: Repository.forTests.example("threshold", "values.json"), circuitName: "cross-margin", circuitSource: Repository.forTests.circuitSource("cross-margin"),
                                   issuedAt: testIssuedAt, validUntil: testValidUntil, key: TestKeys.publisher)
        }
        // Values that do not fill the circuit.
        let broken = Array(String(decoding: try Repository.forTests.example("cross-margin", "values.json"), as: UTF8.self).replacingOccurrences(of: "\"mm_rate\"", with: "\"mm_ratio\"").utf8)
        assertSolvencyError("circuit") {
            try RiskBundle.publish(values: broken, circuitName: "cross-margin", circuitSource: Repository.forTests.circuitSource("cross-margin"),
                                   issuedAt: testIssuedAt, validUntil: testValidUntil, key: TestKeys.publisher)
        }
        // An empty window.
        assertSolvencyError("invalidArgument") {
            try RiskBundle.publish(values: Repository.forTests.example("cross-margin", "values.json"), circuitName: "cross-margin", circuitSource: Repository.forTests.circuitSource("cross-margin"),
                                   issuedAt: testIssuedAt, validUntil: testIssuedAt, key: TestKeys.publisher)
        }
    }

    func testWrongPublisherKey() throws {
        let bundle = try makeBundle()
        let e = assertSolvencyError("wrongSigner") { try bundle.checkPublisher(TestKeys.otherPublisher.verifyingKey) }
        XCTAssertEqual(e?.description, "the risk bundle is signed by key \(TestKeys.publisher.verifyingKey.id.prefix(16)), not by the publisher key \(TestKeys.otherPublisher.verifyingKey.id.prefix(16)) you trust")
        // A bundle re-signed by someone else is refused the same way.
        let forged = try resign(bundle.encoded(), kind: .bundle, key: TestKeys.otherPublisher) { p in
            p["publisher"] = .string(TestKeys.otherPublisher.verifyingKey.id)
        }
        assertSolvencyError("wrongSigner") { try RiskBundle(encoded: forged).checkPublisher(TestKeys.publisher.verifyingKey) }
        // And a verifier refuses to check anything against it (bundle-level failure).
        assertSolvencyError("wrongSigner") { try Verifier.checkBundle(bundle, policy: policy(publisher: TestKeys.otherPublisher.verifyingKey)) }
    }

    func testBundleChangedInAnyField() throws {
        let bytes = try makeBundle().encoded()
        let edits: [(String, (inout JSONObject) -> Void)] = [
            ("publisher", { $0["publisher"] = .string(String(repeating: "0", count: 32)) }),
            ("issued_at", { $0["issued_at"] = .string("2025-11-24T12:00:00Z") }),
            ("valid_until", { $0["valid_until"] = .string("2030-01-01T00:00:00Z") }),
            ("epoch", { $0["epoch"] = .string("2025-11-26T12:00:00Z") }),
            ("curve", { $0["curve"] = .string("secp256k1") }),
            ("circuit.name", { p in
                guard case .object(var c) = p["circuit"]! else { return }
                c["name"] = .string("threshold")
                p["circuit"] = .object(c)
            }),
            ("circuit.source", { p in
                guard case .object(var c) = p["circuit"]!, case .string(let s) = c["source"]! else { return }
                c["source"] = .string(s.replacingOccurrences(of: "mm_rate[i]) + buffer", with: "mm_rate[i]) * 0 + buffer"))
                p["circuit"] = .object(c)
            }),
            ("values.mm_rate", { p in
                guard case .object(var v) = p["values"]!, case .array(var items) = v["instruments"]!, case .object(var first) = items[0] else { return }
                first["mm_rate"] = .string("0.0005")
                items[0] = .object(first)
                v["instruments"] = .array(items)
                p["values"] = .object(v)
            }),
            ("values.venue", { p in
                guard case .object(var v) = p["values"]! else { return }
                v["venue"] = .string("Other Exchange")
                p["values"] = .object(v)
            }),
            ("added field", { $0["note"] = .string("hello") }),
            ("removed field", { $0["epoch"] = nil }),
        ]
        for (what, edit) in edits {
            let tampered = try tamperPayload(bytes, edit)
            XCTAssertNotEqual(tampered, bytes, what)
            let e = assertSolvencyError("signatureInvalid") { try RiskBundle(encoded: tampered) }
            XCTAssertEqual(e?.description, "the signature on the risk bundle does not verify: the file was changed after it was signed, or is corrupt", what)
        }
        // The envelope's own fields.
        for (what, edit) in [
            ("signature", { (o: inout JSONObject) in
                guard case .string(let s) = o["signature"]!, var sig = Base64.decode(s) else { return }
                sig[sig.count - 2] ^= 1
                o["signature"] = .string(Base64.encode(sig))
            }),
            ("signer_key", { (o: inout JSONObject) in o["signer_key"] = .string(Base64.encode(TestKeys.otherPublisher.verifyingKey.derRepresentation)) }),
        ] as [(String, (inout JSONObject) -> Void)] {
            XCTAssertThrowsError(try RiskBundle(encoded: try editJSON(bytes, edit)), what)
        }
        assertSolvencyError("field") {
            try RiskBundle(encoded: try editJSON(bytes) { $0["signer"] = .string(TestKeys.otherPublisher.verifyingKey.id) })
        }
    }

    func testValidityWindow() throws {
        let bundle = try makeBundle()
        let expired = assertSolvencyError("bundleExpired") { try bundle.checkValidity(at: testValidUntil.addingTimeInterval(1)) }
        XCTAssertEqual(expired?.description, "the risk bundle expired at 2025-11-26T12:00:00Z (time checked: 2025-11-26T12:00:01Z)")
        let early = assertSolvencyError("bundleNotYetValid") { try bundle.checkValidity(at: testIssuedAt.addingTimeInterval(-1)) }
        XCTAssertEqual(early?.description, "the risk bundle is not valid yet: it was issued for 2025-11-25T12:00:00Z, and the time checked is 2025-11-25T11:59:59Z")
        XCTAssertNoThrow(try bundle.checkValidity(at: testIssuedAt))
        XCTAssertNoThrow(try bundle.checkValidity(at: testValidUntil))
        // Verifier, custodian and prover all check the window.
        assertSolvencyError("bundleExpired") { try Verifier.checkBundle(bundle, policy: policy(at: testValidUntil.addingTimeInterval(60))) }
        assertSolvencyError("bundleNotYetValid") { try Verifier.checkBundle(bundle, policy: policy(at: testIssuedAt.addingTimeInterval(-60))) }
        assertSolvencyError("bundleExpired") {
            try Custodian.attest(bundle: bundle, account: Repository.forTests.exampleAccount("cross-margin"), key: TestKeys.custodian, at: testValidUntil.addingTimeInterval(60))
        }
        assertSolvencyError("bundleExpired") {
            try Prover.proveSelfAttested(bundle: bundle, account: Repository.forTests.exampleAccount("cross-margin"), at: testValidUntil.addingTimeInterval(60))
        }
    }

    func testTruncatedGarbledAndEmptyFiles() throws {
        let bundle = try makeBundle()
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: Repository.forTests.exampleAccount("cross-margin"), key: TestKeys.custodian, at: testNow)
        let files: [(String, [UInt8], ([UInt8]) throws -> Void)] = [
            ("bundle", bundle.encoded(), { _ = try RiskBundle(encoded: $0) }),
            ("statement", statement.encoded(), { _ = try AttestedStatement(encoded: $0) }),
            ("openings", openings.encoded(), { _ = try Openings(encoded: $0) }),
        ]
        for (name, bytes, decode) in files {
            XCTAssertNoThrow(try decode(bytes), name)
            let empty = assertSolvencyError("malformed") { try decode([]) }
            XCTAssertTrue(empty?.description.contains("empty") ?? false, "\(name): \(String(describing: empty))")
            for cut in [1, bytes.count / 3, bytes.count / 2, bytes.count - 3] {
                let e = assertSolvencyError("malformed") { try decode(Array(bytes.prefix(cut))) }
                XCTAssertTrue(e?.description.contains("truncated") ?? false, "\(name) cut at \(cut): \(String(describing: e))")
            }
            // Garbled: random bytes, a flipped byte in the middle of the payload, binary junk.
            assertSolvencyError("malformed") { try decode(Array("\u{7}\u{0}PK garbage".utf8)) }
            var garbled = bytes
            garbled[bytes.count / 2] = 0
            assertSolvencyError("malformed") { try decode(garbled) }
            XCTAssertThrowsError(try decode(Array("[1, 2, 3]".utf8)), name)
        }
    }

    func testUnknownFormatVersions() throws {
        let bundle = try makeBundle()
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: Repository.forTests.exampleAccount("cross-margin"), key: TestKeys.custodian, at: testNow)
        let cases: [(FileKind, [UInt8], ([UInt8]) throws -> Void)] = [
            (.bundle, bundle.encoded(), { _ = try RiskBundle(encoded: $0) }),
            (.statement, statement.encoded(), { _ = try AttestedStatement(encoded: $0) }),
            (.openings, openings.encoded(), { _ = try Openings(encoded: $0) }),
        ]
        XCTAssertEqual(cases.map(\.0.formatName), ["zkmargin/bundle@1", "zkmargin/statement@2", "zkmargin/openings@2"])
        for (kind, bytes, decode) in cases {
            // Openings are read at 2 and at 3 (seeded); the next unknown version is 4.
            let next = kind == .openings ? 4 : kind.version + 1
            let reads = kind == .openings ? "\"zkmargin/openings@2\" or \"zkmargin/openings@3\"" : "\"\(kind.formatName)\""
            let newer = try editJSON(bytes) { $0["format"] = .string("zkmargin/\(kind.rawValue)@\(next)") }
            let e = assertSolvencyError("unsupportedVersion") { try decode(newer) }
            XCTAssertEqual(e?.description, "\(kind.noun) in format \"zkmargin/\(kind.rawValue)@\(next)\", which this build does not read (it reads \(reads)); use a matching zkmargin version")
            assertSolvencyError("unknownFormat") { try decode(try editJSON(bytes) { $0["format"] = .string("acme/\(kind.rawValue)@1") }) }
            assertSolvencyError("unknownFormat") { try decode(try editJSON(bytes) { $0["format"] = nil }) }
        }
        // A payload whose own format disagrees with the envelope's.
        let mixed = try resign(bundle.encoded(), kind: .bundle, key: TestKeys.publisher) { $0["format"] = .string("zkmargin/bundle@2") }
        assertSolvencyError("unsupportedVersion") { try RiskBundle(encoded: mixed) }
        // Another kind of file where a bundle is expected.
        assertSolvencyError("wrongFileKind") { try RiskBundle(encoded: statement.encoded()) }
        // A statement signature can never pass as a bundle's: the payload names its kind
        // (and a bundle's envelope has no commitments).
        let relabelled = try editJSON(statement.encoded()) { $0["format"] = .string("zkmargin/bundle@1") }
        let unknown = assertSolvencyError("field") { try RiskBundle(encoded: relabelled) }
        XCTAssertEqual(unknown?.description, "bundle.commitments: unknown field")
        let stripped = try editJSON(relabelled) { $0["commitments"] = nil }
        assertSolvencyError("wrongFileKind") { try RiskBundle(encoded: stripped) }
    }

    /// Version 1 statements and openings (and proofs, `EndToEndTests`) are
    /// refused with what to do about them: attest again, prove again.
    func testVersion1FilesAreRefusedWithTheRemedy() throws {
        let bundle = try makeBundle()
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: Repository.forTests.exampleAccount("cross-margin"), key: TestKeys.custodian, at: testNow)
        let old = try editJSON(statement.encoded()) { $0["format"] = .string("zkmargin/statement@1") }
        let e1 = assertSolvencyError("unsupportedVersion") { try AttestedStatement(encoded: old) }
        XCTAssertEqual(e1?.description, "custodian statement in format \"zkmargin/statement@1\", which this build does not read (it reads \"zkmargin/statement@2\"): the custodian must attest the account again with this version (zkmargin attest), and the proof be made again from the new statement")
        // A version 1 payload inside a version 2 envelope (re-signed): the payload's format is checked too.
        let inner = try resign(statement.encoded(), kind: .statement, key: TestKeys.custodian) { $0["format"] = .string("zkmargin/statement@1") }
        assertSolvencyError("unsupportedVersion") { try AttestedStatement(encoded: inner) }
        let oldOpenings = try editJSON(openings.encoded()) { $0["format"] = .string("zkmargin/openings@1") }
        let e2 = assertSolvencyError("unsupportedVersion") { try Openings(encoded: oldOpenings) }
        XCTAssertTrue(e2?.description.hasSuffix("they belong to a statement in the old format: the custodian must attest the account again with this version (zkmargin attest), which writes new openings") ?? false,
                      String(describing: e2))
        // Bundles are still at version 1: nothing older to advise about.
        let e3 = assertSolvencyError("unsupportedVersion") { try RiskBundle(encoded: try editJSON(bundle.encoded()) { $0["format"] = .string("zkmargin/bundle@0") }) }
        XCTAssertTrue(e3?.description.hasSuffix("; use a matching zkmargin version") ?? false, String(describing: e3))
    }

    func testAttestCommitsToEveryInputAndOpeningsRoundTrip() throws {
        let bundle = try makeBundle()
        let account = try Repository.forTests.exampleAccount("cross-margin")
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow)
        let compiled = try bundle.compiled()
        XCTAssertEqual(statement.inputs.map(\.id), compiled.inputs.map(\.id))
        XCTAssertEqual(statement.bundleDigest, bundle.digest)
        XCTAssertEqual(statement.account, "fund-7/subacct-2")
        XCTAssertEqual(statement.custodianKeyID, TestKeys.custodian.verifyingKey.id)
        XCTAssertEqual(try AttestedStatement(encoded: statement.encoded()), statement)
        let decoded = try Openings(encoded: openings.encoded())
        XCTAssertEqual(decoded.entries.map(\.value), try compiled.inputValues(for: account))
        XCTAssertEqual(decoded.entries.map(\.opening), openings.entries.map(\.opening))
        XCTAssertNoThrow(try decoded.check(against: statement, generators: .standard(.p256)))
        XCTAssertEqual(openings.description, "Openings(fund-7/subacct-2, 8 inputs, <redacted>)")
        // Fresh blinding factors every time: two attestations of one account differ.
        let (again, _) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow)
        XCTAssertNotEqual(again.inputs, statement.inputs)
    }

    func testAttestRefusesBadAccountsNamingTheField() throws {
        let bundle = try makeBundle()
        func account(_ json: String) throws -> Account { try Account.decode(from: Data(json.utf8)) }
        let unknown = try account(#"{"account": "x", "balances": {"DOGE": "1"}}"#)
        let e = assertSolvencyError("circuit") { try Custodian.attest(bundle: bundle, account: unknown, key: TestKeys.custodian, at: testNow) }
        XCTAssertTrue(e?.description.contains("account.balances[\"DOGE\"]") ?? false, "\(String(describing: e))")
        let huge = try account(#"{"account": "x", "balances": {"BTC": "1000000000001"}}"#)
        assertSolvencyError("circuit") { try Custodian.attest(bundle: bundle, account: huge, key: TestKeys.custodian, at: testNow) }
        let precise = try account(#"{"account": "x", "balances": {"BTC": "0.000000001"}}"#)
        assertSolvencyError("circuit") { try Custodian.attest(bundle: bundle, account: precise, key: TestKeys.custodian, at: testNow) }
    }

    func testStatementAndOpeningsThatDoNotMatch() throws {
        let bundle = try makeBundle()
        let a = try Custodian.attest(bundle: bundle, account: Repository.forTests.exampleAccount("cross-margin"), key: TestKeys.custodian, at: testNow)
        let b = try Custodian.attest(bundle: bundle, account: Repository.forTests.exampleAccount("cross-margin", "at-margin"), key: TestKeys.custodian, at: testNow)
        // Openings of another account's statement.
        let e1 = assertSolvencyError("openingsMismatch") { try Prover.prove(bundle: bundle, statement: a.statement, openings: b.openings, at: testNow) }
        XCTAssertEqual(e1?.description, "the openings do not match the statement: they are for account \"fund-7/subacct-3\", the statement for \"fund-7/subacct-2\"")
        // Openings of another statement of the same account.
        let a2 = try Custodian.attest(bundle: bundle, account: Repository.forTests.exampleAccount("cross-margin"), key: TestKeys.custodian, at: testNow)
        let e2 = assertSolvencyError("openingsMismatch") { try Prover.prove(bundle: bundle, statement: a.statement, openings: a2.openings, at: testNow) }
        XCTAssertTrue(e2?.description.contains("belong to another statement") ?? false, "\(String(describing: e2))")
        // Openings edited to claim the statement's digest: the commitments do not open.
        let edited = try Openings(encoded: try editJSON(a2.openings.encoded()) { $0["statement"] = .string(a.statement.digest.hexString) })
        let e3 = assertSolvencyError("openingsMismatch") { try Prover.prove(bundle: bundle, statement: a.statement, openings: edited, at: testNow) }
        XCTAssertEqual(e3?.description, "the openings do not match the statement: the opening of balance[BTC] does not open the statement's commitment to it")
        // Openings for another bundle.
        let other = try makeBundle(epoch: "7")
        let c = try Custodian.attest(bundle: other, account: Repository.forTests.exampleAccount("cross-margin"), key: TestKeys.custodian, at: testNow)
        let e4 = assertSolvencyError("openingsMismatch") { try Prover.prove(bundle: bundle, statement: a.statement, openings: c.openings, at: testNow) }
        XCTAssertTrue(e4?.description.contains("made for bundle") ?? false, "\(String(describing: e4))")
        // A statement for another bundle.
        let e5 = assertSolvencyError("statementForAnotherBundle") { try Prover.prove(bundle: bundle, statement: c.statement, openings: c.openings, at: testNow) }
        XCTAssertTrue(e5?.description.hasPrefix("the statement was made for another risk bundle") ?? false)
        // A statement signed by a custodian the prover was told not to trust.
        assertSolvencyError("wrongSigner") {
            try Prover.prove(bundle: bundle, statement: a.statement, openings: a.openings, custodianKey: TestKeys.otherCustodian.verifyingKey, at: testNow)
        }
    }

    func testStatementsWithSwappedCommitmentsDoNotVerify() throws {
        let bundle = try makeBundle()
        let a = try Custodian.attest(bundle: bundle, account: Repository.forTests.exampleAccount("cross-margin"), key: TestKeys.custodian, at: testNow)
        let b = try Custodian.attest(bundle: bundle, account: Repository.forTests.exampleAccount("cross-margin", "at-margin"), key: TestKeys.custodian, at: testNow)
        // b's commitments and their digest in a's statement: a's signature breaks.
        let bDigest = try b.statement.envelope.payloadObject()["commitments"]!
        let swapped = try editJSON(try tamperPayload(a.statement.encoded()) { $0["commitments"] = bDigest }) {
            $0["commitments"] = .string(b.statement.envelope.commitmentsBase64!)
        }
        let e = assertSolvencyError("signatureInvalid") { try AttestedStatement(encoded: swapped) }
        XCTAssertEqual(e?.description, "the signature on the custodian statement does not verify: the file was changed after it was signed, or is corrupt")
        // b's commitments alone (they are outside the signature): their digest is not the signed one.
        let blobOnly = try editJSON(a.statement.encoded()) { $0["commitments"] = .string(b.statement.envelope.commitmentsBase64!) }
        let e2 = assertSolvencyError("statementMismatch") { try AttestedStatement(encoded: blobOnly) }
        XCTAssertTrue(e2?.description.hasPrefix("the statement's commitments are not the ones its custodian signed: their SHA-256 is \(short(b.statement.commitmentsDigest.hexString))…") ?? false,
                      String(describing: e2))
    }

    func testLocateCircuit() throws {
        let values = Repository.forTests.path("Vectors/examples/cross-margin/values.json")
        let found = try Workflow.locateCircuit("cross-margin", valuesPath: values)
        XCTAssertEqual(found.name, "cross-margin")
        XCTAssertEqual(found.source, try Repository.forTests.circuitSource("cross-margin"))
        XCTAssertEqual(try Workflow.locateCircuit(Repository.forTests.path("Circuits/threshold.zkm"), valuesPath: nil).name, "threshold")
        XCTAssertEqual(try Workflow.locateCircuit("../../../Circuits/threshold.zkm", valuesPath: values).name, "threshold")
        assertSolvencyError("circuitNotFound") { try Workflow.locateCircuit("no-such-circuit", valuesPath: values) }
    }
}
