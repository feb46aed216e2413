import Foundation
import MarginCircuits
import StrictJSON
import XCTest
import ZKGroup
@testable import Solvency
import ZKTestSupport

/// Covenants (SPEC.md §16.16): a holder proves `excess >= c` or `equity >= a
/// * requirement + b` besides the circuit's requirements; a verifier asking
/// with `--require` accepts a proof of the same or a stronger covenant and
/// refuses a weaker one, one made without it, and one whose covenant was
/// edited; a prover cannot prove a covenant the account does not meet, even
/// running its own code.
final class CovenantTests: XCTestCase {
    /// The cross-margin flow's account: its equity, requirement and excess.
    func figures() throws -> RequirementReport {
        let f = try Fixtures.flow("cross-margin")
        return try f.bundle.compiled().evaluate(try Repository.forTests.exampleAccount("cross-margin")).binding!
    }

    func prove(_ covenants: [String]) throws -> MarginProof {
        let f = try Fixtures.flow("cross-margin")
        return try Prover.prove(bundle: f.bundle, statement: f.statement, openings: f.openings, at: testNow,
                                covenants: try covenants.map { try Covenant(parsing: $0) })
    }

    func directory(_ proofs: [String: MarginProof]) throws -> String {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        try FileIO.write(try Fixtures.flow("cross-margin").bundle.envelope.encoded(), to: "\(dir)/bundle.json", mode: 0o644)
        for (name, p) in proofs { try FileIO.write(p.encoded(), to: "\(dir)/\(name)", mode: 0o644) }
        return dir
    }

    /// zkmargin-verify on `proof` asking `require`; verify.py must give the same status.
    func verify(_ dir: String, _ require: [String], _ proof: String, file: StaticString = #filePath, line: UInt = #line) throws -> CLI.Run {
        let extra = require.flatMap { ["--require", $0] }
        let swift = try verifyWithCLI(dir, [proof], bundle: "bundle.json", extra: extra)
        guard let python = InteropTests.python else { throw InteropTests.PythonMissing() }
        let py = try CLI.execute(python, [Repository.forTests.path("interop/python/verify.py"), "--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem",
                                          "--custodian-key", "custodian.pub.pem", "--at", RFC3339.format(testNow)] + extra + [proof], in: dir)
        XCTAssertEqual(py.status, swift.status, "verify.py disagrees on \(require) \(proof): \(swift.output) / \(py.output)", file: file, line: line)
        return swift
    }

    func testGrammar() throws {
        XCTAssertEqual(try Covenant(parsing: "excess >= 250000").holds, "excess >= 250000")
        XCTAssertEqual(try Covenant(parsing: "equity >= 1.5 * requirement").holds, "equity >= 1.5 * requirement")
        XCTAssertEqual(try Covenant(parsing: "maintenance: equity >= 3/2 * requirement + 1e3").text, "maintenance: equity >= 1.5 * requirement + 1000")
        XCTAssertEqual(try Covenant(parsing: "equity >= 2 * requirement - 10").offset, -10)
        XCTAssertEqual(try Covenant(parsing: "equity >= requirement").holds, "excess >= 0")
        XCTAssertEqual(try Covenant(parsing: "equity >= 1000000").multiplier, .zero)
        for bad in ["excess > 5", "excess >= ", "equity >= -1 * requirement", "equity >= 2 * requirement + -3", "margin >= 5",
                    ": excess >= 1", "excess >= 0x10", "equity >= 2 * requirement * 3"] {
            XCTAssertThrowsError(try Covenant(parsing: bad), bad)
        }
        let strong = Covenant(requirement: "m", multiplier: 2, offset: 10), weak = Covenant(requirement: "m", multiplier: Rational(3) / 2, offset: 5)
        XCTAssertTrue(strong.implies(weak, requirementIsNonNegative: true))
        XCTAssertFalse(strong.implies(weak, requirementIsNonNegative: false), "a larger multiplier says nothing when the requirement may be negative")
        XCTAssertFalse(weak.implies(strong, requirementIsNonNegative: true))
    }

