import Foundation
import XCTest
import ZKTestSupport
@testable import Solvency
import ZKMarginCLI

/// The exit-status contract of both tools, through the executables: every
/// command × (ok, invalid or short, unusable input, usage error), with the
/// status and the prefix of the error line.
///
/// | command | 0 ok | 1 invalid / short | 2 unusable | 64 usage |
/// |---|---|---|---|---|
/// | keygen | ✓ | — | ✓ | ✓ |
/// | publish | ✓ | — | ✓ | ✓ |
/// | attest | ✓ | — | ✓ | ✓ |
/// | check | ✓ | ✓ | ✓ | ✓ |
/// | prove | ✓ | ✓ | ✓ | ✓ |
/// | demo | ✓ | ✓ | ✓ | ✓ |
/// | zkmargin-verify | ✓ | ✓ | ✓ | ✓ |
///
/// Cells that do not apply (—): keygen and publish make no claim about an
/// account or a proof, so nothing they do is "invalid"; attest commits to
/// whatever balances the custodian holds, short of margin or not (the
/// statement vouches for the balances, not for the margin), so a short
/// account is attested with exit 0 (checked below).
///
/// The numbers are literals on purpose: they are the documented contract
/// (README.md, "Exit status"), not whatever `ExitStatus` says today.
final class ExitStatusTests: XCTestCase {
    /// A folder with the test keys, the threshold circuit under `Circuits/`
    /// (found by name, as in the repository), its values, a solvent and a
    /// short account, and a bundle valid now (made by `zkmargin publish`).
    func workspace() throws -> String {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        try FileManager.default.createDirectory(atPath: dir + "/Circuits", withIntermediateDirectories: true)
        try FileIO.write(try Repository.forTests.read("Circuits/threshold.zkm"), to: dir + "/Circuits/threshold.zkm", mode: 0o644)
        let small = smallValues["threshold"]!
        try FileIO.write(Array(small.values.utf8), to: dir + "/values.json", mode: 0o644)
        try FileIO.write(Array(small.account.utf8), to: dir + "/solvent.json", mode: 0o644)
        try FileIO.write(Array(#"{"account": "test/short", "balances": {"USDC": "999.5"}}"#.utf8), to: dir + "/short.json", mode: 0o644)
        let other = small.values.replacingOccurrences(of: #""circuit": "threshold""#, with: #""circuit": "no-such-circuit""#)
        try FileIO.write(Array(other.utf8), to: dir + "/lost-values.json", mode: 0o644)
        cell(try zkmargin(["publish", "--values", "values.json", "--key", "publisher.pem", "--out", "bundle.json"], in: dir), 0)
        return dir
    }

    func zkmargin(_ arguments: [String], in dir: String) throws -> CLI.Run { try CLI.run("zkmargin", arguments, in: dir) }
    func verify(_ arguments: [String], in dir: String) throws -> CLI.Run { try CLI.run("zkmargin-verify", arguments, in: dir) }

    /// Asserts one cell: the status; for an error, that standard error is
    /// exactly the error line `<command>: error: …` (containing `fragment`,
    /// if given), followed for a usage error by the line `Usage: <command> …`;
    /// for success, that standard error is empty.
    func cell(_ r: CLI.Run, _ status: Int32, _ command: String? = nil, _ fragment: String? = nil,
              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, "\(command ?? ""): \(r.output)", file: file, line: line)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        guard let command else {
            return XCTAssertEqual(r.stderr, "", "nothing on standard error", file: file, line: line)
        }
        XCTAssertEqual(lines.count, status == 64 ? 2 : 1, "stderr: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(lines.first?.hasPrefix("\(command): error: ") ?? false, "stderr: \(r.stderr)", file: file, line: line)
        if let fragment { XCTAssertTrue(lines.first?.contains(fragment) ?? false, "«\(fragment)» not in \(r.stderr)", file: file, line: line) }
        if status == 64 { XCTAssertTrue(lines.last?.hasPrefix("Usage: \(command) ") ?? false, "stderr: \(r.stderr)", file: file, line: line) }
    }

    // MARK: zkmargin

    func testKeygen() throws {
        let dir = try workspace()
        cell(try zkmargin(["keygen", "--out", "new.pem"], in: dir), 0)
        cell(try zkmargin(["keygen", "--out", "new.pem"], in: dir), 2, "zkmargin keygen",
             "new.pem: already exists; refusing to overwrite a private key; add --force to replace it")
        cell(try zkmargin(["keygen", "--out", "missing-folder/new.pem"], in: dir), 2, "zkmargin keygen")
        cell(try zkmargin(["keygen"], in: dir), 64, "zkmargin keygen", "--out")
    }

    func testPublish() throws {
        let dir = try workspace()   // publishes bundle.json with exit 0
        cell(try zkmargin(["publish", "--values", "missing.json", "--key", "publisher.pem", "--out", "b.json"], in: dir), 2, "zkmargin publish",
             "missing.json: cannot read")
        cell(try zkmargin(["publish", "--values", "lost-values.json", "--key", "publisher.pem", "--out", "b.json"], in: dir), 2, "zkmargin publish",
             "circuit \"no-such-circuit\" not found (looked for Circuits/no-such-circuit.zkm, ")
        let lost = try zkmargin(["publish", "--values", "lost-values.json", "--key", "publisher.pem", "--out", "b.json"], in: dir)
        XCTAssertTrue(lost.stderr.hasSuffix("; give the circuit file with --circuit PATH.zkm\n"), lost.stderr)
        cell(try zkmargin(["publish", "--values", "values.json", "--key", "custodian.pub.pem", "--out", "b.json"], in: dir), 2, "zkmargin publish")
        cell(try zkmargin(["publish", "--values", "values.json", "--key", "publisher.pem", "--out", "b.json", "--curve", "ed25519"], in: dir),
             64, "zkmargin publish", "--curve")
        cell(try zkmargin(["publish", "--values", "values.json", "--key", "publisher.pem", "--out", "b.json", "--epoch", "2025-11-25T24:00:00Z"], in: dir),
             64, "zkmargin publish", "hour 24")
        XCTAssertFalse(FileIO.exists(dir + "/b.json"))
    }

    func testAttest() throws {
        let dir = try workspace()
        let attest = ["attest", "--bundle", "bundle.json", "--key", "custodian.pem"]
        cell(try zkmargin(attest + ["--account", "solvent.json", "--out", "s.json", "--openings", "o.json", "--publisher-key", "publisher.pub.pem"], in: dir), 0)
        // A short account is attested: the custodian vouches for balances, not margin.
        cell(try zkmargin(attest + ["--account", "short.json", "--out", "s-short.json", "--openings", "o-short.json"], in: dir), 0)
        cell(try zkmargin(attest + ["--account", "solvent.json", "--out", "s2.json", "--openings", "o.json"], in: dir), 2, "zkmargin attest",
             "o.json: already exists; refusing to overwrite openings; add --force to replace it")
        cell(try zkmargin(attest + ["--account", "solvent.json", "--out", "s2.json", "--openings", "o2.json", "--publisher-key", "other-publisher.pub.pem"], in: dir),
             2, "zkmargin attest", "not by the publisher key")
        cell(try zkmargin(attest + ["--account", "solvent.json", "--out", "s2.json"], in: dir), 64, "zkmargin attest", "--openings")
        // A bad combination the library refuses (invalidArgument) is a usage error too.
        cell(try zkmargin(attest + ["--account", "solvent.json", "--out", "same.json", "--openings", "same.json"], in: dir), 64, "zkmargin attest",
             "the statement and the openings must go to different files")
        XCTAssertFalse(FileIO.exists(dir + "/s2.json") || FileIO.exists(dir + "/o2.json") || FileIO.exists(dir + "/same.json"))
    }

    func testCheck() throws {
        let dir = try workspace()
        cell(try zkmargin(["check", "--values", "values.json", "--account", "solvent.json"], in: dir), 0)
        cell(try zkmargin(["check", "--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--account", "solvent.json"], in: dir), 0)
        let short = try zkmargin(["check", "--values", "values.json", "--account", "short.json"], in: dir)
        cell(short, 1)
        XCTAssertTrue(short.stdout.contains("DOES NOT MEET 1 of 1 requirement:\n  min_value: short by 0.5 USD"), short.stdout)
        cell(try zkmargin(["check", "--values", "values.json", "--account", "missing.json"], in: dir), 2, "zkmargin check", "missing.json: cannot read")
        cell(try zkmargin(["check", "--values", "lost-values.json", "--account", "solvent.json"], in: dir), 2, "zkmargin check",
             "not found (looked for Circuits/no-such-circuit.zkm")
        cell(try zkmargin(["check", "--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--at", "2001-01-01T00:00:00Z",
                           "--account", "solvent.json"], in: dir), 2, "zkmargin check", "not valid yet")
        cell(try zkmargin(["check", "--values", "values.json", "--bundle", "bundle.json", "--account", "solvent.json"], in: dir), 64, "zkmargin check",
             "alternatives")
        cell(try zkmargin(["check", "--values", "values.json", "--account", "solvent.json", "--at", "2030-01-01T00:00:00Z"], in: dir), 64, "zkmargin check")
    }

    func testProve() throws {
        let dir = try workspace()
        for who in ["solvent", "short"] {
            cell(try zkmargin(["attest", "--bundle", "bundle.json", "--key", "custodian.pem", "--account", "\(who).json",
                               "--out", "s-\(who).json", "--openings", "o-\(who).json"], in: dir), 0)
        }
        let prove = ["prove", "--bundle", "bundle.json", "--custodian-key", "custodian.pub.pem"]
        cell(try zkmargin(prove + ["--statement", "s-solvent.json", "--openings", "o-solvent.json", "--out", "p.json"], in: dir), 0)
        cell(try zkmargin(prove + ["--statement", "s-short.json", "--openings", "o-short.json", "--out", "p-short.json"], in: dir), 1, "zkmargin prove",
             "the account does not meet its margin: requirement `min_value` is short by 0.5 USD; no proof was made")
        XCTAssertFalse(FileIO.exists(dir + "/p-short.json"), "nothing is written for a short account")
        cell(try zkmargin(["prove", "--bundle", "bundle.json", "--self-attested", "--account", "short.json", "--out", "p-short.json"], in: dir), 1, "zkmargin prove")
        cell(try zkmargin(prove + ["--statement", "s-solvent.json", "--openings", "o-short.json", "--out", "p-x.json"], in: dir), 2, "zkmargin prove",
             "the openings do not match the statement")
        cell(try zkmargin(prove + ["--statement", "s-solvent.json", "--openings", "missing.json", "--out", "p-x.json"], in: dir), 2, "zkmargin prove")
        cell(try zkmargin(["prove", "--bundle", "bundle.json", "--account", "solvent.json", "--out", "p-x.json"], in: dir), 64, "zkmargin prove",
             "--self-attested")
        XCTAssertFalse(FileIO.exists(dir + "/p-x.json"))
    }

    func testDemo() throws {
        let dir = try workspace()
        cell(try zkmargin(["demo", "--values", "values.json", "--account", "solvent.json"], in: dir), 0)
        cell(try zkmargin(["demo", "--values", "values.json", "--account", "short.json"], in: dir), 1, "zkmargin demo",
             "the account does not meet its margin")
        cell(try zkmargin(["demo", "--values", "missing.json", "--account", "solvent.json"], in: dir), 2, "zkmargin demo", "missing.json: cannot read")
        // demo has no --circuit: the circuit error gives no hint to use one.
        let lost = try zkmargin(["demo", "--values", "lost-values.json", "--account", "solvent.json"], in: dir)
        cell(lost, 2, "zkmargin demo", "not found")
        XCTAssertFalse(lost.stderr.contains("--circuit"), lost.stderr)
        cell(try zkmargin(["demo", "--runs", "0"], in: dir), 64, "zkmargin demo", "--runs")
    }

    func testNoOrUnknownSubcommand() throws {
        let dir = try temporaryDirectory(self)
        let help = try zkmargin([], in: dir)
        cell(help, 0)
        XCTAssertTrue(help.stdout.contains("SUBCOMMANDS:"), help.stdout)
        cell(try zkmargin(["bogus"], in: dir), 64, "zkmargin", "bogus")
        cell(try zkmargin(["prove", "--help"], in: dir), 0)
    }

    // MARK: zkmargin-verify

    func testVerify() throws {
        let dir = try workspace()
        cell(try zkmargin(["attest", "--bundle", "bundle.json", "--key", "custodian.pem", "--account", "solvent.json",
                           "--out", "s.json", "--openings", "o.json"], in: dir), 0)
        cell(try zkmargin(["prove", "--bundle", "bundle.json", "--statement", "s.json", "--openings", "o.json", "--out", "p.json"], in: dir), 0)
        let base = ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem"]
        let ok = try verify(base + ["--custodian-key", "custodian.pub.pem", "p.json"], in: dir)
        cell(ok, 0)
        XCTAssertTrue(ok.stdout.hasPrefix("VALID    p.json"), ok.stdout)
        let invalid = try verify(base + ["--custodian-key", "other-custodian.pub.pem", "p.json"], in: dir)
        cell(invalid, 1)
        XCTAssertTrue(invalid.stdout.hasPrefix("INVALID  p.json"), invalid.stdout)
        let noKey = try verify(base + ["p.json"], in: dir)
        cell(noKey, 1)
        XCTAssertTrue(noKey.stdout.contains("; give the custodian's public key with --custodian-key\n"), noKey.stdout)
        cell(try verify(["--bundle", "bundle.json", "--publisher-key", "other-publisher.pub.pem", "p.json"], in: dir), 2, "zkmargin-verify",
             "not by the publisher key")
        cell(try verify(base + ["--at", "2001-01-01T00:00:00Z", "p.json"], in: dir), 2, "zkmargin-verify", "not valid yet")
        // With --json, unusable input is a JSON object on standard output, nothing on standard error.
        let json = try verify(base + ["--json", "--at", "2001-01-01T00:00:00Z", "p.json"], in: dir)
        cell(json, 2)
        XCTAssertTrue(json.stdout.contains(#""code": "bundleNotYetValid""#), json.stdout)
        assertVerdict(json.stdout)
        cell(try verify(base, in: dir), 64, "zkmargin-verify", "no proof file given")
        cell(try verify(base + ["--bogus", "p.json"], in: dir), 64, "zkmargin-verify", "--bogus")
        cell(try verify(base + ["--at", "yesterday", "p.json"], in: dir), 64, "zkmargin-verify", "not an RFC 3339 time")
        cell(try verify(base + ["--json"], in: dir), 64, "zkmargin-verify")   // usage errors are text on standard error, even with --json
        cell(try verify(["--help"], in: dir), 0)
    }

    // MARK: The mapping itself

    func testStatusAndRemedyOfLibraryErrors() {
        XCTAssertEqual(ExitStatus.allCases.map(\.rawValue), [0, 1, 2, 64])
        XCTAssertEqual(ExitStatus(for: .proofInvalid("x")), .invalid)
        XCTAssertEqual(ExitStatus(for: .invalidArgument("x")), .usage)
        XCTAssertEqual(ExitStatus(for: .io(path: "p", message: "m")), .unusable)
        XCTAssertEqual(ExitStatus(for: .alreadyExists(path: "p", what: "it")), .unusable)
        XCTAssertEqual(ExitStatus(for: .bundleExpired(validUntil: "a", at: "b")), .unusable)
        XCTAssertEqual(Remedy(for: .custodianKeyRequired("ab")), .custodianKey)
        XCTAssertEqual(Remedy(for: .selfAttestedNotAllowed), .allowSelfAttested)
        XCTAssertEqual(Remedy(for: .circuitNotFound(name: "n", searched: [])), .circuit)
        XCTAssertEqual(Remedy(for: .alreadyExists(path: "p", what: "it")), .force)
        XCTAssertNil(Remedy(for: .io(path: "p", message: "m")))
        for remedy in Remedy.allCases { XCTAssertTrue(remedy.hint.contains(remedy.flag), remedy.hint) }
        let usage = "zkmargin publish --values <VALUES.json> [--circuit <PATH.zkm>]"
        let lost = SolvencyError.circuitNotFound(name: "n", searched: [])
        XCTAssertEqual(Remedy.hint(for: lost, usage: usage, arguments: []), Remedy.circuit.hint)
        XCTAssertNil(Remedy.hint(for: lost, usage: usage, arguments: ["--circuit", "x.zkm"]), "the flag was given")
        XCTAssertNil(Remedy.hint(for: lost, usage: "zkmargin demo [--values <VALUES.json>]", arguments: []), "no such flag")
    }

    /// Library messages speak of the data; flags are the CLI's business.
    func testLibraryMessagesNameNoFlag() {
        let errors: [SolvencyError] = [
            .selfAttestedNotAllowed, .custodianKeyRequired("0123456789abcdef0123"), .circuitNotFound(name: "x", searched: ["Circuits/x.zkm"]),
            .alreadyExists(path: "k.pem", what: "a private key"),
        ]
        for e in errors { XCTAssertFalse(e.description.contains("--"), e.description) }
        let dir = NSTemporaryDirectory() + "zkmargin-flags-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertNoThrow(try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true))
        let same = assertSolvencyError("invalidArgument") {
            try Workflow.attest(bundlePath: "b.json", accountPath: "a.json", keyPath: "k.pem", out: dir + "/x.json", openingsOut: dir + "/x.json")
        }
        XCTAssertFalse(same?.description.contains("--") ?? true, "\(String(describing: same))")
    }
}
