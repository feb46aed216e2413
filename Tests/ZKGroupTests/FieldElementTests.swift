import XCTest
import ZKTestSupport
@testable import ZKGroup

/// The generic Montgomery arithmetic `FieldElement<M>` against GMP, for the
/// four moduli it is instantiated with: the base-field primes p and the group
/// orders n of P-256 and secp256k1. Edge values (0, 1, m − 1, carry
/// patterns) and seeded random values; every operation and conversion.
final class FieldElementTests: XCTestCase {
    static let randomCount = 100

    static func values<M: FieldModulus>(_: M.Type, seed: String) -> [U256] {
        var rng = SeededRandom(seed: seed)
        var values = TestValues.edges(below: M.modulus)
        for _ in 0..<randomCount { values.append(TestValues.random(below: M.modulus, &rng)) }
        return values
    }

    /// Ring operations, conversions, inversion and is_square for any modulus.
    func checkArithmetic<M: FieldModulus>(_: M.Type, seed: String, file: StaticString = #filePath, line: UInt = #line) {
        typealias F = FieldElement<M>
        let m = M.modulus
        let ref = GMPModular(m)
        // R: 2²⁵⁶ under Montgomery reduction, 1 under the pseudo-Mersenne fold.
        let radix: MPZ
        switch M.reduction {
        case .montgomery: radix = MPZ.twoTo(256)
        case .pseudoMersenne: radix = MPZ(1)
        }
        let rModM = radix % MPZ(m)
        let values = Self.values(M.self, seed: seed)

        XCTAssertEqual(F.one.canonical, .one, file: file, line: line)
        XCTAssertEqual(F.one.montgomery, rModM.u256, "one is R mod m (its stored form)", file: file, line: line)
        XCTAssertEqual(F(U256.one), F.one, file: file, line: line)
        XCTAssertEqual(F.zero.canonical, .zero, file: file, line: line)
        XCTAssertTrue(F.zero.inverse.isZero, "inv0(0) = 0", file: file, line: line)
        XCTAssertTrue(F.zero.inverseVariableTime.isZero, file: file, line: line)
        XCTAssertTrue(F.zero.isSquare, "0 is a square (RFC 9380 is_square)", file: file, line: line)

        for (i, a) in values.enumerated() {
            let b = values[(i * 7 + 3) % values.count]
            let fa = F(a), fb = F(b)
            let label = "\(M.self) value \(i)"
            // Conversions: Montgomery form a·R mod m, and back.
            XCTAssertEqual(fa.montgomery, ref.mul(a, rModM.u256), "Montgomery form, \(label)", file: file, line: line)
            XCTAssertEqual(fa.canonical, a, "round trip, \(label)", file: file, line: line)
            XCTAssertEqual(fa.bigEndianBytes, a.bigEndianBytes, "bytes, \(label)", file: file, line: line)
            XCTAssertEqual(F(montgomery: fa.montgomery), fa, file: file, line: line)
            XCTAssertEqual(fa.isOdd, a.w.0 & 1 == 1, "parity, \(label)", file: file, line: line)
            XCTAssertEqual(fa.isZero, a.isZero, file: file, line: line)
            // Ring operations.
            XCTAssertEqual((fa + fb).canonical, ref.add(a, b), "add, \(label)", file: file, line: line)
            XCTAssertEqual((fa - fb).canonical, ref.sub(a, b), "sub, \(label)", file: file, line: line)
            XCTAssertEqual((-fa).canonical, ref.sub(.zero, a), "neg, \(label)", file: file, line: line)
            XCTAssertEqual(fa.doubled.canonical, ref.add(a, a), "double, \(label)", file: file, line: line)
            XCTAssertEqual((fa * fb).canonical, ref.mul(a, b), "mul, \(label)", file: file, line: line)
            XCTAssertEqual(fa.squared.canonical, ref.mul(a, a), "square, \(label)", file: file, line: line)
            XCTAssertEqual(fa.squared(times: 3).canonical, ref.power(a, U256(8, 0, 0, 0)), "a^8, \(label)", file: file, line: line)
            XCTAssertEqual(fa == fb, a == b, file: file, line: line)
            // Inversion and squares.
            if let inv = ref.inverse(a) {
                XCTAssertEqual(fa.inverse.canonical, inv, "Fermat inverse, \(label)", file: file, line: line)
                XCTAssertEqual(fa.inverseVariableTime.canonical, inv, "GMP inverse, \(label)", file: file, line: line)
            }
            XCTAssertEqual(fa.isSquare, ref.isSquare(a), "is_square, \(label)", file: file, line: line)
            XCTAssertTrue(fa.squared.isSquare, "a² is a square, \(label)", file: file, line: line)
        }

        // Exponentiation: power against GMP, for random exponents and the
        // modulus's own exponent constants.
        var rng = SeededRandom(seed: seed + "-exponents")
        for a in values.prefix(12) {
            let e = TestValues.random(below: U256(~0, ~0, ~0, ~0), &rng)
            XCTAssertEqual(F(a).power(e).canonical, ref.power(a, e), "power", file: file, line: line)
            XCTAssertEqual(M.fermatInverse(F(a)), F(a).power(M.inverseExponent), "fermatInverse", file: file, line: line)
        }
        XCTAssertEqual(F(U256(5, 0, 0, 0)).power(.zero), F.one, file: file, line: line)

        // Batch inversion.
        let nonzero = values.filter { !$0.isZero }.map { F($0) }
        let inverted = F.batchInverted(nonzero)
        for (x, y) in zip(nonzero, inverted) { XCTAssertEqual(x * y, F.one, file: file, line: line) }
        XCTAssertEqual(F.batchInverted([]), [], file: file, line: line)
    }

