import Foundation
import MarginCircuits
import XCTest
import ZKGroup
import ZKProofs
@testable import Solvency

/// How constraints are cut into range proofs, and what each one binds.
final class ProofPlanTests: XCTestCase {
    func testSplitSizes() {
        XCTAssertEqual(ProofPlan.split(count: 1, bits: 128), [1])
        XCTAssertEqual(ProofPlan.split(count: 4, bits: 64), [4])
        XCTAssertEqual(ProofPlan.split(count: 20, bits: 64), [16, 4])
        XCTAssertEqual(ProofPlan.split(count: 64, bits: 64), [64])
        XCTAssertEqual(ProofPlan.split(count: 130, bits: 64), [64, 64, 2])
        for count in 1...300 {
            for bits in [8, 64, 128] {
                let parts = ProofPlan.split(count: count, bits: bits)
                XCTAssertEqual(parts.reduce(0, +), count)
                XCTAssertTrue(parts.allSatisfy { $0 >= 1 && $0 <= ProofPlan.maximumFormsPerProof })
                // Never worse than plain 64-form chunks with the remainder padded.
                let full = count / 64, rest = count % 64
                let plain = bits * 64 * full + (rest > 0 ? bits * ProofPlan.padded(rest) : 0) + ProofPlan.perProofCost * (full + (rest > 0 ? 1 : 0))
                XCTAssertLessThanOrEqual(ProofPlan.cost(bits: bits, count: count), plain)
            }
        }
    }

    func testPlansOfTheExamples() throws {
        func shape(_ c: String, _ mode: AttestationMode = .custodian) throws -> [String] {
            try ProofPlan(statement: makeBundle(c).compiled(), mode: mode).chunks.map { "\($0.bits)x\($0.constraints.count)" }
        }
        XCTAssertEqual(try shape("threshold"), ["128x1"])
        XCTAssertEqual(try shape("cross-margin"), ["128x1"])              // no helper: |size| = long + short
        XCTAssertEqual(try shape("portfolio-margin"), ["128x6"])
        XCTAssertEqual(try shape("threshold", .selfAttested), ["128x7"])
    }

    func testEveryConstraintIsProvenExactlyOnceAndChunksAreBounded() throws {
        let (values, _) = Demo.syntheticCrossMargin(instruments: 75)
        let bundle = try makeBundle(values: values)
        let compiled = try bundle.compiled()
        for mode in [AttestationMode.custodian, .selfAttested] {
            let plan = try ProofPlan(statement: compiled, mode: mode)
            let all = plan.chunks.flatMap(\.constraints)
            XCTAssertEqual(all.sorted(), Array(plan.constraints.indices))
            for chunk in plan.chunks {
                XCTAssertLessThanOrEqual(chunk.constraints.count, 64)
                XCTAssertEqual(chunk.widths, chunk.constraints.map { plan.constraints[$0].bitWidth })
                XCTAssertTrue(chunk.widths.allSatisfy { $0 <= chunk.bits && ProofPlan.proofSize(forWidth: $0) == chunk.bits })
                let used = Set(chunk.constraints.flatMap { plan.constraints[$0].terms.map(\.index) })
                XCTAssertEqual(chunk.commitments, used.sorted())
            }
            XCTAssertEqual(plan.claims, ["maintenance"])
        }
    }

    func testEveryChunkBindsTheWholeContext() throws {
        // Tiered margin: several range proofs (tier maxima are helpers).
        let f = try Fixtures.flow("tiered-margin")
        let compiled = try f.bundle.compiled()
        let plan = try ProofPlan(statement: compiled, mode: .custodian)
        let commitments = f.statement.inputs.map(\.commitment) + f.proof.helpers.map(\.commitment)
        func context(account: String = f.statement.account, epoch: String = f.bundle.epoch, mode: AttestationMode = .custodian,
                     statement: [UInt8] = f.statement.digest, bundle: [UInt8] = f.bundle.digest) -> ProofContext {
            ProofContext(bundleDigest: bundle, circuitDigest: f.bundle.circuitDigest, curve: .p256, account: account, epoch: epoch,
                         mode: mode, statementDigest: statement, claims: plan.claims)
        }
        let honest = try plan.rangeStatements(curve: .p256, commitments: commitments, context: context())
        let items = zip(f.proof.rangeProofs, honest).map { (try! RangeProof(encoded: $0.proof, for: $1), $1) }
        XCTAssertNoThrow(try BulletproofsPlus.verifyBatch(items, generators: .standard(.p256)))
        XCTAssertEqual(Set(honest.map(\.context)).count, honest.count, "each chunk's context names its index")
        // Change any field of the context: every chunk's proof fails.
        for other in [context(account: "someone-else"), context(epoch: "1"), context(mode: .selfAttested),
                      context(statement: [UInt8](repeating: 0, count: 32)), context(bundle: [UInt8](repeating: 1, count: 32))] {
            let statements = try plan.rangeStatements(curve: .p256, commitments: commitments, context: other)
            for (entry, statement) in zip(f.proof.rangeProofs, statements) {
                XCTAssertThrowsError(try BulletproofsPlus.verify(encoded: entry.proof, for: statement, generators: .standard(.p256)))
            }
        }
        // Chunks swapped: each proof is bound to its own index.
        XCTAssertThrowsError(try BulletproofsPlus.verify(encoded: f.proof.rangeProofs[0].proof, for: honest[1], generators: .standard(.p256)))
    }
}
