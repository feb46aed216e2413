import XCTest
@testable import ZKGroup
@testable import ZKProofs
import ZKTestSupport

/// A width per form: statement checks, completeness at the edges of every
/// width, refusal of values ≥ 2^w by the honest prover, and dishonest
/// provers (built from the prover's own pieces) that set padding bits or
/// ignore the width and are refused by the verifier.
final class WidthTests: XCTestCase {
    // MARK: Helpers

    /// A uniform integer in 0..<bound from the seeded stream.
    static func int(_ bound: Int, _ rng: inout SeededRandom) -> Int {
        var bytes = [UInt8](repeating: 0, count: 8)
        rng.fill(&bytes)
        return Int(bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % UInt64(bound))
    }

    /// A random value in [0, 2^w) (w ≤ 256; for w = 256, reduced mod the order).
    static func below(_ w: Int, curve: Curve, _ rng: inout SeededRandom) -> Scalar {
        var bytes = [UInt8](repeating: 0, count: 32)
        rng.fill(&bytes)
        for q in 0..<32 {
            let allowed = min(max(w - 8 * q, 0), 8)
            bytes[31 - q] &= UInt8(truncatingIfNeeded: (1 << allowed) - 1)
        }
        return Scalar(reducing: bytes, curve: curve)
    }

    /// The bit length of a scalar's canonical value (reference for `fitsIn`).
    static func bitLength(_ s: Scalar) -> Int {
        let bytes = s.bytes
        guard let first = bytes.firstIndex(where: { $0 != 0 }) else { return 0 }
        return 8 * (31 - first) + (8 - bytes[first].leadingZeroBitCount)
    }

    func assertVerifies(_ proof: RangeProof, _ statement: RangeStatement, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNoThrow(try BulletproofsPlus.verify(encoded: proof.encoded(), for: statement, generators: .standard(statement.curve)),
                         what, file: file, line: line)
    }

