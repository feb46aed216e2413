/// Σᵢ kᵢ·Pᵢ where the scalars are secret.
///
/// Every term goes through OpenSSL's constant-time scalar multiplication
/// (`Point.multiplied(by:)`: the Montgomery ladder, or the P-256 assembly's
/// fixed-window code). Much slower than `MSM.compute`; use it only for
/// prover-side sums over secrets.
///
/// The scalars are masked first: with ρ uniform in [1, n) from
/// `RAND_priv_bytes`,
///
///     Σᵢ kᵢ·Pᵢ = Σᵢ (kᵢ + ρ)·Pᵢ − ρ·(Σᵢ Pᵢ)
///
/// so every scalar OpenSSL sees is uniformly distributed and (but with
/// probability ≈ count/n) nonzero. Without the mask, two data-dependent
/// shortcuts would leak: `EC_POINT_add` returns at once when an operand is
/// the identity (the image of a zero scalar, e.g. every 0 bit of a range
/// proof's a_L), and OpenSSL's scalar loaders work on the BIGNUM's
/// significant words only, so a small secret (a committed balance, a bit)
/// takes a different path from a full-size one. ΣPᵢ is public; the mask
/// costs one more constant-time multiplication and count additions.
public enum SecretMSM {
    public static func compute<S: Collection<Scalar>, P: Collection<Point>>(scalars: S, points: P) -> Point {
        precondition(scalars.count == points.count, "SecretMSM needs one scalar per point")
        guard let curve = points.first?.curve else { return Point.identity(scalars.first?.curve ?? .default) }
        var rho = Scalar.random(curve)
        defer { secureZero(&rho) }
        var acc: Point? = nil
        var sum: Point? = nil
        for (k, p) in zip(scalars, points) {
            precondition(k.curve == curve && p.curve == curve, "SecretMSM terms from different curves")
            var masked = k + rho
            let term = p.multiplied(by: masked)
            secureZero(&masked)
            acc = acc.map { $0 + term } ?? term
            sum = sum.map { $0 + p } ?? p
        }
        // Both are set: the collections are nonempty. ΣPᵢ is public, so is
        // the branch.
        let total = sum!
        return total.isIdentity ? acc! : acc! - total.multiplied(by: rho)
    }
}
