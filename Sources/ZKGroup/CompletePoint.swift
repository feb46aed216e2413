// MARK: - Complete, branch-free point arithmetic (secret data)
//
// The constant-time counterpart of `JacobianPoint.swift`: point addition on
// the same short Weierstrass curves y² = x³ + a·x + b (a = −3 for P-256,
// a = 0 for secp256k1, both of prime order) by formulas that are correct for
// EVERY pair of inputs — the identity, P + P, P + (−P) — with no case
// analysis, so that the same field operations run whatever the points are.
// This is the arithmetic under `ConstantTimeMSM`, where the points added
// depend on secret scalars.
//
// Coordinates: homogeneous projective (X : Y : Z) ↦ (X/Z, Y/Z), Z ≠ 0; the
// identity is (0 : 1 : 0), the only point with Z = 0.
//
// Formulas: Renes, Costello, Batina, "Complete addition formulas for prime
// order elliptic curves" (EUROCRYPT 2016, ePrint 2015/1060), written out
// here step by step from the paper's listings:
//
//               a = −3 (P-256)            a = 0 (secp256k1), b₃ = 3·b
//   P + Q       Algorithm 4: 12M + 2m_b   Algorithm 7: 12M + 2m_b₃
//   P + Q, Z₂=1 Algorithm 5: 11M + 2m_b   Algorithm 8: 11M + 2m_b₃
//   (the mixed forms share the steps after the products with the full ones:
//   `combine`)
//   2·P         Algorithm 6: 8M + 3S …    Algorithm 9: 6M + 2S + 1m_b₃
//
// They are complete because the curves have prime order (no point of order
// 2, so the exceptional pairs of the general formulas do not exist). The
// mixed formulas (Algorithms 5, 8) take Q in affine form, which cannot be
// the identity; P may be anything.
//
// Timing (with respect to the coordinates): constant. Every function here
// is a fixed sequence of `FieldElement` additions, subtractions and
// Montgomery products (constant time themselves, see `FieldElement.swift`)
// and of masked selects; no branch and no memory index depends on a
// coordinate or a mask. The exceptions are named: `isIdentity` and `point`,
// for results that are public (the caller's output).

extension CurveModel {
    /// 3·b in Montgomery form: the constant the a = 0 formulas multiply by.
    @inline(__always)
    static var b3: FieldElement<Field> { let b = Self.b; return b + b + b }
}

// MARK: Masks

/// All ones when bit 0 of `bit` is 1, else 0.
@inline(__always)
func ctMask(bit: UInt64) -> UInt64 { 0 &- (bit & 1) }

/// All ones when a = b, else 0, without a comparison the compiler could
/// turn into a branch: v = a ⊕ b is nonzero exactly when v | (−v) has its
/// top bit set.
@inline(__always)
func ctEqualMask(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let v = a ^ b
    let nonzero = (v | (0 &- v)) >> 63
    return nonzero &- 1
}

extension FieldElement {
    /// a when `mask` is all ones, b when it is 0 (limb-wise masked select).
    @inline(__always)
    static func select(_ mask: UInt64, _ a: FieldElement, _ b: FieldElement) -> FieldElement {
        FieldElement(montgomeryLimbs: (a.l0 & mask) | (b.l0 & ~mask), (a.l1 & mask) | (b.l1 & ~mask),
                     (a.l2 & mask) | (b.l2 & ~mask), (a.l3 & mask) | (b.l3 & ~mask))
    }

    /// All ones when the element is zero, else 0 (constant time).
    @inline(__always)
    var zeroMask: UInt64 { ctEqualMask(l0 | l1 | l2 | l3, 0) }
}

extension Affine {
    /// a when `mask` is all ones, b when it is 0.
    @inline(__always)
    static func select(_ mask: UInt64, _ a: Affine, _ b: Affine) -> Affine {
        Affine(x: F.select(mask, a.x, b.x), y: F.select(mask, a.y, b.y))
    }

    /// −P when `mask` is all ones, P when it is 0: (x, y) ↦ (x, ±y), the
    /// negation computed in any case.
    @inline(__always)
    func negated(if mask: UInt64) -> Affine { Affine(x: x, y: F.select(mask, -y, y)) }
}

// MARK: - Projective points

/// A point in homogeneous projective coordinates (X : Y : Z) ↦ (X/Z, Y/Z);
/// the identity is (0 : 1 : 0). Arithmetic by the complete formulas of
/// Renes–Costello–Batina: branch-free and correct for all inputs.
struct ProjectivePoint<C: CurveModel>: Sendable {
    typealias F = FieldElement<C.Field>
    var x: F
    var y: F
    var z: F

    @inline(__always)
    init(x: F, y: F, z: F) { self.x = x; self.y = y; self.z = z }

