import XCTest
@testable import ZKGroup
@testable import ZKProofs
import ZKTestSupport

/// Completeness of the Bulletproofs+ range proof over affine forms.
final class BulletproofsPlusTests: XCTestCase {
    func testSingleValueRoundTrip() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "single-\(curve)")
            let f = Fixture.simple(curve: curve, bits: 64, values: [123456789], rng: &rng)
            let proof = try f.prove(&rng)
            XCTAssertEqual(proof.encoded().count, 591)
            XCTAssertEqual(RangeProof.encodedLength(for: f.statement), 591)
            try BulletproofsPlus.verify(proof, for: f.statement, generators: f.generators)
            try BulletproofsPlus.verify(encoded: proof.encoded(), for: f.statement, generators: f.generators)
            XCTAssertEqual(try RangeProof(encoded: proof.encoded(), for: f.statement), proof)
        }
    }

    /// Every bit width, at both ends of its range.
    func testEveryBitWidthAtTheEdges() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "widths-\(curve)")
            for n in [8, 16, 32, 64, 128, 256] {
                let gens = Generators.standard(curve)
                let top = Scalar(reducing: [UInt8](repeating: 0xff, count: n / 8), curve: curve)   // 2ⁿ − 1 (mod the order for n = 256)
                let openings = [Opening.random(value: .zero(curve), using: &rng), Opening.random(value: top, using: &rng)]
                let commitments = openings.map { Commitment($0, generators: gens) }
                let st = try RangeStatement(curve: curve, bits: n, commitments: commitments,
                                            forms: [.variable(0, curve: curve), .variable(1, curve: curve)], context: [])
                let proof = try BulletproofsPlus.prove(st, openings: openings, generators: gens, using: &rng)
                XCTAssertEqual(proof.encoded().count, RangeProof.encodedLength(rounds: (2 * n).trailingZeroBitCount))
                try BulletproofsPlus.verify(encoded: proof.encoded(), for: st, generators: gens)
            }
        }
    }

    /// m = 1…9, 16 and 64 values (padded to powers of two internally).
    func testAggregationSizes() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "aggregation-\(curve)")
            for m in Array(1...9) + [16, 64] {
                let bits = m == 64 ? 8 : 16
                let values = (0..<m).map { ($0 * 7919) % (1 << bits) }
                let f = Fixture.simple(curve: curve, bits: bits, values: values, rng: &rng)
                let proof = try f.prove(&rng)
                XCTAssertEqual(proof.rounds, (bits * f.statement.paddedCount).trailingZeroBitCount)
                try BulletproofsPlus.verify(encoded: proof.encoded(), for: f.statement, generators: f.generators)
            }
        }
    }

    /// Forms with negative, zero and large coefficients, commitments shared
    /// by several forms, negative committed values and constants.
    func testAffineFormsOverSharedCommitments() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "affine-\(curve)")
            let gens = Generators.standard(curve)
            // x₀ = 1000, x₁ = −300 (a short position), x₂ = 0, x₃ = 2¹⁰⁰ (large)
            let big = Scalar(reducing: [1] + [UInt8](repeating: 0, count: 12), curve: curve)   // 2⁹⁶
            let values: [Scalar] = [Scalar(1000, curve: curve), Scalar(-300, curve: curve), .zero(curve), big]
            let openings = values.map { Opening.random(value: $0, using: &rng) }
            let cs = openings.map { Commitment($0, generators: gens) }
            let s = { (v: Int) in Scalar(v, curve: curve) }
            let huge = Scalar(reducing: [UInt8](repeating: 0xab, count: 40), curve: curve)  // ≈ 2³²⁰ mod n
            let forms = [
                // x₀ + x₁ − 700 = 0
                AffineForm(curve: curve, terms: [(0, s(1)), (1, s(1))], constant: s(-700)),
                // 3·x₀ − 2·x₁ = 3600
                AffineForm(curve: curve, terms: [(0, s(3)), (1, s(-2))]),
                // −x₁ = 300  (negative coefficient on a negative value)
                AffineForm(curve: curve, terms: [(1, s(-1))]),
                // huge·x₂ + 5 = 5  (a huge coefficient on a zero value)
                AffineForm(curve: curve, terms: [(2, huge)], constant: s(5)),
                // x₃ − 2⁹⁶ + x₀ = 1000, with a repeated index merged: (0, 1) twice − (0, 1)
                AffineForm(curve: curve, terms: [(3, s(1)), (0, s(1)), (0, s(1)), (0, s(-1))], constant: -big),
                // a constant form: 42
                AffineForm(curve: curve, terms: [], constant: s(42)),
                // 0·x₀ (dropped) + 0
                AffineForm(curve: curve, terms: [(0, .zero(curve))]),
            ]
            XCTAssertEqual(forms[4].terms.map(\.index), [0, 3])
            XCTAssertTrue(forms[6].terms.isEmpty)
            let st = try RangeStatement(curve: curve, bits: 32, commitments: cs, forms: forms, context: Array("ctx".utf8))
            let proof = try BulletproofsPlus.prove(st, openings: openings, generators: gens, using: &rng)
            try BulletproofsPlus.verify(encoded: proof.encoded(), for: st, generators: gens)
        }
    }

    func testProverRefusesFalseStatements() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "refuse-\(curve)")
            let gens = Generators.standard(curve)
            for (bits, value) in [(8, 256), (8, -1), (16, 65536), (64, -5)] {
                let f = Fixture.simple(curve: curve, bits: bits, values: [3, value], rng: &rng)
                XCTAssertThrowsError(try f.prove(&rng)) { XCTAssertEqual($0 as? RangeProofError, .valueOutOfRange(form: 1)) }
            }
            // 2¹²⁸ does not fit 128 bits.
            let o = Opening.random(value: Scalar(reducing: [1] + [UInt8](repeating: 0, count: 16), curve: curve), using: &rng)
            let st = try RangeStatement(curve: curve, bits: 128, commitments: [Commitment(o, generators: gens)],
                                        forms: [.variable(0, curve: curve)], context: [])
            XCTAssertThrowsError(try BulletproofsPlus.prove(st, openings: [o], generators: gens, using: &rng)) {
                XCTAssertEqual($0 as? RangeProofError, .valueOutOfRange(form: 0))
            }
            // Openings that do not open the commitments, or the wrong count.
            let f = Fixture.simple(curve: curve, bits: 8, values: [1, 2], rng: &rng)
            let swapped = [f.openings[1], f.openings[0]]
            XCTAssertThrowsError(try BulletproofsPlus.prove(f.statement, openings: swapped, generators: gens, using: &rng)) {
                XCTAssertEqual($0 as? RangeProofError, .openingMismatch(index: 0))
            }
            XCTAssertThrowsError(try BulletproofsPlus.prove(f.statement, openings: [f.openings[0]], generators: gens, using: &rng)) {
                XCTAssertEqual($0 as? RangeProofError, .openingCount(expected: 2, got: 1))
            }
            // Generators of the other curve.
            let other = Generators.standard(curve == .p256 ? .secp256k1 : .p256)
            XCTAssertThrowsError(try BulletproofsPlus.prove(f.statement, openings: f.openings, generators: other, using: &rng)) {
                XCTAssertEqual($0 as? RangeProofError, .curveMismatch)
            }
        }
    }

    func testStatementValidation() throws {
        let curve = Curve.p256
        var rng = SeededRandom(seed: "statement")
        let c = Commitment(Opening.random(value: .one(curve), using: &rng), generators: .standard(curve))
        for bits in [0, 1, 7, 12, 63, 255, 512] {
            XCTAssertThrowsError(try RangeStatement(curve: curve, bits: bits, commitments: [c], forms: [.variable(0, curve: curve)], context: [])) {
                XCTAssertEqual($0 as? RangeProofError, .unsupportedBitWidth(bits))
            }
        }
        XCTAssertThrowsError(try RangeStatement(curve: curve, bits: 8, commitments: [c], forms: [], context: [])) {
            XCTAssertEqual($0 as? RangeProofError, .emptyStatement)
        }
        XCTAssertThrowsError(try RangeStatement(curve: curve, bits: 8, commitments: [c], forms: [.variable(1, curve: curve)], context: [])) {
            XCTAssertEqual($0 as? RangeProofError, .commitmentIndexOutOfRange(form: 0, index: 1))
        }
        XCTAssertThrowsError(try RangeStatement(curve: .secp256k1, bits: 8, commitments: [c], forms: [.variable(0, curve: .secp256k1)], context: [])) {
            XCTAssertEqual($0 as? RangeProofError, .curveMismatch)
        }
        let many = [AffineForm](repeating: .variable(0, curve: curve), count: 8193)
        XCTAssertThrowsError(try RangeStatement(curve: curve, bits: 128, commitments: [c], forms: many, context: [])) {
            XCTAssertEqual($0 as? RangeProofError, .statementTooLarge(16384 * 128))
        }
    }

    func testBatchVerification() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "batch-\(curve)")
            var items = [(RangeProof, RangeStatement)]()
            // Different statements, widths and sizes in one batch.
            for (bits, values) in [(64, [5]), (8, [1, 2, 3]), (32, [70000, 0]), (16, [9])] {
                let f = Fixture.simple(curve: curve, bits: bits, values: values, context: "b\(items.count)", rng: &rng)
                items.append((try f.prove(&rng), f.statement))
            }
            let gens = Generators.standard(curve)
            try BulletproofsPlus.verifyBatch(items, generators: gens, using: &rng)
            try BulletproofsPlus.verifyBatch([], generators: gens)
            // One bad proof (proof 2 checked against proof 1's statement context).
            var bad = items
            let ctx = bad[2].1
            bad[2].1 = try RangeStatement(curve: curve, bits: ctx.bits, commitments: ctx.commitments, forms: ctx.forms, context: Array("other".utf8))
            XCTAssertThrowsError(try BulletproofsPlus.verifyBatch(bad, generators: gens, using: &rng)) {
                XCTAssertEqual($0 as? RangeProofError, .verificationFailed)
            }
            // The single checks find it.
            let failing = bad.indices.filter { (try? BulletproofsPlus.verify(bad[$0].0, for: bad[$0].1, generators: gens)) == nil }
            XCTAssertEqual(failing, [2])
        }
    }
}
