internal import CLibCrypto

// MARK: - Curve arithmetic in pure Swift (public data only)
//
// Short Weierstrass curves y² = x³ + a·x + b (`CurveModel`, constants in
// `CurveConstants.swift`) over `FieldElement`, with a = −3 (P-256) or a = 0
// (secp256k1), both of prime order (cofactor 1, so no point has y = 0 and
// every non-identity point generates the group).
//
// Two representations:
// - `Affine<C>`: (x, y), never the identity. Inputs of the MSM, bucket
//   contents and precomputed tables.
// - `JacobianPoint<C>`: (X, Y, Z) standing for (X/Z², Y/Z³); Z = 0 is the
//   identity. Accumulators.
//
// The formulas are the explicit-formulas database's (hyperelliptic.org/EFD):
// dbl-2001-b (a = −3, 3M + 5S), dbl-2009-l (a = 0, 2M + 5S), madd-2004-hmv
// style mixed addition (8M + 3S) and add-1998-cmo-2 (12M + 4S). The
// incomplete cases (an operand at infinity, P + P, P + (−P)) are detected by
// value and handled by branches: correct for every input, but variable-time,
// which is why this code only ever sees public points and scalars. Its
// constant-time counterpart, for points that depend on secrets, is
// `ProjectivePoint` (`CompletePoint.swift`).

/// The curve coefficients as field elements, for the point formulas (each a
/// Montgomery product of literals, which folds in release builds).
extension CurveModel {
    /// a in Montgomery form.
    @inline(__always)
    static var a: FieldElement<Field> { FieldElement(coefficientA) }
    /// b in Montgomery form.
    @inline(__always)
    static var b: FieldElement<Field> { FieldElement(coefficientB) }
}

/// An affine point (x, y), Montgomery-form coordinates; never the identity.
struct Affine<C: CurveModel>: Sendable, Equatable {
    typealias F = FieldElement<C.Field>
    var x: F
    var y: F

    @inline(__always)
    init(x: F, y: F) { self.x = x; self.y = y }

    @inline(__always)
    var negated: Affine { Affine(x: x, y: -y) }

    /// y² = x³ + a·x + b.
    var isOnCurve: Bool { y.squared == Affine.rightHandSide(x) }

    /// x³ + a·x + b.
    @inline(__always)
    static func rightHandSide(_ x: F) -> F {
        let x2 = x.squared
        if C.aIsMinusThree {
            return (x2 - F.one - F.one - F.one) * x + C.b
        }
        return x2 * x + C.b
    }
}

/// A point in Jacobian coordinates (X : Y : Z) ↦ (X/Z², Y/Z³); Z = 0 is the
/// identity. All operations return fully reduced coordinates.
struct JacobianPoint<C: CurveModel>: Sendable {
    typealias F = FieldElement<C.Field>
    var x: F
    var y: F
    var z: F

    @inline(__always)
    init(x: F, y: F, z: F) { self.x = x; self.y = y; self.z = z }

    @inline(__always)
    init(_ a: Affine<C>) { self.init(x: a.x, y: a.y, z: .one) }

    static var identity: JacobianPoint { JacobianPoint(x: .one, y: .one, z: .zero) }

    @inline(__always)
    var isIdentity: Bool { z.isZero }

    @inline(__always)
    var negated: JacobianPoint { JacobianPoint(x: x, y: -y, z: z) }

    /// 2·P. dbl-2001-b for a = −3, dbl-2009-l for a = 0. Returns the
    /// identity for the identity (Z₃ = 2·Y·Z = 0).
    @inline(__always)
    func doubled() -> JacobianPoint {
        if C.aIsMinusThree {
            let delta = z.squared
            let gamma = y.squared
            let beta = x * gamma
            let t = (x - delta) * (x + delta)
            let alpha = t + t.doubled
            let beta4 = beta.doubled.doubled
            let x3 = alpha.squared - beta4.doubled
            let z3 = (y + z).squared - gamma - delta
            let gamma2 = gamma.squared
            let y3 = alpha * (beta4 - x3) - gamma2.doubled.doubled.doubled
            return JacobianPoint(x: x3, y: y3, z: z3)
        } else {
            let a = x.squared
            let b = y.squared
            let c = b.squared
            let d = ((x + b).squared - a - c).doubled
            let e = a + a.doubled
            let f = e.squared
            let x3 = f - d.doubled
            let y3 = e * (d - x3) - c.doubled.doubled.doubled
            let z3 = (y * z).doubled
            return JacobianPoint(x: x3, y: y3, z: z3)
        }
    }

