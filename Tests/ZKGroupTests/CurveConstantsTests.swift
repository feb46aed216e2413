import CLibCrypto
import XCTest
import ZKTestSupport
@testable import ZKGroup

/// Ties every constant of `CurveConstants.swift` to an independent source:
/// p, n, a, b and the generator to OpenSSL's curve objects; every derived
/// constant (R mod m, R² mod m, R³ mod m, −m⁻¹ mod 2⁶⁴, m − 2, (m − 1)/2,
/// (m + 1)/4, the SSWU Z) recomputed with GMP. The RFC 9380 suite constants
/// A′, B′ and the isogeny's coefficients are pinned by the RFC's vectors in
/// `HashToCurveTests`; here they are only checked to be reduced.
final class CurveConstantsTests: XCTestCase {
    /// A BIGNUM < 2²⁵⁶.
    static func u256(_ bn: OpaquePointer?) -> U256 {
        var bytes = [UInt8](repeating: 0, count: 32)
        XCTAssertEqual(BN_bn2binpad(bn, &bytes, 32), 32, "BIGNUM wider than 256 bits")
        return U256(bigEndian: bytes)
    }

    // MARK: Against OpenSSL

    func checkAgainstOpenSSL<C: CurveModel>(_: C.Type, file: StaticString = #filePath, line: UInt = #line) throws {
        let group = C.curve.parameters.group
        let p = BN_new(), a = BN_new(), b = BN_new(), gx = BN_new(), gy = BN_new()
        defer { BN_free(p); BN_free(a); BN_free(b); BN_free(gx); BN_free(gy) }
        XCTAssertEqual(EC_GROUP_get_curve(group, p, a, b, nil), 1, file: file, line: line)
        XCTAssertEqual(C.Field.modulus, Self.u256(p), "p", file: file, line: line)
        XCTAssertEqual(C.coefficientA, Self.u256(a), "a", file: file, line: line)
        XCTAssertEqual(C.coefficientB, Self.u256(b), "b", file: file, line: line)
        XCTAssertEqual(C.Order.modulus, Self.u256(EC_GROUP_get0_order(group)), "n", file: file, line: line)
        XCTAssertEqual(Self.u256(EC_GROUP_get0_cofactor(group)), .one, "cofactor", file: file, line: line)
        let g = try XCTUnwrap(EC_GROUP_get0_generator(group), file: file, line: line)
        XCTAssertEqual(EC_POINT_get_affine_coordinates(group, g, gx, gy, nil), 1, file: file, line: line)
        XCTAssertEqual(C.generatorX, Self.u256(gx), "G.x", file: file, line: line)
        XCTAssertEqual(C.generatorY, Self.u256(gy), "G.y", file: file, line: line)

        // What the rest of ZKGroup reads (OpenSSL wrappers, Scalar) is the same.
        let parameters = C.curve.parameters
        XCTAssertEqual(parameters.prime, C.Field.modulus, file: file, line: line)
        XCTAssertEqual(parameters.order, C.Order.modulus, file: file, line: line)
        XCTAssertEqual(parameters.a, C.coefficientA, file: file, line: line)
        XCTAssertEqual(parameters.b, C.coefficientB, file: file, line: line)
        XCTAssertEqual(parameters.gx, C.generatorX, file: file, line: line)
        XCTAssertEqual(parameters.gy, C.generatorY, file: file, line: line)
        XCTAssertEqual(C.curve.primeBytes, C.Field.modulus.bigEndianBytes, file: file, line: line)
        XCTAssertEqual(C.curve.orderBytes, C.Order.modulus.bigEndianBytes, file: file, line: line)

        // The doubling formula's flag matches a.
        let pm = MPZ(C.Field.modulus)
        let minusThree = (MPZ(-3) % pm).u256
        XCTAssertEqual(C.aIsMinusThree, C.coefficientA == minusThree, "aIsMinusThree", file: file, line: line)
        if !C.aIsMinusThree { XCTAssertEqual(C.coefficientA, .zero, "a is −3 or 0", file: file, line: line) }
    }

    func testP256AgainstOpenSSL() throws { try checkAgainstOpenSSL(P256Model.self) }
    func testSecp256k1AgainstOpenSSL() throws { try checkAgainstOpenSSL(Secp256k1Model.self) }

    // MARK: Derived constants, recomputed with GMP

