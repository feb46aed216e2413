import Foundation
import XCTest
@testable import ZKGroup
import ZKTestSupport

/// Secrets in ZKGroup (issue 6): scalars never print their value, the
/// branch-free scalar arithmetic agrees with an independent reduction, the
/// masked `SecretMSM` agrees with the plain sum, and wiping works.
final class ZKGroupSecretHygieneTests: XCTestCase {
    func testScalarNeverPrintsItsValue() throws {
        for curve in Curve.allCases {
            let s = try Scalar(canonical: XCTUnwrap([UInt8](hex: "1234567890abcdef0fedcba987654321aabbccddeeff00112233445566778899")), curve: curve)
            // Every limb of this value is large, so every one is a form to look for.
            XCTAssertEqual(secretForms(s).count, 8)
            for text in renderings(s) {
                XCTAssertTrue(text.contains("redacted") || !text.contains("value"), text)
                for form in secretForms(s) {
                    XCTAssertFalse(text.contains(form), "the scalar's value (\(form)) appears in: \(text)")
                }
            }
            XCTAssertEqual(Mirror(reflecting: s).children.map(\.label), ["curve"])
        }
    }

    /// a + b, a − b and −a against an independent computation: the exact
    /// integer sum or difference, reduced by `Scalar(reducing:)` (GMP
    /// division), on edge cases and random values of both curves.
    func testBranchFreeAdditionAndSubtractionAgreeWithReduction() throws {
        for curve in Curve.allCases {
            let n = curve.orderBytes
            let nMinus1 = try Scalar(canonical: subtractOne(n), curve: curve)
            var rng = SeededRandom(seed: "branch-free-\(curve)")
            var cases: [Scalar] = [.zero(curve), .one(curve), nMinus1, nMinus1 - .one(curve), Scalar(2, curve: curve)]
            for _ in 0..<40 { cases.append(Scalar.random(curve, using: &rng)) }
            // Values just below n, and values with high bits set.
            cases.append(try Scalar(canonical: subtractOne(subtractOne(n)), curve: curve))
            for a in cases {
                XCTAssertEqual(-a + a, .zero(curve))
                XCTAssertEqual(Scalar.negate(a), Scalar.zero(curve) - a)
                for b in cases.prefix(12) {
                    let sum = Scalar(reducing: [0] + addBytes(a.bytes, b.bytes), curve: curve)
                    XCTAssertEqual(a + b, sum)
                    // a − b = a + (n − b) for b ≠ 0, reduced independently.
                    let difference = b.isZero ? a : Scalar(reducing: [0] + addBytes(a.bytes, subtractBytes(n, b.bytes)), curve: curve)
                    XCTAssertEqual(a - b, difference)
                    XCTAssertEqual((a - b) + b, a)
                }
            }
            XCTAssertEqual(nMinus1 + .one(curve), .zero(curve))
            XCTAssertEqual(Scalar.zero(curve) - .one(curve), nMinus1)
            XCTAssertEqual(-Scalar.zero(curve), .zero(curve))
            XCTAssertEqual(nMinus1 + nMinus1, nMinus1 - .one(curve))
        }
    }