    /// (x : y : 1).
    @inline(__always)
    init(_ a: Affine<C>) { self.init(x: a.x, y: a.y, z: .one) }

    /// (0 : 1 : 0).
    @inline(__always)
    static var identity: ProjectivePoint { ProjectivePoint(x: .zero, y: .one, z: .zero) }

    /// a when `mask` is all ones, b when it is 0.
    @inline(__always)
    static func select(_ mask: UInt64, _ a: ProjectivePoint, _ b: ProjectivePoint) -> ProjectivePoint {
        ProjectivePoint(x: F.select(mask, a.x, b.x), y: F.select(mask, a.y, b.y), z: F.select(mask, a.z, b.z))
    }

    /// −P = (X : −Y : Z) when `mask` is all ones, P when it is 0.
    @inline(__always)
    func negated(if mask: UInt64) -> ProjectivePoint { ProjectivePoint(x: x, y: F.select(mask, -y, y), z: z) }

    /// P + Q for any P, Q: Algorithm 4 (a = −3) or 7 (a = 0).
    @inline(__always)
    static func + (p: ProjectivePoint, q: ProjectivePoint) -> ProjectivePoint {
        // Steps 1–18: the products, with three Karatsuba-style cross terms.
        let t0 = p.x * q.x
        let t1 = p.y * q.y
        let t2 = p.z * q.z
        let t3 = (p.x + p.y) * (q.x + q.y) - (t0 + t1)     // X1Y2 + X2Y1
        let t4 = (p.y + p.z) * (q.y + q.z) - (t1 + t2)     // Y1Z2 + Y2Z1
        let y3 = (p.x + p.z) * (q.x + q.z) - (t0 + t2)     // X1Z2 + X2Z1
        return combine(t0: t0, t1: t1, t2: t2, t3: t3, t4: t4, y3: y3)
    }

    /// P + Q for any P and an affine Q (never the identity): Algorithm 5
    /// (a = −3) or 8 (a = 0), i.e. Algorithm 4 or 7 with Z2 = 1.
    @inline(__always)
    static func + (p: ProjectivePoint, q: Affine<C>) -> ProjectivePoint {
        // Steps 1–11.
        let t0 = p.x * q.x
        let t1 = p.y * q.y
        let t3 = (q.x + q.y) * (p.x + p.y) - (t0 + t1)     // X1Y2 + X2Y1
        let t4 = q.y * p.z + p.y                           // Y1Z2 + Y2Z1
        let y3 = q.x * p.z + p.x                           // X1Z2 + X2Z1
        return combine(t0: t0, t1: t1, t2: p.z, t3: t3, t4: t4, y3: y3)
    }

    /// The part of the addition formulas after the products, the same for
    /// the full and the mixed forms: Algorithm 4 steps 19–43 (= Algorithm 5
    /// steps 12–36) for a = −3, Algorithm 7 steps 19–33 (= Algorithm 8 steps
    /// 12–26) for a = 0. Inputs: t0 = X1X2, t1 = Y1Y2, t2 = Z1Z2,
    /// t3 = X1Y2 + X2Y1, t4 = Y1Z2 + Y2Z1, y3 = X1Z2 + X2Z1 (Z2 = 1 in the
    /// mixed form).
    @inline(__always)
    static func combine(t0: F, t1: F, t2: F, t3: F, t4: F, y3: F) -> ProjectivePoint {
        var t0 = t0, t1 = t1, t2 = t2, y3 = y3
        var x3: F, z3: F
        if C.aIsMinusThree {
            z3 = C.b * t2            // 19
            x3 = y3 - z3             // 20
            z3 = x3 + x3             // 21
            x3 = x3 + z3             // 22
            z3 = t1 - x3             // 23
            x3 = t1 + x3             // 24
            y3 = C.b * y3            // 25
            t1 = t2 + t2             // 26
            t2 = t1 + t2             // 27
            y3 = y3 - t2             // 28
            y3 = y3 - t0             // 29
            t1 = y3 + y3             // 30
            y3 = t1 + y3             // 31
            t1 = t0 + t0             // 32
            t0 = t1 + t0             // 33
            t0 = t0 - t2             // 34
            t1 = t4 * y3             // 35
            t2 = t0 * y3             // 36
            y3 = x3 * z3             // 37
            y3 = y3 + t2             // 38
            x3 = t3 * x3             // 39
            x3 = x3 - t1             // 40
            z3 = t4 * z3             // 41
            t1 = t3 * t0             // 42
            z3 = z3 + t1             // 43
        } else {
            let b3 = C.b3
            x3 = t0 + t0             // 19
            t0 = x3 + t0             // 20
            t2 = b3 * t2             // 21
            z3 = t1 + t2             // 22
            t1 = t1 - t2             // 23
            y3 = b3 * y3             // 24
            x3 = t4 * y3             // 25
            t2 = t3 * t1             // 26
            x3 = t2 - x3             // 27
            y3 = y3 * t0             // 28
            t1 = t1 * z3             // 29
            y3 = t1 + y3             // 30
            t0 = t0 * t3             // 31
            z3 = z3 * t4             // 32
            z3 = z3 + t0             // 33
        }
        return ProjectivePoint(x: x3, y: y3, z: z3)
    }

