public import ZKGroup

/// A public affine form over committed values: f(x) = Σⱼ aⱼ·xⱼ + b.
///
/// Applied to commitments it gives the point the verifier computes itself,
///
///     V = Σⱼ aⱼ·Cⱼ + b·G,
///
/// which commits to f(v) with blinding Σⱼ aⱼ·rⱼ. A range proof over V shows
/// f(v) ∈ [0, 2ʷ) (w the form's width in the statement) without revealing
/// any vⱼ.
///
/// Invariant: terms are sorted by strictly increasing index and no
/// coefficient is zero, so equal forms have equal representations (and
/// absorb identically into a transcript).
public struct AffineForm: Sendable, Hashable {
    public struct Term: Sendable, Hashable {
        public let index: Int
        public let coefficient: Scalar
    }

    public let terms: [Term]
    public let constant: Scalar

    /// Normalises `terms`: merges repeated indices, drops zero coefficients,
    /// sorts by index. Precondition: indices ≥ 0, every scalar on `curve`.
    public init(curve: Curve, terms: [(index: Int, coefficient: Scalar)], constant: Scalar? = nil) {
        var merged: [Int: Scalar] = [:]
        for (index, coefficient) in terms {
            precondition(index >= 0, "negative commitment index")
            precondition(coefficient.curve == curve, "coefficient on another curve")
            merged[index] = (merged[index] ?? .zero(curve)) + coefficient
        }
        self.terms = merged.filter { !$0.value.isZero }.sorted { $0.key < $1.key }.map { Term(index: $0.key, coefficient: $0.value) }
        self.constant = constant ?? .zero(curve)
        precondition(self.constant.curve == curve, "constant on another curve")
    }

    /// The form xᵢ: a single commitment with coefficient 1.
    public static func variable(_ index: Int, curve: Curve) -> AffineForm {
        AffineForm(curve: curve, terms: [(index, .one(curve))])
    }

    /// f(values) mod n.
    public func evaluate(_ values: [Scalar]) -> Scalar {
        var acc = constant
        for t in terms { acc += t.coefficient * values[t.index] }
        return acc
    }

    /// Σⱼ aⱼ·rⱼ: the blinding factor of V for the given blindings.
    func combinedBlinding(_ blindings: [Scalar]) -> Scalar {
        var acc = Scalar.zero(constant.curve)
        for t in terms { acc += t.coefficient * blindings[t.index] }
        return acc
    }
}
