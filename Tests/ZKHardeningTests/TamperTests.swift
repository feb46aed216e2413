import Foundation
import Solvency
import XCTest
import ZKHardening
import ZKTestSupport

/// The tamper harness on a deterministic sample (`scripts/tamper.sh` runs
/// every variant through the release binary).
final class TamperTests: XCTestCase {
    static let root = Repository.forTests.root

    /// Every fixture, made once: publishing, attesting and proving are the
    /// slow part.
    static let fixtures = Result { try TamperFixture.all(root: root) }

    /// Variants per fixture in the sample: every category, spread over each
    /// file, and quick in a debug build.
    static let sampleSize = 40

    func fixtures() throws -> [TamperFixture] { try Self.fixtures.get() }

    func scratchDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zkmargin-tamper-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    /// Shows every shipped circuit has a custodian-attested fixture, one has
    /// a self-attested one, and the untampered files are accepted (exit 0):
    /// without that, rejecting the variants would prove nothing.
    func testUntamperedFixturesAreAccepted() throws {
        let fixtures = try fixtures()
        let shipped = try Repository.forTests.shippedCircuits()
        XCTAssertEqual(Set(shipped), ["threshold", "cross-margin", "tiered-margin", "rounded-margin", "portfolio-margin", "options-standard"])
        XCTAssertEqual(Set(fixtures.filter { $0.mode == .custodian }.map(\.circuit)), Set(shipped))
        XCTAssertFalse(fixtures.filter { $0.mode == .selfAttested }.isEmpty)
        // A proof with an anonymity set: its excluded list and zero opening get tampered with too.
        let hiding = try XCTUnwrap(fixtures.first { $0.hidingAmong != nil })
        XCTAssertNotNil(hiding.proofTree["excluded"])
        XCTAssertNotNil(hiding.proofTree["zero_opening"])
        let scratch = try scratchDirectory()
        for f in fixtures {
            let workspace = try TamperWorkspace(directory: "\(scratch)/\(f.slug)", fixture: f)
            try workspace.write(f.files, description: "untampered")
            XCTAssertEqual(workspace.verifyInProcess(), .accepted, f.name)
        }
    }

    /// Shows the sample keeps every category of every fixture, and that the
    /// fixtures together have every category.
    func testSampleCoversEveryCategory() throws {
        var seen = Set<TamperCategory>()
        for f in try fixtures() {
            let all = TamperVariants.all(for: f)
            let sample = TamperSample.select(all, count: Self.sampleSize)
            XCTAssertEqual(Set(sample.map(\.category)), Set(all.map(\.category)), f.name)
            XCTAssertLessThan(sample.count, Self.sampleSize + TamperCategory.allCases.count, f.name)
            seen.formUnion(sample.map(\.category))
        }
        XCTAssertEqual(seen, Set(TamperCategory.allCases))
    }

    /// The point of the harness: no sampled variant of any fixture is
    /// accepted or crashes the verifier; each is rejected with exit 1 or 2.
    func testSampledVariantsAreRejected() throws {
        let scratch = try scratchDirectory()
        let runner = TamperRunner(verification: TamperVerification(), jobs: 2, scratch: scratch + "/work", findingsDirectory: scratch + "/findings")
        for f in try fixtures() {
            let sample = TamperSample.select(TamperVariants.all(for: f), count: Self.sampleSize)
            let result = try runner.run(f, variants: sample)
            XCTAssertEqual(result.total.tried, sample.count, f.name)
            XCTAssertEqual(result.total.accepted, 0, f.name)
            XCTAssertEqual(result.total.crashed, 0, f.name)
            for finding in result.findings { XCTFail(finding.line) }
        }
    }

    /// Shows variants are single edits that change the files: none equals
    /// the untampered files, and a duplicate-key edit really writes the key
    /// twice (which Solvency's reader refuses).
    func testVariantsChangeTheFiles() throws {
        let f = try XCTUnwrap(try fixtures().first)
        for v in TamperSample.select(TamperVariants.all(for: f), count: 200) {
            XCTAssertNotEqual(v.files(), f.files, v.description)
        }
        let edit = try XCTUnwrap(TamperJSONEdits.all(of: f.proofTree, root: "proof").first { $0.description == "proof.curve duplicated (the key twice, same value)" })
        let text = String(decoding: edit.applied(to: f.proofTree).pretty(), as: UTF8.self)
        XCTAssertEqual(text.components(separatedBy: "\"curve\":").count, 3)
        XCTAssertThrowsError(try MarginProof(encoded: Array(text.utf8)))
    }

    /// Shows how a spawned verifier's ending is read: exit 0 accepted, 1 and
    /// 2 rejections, a signal or another status a crash.
    func testExecutableExitStatusesAreClassified() throws {
        let scratch = try scratchDirectory()
        let f = try XCTUnwrap(try fixtures().first)
        let workspace = try TamperWorkspace(directory: scratch + "/w", fixture: f)
        try workspace.write(f.files, description: "untampered")
        func script(_ name: String, _ body: String) throws -> String {
            let path = "\(scratch)/\(name).sh"
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            return path
        }
        XCTAssertEqual(workspace.verifyWithExecutable(try script("ok", "exit 0"), timeout: 30), .accepted)
        XCTAssertEqual(workspace.verifyWithExecutable(try script("invalid", "exit 1"), timeout: 30), .invalid(reason: "exit 1"))
        XCTAssertEqual(workspace.verifyWithExecutable(try script("unusable", "exit 2"), timeout: 30), .unusable(reason: "exit 2"))
        guard case .crashed = workspace.verifyWithExecutable(try script("other", "echo boom >&2; exit 3"), timeout: 30) else {
            return XCTFail("exit 3 must count as a crash")
        }
        guard case .crashed = workspace.verifyWithExecutable(try script("signal", "kill -SEGV $$"), timeout: 30) else {
            return XCTFail("a signal must count as a crash")
        }
        guard case .crashed = workspace.verifyWithExecutable(try script("hang", "exec sleep 30"), timeout: 0.5) else {
            return XCTFail("a hang must count as a crash")
        }
    }
}
