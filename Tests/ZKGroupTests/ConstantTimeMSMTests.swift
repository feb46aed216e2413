import XCTest
@testable import ZKGroup
import ZKTestSupport

/// The constant-time path for secret scalars: the complete projective
/// formulas (`CompletePoint.swift`) against the Jacobian code and OpenSSL,
/// `ConstantTimeMSM` against OpenSSL's `SecretMSM.reference` and the public
/// `MSM`, and the bit-vector commitment against the plain sum of its terms.
/// These run the pure-Swift code explicitly, whatever `MSM.backend` is.
final class ConstantTimeMSMTests: XCTestCase {
    // MARK: Complete addition

    func completeFormulaChecks<C: CurveModel>(_: C.Type, seed: String) {
        let curve = C.curve
        var rng = SeededRandom(seed: seed)
        let ps = MSMTests.randomPoints(curve, count: 6, &rng) + [Point.generator(curve)]
        let affine = affineMontgomery(ps, as: C.self).map { $0! }
        let id = ProjectivePoint<C>.identity
        for i in 0..<ps.count {
            let p = ps[i], q = ps[(i + 1) % ps.count]
            let ap = affine[i], aq = affine[(i + 1) % ps.count]
            let pp = ProjectivePoint(ap), pq = ProjectivePoint(aq)
            // Z ≠ 1: 2P by the complete doubling, 3Q by a complete addition.
            let p2 = pp.doubled(), q3 = pq + pq.doubled()
            XCTAssertEqual(p2.point, p.doubled(), "double")
            XCTAssertEqual(p2.point, JacobianPoint(ap).doubled().point, "double vs Jacobian")
            XCTAssertEqual(q3.point, q.doubled() + q, "add")
            XCTAssertEqual((pp + pq).point, p + q, "add, Z = 1")
            XCTAssertEqual((p2 + q3).point, p.doubled() + q.doubled() + q, "add, Z ≠ 1")
            XCTAssertEqual((p2 + q3).point, (JacobianPoint(ap).doubled() + JacobianPoint(aq).doubled(times: 1) + aq).point,
                           "add vs Jacobian")
            XCTAssertEqual((p2 + aq).point, p.doubled() + q, "mixed add")
            XCTAssertEqual((p2 + aq).point, (JacobianPoint(ap).doubled() + aq).point, "mixed add vs Jacobian")
            // Doubling through the addition formulas, opposite operands.
            XCTAssertEqual((pp + pp).point, p.doubled(), "P + P")
            XCTAssertEqual((p2 + p2).point, p.doubled().doubled(), "P + P, Z ≠ 1")
            XCTAssertEqual((pp + ap).point, p.doubled(), "mixed P + P")
            XCTAssertEqual((p2.doubled() + p2).point, p.doubled().doubled() + p.doubled(), "mixed-size operands")
            XCTAssertTrue((p2 + p2.negated(if: ~0)).isIdentity, "P + (−P)")
            XCTAssertTrue((pp + ap.negated).isIdentity, "mixed P + (−P)")
            XCTAssertEqual(p2.negated(if: ~0).point, -p.doubled(), "negation")
            XCTAssertEqual(p2.negated(if: 0).point, p.doubled(), "no negation")
            XCTAssertEqual(ap.negated(if: ~0), ap.negated)
            XCTAssertEqual(ap.negated(if: 0), ap)
            // Identity operands.
            XCTAssertEqual((id + p2).point, p.doubled(), "∞ + P")
            XCTAssertEqual((p2 + id).point, p.doubled(), "P + ∞")
            XCTAssertEqual((id + ap).point, p, "∞ + P, mixed")
            XCTAssertFalse((id + ap).isIdentity)
            // Conversions.
            let (x, y) = p2.affineCoordinates()
            XCTAssertEqual(Affine<C>(x: x, y: y), JacobianPoint(ap).doubled().toAffine())
            XCTAssertEqual(ProjectivePoint.select(~0, p2, pq).point, p.doubled())
            XCTAssertEqual(ProjectivePoint.select(0, p2, pq).point, q)
            XCTAssertEqual(Affine.select(~0, ap, aq), ap)
            XCTAssertEqual(Affine.select(0, ap, aq), aq)
        }
        XCTAssertTrue((id + id).isIdentity, "∞ + ∞")
        XCTAssertTrue(id.doubled().isIdentity, "2·∞")
        XCTAssertTrue(id.point.isIdentity)
        let (ix, iy) = id.affineCoordinates()
        XCTAssertTrue(ix.isZero && iy.isZero, "the identity's coordinates are (0, 0)")
        // A longer chain: 2^10·P by doublings against OpenSSL.
        let p = ProjectivePoint(affine[0])
        XCTAssertEqual(p.doubled(times: 10).point, SecretMSM.reference(scalars: [Scalar(1024, curve: curve)], points: [ps[0]]))
    }

