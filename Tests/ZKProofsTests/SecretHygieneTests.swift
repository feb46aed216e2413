import Foundation
import XCTest
@testable import ZKGroup
@testable import ZKProofs
import ZKTestSupport

/// Secrets in ZKProofs (issue 6): openings never print, the masked
/// commitment is the plain Pedersen commitment, the prover's only
/// variable-time multi-scalar multiplications are over public challenges,
/// and the seeded test generator is reachable from no production path.
final class ZKProofsSecretHygieneTests: XCTestCase {
    func testOpeningNeverPrintsValueOrBlinding() throws {
        for curve in Curve.allCases {
            let value = Scalar(987_654_321_987, curve: curve)
            let opening = Opening.random(value: value)
            let texts = renderings(opening)
            XCTAssertEqual(texts[0], "Opening(<redacted>)")
            XCTAssertTrue(Mirror(reflecting: opening).children.isEmpty)
            for text in texts {
                XCTAssertFalse(text.contains("987654321987"), text)
                for form in secretForms(opening.blinding) + secretForms(value) {
                    XCTAssertFalse(text.contains(form), "a secret (\(form)) appears in: \(text)")
                }
            }
        }
    }

    /// C = v·G + r·H exactly, although it is computed by `SecretMSM`
    /// (release: the constant-time Straus; debug: the masked OpenSSL
    /// reference, (v + ρ)·G + (r + ρ)·H − ρ·(G + H) with a fresh ρ): zero,
    /// small, negative and random values, on both curves, and the same C
    /// every time. v = r = 0 gives the identity on either path.
    func testMaskedCommitmentIsThePedersenCommitment() {
        for curve in Curve.allCases {
            let gens = Generators.standard(curve)
            var rng = SeededRandom(seed: "masked-commitment-\(curve)")
            let values: [Scalar] = [.zero(curve), .one(curve), -Scalar.one(curve), Scalar(125_000_000, curve: curve), Scalar.random(curve, using: &rng)]
            for v in values {
                let o = Opening.random(value: v, using: &rng)
                let expected = MSM.reference(scalars: [v, o.blinding], points: [gens.g, gens.h], curve: curve)
                let c = Commitment(o, generators: gens)
                XCTAssertEqual(c.point, expected)
                XCTAssertEqual(Commitment(o, generators: gens), c)
            }
            XCTAssertTrue(Commitment(Opening(value: .zero(curve), blinding: .zero(curve)), generators: gens).point.isIdentity)
        }
    }

    /// The prover's internal masks come from the system generator, yet the
    /// proof depends only on `source`: two runs with one seed agree byte for
    /// byte (the known-answer vectors rely on it), and the proof verifies.
    func testProofDependsOnlyOnTheGivenSource() throws {
        var rng = SeededRandom(seed: "fixture")
        let fixture = Fixture.simple(curve: .p256, bits: 8, values: [0, 255], rng: &rng)
        var first = SeededRandom(seed: "prove-twice"), second = SeededRandom(seed: "prove-twice")
        let a = try fixture.prove(&first), b = try fixture.prove(&second)
        XCTAssertEqual(a.encoded(), b.encoded())
        XCTAssertNoThrow(try BulletproofsPlus.verify(a, for: fixture.statement, generators: fixture.generators))
    }

    /// Refusals name indices, never a value or a blinding factor.
    func testProverErrorsCarryNoSecret() throws {
        let curve = Curve.p256
        let gens = Generators.standard(curve)
        var rng = SeededRandom(seed: "errors")
        let opening = Opening.random(value: Scalar(300_123, curve: curve), using: &rng)
        let statement = try RangeStatement(curve: curve, bits: 8, commitments: [Commitment(opening, generators: gens)],
                                           forms: [.variable(0, curve: curve)], context: [])
        var errors: [RangeProofError] = []
        do { _ = try BulletproofsPlus.prove(statement, openings: [opening], generators: gens, using: &rng) } catch { errors.append(error) }
        let other = Opening.random(value: Scalar(300_123, curve: curve), using: &rng)
        do { _ = try BulletproofsPlus.prove(statement, openings: [other], generators: gens, using: &rng) } catch { errors.append(error) }
        XCTAssertEqual(errors, [.valueOutOfRange(form: 0), .openingMismatch(index: 0)])
        for e in errors {
            for text in renderings(e) {
                XCTAssertFalse(text.contains("300123"), text)
                for form in secretForms(opening.blinding) + secretForms(other.blinding) {
                    XCTAssertFalse(text.contains(form), text)
                }
            }
        }
    }

