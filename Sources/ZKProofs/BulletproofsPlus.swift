public import ZKGroup

/// Bulletproofs+ aggregated range proofs over affine forms of commitments.
///
/// See `BulletproofsPlus.md` next to this file for the protocol written out
/// with the same names as the code.
public enum BulletproofsPlus {
    public static let protocolLabel = "zkmargin/bulletproofs-plus/v1"

    // MARK: Prover

    /// Proves that every form of `statement` has its value in [0, 2ⁿ).
    ///
    /// - Parameters:
    ///   - openings: one per commitment, in order; checked against the
    ///     commitments before anything else.
    ///   - source: randomness for α, the round blindings and the final
    ///     masks. `SystemRandom` in production.
    /// - Throws: `.openingCount`, `.openingMismatch` if an opening does not
    ///   open its commitment, `.valueOutOfRange` if a form's value is not in
    ///   [0, 2ⁿ) (no proof is produced for a false statement).
    public static func prove<R: RandomBytesSource>(
        _ statement: RangeStatement,
        openings: [Opening],
        generators: Generators,
        using source: inout R
    ) throws(RangeProofError) -> RangeProof {
        let curve = statement.curve
        guard generators.curve == curve else { throw .curveMismatch }
        guard openings.count == statement.commitments.count else {
            throw .openingCount(expected: statement.commitments.count, got: openings.count)
        }
        for (j, (c, o)) in zip(statement.commitments, openings).enumerated() {
            guard o.value.curve == curve, Commitment(o, generators: generators) == c else { throw .openingMismatch(index: j) }
        }

        let n = statement.bits
        let m = statement.paddedCount
        let N = n * m
        // Every secret buffer this function owns is wiped before it returns
        // or throws (best effort: temporaries Swift makes along the way are
        // freed unwiped; SECURITY.md, "Secrets in memory").
        var values = openings.map(\.value)
        var blindings = openings.map(\.blinding)
        defer { secureZero(&values); secureZero(&blindings) }

        // Each form's value vₖ and blinding γₖ; padding forms are (0, 0).
        var v = [Scalar](repeating: .zero(curve), count: m)
        var gamma = [Scalar](repeating: .zero(curve), count: m)
        defer { secureZero(&v); secureZero(&gamma) }
        for (k, form) in statement.forms.enumerated() {
            v[k] = form.evaluate(values)
            guard v[k].fitsIn(bits: n) else { throw .valueOutOfRange(form: k) }
            gamma[k] = form.combinedBlinding(blindings)
        }

        let zero = Scalar.zero(curve), one = Scalar.one(curve)
        let (gVec, hVec) = generators.vectors(N)
        var transcript = statement.transcript(generators: generators)

        // a_L: the bits of every value; a_R = a_L − 1. No branch on a bit:
        // a_L,i is built from the bit's integer value, a_R,i by the
        // branch-free subtraction.
        var aL = [Scalar](), aR = [Scalar]()
        aL.reserveCapacity(N); aR.reserveCapacity(N)
        defer { secureZero(&aL); secureZero(&aR) }
        for k in 0..<m {
            var bytes = v[k].bytes
            for i in 0..<n {
                let bit = (bytes[31 - i / 8] >> UInt8(i % 8)) & 1
                let l = Scalar(UInt64(bit), curve: curve)
                aL.append(l)
                aR.append(l - one)
            }
            secureZero(&bytes)
        }

        // A = ⟨a_L, G⟩ + ⟨a_R, H⟩ + α·h
        var alpha = Scalar.random(curve, using: &source)
        defer { secureZero(&alpha) }
        var aScalars = aL + aR + [alpha]
        let A = SecretMSM.compute(scalars: aScalars, points: Array(gVec) + Array(hVec) + [generators.h])
        secureZero(&aScalars)
        transcript.append("A", point: A)
        let y = transcript.challengeScalar("y", curve: curve)
        let z = transcript.challengeScalar("z", curve: curve)

        // y powers y⁰ … y^{N+1}; d = Σₖ z^{2(k+1)}·(0…0 ‖ 2ⁿ ‖ 0…0).
        let yPowers = y.powers(count: N + 2)
        let d = Self.dVector(z: z, n: n, m: m)
        let zSquared = z * z

        // â_L = a_L − z·1,  â_R = a_R + z·1 + d ∘ ←y  (←y)ᵢ = y^{N−i}
        var a = aL.map { $0 - z }
        var b = (0..<N).map { i in aR[i] + z + d[i] * yPowers[N - i] }
        defer { secureZero(&a); secureZero(&b) }
        // α̂ = α + Σₖ z^{2(k+1)}·y^{N+1}·γₖ
        var alphaHat = alpha
        defer { secureZero(&alphaHat) }
        var zPower = zSquared
        for k in 0..<m {
            alphaHat += zPower * yPowers[N + 1] * gamma[k]
            zPower *= zSquared
        }

        // Weighted inner-product argument.
        var gs = Array(gVec), hs = Array(hVec)
        var ls = [Point](), rs = [Point]()
        var length = N
        guard let yInv = y.inverse() else { preconditionFailure("challenge is never zero") }
        while length > 1 {
            let half = length / 2
            let yHalf = yPowers[half], yHalfInv = yInv.power(UInt64(half))
            var cL = zero, cR = zero
            for i in 0..<half {
                cL += a[i] * b[half + i] * yPowers[i + 1]
                cR += a[half + i] * yHalf * b[i] * yPowers[i + 1]
            }
            var dL = Scalar.random(curve, using: &source)
            var dR = Scalar.random(curve, using: &source)
            // L = ⟨a₁·y^{−N̂}, G₂⟩ + ⟨b₂, H₁⟩ + c_L·g + d_L·h
            var lScalars = a[0..<half].map { $0 * yHalfInv } + Array(b[half..<length]) + [cL, dL]
            let L = SecretMSM.compute(
                scalars: lScalars,
                points: Array(gs[half..<length]) + Array(hs[0..<half]) + [generators.g, generators.h])
            // R = ⟨a₂·y^{N̂}, G₁⟩ + ⟨b₁, H₂⟩ + c_R·g + d_R·h
            var rScalars = a[half..<length].map { $0 * yHalf } + Array(b[0..<half]) + [cR, dR]
            let R = SecretMSM.compute(
                scalars: rScalars,
                points: Array(gs[0..<half]) + Array(hs[half..<length]) + [generators.g, generators.h])
            secureZero(&lScalars); secureZero(&rScalars); secureZero(&cL); secureZero(&cR)
            ls.append(L); rs.append(R)
            transcript.append("L", point: L)
            transcript.append("R", point: R)
            let e = transcript.challengeScalar("e", curve: curve)
            guard let eInv = e.inverse() else { preconditionFailure("challenge is never zero") }
            let eYHalfInv = e * yHalfInv
            // Ĝ = e⁻¹·G₁ + e·y^{−N̂}·G₂,  Ĥ = e·H₁ + e⁻¹·H₂  (public: fast MSM)
            var newG = [Point](), newH = [Point]()
            newG.reserveCapacity(half); newH.reserveCapacity(half)
            for i in 0..<half {
                newG.append(MSM.compute(scalars: [eInv, eYHalfInv], points: [gs[i], gs[half + i]]))
                newH.append(MSM.compute(scalars: [e, eInv], points: [hs[i], hs[half + i]]))
            }
            // â = e·a₁ + y^{N̂}·e⁻¹·a₂,  b̂ = e⁻¹·b₁ + e·b₂,  α̂ += d_L·e² + d_R·e⁻²
            let yHalfEInv = yHalf * eInv
            let newA = (0..<half).map { i in a[i] * e + a[half + i] * yHalfEInv }
            let newB = (0..<half).map { i in b[i] * eInv + b[half + i] * e }
            secureZero(&a); secureZero(&b)
            a = newA; b = newB
            alphaHat += dL * e * e + dR * eInv * eInv
            secureZero(&dL); secureZero(&dR)
            gs = newG; hs = newH
            length = half
        }

        // Final round (N = 1): a, b are scalars, G, H single points.
        var r = Scalar.random(curve, using: &source)
        var s = Scalar.random(curve, using: &source)
        var delta = Scalar.random(curve, using: &source)
        var eta = Scalar.random(curve, using: &source)
        defer { secureZero(&r); secureZero(&s); secureZero(&delta); secureZero(&eta) }
        let y1 = yPowers[1]
        // A1 = r·G + s·H + (r·y·b + s·y·a)·g + δ·h,  B = (r·y·s)·g + η·h
        var a1Scalars = [r, s, r * y1 * b[0] + s * y1 * a[0], delta]
        let A1 = SecretMSM.compute(scalars: a1Scalars, points: [gs[0], hs[0], generators.g, generators.h])
        var bScalars = [r * y1 * s, eta]
        let B = SecretMSM.compute(scalars: bScalars, points: [generators.g, generators.h])
        secureZero(&a1Scalars); secureZero(&bScalars)
        transcript.append("A1", point: A1)
        transcript.append("B", point: B)
        let e = transcript.challengeScalar("e-final", curve: curve)
        // r' = r + a·e,  s' = s + b·e,  δ' = η + δ·e + α̂·e²  (public: they are the proof)
        let r1 = r + a[0] * e
        let s1 = s + b[0] * e
        let d1 = eta + delta * e + alphaHat * e * e
        return RangeProof(a: A, a1: A1, b: B, ls: ls, rs: rs, r1: r1, s1: s1, d1: d1)
    }

    /// dᵢ for i = k·n + j: z^{2(k+1)}·2ʲ.
    static func dVector(z: Scalar, n: Int, m: Int) -> [Scalar] {
        let curve = z.curve
        let two = Scalar(2, curve: curve)
        let twoPowers = two.powers(count: n)
        let zSquared = z * z
        var out = [Scalar]()
        out.reserveCapacity(n * m)
        var zPower = zSquared
        for _ in 0..<m {
            for j in 0..<n { out.append(zPower * twoPowers[j]) }
            zPower *= zSquared
        }
        return out
    }
}

extension Scalar {
    /// Whether the canonical value is < 2^bits. Reads every high byte (no
    /// early exit) and wipes its copy of the value.
    func fitsIn(bits: Int) -> Bool {
        var bytes = self.bytes
        defer { secureZero(&bytes) }
        let fullBytes = 32 - bits / 8
        var high: UInt8 = 0
        for byte in bytes[0..<fullBytes] { high |= byte }
        return high == 0
    }
}
