import XCTest
@testable import ZKGroup
@testable import ZKProofs

final class BulletproofsPlusTests: XCTestCase {
    func testSingleValueRoundTrip() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "single-\(curve)")
            let f = Fixture.simple(curve: curve, bits: 64, values: [123456789], rng: &rng)
            let proof = try f.prove(&rng)
            XCTAssertEqual(proof.encoded().count, 591)
            try BulletproofsPlus.verify(proof, for: f.statement, generators: f.generators)
            try BulletproofsPlus.verify(encoded: proof.encoded(), for: f.statement, generators: f.generators)
        }
    }
}
