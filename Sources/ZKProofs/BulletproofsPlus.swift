public import ZKGroup

/// Bulletproofs+ aggregated range proofs over affine forms of commitments.
///
/// See `BulletproofsPlus.md` next to this file for the protocol written out
/// with the same names as the code.
public enum BulletproofsPlus {
    /// v2: the statement absorbs each form's width (v1 had one width n for
    /// every form); v1 proofs do not verify under v2.
    public static let protocolLabel = "zkmargin/bulletproofs-plus/v2"

    // MARK: Prover

    /// Proves that every form fₖ of `statement` has its value in [0, 2^{wₖ}),
    /// wₖ = `statement.widths[k]`.
    ///
    /// - Parameters:
    ///   - openings: one per commitment, in order; checked against the
    ///     commitments before anything else.
    ///   - source: randomness for α, the round blindings and the final
    ///     masks. `SystemRandom` in production.
    /// - Throws: `.openingCount`, `.openingMismatch` if an opening does not
    ///   open its commitment, `.valueOutOfRange` if a form's value is not in
    ///   [0, 2^{wₖ}) (no proof is produced for a false statement).
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

        // Every secret buffer this function owns is wiped before it returns
        // or throws (best effort: temporaries Swift makes along the way are
        // freed unwiped; SECURITY.md, "Secrets in memory").
        var values = openings.map(\.value)
        var blindings = openings.map(\.blinding)
        defer { secureZero(&values); secureZero(&blindings) }

        // Each form's value vₖ and blinding γₖ; padding forms are (0, 0).
        let m = statement.paddedCount
        var v = [Scalar](repeating: .zero(curve), count: m)
        var gamma = [Scalar](repeating: .zero(curve), count: m)
        defer { secureZero(&v); secureZero(&gamma) }
        for (k, form) in statement.forms.enumerated() {
            v[k] = form.evaluate(values)
            // Declassified ("the prover's refusal"): whether vₖ is in range.
            guard ConstantTimeCheck.declassified(v[k].fitsIn(bits: statement.widths[k])) else { throw .valueOutOfRange(form: k) }
            gamma[k] = form.combinedBlinding(blindings)
        }

