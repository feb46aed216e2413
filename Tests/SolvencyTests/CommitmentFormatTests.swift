import Foundation
import StrictJSON
import XCTest
import ZKGroup
import ZKProofs
@testable import Solvency
import ZKTestSupport

/// The version 2 formats: commitments stored as one base64 blob per list
/// (the statement's, outside its signed payload and bound by its digest;
/// the proof's helpers and self-attested inputs), and every check the
/// verifier makes on them, in its order: the statement's signer, signature
/// and payload fields (the input count among them) before its commitments
/// are touched; their length from the text's length before any base64 is
/// decoded; their digest before any point; each point, named by its index.
final class CommitmentFormatTests: XCTestCase {
    /// The tiered-margin flow: 7 inputs (2 balances, 2 positions × 2 sides,
    /// the summed cost), 2 helpers (the tier maxima).
    func flow() throws -> Flow { try Fixtures.flow("tiered-margin") }

    /// The statement envelope inside the flow's proof.
    func envelope(_ f: Flow) throws -> JSONObject { try f.statement.envelope.encoded().jsonObject() }

    /// The flow's proof with its statement envelope replaced.
    func proof(_ f: Flow, statement: JSONObject) throws -> [UInt8] {
        try editJSON(f.proofBytes) { $0["statement"] = .object(statement) }
    }

    /// The flow's statement commitments as bytes.
    func blob(_ f: Flow) -> [UInt8] { Base64.decode(f.statement.envelope.commitmentsBase64!)! }

    // MARK: The files as written

    func testFilesAreWrittenInVersion2() throws {
        let f = try flow()
        let statement = try f.statement.encoded().jsonObject()
        XCTAssertEqual(statement.keys, ["format", "payload", "signer", "signer_key", "signature", "commitments"])
        XCTAssertEqual(statement["format"], .string("zkmargin/statement@2"))
        let payload = try f.statement.envelope.payloadObject()
        XCTAssertEqual(payload.keys, ["format", "custodian", "bundle", "account", "epoch", "curve", "issued_at", "inputs", "commitments"])
        XCTAssertEqual(payload["inputs"], .number("7"))
        let bytes = blob(f)
        XCTAssertEqual(bytes.count, 7 * 33)
        XCTAssertEqual(bytes, f.statement.commitments.flatMap { try! $0.encoded() })
        XCTAssertEqual(payload["commitments"], .string(SHA256.hash(bytes).hexString))
        XCTAssertEqual(f.statement.commitmentsDigest, SHA256.hash(bytes))
        XCTAssertEqual(f.statement.envelope.commitmentsBase64?.utf8.count, 7 * 44)

        let proof = try f.proofBytes.jsonObject()
        XCTAssertEqual(proof.keys, ["format", "bundle", "circuit", "curve", "account", "epoch", "attestation", "statement", "helpers", "claims", "range_proofs"])
        XCTAssertEqual(proof["format"], .string("zkmargin/proof@2"))
        XCTAssertEqual(proof["statement"], .object(statement))   // embedded once, as signed
        guard case .string(let helpers) = proof["helpers"]! else { return XCTFail("helpers is not a string") }
        XCTAssertEqual(helpers.utf8.count, 2 * 44)
        XCTAssertEqual(commitmentSlots(helpers), f.proof.helpers.map { try! $0.commitment.encoded() })
        XCTAssertEqual(try f.openings.encoded().jsonObject()["format"], .string("zkmargin/openings@2"))
    }

    /// Read without a bundle, inputs and helpers are named by position;
    /// read against one (the verifier, the prover), by the compiled ids.
    func testIdsComeFromTheCompiledCircuit() throws {
        let f = try flow()
        let compiled = try f.bundle.compiled()
        let bare = try AttestedStatement(encoded: f.statement.encoded())
        XCTAssertNil(bare.inputIDs)
        XCTAssertEqual(bare.inputs.map(\.id), (0..<7).map { "inputs[\($0)]" })
        XCTAssertEqual(bare.commitments, f.statement.commitments)
        XCTAssertEqual(bare, f.statement)   // the same file
        XCTAssertEqual(f.statement.inputs.map(\.id), compiled.inputs.map(\.id))
        let proof = try MarginProof(encoded: f.proofBytes)
        XCTAssertEqual(proof.helpers.map(\.id), ["helpers[0]", "helpers[1]"])
        XCTAssertEqual(proof.encoded(), f.proofBytes)
        let e = ProofExpectation(bundle: f.bundle, compiled: compiled, policy: policy())
        let checked = try MarginProof(encoded: f.proofBytes, expecting: e)
        XCTAssertEqual(checked.helpers.map(\.id), compiled.helpers.map(\.id))
        XCTAssertEqual(checked.committedInputs.map(\.id), compiled.inputs.map(\.id))
        // The prover names a statement read on its own by the bundle's circuit.
        XCTAssertEqual(try Prover.prove(bundle: f.bundle, statement: bare, openings: f.openings, at: testNow).committedInputs.map(\.id),
                       compiled.inputs.map(\.id))
    }

