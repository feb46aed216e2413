import Foundation
import XCTest
@testable import ZKGroup
@testable import ZKProofs
import ZKTestSupport

/// `ZKMARGIN_WRITE_VECTORS=1`: the known-answer tests rewrite their vector
/// files from what the code computes before comparing (then review the diff).
var regeneratingVectors: Bool { ProcessInfo.processInfo.environment["ZKMARGIN_WRITE_VECTORS"] == "1" }

/// Writes `Vectors/<relative>` as the committed vector files are formatted:
/// pretty-printed, keys sorted, a final newline.
func writeVector(_ relative: String, _ object: [String: Any]) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    try (data + [0x0a]).write(to: Repository.forTests.url("Vectors/\(relative)"))
}

/// A statement with one commitment per value and the forms xⱼ, plus its openings.
struct Fixture {
    let statement: RangeStatement
    let openings: [Opening]
    let generators: Generators

    /// `widths` nil: every width is n (the initializer without widths).
    static func simple(curve: Curve, bits: Int, widths: [Int]? = nil, values: [Int], context: String = "test", rng: inout SeededRandom) -> Fixture {
        scalars(curve: curve, bits: bits, widths: widths, values: values.map { Scalar($0, curve: curve) }, context: context, rng: &rng)
    }

    /// `simple` with the values given as scalars (values beyond Int).
    static func scalars(curve: Curve, bits: Int, widths: [Int]? = nil, values: [Scalar], context: String = "test", rng: inout SeededRandom) -> Fixture {
        let gens = Generators.standard(curve)
        let openings = values.map { Opening.random(value: $0, using: &rng) }
        let commitments = openings.map { Commitment($0, generators: gens) }
        let forms = values.indices.map { AffineForm.variable($0, curve: curve) }
        let statement = widths.map {
            try! RangeStatement(curve: curve, bits: bits, widths: $0, commitments: commitments, forms: forms, context: Array(context.utf8))
        } ?? (try! RangeStatement(curve: curve, bits: bits, commitments: commitments, forms: forms, context: Array(context.utf8)))
        return Fixture(statement: statement, openings: openings, generators: gens)
    }

    /// The same commitments, forms and context with other widths.
    func with(widths: [Int]) throws -> RangeStatement {
        try RangeStatement(curve: statement.curve, bits: statement.bits, widths: widths, commitments: statement.commitments,
                           forms: statement.forms, context: statement.context)
    }

    func prove(_ rng: inout SeededRandom) throws -> RangeProof {
        try BulletproofsPlus.prove(statement, openings: openings, generators: generators, using: &rng)
    }
}

extension Scalar {
    /// 2ᵉ + k mod the group order (e ≤ 256; k may be negative).
    static func powerOfTwo(_ e: Int, plus k: Int = 0, curve: Curve) -> Scalar {
        Scalar(2, curve: curve).power(UInt64(e)) + Scalar(k, curve: curve)
    }
}

/// A dishonest prover made of the honest prover's pieces: the transcript of
/// `statement` (its widths), a_L the bits of each form's value up to
/// `bitWidths` (padding bits set beyond the statement's width when wider),
/// d built from `dWidths`, and no range check. Widths are per real form;
/// padding forms get n.
func dishonestProof(_ statement: RangeStatement, openings: [Opening], generators: Generators,
                    bitWidths: [Int], dWidths: [Int], using rng: inout SeededRandom) -> RangeProof {
    let curve = statement.curve
    let m = statement.paddedCount
    let pad = [Int](repeating: statement.bits, count: m - statement.forms.count)
    let values = openings.map(\.value), blindings = openings.map(\.blinding)
    var v = [Scalar](repeating: .zero(curve), count: m), gamma = v
    for (k, form) in statement.forms.enumerated() {
        v[k] = form.evaluate(values)
        gamma[k] = form.combinedBlinding(blindings)
    }
    let (aL, aR) = BulletproofsPlus.bitVectors(v, widths: bitWidths + pad, n: statement.bits)
    return BulletproofsPlus.prove(statement, aL: aL, aR: aR, gamma: gamma, widths: dWidths + pad, generators: generators, using: &rng)
}