    /// A proof of excess ≥ half the account's excess: accepted for that
    /// covenant and any weaker one, refused for a stronger one; a proof
    /// without covenants is refused for any positive one.
    func testStrongerRefusedWeakerAccepted() throws {
        let excess = try figures().excess
        XCTAssertGreaterThan(excess, .zero)
        let half = Rational((excess / 2).floor)
        let proof = try prove(["excess >= \(half)"])
        XCTAssertEqual(proof.covenants.map(\.text), ["maintenance: excess >= \(half)"])
        let dir = try directory(["half.json": proof, "plain.json": try Fixtures.flow("cross-margin").proof])
        let same = try verify(dir, ["excess >= \(half)"], "half.json")
        XCTAssertEqual(same.status, 0, same.output)
        XCTAssertTrue(same.stdout.contains("also proves maintenance: excess >= \(half)"), same.stdout)
        XCTAssertEqual(try verify(dir, ["maintenance: excess >= \(half - 1)"], "half.json").status, 0, "a weaker covenant")
        XCTAssertEqual(try verify(dir, [], "half.json").status, 0, "no covenant asked")
        let stronger = try verify(dir, ["excess >= \(half + 1)"], "half.json")
        XCTAssertEqual(stronger.status, 1, stronger.output)
        XCTAssertTrue(stronger.stdout.contains("covenantNotProven") || stronger.stdout.contains("does not show"), stronger.stdout)
        XCTAssertEqual(try verify(dir, ["excess >= 1"], "plain.json").status, 1, "a proof without covenants proves only excess >= 0")
        // A covenant that restates the requirement (`equity >= requirement` is
        // `excess >= 0`) is one more claim, not taken for the requirement's own.
        let restated = try prove(["equity >= requirement"])
        XCTAssertEqual(restated.claims, ["maintenance"])
        try FileIO.write(restated.encoded(), to: "\(dir)/restated.json", mode: 0o644)
        XCTAssertEqual(try verify(dir, ["excess >= 0"], "restated.json").status, 0)
        XCTAssertEqual(try verify(dir, ["excess >= -5"], "plain.json").status, 0, "excess >= 0 shows excess >= -5")
        XCTAssertEqual(try verify(dir, ["other: excess >= 0"], "plain.json").status, 1, "a requirement the circuit does not have")
        XCTAssertEqual(try verify(dir, ["excess\t>= 1"], "plain.json").status, 64, "tokens are separated by spaces only, in both verifiers")
        // The machine verdict lists what was asked and what was proven.
        let json = try verifyWithCLI(dir, ["half.json"], bundle: "bundle.json", extra: ["--require", "excess >= \(half)", "--json"])
        guard let o = assertVerdict(json.stdout), case .object(let requested)? = o["requested"], case .array(let proofs)? = o["proofs"],
              case .object(let p0) = proofs[0] else { return XCTFail(json.stdout) }
        XCTAssertEqual(requested["covenants"], .array([.string("excess >= \(half)")]))
        XCTAssertEqual(p0["covenants"], .array([.string("maintenance: excess >= \(half)")]))
    }

    /// equity ≥ a·requirement: a proof of a larger multiplier shows a smaller
    /// one (cross-margin's requirement is never negative within its bounds).
    func testMultipliers() throws {
        let r = try figures()
        XCTAssertGreaterThan(r.requirement, .zero)
        let ratio = r.equity / r.requirement
        let a = Rational(((ratio * 10).floor)) / 10   // the largest tenth the account meets
        XCTAssertGreaterThan(a, 1)
        let proof = try prove(["equity >= \(a) * requirement"])
        XCTAssertEqual(try Fixtures.flow("cross-margin").bundle.compiled().withCovenants(proof.covenants).requirementIsNonNegative["maintenance"], true)
        let dir = try directory(["a.json": proof])
        XCTAssertEqual(try verify(dir, ["equity >= \(a) * requirement"], "a.json").status, 0)
        XCTAssertEqual(try verify(dir, ["equity >= \(a - Rational(1) / 10) * requirement"], "a.json").status, 0, "a smaller multiplier")
        XCTAssertEqual(try verify(dir, ["excess >= 0", "equity >= 1 * requirement - 100"], "a.json").status, 0)
        XCTAssertEqual(try verify(dir, ["equity >= \(a + Rational(1) / 10) * requirement"], "a.json").status, 1, "a larger multiplier")
        // The prover refuses a covenant the account does not meet, naming it.
        assertSolvencyError("marginShortfall") { try self.prove(["equity >= \(a + Rational(1) / 10) * requirement"]) }
        assertSolvencyError("invalidArgument") { try self.prove(["nonexistent: excess >= 0"]) }
    }