    /// Square roots, for the moduli ≡ 3 (mod 4).
    func checkSquareRoots<M: SquareRootModulus>(_: M.Type, seed: String, file: StaticString = #filePath, line: UInt = #line) {
        typealias F = FieldElement<M>
        let ref = GMPModular(M.modulus)
        for a in Self.values(M.self, seed: seed) {
            let fa = F(a)
            XCTAssertEqual(fa.squareRoot != nil, ref.isSquare(a), "sqrt exists iff a is a square", file: file, line: line)
            if let r = fa.squareRoot { XCTAssertEqual(r.squared, fa, "sqrt squares back", file: file, line: line) }
            XCTAssertEqual(fa.squared.squareRoot.map { $0 == fa || $0 == -fa }, true, "sqrt of a square", file: file, line: line)
            XCTAssertEqual(M.sqrtCandidate(fa), fa.power(M.sqrtExponent), "sqrtCandidate", file: file, line: line)
        }
        XCTAssertNil((-F.one).squareRoot, "−1 is not a square when m ≡ 3 mod 4", file: file, line: line)
        XCTAssertFalse((-F.one).isSquare, file: file, line: line)
        XCTAssertEqual(F.zero.squareRoot, F.zero, file: file, line: line)
    }

    func testP256Field() {
        checkArithmetic(P256Field.self, seed: "field-p256")
        checkSquareRoots(P256Field.self, seed: "field-p256")
    }

    func testSecp256k1Field() {
        checkArithmetic(Secp256k1Field.self, seed: "field-k1")
        checkSquareRoots(Secp256k1Field.self, seed: "field-k1")
    }

    func testP256Order() {
        checkArithmetic(P256Order.self, seed: "order-p256")
        // n ≡ 1 (mod 4): −1 is a square mod n.
        XCTAssertTrue((-FieldElement<P256Order>.one).isSquare)
    }

    func testSecp256k1Order() {
        checkArithmetic(Secp256k1Order.self, seed: "order-k1")
        XCTAssertTrue((-FieldElement<Secp256k1Order>.one).isSquare)
    }

    // MARK: Conversions of unreduced input

