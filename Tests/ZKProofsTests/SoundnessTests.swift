import XCTest
@testable import ZKGroup
@testable import ZKProofs
import ZKTestSupport

/// A proof must fail for any statement but its own, and for any change to
/// its bytes.
final class SoundnessTests: XCTestCase {
    /// Asserts that `proof` (encoded) is rejected for `statement`, by the
    /// decoder or by the equation.
    func assertRejected(_ bytes: [UInt8], _ statement: RangeStatement, _ gens: Generators, _ what: String,
                        file: StaticString = #filePath, line: UInt = #line) {
        do {
            try BulletproofsPlus.verify(encoded: bytes, for: statement, generators: gens)
            XCTFail("accepted: \(what)", file: file, line: line)
        } catch {}
    }

    func testEveryStatementElementIsBound() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "binding-\(curve)")
            let gens = Generators.standard(curve)
            let s = { (v: Int) in Scalar(v, curve: curve) }
            let openings = [5, 7, 11].map { Opening.random(value: s($0), using: &rng) }
            let cs = openings.map { Commitment($0, generators: gens) }
            let forms = [
                AffineForm(curve: curve, terms: [(0, s(2)), (1, s(1))], constant: s(-3)),   // 14
                AffineForm(curve: curve, terms: [(2, s(1))], constant: s(1)),              // 12
                AffineForm(curve: curve, terms: [(0, s(1))]),                              // 5
            ]
            let context = Array("bundle-digest|account|epoch".utf8)
            let st = try RangeStatement(curve: curve, bits: 16, commitments: cs, forms: forms, context: context)
            let proof = try BulletproofsPlus.prove(st, openings: openings, generators: gens, using: &rng).encoded()
            try BulletproofsPlus.verify(encoded: proof, for: st, generators: gens)

            func variant(_ cs: [Commitment]? = nil, _ forms: [AffineForm]? = nil, bits: Int = 16, context: [UInt8]? = nil) throws -> RangeStatement {
                try RangeStatement(curve: curve, bits: bits, commitments: cs ?? st.commitments, forms: forms ?? st.forms, context: context ?? st.context)
            }
            // One commitment changed (to a commitment of the same value with another blinding, and to another value).
            for j in 0..<3 {
                var other = cs
                other[j] = Commitment(Opening.random(value: openings[j].value, using: &rng), generators: gens)
                assertRejected(proof, try variant(other), gens, "commitment \(j) re-blinded")
                other[j] = cs[j] + Commitment(point: gens.g)
                assertRejected(proof, try variant(other), gens, "commitment \(j) shifted by G")
            }
            // Two commitments swapped.
            assertRejected(proof, try variant([cs[1], cs[0], cs[2]]), gens, "commitments swapped")
            // An extra, unused commitment.
            assertRejected(proof, try variant(cs + [cs[0]]), gens, "extra commitment")
            // One coefficient changed.
            var f = forms
            f[0] = AffineForm(curve: curve, terms: [(0, s(2)), (1, s(2))], constant: s(-3))
            assertRejected(proof, try variant(nil, f), gens, "coefficient changed")
            f = forms
            f[0] = AffineForm(curve: curve, terms: [(0, s(2)), (2, s(1))], constant: s(-3))
            assertRejected(proof, try variant(nil, f), gens, "coefficient moved to another commitment")
            // One constant changed.
            f = forms
            f[1] = AffineForm(curve: curve, terms: [(2, s(1))], constant: s(2))
            assertRejected(proof, try variant(nil, f), gens, "constant changed")
            // Forms reordered, one dropped, one added (m changes).
            assertRejected(proof, try variant(nil, [forms[1], forms[0], forms[2]]), gens, "forms reordered")
            assertRejected(proof, try variant(nil, Array(forms.prefix(2))), gens, "form dropped (m = 2)")
            assertRejected(proof, try variant(nil, forms + [forms[2]]), gens, "form added (m = 4, same padding)")
            // n changed: 8 and 32 bits.
            assertRejected(proof, try variant(bits: 8), gens, "n = 8")
            assertRejected(proof, try variant(bits: 32), gens, "n = 32")
            // Every context byte flipped, a byte appended, the context emptied.
            for i in context.indices {
                var c = context
                c[i] ^= 0x01
                assertRejected(proof, try variant(context: c), gens, "context byte \(i)")
            }
            assertRejected(proof, try variant(context: context + [0]), gens, "context extended")
            assertRejected(proof, try variant(context: []), gens, "context empty")
            // Another curve's generators.
            let other = Generators.standard(curve == .p256 ? .secp256k1 : .p256)
            XCTAssertThrowsError(try BulletproofsPlus.verify(encoded: proof, for: st, generators: other))
        }
    }

    /// Flipping any single byte of an encoded proof makes it fail: one proof
    /// per bit width up to 128 on P-256, the 8-bit one on secp256k1, and
    /// mixed widths on both.
    func testEverySingleByteFlipIsRejected() throws {
        let cases: [(Curve, Int, [Int]?)] = [(.p256, 8, nil), (.p256, 16, nil), (.p256, 32, nil), (.p256, 64, nil), (.p256, 128, nil),
                                             (.secp256k1, 8, nil), (.p256, 16, [2, 13]), (.secp256k1, 8, [5, 3])]
        for (curve, n, widths) in cases {
            var rng = SeededRandom(seed: "flips-\(curve)-\(n)" + (widths.map { "-\($0)" } ?? ""))
            let f = Fixture.simple(curve: curve, bits: n, widths: widths, values: [1, 2], rng: &rng)
            let proof = try f.prove(&rng).encoded()
            try BulletproofsPlus.verify(encoded: proof, for: f.statement, generators: f.generators)
            var rejected = 0
            for i in proof.indices {
                var bad = proof
                bad[i] ^= UInt8(1 << (i % 8))
                assertRejected(bad, f.statement, f.generators, "\(curve) n=\(n) byte \(i)")
                rejected += 1
            }
            XCTAssertEqual(rejected, proof.count)
        }
    }
}
