import CLibCrypto
import Dispatch
import Foundation
import XCTest
@testable import ZKGroup
import ZKTestSupport

/// The fast curve arithmetic, decompression and MSM backends, each against
/// an independent reference: OpenSSL for points and decoding, `MSM.reference`
/// (OpenSSL `EC_POINT_mul` per term) for multi-scalar multiplication. The
/// field arithmetic under them is checked against GMP by `FieldElementTests`.
final class MSMTests: XCTestCase {
    // MARK: Points

    static func randomPoints(_ curve: Curve, count: Int, _ rng: inout SeededRandom) -> [Point] {
        (0..<count).map { _ in Point.generatorMultiple(Scalar.random(curve, using: &rng)) }
    }

    func pointChecks<C: CurveModel>(_: C.Type, seed: String) {
        let curve = C.curve
        var rng = SeededRandom(seed: seed)
        let ps = MSMTests.randomPoints(curve, count: 6, &rng) + [Point.generator(curve)]
        let affine = affineMontgomery(ps, as: C.self).map { $0! }
        XCTAssertTrue(affineMontgomery([Point.identity(curve)], as: C.self)[0] == nil)
        for a in affine { XCTAssertTrue(a.isOnCurve) }
        // Base point coordinates agree with the published constants.
        XCTAssertEqual(affine[6].x.canonical, curve.parameters.gx)
        XCTAssertEqual(affine[6].y.canonical, curve.parameters.gy)

        let id = JacobianPoint<C>.identity
        for i in 0..<ps.count {
            let p = ps[i], q = ps[(i + 1) % ps.count]
            let jp = JacobianPoint(affine[i]), aq = affine[(i + 1) % ps.count]
            // A non-trivial Z: 2P computed in Jacobian form.
            let jp2 = jp.doubled()
            XCTAssertEqual(jp2.point, p.doubled(), "double")
            XCTAssertEqual((jp + aq).point, p + q, "mixed add")
            XCTAssertEqual((jp2 + aq).point, p.doubled() + q, "mixed add, Z ≠ 1")
            XCTAssertEqual((jp2 + JacobianPoint(aq).doubled()).point, p.doubled() + q.doubled(), "add")
            // Equal and opposite inputs, identity operands.
            XCTAssertEqual((jp + affine[i]).point, p.doubled(), "mixed P + P")
            XCTAssertTrue((jp + affine[i].negated).isIdentity, "mixed P + (−P)")
            XCTAssertEqual((jp2 + jp.doubled()).point, p.doubled().doubled(), "add P + P, Z ≠ 1")
            XCTAssertTrue((jp2 + jp2.negated).isIdentity, "add P + (−P)")
            XCTAssertEqual((id + affine[i]).point, p, "∞ + P")
            XCTAssertEqual((id + jp2).point, p.doubled(), "∞ + P (Jacobian)")
            XCTAssertEqual((jp2 + id).point, p.doubled(), "P + ∞")
            XCTAssertTrue(id.doubled().isIdentity, "2·∞")
            XCTAssertTrue(jp2.isEqual(to: jp + affine[i]))
            XCTAssertEqual(jp.doubled(times: 5).point, MSM.reference(scalars: [Scalar(32, curve: curve)], points: [p], curve: curve))
        }
        XCTAssertTrue(id.point.isIdentity)
        // Batch normalisation with an identity in the middle.
        let js = [JacobianPoint(affine[0]).doubled(), id, JacobianPoint(affine[1]).doubled().doubled()]
        let normal = JacobianPoint.batchToAffine(js)
        XCTAssertEqual(normal[0]?.point, ps[0].doubled())
        XCTAssertNil(normal[1])
        XCTAssertEqual(normal[2]?.point, ps[1].doubled().doubled())
    }

    func testPointArithmeticP256() { pointChecks(P256Model.self, seed: "points-p256") }
    func testPointArithmeticSecp256k1() { pointChecks(Secp256k1Model.self, seed: "points-k1") }

    // MARK: Decompression

