import Foundation
import StrictJSON
import XCTest
@testable import Solvency
import ZKTestSupport

/// Challenges, audiences and ages (SPEC.md §16.6, §16.10, §16.12), through
/// the executables: a proof made for one request or one verifier is refused
/// by another, a stale one by `--max-age`, and editing what it was made for
/// breaks its range proofs. The independent verifier (interop/python/verify.py)
/// gives the same status on every case.
final class FreshnessTests: XCTestCase {
    static let nonceA = "3f1c9a0be47d52e8a6b1c0d9f2e3a4b5c6d7e8f90112233445566778899aabbcc"
    static let nonceB = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

    /// A directory with the test keys, a threshold bundle, a statement issued
    /// at `testNow`, and proofs: `plain.json`, `a.json` (challenge A,
    /// for "Acme Lending"), `self.json` (self-attested, challenge A).
    func flowDirectory() throws -> String {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        let f = try Fixtures.flow("threshold")
        try FileIO.write(f.bundle.envelope.encoded(), to: "\(dir)/bundle.json", mode: 0o644)
        try FileIO.write(f.proofBytes, to: "\(dir)/plain.json", mode: 0o644)
        let a = try Prover.prove(bundle: f.bundle, statement: f.statement, openings: f.openings, at: testNow,
                                 binding: ProofBinding(challenge: Self.nonceA, audience: "Acme Lending"))
        try FileIO.write(a.encoded(), to: "\(dir)/a.json", mode: 0o644)
        let account = try Repository.forTests.exampleAccount("threshold")
        let s = try Prover.proveSelfAttested(bundle: f.bundle, account: account, at: testNow, binding: ProofBinding(challenge: Self.nonceA))
        try FileIO.write(s.encoded(), to: "\(dir)/self.json", mode: 0o644)
        return dir
    }