    // MARK: The statement's envelope and payload

    func testStatementEnvelopeMustCarryItsCommitmentsAsText() throws {
        let f = try flow()
        var missing = try envelope(f)
        missing["commitments"] = nil
        assertInvalid(try proof(f, statement: missing), bundle: f.bundle, code: "field", contains: "proof.statement.commitments: missing")
        var array = try envelope(f)
        array["commitments"] = .array([])
        assertInvalid(try proof(f, statement: array), bundle: f.bundle, code: "field", contains: "proof.statement.commitments: expected a string")
        let e = assertSolvencyError("field") { try AttestedStatement(encoded: try editJSON(f.statement.encoded()) { $0["commitments"] = nil }) }
        XCTAssertEqual(e?.description, "statement.commitments: missing")
    }

    /// The signer is compared with the trusted key before anything else:
    /// a statement from another key with garbage commitments is refused
    /// for its signer.
    func testSignerIsCheckedBeforeTheCommitments() throws {
        let f = try flow()
        let other = try resign(f.statement.encoded(), kind: .statement, key: TestKeys.otherCustodian) {
            $0["custodian"] = .string(TestKeys.otherCustodian.verifyingKey.id)
        }
        var env = try other.jsonObject()
        env["commitments"] = .string("!!!!")
        assertInvalid(try proof(f, statement: env), bundle: f.bundle, code: "wrongSigner")
    }

    /// The payload's fields are checked before the commitments: a wrong
    /// input count, account, epoch or bundle is refused whatever the blob
    /// holds (here: text that is not even base64, of the wrong length).
    func testPayloadFieldsAreCheckedBeforeTheCommitments() throws {
        let f = try flow()
        func signed(_ edit: (inout JSONObject) -> Void) throws -> JSONObject {
            var env = try resign(f.statement.encoded(), kind: .statement, key: TestKeys.custodian, edit).jsonObject()
            env["commitments"] = .string("not base64 and of no length in particular")
            return env
        }
        assertInvalid(try proof(f, statement: signed { $0["inputs"] = .number("5") }), bundle: f.bundle, code: "statementMismatch",
                      contains: "the statement commits to 5 inputs, the circuit has 7 (balance[BTC], balance[USDC], size[BTC-PERP].long, size[BTC-PERP].short, …)")
        assertInvalid(try proof(f, statement: signed { $0["inputs"] = .number("8") }), bundle: f.bundle, code: "statementMismatch",
                      contains: "the statement commits to 8 inputs, the circuit has 7")
        assertInvalid(try proof(f, statement: signed { $0["account"] = .string("fund-7/subacct-3") }), bundle: f.bundle, code: "statementMismatch",
                      contains: "the statement is for account \"fund-7/subacct-3\", the proof claims account \"mm-desk/perps\"")
        assertInvalid(try proof(f, statement: signed { $0["epoch"] = .string("7") }), bundle: f.bundle, code: "statementMismatch", contains: "epoch")
        assertInvalid(try proof(f, statement: signed { $0["bundle"] = .string(String(repeating: "ab", count: 32)) }), bundle: f.bundle,
                      code: "statementForAnotherBundle")
        // Malformed counts and digests are field errors.
        for bad: JSONValue in [.string("6"), .number("-1"), .number("6.0"), .number("99999999999")] {
            assertInvalid(try proof(f, statement: signed { $0["inputs"] = bad }), bundle: f.bundle, code: "field", contains: "statement.payload.inputs")
        }
        assertInvalid(try proof(f, statement: signed { $0["inputs"] = nil }), bundle: f.bundle, code: "field", contains: "statement.payload.inputs: missing")
        for bad: JSONValue in [.string("AB" + String(repeating: "0", count: 62)), .string("00"), .number("1")] {
            assertInvalid(try proof(f, statement: signed { $0["commitments"] = bad }), bundle: f.bundle, code: "field", contains: "statement.payload.commitments")
        }
        // Ids in the payload (version 1's list) are unknown fields.
        assertInvalid(try proof(f, statement: signed { $0["ids"] = .array([.string("balance[BTC]")]) }), bundle: f.bundle, code: "field",
                      contains: "statement.payload.ids: unknown field")
    }

