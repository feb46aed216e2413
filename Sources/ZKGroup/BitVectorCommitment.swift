// MARK: - The commitment to two bit vectors, by selection
//
// Bulletproofs(+) commit to a secret bit vector a_L ∈ {0, 1}ᴺ and its
// complement a_R = a_L − 1 as
//
//     A = Σᵢ (a_L,i·Gᵢ + a_R,i·Hᵢ) + Σⱼ kⱼ·Qⱼ        (the extra terms: α·h)
//
// For a bit, a_L,i·Gᵢ + a_R,i·Hᵢ is Gᵢ when a_L,i = 1 (a_R,i = 0) and −Hᵢ
// when a_L,i = 0 (a_R,i = −1), so the vector part is a sum of N points each
// chosen between two public ones: N masked selects and N complete mixed
// additions instead of a 2N-term multi-scalar multiplication. The extra
// terms go through `ConstantTimeMSM` and the two parts are added in
// projective form; nothing secret leaves constant-time code, and the
// result, a published commitment, is converted to a `Point` at the end.

extension SecretMSM {
    /// Σᵢ (left[i]·gs[i] + right[i]·hs[i]) + Σⱼ scalars[j]·points[j], every
    /// scalar secret, every point public; the same point `compute` returns
    /// for the concatenated terms.
    ///
    /// Fast when every pair is (left, right) ∈ {(1, 0), (0, −1)}: the
    /// sum of selections above. Whether ALL pairs have that form is decided
    /// by one aggregate test, computed without branches over all pairs; only
    /// its answer is branched on (true for every witness
    /// `BulletproofsPlus.prove` builds; false only for the dishonest
    /// witnesses of tests, which then take `compute` on all terms). The
    /// selection path runs on the pure-Swift constant-time code in every
    /// build (the partial sum is secret and must not reach OpenSSL's
    /// variable-time `EC_POINT_add`).
    ///
    /// Preconditions: equal counts pairwise, one curve.
    package static func computeBitVectors(left: [Scalar], right: [Scalar], gs: [Point], hs: [Point],
                                          scalars: [Scalar], points: [Point]) -> Point {
        guard let curve = (gs.first ?? points.first)?.curve else {
            return Point.identity((left.first ?? scalars.first)?.curve ?? .default)
        }
        return computeBitVectors(left: left, right: right, gs: AffinePoint.converting(gs, curve: curve),
                                 hs: AffinePoint.converting(hs, curve: curve), scalars: scalars,
                                 points: AffinePoint.converting(points, curve: curve), curve: curve)
    }

    /// `computeBitVectors` over points already in affine form (nil: the
    /// identity).
    package static func computeBitVectors(left: [Scalar], right: [Scalar], gs: [AffinePoint?], hs: [AffinePoint?],
                                          scalars: [Scalar], points: [AffinePoint?], curve: Curve) -> Point {
        precondition(left.count == right.count && left.count == gs.count && gs.count == hs.count,
                     "one bit pair per generator pair")
        precondition(scalars.count == points.count, "SecretMSM needs one scalar per point")
        let selected: Point?
        switch curve {
        case .p256: selected = selectionSum(left, right, gs, hs, scalars, points, as: P256Model.self)?.point
        case .secp256k1: selected = selectionSum(left, right, gs, hs, scalars, points, as: Secp256k1Model.self)?.point
        }
        if let selected { return selected }
        var all = left + right + scalars
        defer { secureZero(&all) }
        return compute(scalars: all, affine: gs + hs + points, curve: curve)
    }

    /// All ones when every (left[i], right[i]) is (1, 0) or (0, n − 1),
    /// else 0: an OR of differences over all pairs, no early exit.
    static func bitPairsMask(_ left: [Scalar], _ right: [Scalar], curve: Curve) -> UInt64 {
        let (minusOne, _) = U256.subWithBorrow(curve.parameters.order, .one)
        var bad: UInt64 = 0
        for (l, r) in zip(left, right) {
            precondition(l.curve == curve && r.curve == curve, "SecretMSM terms from different curves")
            let lv = l.value, rv = r.value
            bad |= lv.w.1 | lv.w.2 | lv.w.3 | (lv.w.0 >> 1)
            let expected = U256.select(lv.w.0 & 1, .zero, minusOne)
            bad |= (rv.w.0 ^ expected.w.0) | (rv.w.1 ^ expected.w.1) | (rv.w.2 ^ expected.w.2) | (rv.w.3 ^ expected.w.3)
        }
        return ctEqualMask(bad, 0)
    }

    /// The selection path; nil when some pair is not a bit pair or some
    /// generator is the identity (both decided as above / on public data).
    static func selectionSum<C: CurveModel>(_ left: [Scalar], _ right: [Scalar], _ gs: [AffinePoint?], _ hs: [AffinePoint?],
                                            _ scalars: [Scalar], _ points: [AffinePoint?],
                                            as _: C.Type) -> ProjectivePoint<C>? {
        // Declassified ("the witness is bits"): one bit for the whole
        // witness, always 1 for the witnesses `BulletproofsPlus.prove` builds.
        guard ConstantTimeCheck.declassified(bitPairsMask(left, right, curve: C.curve)) != 0 else { return nil }
        var acc = ProjectivePoint<C>.identity
        for i in 0..<left.count {
            guard let gi = gs[i]?.affine(as: C.self), let hi = hs[i]?.affine(as: C.self) else { return nil }
            let one = ctMask(bit: left[i].value.w.0)
            acc = acc + Affine.select(one, gi, hi.negated)
        }
        return acc + constantTime(scalars, affine: points.map { $0?.affine(as: C.self) })
    }
}