    /// `doubled()` k times.
    @inline(__always)
    func doubled(times k: Int) -> JacobianPoint {
        var r = self
        for _ in 0..<k { r = r.doubled() }
        return r
    }

    /// P + Q for affine Q (8M + 3S). Handles P = ∞, P = Q and P = −Q.
    @inline(__always)
    static func + (p: JacobianPoint, q: Affine<C>) -> JacobianPoint {
        if p.isIdentity { return JacobianPoint(q) }
        let z1z1 = p.z.squared
        let u2 = q.x * z1z1
        let s2 = q.y * p.z * z1z1
        let h = u2 - p.x
        let r = s2 - p.y
        if h.isZero {
            return r.isZero ? p.doubled() : .identity
        }
        let hh = h.squared
        let hhh = h * hh
        let v = p.x * hh
        let x3 = r.squared - hhh - v.doubled
        let y3 = r * (v - x3) - p.y * hhh
        let z3 = p.z * h
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// P + Q (12M + 4S). Handles either operand at infinity, P = Q, P = −Q.
    static func + (p: JacobianPoint, q: JacobianPoint) -> JacobianPoint {
        if p.isIdentity { return q }
        if q.isIdentity { return p }
        let z1z1 = p.z.squared
        let z2z2 = q.z.squared
        let u1 = p.x * z2z2
        let u2 = q.x * z1z1
        let s1 = p.y * q.z * z2z2
        let s2 = q.y * p.z * z1z1
        let h = u2 - u1
        let r = s2 - s1
        if h.isZero {
            return r.isZero ? p.doubled() : .identity
        }
        let hh = h.squared
        let hhh = h * hh
        let v = u1 * hh
        let x3 = r.squared - hhh - v.doubled
        let y3 = r * (v - x3) - s1 * hhh
        let z3 = p.z * q.z * h
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// The affine point, or nil for the identity (one inversion).
    func toAffine() -> Affine<C>? {
        guard !isIdentity else { return nil }
        let zi = z.inverseVariableTime
        let zi2 = zi.squared
        return Affine(x: x * zi2, y: y * zi2 * zi)
    }

    /// Affine forms of many points with one inversion; identities map to nil.
    static func batchToAffine(_ points: [JacobianPoint]) -> [Affine<C>?] {
        var zs = [F]()
        zs.reserveCapacity(points.count)
        for p in points where !p.isIdentity { zs.append(p.z) }
        let inverses = F.batchInverted(zs)
        var out = [Affine<C>?]()
        out.reserveCapacity(points.count)
        var k = 0
        for p in points {
            if p.isIdentity { out.append(nil); continue }
            let zi = inverses[k]
            k += 1
            let zi2 = zi.squared
            out.append(Affine(x: p.x * zi2, y: p.y * zi2 * zi))
        }
        return out
    }

    /// Equality as points (cross-multiplied, no inversion).
    func isEqual(to q: JacobianPoint) -> Bool {
        if isIdentity || q.isIdentity { return isIdentity && q.isIdentity }
        let z1z1 = z.squared, z2z2 = q.z.squared
        return x * z2z2 == q.x * z1z1 && y * q.z * z2z2 == q.y * z * z1z1
    }
}

// MARK: - Conversion from and to OpenSSL points

extension Affine {
    /// The OpenSSL point with these coordinates.
    var point: Point {
        guard let p = Point(affineX: x.canonical, y: y.canonical, curve: C.curve) else {
            preconditionFailure("fast curve arithmetic produced a point off the curve")
        }
        return p
    }
}

extension JacobianPoint {
    /// The OpenSSL point (one inversion and one OpenSSL construction).
    var point: Point { toAffine()?.point ?? Point.identity(C.curve) }
}

/// Reads the affine coordinates of OpenSSL points into Montgomery form,
/// reusing two BIGNUMs and one BN_CTX for the whole array. nil for the
/// identity. (OpenSSL's P-256 code inverts Z on every call, even for Z = 1:
/// ≈ 4 µs a point. Points decoded by `AffinePoint` skip this entirely.)
func affineMontgomery<C: CurveModel>(_ points: [Point], as _: C.Type) -> [Affine<C>?] {
    guard let bx = BN_new(), let by = BN_new(), let ctx = BN_CTX_new() else { fatalError("BN_new: out of memory") }
    defer { BN_free(bx); BN_free(by); BN_CTX_free(ctx) }
    var out = [Affine<C>?]()
    out.reserveCapacity(points.count)
    for p in points {
        precondition(p.curve == C.curve, "MSM terms from different curves")
        if p.isIdentity { out.append(nil); continue }
        let ok = EC_POINT_get_affine_coordinates(p.group, p.box.pointer, bx, by, ctx)
        precondition(ok == 1, "EC_POINT_get_affine_coordinates failed")
        let x = bignumToU256(bx), y = bignumToU256(by)
        out.append(Affine(x: FieldElement(x), y: FieldElement(y)))
    }
    return out
}

/// A BIGNUM < 2²⁵⁶ as limbs.
@inline(__always)
func bignumToU256(_ bn: OpaquePointer) -> U256 {
    var u = U256.zero
    withUnsafeMutableBytes(of: &u.w) { raw in
        _ = BN_bn2lebinpad(bn, raw.baseAddress!.assumingMemoryBound(to: UInt8.self), 32)
    }
    u.w = (UInt64(littleEndian: u.w.0), UInt64(littleEndian: u.w.1),
           UInt64(littleEndian: u.w.2), UInt64(littleEndian: u.w.3))
    return u
}

// MARK: - Decompression

extension Point {
    /// The curve point with abscissa x and the given parity of y; the core of
    /// `Point(compressed:curve:)` after its format checks. Precondition:
    /// x < p. Throws `.notOnCurve` when x³ + a·x + b is not a square mod p.
    ///
    /// Fast backend: one square root by a fixed addition chain (p ≡ 3 mod 4),
    /// one squaring to check it, a conditional negation, then OpenSSL stores
    /// (and re-checks) the affine coordinates: ≈ 8 µs against ≈ 18 µs for
    /// `EC_POINT_oct2point`. Reference backend (debug builds, see
    /// `MSM.backend`): `EC_POINT_oct2point`.
    static func decompress(x: U256, odd: Bool, curve: Curve, backend: MSMBackend = MSM.backend) throws(GroupError) -> Point {
        switch backend {
        case .fast:
            let (ax, ay) = try decompressCoordinates(x: x, odd: odd, curve: curve)
            guard let point = Point(affineX: ax, y: ay, curve: curve) else { throw .notOnCurve }
            return point
        case .reference:
            let bytes: [UInt8] = [odd ? 0x03 : 0x02] + x.bigEndianBytes
            let group = curve.parameters.group
            guard let decoded = EC_POINT_new(group) else { fatalError("EC_POINT_new: out of memory") }
            defer { EC_POINT_free(decoded) }
            let ok = bytes.withUnsafeBufferPointer { EC_POINT_oct2point(group, decoded, $0.baseAddress, 33, nil) }
            ERR_clear_error()
            guard ok == 1 else { throw .notOnCurve }
            return Point(curve: curve) { _, out in EC_POINT_copy(out, decoded) }
        }
    }
}

/// The canonical affine coordinates of the point with abscissa x and the
/// given parity of y (fast backend). Precondition: x < p.
func decompressCoordinates(x: U256, odd: Bool, curve: Curve) throws(GroupError) -> (x: U256, y: U256) {
    switch curve {
    case .p256:
        let a = try decompress(x: x, odd: odd, as: P256Model.self)
        return (x, a.y.canonical)
    case .secp256k1:
        let a = try decompress(x: x, odd: odd, as: Secp256k1Model.self)
        return (x, a.y.canonical)
    }
}

func decompress<C: CurveModel>(x: U256, odd: Bool, as _: C.Type) throws(GroupError) -> Affine<C> {
    let xm = FieldElement<C.Field>(x)
    guard var y = Affine<C>.rightHandSide(xm).squareRoot else { throw .notOnCurve }
    if y.isOdd != odd {
        // y = 0 would be its own negative; no such point exists on these
        // prime-order curves, but refuse the odd encoding of it regardless.
        guard !y.isZero else { throw .notOnCurve }
        y = -y
    }
    return Affine(x: xm, y: y)
}

/// A validated curve point in affine form (never the identity), with its
/// coordinates already in the fast arithmetic's Montgomery form.
///
/// This is how the verifier hands decoded proof points to the MSM without a
/// round trip through OpenSSL: `AffinePoint(compressed:curve:)` performs the
/// same strict checks as `Point(compressed:curve:)` (and throws the same
/// errors) but builds no `EC_POINT`, and
/// `MSM.compute(prepared:scalars:extraScalars:extraAffine:)` consumes it
/// directly.
package struct AffinePoint: Sendable, Hashable {
    package let curve: Curve
    /// x·R mod p and y·R mod p for the curve's base field.
    let xMontgomery: U256
    let yMontgomery: U256

    init<C: CurveModel>(_ a: Affine<C>) {
        curve = C.curve
        xMontgomery = a.x.montgomery
        yMontgomery = a.y.montgomery
    }

    @inline(__always)
    func affine<C: CurveModel>(as _: C.Type) -> Affine<C> {
        precondition(curve == C.curve, "MSM terms from different curves")
        return Affine(x: FieldElement(montgomery: xMontgomery), y: FieldElement(montgomery: yMontgomery))
    }

    /// Strict SEC1 compressed decoding with exactly the checks and errors of
    /// `Point(compressed:curve:)`. With the fast backend no OpenSSL object is
    /// made: ≈ 6 µs on P-256.
    package init<B: Collection<UInt8>>(compressed bytes: B, curve: Curve) throws(GroupError) {
        try self.init(compressed: bytes, curve: curve, backend: MSM.backend)
    }

    package init<B: Collection<UInt8>>(compressed bytes: B, curve: Curve, backend: MSMBackend) throws(GroupError) {
        let (x, odd) = try Point.parseCompressed(bytes, curve: curve)
        switch (backend, curve) {
        case (.fast, .p256): self.init(try decompress(x: x, odd: odd, as: P256Model.self))
        case (.fast, .secp256k1): self.init(try decompress(x: x, odd: odd, as: Secp256k1Model.self))
        case (.reference, _):
            // Never nil: decoding never yields the identity.
            self.init(try Point.decompress(x: x, odd: odd, curve: curve, backend: .reference))!
        }
    }

    /// Decodes many encodings, on several threads when there are many (the
    /// batch verifier's ≈ 15 points per proof): element i is
    /// `AffinePoint(compressed: encodings[i], curve: curve)` or its error.
    package static func decodeAll(_ encodings: [[UInt8]], curve: Curve) -> [Result<AffinePoint, GroupError>] {
        let n = encodings.count
        let workers = n >= 256 ? min(MSMEngine.threads, n / 128) : 1
        let out = UnsafeMutablePointer<Result<AffinePoint, GroupError>>.allocate(capacity: n)
        defer { out.deinitialize(count: n); out.deallocate() }
        encodings.withUnsafeBufferPointer { input in
            MSMEngine.parallel(workers) { t in
                for i in (n * t / workers)..<(n * (t + 1) / workers) {
                    (out + i).initialize(to: Result { () throws(GroupError) in
                        try AffinePoint(compressed: input[i], curve: curve)
                    })
                }
            }
        }
        return Array(UnsafeBufferPointer(start: out, count: n))
    }

    /// The affine form of an OpenSSL point; nil for the identity.
    package init?(_ point: Point) {
        switch point.curve {
        case .p256:
            guard let a = affineMontgomery([point], as: P256Model.self)[0] else { return nil }
            self.init(a)
        case .secp256k1:
            guard let a = affineMontgomery([point], as: Secp256k1Model.self)[0] else { return nil }
            self.init(a)
        }
    }

    /// The affine forms of many OpenSSL points (nil for the identity),
    /// reading them with one pair of BIGNUMs and one BN_CTX: ≈ 2.5 µs a
    /// point on P-256 (OpenSSL inverts Z even when it is 1).
    package static func converting(_ points: [Point], curve: Curve) -> [AffinePoint?] {
        switch curve {
        case .p256: affineMontgomery(points, as: P256Model.self).map { $0.map(AffinePoint.init) }
        case .secp256k1: affineMontgomery(points, as: Secp256k1Model.self).map { $0.map(AffinePoint.init) }
        }
    }

    /// Canonical affine coordinates (x, y), each < p.
    package var coordinates: (x: [UInt8], y: [UInt8]) {
        let (x, y) = canonicalCoordinates
        return (x.bigEndianBytes, y.bigEndianBytes)
    }

    var canonicalCoordinates: (x: U256, y: U256) {
        switch curve {
        case .p256:
            let a = affine(as: P256Model.self)
            return (a.x.canonical, a.y.canonical)
        case .secp256k1:
            let a = affine(as: Secp256k1Model.self)
            return (a.x.canonical, a.y.canonical)
        }
    }

    /// The same point as an OpenSSL-backed `Point`.
    package var point: Point {
        let (x, y) = canonicalCoordinates
        guard let p = Point(affineX: x, y: y, curve: curve) else {
            preconditionFailure("AffinePoint holds a point off the curve")
        }
        return p
    }

    /// SEC1 compressed encoding, 33 bytes.
    package func compressed() -> [UInt8] {
        let (x, y) = canonicalCoordinates
        return [y.w.0 & 1 == 1 ? 0x03 : 0x02] + x.bigEndianBytes
    }
}
