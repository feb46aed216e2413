public import ZKGroup

extension BulletproofsPlus {
    /// One proof's verification equation, multiplied by a weight ρ, as
    /// scalars on the shared bases `[g, h, G₀…G_{W−1}, H₀…H_{W−1}]` (W the
    /// batch's widest n·m') plus per-proof points (A, A1, B, Lⱼ, Rⱼ, Cⱼ).
    ///
    ///     ρ·( e²·Â + Σⱼ e²·eⱼ²·Lⱼ + Σⱼ e²·eⱼ⁻²·Rⱼ + e·A1 + B
    ///         − r'·e·Σᵢ y⁻ⁱ·sᵢ·Gᵢ − s'·e·Σᵢ sᵢ⁻¹·Hᵢ − r'·y·s'·g − δ'·h ) = 𝒪
    ///
    /// with Â = A − z·ΣGᵢ + Σ(z + dᵢ·y^{N−i})·Hᵢ + y^{N+1}·Σₖ z^{2(k+1)}·Vₖ + ζ·g,
    /// Vₖ = Σⱼ aₖⱼ·Cⱼ + bₖ·g recomputed here from the statement,
    /// dᵢ = z^{2(k+1)}·2ʲ for i = k·n + j with j < wₖ and 0 for j ≥ wₖ (the
    /// statement's widths, n for padding forms), and
    /// ζ = (z − z²)·Σᵢ₌₁ᴺ yⁱ − z·y^{N+1}·Σᵢ dᵢ.
    struct WeightedEquation {
        var baseScalars: [Scalar]
        var points: [AffinePoint]
        var scalars: [Scalar]
        /// Σ ρ·e²·z over the proofs of each length N: every such proof puts
        /// −ρ·e²·z on G₀…G_{N−1} and +ρ·e²·z on H₀…H_{N−1}, added once per
        /// length at the end (`addShifts`) rather than per proof.
        var shifts: [Int: Scalar] = [:]

        /// Adds the accumulated ±ρ·e²·z terms to the base scalars; W is the
        /// batch's widest N (H₀ sits at 2 + W).
        mutating func addShifts(width: Int) {
            for (count, shift) in shifts {
                for i in 0..<count {
                    baseScalars[2 + i] -= shift
                    baseScalars[2 + width + i] += shift
                }
            }
            shifts = [:]
        }
    }

    /// The Fiat–Shamir challenges of one proof: y, z, one eⱼ per round, and
    /// the final e.
    struct Challenges {
        let y: Scalar
        let z: Scalar
        let es: [Scalar]
        let e: Scalar
    }

    /// Replays the transcript: the statement, then the proof's messages in
    /// order, absorbing each point's encoding as it arrived.
    static func challenges(proof: RangeProof, statement: RangeStatement, generators: Generators,
                           commitmentPoints: [AffinePoint?]) -> Challenges {
        let curve = statement.curve
        let encodings = commitmentPoints.map { $0?.compressed() ?? [0x00] }
        var transcript = statement.transcript(generators: generators, commitmentEncodings: encodings)
        transcript.append("A", encodedPoint: proof.encodedPoint(0))
        let y = transcript.challengeScalar("y", curve: curve)
        let z = transcript.challengeScalar("z", curve: curve)
        var es = [Scalar]()
        es.reserveCapacity(proof.rounds)
        for j in 0..<proof.rounds {
            transcript.append("L", encodedPoint: proof.encodedPoint(3 + 2 * j))
            transcript.append("R", encodedPoint: proof.encodedPoint(4 + 2 * j))
            es.append(transcript.challengeScalar("e", curve: curve))
        }
        transcript.append("A1", encodedPoint: proof.encodedPoint(1))
        transcript.append("B", encodedPoint: proof.encodedPoint(2))
        let e = transcript.challengeScalar("e-final", curve: curve)
        return Challenges(y: y, z: z, es: es, e: e)
    }