    // MARK: The statement's commitments

    /// Wrong lengths are refused from the text's length, before it is
    /// decoded: 44 characters per 33-byte commitment, exactly.
    func testStatementCommitmentsOfTheWrongLength() throws {
        let f = try flow()
        let bytes = blob(f)
        let cases: [(String, [UInt8], String)] = [
            ("one byte short", Array(bytes.dropLast()), "statement.commitments: holds 230 bytes, not a whole number of 33-byte commitments, expected 7 (231 bytes)"),
            ("one byte more", bytes + [2], "statement.commitments: holds 232 bytes, not a whole number of 33-byte commitments"),
            ("one commitment short", Array(bytes.dropLast(33)), "statement.commitments: holds 6 commitments (198 bytes), the signed payload says 7 (231 bytes)"),
            ("one commitment more", bytes + bytes.prefix(33), "statement.commitments: holds 8 commitments (264 bytes), the signed payload says 7 (231 bytes)"),
            ("empty", [], "statement.commitments: holds 0 commitments (0 bytes), the signed payload says 7 (231 bytes)"),
        ]
        for (what, changed, message) in cases {
            // Old payload (whose digest no longer matches) and re-signed with the new digest: the length is refused first either way.
            for key in [nil, TestKeys.custodian] {
                let env = try statementEnvelope(try envelope(f), commitments: changed, resignWith: key)
                assertInvalid(try proof(f, statement: env), bundle: f.bundle, code: "field", contains: message)
                let e = assertSolvencyError("field") { try AttestedStatement(encoded: JSONValue.object(env).encoded()) }
                XCTAssertTrue(e?.description.hasPrefix(message) ?? false, "\(what): \(String(describing: e))")
                XCTAssertTrue(try verdict(try proof(f, statement: env), bundle: f.bundle, policy: policy()).failureDescription?.hasPrefix("proof." + message) ?? false, what)
            }
        }
        // 44·8 characters that are not base64 at all: refused for their length, never decoded.
        var junk = try envelope(f)
        junk["commitments"] = .string(String(repeating: "!", count: 8 * 44))
        assertInvalid(try proof(f, statement: junk), bundle: f.bundle, code: "field", contains: "holds 8 commitments")
    }

    /// The right length but not canonical base64.
    func testStatementCommitmentsNotCanonicalBase64() throws {
        let f = try flow()
        let text = f.statement.envelope.commitmentsBase64!
        for bad in [String(text.dropLast()) + "!", String(text.dropLast()) + " ", "=" + String(text.dropFirst())] {
            var env = try envelope(f)
            env["commitments"] = .string(bad)
            assertInvalid(try proof(f, statement: env), bundle: f.bundle, code: "field", contains: "proof.statement.commitments: not canonical base64")
        }
    }

    /// The commitments are not signed; their digest is. Any change of the
    /// bytes is refused for the digest before a point is decoded; a changed
    /// digest breaks the signature; a re-signed digest of other bytes is
    /// refused for the digest.
    func testStatementCommitmentsMustMatchTheSignedDigest() throws {
        let f = try flow()
        var bytes = blob(f)
        bytes[40] ^= 0x01   // inside commitment 1: possibly not even a point, never decoded
        let changed = try statementEnvelope(try envelope(f), commitments: bytes)
        assertInvalid(try proof(f, statement: changed), bundle: f.bundle, code: "statementMismatch",
                      contains: "the statement's commitments are not the ones its custodian signed: their SHA-256 is \(short(SHA256.hash(bytes).hexString))…, the signed payload says \(short(f.statement.commitmentsDigest.hexString))…")
        // The digest changed with the old signature.
        let digest = try editJSON(f.statement.encoded()) { _ in }
        let tampered = try tamperPayload(digest) { $0["commitments"] = .string(SHA256.hash(bytes).hexString) }
        let withBytes = try statementEnvelope(try tampered.jsonObject(), commitments: bytes)
        assertInvalid(try proof(f, statement: withBytes), bundle: f.bundle, code: "signatureInvalid")
        // A digest of other bytes, re-signed.
        let other = try statementEnvelope(try envelope(f), commitments: blob(f), digestOf: bytes, resignWith: TestKeys.custodian)
        assertInvalid(try proof(f, statement: other), bundle: f.bundle, code: "statementMismatch", contains: "not the ones its custodian signed")
    }