    func assertRejected(_ proof: RangeProof, _ statement: RangeStatement, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try BulletproofsPlus.verify(encoded: proof.encoded(), for: statement, generators: .standard(statement.curve)),
                             "accepted: \(what)", file: file, line: line) {
            XCTAssertEqual($0 as? RangeProofError, .verificationFailed, what, file: file, line: line)
        }
    }

    /// `dishonestProof` (TestSupport) for a fixture's openings.
    static func dishonestProof(_ f: Fixture, statement: RangeStatement, bitWidths: [Int], dWidths: [Int],
                               _ rng: inout SeededRandom) -> RangeProof {
        ZKProofsTests.dishonestProof(statement, openings: f.openings, generators: f.generators, bitWidths: bitWidths, dWidths: dWidths, using: &rng)
    }

    // MARK: Statement

    func testStatementValidatesWidths() throws {
        XCTAssertEqual(RangeStatement.supportedBitWidths, [8, 16, 32, 64, 128, 256])
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "width-statement-\(curve)")
            let c = Commitment(Opening.random(value: .one(curve), using: &rng), generators: .standard(curve))
            let forms = [AffineForm.variable(0, curve: curve), .variable(0, curve: curve)]
            func statement(_ bits: Int, _ widths: [Int], _ forms: [AffineForm] = forms) throws -> RangeStatement {
                try RangeStatement(curve: curve, bits: bits, widths: widths, commitments: [c], forms: forms, context: [])
            }
            for n in RangeStatement.supportedBitWidths {
                XCTAssertEqual(try statement(n, [1, n]).widths, [1, n])
                for (widths, bad) in [([0, n], (0, 0)), ([n, n + 1], (1, n + 1)), ([-1, 1], (0, -1)), ([1, Int.max], (1, Int.max))] {
                    XCTAssertThrowsError(try statement(n, widths)) {
                        XCTAssertEqual($0 as? RangeProofError, .widthOutOfRange(form: bad.0, width: bad.1, bits: n))
                    }
                }
                XCTAssertThrowsError(try statement(n, [n])) { XCTAssertEqual($0 as? RangeProofError, .widthCount(expected: 2, got: 1)) }
                XCTAssertThrowsError(try statement(n, [n, n, n])) { XCTAssertEqual($0 as? RangeProofError, .widthCount(expected: 2, got: 3)) }
                // The initializer without widths means every width = n.
                let plain = try RangeStatement(curve: curve, bits: n, commitments: [c], forms: forms, context: [])
                XCTAssertEqual(plain.widths, [n, n])
                XCTAssertEqual(plain.transcript(generators: .standard(curve)).state,
                               try statement(n, [n, n]).transcript(generators: .standard(curve)).state)
            }
            // n itself is checked first, then emptiness, then the widths.
            XCTAssertThrowsError(try statement(512, [1, 1])) { XCTAssertEqual($0 as? RangeProofError, .unsupportedBitWidth(512)) }
            XCTAssertThrowsError(try statement(64, [], [])) { XCTAssertEqual($0 as? RangeProofError, .emptyStatement) }
            // n = 256 within N ≤ 2²⁰: up to 4096 forms.
            let many = [AffineForm](repeating: .variable(0, curve: curve), count: 4096)
            XCTAssertEqual(try statement(256, [Int](repeating: 200, count: 4096), many).totalBits, 1 << 20)
            XCTAssertThrowsError(try statement(256, [Int](repeating: 200, count: 4097), many + [many[0]])) {
                XCTAssertEqual($0 as? RangeProofError, .statementTooLarge(8192 * 256))
            }
            // Padding forms take width n.
            XCTAssertEqual(try statement(64, [3, 64, 5], forms + [forms[0]]).paddedWidths, [3, 64, 5, 64])
        }
    }

    /// `fitsIn(bits:)` for every bit count 0…256 against the bit length, at
    /// 2^w − 1, 2^w, 2^(w−1), 0 and random values.
    func testFitsInEveryBitCount() {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "fits-\(curve)")
            var samples: [Scalar] = [.zero(curve), .one(curve), -Scalar.one(curve)]
            for e in 0...256 {
                samples.append(.powerOfTwo(e, curve: curve))
                samples.append(.powerOfTwo(e, plus: -1, curve: curve))
            }
            for _ in 0..<32 { samples.append(.random(curve, using: &rng)) }
            for w in 0...256 {
                for s in samples {
                    XCTAssertEqual(s.fitsIn(bits: w), Self.bitLength(s) <= w, "\(curve) w = \(w), bit length \(Self.bitLength(s))")
                }
            }
        }
    }

    // MARK: Completeness

    /// Random n, m and widths, values at both ends (0, 2^w − 1) and random
    /// in between; each proof verifies and has the statement's length.
    func testCompletenessForRandomWidths() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "random-widths-\(curve)")
            let sizes = [8, 16, 32, 64, 128, 256]
            for round in 0..<8 {
                let n = sizes[round < sizes.count ? round : Self.int(sizes.count, &rng)]
                let m = n == 256 ? 1 + Self.int(2, &rng) : 1 + Self.int(5, &rng)
                var widths = (0..<m).map { _ in 1 + Self.int(n, &rng) }
                widths[0] = round % 2 == 0 ? 1 : n
                let values: [Scalar] = widths.enumerated().map { k, w in
                    switch (k + round) % 3 {
                    case 0: return .zero(curve)
                    case 1: return .powerOfTwo(w, plus: -1, curve: curve)
                    default: return Self.below(w, curve: curve, &rng)
                    }
                }
                let f = Fixture.scalars(curve: curve, bits: n, widths: widths, values: values, rng: &rng)
                let proof = try f.prove(&rng)
                XCTAssertEqual(proof.encoded().count, RangeProof.encodedLength(for: f.statement))
                assertVerifies(proof, f.statement, "\(curve) n = \(n) widths \(widths)")
            }
        }
    }

    /// The examples of the known-answer vectors, at the top of each width.
    func testMixedWidthsAtTheTop() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "mixed-top-\(curve)")
            for (n, widths) in [(64, [64, 40, 1, 63]), (256, [250, 129]), (256, [256, 1]), (8, [1, 2, 3, 4, 5, 6, 7, 8])] {
                let values = widths.map { Scalar.powerOfTwo($0, plus: -1, curve: curve) }
                let f = Fixture.scalars(curve: curve, bits: n, widths: widths, values: values, rng: &rng)
                assertVerifies(try f.prove(&rng), f.statement, "\(curve) n = \(n) widths \(widths)")
            }
        }
    }

    // MARK: Soundness

    /// 2^w, 2^w + a random amount, 2ⁿ and −1 with width w are refused, and
    /// the refusal names the form.
    func testHonestProverRefusesValuesFrom2wUp() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "refuse-widths-\(curve)")
            for (n, w) in [(8, 1), (8, 7), (64, 40), (64, 63), (128, 100), (256, 129), (256, 250), (256, 255)] {
                let bad: [Scalar] = [.powerOfTwo(w, curve: curve), .powerOfTwo(w, curve: curve) + Self.below(w, curve: curve, &rng),
                                     .powerOfTwo(n, curve: curve), -Scalar.one(curve)]
                for value in bad where Self.bitLength(value) > w {
                    let f = Fixture.scalars(curve: curve, bits: n, widths: [n, w], values: [.powerOfTwo(n, plus: -1, curve: curve), value], rng: &rng)
                    XCTAssertThrowsError(try f.prove(&rng), "\(curve) n = \(n) w = \(w)") {
                        XCTAssertEqual($0 as? RangeProofError, .valueOutOfRange(form: 1))
                    }
                }
            }
        }
    }

    /// A value ≥ 2^w at width w: no dishonest use of the prover's pieces
    /// makes a proof that verifies for the statement with width w.
    func testDishonestProversCannotProveValuesFrom2wUp() throws {
        for curve in Curve.allCases {
            for (n, widths, value) in [(64, [64, 40], Scalar.powerOfTwo(40, curve: curve)),
                                       (8, [8, 1], Scalar(2, curve: curve)),
                                       (256, [250, 129], Scalar.powerOfTwo(200, plus: 3, curve: curve))] {
                var rng = SeededRandom(seed: "dishonest-\(curve)-\(n)-\(widths)")
                let what = "\(curve) n = \(n) widths \(widths)"
                let full = [Int](repeating: n, count: widths.count)
                let f = Fixture.scalars(curve: curve, bits: n, widths: widths, values: [.powerOfTwo(widths[0], plus: -1, curve: curve), value], rng: &rng)
                let wide = try f.with(widths: full)
                XCTAssertThrowsError(try f.prove(&rng)) { XCTAssertEqual($0 as? RangeProofError, .valueOutOfRange(form: 1)) }

                // Proven at width n (a true statement), checked at width w.
                let atN = try BulletproofsPlus.prove(wide, openings: f.openings, generators: f.generators, using: &rng)
                assertVerifies(atN, wide, "\(what): control, the same proof at width n")
                assertRejected(atN, f.statement, "\(what): proven at width n, checked at w")

                // The statement's transcript, with padding bits set (all n
                // bits of the value in a_L, d zero beyond w).
                let paddingBits = Self.dishonestProof(f, statement: f.statement, bitWidths: full, dWidths: widths, &rng)
                assertRejected(paddingBits, f.statement, "\(what): padding bits set")
                // The statement's transcript, the width ignored (bits and d at n).
                let ignored = Self.dishonestProof(f, statement: f.statement, bitWidths: full, dWidths: full, &rng)
                assertRejected(ignored, f.statement, "\(what): width ignored")
                // The bits truncated at w (what the honest shape would commit to).
                let truncated = Self.dishonestProof(f, statement: f.statement, bitWidths: widths, dWidths: widths, &rng)
                assertRejected(truncated, f.statement, "\(what): bits truncated at w")
                // And d at n with a_L truncated at w.
                let mixed = Self.dishonestProof(f, statement: f.statement, bitWidths: widths, dWidths: full, &rng)
                assertRejected(mixed, f.statement, "\(what): d at n, bits at w")
            }
        }
    }

    /// The dishonest harness is the honest prover when fed honestly: same
    /// bytes as `prove` under the same seed, and the proof verifies. So the
    /// refusals above come from the dishonesty, not from the harness.
    func testDishonestHarnessIsTheProverWhenHonest() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "harness-\(curve)")
            let widths = [64, 40, 1]
            let f = Fixture.scalars(curve: curve, bits: 64, widths: widths,
                                    values: [.powerOfTwo(64, plus: -1, curve: curve), .powerOfTwo(40, plus: -1, curve: curve), .one(curve)], rng: &rng)
            var a = SeededRandom(seed: "harness-proof"), b = SeededRandom(seed: "harness-proof")
            let honest = try f.prove(&a)
            let harness = Self.dishonestProof(f, statement: f.statement, bitWidths: widths, dWidths: widths, &b)
            XCTAssertEqual(honest, harness)
            assertVerifies(harness, f.statement, "\(curve): harness")
        }
    }

    /// A proof for widths W verifies for no W′ ≠ W: each width moved by ±1,
    /// two widths swapped, all widths set to n, and n itself changed with
    /// the widths kept.
    func testWidthsAreBoundIntoTheTranscript() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "width-binding-\(curve)")
            let widths = [40, 1, 64, 17]
            let values: [Scalar] = [.powerOfTwo(39, curve: curve), .zero(curve), .powerOfTwo(30, curve: curve), .one(curve)]
            let f = Fixture.scalars(curve: curve, bits: 64, widths: widths, values: values, rng: &rng)
            let proof = try f.prove(&rng)
            assertVerifies(proof, f.statement, "\(curve): the proof itself")
            let gens = Generators.standard(curve)
            let state = f.statement.transcript(generators: gens).state
            var variants: [[Int]] = []
            for k in widths.indices {
                for delta in [-1, 1] where (1...64).contains(widths[k] + delta) {
                    var w = widths
                    w[k] += delta
                    variants.append(w)
                }
            }
            variants += [[1, 40, 64, 17], [64, 64, 64, 64], [17, 1, 64, 40]]
            for w in variants {
                let other = try f.with(widths: w)
                XCTAssertNotEqual(other.transcript(generators: gens).state, state, "\(w)")
                assertRejected(proof, other, "\(curve): widths \(w) instead of \(widths)")
            }
            let at128 = try RangeStatement(curve: curve, bits: 128, widths: widths, commitments: f.statement.commitments,
                                           forms: f.statement.forms, context: f.statement.context)
            XCTAssertThrowsError(try BulletproofsPlus.verify(encoded: proof.encoded(), for: at128, generators: gens))
        }
    }

    // MARK: Batch

    /// One batch mixes n = 8…256 and widths; one proof checked against
    /// another width makes the batch fail and alone is found.
    func testBatchAcrossWidthsAndSizes() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "width-batch-\(curve)")
            var fixtures: [Fixture] = []
            var items: [(RangeProof, RangeStatement)] = []
            for (n, widths) in [(8, [3]), (64, [64, 40, 1, 63]), (16, [16, 9, 2]), (256, [250, 129]), (128, [128]), (32, [5, 31])] {
                let values = widths.map { Self.below($0, curve: curve, &rng) }
                let f = Fixture.scalars(curve: curve, bits: n, widths: widths, values: values, context: "batch-\(items.count)", rng: &rng)
                fixtures.append(f)
                items.append((try f.prove(&rng), f.statement))
            }
            let gens = Generators.standard(curve)
            try BulletproofsPlus.verifyBatch(items, generators: gens, using: &rng)
            var bad = items
            bad[1].1 = try fixtures[1].with(widths: [64, 41, 1, 63])
            XCTAssertThrowsError(try BulletproofsPlus.verifyBatch(bad, generators: gens, using: &rng)) {
                XCTAssertEqual($0 as? RangeProofError, .verificationFailed)
            }
            let failing = bad.indices.filter { (try? BulletproofsPlus.verify(bad[$0].0, for: bad[$0].1, generators: gens)) == nil }
            XCTAssertEqual(failing, [1])
        }
    }
}