    func testCompleteFormulasP256() { completeFormulaChecks(P256Model.self, seed: "complete-p256") }
    func testCompleteFormulasSecp256k1() { completeFormulaChecks(Secp256k1Model.self, seed: "complete-k1") }

    func testMasks() {
        XCTAssertEqual(ctEqualMask(5, 5), ~0)
        XCTAssertEqual(ctEqualMask(5, 6), 0)
        XCTAssertEqual(ctEqualMask(0, 1 << 63), 0)
        XCTAssertEqual(ctEqualMask(0, 0), ~0)
        XCTAssertEqual(ctMask(bit: 1), ~0)
        XCTAssertEqual(ctMask(bit: 2), 0)
        let one = FieldElement<P256Field>.one
        XCTAssertEqual(one.zeroMask, 0)
        XCTAssertEqual(FieldElement<P256Field>.zero.zeroMask, ~0)
        XCTAssertEqual(FieldElement.select(~0, one, .zero), one)
        XCTAssertEqual(FieldElement.select(0, one, .zero), .zero)
    }

    // MARK: Recoding and lookup

    /// Σⱼ dⱼ·2^(w·j) as a scalar (mod n), from the digits.
    static func recomposed(_ digits: [Int8], curve: Curve) -> Scalar {
        let radix = Scalar(UInt64(1) << UInt64(ConstantTimeMSM.windowBits), curve: curve)
        var acc = Scalar.zero(curve)
        for d in digits.reversed() { acc = acc * radix + Scalar(Int(d), curve: curve) }
        return acc
    }

    func testRecodingRecomposesTheScalar() {
        var rng = SeededRandom(seed: "recode")
        let h = ConstantTimeMSM.tableSize
        for curve in Curve.allCases {
            let n = curve.parameters.order
            let (nMinus1, _) = U256.subWithBorrow(n, .one)
            var values: [U256] = [.zero, .one, nMinus1, U256(UInt64(h), 0, 0, 0), U256(UInt64(h + 1), 0, 0, 0),
                                  U256(0x8888_8888_8888_8888, 0x8888_8888_8888_8888, 0x8888_8888_8888_8888, 0x0888_8888_8888_8888)]
            for _ in 0..<20 { values.append(Scalar.random(curve, using: &rng).value) }
            for v in values {
                var digits = [Int8](repeating: 0, count: ConstantTimeMSM.digitCount)
                digits.withUnsafeMutableBufferPointer { ConstantTimeMSM.recode(v, into: $0.baseAddress!) }
                for d in digits { XCTAssertTrue((-(h - 1)...h).contains(Int(d)), "digit \(d) out of range") }
                XCTAssertEqual(Self.recomposed(digits, curve: curve).value, v)
            }
            // 2²⁵⁶ − 1 (not a scalar): the top digit takes the last carry.
            let top = U256(~0, ~0, ~0, ~0)
            var digits = [Int8](repeating: 0, count: ConstantTimeMSM.digitCount)
            digits.withUnsafeMutableBufferPointer { ConstantTimeMSM.recode(top, into: $0.baseAddress!) }
            let (twoTo256ModN, _) = U256.subWithBorrow(.zero, n)    // 2²⁵⁶ − n = 2²⁵⁶ mod n
            XCTAssertEqual(Self.recomposed(digits, curve: curve) + Scalar.one(curve), Scalar(unchecked: twoTo256ModN, curve: curve))
        }
    }

