import XCTest
@testable import ZKGroup
import ZKTestSupport

/// secp256k1's endomorphism and the prover's generator fold: the GLV
/// constants against each other and OpenSSL, the scalar split against GMP,
/// and `foldPairs` (pure Swift, and the entry point on either backend)
/// against OpenSSL's own k·P.
final class FoldTests: XCTestCase {
    typealias K = Secp256k1Model

    func testEndomorphismConstantsAreCubeRootsAndMatchOpenSSL() throws {
        let endo = try XCTUnwrap(K.endomorphism)
        let p = GMPModular(K.Field.modulus), n = GMPModular(K.Order.modulus)
        // β and λ are nontrivial cube roots of unity.
        XCTAssertEqual(p.mul(p.mul(endo.beta, endo.beta), endo.beta), .one)
        XCTAssertEqual(n.mul(n.mul(endo.lambda, endo.lambda), endo.lambda), .one)
        XCTAssertFalse(endo.beta == .one)
        XCTAssertFalse(endo.lambda == .one)
        // φ(P) = (β·x, y) is λ·P, for G and another point (OpenSSL's k·P).
        var rng = SeededRandom(seed: "glv-points")
        for point in [Point.generator(.secp256k1)] + MSMTests.randomPoints(.secp256k1, count: 2, &rng) {
            let a = try XCTUnwrap(AffineMontgomeryHelper.affine(point, as: K.self))
            let image = Affine<K>(x: a.x * FieldElement(endo.beta), y: a.y)
            XCTAssertEqual(image.point, point.multiplied(by: Scalar(unchecked: endo.lambda, curve: .secp256k1)))
        }
        // The lattice constants: −b₁·λ and −b₂·λ are small mod n (the
        // basis vectors (a, b) satisfy a + b·λ ≡ 0).
        XCTAssertNil(P256Model.endomorphism)
    }

    func testSplitRecombinesAndIsShort() throws {
        let endo = try XCTUnwrap(K.endomorphism)
        let n = GMPModular(K.Order.modulus)
        var rng = SeededRandom(seed: "glv-split")
        var values = TestValues.edges(below: K.Order.modulus) + [endo.lambda, n.sub(.zero, endo.lambda),
                                                                  U256.sub(K.Order.modulus, .one).0,
                                                                  U256(0, 0, 1, 0), U256(~0, ~0, 0, 0)]
        let half = U256(hex: 0x7fffffffffffffff, 0xffffffffffffffff, 0x5d576e7357a4501d, 0xdfe92f46681b20a0)
        values += [half, n.add(half, .one), n.sub(half, .one)]
        for _ in 0..<2000 { values.append(TestValues.random(below: K.Order.modulus, &rng)) }
        let limit = U256(0, 0, 1, 0)    // 2¹²⁸
        for k in values {
            let (k1, k2) = endo.split(k, as: K.self)
            XCTAssertLessThan(U256.compare(k1.magnitude, limit), 0, "k₁ too long")
            XCTAssertLessThan(U256.compare(k2.magnitude, limit), 0, "k₂ too long")
            let s1 = k1.negative ? n.sub(.zero, k1.magnitude) : k1.magnitude
            let s2 = k2.negative ? n.sub(.zero, k2.magnitude) : k2.magnitude
            XCTAssertTrue(n.add(s1, n.mul(s2, endo.lambda)) == k, "k₁ + k₂·λ ≠ k")
        }
    }

    /// `foldPairs` against pᵢ + c·qᵢ by OpenSSL, with the edge cases: c = 0,
    /// 1, n − 1, λ (secp256k1: k₁ = 0), nil inputs, q = −p (sum is the
    /// identity), q = p.
    func foldChecks<C: CurveModel>(_: C.Type, seed: String) {
        let curve = C.curve
        var rng = SeededRandom(seed: seed)
        let ps = MSMTests.randomPoints(curve, count: 5, &rng)
        let qs = MSMTests.randomPoints(curve, count: 5, &rng)
        let affP = ps.map { AffinePoint($0) }, affQ = qs.map { AffinePoint($0) }
        var pIn: [AffinePoint?] = affP + [nil, affP[0], affP[1], nil]
        var qIn: [AffinePoint?] = affQ + [affQ[0], nil, AffinePoint(-ps[1]), nil]
        pIn.append(affP[2]); qIn.append(affP[2])
        let order = curve.parameters.order
        var scalars: [Scalar] = [.zero(curve), .one(curve), Scalar(unchecked: U256.sub(order, .one).0, curve: curve),
                                 Scalar(2, curve: curve)]
        if let endo = C.endomorphism { scalars.append(Scalar(unchecked: endo.lambda, curve: curve)) }
        for _ in 0..<6 { scalars.append(.random(curve, using: &rng)) }
        func expected(_ c: Scalar) -> [Point] {
            zip(pIn, qIn).map { p, q in
                (p.map(\.point) ?? .identity(curve)) + (q.map { $0.point.multiplied(by: c) } ?? .identity(curve))
            }
        }
        for c in scalars {
            let want = expected(c)
            let generic = MSMEngine.foldPairs(pIn.map { $0?.affine(as: C.self) }, qIn.map { $0?.affine(as: C.self) }, by: c.value)
            XCTAssertEqual(generic.count, want.count)
            for (got, w) in zip(generic, want) {
                XCTAssertEqual(got?.point ?? .identity(curve), w, "MSMEngine.foldPairs")
            }
            let viaEntry = MSM.foldPairs(pIn, qIn, by: c)
            for (got, w) in zip(viaEntry, want) {
                XCTAssertEqual(got?.point ?? .identity(curve), w, "MSM.foldPairs (\(MSM.backend))")
            }
        }
        XCTAssertEqual(MSM.foldPairs([], [], by: .one(curve)).count, 0)
    }

    func testFoldP256() { foldChecks(P256Model.self, seed: "fold-p256") }
    func testFoldSecp256k1() { foldChecks(K.self, seed: "fold-secp256k1") }

    /// The affine entry of `SecretMSM` against OpenSSL, nil points dropped.
    func testSecretMSMOverAffinePoints() {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "secret-affine-\(curve)")
            let ps = MSMTests.randomPoints(curve, count: 7, &rng)
            var ks = (0..<7).map { _ in Scalar.random(curve, using: &rng) }
            ks[2] = .zero(curve)
            var affine: [AffinePoint?] = ps.map { AffinePoint($0) }
            affine[4] = nil
            var want = Point.identity(curve)
            for (i, (k, p)) in zip(ks, ps).enumerated() where i != 4 { want = want + p.multiplied(by: k) }
            XCTAssertEqual(SecretMSM.compute(scalars: ks, affine: affine, curve: curve), want)
            XCTAssertTrue(SecretMSM.compute(scalars: [.one(curve)], affine: [nil], curve: curve).isIdentity)
        }
    }
}

/// Reads an OpenSSL point's coordinates into the fast form (tests).
enum AffineMontgomeryHelper {
    static func affine<C: CurveModel>(_ p: Point, as _: C.Type) -> Affine<C>? { affineMontgomery([p], as: C.self)[0] }
}
