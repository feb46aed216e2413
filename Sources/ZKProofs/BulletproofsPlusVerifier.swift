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
        var points: [Point]
        var scalars: [Scalar]
    }

    static func equation(
        proof: RangeProof, statement: RangeStatement, generators: Generators,
        width: Int, weight rho: Scalar, into eq: inout WeightedEquation
    ) {
        let curve = statement.curve
        let n = statement.bits, m = statement.paddedCount, N = n * m
        let k = statement.rounds
        precondition(proof.ls.count == k && proof.rs.count == k, "decoded proofs always have the statement's round count")

        var transcript = statement.transcript(generators: generators)
        transcript.append("A", point: proof.a)
        let y = transcript.challengeScalar("y", curve: curve)
        let z = transcript.challengeScalar("z", curve: curve)
        var es = [Scalar]()
        for j in 0..<k {
            transcript.append("L", point: proof.ls[j])
            transcript.append("R", point: proof.rs[j])
            es.append(transcript.challengeScalar("e", curve: curve))
        }
        transcript.append("A1", point: proof.a1)
        transcript.append("B", point: proof.b)
        let e = transcript.challengeScalar("e-final", curve: curve)

        // Challenges are never zero, so the inverses exist.
        let inverses = Scalar.batchInverse([y] + es)!
        let yInv = inverses[0]
        let esInv = Array(inverses[1...])
        let eSquared = e * e
        let rhoE2 = rho * eSquared

        // sᵢ = Πⱼ eⱼ^{±1}: +1 where bit (k−1−j) of i is set (round j splits on it).
        var s = [Scalar](repeating: .zero(curve), count: N)
        var sInv = [Scalar](repeating: .zero(curve), count: N)
        s[0] = esInv.reduce(.one(curve), *)
        sInv[0] = es.reduce(.one(curve), *)
        let esSquared = es.map { $0 * $0 }
        let esInvSquared = esInv.map { $0 * $0 }
        if N > 1 {
            for i in 1..<N {
                let t = Int.bitWidth - 1 - i.leadingZeroBitCount   // highest set bit of i
                let j = k - 1 - t
                s[i] = s[i - (1 << t)] * esSquared[j]
                sInv[i] = sInv[i - (1 << t)] * esInvSquared[j]
            }
        }

        let yPowers = y.powers(count: N + 2)
        let d = dVector(z: z, n: n, widths: statement.paddedWidths)
        let yN1 = yPowers[N + 1]

        // Shared bases.
        let minusRhoE2Z = -(rhoE2 * z)
        let rhoER1 = rho * e * proof.r1
        let rhoES1 = rho * e * proof.s1
        var yInvPower = Scalar.one(curve)
        for i in 0..<N {
            eq.baseScalars[2 + i] += minusRhoE2Z - rhoER1 * yInvPower * s[i]
            eq.baseScalars[2 + width + i] += rhoE2 * (z + d[i] * yPowers[N - i]) - rhoES1 * sInv[i]
            yInvPower *= yInv
        }

        // ζ and the forms' constants on g; the forms' coefficients on Cⱼ.
        let zSquared = z * z
        var sumY = Scalar.zero(curve)
        for i in 1...N { sumY += yPowers[i] }
        var sumD = Scalar.zero(curve)
        for di in d { sumD += di }
        let zeta = (z - zSquared) * sumY - z * yN1 * sumD
        var gScalar = rhoE2 * zeta - rho * proof.r1 * yPowers[1] * proof.s1
        var commitmentScalars = [Scalar](repeating: .zero(curve), count: statement.commitments.count)
        var zPower = zSquared
        for form in statement.forms {
            let w = rhoE2 * yN1 * zPower
            gScalar += w * form.constant
            for t in form.terms { commitmentScalars[t.index] += w * t.coefficient }
            zPower *= zSquared
        }
        eq.baseScalars[0] += gScalar
        eq.baseScalars[1] -= rho * proof.d1

        // Per-proof points.
        eq.points.append(proof.a); eq.scalars.append(rhoE2)
        for j in 0..<k {
            eq.points.append(proof.ls[j]); eq.scalars.append(rhoE2 * esSquared[j])
            eq.points.append(proof.rs[j]); eq.scalars.append(rhoE2 * esInvSquared[j])
        }
        eq.points.append(proof.a1); eq.scalars.append(rho * e)
        eq.points.append(proof.b); eq.scalars.append(rho)
        for (j, c) in statement.commitments.enumerated() where !commitmentScalars[j].isZero {
            eq.points.append(c.point); eq.scalars.append(commitmentScalars[j])
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
            guard proof.ls.count == k, proof.rs.count == k else { throw .roundCount(expected: k, got: proof.ls.count) }
        }
        let width = items.map { $0.1.totalBits }.max()!
        var eq = WeightedEquation(baseScalars: [Scalar](repeating: .zero(curve), count: 2 + 2 * width), points: [], scalars: [])
        for ((proof, statement), rho) in zip(items, weights) {
            equation(proof: proof, statement: statement, generators: generators, width: width, weight: rho, into: &eq)
        }
        let result = MSM.compute(prepared: generators.prepared(width), scalars: eq.baseScalars, extraScalars: eq.scalars, extraPoints: eq.points)
        guard result.isIdentity else { throw .verificationFailed }
    }
}