    func testLookupReadsEveryMagnitude() {
        var rng = SeededRandom(seed: "lookup")
        let p = affineMontgomery(MSMTests.randomPoints(.p256, count: 1, &rng), as: P256Model.self)[0]!
        let table = ConstantTimeMSM.multiples([p][...])
        XCTAssertEqual(table.count, ConstantTimeMSM.tableSize)
        table.withUnsafeBufferPointer { t in
            XCTAssertEqual(ConstantTimeMSM.lookup(t.baseAddress!, 0), p, "digit 0 reads entry 1·P")
            var multiple = JacobianPoint(p)
            for m in 1...ConstantTimeMSM.tableSize {
                XCTAssertEqual(ConstantTimeMSM.lookup(t.baseAddress!, UInt64(m)), multiple.toAffine(), "entry \(m)")
                multiple = multiple + p
            }
        }
    }

    // MARK: Multi-scalar multiplication

    /// Scalars of every shape the prover produces: 0, 1, n − 1, small, random.
    static func scalars(_ curve: Curve, count: Int, _ rng: inout SeededRandom) -> [Scalar] {
        let special = [Scalar.zero(curve), .one(curve), -Scalar.one(curve), Scalar(7, curve: curve),
                       Scalar(8, curve: curve), Scalar(9, curve: curve), -Scalar(8, curve: curve), Scalar(300_123, curve: curve)]
        return (0..<count).map { i in i % 3 == 2 ? Scalar.random(curve, using: &rng) : special[(i / 3 + i) % special.count] }
    }

    func msmChecks<C: CurveModel>(_: C.Type, seed: String) {
        let curve = C.curve
        var rng = SeededRandom(seed: seed)
        XCTAssertTrue(ConstantTimeMSM.multiply([], [Affine<C>]()).isIdentity, "count 0")
        for count in [1, 2, 3, 17, 64] {
            var points = MSMTests.randomPoints(curve, count: count, &rng)
            // Repeated points (and a point with its negative) in the larger sums.
            if count >= 3 { points[count - 1] = points[0]; points[count - 2] = -points[1] }
            let ks = Self.scalars(curve, count: count, &rng)
            let expected = SecretMSM.reference(scalars: ks, points: points)
            XCTAssertEqual(expected, MSM.reference(scalars: ks, points: points, curve: curve), "count \(count): the references agree")
            let affine = affineMontgomery(points, as: C.self).map { $0! }
            for workers in [1, 2] {
                XCTAssertEqual(ConstantTimeMSM.multiply(ks, affine, workers: workers).point, expected,
                               "count \(count), \(workers) workers")
            }
            XCTAssertEqual(SecretMSM.compute(scalars: ks, points: points, backend: .fast), expected, "count \(count)")
            XCTAssertEqual(MSM.compute(scalars: ks, points: points, backend: .fast), expected, "count \(count)")
        }
        // Single terms at the edges; an identity point among the terms.
        let p = Point.generator(curve)
        for k in [Scalar.zero(curve), .one(curve), -Scalar.one(curve), Scalar(8, curve: curve), Scalar(9, curve: curve)] {
            XCTAssertEqual(SecretMSM.compute(scalars: [k], points: [p], backend: .fast), p.multiplied(by: k))
        }
        let q = MSMTests.randomPoints(curve, count: 1, &rng)[0]
        let (k1, k2) = (Scalar.random(curve, using: &rng), Scalar.random(curve, using: &rng))
        XCTAssertEqual(SecretMSM.compute(scalars: [k1, k2], points: [q, .identity(curve)], backend: .fast), q.multiplied(by: k1))
        XCTAssertEqual(SecretMSM.compute(scalars: [k1, -k1], points: [q, q], backend: .fast), .identity(curve))
        XCTAssertEqual(SecretMSM.compute(scalars: [Scalar](), points: [Point](), backend: .fast), .identity(.default))
    }

    func testMSMP256() { msmChecks(P256Model.self, seed: "ct-msm-p256") }
    func testMSMSecp256k1() { msmChecks(Secp256k1Model.self, seed: "ct-msm-k1") }

