import Foundation
import XCTest
@testable import ZKGroup
import ZKTestSupport

/// Encoding known answers and negative vectors from `Vectors/encoding/`,
/// and the group law against OpenSSL on both curves.
final class PointTests: XCTestCase {
    func load(_ curve: Curve) throws -> [String: Any] {
        try XCTUnwrap(Repository.forTests.vectorObject("encoding/\(curve.rawValue).json"))
    }

    func caseName(_ e: GroupError) -> String { e.code }

    func testValidPointsDecodeAndMatchScalarMultiples() throws {
        for curve in Curve.allCases {
            let valid = try XCTUnwrap(load(curve)["valid_points"] as? [[String: String]])
            XCTAssertGreaterThanOrEqual(valid.count, 5)
            for v in valid {
                let bytes = try XCTUnwrap([UInt8](hex: v["compressed"]!))
                let p = try Point(compressed: bytes, curve: curve)
                XCTAssertEqual(try p.compressed(), bytes)
                let k = try Scalar(canonical: XCTUnwrap([UInt8](hex: v["k"]!)), curve: curve)
                XCTAssertEqual(Point.generatorMultiple(k), p)
                XCTAssertEqual(Point.generator(curve).multiplied(by: k), p)
            }
        }
    }

    func testEveryInvalidPointIsRejectedWithItsError() throws {
        for curve in Curve.allCases {
            let invalid = try XCTUnwrap(load(curve)["invalid_points"] as? [[String: String]])
            XCTAssertGreaterThanOrEqual(invalid.count, 12)
            for v in invalid {
                let bytes = try XCTUnwrap([UInt8](hex: v["hex"]!), v["case"]!)
                do {
                    _ = try Point(compressed: bytes, curve: curve)
                    XCTFail("\(curve) accepted invalid point: \(v["case"]!)")
                } catch {
                    XCTAssertEqual(caseName(error), v["error"], "\(curve): \(v["case"]!)")
                }
            }
        }
    }

    func testEveryInvalidScalarIsRejectedWithItsError() throws {
        for curve in Curve.allCases {
            let json = try load(curve)
            for hex in try XCTUnwrap(json["valid_scalars"] as? [String]) {
                let s = try Scalar(canonical: XCTUnwrap([UInt8](hex: hex)), curve: curve)
                XCTAssertEqual(s.bytes.hexString, hex)
            }
            let invalid = try XCTUnwrap(json["invalid_scalars"] as? [[String: String]])
            for v in invalid {
                let bytes = try XCTUnwrap([UInt8](hex: v["hex"]!))
                do {
                    _ = try Scalar(canonical: bytes, curve: curve)
                    XCTFail("\(curve) accepted invalid scalar: \(v["case"]!)")
                } catch {
                    XCTAssertEqual(caseName(error), v["error"], "\(curve): \(v["case"]!)")
                }
            }
        }
    }

    func testIdentityHasNoEncoding() {
        for curve in Curve.allCases {
            let o = Point.identity(curve)
            XCTAssertTrue(o.isIdentity)
            XCTAssertThrowsError(try o.compressed()) { XCTAssertEqual($0 as? GroupError, .identityPoint) }
            let g = Point.generator(curve)
            XCTAssertTrue((g - g).isIdentity)
            XCTAssertEqual(g + o, g)
            XCTAssertTrue(Point.generatorMultiple(.zero(curve)).isIdentity)
        }
    }

    func testGroupLawAndRoundTrips() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "group-law-\(curve)")
            let g = Point.generator(curve)
            for _ in 0..<20 {
                let a = Scalar.random(curve, using: &rng), b = Scalar.random(curve, using: &rng)
                let pa = Point.generatorMultiple(a), pb = Point.generatorMultiple(b)
                XCTAssertEqual(pa + pb, Point.generatorMultiple(a + b))
                XCTAssertEqual(pa - pb, Point.generatorMultiple(a - b))
                XCTAssertEqual(-pa, Point.generatorMultiple(-a))
                XCTAssertEqual(pa.doubled(), pa + pa)
                XCTAssertEqual(pa.multiplied(by: b), Point.generatorMultiple(a * b))
                XCTAssertEqual(g.multiplied(by: a), pa)
                let enc = try pa.compressed()
                XCTAssertEqual(enc.count, 33)
                XCTAssertEqual(try Point(compressed: enc, curve: curve), pa)
                XCTAssertEqual(Point(affineX: pa.affineCoordinates!.x, y: pa.affineCoordinates!.y, curve: curve), pa)
            }
            // n−1 times G is −G.
            XCTAssertEqual(Point.generatorMultiple(-Scalar.one(curve)), -g)
        }
    }

    func testPointsDoNotDecodeOnTheOtherCurve() throws {
        // secp256k1's generator x has no point on P-256 or vice versa in
        // general; at least the encodings must not decode to equal points.
        let k1 = try Point.generator(.secp256k1).compressed()
        if let p = try? Point(compressed: k1, curve: .p256) {
            XCTAssertNotEqual(try p.compressed(), try Point.generator(.p256).compressed())
        }
        XCTAssertNil(Point(affineX: U256.zero, y: U256.zero, curve: .p256))
    }

    func testCurveNames() {
        XCTAssertEqual(Curve(name: "p256"), .p256)
        XCTAssertEqual(Curve(name: "P-256"), .p256)
        XCTAssertEqual(Curve(name: "secp256k1"), .secp256k1)
        XCTAssertNil(Curve(name: "ed25519"))
        XCTAssertEqual(Curve.default, .p256)
    }
}
