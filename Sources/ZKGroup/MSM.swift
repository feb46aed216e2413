import CLibCrypto

/// Multi-scalar multiplication Σᵢ kᵢ·Pᵢ over public scalars and points.
///
/// This is the one entry point every prover and verifier uses. It is
/// variable-time: call it only when every scalar is public (verification
/// equations, challenges, public coefficients). Secrets go through
/// `Point.multiplied(by:)`.
///
/// Correct for zero terms (the identity), one term, repeated bases, zero
/// scalars and identity points.
public enum MSM {
    /// Σᵢ scalars[i]·points[i]. Precondition: equal counts, one curve.
    public static func compute(scalars: [Scalar], points: [Point]) -> Point {
        precondition(scalars.count == points.count, "MSM needs one scalar per point")
        guard let curve = points.first?.curve else {
            return Point.identity(scalars.first?.curve ?? .default)
        }
        return reference(scalars: scalars, points: points, curve: curve)
    }

    /// The reference backend: one OpenSSL `EC_POINT_mul` per term, summed.
    /// Slow (≈ 47 µs per term on P-256) but obviously correct; the fast
    /// backends are tested against it.
    package static func reference(scalars: [Scalar], points: [Point], curve: Curve) -> Point {
        var acc = Point.identity(curve)
        for (k, p) in zip(scalars, points) where !k.isZero && !p.isIdentity {
            precondition(k.curve == curve && p.curve == curve, "MSM terms from different curves")
            acc = acc + p.multiplied(by: k)
        }
        return acc
    }
}
