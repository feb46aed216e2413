import Foundation
import XCTest
@testable import ZKGroup
import ZKTestSupport

/// Known answers from `Vectors/scalar/` (plain Python integers, see
/// Vectors/encoding/generate.py) and algebraic properties on both curves.
final class ScalarTests: XCTestCase {
    func scalar(_ hex: String, _ curve: Curve) throws -> Scalar {
        try Scalar(canonical: XCTUnwrap([UInt8](hex: hex)), curve: curve)
    }

    func testKnownAnswers() throws {
        for curve in Curve.allCases {
            let json = try XCTUnwrap(Repository.forTests.vectorObject("scalar/\(curve.rawValue).json"))
            XCTAssertEqual(json["order"] as? String, curve.orderBytes.hexString)
            let cases = try XCTUnwrap(json["arithmetic"] as? [[String: Any]])
            XCTAssertGreaterThan(cases.count, 10)
            for c in cases {
                let a = try scalar(c["a"] as! String, curve), b = try scalar(c["b"] as! String, curve)
                XCTAssertEqual((a + b).bytes.hexString, c["sum"] as? String)
                XCTAssertEqual((a - b).bytes.hexString, c["difference"] as? String)
                XCTAssertEqual((a * b).bytes.hexString, c["product"] as? String)
                XCTAssertEqual((-a).bytes.hexString, c["a_negated"] as? String)
                if let inv = c["a_inverse"] as? String {
                    XCTAssertEqual(a.inverse()?.bytes.hexString, inv)
                } else {
                    XCTAssertNil(a.inverse())
                }
            }
            let wide = try XCTUnwrap(json["wide_reduction"] as? [[String: String]])
            for w in wide {
                let s = Scalar(reducing: try XCTUnwrap([UInt8](hex: w["wide"]!)), curve: curve)
                XCTAssertEqual(s.bytes.hexString, w["reduced"])
            }
        }
    }

    func testSmallIntegersAndNegatives() {
        for curve in Curve.allCases {
            XCTAssertEqual(Scalar(-1, curve: curve) + .one(curve), .zero(curve))
            XCTAssertEqual(Scalar(-7, curve: curve), -Scalar(7, curve: curve))
            XCTAssertEqual(Scalar(6, curve: curve) * Scalar(7, curve: curve), Scalar(42, curve: curve))
            XCTAssertEqual(Scalar(Int.min, curve: curve), -Scalar(UInt64(1) << 63, curve: curve))
            XCTAssertEqual(Scalar(3, curve: curve).power(5), Scalar(243, curve: curve))
            XCTAssertEqual(Scalar(2, curve: curve).powers(count: 4), [1, 2, 4, 8].map { Scalar($0, curve: curve) })
            XCTAssertEqual(Scalar(reducing: curve.orderBytes, curve: curve), .zero(curve))
            XCTAssertEqual(Scalar(reducing: [0x01], curve: curve), .one(curve))
            XCTAssertEqual(Scalar(reducing: [], curve: curve), .zero(curve))
        }
    }

    func testBatchInversionMatchesSingleInversions() {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "batch-inverse-\(curve)")
            for count in [0, 1, 2, 3, 17, 64] {
                let xs = (0..<count).map { _ in Scalar.random(curve, using: &rng) }
                let batch = Scalar.batchInverse(xs)
                XCTAssertEqual(batch, xs.map { $0.inverse()! })
                for (x, inv) in zip(xs, batch ?? []) { XCTAssertEqual(x * inv, .one(curve)) }
            }
            XCTAssertNil(Scalar.batchInverse([.one(curve), .zero(curve)]))
        }
    }

    func testFieldAxiomsOnRandomScalars() {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "axioms-\(curve)")
            for _ in 0..<200 {
                let a = Scalar.random(curve, using: &rng), b = Scalar.random(curve, using: &rng), c = Scalar.random(curve, using: &rng)
                XCTAssertEqual(a * (b + c), a * b + a * c)
                XCTAssertEqual((a - b) + b, a)
                XCTAssertEqual(a + (-a), .zero(curve))
                XCTAssertEqual(a * a.inverse()!, .one(curve))
                XCTAssertEqual(try Scalar(canonical: a.bytes, curve: curve), a)
            }
        }
    }

    /// Products, inverses and reductions of byte strings of every length
    /// from 0 to 100 agree with GMP's exact integers mod n, on random and
    /// edge values (0, 1, 2, n − 1, n − 2, 2²⁵⁵, values with all limbs full).
    func testArithmeticAgreesWithGMP() {
        for curve in Curve.allCases {
            let n = MPZ(curve.parameters.order)
            var rng = SeededRandom(seed: "scalar-gmp-\(curve)")
            var edges: [Scalar] = [.zero(curve), .one(curve), Scalar(2, curve: curve), Scalar(-1, curve: curve), Scalar(-2, curve: curve),
                                   Scalar(reducing: [0x80] + [UInt8](repeating: 0, count: 31), curve: curve),
                                   Scalar(reducing: [UInt8](repeating: 0xff, count: 32), curve: curve)]
            edges += (0..<40).map { _ in Scalar.random(curve, using: &rng) }
            for a in edges {
                for b in edges.prefix(12) {
                    XCTAssertEqual((a * b).value, (MPZ(a.value) * MPZ(b.value) % n).u256, "\(curve) product")
                }
                if a.isZero {
                    XCTAssertNil(a.inverse())
                } else {
                    XCTAssertEqual(a.inverse()?.value, MPZ(a.value).inverse(mod: n)?.u256, "\(curve) inverse")
                }
            }
            for length in 0...100 {
                for fill in [nil, UInt8(0xff)] {
                    var bytes = [UInt8](repeating: fill ?? 0, count: length)
                    if fill == nil { rng.fill(&bytes) }
                    XCTAssertEqual(Scalar(reducing: bytes, curve: curve).value, (MPZ(bigEndian: bytes) % n).u256, "\(curve) reducing \(length) bytes")
                    // The generic entry point (any collection) agrees with the array one.
                    XCTAssertEqual(Scalar(reducing: bytes[...], curve: curve), Scalar(reducing: bytes, curve: curve))
                }
            }
        }
    }

    func testRandomScalarsAreNonzeroAndDistinct() {
        for curve in Curve.allCases {
            let xs = (0..<64).map { _ in Scalar.random(curve) }
            XCTAssertFalse(xs.contains { $0.isZero })
            XCTAssertEqual(Set(xs).count, xs.count)
        }
    }

    func testSeededRandomIsDeterministic() {
        var a = SeededRandom(seed: "x"), b = SeededRandom(seed: "x"), c = SeededRandom(seed: "y")
        XCTAssertEqual(Scalar.random(.p256, using: &a), Scalar.random(.p256, using: &b))
        XCTAssertNotEqual(Scalar.random(.p256, using: &a), Scalar.random(.p256, using: &c))
    }

    func testDescriptionNeverShowsTheValue() {
        let s = Scalar(123456789, curve: .p256)
        XCTAssertFalse(s.description.contains("75bcd15"))
        XCTAssertFalse("\(s)".contains("123456789"))
        XCTAssertTrue(s.description.contains("redacted"))
    }
}