    /// `init(_:)` reduces any 256-bit value, and `init(reducing:)` any byte
    /// string (RFC 9380 hash_to_field's 48-byte strings among them).
    func checkReduction<M: FieldModulus>(_: M.Type, seed: String, file: StaticString = #filePath, line: UInt = #line) {
        typealias F = FieldElement<M>
        let ref = GMPModular(M.modulus)
        var rng = SeededRandom(seed: seed)
        // Values at and above m, up to 2²⁵⁶ − 1.
        let above = [M.modulus, U256.add(M.modulus, .one).0, U256(~0, ~0, ~0, ~0)]
            + (0..<20).map { _ in TestValues.random(below: U256(~0, ~0, ~0, ~0), &rng) }
        for x in above {
            XCTAssertEqual(F(x).canonical, ref.reduce(x), "F(x) for x ≥ m", file: file, line: line)
        }
        for length in [0, 1, 8, 16, 31, 32, 33, 47, 48, 63, 64, 65, 96, 100] {
            var bytes = [UInt8](repeating: 0, count: length)
            for pattern in 0..<4 {
                switch pattern {
                case 0: rng.fill(&bytes)
                case 1: bytes = [UInt8](repeating: 0xff, count: length)
                case 2: bytes = [UInt8](repeating: 0, count: length)
                default: if length > 0 { bytes = [UInt8](repeating: 0, count: length); bytes[0] = 1 }
                }
                XCTAssertEqual(F(reducing: bytes).canonical, ref.reduce(bigEndian: bytes),
                               "\(M.self) reducing \(length) bytes, pattern \(pattern)", file: file, line: line)
                // Any Collection: a slice with a nonzero start index.
                let padded = [0x42] + bytes
                XCTAssertEqual(F(reducing: padded[1...]), F(reducing: bytes), file: file, line: line)
            }
        }
    }

    /// Values at and above m, and products whose 512-bit value is largest
    /// (the pseudo-Mersenne fold's carries: (m − 1)², (2²⁵⁶ − 1)·(m − 1)),
    /// against GMP for every modulus.
    func checkExtremes<M: FieldModulus>(_: M.Type, file: StaticString = #filePath, line: UInt = #line) {
        typealias F = FieldElement<M>
        let m = M.modulus, ref = GMPModular(m)
        let top = U256(~0, ~0, ~0, ~0)
        let large = [top, m, U256.add(m, .one).0, U256.sub(top, U256(0x1000003d1, 0, 0, 0)).0, U256(0, 0, 0, 1 << 63)]
        for x in large { XCTAssertEqual(F(x).canonical, ref.reduce(x), "F(\(x.bigEndianBytes)) mod m", file: file, line: line) }
        let mMinus1 = U256.sub(m, .one).0
        let factors = [mMinus1, U256.sub(m, U256(2, 0, 0, 0)).0, U256(0, 0, 0, 1 << 63), U256(~0, ~0, 0, 0)].map { ref.reduce($0) }
        for a in factors {
            for b in factors {
                XCTAssertEqual((F(a) * F(b)).canonical, ref.mul(a, b), "product", file: file, line: line)
                XCTAssertEqual(F(a).squared.canonical, ref.mul(a, a), "square", file: file, line: line)
            }
            // An unreduced first factor (the stored form may be any 256-bit value there).
            let product = (F(montgomery: top) * F(a)).canonical
            XCTAssertEqual(product, (F(montgomery: ref.reduce(top)) * F(a)).canonical, "unreduced first factor", file: file, line: line)
        }
    }

    func testExtremeValuesAndProducts() {
        checkExtremes(P256Field.self)
        checkExtremes(Secp256k1Field.self)
        checkExtremes(P256Order.self)
        checkExtremes(Secp256k1Order.self)
    }

    func testReductionOfWideValues() {
        checkReduction(P256Field.self, seed: "reduce-p256")
        checkReduction(Secp256k1Field.self, seed: "reduce-k1")
        checkReduction(P256Order.self, seed: "reduce-n-p256")
        checkReduction(Secp256k1Order.self, seed: "reduce-n-k1")
    }
}