    /// A slot that is not a valid point (with its digest signed, so the
    /// check is reached) is named by its index and id.
    func testInvalidStatementCommitmentIsNamed() throws {
        let f = try flow()
        let bad: [(String, [UInt8])] = [
            ("33 zero bytes", [UInt8](repeating: 0, count: 33)),
            ("prefix 05", [0x05] + Array(blob(f)[100..<132])),
            ("x = p", [0x02] + Curve.p256.primeBytes),
            ("prefix 04", [0x04] + Array(blob(f)[100..<132])),
        ]
        for (what, slot) in bad {
            var slots = commitmentSlots(f.statement.envelope.commitmentsBase64!)
            slots[3] = slot
            let env = try statementEnvelope(try envelope(f), commitments: slots.flatMap { $0 }, resignWith: TestKeys.custodian)
            assertInvalid(try proof(f, statement: env), bundle: f.bundle, code: "field",
                          contains: "statement.commitments: commitment 3 (\"size[BTC-PERP].short\"), bytes 99–131, is not a valid p256 point")
            let e = assertSolvencyError("field") { try AttestedStatement(encoded: JSONValue.object(env).encoded()) }
            XCTAssertTrue(e?.description.hasPrefix("statement.commitments: commitment 3, bytes 99–131, is not a valid p256 point") ?? false, "\(what): \(String(describing: e))")
        }
    }

    /// A slot replaced by another valid point, digest re-signed (a
    /// dishonest custodian): decoding accepts it, the range proofs do not.
    func testStatementCommitmentReplacedByAValidPoint() throws {
        let f = try flow()
        var slots = commitmentSlots(f.statement.envelope.commitmentsBase64!)
        slots[0] = try Point.generator(.p256).compressed()
        let env = try statementEnvelope(try envelope(f), commitments: slots.flatMap { $0 }, resignWith: TestKeys.custodian)
        assertInvalid(try proof(f, statement: env), bundle: f.bundle, code: "proofInvalid", contains: "the range proofs do not verify")
    }

    // MARK: Helpers and self-attested inputs

    func testHelperCommitmentsOfTheWrongLength() throws {
        let f = try flow()
        guard case .string(let text) = try f.proofBytes.jsonObject()["helpers"]! else { return XCTFail() }
        let bytes = Base64.decode(text)!
        let cases: [([UInt8], String, String)] = [
            (bytes + bytes.prefix(33), "proofMismatch", "proof.helpers has 3 commitments, the circuit has 2 (\(try f.bundle.compiled().helpers.map(\.id).joined(separator: ", ")))"),
            (Array(bytes.prefix(33)), "proofMismatch", "proof.helpers has 1 commitment, the circuit has 2"),
            (bytes + [0], "field", "proof.helpers: holds 67 bytes, not a whole number of 33-byte commitments, expected 2 (66 bytes)"),
            (Array(bytes.dropLast()), "field", "proof.helpers: holds 65 bytes, not a whole number"),
        ]
        for (changed, code, message) in cases {
            assertInvalid(try editJSON(f.proofBytes) { $0["helpers"] = .string(Base64.encode(changed)) }, bundle: f.bundle, code: code, contains: message)
        }
        // 88 characters that are not base64: the length is right, the decoding refuses.
        assertInvalid(try editJSON(f.proofBytes) { $0["helpers"] = .string(String(repeating: "*", count: 88)) }, bundle: f.bundle, code: "field",
                      contains: "proof.helpers: not canonical base64")
        // 132 characters that are not base64: refused for the count first.
        assertInvalid(try editJSON(f.proofBytes) { $0["helpers"] = .string(String(repeating: "*", count: 132)) }, bundle: f.bundle, code: "proofMismatch",
                      contains: "proof.helpers has 3 commitments")
    }