    /// A tripwire, read from the source: in the prover, the variable-time
    /// public-scalar code (`MSM.compute`, `MSM.foldPairs`) appears only in
    /// the generator folds, whose scalars are the public challenges; every
    /// sum over secrets is a `SecretMSM`, and so is a commitment. Review the
    /// new call (is every scalar public?) before extending the list.
    func testProverUsesTheFastMSMOnlyOnPublicScalars() throws {
        let prover = try Repository.forTests.text("Sources/ZKProofs/BulletproofsPlus.swift")
        let fast = prover.split(separator: "\n").filter {
            ($0.contains("MSM.compute(") && !$0.contains("SecretMSM.compute(")) || $0.contains("MSM.foldPairs(")
        }
        XCTAssertEqual(fast.count, 2, fast.joined(separator: "\n"))
        // gStep = e²·y^{−N̂} and hStep = e⁻²: challenges only.
        XCTAssertTrue(prover.contains("let gStep = e * e * yHalfInv, hStep = eInv * eInv"))
        for line in fast {
            XCTAssertTrue(line.contains("MSM.foldPairs(") && (line.contains("by: gStep)") || line.contains("by: hStep)")), String(line))
        }
        XCTAssertEqual(prover.components(separatedBy: "SecretMSM.compute(").count - 1, 4, "L, R, A1 and B: update this test with the prover")
        XCTAssertEqual(prover.components(separatedBy: "SecretMSM.computeBitVectors(").count - 1, 1, "A: update this test with the prover")
        // A commitment is one two-term SecretMSM (v·G + r·H), never the fast MSM.
        let commitment = try Repository.forTests.text("Sources/ZKProofs/Commitment.swift")
        XCTAssertEqual(commitment.split(separator: "\n").filter { $0.contains("MSM.compute(") && !$0.contains("SecretMSM.compute(") }, [])
        XCTAssertEqual(commitment.components(separatedBy: "SecretMSM.compute(").count - 1, 1)
    }

    /// `SeededRandom` (deterministic) may blind nothing real. It is defined
    /// in ZKTestSupport, which no library depends on; besides its own file,
    /// only the benchmarks (public inputs; `zkmargin bench` reaches them
    /// through ZKBenchmarks) and the hardening harness (fuzz and tamper
    /// fixtures; not products) may name it or import its target. The
    /// libraries and the sources of `zkmargin` and `zkmargin-verify` must not.
    func testSeededRandomIsUnreachableFromProductionCode() throws {
        let repository = Repository.forTests
        let allowed = ["Sources/ZKTestSupport/", "Sources/ZKBenchmarks/", "Sources/ZKHardening/", "Sources/zkmargin-fuzz/", "Sources/zkmargin-tamper/"]
        var offenders: [String] = []
        let files = repository.files(under: "Sources", suffix: ".swift")
        XCTAssertTrue(files.contains("Sources/ZKTestSupport/SeededRandom.swift"), "SeededRandom moved: update this test")
        for file in files where !allowed.contains(where: { file.hasPrefix($0) }) {
            let text = try repository.text(file)
            if text.contains("SeededRandom") || text.contains("import ZKTestSupport") { offenders.append(file) }
        }
        XCTAssertEqual(offenders, [], "SeededRandom or ZKTestSupport used outside tests, benchmarks and the hardening harness: \(offenders)")
    }
}