        let widths = statement.paddedWidths
        var (aL, aR) = bitVectors(v, widths: widths, n: statement.bits)
        defer { secureZero(&aL); secureZero(&aR) }
        return prove(statement, aL: aL, aR: aR, gamma: gamma, widths: widths, generators: generators, using: &source)
    }

    /// a_L: for each value vₖ its block of n bits, little-endian, the bits
    /// j ≥ wₖ set to 0 (padding bits); a_R = a_L − 1.
    ///
    /// No branch or memory index depends on a value: a_L,i is built from the
    /// bit's integer value, a_R,i by the branch-free subtraction; the only
    /// branch is on the public j < wₖ.
    static func bitVectors(_ v: [Scalar], widths: [Int], n: Int) -> (aL: [Scalar], aR: [Scalar]) {
        precondition(v.count == widths.count, "one width per value")
        let curve = v[0].curve
        let one = Scalar.one(curve)
        var aL = [Scalar](), aR = [Scalar]()
        aL.reserveCapacity(n * v.count); aR.reserveCapacity(n * v.count)
        for (value, width) in zip(v, widths) {
            var bytes = value.bytes
            for j in 0..<n {
                let bit = j < width ? (bytes[31 - j / 8] >> UInt8(j % 8)) & 1 : 0
                let l = Scalar(UInt64(bit), curve: curve)
                aL.append(l)
                aR.append(l - one)
            }
            secureZero(&bytes)
        }
        return (aL, aR)
    }

    /// The proof for the bit vectors a_L, a_R (length n·m') and the forms'
    /// blindings γₖ (m' of them), with d built from `widths` (one per form,
    /// padding forms included). It checks nothing: `prove` calls it with the
    /// bits of values it range-checked and `statement.paddedWidths`; tests
    /// call it with dishonest bits or widths, to show the verifier refuses
    /// what comes out.
    static func prove<R: RandomBytesSource>(
        _ statement: RangeStatement, aL: [Scalar], aR: [Scalar], gamma: [Scalar], widths: [Int],
        generators: Generators, using source: inout R
    ) -> RangeProof {
        let curve = statement.curve
        let n = statement.bits, m = statement.paddedCount, N = n * m
        precondition(aL.count == N && aR.count == N && gamma.count == m && widths.count == m, "witness of the statement's shape")
        let (gVec, hVec) = generators.affineVectors(N)
        let (g, h) = generators.affineBases
        var transcript = statement.transcript(generators: generators)

        // A = ⟨a_L, G⟩ + ⟨a_R, H⟩ + α·h: for bits, each pair contributes Gᵢ
        // (a_L,i = 1) or −Hᵢ (a_L,i = 0), chosen by masked select.
        var alpha = Scalar.random(curve, using: &source)
        defer { secureZero(&alpha) }
        var alphaTerm = [alpha]
        let A = SecretMSM.computeBitVectors(left: aL, right: aR, gs: Array(gVec), hs: Array(hVec),
                                            scalars: alphaTerm, points: [h], curve: curve)
        secureZero(&alphaTerm)
        transcript.append("A", point: A)
        let y = transcript.challengeScalar("y", curve: curve)
        let z = transcript.challengeScalar("z", curve: curve)

        // y powers y⁰ … y^{N+1}; d = Σₖ z^{2(k+1)}·(0…0 ‖ 2⁰ … 2^{wₖ−1} ‖ 0^{n−wₖ} ‖ 0…0).
        let yPowers = y.powers(count: N + 2)
        let d = Self.dVector(z: z, n: n, widths: widths)
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
        return weightedInnerProduct(a: &a, b: &b, alphaHat: &alphaHat, y: y, yPowers: yPowers, A: A,
                                    gs: Array(gVec), hs: Array(hVec), g: g, h: h,
                                    transcript: &transcript, using: &source)
    }

    /// The weighted inner-product argument on (â, b̂, α̂) over the bases
    /// (G, H), then the final round (N = 1); A is the proof's first message,
    /// already absorbed. Wipes what it folds; the caller wipes `a`, `b`,
    /// `alphaHat` as they are left.
    static func weightedInnerProduct<R: RandomBytesSource>(
        a: inout [Scalar], b: inout [Scalar], alphaHat: inout Scalar, y: Scalar, yPowers: [Scalar], A: Point,
        gs: [AffinePoint?], hs: [AffinePoint?], g: AffinePoint?, h: AffinePoint?,
        transcript: inout Transcript, using source: inout R
    ) -> RangeProof {
        let curve = y.curve
        let zero = Scalar.zero(curve)
        // The folded generators are kept as G = f_G·G̃ and H = f_H·H̃ with
        // public scalars f_G, f_H (both 1 at the start): a fold then costs
        // one scalar multiplication per point instead of two, and the
        // factors ride on the (cheap) scalars of the next MSM.
        var gs = gs, hs = hs
        var gFactor = Scalar.one(curve), hFactor = Scalar.one(curve)
        var ls = [Point](), rs = [Point]()
        // The generator vectors stay in the fast arithmetic's affine form
        // from the first round to the last (nil would be the identity).
        var length = a.count
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
            let gHalfInv = yHalfInv * gFactor, gHalf = yHalf * gFactor
            var lScalars = a[0..<half].map { $0 * gHalfInv } + b[half..<length].map { $0 * hFactor } + [cL, dL]
            let lPoints = Array(gs[half..<length]) + Array(hs[0..<half]) + [g, h]
            // R = ⟨a₂·y^{N̂}, G₁⟩ + ⟨b₁, H₂⟩ + c_R·g + d_R·h
            var rScalars = a[half..<length].map { $0 * gHalf } + b[0..<half].map { $0 * hFactor } + [cR, dR]
            let rPoints = Array(gs[0..<half]) + Array(hs[half..<length]) + [g, h]
            // Small sums side by side; large ones use every thread each.
            let sumL = { SecretMSM.compute(scalars: lScalars, affine: lPoints, curve: curve) }
            let sumR = { SecretMSM.compute(scalars: rScalars, affine: rPoints, curve: curve) }
            let (L, R) = lScalars.count < SecretMSM.parallelTerms ? IndependentPair.run(sumL, sumR) : (sumL(), sumR())
            secureZero(&lScalars); secureZero(&rScalars); secureZero(&cL); secureZero(&cR)
            ls.append(L); rs.append(R)
            transcript.append("L", point: L)
            transcript.append("R", point: R)
            let e = transcript.challengeScalar("e", curve: curve)
            guard let eInv = e.inverse() else { preconditionFailure("challenge is never zero") }
            // Ĝ = e⁻¹·G₁ + e·y^{−N̂}·G₂ = (f_G·e⁻¹)·(G̃₁ + e²·y^{−N̂}·G̃₂),
            // Ĥ = e·H₁ + e⁻¹·H₂ = (f_H·e)·(H̃₁ + e⁻²·H̃₂)  (public: variable time)
            let gStep = e * e * yHalfInv, hStep = eInv * eInv
            let (newG, newH) = IndependentPair.run({ MSM.foldPairs(Array(gs[0..<half]), Array(gs[half..<length]), by: gStep) },
                                                   { MSM.foldPairs(Array(hs[0..<half]), Array(hs[half..<length]), by: hStep) })
            gFactor *= eInv
            hFactor *= e
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
        var a1Scalars = [r * gFactor, s * hFactor, r * y1 * b[0] + s * y1 * a[0], delta]
        let A1 = SecretMSM.compute(scalars: a1Scalars, affine: [gs[0], hs[0], g, h], curve: curve)
        var bScalars = [r * y1 * s, eta]
        let B = SecretMSM.compute(scalars: bScalars, affine: [g, h], curve: curve)
        secureZero(&a1Scalars); secureZero(&bScalars)
        transcript.append("A1", point: A1)
        transcript.append("B", point: B)
        let e = transcript.challengeScalar("e-final", curve: curve)
        // r' = r + a·e,  s' = s + b·e,  δ' = η + δ·e + α̂·e²  (public: they are the proof)
        var r1 = r + a[0] * e
        var s1 = s + b[0] * e
        var d1 = eta + delta * e + alphaHat * e * e
        ConstantTimeCheck.declassify(&r1); ConstantTimeCheck.declassify(&s1); ConstantTimeCheck.declassify(&d1)  // published
        return RangeProof(a: A, a1: A1, b: B, ls: ls, rs: rs, r1: r1, s1: s1, d1: d1)
    }

    /// dᵢ for i = k·n + j: z^{2(k+1)}·2ʲ when j < wₖ, 0 when j ≥ wₖ (the
    /// padding bits weigh nothing). `widths` has one entry per form, padding
    /// forms included (m' in all).
    static func dVector(z: Scalar, n: Int, widths: [Int]) -> [Scalar] {
        let curve = z.curve
        let zero = Scalar.zero(curve)
        let twoPowers = Scalar(2, curve: curve).powers(count: n)
        let zSquared = z * z
        var out = [Scalar]()
        out.reserveCapacity(n * widths.count)
        var zPower = zSquared
        for w in widths {
            for j in 0..<n { out.append(j < w ? zPower * twoPowers[j] : zero) }
            zPower *= zSquared
        }
        return out
    }
}

extension Scalar {
    /// Whether the canonical value is < 2^bits, for any bits in 0…256.
    /// Constant time in the value: reads all 32 bytes, masks each with a
    /// mask that depends on `bits` and the byte's position only, no early
    /// exit; wipes its copy of the value.
    func fitsIn(bits: Int) -> Bool {
        precondition((0...256).contains(bits), "a scalar has 256 bits")
        var bytes = self.bytes
        defer { secureZero(&bytes) }
        var high: UInt8 = 0
        for q in 0..<32 {
            // bytes[31 − q] holds bits 8q … 8q + 7; the low `allowed` of them may be set.
            let allowed = Swift.min(Swift.max(bits - 8 * q, 0), 8)
            high |= bytes[31 - q] & UInt8(truncatingIfNeeded: 0xff << allowed)
        }
        return high == 0
    }
}
