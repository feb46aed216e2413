/// Σᵢ kᵢ·Pᵢ where the scalars are secret (the points are public).
///
/// Release builds (`MSM.backend` = `.fast`) run `ConstantTimeMSM`: Straus'
/// interleaved method with fixed 4-bit signed windows over the complete,
/// branch-free projective formulas of Renes–Costello–Batina
/// (`CompletePoint.swift`). The same instructions run for every value of
/// the scalars: no branch and no memory index depends on them (table entries
/// are read by scanning the whole table with masked selects), zero and small
/// scalars included, so no mask is needed; the digit buffers are wiped.
/// Only the points pass through variable-time code (their conversion from
/// OpenSSL and their tables of multiples), and the result, which callers
/// publish, is converted back to a `Point` by variable-time code.
///
/// Debug builds (`.reference`, see `MSM.backend` for why and for the
/// `ZKMARGIN_MSM_BACKEND` override) run `reference(scalars:points:)`, one
/// constant-time OpenSSL `EC_POINT_mul` per masked term.
public enum SecretMSM {
    public static func compute<S: Collection<Scalar>, P: Collection<Point>>(scalars: S, points: P) -> Point {
        compute(scalars: scalars, points: points, backend: MSM.backend)
    }

    package static func compute<S: Collection<Scalar>, P: Collection<Point>>(scalars: S, points: P,
                                                                             backend: MSMBackend) -> Point {
        precondition(scalars.count == points.count, "SecretMSM needs one scalar per point")
        guard let curve = points.first?.curve else { return Point.identity(scalars.first?.curve ?? .default) }
        if backend == .reference { return reference(scalars: scalars, points: points) }
        // Concrete arrays from here on, so that the curve arithmetic below is
        // specialised for the curve (a generic collection type left unknown
        // would keep the whole MSM generic, several times slower).
        var ks = Array(scalars)
        defer { secureZero(&ks) }
        switch curve {
        case .p256: return constantTime(ks, Array(points), as: P256Model.self).point
        case .secp256k1: return constantTime(ks, Array(points), as: Secp256k1Model.self).point
        }
    }

    /// `ConstantTimeMSM` on OpenSSL points. Terms whose point is the
    /// identity are dropped (a branch on the public point); the scalars are
    /// copied into a buffer that is wiped.
    static func constantTime<C: CurveModel>(_ scalars: [Scalar], _ points: [Point], as _: C.Type) -> ProjectivePoint<C> {
        constantTime(scalars, affine: affineMontgomery(points, as: C.self))
    }

    /// `ConstantTimeMSM` on points in affine form, nil (the identity) dropped.
    static func constantTime<C: CurveModel>(_ scalars: [Scalar], affine: [Affine<C>?]) -> ProjectivePoint<C> {
        precondition(scalars.count == affine.count, "SecretMSM needs one scalar per point")
        var ks = [Scalar](), ps = [Affine<C>]()
        ks.reserveCapacity(affine.count); ps.reserveCapacity(affine.count)
        defer { secureZero(&ks) }
        for (k, p) in zip(scalars, affine) {
            precondition(k.curve == C.curve, "SecretMSM terms from different curves")
            guard let p else { continue }
            ks.append(k); ps.append(p)
        }
        return ConstantTimeMSM.multiply(ks, ps)
    }

    /// The reference: every term through OpenSSL's constant-time scalar
    /// multiplication (`Point.multiplied(by:)`: the Montgomery ladder, or the
    /// P-256 assembly's fixed-window code), ≈ 30–47 µs a term on P-256.
    ///
    /// The scalars are masked first: with ρ uniform in [1, n) from
    /// `RAND_priv_bytes`,
    ///
    ///     Σᵢ kᵢ·Pᵢ = Σᵢ (kᵢ + ρ)·Pᵢ − ρ·(Σᵢ Pᵢ)
    ///
    /// so every scalar OpenSSL sees is uniformly distributed and (but with
    /// probability ≈ count/n) nonzero. Without the mask, two data-dependent
    /// shortcuts would leak: `EC_POINT_add` returns at once when an operand
    /// is the identity (the image of a zero scalar, e.g. every 0 bit of a
    /// range proof's a_L), and OpenSSL's scalar loaders work on the BIGNUM's
    /// significant words only, so a small secret (a committed balance, a bit)
    /// takes a different path from a full-size one. ΣPᵢ is public; the mask
    /// costs one more constant-time multiplication and count additions.
    package static func reference<S: Collection<Scalar>, P: Collection<Point>>(scalars: S, points: P) -> Point {
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

/// Public points prepared for `SecretMSM.compute(scalars:fixed:)`: each
/// point's fixed-base table (`ConstantTimeMSM.fixedBaseTable`: its multiples
/// 1…8 at each of the 65 digit positions, ≈ 33 KB a point), built once by
/// variable-time code. For bases used with many secret scalars: the Pedersen
/// generators G and H (`Generators.pedersenBases`).
package struct SecretFixedBases: Sendable {
    enum Tables: Sendable {
        case p256([Affine<P256Model>])
        case secp256k1([Affine<Secp256k1Model>])
    }

    /// The points, in order (the reference backend multiplies them).
    package let points: [Point]
    let tables: Tables

    /// Preconditions: at least one point, all on one curve, none the identity.
    package init(_ points: [Point]) {
        guard let curve = points.first?.curve else { preconditionFailure("SecretFixedBases needs a point") }
        self.points = points
        switch curve {
        case .p256: tables = .p256(Self.tables(points, as: P256Model.self))
        case .secp256k1: tables = .secp256k1(Self.tables(points, as: Secp256k1Model.self))
        }
    }

    static func tables<C: CurveModel>(_ points: [Point], as _: C.Type) -> [Affine<C>] {
        affineMontgomery(points, as: C.self).flatMap { p -> [Affine<C>] in
            guard let p else { preconditionFailure("a fixed base cannot be the identity") }
            return ConstantTimeMSM.fixedBaseTable(p)
        }
    }
}

extension SecretMSM {
    /// Σᵢ scalars[i]·bases.points[i], the scalars secret: the same point as
    /// `compute(scalars:points:)`. Release builds: the fixed-base tables, one
    /// masked table scan and one complete mixed addition per 4-bit digit, no
    /// doubling (constant time in the scalars, as `ConstantTimeMSM`). Debug
    /// builds: the masked OpenSSL `reference`, as `compute`.
    package static func compute(scalars: [Scalar], fixed bases: SecretFixedBases) -> Point {
        compute(scalars: scalars, fixed: bases, backend: MSM.backend)
    }

    package static func compute(scalars: [Scalar], fixed bases: SecretFixedBases, backend: MSMBackend) -> Point {
        precondition(scalars.count == bases.points.count, "SecretMSM needs one scalar per point")
        if backend == .reference { return reference(scalars: scalars, points: bases.points) }
        switch bases.tables {
        case .p256(let t): return ConstantTimeMSM.multiplyFixed(scalars, tables: t).point
        case .secp256k1(let t): return ConstantTimeMSM.multiplyFixed(scalars, tables: t).point
        }
    }
}