    /// 2·P for any P (the identity doubles to the identity): Algorithm 6
    /// (a = −3) or 9 (a = 0).
    @inline(__always)
    func doubled() -> ProjectivePoint {
        var x3: F, y3: F, z3: F
        if C.aIsMinusThree {
            // Algorithm 6.
            var t0 = x.squared       // 1
            let t1 = y.squared       // 2
            var t2 = z.squared       // 3
            var t3 = x * y           // 4
            t3 = t3 + t3             // 5
            z3 = x * z               // 6
            z3 = z3 + z3             // 7
            y3 = C.b * t2            // 8
            y3 = y3 - z3             // 9
            x3 = y3 + y3             // 10
            y3 = x3 + y3             // 11
            x3 = t1 - y3             // 12
            y3 = t1 + y3             // 13
            y3 = x3 * y3             // 14
            x3 = x3 * t3             // 15
            t3 = t2 + t2             // 16
            t2 = t2 + t3             // 17
            z3 = C.b * z3            // 18
            z3 = z3 - t2             // 19
            z3 = z3 - t0             // 20
            t3 = z3 + z3             // 21
            z3 = z3 + t3             // 22
            t3 = t0 + t0             // 23
            t0 = t3 + t0             // 24
            t0 = t0 - t2             // 25
            t0 = t0 * z3             // 26
            y3 = y3 + t0             // 27
            t0 = y * z               // 28
            t0 = t0 + t0             // 29
            z3 = t0 * z3             // 30
            x3 = x3 - z3             // 31
            z3 = t0 * t1             // 32
            z3 = z3 + z3             // 33
            z3 = z3 + z3             // 34
        } else {
            // Algorithm 9.
            let b3 = C.b3
            var t0 = y.squared       // 1
            z3 = t0 + t0             // 2
            z3 = z3 + z3             // 3
            z3 = z3 + z3             // 4
            var t1 = y * z           // 5
            var t2 = z.squared       // 6
            t2 = b3 * t2             // 7
            x3 = t2 * z3             // 8
            y3 = t0 + t2             // 9
            z3 = t1 * z3             // 10
            t1 = t2 + t2             // 11
            t2 = t1 + t2             // 12
            t0 = t0 - t2             // 13
            y3 = t0 * y3             // 14
            y3 = x3 + y3             // 15
            t1 = x * y               // 16
            x3 = t0 * t1             // 17
            x3 = x3 + x3             // 18
        }
        return ProjectivePoint(x: x3, y: y3, z: z3)
    }

    /// `doubled()` k times (k public).
    @inline(__always)
    func doubled(times k: Int) -> ProjectivePoint {
        var r = self
        for _ in 0..<k { r = r.doubled() }
        return r
    }

    /// The affine coordinates (X/Z, Y/Z) in constant time: Z⁻¹ = Z^(p−2) by
    /// the field's fixed addition chain. The identity (Z = 0) maps to (0, 0),
    /// which is not on the curve (b ≠ 0), so it cannot be mistaken for a
    /// point.
    func affineCoordinates() -> (x: F, y: F) {
        let zInverse = C.Field.fermatInverse(z)
        return (x * zInverse, y * zInverse)
    }

    /// Whether this is the identity (Z = 0). Constant time itself; branching
    /// on the answer is for public results only.
    var isIdentity: Bool { z.isZero }

    /// The OpenSSL point, for a PUBLIC result (the output of an MSM that is
    /// published): the identity test is a branch, and OpenSSL's
    /// `EC_POINT_set_affine_coordinates` is not promised constant time.
    ///
    /// The coordinates are declassified here (SECURITY.md, "Constant time",
    /// declassification "published points"): every caller publishes the
    /// point (A, L, R, A1, B, commitments; a recomputed commitment is
    /// compared with a published one).
    var point: Point {
        var (ax, ay) = affineCoordinates()
        var z = self.z
        withUnsafeBytes(of: &ax) { ConstantTimeCheck.declassify($0) }
        withUnsafeBytes(of: &ay) { ConstantTimeCheck.declassify($0) }
        withUnsafeBytes(of: &z) { ConstantTimeCheck.declassify($0) }
        return z.isZero ? Point.identity(C.curve) : Affine<C>(x: ax, y: ay).point
    }
}
