import Foundation
import Solvency
import XCTest
@testable import ZKHardening
import ZKTestSupport

/// The hostile files `scripts/hostile.sh` measures: the statement cases
/// (version 2 statements with as many commitments as fit a 16 MiB proof)
/// are refused for their signer and for their input count, that is before
/// any commitment is decoded (a decoded slot would be refused as a `field`
/// error naming it).
final class HostileFilesTests: XCTestCase {
    func testStatementCasesAreRefusedBeforeAnyCommitmentIsDecoded() throws {
        let root = Repository.forTests.root
        let fixtures = try FuzzFixtures(root: root)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zkmargin-hostile-tests-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let cases = try HostileFiles.write(to: dir, fixtures: fixtures)
        let expected = ["f6-statement-other-key": "wrongSigner", "f6-statement-count": "statementMismatch"]
        for (name, code) in expected {
            let c = try XCTUnwrap(cases.first { $0.name == name })
            XCTAssertEqual(c.expectedStatus, 1)
            let bytes = Array(try Data(contentsOf: dir.appendingPathComponent("\(name).json")))
            XCTAssertLessThanOrEqual(bytes.count, FormatLimits.maximumFileBytes, name)
            XCTAssertGreaterThan(bytes.count, 15 << 20, name)
            let report = try Verifier.verify(bundle: fixtures.bundle, proofs: [(name, bytes)], policy: fixtures.policy)
            guard case .failure(let e) = report.verdicts[0].result else { return XCTFail("\(name) verified") }
            XCTAssertEqual(e.code, code, "\(name): \(e)")
            if name == "f6-statement-count" {
                XCTAssertTrue(e.description.hasPrefix("the statement commits to "), e.description)
                XCTAssertTrue(e.description.contains("inputs, the circuit has 7"), e.description)
            }
        }
    }
}