    func checkDerived<M: FieldModulus>(_: M.Type, file: StaticString = #filePath, line: UInt = #line) {
        let m = MPZ(M.modulus)
        let one = MPZ(1), two = MPZ(2)
        // The representation radix: 2²⁵⁶ under Montgomery reduction, 1 under
        // the pseudo-Mersenne fold (whose c must be 2²⁵⁶ − m).
        let r: MPZ
        switch M.reduction {
        case .montgomery: r = MPZ.twoTo(256)
        case .pseudoMersenne(let c):
            r = MPZ(1)
            XCTAssertEqual((MPZ.twoTo(256) - m).u256, U256(c, 0, 0, 0), "\(M.self): c = 2²⁵⁶ − m", file: file, line: line)
            XCTAssertLessThan(c, 1 << 34, "\(M.self): c < 2³⁴", file: file, line: line)
        }
        XCTAssertEqual(M.radixForm, (MPZ.twoTo(256) * r % m).u256, "\(M.self): form of 2²⁵⁶", file: file, line: line)
        XCTAssertEqual(M.modulus.w.0 & 1, 1, "\(M.self): m is odd", file: file, line: line)
        // Fermat's test to base 2 and 3: m is (very probably) prime.
        XCTAssertEqual(two.power(m - one, mod: m).u256, .one, "\(M.self): 2^(m−1) ≡ 1", file: file, line: line)
        XCTAssertEqual(MPZ(3).power(m - one, mod: m).u256, .one, "\(M.self): 3^(m−1) ≡ 1", file: file, line: line)

        XCTAssertEqual(M.rModM, (r % m).u256, "\(M.self): R mod m", file: file, line: line)
        XCTAssertEqual(M.r2ModM, (r * r % m).u256, "\(M.self): R² mod m", file: file, line: line)
        XCTAssertEqual(M.r3ModM, (r * r * r % m).u256, "\(M.self): R³ mod m", file: file, line: line)
        let word = MPZ.twoTo(64)
        let mInverse = m.inverse(mod: word)!
        XCTAssertEqual(M.negatedInverse64, ((word - mInverse) % word).uint64, "\(M.self): −m⁻¹ mod 2⁶⁴", file: file, line: line)
        XCTAssertEqual(M.modulus.w.0 &* M.negatedInverse64, UInt64.max, "\(M.self): m·(−m⁻¹) ≡ −1 mod 2⁶⁴", file: file, line: line)
        XCTAssertEqual(M.inverseExponent, (m - two).u256, "\(M.self): m − 2", file: file, line: line)
        XCTAssertEqual(M.eulerExponent, ((m - one) / two).u256, "\(M.self): (m − 1)/2", file: file, line: line)
    }

    func checkSquareRootExponent<M: SquareRootModulus>(_: M.Type, file: StaticString = #filePath, line: UInt = #line) {
        let m = MPZ(M.modulus)
        XCTAssertEqual((m % MPZ(4)).u256, U256(3, 0, 0, 0), "\(M.self): m ≡ 3 mod 4", file: file, line: line)
        XCTAssertEqual(M.sqrtExponent, ((m + MPZ(1)) / MPZ(4)).u256, "\(M.self): (m + 1)/4", file: file, line: line)
    }

    func testMontgomeryConstants() {
        checkDerived(P256Field.self)
        checkDerived(P256Order.self)
        checkDerived(Secp256k1Field.self)
        checkDerived(Secp256k1Order.self)
        checkSquareRootExponent(P256Field.self)
        checkSquareRootExponent(Secp256k1Field.self)
        // The orders are ≡ 1 mod 4, which is why they have no square roots.
        XCTAssertEqual(P256Order.modulus.w.0 & 3, 1)
        XCTAssertEqual(Secp256k1Order.modulus.w.0 & 3, 1)
    }

    // MARK: RFC 9380 suite constants

    func testHashToCurveConstants() {
        let p256 = MPZ(P256Field.modulus), k1 = MPZ(Secp256k1Field.modulus)
        // §8.2: A = a, B = b, Z = −10.
        XCTAssertEqual(P256Model.sswuA, P256Model.coefficientA)
        XCTAssertEqual(P256Model.sswuB, P256Model.coefficientB)
        XCTAssertEqual(P256Model.sswuZ, (MPZ(-10) % p256).u256)
        XCTAssertNil(P256Model.isogeny)
        // §8.7: B′ = 1771, Z = −11; A′ and the isogeny by the vectors.
        XCTAssertEqual(Secp256k1Model.sswuB, (MPZ(1771) % k1).u256)
        XCTAssertEqual(Secp256k1Model.sswuZ, (MPZ(-11) % k1).u256)
        let k = try? XCTUnwrap(Secp256k1Model.isogeny)
        XCTAssertEqual(k?.xNum.count, 4)
        XCTAssertEqual(k?.xDen.count, 2)
        XCTAssertEqual(k?.yNum.count, 4)
        XCTAssertEqual(k?.yDen.count, 3)
        for c in [Secp256k1Model.sswuA] + (k.map { $0.xNum + $0.xDen + $0.yNum + $0.yDen } ?? []) {
            XCTAssertLessThan(U256.compare(c, Secp256k1Field.modulus), 0, "constant reduced mod p")
        }
        // Z is a non-square in both fields (the map's precondition).
        XCTAssertEqual(MPZ(P256Model.sswuZ).legendre(p256), -1)
        XCTAssertEqual(MPZ(Secp256k1Model.sswuZ).legendre(k1), -1)
    }
}
