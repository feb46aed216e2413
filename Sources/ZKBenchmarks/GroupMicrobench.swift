import Dispatch
package import ZKGroup
import ZKTestSupport

/// Microbenchmarks of the group layer: OpenSSL scalar multiplication, the fast
/// MSM backend (always the fast one, whatever `MSM.backend` is), decompression
/// and field arithmetic. `zkmargin bench group` prints them. Meaningful in
/// release builds only. Large MSMs use several threads unless
/// `ZKMARGIN_MSM_THREADS=1`.
///
/// The fast arithmetic is internal to ZKGroup; this reaches it through the
/// package-only handles of `ZKGroup/PackageAccess.swift`.
package enum GroupMicrobench {
    /// Medians over several runs, in microseconds per operation (per point
    /// for the MSM rows), in the order they are measured.
    package static func run(curve: Curve) -> [(name: String, microseconds: Double)] {
        run(curve, fastFieldElementType(for: curve))
    }

    /// OpenSSL's constant-time k·P, µs (median): the reference the issue
    /// targets are scaled by (a quiet machine of this kind does it in 47 µs
    /// on P-256), measured in the same run as what it scales.
    package static func scalarMultiplicationMicroseconds(curve: Curve) -> Double {
        var rng = SeededRandom(seed: "microbench-kP-\(curve)")
        let scalars = (0..<21).map { _ in Scalar.random(curve, using: &rng) }
        let base = Point.generatorMultiple(scalars[20])
        var sink = Point.identity(curve)
        let us = median(runs: 11, perRun: 20) { for i in 0..<20 { sink = base.multiplied(by: scalars[i]) } }
        withExtendedLifetime(sink) {}
        return us
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

    static func run<F: FastFieldElement>(_ curve: Curve, _: F.Type) -> [(name: String, microseconds: Double)] {
        var out = [(name: String, microseconds: Double)]()
        // Public, reproducible inputs.
        var rng = SeededRandom(seed: "microbench-\(curve)")
        let scalars = (0..<4096).map { _ in Scalar.random(curve, using: &rng) }
        // Distinct points without 4096 OpenSSL multiplications: 64 random
        // multiples of a random point, then running sums of them. All but
        // the first 64 are rebuilt from affine coordinates (Z = 1 inside
        // OpenSSL).
        let base = Point.generatorMultiple(scalars[0])
        var points = [Point]()
        points.reserveCapacity(4096)
        for i in 0..<64 { points.append(base.multiplied(by: scalars[i + 1])) }
        var sums = [Point]()
        var acc = points[0]
        while points.count + sums.count < 4096 {
            acc = acc + points[sums.count % 64]
            sums.append(acc)
        }
        let affine = FastAffinePoints(points + sums, curve: curve).points
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
        // Scalar arithmetic mod n (constant time, Montgomery on fixed limbs).
        var ssink = scalars[0]
        out.append(("scalar mul mod n", median(perRun: 1000) {
            for i in 0..<1000 { ssink = ssink * scalars[i] }
        }))
        out.append(("scalar inverse mod n (Fermat)", median(perRun: 50) {
            for i in 0..<50 { ssink = (scalars[i] + ssink).inverse() ?? ssink }
        }))
        let wide = (0..<64).map { [UInt8](repeating: UInt8($0), count: 64) }
        out.append(("scalar from 64 bytes (reduce mod n)", median(perRun: 64) {
            for w in wide { ssink = ssink + Scalar(reducing: w, curve: curve) }
        }))
        withExtendedLifetime(ssink) {}
        out.append(("point add (OpenSSL)", median(perRun: 200) {
            for i in 0..<200 { sink = points[i] + points[i + 1] }
        }))

        // The fast MSM backend, per point, from Points (includes the
        // conversion out of OpenSSL) and from affine inputs.
        var jsink = FastJacobianPoint(affine[0])
        for n in [1, 16, 64, 150, 256, 1024, 4096] {
            let ks = Array(scalars.prefix(n)), ps = Array(points.prefix(n))
            let kbits = FastScalars(ks), aps = FastAffinePoints(Array(affine.prefix(n)), curve: curve)
            let reps = max(1, 2048 / n)
            out.append(("MSM \(n) (Point in/out) per point", median(runs: 5, perRun: n * reps) {
                for _ in 0..<reps { sink = MSM.compute(scalars: ks, points: ps, backend: .fast) }
            }))
            out.append(("MSM \(n) (affine) per point", median(runs: 5, perRun: n * reps) {
                for _ in 0..<reps { jsink = FastMSM.multiply(kbits, aps) }
            }))
        }
        for n in [16, 32, 64, 128] {
            let ks = FastScalars(Array(scalars.prefix(n))), aps = FastAffinePoints(Array(affine.prefix(n)), curve: curve)
            out.append(("MSM \(n) Straus per point", median(runs: 5, perRun: n * 8) {
                for _ in 0..<8 { jsink = FastMSM.straus(ks, aps) }
            }))
            out.append(("MSM \(n) Pippenger per point", median(runs: 5, perRun: n * 8) {
                for _ in 0..<8 { jsink = FastMSM.pippenger(ks, aps, windowBits: FastMSM.pippengerWindow(n)) }
            }))
        }
        // Sums over secrets: the constant-time Straus and the masked OpenSSL reference.
        for n in [1, 2, 16, 66, 256] {
            let ks = Array(scalars.prefix(n)), ps = Array(points.prefix(n))
            let reps = max(1, 256 / n)
            out.append(("SecretMSM \(n) (constant time) per point", median(runs: 5, perRun: n * reps) {
                for _ in 0..<reps { sink = SecretMSM.compute(scalars: ks, points: ps, backend: .fast) }
            }))
        }
        // A commitment's shape: two secret scalars on fixed, pre-tabulated bases.
        let fixed = SecretFixedBases([Point.generator(curve), points[0]])
        let pair = Array(scalars.prefix(2))
        out.append(("SecretMSM 2 fixed bases (a commitment)", median(runs: 5, perRun: 64) {
            for _ in 0..<64 { sink = SecretMSM.compute(scalars: pair, fixed: fixed, backend: .fast) }
        }))
        out.append(("SecretMSM 16 reference (masked EC_POINT_mul) per point", median(runs: 3, perRun: 16) {
            sink = SecretMSM.reference(scalars: Array(scalars.prefix(16)), points: Array(points.prefix(16)))
        }))
        out.append(("MSM 64 reference (EC_POINT_mul) per point", median(runs: 3, perRun: 64) {
            sink = MSM.reference(scalars: Array(scalars.prefix(64)), points: Array(points.prefix(64)), curve: curve)
        }))

        // The verifier's shape: prepared generators plus per-proof points.
        for (fixed, extra) in [(128, 22), (2048, 22), (130, 4096)] {
            let prepared = PreparedBases(Array(points.prefix(fixed)), curve: curve, windowBits: nil, backend: .fast)
            let ks = Array(scalars.prefix(fixed))
            let eks = Array(scalars.suffix(extra))
            let eps = Array(affine.suffix(extra))
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
        let xs = try! encodings.map { e throws(GroupError) in try CompressedCoordinates(e, curve: curve) }
        out.append(("decode Point (fast sqrt + OpenSSL set)", median(perRun: 256) {
            for e in xs { sink = try! Point.decompress(e, curve: curve, backend: .fast) }
        }))
        out.append(("decode Point (OpenSSL oct2point)", median(perRun: 256) {
            for e in xs { sink = try! Point.decompress(e, curve: curve, backend: .reference) }
        }))
        var asink = affine[0]
        out.append(("decode AffinePoint (fast)", median(perRun: 256) {
            for e in encodings { asink = try! AffinePoint(compressed: e, curve: curve, backend: .fast) }
        }))
        // The verifier's transcript: one absorbed point (SHA-256 over 1 + 32 +
        // 8 + 1 + 8 + 33 bytes) and one challenge (three SHA-256).
        var hsink = [UInt8]()
        out.append(("SHA-256 of 83 bytes (transcript append)", median(perRun: 2000) {
            let input = [UInt8](repeating: 0x5a, count: 83)
            for _ in 0..<2000 { hsink = SHA256.hash(input) }
        }))
        _ = hsink
        let somePoints = Array(points.prefix(256))
        let manyEncodings = points.prefix(2048).map { try! $0.compressed() }
        out.append(("decode AffinePoint.decodeAll (threads)", median(runs: 5, perRun: 2048) {
            _ = AffinePoint.decodeAll(manyEncodings, curve: curve)
        }))
        var fsink = FastAffinePoints([Point](), curve: curve)
        out.append(("Point → affine (OpenSSL get_affine)", median(perRun: 256) {
            fsink = FastAffinePoints(somePoints, curve: curve)
        }))
        out.append(("affine → Point (OpenSSL set_affine)", median(perRun: 256) {
            for a in affine.prefix(256) { sink = a.point }
        }))

        // Field arithmetic (dependent chains, so latency-bound).
        var x = F.coordinates(of: affine[1]).x
        let y = F.coordinates(of: affine[2]).y
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
        var j = FastJacobianPoint(affine[3]).doubled()
        out.append(("Jacobian double", median(perRun: 10_000) {
            for _ in 0..<10_000 { j = j.doubled() }
        }))
        out.append(("Jacobian + affine", median(perRun: 10_000) {
            for i in 0..<10_000 { j = j + affine[i & 1023] }
        }))
        out.append(("Jacobian + Jacobian", median(perRun: 10_000) {
            let q = FastJacobianPoint(affine[5]).doubled()
            for _ in 0..<10_000 { j = j + q }
        }))
        withExtendedLifetime((sink, jsink, asink, fsink, x, j)) {}
        return out
    }
}
