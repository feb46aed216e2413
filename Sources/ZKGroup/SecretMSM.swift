/// Σᵢ kᵢ·Pᵢ where the scalars are secret.
///
/// Every term goes through OpenSSL's constant-time scalar multiplication
/// (`Point.multiplied(by:)`), zero scalars included, so the running time does
/// not depend on which scalars are zero or on their bits. Much slower than
/// `MSM.compute`; use it only for prover-side sums over secrets.
public enum SecretMSM {
    public static func compute<S: Collection<Scalar>, P: Collection<Point>>(scalars: S, points: P) -> Point {
        precondition(scalars.count == points.count, "SecretMSM needs one scalar per point")
        guard let curve = points.first?.curve else { return Point.identity(scalars.first?.curve ?? .default) }
        var acc = Point.identity(curve)
        for (k, p) in zip(scalars, points) { acc = acc + p.multiplied(by: k) }
        return acc
    }
}
