public import ZKGroup

/// A proof that some of a list of Pedersen commitments open to zero,
/// revealing nothing else: what a holder shows for the elements it does not
/// hide among (they hold nothing), so that they drop out of the range proofs.
///
/// For commitments Cᵢ = vᵢ·g + rᵢ·h, i ∈ Z (the indices claimed zero), the
/// prover reveals ρ = Σᵢ cᵢ·rᵢ for weights cᵢ drawn from a transcript, and
/// the verifier checks
///
///     Σᵢ cᵢ·Cᵢ − ρ·h = 𝒪.
///
/// The transcript (`protocolLabel`) absorbs, before any weight is drawn, the
/// caller's context (the margin proof's bundle, statement digest, account,
/// epoch and claims), the curve, every commitment of the list (all of them,
/// in order, not only those claimed zero) and the ascending indices of Z;
/// each weight is then a 64-byte challenge reduced mod n, never zero.
///
/// **Soundness.** The left side is (Σ cᵢ·vᵢ)·g + (Σ cᵢ·rᵢ − ρ)·h. With g and
/// h of unknown relative discrete log, the check forces Σ cᵢ·vᵢ = 0; the
/// weights are fixed by the transcript only after every commitment is, so a
/// prover with some vᵢ ≠ 0 meets it with probability 1/n per attempt.
/// **Zero knowledge.** ρ is a sum of uniformly random blindings with nonzero
/// weights: itself uniform, independent of anything else the prover shows.
/// The values are zero, so nothing about them is hidden or revealed.
public enum ZeroOpenings {
    public static let protocolLabel = "zkmargin/zero-openings/v1"

    /// The weights cᵢ for `indices` (ascending, each < commitments.count).
    static func weights(context: [UInt8], commitments: [Commitment], indices: [Int], curve: Curve) -> [Scalar] {
        var t = Transcript(protocolLabel: protocolLabel)
        t.append("context", context)
        t.append("curve", string: curve.rawValue)
        t.append("commitments", u64: UInt64(commitments.count))
        for c in commitments { t.append("C", point: c.point) }
        t.append("zero", u64: UInt64(indices.count))
        for i in indices { t.append("index", u64: UInt64(i)) }
        return indices.map { _ in t.challengeScalar("c", curve: curve) }
    }

    /// ρ = Σ cᵢ·rᵢ, from the blindings of the commitments at `indices`
    /// (one per index, in the same order). Precondition: indices ascending
    /// and in range; each opening's value is zero (a caller that commits
    /// zero and proves it).
    public static func prove(context: [UInt8], commitments: [Commitment], indices: [Int], openings: [Opening]) -> Scalar {
        precondition(indices.count == openings.count, "one opening per index")
        precondition(zip(indices, indices.dropFirst()).allSatisfy { $0 < $1 } && (indices.last.map { $0 < commitments.count } ?? true),
                     "indices ascending and in range")
        precondition(!commitments.isEmpty, "a list of commitments")
        let curve = commitments[0].point.curve
        let c = weights(context: context, commitments: commitments, indices: indices, curve: curve)
        var rho = Scalar.zero(curve)
        for (ci, o) in zip(c, openings) { rho += ci * o.blinding }
        // Declassified ("zero opening"): ρ is published in the proof.
        ConstantTimeCheck.declassify(&rho)
        return rho
    }

    /// Whether ρ shows every commitment at `indices` to open to zero. False
    /// for indices that are not ascending or out of range, a scalar on
    /// another curve, or any nonzero value.
    public static func verify(context: [UInt8], commitments: [Commitment], indices: [Int], rho: Scalar, generators: Generators) -> Bool {
        guard zip(indices, indices.dropFirst()).allSatisfy({ $0 < $1 }), indices.allSatisfy({ $0 >= 0 && $0 < commitments.count }) else { return false }
        guard !indices.isEmpty else { return rho.isZero }
        let curve = generators.curve
        guard rho.curve == curve, commitments.allSatisfy({ $0.point.curve == curve }) else { return false }
        let c = weights(context: context, commitments: commitments, indices: indices, curve: curve)
        let sum = MSM.compute(scalars: c + [-rho], points: indices.map { commitments[$0].point } + [generators.h])
        return sum.isIdentity
    }
}