    /// Adds ρ times one proof's equation to `eq`, given its challenges and
    /// the inverses y⁻¹ and eⱼ⁻¹ (computed for the whole batch at once).
    ///
    /// The per-index scalars are built by recurrences, three products per
    /// index i < N = 2ᵏ instead of evaluating each factor:
    ///
    /// - uᵢ = ρ·e·r'·y⁻ⁱ·sᵢ and vᵢ = ρ·e·s'·sᵢ⁻¹: for i = 2ᵗ + i' (t the
    ///   highest set bit of i), sᵢ = s_{i'}·e_{k−1−t}² and y⁻ⁱ = y^{−i'}·y^{−2ᵗ},
    ///   so u_i = u_{i'}·(e_{k−1−t}²·y^{−2ᵗ}) and v_i = v_{i'}·e_{k−1−t}⁻², from
    ///   u₀ = ρ·e·r'·Πⱼ eⱼ⁻¹ and v₀ = ρ·e·s'·Πⱼ eⱼ;
    /// - wᵢ = ρ·e²·dᵢ·y^{N−i}: in form block k (i = k·n + j, j < wₖ) it is
    ///   ρ·e²·z^{2(k+1)}·y^{N−k·n}·(2·y⁻¹)ʲ, one product per step;
    ///
    /// so that Gᵢ gets −ρ·e²·z − uᵢ and Hᵢ gets ρ·e²·z + wᵢ − vᵢ (the ±ρ·e²·z
    /// summed per length over the batch, `WeightedEquation.shifts`). The sums
    /// Σᵢ₌₁ᴺ yⁱ (by doubling: S(2M) = S(M)·(1 + y^M)) and Σᵢ dᵢ =
    /// Σₖ z^{2(k+1)}·(2^{wₖ} − 1) give ζ without the vectors.
    static func equation(
        proof: RangeProof, statement: RangeStatement, challenges c: Challenges,
        yInv: Scalar, esInv: ArraySlice<Scalar>, commitmentPoints: [AffinePoint?],
        width: Int, weight rho: Scalar, into eq: inout WeightedEquation
    ) {
        let curve = statement.curve
        let n = statement.bits, m = statement.paddedCount, N = n * m
        let k = statement.rounds
        precondition(proof.rounds == k && c.es.count == k && esInv.count == k, "decoded proofs always have the statement's round count")
        let zero = Scalar.zero(curve), one = Scalar.one(curve)
        let (y, z, e) = (c.y, c.z, c.e)
        let rhoE = rho * e
        let rhoE2 = rhoE * e
        let esSquared = c.es.map { $0 * $0 }
        let esInvSquared = esInv.map { $0 * $0 }

        // u and v by the highest bit of the index.
        var productE = one, productEInv = one
        for j in 0..<k { productE *= c.es[j]; productEInv *= esInv[esInv.startIndex + j] }
        var u = [Scalar](repeating: zero, count: N)
        var v = [Scalar](repeating: zero, count: N)
        u[0] = rhoE * proof.r1 * productEInv
        v[0] = rhoE * proof.s1 * productE
        var yInvToTwoT = yInv                      // y^{−2ᵗ}
        for t in 0..<k {
            let j = k - 1 - t, half = 1 << t
            let fu = esSquared[j] * yInvToTwoT, fv = esInvSquared[j]
            for i in 0..<half {
                u[half + i] = u[i] * fu
                v[half + i] = v[i] * fv
            }
            yInvToTwoT *= yInvToTwoT
        }

        // y^N and Σᵢ₌₁ᴺ yⁱ by doubling (N = 2ᵏ).
        var yToN = y, sumY = y
        for _ in 0..<k {
            sumY += sumY * yToN
            yToN *= yToN
        }
        let yN1 = yToN * y
        let zSquared = z * z
        eq.shifts[N, default: zero] += rhoE2 * z

        // Shared bases: Gᵢ and Hᵢ, form block by form block for w.
        let twoYInv = yInv + yInv
        let blockStep = zSquared * yInv.power(UInt64(n))  // z²·y^{−n}
        var blockStart = rhoE2 * zSquared * yToN           // ρ·e²·z^{2(k+1)}·y^{N−k·n}
        var zPower = zSquared
        var sumD = zero
        for (block, w) in statement.paddedWidths.enumerated() {
            var wi = blockStart
            var twoToW = one
            for j in 0..<n {
                let i = block * n + j
                eq.baseScalars[2 + i] -= u[i]
                if j < w {
                    eq.baseScalars[2 + width + i] += wi - v[i]
                    wi *= twoYInv
                    twoToW += twoToW
                } else {
                    eq.baseScalars[2 + width + i] -= v[i]
                }
            }
            sumD += zPower * (twoToW - one)
            blockStart *= blockStep
            zPower *= zSquared
        }

        // ζ and the forms' constants on g; the forms' coefficients on Cⱼ.
        let zeta = (z - zSquared) * sumY - z * yN1 * sumD
        var gScalar = rhoE2 * zeta - rho * proof.r1 * y * proof.s1
        var commitmentScalars = [Scalar](repeating: zero, count: statement.commitments.count)
        zPower = zSquared
        let rhoE2YN1 = rhoE2 * yN1
        for form in statement.forms {
            let weight = rhoE2YN1 * zPower
            gScalar += weight * form.constant
            for t in form.terms { commitmentScalars[t.index] += weight * t.coefficient }
            zPower *= zSquared
        }
        eq.baseScalars[0] += gScalar
        eq.baseScalars[1] -= rho * proof.d1

        // Per-proof points.
        eq.points.append(proof.a); eq.scalars.append(rhoE2)
        for j in 0..<k {
            eq.points.append(proof.l(j)); eq.scalars.append(rhoE2 * esSquared[j])
            eq.points.append(proof.r(j)); eq.scalars.append(rhoE2 * esInvSquared[j])
        }
        eq.points.append(proof.a1); eq.scalars.append(rhoE)
        eq.points.append(proof.b); eq.scalars.append(rho)
        for (j, point) in commitmentPoints.enumerated() {
            guard let point, !commitmentScalars[j].isZero else { continue }
            eq.points.append(point); eq.scalars.append(commitmentScalars[j])
        }
    }

