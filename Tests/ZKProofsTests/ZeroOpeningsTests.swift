import XCTest
import ZKGroup
import ZKTestSupport
@testable import ZKProofs

/// Showing that commitments open to zero (the elements outside an
/// anonymity set), and every way a false or moved showing is refused.
final class ZeroOpeningsTests: XCTestCase {
    func commitments(_ values: [Int], curve: Curve) -> ([Commitment], [Opening]) {
        let g = Generators.standard(curve)
        let openings = values.map { Opening.random(value: Scalar(UInt64($0), curve: curve)) }
        return (openings.map { Commitment($0, generators: g) }, openings)
    }

    func testZeroOpeningsVerifyAndNothingElseDoes() {
        for curve in Curve.allCases {
            let g = Generators.standard(curve)
            let context = Array("bundle, statement, account, epoch, claims".utf8)
            let (cs, os) = commitments([5, 0, 0, 7, 0], curve: curve)
            let zero = [1, 2, 4]
            let rho = ZeroOpenings.prove(context: context, commitments: cs, indices: zero, openings: zero.map { os[$0] })
            XCTAssertTrue(ZeroOpenings.verify(context: context, commitments: cs, indices: zero, rho: rho, generators: g))
            // A nonzero value among the claimed zeros: no ρ works (the honest formula, nor any other tried).
            for bad in [[0, 1], [1, 3], [3]] {
                let forged = ZeroOpenings.prove(context: context, commitments: cs, indices: bad, openings: bad.map { os[$0] })
                XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: cs, indices: bad, rho: forged, generators: g), "\(bad)")
            }
            // Moved to another context, another list, other indices, or tampered.
            XCTAssertFalse(ZeroOpenings.verify(context: context + [0], commitments: cs, indices: zero, rho: rho, generators: g))
            XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: Array(cs.reversed()), indices: zero, rho: rho, generators: g))
            XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: cs, indices: [1, 2], rho: rho, generators: g))
            XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: cs, indices: [2, 1, 4], rho: rho, generators: g))
            XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: cs, indices: [1, 2, 5], rho: rho, generators: g))
            XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: cs, indices: zero, rho: rho + Scalar.one(curve), generators: g))
            XCTAssertTrue(ZeroOpenings.verify(context: context, commitments: cs, indices: [], rho: .zero(curve), generators: g))
            XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: cs, indices: [], rho: .one(curve), generators: g))
        }
    }

    /// The weights depend on every commitment of the list, not only on the
    /// ones claimed zero: changing another one changes every weight.
    func testWeightsBindTheWholeList() {
        let (cs, _) = commitments([1, 0, 2], curve: .p256)
        let w = ZeroOpenings.weights(context: [], commitments: cs, indices: [1], curve: .p256)
        var other = cs
        other[2] = commitments([3], curve: .p256).0[0]
        XCTAssertNotEqual(w, ZeroOpenings.weights(context: [], commitments: other, indices: [1], curve: .p256))
        XCTAssertFalse(w.contains { $0.isZero })
    }
}