    // MARK: Fixed bases

    /// The fixed-base tables (the commitments' path) give the OpenSSL sum:
    /// every scalar shape, the same base twice, a base and its negative, and
    /// single terms at the edges, on both backends.
    func testFixedBasesAgreeWithTheReference() {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "ct-fixed-\(curve)")
            var points = MSMTests.randomPoints(curve, count: 2, &rng) + [Point.generator(curve)]
            points += [points[0], -points[1]]
            let bases = SecretFixedBases(points)
            for _ in 0..<6 {
                let ks = Self.scalars(curve, count: points.count, &rng)
                let expected = MSM.reference(scalars: ks, points: points, curve: curve)
                XCTAssertEqual(SecretMSM.compute(scalars: ks, fixed: bases, backend: .fast), expected, "\(curve)")
                XCTAssertEqual(SecretMSM.compute(scalars: ks, fixed: bases, backend: .reference), expected, "\(curve)")
            }
            let g = SecretFixedBases([Point.generator(curve)])
            for k in [Scalar.zero(curve), .one(curve), -Scalar.one(curve), Scalar(8, curve: curve), Scalar(9, curve: curve),
                      Scalar(UInt64.max, curve: curve), .random(curve, using: &rng)] {
                XCTAssertEqual(SecretMSM.compute(scalars: [k], fixed: g, backend: .fast), Point.generatorMultiple(k), "\(curve)")
            }
            let k = Scalar.random(curve, using: &rng)
            XCTAssertTrue(SecretMSM.compute(scalars: [k, k], fixed: SecretFixedBases([points[1], -points[1]]), backend: .fast).isIdentity)
        }
    }

    // MARK: Bit-vector commitment

    func testBitVectorCommitmentMatchesTheGenericSum() {
        var rng = SeededRandom(seed: "bit-vectors")
        for curve in Curve.allCases {
            let one = Scalar.one(curve)
            for count in [0, 1, 8, 33] {
                let gs = MSMTests.randomPoints(curve, count: count, &rng)
                let hs = MSMTests.randomPoints(curve, count: count, &rng)
                var byte = [UInt8](repeating: 0, count: 1)
                let left = (0..<count).map { _ in rng.fill(&byte); return Scalar(UInt64(byte[0] & 1), curve: curve) }
                let right = left.map { $0 - one }
                let extra = [Scalar.random(curve, using: &rng)]
                let h = MSMTests.randomPoints(curve, count: 1, &rng)
                let expected = SecretMSM.reference(scalars: left + right + extra, points: gs + hs + h)
                XCTAssertEqual(SecretMSM.computeBitVectors(left: left, right: right, gs: gs, hs: hs, scalars: extra, points: h),
                               expected, "\(curve), \(count) bits")
                // The aggregate test sees every pair.
                XCTAssertEqual(SecretMSM.bitPairsMask(left, right, curve: curve), ~0)
                if count > 0 {
                    for bad in [(Scalar(2, curve: curve), one), (one, -one), (Scalar.zero(curve), Scalar.zero(curve))] {
                        var l = left, r = right
                        l[count - 1] = bad.0; r[count - 1] = bad.1
                        XCTAssertEqual(SecretMSM.bitPairsMask(l, r, curve: curve), 0)
                        // Not bits: the general path, same sum as the plain terms.
                        XCTAssertEqual(SecretMSM.computeBitVectors(left: l, right: r, gs: gs, hs: hs, scalars: extra, points: h),
                                       SecretMSM.reference(scalars: l + r + extra, points: gs + hs + h), "\(curve), not bits")
                    }
                }
            }
            // No extra terms.
            let gs = MSMTests.randomPoints(curve, count: 2, &rng), hs = MSMTests.randomPoints(curve, count: 2, &rng)
            XCTAssertEqual(SecretMSM.computeBitVectors(left: [one, .zero(curve)], right: [.zero(curve), -one], gs: gs, hs: hs,
                                                       scalars: [], points: []),
                           gs[0] - hs[1])
        }
    }
}