    /// Verifies one proof against its statement.
    public static func verify(_ proof: RangeProof, for statement: RangeStatement, generators: Generators) throws(RangeProofError) {
        try check([(proof, statement)], weights: [.one(statement.curve)], generators: generators)
    }

    /// Verifies an encoded proof: strict decoding first, then the equation.
    public static func verify(encoded: [UInt8], for statement: RangeStatement, generators: Generators) throws(RangeProofError) {
        let proof = try RangeProof(encoded: encoded, for: statement)
        try verify(proof, for: statement, generators: generators)
    }

    /// Verifies many proofs at once: each equation is multiplied by an
    /// independent uniformly random nonzero weight ρ and all are summed into
    /// one multi-scalar multiplication that shares the generator terms.
    /// If any proof is invalid the sum is nonzero except with probability
    /// ≈ 1/n. A failed batch says nothing about which proof is bad: call
    /// `verify` on each to find out.
    public static func verifyBatch(_ items: [(RangeProof, RangeStatement)], generators: Generators) throws(RangeProofError) {
        var source = SystemRandom()
        try verifyBatch(items, generators: generators, using: &source)
    }

    /// `verifyBatch` with the weights drawn from `source`.
    public static func verifyBatch<R: RandomBytesSource>(_ items: [(RangeProof, RangeStatement)], generators: Generators, using source: inout R) throws(RangeProofError) {
        var weights = [Scalar]()
        for _ in items { weights.append(Scalar.random(generators.curve, using: &source)) }
        try check(items, weights: weights, generators: generators)
    }

    static func check(_ items: [(RangeProof, RangeStatement)], weights: [Scalar], generators: Generators) throws(RangeProofError) {
        guard !items.isEmpty else { return }
        let curve = generators.curve
        for (proof, statement) in items {
            guard statement.curve == curve, proof.a.curve == curve else { throw .curveMismatch }
            let k = statement.rounds
            guard proof.rounds == k else { throw .roundCount(expected: k, got: proof.rounds) }
        }
        // Every proof's challenges first, so that all their inverses cost
        // one field inversion (challenges are never zero).
        // Every statement's commitments in affine form, read from OpenSSL in
        // one pass; their encodings for the transcripts follow from them.
        let allCommitments = AffinePoint.converting(items.flatMap { $0.1.commitments.map(\.point) }, curve: curve)
        var commitmentPoints = [[AffinePoint?]]()
        commitmentPoints.reserveCapacity(items.count)
        var start = 0
        for (_, statement) in items {
            commitmentPoints.append(Array(allCommitments[start..<(start + statement.commitments.count)]))
            start += statement.commitments.count
        }
        let replayed = zip(items, commitmentPoints).map { item, points in
            Self.challenges(proof: item.0, statement: item.1, generators: generators, commitmentPoints: points)
        }
        var toInvert = [Scalar]()
        toInvert.reserveCapacity(replayed.reduce(0) { $0 + 1 + $1.es.count })
        for c in replayed { toInvert.append(c.y); toInvert.append(contentsOf: c.es) }
        guard let inverses = Scalar.batchInverse(toInvert) else { preconditionFailure("challenge is never zero") }

        let width = items.map { $0.1.totalBits }.max()!
        var eq = WeightedEquation(baseScalars: [Scalar](repeating: .zero(curve), count: 2 + 2 * width), points: [], scalars: [])
        eq.points.reserveCapacity(items.reduce(0) { $0 + 3 + 2 * $1.1.rounds + $1.1.commitments.count })
        eq.scalars.reserveCapacity(eq.points.capacity)
        var offset = 0
        for (index, ((proof, statement), rho)) in zip(items, weights).enumerated() {
            let c = replayed[index]
            let k = c.es.count
            equation(proof: proof, statement: statement, challenges: c,
                     yInv: inverses[offset], esInv: inverses[(offset + 1)...(offset + k)],
                     commitmentPoints: commitmentPoints[index], width: width, weight: rho, into: &eq)
            offset += 1 + k
        }
        eq.addShifts(width: width)
        guard MSM.isIdentity(prepared: generators.prepared(width), scalars: eq.baseScalars,
                             extraScalars: eq.scalars, extraAffine: eq.points) else { throw .verificationFailed }
    }
}