    /// Editing, adding or removing a covenant in the file breaks the proof;
    /// a prover that runs its own code cannot list a covenant it did not
    /// prove, nor prove one the account does not meet.
    func testEditedOrForgedCovenantsAreRefused() throws {
        let excess = try figures().excess
        let half = Rational((excess / 2).floor)
        let proof = try prove(["excess >= \(half)"])
        guard case .object(let o) = try JSONParser.parse(proof.encoded()) else { return XCTFail() }
        let dir = try directory(["half.json": proof])
        let edits: [(String, (inout JSONObject) -> Void)] = [
            ("a stronger offset written in", { $0["covenants"] = .array([.object(JSONObject([("requirement", .string("maintenance")), ("holds", .string("excess >= \(half * 4)"))]))]) }),
            ("the covenant removed", { $0["covenants"] = nil }),
            ("not canonical", { $0["covenants"] = .array([.object(JSONObject([("requirement", .string("maintenance")), ("holds", .string("excess >=  \(half)"))]))]) }),
        ]
        for (what, change) in edits {
            var edited = o
            change(&edited)
            try FileIO.write(JSONValue.object(edited).encoded(), to: "\(dir)/edited.json", mode: 0o644)
            let r = try verify(dir, [], "edited.json")
            XCTAssertEqual(r.status, 1, "\(what): \(r.output)")
        }
        // A dishonest prover: the plain plan's range proofs, with a covenant
        // listed that no constraint proves.
        let f = try Fixtures.flow("cross-margin")
        var forged = try JSONParser.parse(f.proofBytes)
        if case .object(var p) = forged {
            p["covenants"] = .array([.object(JSONObject([("requirement", .string("maintenance")), ("holds", .string("excess >= 1000000000"))]))])
            forged = .object(p)
        }
        try FileIO.write(forged.encoded(), to: "\(dir)/forged.json", mode: 0o644)
        let r = try verify(dir, ["excess >= 1000000000"], "forged.json")
        XCTAssertEqual(r.status, 1, r.output)
        // Proving the covenant's constraint itself for an account short of it
        // is what Bulletproofs+ refuses: the constraint's value is negative.
        let base = try f.bundle.compiled()
        let withCovenant = try base.withCovenants([try Covenant(parsing: "excess >= \(excess + 1)")])
        let plan = try ProofPlan(statement: withCovenant, mode: .custodian)
        let values = f.openings.entries.map(\.value)
        XCTAssertThrowsError(try DishonestProver.proof(bundle: f.bundle, plan: plan, account: f.statement.account, inputs: .attested(f.statement),
                                                       inputOpenings: f.openings.entries.map(\.opening), helperValues: withCovenant.helperValues(inputs: values),
                                                       statementDigest: f.statement.digest, compiled: withCovenant))
    }

    /// With an anonymity set and self-attested, covenants compile over the
    /// same commitments and verify; the verifier's `--require` applies alike.
    func testWithAnAnonymitySetAndSelfAttested() throws {
        let f = try Fixtures.flow("cross-margin")
        let account = try Repository.forTests.exampleAccount("cross-margin")
        let held = Set(account.positions.keys)
        let covenant = try Covenant(parsing: "excess >= 1")
        let attested = try Prover.prove(bundle: f.bundle, statement: f.statement, openings: f.openings, at: testNow,
                                        hidingAmong: try AnonymitySet(Array(held)), covenants: [covenant])
        let selfProof = try Prover.proveSelfAttested(bundle: f.bundle, account: account, at: testNow, covenants: [covenant])
        var p = policy(selfAttested: true)
        p.covenants = [covenant]
        for proof in [attested, selfProof] {
            guard case .success(let a) = try verdict(proof.encoded(), bundle: f.bundle, policy: p) else { return XCTFail("\(proof.mode) does not verify") }
            XCTAssertEqual(a.covenants, ["maintenance: excess >= 1"])
        }
        p.covenants = [try Covenant(parsing: "excess >= 2")]
        guard case .failure(let e) = try verdict(selfProof.encoded(), bundle: f.bundle, policy: p) else { return XCTFail("a weaker proof accepted") }
        XCTAssertEqual(e.code, "covenantNotProven")
    }

    func testThroughTheProverCommandLine() throws {
        let dir = try temporaryDirectory(self)
        let values = Repository.forTests.path("Vectors/examples/cross-margin/values.json")
        let account = Repository.forTests.path("Vectors/examples/cross-margin/solvent.json")
        func run(_ tool: String, _ args: [String]) throws -> CLI.Run { try CLI.run(tool, args, in: dir) }
        for who in ["publisher", "custodian"] { XCTAssertEqual(try run("zkmargin", ["keygen", "--out", "\(who).pem"]).status, 0) }
        XCTAssertEqual(try run("zkmargin", ["publish", "--values", values, "--key", "publisher.pem", "--out", "bundle.json", "--valid-until", "2099-01-01T00:00:00Z"]).status, 0)
        XCTAssertEqual(try run("zkmargin", ["attest", "--bundle", "bundle.json", "--account", account, "--key", "custodian.pem",
                                            "--out", "statement.json", "--openings", "openings.json"]).status, 0)
        let prove = ["prove", "--bundle", "bundle.json", "--statement", "statement.json", "--openings", "openings.json"]
        let ok = try run("zkmargin", prove + ["--require", "excess >= 1", "--out", "p.json"])
        XCTAssertEqual(ok.status, 0, ok.output)
        XCTAssertTrue(ok.stdout.contains("also proves maintenance: excess >= 1"), ok.stdout)
        let verify = ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem"]
        XCTAssertEqual(try run("zkmargin-verify", verify + ["--require", "excess >= 1", "p.json"]).status, 0)
        XCTAssertEqual(try run("zkmargin-verify", verify + ["--require", "excess >= 2", "p.json"]).status, 1)
        XCTAssertEqual(try run("zkmargin", prove + ["--require", "excess > 1", "--out", "q.json"]).status, 64)
        XCTAssertEqual(try run("zkmargin", prove + ["--require", "excess >= 1000000000000", "--out", "q.json"]).status, 1, "the account does not meet it")
        XCTAssertFalse(FileIO.exists("\(dir)/q.json"))
        XCTAssertEqual(try run("zkmargin-verify", verify + ["--require", "excess >>= 1", "p.json"]).status, 64)
    }
}