    /// zkmargin-verify and verify.py on the same arguments: their statuses,
    /// which must be equal.
    func both(_ dir: String, _ extra: [String], _ proof: String, at: Date = testNow,
              file: StaticString = #filePath, line: UInt = #line) throws -> (Int32, CLI.Run) {
        let arguments = ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem",
                         "--at", RFC3339.format(at)] + extra + [proof]
        let swift = try CLI.run("zkmargin-verify", arguments, in: dir)
        guard let python = InteropTests.python else { throw InteropTests.PythonMissing() }
        let py = try CLI.execute(python, [Repository.forTests.path("interop/python/verify.py")] + arguments, in: dir)
        XCTAssertEqual(py.status, swift.status, "verify.py disagrees on \(extra) \(proof): \(swift.output) / \(py.output)", file: file, line: line)
        return (swift.status, swift)
    }

    func testChallengeAndAudience() throws {
        let dir = try flowDirectory()
        // Made for challenge A and Acme Lending: accepted when asked for
        // exactly those, and without any expectation.
        let (ok, run) = try both(dir, ["--expect-challenge", Self.nonceA, "--for", "Acme Lending"], "a.json")
        XCTAssertEqual(ok, 0, run.output)
        XCTAssertTrue(run.stdout.contains("answers challenge \(Self.nonceA)"), run.stdout)
        XCTAssertTrue(run.stdout.contains("made for \"Acme Lending\""), run.stdout)
        XCTAssertEqual(try both(dir, [], "a.json").0, 0)
        // Another challenge, another audience, or none at all: refused.
        let (other, otherRun) = try both(dir, ["--expect-challenge", Self.nonceB], "a.json")
        XCTAssertEqual(other, 1)
        XCTAssertTrue(otherRun.stdout.contains("answers challenge \(Self.nonceA), not \(Self.nonceB)"), otherRun.stdout)
        let (elsewhere, elsewhereRun) = try both(dir, ["--for", "Beta Bank"], "a.json")
        XCTAssertEqual(elsewhere, 1)
        XCTAssertTrue(elsewhereRun.stdout.contains("made for \"Acme Lending\", not for \"Beta Bank\""), elsewhereRun.stdout)
        XCTAssertEqual(try both(dir, ["--expect-challenge", Self.nonceA], "plain.json").0, 1, "a proof without a challenge")
        XCTAssertEqual(try both(dir, ["--for", "Acme Lending"], "plain.json").0, 1, "a proof without an audience")
        // verify.py's machine verdict follows the same schema, valid and invalid.
        guard let python = InteropTests.python else { throw InteropTests.PythonMissing() }
        for extra in [["--expect-challenge", Self.nonceA], ["--expect-challenge", Self.nonceB]] {
            let py = try CLI.execute(python, [Repository.forTests.path("interop/python/verify.py"), "--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem",
                                              "--custodian-key", "custodian.pub.pem", "--at", RFC3339.format(testNow), "--json"] + extra + ["a.json", "plain.json"], in: dir)
            XCTAssertEqual(py.status, 1, py.output)
            assertVerdict(py.stdout)
        }
        let unusable = try CLI.execute(python, [Repository.forTests.path("interop/python/verify.py"), "--bundle", "missing.json", "--publisher-key", "publisher.pub.pem",
                                                "--json", "a.json"], in: dir)
        XCTAssertEqual(unusable.status, 2)
        assertVerdict(unusable.stdout)
        // The JSON verdict names the codes.
        let json = try CLI.run("zkmargin-verify", ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem",
                                                   "--at", RFC3339.format(testNow), "--json", "--expect-challenge", Self.nonceB, "--for", "Beta Bank", "a.json", "plain.json"], in: dir)
        XCTAssertEqual(json.status, 1)
        XCTAssertTrue(json.stdout.contains("\"code\": \"challengeMismatch\""), json.stdout)
        guard let verdict = assertVerdict(json.stdout), case .object(let requested)? = verdict["requested"] else { return XCTFail(json.stdout) }
        XCTAssertEqual(requested["challenge"], .string(Self.nonceB))
        XCTAssertEqual(requested["audience"], .string("Beta Bank"))
    }

    /// Editing the challenge or audience a proof carries (to answer another
    /// request, or to remove it) breaks its range proofs: they are bound to it.
    func testEditedChallengeOrAudienceBreaksTheProof() throws {
        let dir = try flowDirectory()
        guard case .object(let o) = try JSONParser.parse(try FileIO.read("\(dir)/a.json")) else { return XCTFail("proof") }
        let edits: [(String, (inout JSONObject) -> Void, [String])] = [
            ("another challenge", { $0["challenge"] = .string(Self.nonceB) }, ["--expect-challenge", Self.nonceB]),
            ("another audience", { $0["audience"] = .string("Beta Bank") }, ["--for", "Beta Bank"]),
            ("challenge removed", { $0["challenge"] = nil }, []),
            ("audience removed", { $0["audience"] = nil }, []),
            ("a challenge added to a plain proof", { _ in }, []),
        ]
        for (what, change, extra) in edits.dropLast() {
            var edited = o
            change(&edited)
            try FileIO.write(JSONValue.object(edited).encoded(), to: "\(dir)/edited.json", mode: 0o644)
            let (status, run) = try both(dir, extra, "edited.json")
            XCTAssertEqual(status, 1, "\(what): \(run.output)")
            XCTAssertTrue(run.stdout.contains("do not verify"), "\(what): \(run.stdout)")
        }
        guard case .object(var plain) = try JSONParser.parse(try FileIO.read("\(dir)/plain.json")) else { return XCTFail("proof") }
        plain["challenge"] = .string(Self.nonceA)
        try FileIO.write(JSONValue.object(plain).encoded(), to: "\(dir)/edited.json", mode: 0o644)
        XCTAssertEqual(try both(dir, ["--expect-challenge", Self.nonceA], "edited.json").0, 1, "a challenge added to a proof made without one")
        // Malformed members are refused by both readers.
        for bad in ["short", String(repeating: "a", count: 257), "with space in it!!", "ünïcödé-challenge"] {
            var edited = o
            edited["challenge"] = .string(bad)
            try FileIO.write(JSONValue.object(edited).encoded(), to: "\(dir)/edited.json", mode: 0o644)
            let (status, run) = try both(dir, [], "edited.json")
            XCTAssertEqual(status, 1, "challenge \(bad): \(run.output)")
            XCTAssertTrue(run.stdout.contains("proof.challenge"), run.stdout)
        }
    }

    func testMaximumAge() throws {
        let dir = try flowDirectory()
        // The statement was issued at testNow; checked two hours later.
        let later = testNow.addingTimeInterval(7_200)
        XCTAssertEqual(try both(dir, ["--max-age", "2h"], "plain.json", at: later).0, 0, "exactly two hours old")
        let (stale, run) = try both(dir, ["--max-age", "1h59m59s"], "plain.json", at: later)
        XCTAssertEqual(stale, 1)
        XCTAssertTrue(run.stdout.contains("more than the 1h59m59s allowed"), run.stdout)
        XCTAssertEqual(try both(dir, ["--max-age", "7d"], "plain.json", at: later).0, 0)
        // A self-attested proof has no signed time to check.
        let (unsigned, unsignedRun) = try both(dir, ["--allow-self-attested", "--max-age", "7d"], "self.json")
        XCTAssertEqual(unsigned, 1)
        XCTAssertTrue(unsignedRun.stdout.contains("no signed issue time"), unsignedRun.stdout)
        XCTAssertEqual(try both(dir, ["--allow-self-attested", "--expect-challenge", Self.nonceA], "self.json").0, 0)
    }

    func testUsage() throws {
        let dir = try flowDirectory()
        let nonce = try CLI.run("zkmargin-verify", ["--challenge"], in: dir)
        XCTAssertEqual(nonce.status, 0, nonce.output)
        let text = nonce.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(text.count, 64)
        XCTAssertNil(ProofBinding.challengeProblem(text))
        XCTAssertNotEqual(text, try CLI.run("zkmargin-verify", ["--challenge"], in: dir).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        for bad in [["--challenge", "--json"], ["--expect-challenge", "short"], ["--max-age", "5"], ["--max-age", "0s"], ["--max-age", "1m1h"],
                    ["--for", "bad\u{202E}name"]] {
            let (status, run) = try both(dir, bad, "plain.json")
            XCTAssertEqual(status, 64, "\(bad): \(run.output)")
        }
        XCTAssertEqual(DurationText.parse("1h30m"), 5400)
        XCTAssertEqual(DurationText.parse("7d"), 604_800)
        XCTAssertNil(DurationText.parse("1.5h"))
        XCTAssertEqual(DurationText.format(5400), "1h30m")
        // The prover refuses a malformed challenge or audience before proving.
        let f = try Fixtures.flow("threshold")
        assertSolvencyError("invalidArgument") {
            try Prover.prove(bundle: f.bundle, statement: f.statement, openings: f.openings, at: testNow, binding: ProofBinding(challenge: "short"))
        }
    }
}