    /// OpenSSL's own decoder, the reference for which x are on the curve.
    static func opensslDecode(_ bytes: [UInt8], curve: Curve) -> [UInt8]? {
        let group = curve.parameters.group
        guard let p = EC_POINT_new(group) else { return nil }
        defer { EC_POINT_free(p) }
        let ok = bytes.withUnsafeBufferPointer { EC_POINT_oct2point(group, p, $0.baseAddress, 33, nil) }
        ERR_clear_error()
        guard ok == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: 65)
        _ = EC_POINT_point2oct(group, p, POINT_CONVERSION_UNCOMPRESSED, &out, 65, nil)
        return out
    }

    func testDecompressionAgreesWithOpenSSL() throws {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "decode-\(curve)")
            // Valid encodings of random points: same point, same coordinates.
            for p in MSMTests.randomPoints(curve, count: 20, &rng) + [Point.generator(curve)] {
                let enc = try p.compressed()
                let decoded = try Point(compressed: enc, curve: curve)
                XCTAssertEqual(decoded, p)
                let xValue = U256(bigEndian: enc[1...])
                for backend in [MSMBackend.fast, .reference] {
                    XCTAssertEqual(try Point.decompress(x: xValue, odd: enc[0] == 3, curve: curve, backend: backend), p)
                    XCTAssertEqual(try AffinePoint(compressed: enc, curve: curve, backend: backend).point, p)
                }
                let affine = try AffinePoint(compressed: enc, curve: curve, backend: .fast)
                XCTAssertEqual(affine.point, p)
                XCTAssertEqual(affine.compressed(), enc)
                XCTAssertEqual(AffinePoint(p), affine)
                let (x, y) = affine.coordinates
                XCTAssertEqual([0x04] + x + y, MSMTests.opensslDecode(enc, curve: curve))
                // The other parity is the negated point.
                var flipped = enc
                flipped[0] ^= 1
                XCTAssertEqual(try Point(compressed: flipped, curve: curve), -p)
            }
            // Random x: accepted exactly when OpenSSL accepts, both parities.
            var accepted = 0
            for i in 0..<60 {
                var enc = [UInt8](repeating: 0, count: 33)
                rng.fill(&enc)
                enc[0] = i % 2 == 0 ? 0x02 : 0x03
                let reference = MSMTests.opensslDecode(enc, curve: curve)
                let ours = try? AffinePoint(compressed: enc, curve: curve, backend: .fast)
                let viaPoint = try? Point(compressed: enc, curve: curve)
                let x = U256(bigEndian: enc[1...])
                let fastPoint = try? Point.decompress(x: x, odd: enc[0] == 3, curve: curve, backend: .fast)
                XCTAssertEqual(ours != nil, reference != nil)
                XCTAssertEqual(viaPoint != nil, reference != nil)
                XCTAssertEqual(fastPoint != nil, reference != nil)
                XCTAssertEqual(try? AffinePoint(compressed: enc, curve: curve, backend: .reference), ours)
                if let ours, let reference {
                    let (x, y) = ours.coordinates
                    XCTAssertEqual([0x04] + x + y, reference)
                    accepted += 1
                }
                if reference == nil {
                    for backend in [MSMBackend.fast, .reference] {
                        XCTAssertThrowsError(try AffinePoint(compressed: enc, curve: curve, backend: backend)) {
                            XCTAssertEqual($0 as? GroupError, .notOnCurve)
                        }
                        XCTAssertThrowsError(try Point.decompress(x: x, odd: enc[0] == 3, curve: curve, backend: backend)) {
                            XCTAssertEqual($0 as? GroupError, .notOnCurve)
                        }
                    }
                }
            }
            XCTAssertGreaterThan(accepted, 10)
            // Batch decoding (parallel above 256 encodings) matches one by one.
            var batch = [[UInt8]]()
            var batchRng = SeededRandom(seed: "decode-all-\(curve)")
            for i in 0..<300 {
                var enc = [UInt8](repeating: 0, count: 33)
                batchRng.fill(&enc)
                enc[0] = i % 7 == 0 ? 0x04 : 0x02 | (enc[0] & 1)
                batch.append(enc)
            }
            let decodedAll = AffinePoint.decodeAll(batch, curve: curve)
            XCTAssertEqual(decodedAll.count, batch.count)
            for (enc, result) in zip(batch, decodedAll) {
                switch (result, Result { () throws(GroupError) in try AffinePoint(compressed: enc, curve: curve) }) {
                case (.success(let a), .success(let b)): XCTAssertEqual(a, b)
                case (.failure(let a), .failure(let b)): XCTAssertEqual(a, b)
                default: XCTFail("decodeAll disagrees with AffinePoint(compressed:)")
                }
            }
            XCTAssertLessThan(accepted, 50)
            // Every rejection of the strict decoder, same errors from both types.
            let p = curve.parameters.prime.bigEndianBytes
            let cases: [([UInt8], GroupError)] = [
                ([0], .identityEncoding),
                ([0x04] + [UInt8](repeating: 1, count: 64), .uncompressedPoint),
                ([0x06] + [UInt8](repeating: 1, count: 64), .hybridPoint),
                ([0x02] + [UInt8](repeating: 1, count: 31), .pointLength(32)),
                ([0x05] + [UInt8](repeating: 1, count: 32), .invalidPointPrefix(5)),
                ([0x00] + [UInt8](repeating: 1, count: 32), .identityEncoding),
                ([0x02] + p, .coordinateNotReduced),
                ([0x03] + [UInt8](repeating: 0xff, count: 32), .coordinateNotReduced),
            ]
            for (bytes, error) in cases {
                for backend in [MSMBackend.fast, .reference] {
                    XCTAssertThrowsError(try AffinePoint(compressed: bytes, curve: curve, backend: backend)) { XCTAssertEqual($0 as? GroupError, error) }
                }
                XCTAssertThrowsError(try Point(compressed: bytes, curve: curve)) { XCTAssertEqual($0 as? GroupError, error) }
            }
        }
    }

    // MARK: MSM against the reference

    /// Scalars with the awkward cases mixed in: zero, one, n − 1, 2²⁵⁵-ish,
    /// small values, a run of ones that carries through every window.
    static func awkwardScalars(_ curve: Curve, count: Int, _ rng: inout SeededRandom) -> [Scalar] {
        let n = curve.parameters.order
        let specials: [Scalar] = [
            .zero(curve), .one(curve), Scalar(unchecked: U256.sub(n, .one).0, curve: curve),
            Scalar(unchecked: U256(~0, ~0, ~0, 0x7fff_ffff_ffff_ffff), curve: curve),
            Scalar(-1, curve: curve) + Scalar(-1, curve: curve), Scalar(12345, curve: curve),
            Scalar(unchecked: U256(0x8080_8080_8080_8080, 0xffff_ffff_ffff_ffff, 0, 0), curve: curve),
        ]
        return (0..<count).map { i in
            let pick = Int(Scalar.random(curve, using: &rng).value.w.0 % 9)
            return pick < specials.count && i % 3 == 0 ? specials[pick] : Scalar.random(curve, using: &rng)
        }
    }

    func checkMSM(_ curve: Curve, size: Int, _ rng: inout SeededRandom, file: StaticString = #filePath, line: UInt = #line) {
        var points = MSMTests.randomPoints(curve, count: min(size, 40), &rng)
        // Duplicate bases and identity points among the inputs.
        while points.count < size {
            let i = points.count
            points.append(i % 11 == 5 ? Point.identity(curve) : points[i % 40])
        }
        let scalars = MSMTests.awkwardScalars(curve, count: size, &rng)
        let expected = MSM.reference(scalars: scalars, points: points, curve: curve)
        let result = MSM.compute(scalars: scalars, points: points, backend: .fast)
        if size == 0 {
            // No term names a curve: the identity of the default curve.
            XCTAssertTrue(result.isIdentity, file: file, line: line)
        } else {
            XCTAssertEqual(result, expected, "size \(size)", file: file, line: line)
        }
        if size > 0 {
            // Both engines at every size, whatever the automatic choice is.
            switch curve {
            case .p256: engines(scalars, points, expected, as: P256Model.self, file: file, line: line)
            case .secp256k1: engines(scalars, points, expected, as: Secp256k1Model.self, file: file, line: line)
            }
        }
    }

    func engines<C: CurveModel>(_ scalars: [Scalar], _ points: [Point], _ expected: Point, as _: C.Type,
                                file: StaticString, line: UInt) {
        let affine = affineMontgomery(points, as: C.self)
        var ks = [U256](), ps = [Affine<C>]()
        for (k, p) in zip(scalars, affine) where p != nil && !k.isZero { ks.append(k.value); ps.append(p!) }
        guard !ks.isEmpty else { return }
        if ks.count <= 64 {
            XCTAssertEqual(MSMEngine.straus(ks, ps).point, expected, "Straus, size \(ks.count)", file: file, line: line)
        }
        // Pippenger with the automatic window and one other width that
        // varies with the size (so that carries through every window layout
        // are exercised across the sizes), the last on several threads (the
        // automatic choice only goes parallel above debug-test sizes).
        let c = MSMEngine.pippengerWindow(ks.count)
        XCTAssertEqual(MSMEngine.pippenger(ks, ps, windowBits: c).point, expected,
                       "Pippenger c=\(c), size \(ks.count)", file: file, line: line)
        let other = 2 + (ks.count * 7) % 9
        XCTAssertEqual(MSMEngine.pippenger(ks, ps, windowBits: other, workers: 3).point, expected,
                       "Pippenger c=\(other), 3 workers, size \(ks.count)", file: file, line: line)
    }

    func testMSMAgainstReferenceP256() {
        var rng = SeededRandom(seed: "msm-p256")
        for size in [0, 1, 2, 3, 16, 47, 48, 64, 130, 300] { checkMSM(.p256, size: size, &rng) }
    }

    func testMSMAgainstReferenceSecp256k1() {
        var rng = SeededRandom(seed: "msm-k1")
        for size in [0, 1, 2, 5, 48, 65, 160] { checkMSM(.secp256k1, size: size, &rng) }
    }

    func testMSMCancellationAndEdgeCases() {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "cancel-\(curve)")
            let ps = MSMTests.randomPoints(curve, count: 3, &rng)
            let k = Scalar.random(curve, using: &rng)
            let nMinus1 = Scalar(unchecked: U256.sub(curve.parameters.order, .one).0, curve: curve)
            // k·P + (−k)·P = ∞, in both engines and at sizes past the threshold.
            let compute = { (k: [Scalar], p: [Point]) in MSM.compute(scalars: k, points: p, backend: .fast) }
            XCTAssertTrue(compute([k, -k], [ps[0], ps[0]]).isIdentity)
            let many = Array(repeating: ps[1], count: 60) + Array(repeating: ps[1], count: 60)
            let signs = (0..<60).map { Scalar($0 + 1, curve: curve) } + (0..<60).map { -Scalar($0 + 1, curve: curve) }
            XCTAssertTrue(compute(signs, many).isIdentity)
            // (n − 1)·P = −P; (n − 1)·P + P = ∞.
            XCTAssertEqual(compute([nMinus1], [ps[2]]), -ps[2])
            XCTAssertTrue(compute([nMinus1, .one(curve)], [ps[2], ps[2]]).isIdentity)
            // All-zero scalars, all-identity points, empty input.
            XCTAssertTrue(compute([.zero(curve), .zero(curve)], [ps[0], ps[1]]).isIdentity)
            XCTAssertTrue(compute([k], [Point.identity(curve)]).isIdentity)
            XCTAssertTrue(compute([], []).isIdentity)
            // The public entry point, whichever backend this build uses.
            XCTAssertTrue(MSM.compute(scalars: [k, -k], points: [ps[0], ps[0]]).isIdentity)
            // The same base many times with equal scalars: buckets add P + P.
            let same = Array(repeating: ps[0], count: 70)
            let ones = Array(repeating: Scalar(3, curve: curve), count: 70)
            XCTAssertEqual(compute(ones, same), MSM.reference(scalars: [Scalar(210, curve: curve)], points: [ps[0]], curve: curve))
        }
    }

    func testPreparedBases() {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "prepared-\(curve)")
            var bases = MSMTests.randomPoints(curve, count: 40, &rng)
            bases[7] = Point.identity(curve)
            bases[9] = bases[3]
            let extras = MSMTests.randomPoints(curve, count: 5, &rng) + [Point.identity(curve), bases[2]]
            for window in [nil, 2, 7] as [Int?] {
                let prepared = PreparedBases(bases, curve: curve, windowBits: window, backend: .fast)
                XCTAssertEqual(prepared.count, 40)
                for used in (window == nil ? [0, 1, 17, 40] : [40]) {
                    let ks = MSMTests.awkwardScalars(curve, count: used, &rng)
                    let es = MSMTests.awkwardScalars(curve, count: extras.count, &rng)
                    let expected = MSM.reference(scalars: ks + es, points: Array(bases.prefix(used)) + extras, curve: curve)
                    XCTAssertEqual(MSM.compute(prepared: prepared, scalars: ks, extraScalars: es, extraPoints: extras, backend: .fast), expected,
                                   "c=\(prepared.windowBits), used \(used)")
                    // The fixed part alone, split over several workers.
                    let fixed = MSM.reference(scalars: ks, points: Array(bases.prefix(used)), curve: curve)
                    switch curve {
                    case .p256: XCTAssertEqual(prepared.table(as: P256Model.self).multiply(ks.map(\.value), workers: 3).point, fixed)
                    case .secp256k1: XCTAssertEqual(prepared.table(as: Secp256k1Model.self).multiply(ks.map(\.value), workers: 3).point, fixed)
                    }
                    let decoded = extras.compactMap { AffinePoint($0) }
                    let decodedScalars = zip(es, extras).filter { !$0.1.isIdentity }.map(\.0)
                    XCTAssertEqual(MSM.compute(prepared: prepared, scalars: ks, extraScalars: decodedScalars, extraAffine: decoded, backend: .fast), expected)
                    XCTAssertEqual(MSM.isIdentity(prepared: prepared, scalars: ks, extraScalars: decodedScalars, extraAffine: decoded, backend: .fast), expected.isIdentity)
                    XCTAssertEqual(MSM.compute(scalars: decodedScalars, affine: decoded, curve: curve, backend: .fast),
                                   MSM.reference(scalars: decodedScalars, points: decoded.map(\.point), curve: curve))
                }
            }
            // A sum that cancels to the identity through the prepared path.
            let prepared = PreparedBases(bases, curve: curve, windowBits: nil, backend: .fast)
            let k = Scalar.random(curve, using: &rng)
            XCTAssertTrue(MSM.compute(prepared: prepared, scalars: [k], extraScalars: [-k], extraPoints: [bases[0]], backend: .fast).isIdentity)
            // The same sums through the reference backend (tables or not) and
            // through the public entry points, whichever backend this build uses.
            let plain = PreparedBases(bases, curve: curve, windowBits: nil, backend: .reference)
            XCTAssertFalse(plain.hasTables)
            let ks = MSMTests.awkwardScalars(curve, count: 30, &rng)
            let es = MSMTests.awkwardScalars(curve, count: 3, &rng)
            let expected = MSM.reference(scalars: ks + es, points: Array(bases.prefix(30)) + Array(extras.prefix(3)), curve: curve)
            let affineExtras = extras.prefix(3).map { AffinePoint($0)! }
            for p in [prepared, plain, PreparedBases(bases, curve: curve)] {
                for backend in [MSMBackend.fast, .reference] {
                    XCTAssertEqual(MSM.compute(prepared: p, scalars: ks, extraScalars: es, extraPoints: Array(extras.prefix(3)), backend: backend), expected)
                    XCTAssertEqual(MSM.compute(prepared: p, scalars: ks, extraScalars: es, extraAffine: affineExtras, backend: backend), expected)
                    XCTAssertEqual(MSM.isIdentity(prepared: p, scalars: ks, extraScalars: es, extraAffine: affineExtras, backend: backend), expected.isIdentity)
                }
                XCTAssertEqual(MSM.compute(prepared: p, scalars: ks, extraScalars: es, extraPoints: Array(extras.prefix(3))), expected)
            }
            XCTAssertEqual(MSM.compute(scalars: es, affine: affineExtras, curve: curve, backend: .reference),
                           MSM.reference(scalars: es, points: Array(extras.prefix(3)), curve: curve))
            XCTAssertTrue(MSM.isIdentity(prepared: prepared, scalars: [.zero(curve), .zero(curve), .zero(curve), k, .zero(curve), .zero(curve), .zero(curve), .zero(curve), .zero(curve), -k], extraScalars: [], extraAffine: [], backend: .fast))
        }
    }

    func testConcurrentUse() {
        let curve = Curve.p256
        var rng = SeededRandom(seed: "threads")
        let bases = MSMTests.randomPoints(curve, count: 64, &rng)
        let prepared = PreparedBases(bases, curve: curve, windowBits: nil, backend: .fast)
        let jobs = (0..<8).map { _ in MSMTests.awkwardScalars(curve, count: 64, &rng) }
        let expected = jobs.map { MSM.reference(scalars: $0, points: bases, curve: curve) }
        let results = UnsafeMutableBufferPointer<Point?>.allocate(capacity: 16)
        results.initialize(repeating: nil)
        defer {
            // Deinitialize first: the Points own OpenSSL EC_POINTs (LeakSanitizer found them leaking).
            _ = results.deinitialize()
            results.deallocate()
        }
        nonisolated(unsafe) let out = results
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            out[i] = i % 2 == 0 ? MSM.compute(prepared: prepared, scalars: jobs[i / 2], extraScalars: [], extraPoints: [], backend: .fast)
                                : MSM.compute(scalars: jobs[i / 2], points: bases, backend: .fast)
        }
        for i in 0..<16 { XCTAssertEqual(results[i], expected[i / 2]) }
    }
}
