import Dispatch

/// Microbenchmarks of the group layer: OpenSSL scalar multiplication, the fast
/// MSM backend (always the fast one, whatever `MSM.backend` is), decompression
/// and field arithmetic. `zkmargin bench` prints them; a test runs them when
/// `ZKMARGIN_BENCH=1`. Meaningful in release builds only. Large MSMs use
/// several threads unless `ZKMARGIN_MSM_THREADS=1`.
package enum GroupMicrobench {
    /// Medians over several runs, in microseconds per operation (per point
    /// for the MSM rows).
    package static func run(curve: Curve) -> [(name: String, microseconds: Double)] {
        switch curve {
        case .p256: return run(P256Model.self)
        case .secp256k1: return run(Secp256k1Model.self)
        }
    }

    /// Median of `runs` timings of `body`, each divided by `perRun`.
    static func median(runs: Int = 7, perRun: Int, _ body: () -> Void) -> Double {
        var samples = [Double]()
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            let end = DispatchTime.now().uptimeNanoseconds
            samples.append(Double(end - start) / 1000 / Double(perRun))
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    static func run<C: CurveModel>(_: C.Type) -> [(name: String, microseconds: Double)] {
        typealias F = FieldElement<C.Field>
        let curve = C.curve
        var out = [(name: String, microseconds: Double)]()
        var rng = SeededRandom(seed: "microbench-\(curve)")
        let scalars = (0..<4096).map { _ in Scalar.random(curve, using: &rng) }
        // Distinct points without 4096 OpenSSL multiplications: 0..4095
        // multiples of a random point's odd multiples via the fast backend.
        let base = Point.generatorMultiple(scalars[0])
        var points = [Point]()
        points.reserveCapacity(4096)
        for i in 0..<64 { points.append(base.multiplied(by: scalars[i + 1])) }
        var affine = affineMontgomery(points, as: C.self).map { $0! }
        var acc = JacobianPoint<C>(affine[0])
        var jac = [JacobianPoint<C>]()
        while affine.count + jac.count < 4096 {
            acc = acc + affine[jac.count % 64]
            jac.append(acc)
        }
        affine += JacobianPoint.batchToAffine(jac).map { $0! }
        points += affine[64...].map(\.point)

        // OpenSSL scalar multiplications.
        var sink = Point.identity(curve)
        out.append(("k·G (OpenSSL)", median(perRun: 50) {
            for i in 0..<50 { sink = Point.generatorMultiple(scalars[i]) }
        }))
        out.append(("k·P (OpenSSL, constant-time)", median(perRun: 20) {
            for i in 0..<20 { sink = base.multiplied(by: scalars[i]) }
        }))
        out.append(("hash-to-curve (RFC 9380, _RO_)", median(perRun: 20) {
            for i in 0..<20 { sink = HashToCurve.hash([UInt8(i), 0x68, 0x32, 0x63], dst: Array("ZKMARGIN-BENCH".utf8), curve: curve) }
        }))
        out.append(("point add (OpenSSL)", median(perRun: 200) {
            for i in 0..<200 { sink = points[i] + points[i + 1] }
        }))

        // The fast MSM backend, per point, from Points (includes the
        // conversion out of OpenSSL) and from affine inputs.
        var jsink = JacobianPoint<C>.identity
        for n in [1, 16, 64, 150, 256, 1024, 4096] {
            let ks = Array(scalars.prefix(n)), ps = Array(points.prefix(n))
            let kbits = ks.map(\.value), aps = Array(affine.prefix(n))
            let reps = max(1, 2048 / n)
            out.append(("MSM \(n) (Point in/out) per point", median(runs: 5, perRun: n * reps) {
                for _ in 0..<reps { sink = MSM.compute(scalars: ks, points: ps, backend: .fast) }
            }))
            out.append(("MSM \(n) (affine) per point", median(runs: 5, perRun: n * reps) {
                for _ in 0..<reps { jsink = MSMEngine.multiply(kbits, aps) }
            }))
        }
        for n in [16, 32, 64, 128] {
            let ks = scalars.prefix(n).map(\.value), aps = Array(affine.prefix(n))
            out.append(("MSM \(n) Straus per point", median(runs: 5, perRun: n * 8) {
                for _ in 0..<8 { jsink = MSMEngine.straus(ks, aps) }
            }))
            out.append(("MSM \(n) Pippenger per point", median(runs: 5, perRun: n * 8) {
                for _ in 0..<8 { jsink = MSMEngine.pippenger(ks, aps, windowBits: MSMEngine.pippengerWindow(n)) }
            }))
        }
        out.append(("MSM 64 reference (EC_POINT_mul) per point", median(runs: 3, perRun: 64) {
            sink = MSM.reference(scalars: Array(scalars.prefix(64)), points: Array(points.prefix(64)), curve: curve)
        }))

        // The verifier's shape: prepared generators plus per-proof points.
        for (fixed, extra) in [(128, 22), (2048, 22), (130, 4096)] {
            let prepared = PreparedBases(Array(points.prefix(fixed)), curve: curve, windowBits: nil, backend: .fast)
            let ks = Array(scalars.prefix(fixed))
            let eks = Array(scalars.suffix(extra))
            let eps = affine.suffix(extra).map { AffinePoint($0) }
            let reps = max(1, 2048 / (fixed + extra))
            out.append(("prepared \(fixed) + \(extra) extra, total", median(runs: 5, perRun: reps) {
                for _ in 0..<reps { _ = MSM.isIdentity(prepared: prepared, scalars: ks, extraScalars: eks, extraAffine: eps, backend: .fast) }
            }))
        }
        out.append(("PreparedBases(128) build", median(runs: 3, perRun: 1) {
            _ = PreparedBases(Array(points.prefix(128)), curve: curve, windowBits: nil, backend: .fast)
        }))

        // Decoding.
        let encodings = points.prefix(256).map { try! $0.compressed() }
        let xs = encodings.map { (x: U256(bigEndian: $0[1...]), odd: $0[0] == 3) }
        out.append(("decode Point (fast sqrt + OpenSSL set)", median(perRun: 256) {
            for e in xs { sink = try! Point.decompress(x: e.x, odd: e.odd, curve: curve, backend: .fast) }
        }))
        out.append(("decode Point (OpenSSL oct2point)", median(perRun: 256) {
            for e in xs { sink = try! Point.decompress(x: e.x, odd: e.odd, curve: curve, backend: .reference) }
        }))
        var asink = AffinePoint(affine[0])
        out.append(("decode AffinePoint (fast)", median(perRun: 256) {
            for e in encodings { asink = try! AffinePoint(compressed: e, curve: curve, backend: .fast) }
        }))
        let somePoints = Array(points.prefix(256))
        let manyEncodings = points.prefix(2048).map { try! $0.compressed() }
        out.append(("decode AffinePoint.decodeAll (threads)", median(runs: 5, perRun: 2048) {
            _ = AffinePoint.decodeAll(manyEncodings, curve: curve)
        }))
        out.append(("Point → affine (OpenSSL get_affine)", median(perRun: 256) {
            asink = AffinePoint(affineMontgomery(somePoints, as: C.self).last!!)
        }))
        out.append(("affine → Point (OpenSSL set_affine)", median(perRun: 256) {
            for a in affine.prefix(256) { sink = a.point }
        }))

        // Field arithmetic (dependent chains, so latency-bound).
        var x = affine[1].x
        let y = affine[2].y
        out.append(("field mul", median(perRun: 100_000) {
            for _ in 0..<100_000 { x = x * y }
        }))
        out.append(("field square", median(perRun: 100_000) {
            for _ in 0..<100_000 { x = x.squared }
        }))
        out.append(("field add", median(perRun: 100_000) {
            for _ in 0..<100_000 { x = x + y }
        }))
        out.append(("field inverse (addition chain)", median(perRun: 200) {
            for _ in 0..<200 { x = x.inverse + y }
        }))
        out.append(("field inverse (GMP)", median(perRun: 200) {
            for _ in 0..<200 { x = x.inverseVariableTime + y }
        }))
        out.append(("field sqrt", median(perRun: 200) {
            for _ in 0..<200 { x = (x.squareRoot ?? y) + y }
        }))
        var j = JacobianPoint<C>(affine[3]).doubled()
        out.append(("Jacobian double", median(perRun: 10_000) {
            for _ in 0..<10_000 { j = j.doubled() }
        }))
        out.append(("Jacobian + affine", median(perRun: 10_000) {
            for i in 0..<10_000 { j = j + affine[i & 1023] }
        }))
        out.append(("Jacobian + Jacobian", median(perRun: 10_000) {
            let q = JacobianPoint<C>(affine[5]).doubled()
            for _ in 0..<10_000 { j = j + q }
        }))
        withExtendedLifetime((sink, jsink, asink, x, j)) {}
        return out
    }
}