    func testSelfAttestedInputCommitments() throws {
        let (bundle, account) = try smallBundle("threshold")
        let p = policy(selfAttested: true)
        let proof = try Prover.proveSelfAttested(bundle: bundle, account: account, at: testNow)
        let bytes = proof.encoded()
        XCTAssertTrue(try verdict(bytes, bundle: bundle, policy: p).isSuccess)
        let o = try bytes.jsonObject()
        XCTAssertEqual(o["helpers"], .string(""))   // no helpers: an empty list
        guard case .string(let text) = o["inputs"]! else { return XCTFail("inputs is not a string") }
        let n = try bundle.compiled().inputs.count
        XCTAssertEqual(text.utf8.count, 44 * n)
        let slots = commitmentSlots(text)
        func withInputs(_ value: JSONValue) throws -> [UInt8] { try editJSON(bytes) { $0["inputs"] = value } }
        assertInvalid(try withInputs(.string(commitmentText(slots + slots))), bundle: bundle, policy: p, code: "proofMismatch",
                      contains: "proof.inputs has \(2 * n) commitments, the circuit has \(n)")
        assertInvalid(try withInputs(.string("")), bundle: bundle, policy: p, code: "proofMismatch", contains: "proof.inputs has 0 commitments")
        assertInvalid(try withInputs(.string(text + "A")), bundle: bundle, policy: p, code: "field", contains: "proof.inputs: not canonical base64")
        assertInvalid(try withInputs(.array([])), bundle: bundle, policy: p, code: "field", contains: "proof.inputs: expected a string")
        var bad = slots
        bad[n - 1] = [0x03] + [UInt8](repeating: 0xFF, count: 32)
        assertInvalid(try withInputs(.string(commitmentText(bad))), bundle: bundle, policy: p, code: "field",
                      contains: "proof.inputs: commitment \(n - 1) (\"\(try bundle.compiled().inputs[n - 1].id)\"), bytes \(33 * (n - 1))–\(33 * n - 1), is not a valid p256 point")
        var moved = slots
        moved[0] = try Point.generator(.p256).compressed()
        assertInvalid(try withInputs(.string(commitmentText(moved))), bundle: bundle, policy: p, code: "proofInvalid")
        // A helper list where there are no helpers.
        assertInvalid(try editJSON(bytes) { $0["helpers"] = .string(commitmentText([slots[0]])) }, bundle: bundle, policy: p, code: "proofMismatch",
                      contains: "proof.helpers has 1 commitment, the circuit has 0")
    }

    // MARK: Openings

    func testOpeningsAreBoundToTheStatement() throws {
        let f = try flow()
        // The statement read on its own (as `zkmargin prove` reads it) has no ids: the prover takes the circuit's.
        let bare = try AttestedStatement(encoded: f.statement.encoded())
        XCTAssertNoThrow(try f.openings.check(against: bare, inputIDs: try f.bundle.compiled().inputs.map(\.id), generators: .standard(.p256)))
        // Openings whose ids differ from the circuit's.
        let renamed = try Openings(encoded: try editJSON(f.openings.encoded()) { o in
            guard case .array(var items) = o["openings"]!, case .object(var first) = items[0] else { return }
            first["id"] = .string("balance[ETH]")
            items[0] = .object(first)
            o["openings"] = .array(items)
        })
        let e = assertSolvencyError("openingsMismatch") { try Prover.prove(bundle: f.bundle, statement: bare, openings: renamed, at: testNow) }
        XCTAssertTrue(e?.description.contains("\"balance[ETH]\" where the circuit has \"balance[BTC]\"") ?? false, String(describing: e))
    }

    // MARK: Through the executables

