import Foundation
import MarginCircuits
import StrictJSON
import XCTest
import ZKGroup
import ZKProofs
@testable import Solvency
import ZKTestSupport

/// The findings of the soundness review that are about hostile files,
/// each replayed through the executable where it was found: the files are
/// made here (signed where the attack needs a signature, by the trusted key
/// itself where the attack is against a careless or compromised publisher or
/// custodian) and `zkmargin-verify`, `zkmargin check`, `publish` or
/// `attest` must refuse them with the right exit status and message.
final class HostileInputTests: XCTestCase {
    /// A folder with the test keys as PEM files and a cross-margin bundle.
    func workspace(circuit: String = "cross-margin") throws -> (dir: String, flow: Flow) {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        let f = try Fixtures.flow(circuit)
        try FileIO.write(f.bundle.encoded(), to: "\(dir)/bundle.json", mode: 0o644)
        try FileIO.write(f.proofBytes, to: "\(dir)/proof.json", mode: 0o644)
        return (dir, f)
    }

    func verify(_ dir: String, _ proofs: [String], bundle: String = "bundle.json", extra: [String] = []) throws -> CLI.Run {
        try verifyWithCLI(dir, proofs, bundle: bundle, extra: extra)
    }

    func expect(_ r: CLI.Run, status: Int32, _ fragments: String..., file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, r.output, file: file, line: line)
        for f in fragments { XCTAssertTrue(r.output.contains(f), "«\(f)» not in: \(r.output.prefix(2000))", file: file, line: line) }
    }

    // MARK: F3, identifiers by bytes

    /// A statement signed for "fund-Å" (U+00C5), presented by a prover that
    /// binds "fund-Å" (U+212B) into its range proofs and its file.
    func testCanonicallyEquivalentAccountIsAnotherAccount() throws {
        let (dir, f) = try workspace()
        let nfc = "fund-\u{00C5}", other = "fund-\u{212B}"
        XCTAssertTrue(nfc == other, "Swift's == equates them: the reason for comparing bytes")
        let account = try Account.decode(from: Data(#"{"account": "\#(nfc)", "balances": {"USDC": "100000"}}"#.utf8))
        let (statement, openings) = try Custodian.attest(bundle: f.bundle, account: account, key: TestKeys.custodian, at: testNow)
        let compiled = try f.bundle.compiled()
        let plan = try ProofPlan(statement: compiled, mode: .custodian)
        let forged = try DishonestProver.proof(bundle: f.bundle, plan: plan, account: other, inputs: .attested(statement),
                                               inputOpenings: openings.entries.map(\.opening),
                                               helperValues: compiled.helperValues(inputs: openings.entries.map(\.value)), statementDigest: statement.digest)
        try FileIO.write(forged.encoded(), to: "\(dir)/forged.json", mode: 0o644)
        expect(try verify(dir, ["forged.json"]), status: 1, "INVALID  forged.json: the statement is for account")
        // The honest proof for the NFC label verifies, and names it.
        let honest = try Prover.prove(bundle: f.bundle, statement: statement, openings: openings, at: testNow)
        try FileIO.write(honest.encoded(), to: "\(dir)/honest.json", mode: 0o644)
        expect(try verify(dir, ["honest.json"]), status: 0, "VALID    honest.json: account \"\(nfc)\"")

        // attest and publish refuse identifiers that are not NFC.
        try FileIO.write(Array(#"{"account": "\#(other)", "balances": {"USDC": "1"}}"#.utf8), to: "\(dir)/nfd.json", mode: 0o644)
        let attest = try CLI.run("zkmargin", ["attest", "--bundle", "bundle.json", "--account", "nfd.json", "--key", "custodian.pem",
                                              "--out", "s.json", "--openings", "o.json"], in: dir)
        XCTAssertNotEqual(attest.status, 0)
        XCTAssertTrue(attest.stderr.contains("normalization form C"), attest.stderr)
        XCTAssertFalse(FileIO.exists("\(dir)/s.json") || FileIO.exists("\(dir)/o.json"), "nothing is written")
        let values = try Repository.forTests.example("cross-margin", "values.json").replacing(#""id": "ETH-PERP""#, with: #""id": "ETH-PERP\#u{0301}""#)
        try FileIO.write(values, to: "\(dir)/values.json", mode: 0o644)
        let publish = try CLI.run("zkmargin", ["publish", "--values", "values.json", "--circuit", Repository.forTests.path("Circuits/cross-margin.zkm"),
                                               "--key", "publisher.pem", "--out", "b2.json"], in: dir)
        XCTAssertNotEqual(publish.status, 0)
        XCTAssertTrue(publish.stderr.contains("normalization form C") || publish.stderr.contains("invisible") || publish.stderr.contains("control"), publish.stderr)
        XCTAssertFalse(FileIO.exists("\(dir)/b2.json"))
        // Accounts built in code are checked by the roles too.
        for bad in [Account(label: other), Account(label: "fund", balances: ["\u{212A}": 1]), Account(label: "fund\n7")] {
            assertSolvencyError("circuit") { try Custodian.attest(bundle: f.bundle, account: bad, key: TestKeys.custodian, at: testNow) }
            assertSolvencyError("circuit") { try Prover.proveSelfAttested(bundle: f.bundle, account: bad, at: testNow) }
        }
    }

    // MARK: F7, circuits that blow up, signed by the trusted publisher

    func testCircuitBlowUpIsRefusedByEveryCommand() throws {
        let (dir, f) = try workspace()
        var squares = f.bundle.circuitSource + "\nlet c0 = 1234567890123456789\n"
        for k in 1...16 { squares += "let c\(k) = c\(k - 1) * c\(k - 1)\n" }
        squares += "require blowup: sum(a in assets: balance[a]) >= c16\n"
        let nested = f.bundle.circuitSource + "\nrequire deep: " + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000) + " >= 0\n"
        for (name, circuit, limit) in [("squares", squares, "CircuitLimits.maximumConstantBits"), ("nested", nested, "CircuitLimits.maximumNestingDepth")] {
            let bundle = try resign(f.bundle.encoded(), kind: .bundle, key: TestKeys.publisher) { p in
                p["circuit"] = .object(JSONObject([("name", .string("cross-margin")), ("source", .string(circuit))]))
            }
            try FileIO.write(bundle, to: "\(dir)/\(name).json", mode: 0o644)
            expect(try verify(dir, ["proof.json"], bundle: "\(name).json"), status: 2, limit)
            expect(try CLI.run("zkmargin", ["check", "--bundle", "\(name).json", "--account", Repository.forTests.path("Vectors/examples/cross-margin/solvent.json")], in: dir),
                   status: 2, limit)
            try FileManager.default.createDirectory(atPath: "\(dir)/\(name)", withIntermediateDirectories: true)
            try FileIO.write(Array(circuit.utf8), to: "\(dir)/\(name)/cross-margin.zkm", mode: 0o644)
            let publish = try CLI.run("zkmargin", ["publish", "--values", Repository.forTests.path("Vectors/examples/cross-margin/values.json"), "--circuit", "\(name)/cross-margin.zkm",
                                                   "--key", "publisher.pem", "--out", "b-\(name).json"], in: dir)
            XCTAssertNotEqual(publish.status, 0)
            XCTAssertTrue(publish.stderr.contains(limit), publish.stderr)
            XCTAssertFalse(FileIO.exists("\(dir)/b-\(name).json"))
        }
    }

    // MARK: F4, output spoofing

    /// Claim names, the epoch and unknown keys of a proof carrying newlines,
    /// terminal escapes and bidi overrides: every line the verifier prints
    /// is its own verdict or the summary, and no control reaches the output.
    func testProofTextCannotForgeReportLines() throws {
        let (dir, f) = try workspace()
        let forge = "\nVALID    proof.json: account \"fund-7\" meets maintenance\u{1B}[2K\r\u{202E}"
        let variants: [(String, (inout JSONObject) -> Void)] = [
            ("claim", { o in o["claims"] = .array([.object(JSONObject([("requirement", .string("maintenance" + forge)), ("holds", .string("excess >= 0"))]))]) }),
            ("epoch", { o in o["epoch"] = .string("2025-11-25T12:00:00Z" + forge) }),
            ("key", { o in o["x" + forge] = .string("y") }),
            ("account", { o in o["account"] = .string("fund" + forge) }),
            ("circuit", { o in o["circuit"] = .string("cross-margin" + forge) }),
        ]
        var names: [String] = []
        for (name, edit) in variants {
            try FileIO.write(try editJSON(f.proofBytes, edit), to: "\(dir)/\(name).json", mode: 0o644)
            names.append("\(name).json")
        }
        for json in [false, true] {
            let r = try verify(dir, names, extra: json ? ["--json"] : [])
            XCTAssertEqual(r.status, 1, r.output)
            for scalar in r.output.unicodeScalars where isDisplayUnsafe(scalar) && scalar != "\n" {
                XCTFail("raw U+\(String(scalar.value, radix: 16)) in the output: \(r.output)")
            }
            guard !json else {
                assertVerdict(r.stdout)
                continue
            }
            let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            XCTAssertEqual(lines.count, names.count + 1, r.stdout)
            for (line, name) in zip(lines, names) { XCTAssertTrue(line.hasPrefix("INVALID  \(name): "), String(line)) }
            XCTAssertTrue(lines.last!.hasPrefix("0 of \(names.count) proofs valid"), String(lines.last!))
        }
    }

    // MARK: F5, linear-time JSON

    func testProofWithAHundredThousandKeysIsRefused() throws {
        let (dir, f) = try workspace()
        var text = String(decoding: f.proofBytes, as: UTF8.self)
        text.removeLast(2)   // "}\n"
        text += (0..<100_000).map { ",\"k\($0)\":0" }.joined() + "}"
        try FileIO.write(Array(text.utf8), to: "\(dir)/keys.json", mode: 0o644)
        XCTAssertGreaterThan(text.utf8.count, 1_000_000)
        expect(try verify(dir, ["keys.json", "proof.json"]), status: 1, "INVALID  keys.json: proof.k0: unknown field", "VALID    proof.json")
    }

    // MARK: F6, cheap refusals first

    /// A statement signed by another custodian whose payload is 8 MB of
    /// garbage and whose commitments are 50 000 invalid points: refused for
    /// its signer, before the payload is read (had it been parsed, the error
    /// would be a JSON syntax error) or a commitment decoded.
    func testStatementFromAnotherCustodianIsRefusedBeforeItsPayload() throws {
        let (dir, f) = try workspace()
        let garbage = [UInt8](repeating: UInt8(ascii: "x"), count: 6 << 20)
        let envelope = SignedEnvelope(kind: .statement, payload: garbage, key: TestKeys.otherCustodian,
                                      commitments: [UInt8](repeating: 0, count: 33 * 50_000))
        let proof = try editJSON(f.proofBytes) { $0["statement"] = .object(envelope.json) }
        try FileIO.write(proof, to: "\(dir)/other.json", mode: 0o644)
        expect(try verify(dir, ["other.json"]), status: 1, "is signed by key \(short(TestKeys.otherCustodian.verifyingKey.id))")
    }

    /// The trusted custodian's statement with the wrong number of inputs,
    /// each an invalid point (and their digest signed): refused for its
    /// count before the commitments are read.
    func testStatementInputCountIsCheckedBeforeItsPoints() throws {
        let (dir, f) = try workspace()
        let bogus = [UInt8](repeating: 0, count: 33 * 50_000)
        let statement = try resign(f.statement.encoded(), kind: .statement, key: TestKeys.custodian) { p in
            p["inputs"] = .number("50000")
            p["commitments"] = .string(SHA256.hash(bogus).hexString)
        }
        let so = try statementEnvelope(try statement.jsonObject(), commitments: bogus)
        try FileIO.write(try editJSON(f.proofBytes) { $0["statement"] = .object(so) }, to: "\(dir)/count.json", mode: 0o644)
        expect(try verify(dir, ["count.json"]), status: 1, "the statement commits to 50000 inputs, the circuit has 8")
    }

    func testOversizedBundleIsRefusedUnread() throws {
        let (dir, _) = try workspace()
        let fd = open("\(dir)/huge.json", O_WRONLY | O_CREAT, 0o644)
        XCTAssertEqual(ftruncate(fd, off_t(FileIO.maximumFileSize + 1)), 0)   // sparse: nothing to read
        close(fd)
        expect(try verify(dir, ["proof.json"], bundle: "huge.json"), status: 2, "larger than 16 MiB", "refused unread")
    }

    /// A bundle signed by another key with an 8 MB garbage payload: refused
    /// for its signer before its payload is decoded.
    func testBundleFromAnotherPublisherIsRefusedBeforeItsPayload() throws {
        let (dir, _) = try workspace()
        let garbage = [UInt8](repeating: UInt8(ascii: "{"), count: 8 << 20)
        try FileIO.write(SignedEnvelope(kind: .bundle, payload: garbage, key: TestKeys.otherPublisher).encoded(), to: "\(dir)/other.json", mode: 0o644)
        expect(try verify(dir, ["proof.json"], bundle: "other.json"), status: 2, "not by the publisher key")
    }

    /// Many proofs in small batches: a failing batch falls back to one proof
    /// at a time and names exactly the bad ones.
    func testProofsAreVerifiedInBoundedBatches() throws {
        let f = try Fixtures.flow()
        let bad = try editJSON(f.proofBytes) { o in
            guard case .array(var ps) = o["range_proofs"]!, case .object(var p) = ps[0], case .string(let s) = p["proof"]!, var raw = Base64.decode(s) else { return }
            raw[raw.count - 40] ^= 0x01
            p["proof"] = .string(Base64.encode(raw))
            ps[0] = .object(p)
            o["range_proofs"] = .array(ps)
        }
        let files = (0..<10).map { i in (name: "p\(i).json", bytes: [3, 7].contains(i) ? bad : f.proofBytes) }
        var reads = 0
        let onePerBatch = BatchLimits(maximumPoints: 1, maximumBytes: 1)
        for limits in [onePerBatch, BatchLimits(maximumPoints: 200, maximumBytes: 1 << 30), BatchLimits()] {
            let report = try Verifier.verify(bundle: f.bundle, names: files.map(\.name), policy: policy(), limits: limits) { i throws(SolvencyError) in
                reads += 1
                return files[i].bytes
            }
            XCTAssertEqual(report.verdicts.map(\.isValid), (0..<10).map { ![3, 7].contains($0) })
        }
        XCTAssertEqual(reads, 30, "each file read once per run")
    }

    // MARK: F8, strict times

    func testLenientTimesAreRefused() throws {
        let (dir, f) = try workspace()
        // A malformed --at is a bad argument: a usage error.
        expect(try CLI.run("zkmargin-verify", ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--at", "2030-01-01T23:60:00Z", "proof.json"], in: dir),
               status: 64, "zkmargin-verify: error: ", "minute 60")
        expect(try CLI.run("zkmargin-verify", ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--at", "2025-11-25T12:30:00Zjunk", "proof.json"], in: dir),
               status: 64, "unexpected text after the time")
        let publish = try CLI.run("zkmargin", ["publish", "--values", Repository.forTests.path("Vectors/examples/cross-margin/values.json"), "--key", "publisher.pem",
                                               "--out", "b.json", "--valid-until", "2030-02-30T00:00:00Z"], in: dir)
        XCTAssertEqual(publish.status, 64)
        XCTAssertTrue(publish.stderr.contains("day 30 is out of range"), publish.stderr)
        let epoch = try CLI.run("zkmargin", ["publish", "--values", Repository.forTests.path("Vectors/examples/cross-margin/values.json"), "--key", "publisher.pem",
                                             "--out", "b.json", "--epoch", "2025-11-25T24:00:00Z"], in: dir)
        XCTAssertEqual(epoch.status, 64)
        XCTAssertTrue(epoch.stderr.contains("hour 24"), epoch.stderr)
        XCTAssertFalse(FileIO.exists("\(dir)/b.json"))
        // A bundle whose times are not canonical, though signed by the publisher.
        for (field, value) in [("issued_at", "2025-11-25T12:00:00+00:00"), ("valid_until", "2025-11-26T12:00:00.0Z"), ("epoch", "2025-11-25T12:00:00.000Z")] {
            let bundle = try resign(f.bundle.encoded(), kind: .bundle, key: TestKeys.publisher) { $0[field] = .string(value) }
            try FileIO.write(bundle, to: "\(dir)/times.json", mode: 0o644)
            expect(try verify(dir, ["proof.json"], bundle: "times.json"), status: 2, "bundle.payload.\(field)", "canonical")
        }
    }

    // MARK: F9, one strict reader; publish refuses what a later step refuses

    func testDuplicateKeysAreRefusedInAccountsAndValues() throws {
        let (dir, _) = try workspace()
        try FileIO.write(Array(#"{"account": "a", "balances": {"USDC": "1", "USDC": "1000000000"}}"#.utf8), to: "\(dir)/dup.json", mode: 0o644)
        let check = try CLI.run("zkmargin", ["check", "--bundle", "bundle.json", "--account", "dup.json"], in: dir)
        expect(check, status: 2, "duplicate key")
        let attest = try CLI.run("zkmargin", ["attest", "--bundle", "bundle.json", "--account", "dup.json", "--key", "custodian.pem",
                                              "--out", "s.json", "--openings", "o.json"], in: dir)
        XCTAssertNotEqual(attest.status, 0)
        XCTAssertTrue(attest.stderr.contains("duplicate key"), attest.stderr)
        let values = Array(String(decoding: try Repository.forTests.example("cross-margin", "values.json"), as: UTF8.self).replacingOccurrences(of: #""quote": "USD","#, with: #""quote": "USD", "quote": "EUR","#).utf8)
        try FileIO.write(values, to: "\(dir)/values.json", mode: 0o644)
        let publish = try CLI.run("zkmargin", ["publish", "--values", "values.json", "--circuit", Repository.forTests.path("Circuits/cross-margin.zkm"),
                                               "--key", "publisher.pem", "--out", "b2.json"], in: dir)
        XCTAssertNotEqual(publish.status, 0)
        XCTAssertTrue(publish.stderr.contains("duplicate key"), publish.stderr)
    }

    /// Requirement names inside nested loops grow with each loop's id: five
    /// 100-byte ids make a name longer than statements and proofs accept, so
    /// publish refuses to sign the bundle.
    func testPublishRefusesIdsNoProofCouldCarry() throws {
        let (dir, _) = try workspace()
        let circuit = """
            set a
            set b
            set c
            set d
            set e
            private x[i in a] from balance in [0, 1000] scale 1
            for p in a: for q in b: for r in c: for s in d: for t in e: require floor: x[p] >= 0
            """
        try FileIO.write(Array(circuit.utf8), to: "\(dir)/nested.zkm", mode: 0o644)
        let id = { (c: Character) in String(repeating: c, count: 100) }
        let values = #"{"venue": "V", "quote": "USD", "circuit": "nested", "a": ["\#(id("a"))"], "b": ["\#(id("b"))"], "c": ["\#(id("c"))"], "d": ["\#(id("d"))"], "e": ["\#(id("e"))"]}"#
        try FileIO.write(Array(values.utf8), to: "\(dir)/values.json", mode: 0o644)
        let publish = try CLI.run("zkmargin", ["publish", "--values", "values.json", "--circuit", "nested.zkm", "--key", "publisher.pem", "--out", "b2.json"], in: dir)
        XCTAssertNotEqual(publish.status, 0)
        XCTAssertTrue(publish.stderr.contains("longer than the 512 bytes statements and proofs allow"), publish.stderr)
        XCTAssertFalse(FileIO.exists("\(dir)/b2.json"))
    }
}
