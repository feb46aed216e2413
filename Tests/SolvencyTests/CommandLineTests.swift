import Foundation
import StrictJSON
import XCTest
@testable import ZKGroup
@testable import Solvency
import ZKTestSupport

/// The executables, run as a user would: `zkmargin` (keygen, publish,
/// attest, prove, demo) and `zkmargin-verify`.
final class CommandLineTests: XCTestCase {
    typealias Run = CLI.Run

    /// Every output seen in this test, for the secret scan.
    var transcript = ""

    func run(_ tool: String, _ arguments: [String], in directory: String, file: StaticString = #filePath, line: UInt = #line) throws -> Run {
        let r = try CLI.run(tool, arguments, in: directory)
        transcript += "$ \(tool) \(arguments.joined(separator: " "))\n\(r.output)\n"
        return r
    }

    func expect(_ r: Run, _ status: Int32, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, "\(what): \(r.output)", file: file, line: line)
    }

    // MARK: Help and usage

    /// The example lines of a --help text, which must fit 80 columns
    /// (ArgumentParser wraps longer ones, breaking the commands).
    func checkExamples(_ help: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let start = help.range(of: "Examples:\n"), let end = help.range(of: "\nUSAGE:") else {
            return XCTFail("\(what) --help has no examples", file: file, line: line)
        }
        let lines = help[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: true)
        XCTAssertFalse(lines.isEmpty, what, file: file, line: line)
        for l in lines { XCTAssertTrue(l.hasPrefix("  "), "\(what) --help: an example line was wrapped: \(l)", file: file, line: line) }
    }

    func testEveryCommandHasHelpWithExamples() throws {
        let dir = try temporaryDirectory(self)
        for sub in ["keygen", "publish", "attest", "seal", "prove", "index", "demo"] {
            let r = try run("zkmargin", [sub, "--help"], in: dir)
            expect(r, 0, sub)
            checkExamples(r.stdout, sub)
            XCTAssertTrue(r.stdout.contains("zkmargin \(sub)"), sub)
        }
        let top = try run("zkmargin", ["--help"], in: dir)
        for sub in ["keygen", "publish", "attest", "seal", "prove", "index", "demo"] { XCTAssertTrue(top.stdout.contains(sub), sub) }
        let v = try run("zkmargin-verify", ["--help"], in: dir)
        expect(v, 0, "zkmargin-verify --help")
        XCTAssertTrue(v.stdout.contains("Exit status") && v.stdout.contains("--allow-self-attested"))
        checkExamples(v.stdout, "zkmargin-verify")
    }

    func testUsageErrors() throws {
        let dir = try temporaryDirectory(self)
        expect(try run("zkmargin-verify", [], in: dir), 64, "no arguments")
        expect(try run("zkmargin-verify", ["--bundle", "b.json", "--publisher-key", "k.pem"], in: dir), 64, "no proof")
        expect(try run("zkmargin-verify", ["--bundle", "b.json", "--publisher-key", "k.pem", "--bogus", "p.json"], in: dir), 64, "unknown option")
        let missing = try run("zkmargin-verify", ["--bundle", "b.json", "--publisher-key", "k.pem", "p.json"], in: dir)
        expect(missing, 2, "missing bundle")
        XCTAssertTrue(missing.stderr.hasPrefix("zkmargin-verify: error: k.pem: cannot read"), missing.stderr)   // keys are read first: the bundle is checked against them
        let json = try run("zkmargin-verify", ["--json", "--bundle", "b.json", "--publisher-key", "k.pem", "p.json"], in: dir)
        expect(json, 2, "missing bundle, json")
        guard let o = assertVerdict(json.stdout), case .object(let e) = o["error"]! else { return XCTFail(json.stdout) }
        XCTAssertEqual(o["valid"], .bool(false))
        XCTAssertEqual(e["code"], .string("io"))
        let prove = try run("zkmargin", ["prove", "--bundle", "b.json", "--out", "p.json"], in: dir)
        XCTAssertEqual(prove.status, 64)
        XCTAssertTrue(prove.stderr.contains("--statement"), prove.stderr)
        let selfWithoutAccount = try run("zkmargin", ["prove", "--bundle", "b.json", "--self-attested", "--out", "p.json"], in: dir)
        XCTAssertTrue(selfWithoutAccount.stderr.contains("--account"), selfWithoutAccount.stderr)
        let badCurve = try run("zkmargin", ["publish", "--values", "v.json", "--key", "k.pem", "--out", "b.json", "--curve", "ed25519"], in: dir)
        XCTAssertEqual(badCurve.status, 64)
        XCTAssertTrue(badCurve.stderr.hasPrefix("zkmargin publish: error: The value 'ed25519' is invalid for '--curve <curve>'"), badCurve.stderr)
    }

    // MARK: The whole flow

    /// publish → attest → prove → verify for cross-margin through the
    /// executables, every rejection path the verifier has at the command
    /// line, then a scan of every output for the secrets used.
    /// `zkmargin prove --hide-among` and `--hide-among-file` on a 12-instrument
    /// book, attested and self-attested, and what the verifier reports.
    func testHidingAmongThroughTheExecutables() throws {
        let dir = try temporaryDirectory(self)
        try FileIO.write(Array(SyntheticBooks.values(circuit: "cross-margin", instruments: 12, assets: 2).utf8), to: dir + "/values.json", mode: 0o644)
        let account = #"{"account": "desk", "balances": {"A0": "1000000"}, "positions": {"I0": {"size": "-2", "entry_price": "100"}, "I7": {"size": "3", "entry_price": "50"}}}"#
        try FileIO.write(Array(account.utf8), to: dir + "/account.json", mode: 0o644)
        for who in ["publisher", "custodian"] { expect(try run("zkmargin", ["keygen", "--out", "\(who).pem"], in: dir), 0, "keygen") }
        expect(try run("zkmargin", ["publish", "--values", "values.json", "--key", "publisher.pem", "--out", "bundle.json",
                                    "--circuit", Repository.forTests.path("Circuits/cross-margin.zkm")], in: dir), 0, "publish")
        expect(try run("zkmargin", ["attest", "--bundle", "bundle.json", "--account", "account.json", "--key", "custodian.pem",
                                    "--out", "statement.json", "--openings", "openings.json"], in: dir), 0, "attest")
        let attested = ["prove", "--bundle", "bundle.json", "--statement", "statement.json", "--openings", "openings.json"]
        let prove = try run("zkmargin", attested + ["--hide-among", "I0", "--hide-among", "I7", "--hide-among", "I3", "--out", "proof.json"], in: dir)
        expect(prove, 0, "prove --hide-among")
        XCTAssertTrue(prove.stdout.contains("discloses 9 elements as not held"), prove.stdout)
        try FileIO.write(Array("# the desk's set\nI0\nI7\n".utf8), to: dir + "/set.txt", mode: 0o644)
        expect(try run("zkmargin", ["prove", "--bundle", "bundle.json", "--account", "account.json", "--self-attested",
                                    "--hide-among-file", "set.txt", "--out", "self.json"], in: dir), 0, "prove --self-attested --hide-among-file")
        let verify = try run("zkmargin-verify", ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem",
                                                 "--allow-self-attested", "proof.json", "self.json"], in: dir)
        expect(verify, 0, "verify")
        XCTAssertTrue(verify.stdout.contains("shown to hold nothing in 9 elements (I1, I2, I4, I5, I6, …)"), verify.stdout)
        XCTAssertTrue(verify.stdout.contains("shown to hold nothing in 10 elements"), verify.stdout)

        let leftOut = try run("zkmargin", attested + ["--hide-among", "I0", "--out", "x.json"], in: dir)
        expect(leftOut, 64, "a set without a held instrument")
        XCTAssertTrue(leftOut.stderr.contains("the account holds I7, outside the anonymity set"), leftOut.stderr)
        let unknown = try run("zkmargin", attested + ["--hide-among", "I0", "--hide-among", "I7", "--hide-among", "A0", "--out", "x.json"], in: dir)
        expect(unknown, 2, "an asset in the set")
        XCTAssertTrue(unknown.stderr.contains("only positions can be hidden among"), unknown.stderr)
        expect(try run("zkmargin", attested + ["--hide-among-file", "missing.txt", "--out", "x.json"], in: dir), 2, "a missing set file")
        XCTAssertFalse(FileIO.exists(dir + "/x.json"), "a refused proof was written")
    }

    func testCrossMarginFlowThroughTheExecutables() throws {
        let dir = try temporaryDirectory(self)
        let values = Repository.forTests.path("Vectors/examples/cross-margin/values.json")
        let solvent = Repository.forTests.path("Vectors/examples/cross-margin/solvent.json")
        let short = Repository.forTests.path("Vectors/examples/cross-margin/short.json")

        // Keys.
        for who in ["publisher", "custodian", "impostor"] {
            let r = try run("zkmargin", ["keygen", "--out", "\(who).pem"], in: dir)
            expect(r, 0, "keygen \(who)")
            XCTAssertEqual(FileIO.mode(of: "\(dir)/\(who).pem"), 0o600)
            XCTAssertEqual(FileIO.mode(of: "\(dir)/\(who).pub.pem"), 0o644)
        }
        expect(try run("zkmargin", ["keygen", "--out", "publisher.pem"], in: dir), 2, "keygen refuses to overwrite")

        // Publisher: the circuit is found above the values file.
        let pub = try run("zkmargin", ["publish", "--values", values, "--key", "publisher.pem", "--out", "bundle.json", "--valid-until", "2099-01-01T00:00:00Z"], in: dir)
        expect(pub, 0, "publish")
        XCTAssertTrue(pub.stdout.contains("circuit cross-margin"), pub.stdout)
        let expiring = try run("zkmargin", ["publish", "--values", values, "--key", "publisher.pem", "--out", "short-lived.json", "--epoch", "17"], in: dir)
        expect(expiring, 0, "publish with default window")
        let k1 = try run("zkmargin", ["publish", "--values", values, "--key", "publisher.pem", "--out", "k1.json", "--curve", "secp256k1",
                                      "--circuit", Repository.forTests.path("Circuits/cross-margin.zkm")], in: dir)
        expect(k1, 0, "publish on secp256k1")
        XCTAssertEqual(try RiskBundle.load(path: dir + "/k1.json").curve, .secp256k1)

        // Custodian.
        let att = try run("zkmargin", ["attest", "--bundle", "bundle.json", "--account", solvent, "--key", "custodian.pem",
                                       "--out", "statement.json", "--openings", "openings.json", "--publisher-key", "publisher.pub.pem"], in: dir)
        expect(att, 0, "attest")
        XCTAssertEqual(FileIO.mode(of: dir + "/openings.json"), 0o600)
        XCTAssertEqual(FileIO.mode(of: dir + "/statement.json"), 0o644)
        expect(try run("zkmargin", ["attest", "--bundle", "bundle.json", "--account", short, "--key", "custodian.pem",
                                    "--out", "statement-short.json", "--openings", "openings-short.json"], in: dir), 0, "attest short")
        let wrongPublisher = try run("zkmargin", ["attest", "--bundle", "bundle.json", "--account", solvent, "--key", "custodian.pem",
                                                  "--out", "s2.json", "--openings", "o2.json", "--publisher-key", "impostor.pub.pem"], in: dir)
        expect(wrongPublisher, 2, "attest against the wrong publisher key")
        XCTAssertFalse(FileIO.exists(dir + "/s2.json") || FileIO.exists(dir + "/o2.json"), "attest wrote files after failing")

        // Prover.
        let prove = try run("zkmargin", ["prove", "--bundle", "bundle.json", "--statement", "statement.json", "--openings", "openings.json",
                                         "--out", "proof.json", "--custodian-key", "custodian.pub.pem"], in: dir)
        expect(prove, 0, "prove")
        XCTAssertTrue(prove.stdout.contains("meets maintenance"), prove.stdout)
        let refused = try run("zkmargin", ["prove", "--bundle", "bundle.json", "--statement", "statement-short.json", "--openings", "openings-short.json",
                                           "--out", "proof-short.json"], in: dir)
        expect(refused, 1, "prove an account short of margin")
        XCTAssertTrue(refused.stderr.contains("requirement `maintenance` is short by 0.00001 USD; no proof was made"), refused.stderr)
        XCTAssertFalse(FileIO.exists(dir + "/proof-short.json"), "a proof was written for an account short of margin")
        let mismatched = try run("zkmargin", ["prove", "--bundle", "bundle.json", "--statement", "statement.json", "--openings", "openings-short.json",
                                              "--out", "proof-x.json"], in: dir)
        expect(mismatched, 2, "prove with openings of another statement")
        XCTAssertTrue(mismatched.stderr.contains("the openings do not match the statement"), mismatched.stderr)

        // Verifier.
        let base = ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem"]
        let ok = try run("zkmargin-verify", base + ["--custodian-key", "custodian.pub.pem", "proof.json"], in: dir)
        expect(ok, 0, "verify")
        XCTAssertTrue(ok.stdout.hasPrefix("VALID    proof.json: account \"fund-7/subacct-2\" meets maintenance"), ok.stdout)
        let json = try run("zkmargin-verify", base + ["--custodian-key", "custodian.pub.pem", "--json", "proof.json", "proof.json"], in: dir)
        expect(json, 0, "verify --json, two proofs")
        guard let verdict = assertVerdict(json.stdout), case .array(let proofs) = verdict["proofs"]! else { return XCTFail(json.stdout) }
        XCTAssertEqual(verdict["valid"], .bool(true))
        XCTAssertEqual(proofs.count, 2)

        var lines: [String: Run] = [:]
        lines["wrong publisher"] = try run("zkmargin-verify", ["--bundle", "bundle.json", "--publisher-key", "impostor.pub.pem", "--custodian-key", "custodian.pub.pem", "proof.json"], in: dir)
        lines["expired"] = try run("zkmargin-verify", base + ["--custodian-key", "custodian.pub.pem", "--at", "2099-01-02T00:00:00Z", "proof.json"], in: dir)
        lines["not yet valid"] = try run("zkmargin-verify", base + ["--custodian-key", "custodian.pub.pem", "--at", "2001-01-01T00:00:00Z", "proof.json"], in: dir)
        lines["another bundle"] = try run("zkmargin-verify", ["--bundle", "short-lived.json", "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem", "proof.json"], in: dir)
        lines["other custodian"] = try run("zkmargin-verify", base + ["--custodian-key", "impostor.pub.pem", "proof.json"], in: dir)
        lines["no custodian key"] = try run("zkmargin-verify", base + ["proof.json"], in: dir)
        try FileIO.write(Array(try FileIO.read(dir + "/proof.json").prefix(500)), to: dir + "/truncated.json", mode: 0o644)
        try FileIO.write([], to: dir + "/empty.json", mode: 0o644)
        lines["truncated and empty"] = try run("zkmargin-verify", base + ["--custodian-key", "custodian.pub.pem", "proof.json", "truncated.json", "empty.json", "missing.json"], in: dir)
        lines["tampered bundle"] = try {
            try FileIO.write(try tamperPayload(try FileIO.read(dir + "/bundle.json")) { $0["valid_until"] = .string("2199-01-01T00:00:00Z") }, to: dir + "/tampered.json", mode: 0o644)
            return try run("zkmargin-verify", ["--bundle", "tampered.json", "--publisher-key", "publisher.pub.pem", "proof.json"], in: dir)
        }()

        expect(lines["wrong publisher"]!, 2, "wrong publisher key")
        XCTAssertTrue(lines["wrong publisher"]!.stderr.contains("not by the publisher key"), lines["wrong publisher"]!.stderr)
        expect(lines["expired"]!, 2, "expired")
        XCTAssertTrue(lines["expired"]!.stderr.contains("the risk bundle expired at 2099-01-01T00:00:00Z"), lines["expired"]!.stderr)
        expect(lines["not yet valid"]!, 2, "not yet valid")
        XCTAssertTrue(lines["not yet valid"]!.stderr.contains("not valid yet"), lines["not yet valid"]!.stderr)
        expect(lines["another bundle"]!, 1, "proof for another bundle")
        XCTAssertTrue(lines["another bundle"]!.stdout.contains("INVALID  proof.json: the proof was made for another risk bundle"), lines["another bundle"]!.stdout)
        expect(lines["other custodian"]!, 1, "statement by another custodian")
        XCTAssertTrue(lines["other custodian"]!.stdout.contains("the custodian statement is signed by key"), lines["other custodian"]!.stdout)
        expect(lines["no custodian key"]!, 1, "no custodian key")
        XCTAssertTrue(lines["no custodian key"]!.stdout.contains("no custodian key was given to check its statement against; give the custodian's public key with --custodian-key"), lines["no custodian key"]!.stdout)
        let mixed = lines["truncated and empty"]!
        expect(mixed, 1, "truncated and empty proofs")
        let mixedLines = mixed.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(mixedLines.count, 5, mixed.stdout)
        XCTAssertTrue(mixedLines[0].hasPrefix("VALID    proof.json"), mixed.stdout)
        XCTAssertTrue(mixedLines[1].hasPrefix("INVALID  truncated.json:") && mixedLines[1].contains("truncated"), mixed.stdout)
        XCTAssertTrue(mixedLines[2].hasPrefix("INVALID  empty.json:") && mixedLines[2].contains("empty"), mixed.stdout)
        XCTAssertTrue(mixedLines[3].hasPrefix("INVALID  missing.json: missing.json: cannot read"), mixed.stdout)
        XCTAssertTrue(mixedLines[4].hasPrefix("1 of 4 proofs valid"), mixed.stdout)
        expect(lines["tampered bundle"]!, 2, "tampered bundle")
        XCTAssertTrue(lines["tampered bundle"]!.stderr.contains("the signature on the risk bundle does not verify"), lines["tampered bundle"]!.stderr)

        // Self-attested, threshold (the smallest circuit).
        try FileIO.write(Array(smallValues["threshold"]!.values.utf8), to: dir + "/t-values.json", mode: 0o644)
        try FileIO.write(Array(smallValues["threshold"]!.account.utf8), to: dir + "/t-account.json", mode: 0o644)
        expect(try run("zkmargin", ["publish", "--values", "t-values.json", "--key", "publisher.pem", "--out", "threshold.json",
                                    "--circuit", Repository.forTests.path("Circuits/threshold.zkm")], in: dir), 0, "publish threshold")
        let selfProve = try run("zkmargin", ["prove", "--bundle", "threshold.json", "--account", "t-account.json",
                                             "--self-attested", "--out", "self.json"], in: dir)
        expect(selfProve, 0, "prove --self-attested")
        let tBase = ["--bundle", "threshold.json", "--publisher-key", "publisher.pub.pem"]
        let selfRefused = try run("zkmargin-verify", tBase + ["self.json"], in: dir)
        expect(selfRefused, 1, "self-attested without the flag")
        XCTAssertTrue(selfRefused.stdout.contains("INVALID  self.json: self-attested proof"), selfRefused.stdout)
        XCTAssertTrue(selfRefused.stdout.contains("; add --allow-self-attested to accept it as UNATTESTED"), selfRefused.stdout)
        let selfOK = try run("zkmargin-verify", tBase + ["--allow-self-attested", "self.json"], in: dir)
        expect(selfOK, 0, "self-attested with the flag")
        XCTAssertTrue(selfOK.stdout.hasPrefix("VALID (UNATTESTED)"), selfOK.stdout)

        // Secrets: no blinding factor or private key in any output, nor in
        // any public file.
        var secrets: [String] = []
        let openings = try Openings.load(path: dir + "/openings.json")
        let openingsShort = try Openings.load(path: dir + "/openings-short.json")
        for e in openings.entries + openingsShort.entries {
            let b = e.opening.blinding.bytes
            secrets += [b.hexString, b.hexString.uppercased(), Base64.encode(b), String(b.hexString.prefix(24))]
        }
        for who in ["publisher", "custodian", "impostor"] {
            let pem = try FileIO.read("\(dir)/\(who).pem")
            let key = try SigningKey(pemRepresentation: pem)
            let scalar = key.privateScalarForTesting
            XCTAssertEqual(scalar.count, 32)
            secrets += [scalar.hexString, scalar.hexString.uppercased(), Base64.encode(scalar), String(scalar.hexString.prefix(24))]
            let body = String(decoding: pem, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("-----") }
            secrets += body.map(String.init).filter { $0.count >= 16 }
        }
        // The demo, from an empty folder: it needs no file from the working directory.
        let empty = dir + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        let demo = try run("zkmargin", ["demo"], in: empty)
        expect(demo, 0, "demo")
        for role in ["1. Publisher", "2. Custodian", "3. Prover", "4. Verifier", "VALID", "bytes", "ms", "the prover refuses"] {
            XCTAssertTrue(demo.stdout.contains(role), "demo output lacks \(role)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: empty), [], "the demo wrote into the working directory")
        XCTAssertFalse(demo.stdout.contains(try Regex("[0-9a-fA-F]{48}")), "the demo printed a long hex string")
        var publicFiles = ""
        for f in ["bundle.json", "statement.json", "proof.json", "self.json", "publisher.pub.pem", "custodian.pub.pem"] {
            publicFiles += String(decoding: try FileIO.read("\(dir)/\(f)"), as: UTF8.self)
        }
        XCTAssertGreaterThan(secrets.count, 40)
        for s in secrets {
            XCTAssertFalse(transcript.contains(s), "a secret appears in the commands' output")
            XCTAssertFalse(publicFiles.contains(s), "a secret appears in a public file")
        }
        // The openings file itself does hold the blinding factors (sanity check of the scan).
        XCTAssertTrue(String(decoding: try FileIO.read(dir + "/openings.json"), as: UTF8.self).contains(secrets[0]))
    }
}