    /// `zkmargin-verify` on tampered commitments and version 1 files.
    func testVerifierRefusesTamperedCommitmentsAndOldFiles() throws {
        let f = try flow()
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        try FileIO.write(f.bundle.encoded(), to: "\(dir)/bundle.json", mode: 0o644)
        try FileIO.write(f.proofBytes, to: "\(dir)/proof.json", mode: 0o644)
        let original = blob(f)
        let bytes = Array(original[33..<66] + original[0..<33] + original[66...])   // commitments 0 and 1 swapped
        try FileIO.write(try proof(f, statement: try statementEnvelope(try envelope(f), commitments: bytes)), to: "\(dir)/digest.json", mode: 0o644)
        try FileIO.write(try proof(f, statement: try statementEnvelope(try envelope(f), commitments: Array(bytes.dropLast(33)))), to: "\(dir)/short.json", mode: 0o644)
        try FileIO.write(try editJSON(f.proofBytes) { $0["helpers"] = .string("") }, to: "\(dir)/helpers.json", mode: 0o644)
        try FileIO.write(try editJSON(f.proofBytes) { $0["format"] = .string("zkmargin/proof@1") }, to: "\(dir)/v1.json", mode: 0o644)
        let r = try verifyWithCLI(dir, ["proof.json", "digest.json", "short.json", "helpers.json", "v1.json"])
        XCTAssertEqual(r.status, 1, r.output)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("VALID    proof.json"), r.stdout)
        XCTAssertTrue(lines[1].hasPrefix("INVALID  digest.json: the statement's commitments are not the ones its custodian signed"), r.stdout)
        XCTAssertTrue(lines[2].hasPrefix("INVALID  short.json: proof.statement.commitments: holds 6 commitments (198 bytes), the signed payload says 7 (231 bytes)"), r.stdout)
        XCTAssertTrue(lines[3].hasPrefix("INVALID  helpers.json: proof.helpers has 0 commitments, the circuit has 2"), r.stdout)
        XCTAssertTrue(lines[4].hasPrefix("INVALID  v1.json: margin proof in format \"zkmargin/proof@1\", which this build does not read (it reads \"zkmargin/proof@2\"): make the proof again"), r.stdout)
        let json = try verifyWithCLI(dir, ["digest.json"], extra: ["--json"])
        XCTAssertEqual(json.status, 1)
        guard let o = assertVerdict(json.stdout), case .array(let proofs) = o["proofs"]!,
              case .object(let first) = proofs[0], case .object(let error) = first["error"]! else { return XCTFail(json.stdout) }
        XCTAssertEqual(error["code"], .string("statementMismatch"))
    }

    /// `zkmargin prove` with a version 1 statement or openings file: unusable
    /// input (exit 2), with what to do.
    func testProveRefusesVersion1Files() throws {
        let f = try flow()
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        try FileIO.write(f.bundle.encoded(), to: "\(dir)/bundle.json", mode: 0o644)
        try FileIO.write(f.statement.encoded(), to: "\(dir)/statement.json", mode: 0o644)
        try FileIO.write(try editJSON(f.statement.encoded()) { $0["format"] = .string("zkmargin/statement@1") }, to: "\(dir)/statement-v1.json", mode: 0o644)
        try FileIO.write(f.openings.encoded(), to: "\(dir)/openings.json", mode: 0o600)
        try FileIO.write(try editJSON(f.openings.encoded()) { $0["format"] = .string("zkmargin/openings@1") }, to: "\(dir)/openings-v1.json", mode: 0o600)
        let s = try CLI.run("zkmargin", ["prove", "--bundle", "bundle.json", "--statement", "statement-v1.json", "--openings", "openings.json", "--out", "p.json"], in: dir)
        XCTAssertEqual(s.status, 2, s.output)
        XCTAssertTrue(s.stderr.contains("custodian statement in format \"zkmargin/statement@1\", which this build does not read (it reads \"zkmargin/statement@2\"): the custodian must attest the account again"), s.stderr)
        let o = try CLI.run("zkmargin", ["prove", "--bundle", "bundle.json", "--statement", "statement.json", "--openings", "openings-v1.json", "--out", "p.json"], in: dir)
        XCTAssertEqual(o.status, 2, o.output)
        XCTAssertTrue(o.stderr.contains("openings file in format \"zkmargin/openings@1\""), o.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir)/p.json"))
    }

    // MARK: Size

    /// The size of a proof file is c + 44·N + 44·H + the range proofs'
    /// base64 and their fixed fields (`MarginProof`'s documentation), and
    /// the largest proof `publish` budgets for is at least any real one.
    func testProofSizeGrowsBy44BytesPerCommitment() throws {
        let f = try flow()
        let compiled = try f.bundle.compiled()
        let commitments = compiled.inputs.count + compiled.helpers.count
        let rangeProofs = f.proof.rangeProofs.reduce(0) { $0 + Base64.encode($1.proof).utf8.count }
        let fixed = f.proofBytes.count - 44 * commitments - rangeProofs
        // The same proof with no commitments at all: exactly 44 bytes less per commitment.
        let stripped = try editStatement(try editJSON(f.proofBytes) { $0["helpers"] = .string("") }) { $0["commitments"] = .string("") }
        XCTAssertEqual(stripped.count, f.proofBytes.count - 44 * commitments)
        XCTAssertEqual(stripped.count - rangeProofs, fixed)
        let plan = try ProofPlan(statement: compiled, mode: .custodian)
        XCTAssertGreaterThanOrEqual(try MarginProof.largestEncodedSize(bundle: f.bundle, compiled: compiled, plan: plan), f.proofBytes.count)
    }
}
