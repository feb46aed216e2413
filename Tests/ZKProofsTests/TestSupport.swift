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

    static func simple(curve: Curve, bits: Int, values: [Int], context: String = "test", rng: inout SeededRandom) -> Fixture {
        let gens = Generators.standard(curve)
        let openings = values.map { Opening.random(value: Scalar($0, curve: curve), using: &rng) }
        let commitments = openings.map { Commitment($0, generators: gens) }
        let forms = values.indices.map { AffineForm.variable($0, curve: curve) }
        let statement = try! RangeStatement(curve: curve, bits: bits, commitments: commitments, forms: forms, context: Array(context.utf8))
        return Fixture(statement: statement, openings: openings, generators: gens)
    }

    func prove(_ rng: inout SeededRandom) throws -> RangeProof {
        try BulletproofsPlus.prove(statement, openings: openings, generators: generators, using: &rng)
    }
}