    /// `Scalar(reducing:)` reads any collection in place; a slice with a
    /// nonzero start index and a lazy view give the same result as an array.
    func testReducingReadsAnyCollection() {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "reducing-\(curve)")
            var bytes = [UInt8](repeating: 0, count: 80)
            rng.fill(&bytes)
            let expected = Scalar(reducing: Array(bytes[7..<71]), curve: curve)
            XCTAssertEqual(Scalar(reducing: bytes[7..<71], curve: curve), expected)
            XCTAssertEqual(Scalar(reducing: bytes[7..<71].lazy.map { $0 }, curve: curve), expected)
            XCTAssertEqual(Scalar(reducing: Data(bytes[7..<71]), curve: curve), expected)
            XCTAssertEqual(Scalar(reducing: [UInt8](), curve: curve), .zero(curve))
            XCTAssertEqual(Scalar(reducing: [5], curve: curve), Scalar(5, curve: curve))
        }
    }

    /// The masked sum equals the plain one, for the scalars a prover really
    /// uses: bits 0 and 1, −1, zero, random, repeated and opposite points.
    func testSecretMSMAgreesWithTheReference() {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "secret-msm-\(curve)")
            let points = (0..<6).map { _ in Point.generatorMultiple(Scalar.random(curve, using: &rng)) }
            let one = Scalar.one(curve), zero = Scalar.zero(curve)
            let cases: [[Scalar]] = [
                [zero, zero, zero, zero, zero, zero],
                [one, zero, one, one, zero, zero],
                [-one, zero, -one, zero, zero, -one],
                (0..<6).map { _ in Scalar.random(curve, using: &rng) },
                [Scalar(12345, curve: curve), zero, -one, one, Scalar.random(curve, using: &rng), zero],
            ]
            for scalars in cases {
                XCTAssertEqual(SecretMSM.compute(scalars: scalars, points: points), MSM.reference(scalars: scalars, points: points, curve: curve))
            }
            // Repeated and opposite points, a single term, no term.
            let p = points[0]
            XCTAssertEqual(SecretMSM.compute(scalars: [one, one, one], points: [p, p, -p]), p)
            XCTAssertEqual(SecretMSM.compute(scalars: [one, one], points: [p, -p]), .identity(curve))
            XCTAssertEqual(SecretMSM.compute(scalars: [Scalar(7, curve: curve)], points: [p]), MSM.reference(scalars: [Scalar(7, curve: curve)], points: [p], curve: curve))
            XCTAssertEqual(SecretMSM.compute(scalars: [zero], points: [p]), .identity(curve))
            XCTAssertEqual(SecretMSM.compute(scalars: [Scalar](), points: [Point]()), .identity(.default))
        }
    }

    func testSecureZeroWipesScalarsInPlace() {
        XCTAssertTrue(_isPOD(Scalar.self), "secureZero(_: inout [Scalar]) needs Scalar to be a plain value")
        var rng = SeededRandom(seed: "wipe")
        for curve in Curve.allCases {
            var scalars = (0..<9).map { _ in Scalar.random(curve, using: &rng) }
            secureZero(&scalars)
            XCTAssertEqual(scalars.count, 9)
            XCTAssertTrue(scalars.allSatisfy(\.isZero))
            var one = Scalar.random(curve, using: &rng)
            secureZero(&one)
            XCTAssertTrue(one.isZero)
        }
        var bytes: [UInt8] = [1, 2, 3]
        secureZero(&bytes)
        XCTAssertEqual(bytes, [0, 0, 0])
    }

    /// Blinding factors come from `RAND_priv_bytes`: fresh, nonzero, distinct.
    func testSystemRandomScalarsAreFresh() {
        for curve in Curve.allCases {
            let draws = (0..<64).map { _ in Scalar.random(curve) }
            XCTAssertEqual(Set(draws.map(\.bytes)).count, draws.count)
            XCTAssertFalse(draws.contains(where: \.isZero))
        }
    }

    // MARK: Big-endian byte arithmetic, independent of U256

    private func addBytes(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 33)
        var carry = 0
        for i in stride(from: 31, through: 0, by: -1) {
            let s = Int(a[i]) + Int(b[i]) + carry
            out[i + 1] = UInt8(s & 0xff)
            carry = s >> 8
        }
        out[0] = UInt8(carry)
        return out
    }

    private func subtractBytes(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for i in stride(from: 31, through: 0, by: -1) {
            var d = Int(a[i]) - Int(b[i]) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 256 }
            out[i] = UInt8(d)
        }
        return out
    }

    private func subtractOne(_ a: [UInt8]) -> [UInt8] {
        var one = [UInt8](repeating: 0, count: 32)
        one[31] = 1
        return subtractBytes(a, one)
    }
}
