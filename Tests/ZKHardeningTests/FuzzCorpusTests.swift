import Foundation
import Solvency
import XCTest
@testable import ZKHardening
import ZKTestSupport

/// Replays every fuzz corpus in `Vectors/fuzz/<target>/` (the seeds, and
/// every crash a fuzz run found, saved as `regression-*`) through its target.
/// A target crashes on a broken oracle, so a failure here stops the run with
/// the oracle's message.
final class FuzzCorpusTests: XCTestCase {
    static let root = Repository.forTests.root

    /// The targets find the repository with `Repository.locate()`, from the
    /// working directory unless `ZKMARGIN_ROOT` says where it is.
    override class func setUp() {
        super.setUp()
        setenv("ZKMARGIN_ROOT", root.path, 1)
    }

    func testEveryTargetHasASeedCorpus() throws {
        for target in FuzzTarget.allCases {
            let files = try FuzzInputs.files(in: [FuzzInputs.corpus(target, root: Self.root).path])
            XCTAssertFalse(files.isEmpty, "Vectors/fuzz/\(target.rawValue)/ is empty")
        }
    }

    func testTheCommittedSeedsAreWhatTheTargetsGenerate() throws {
        // A seed that drifted from its generator would fuzz stale formats.
        for target in FuzzTarget.allCases {
            for seed in target.seeds() {
                let file = FuzzInputs.corpus(target, root: Self.root).appendingPathComponent("seed-\(seed.name)")
                let committed = try Data(contentsOf: file)
                XCTAssertEqual(Array(committed), seed.bytes, "\(file.path) differs from `zkmargin-fuzz make-seeds`")
            }
        }
    }

    func testTheFixturesVerify() throws {
        // FuzzFixtures.init throws unless both fixture proofs verify.
        let fixtures = try FuzzFixtures(root: Self.root)
        // And the verifier rejects them once the time is outside the bundle's window.
        var late = fixtures.policy
        late.at = Date(timeIntervalSince1970: 2_100_000_000)
        XCTAssertThrowsError(try Verifier.verify(bundle: fixtures.bundle, proofs: [("proof.json", fixtures.proofFile)], policy: late))
    }

    func testReplayEveryCorpus() throws {
        for target in FuzzTarget.allCases {
            let files = try FuzzInputs.files(in: [FuzzInputs.corpus(target, root: Self.root).path])
            for file in files {
                target.run(Array(try Data(contentsOf: file)))
            }
        }
    }

    func testTruncatedAndEmptyInputsAreHarmless() throws {
        for target in FuzzTarget.allCases {
            target.run([])
            for seed in target.seeds() {
                target.run(Array(seed.bytes.prefix(1)))
                target.run(Array(seed.bytes.prefix(seed.bytes.count / 2)))
            }
        }
    }
}
