// Package-only handles on the pure-Swift arithmetic, for the other targets
// of this package: the benchmarks (`Sources/ZKBenchmarks`) time these
// operations. The arithmetic itself stays internal (FieldElement.swift,
// JacobianPoint.swift, Pippenger.swift) and every member here only forwards
// to it: nothing here measures anything, draws randomness or adds a code
// path, and no client of the library can see any of it.

// MARK: - Field elements

/// An element of a curve's base field in the fast Montgomery arithmetic.
///
/// One type per curve (`fastFieldElementType(for:)`), so that an
/// operation costs one witness call and no dispatch on the curve: the
/// cheapest field operations take a few nanoseconds.
package protocol FastFieldElement: Sendable, Equatable {
    /// The affine coordinates of `point`. Precondition: `point` is on this field's curve.
    static func coordinates(of point: AffinePoint) -> (x: Self, y: Self)
    static func * (a: Self, b: Self) -> Self
    static func + (a: Self, b: Self) -> Self
    var squared: Self { get }
    /// 1/a by the field's fixed addition chain.
    var inverse: Self { get }
    /// 1/a through GMP (variable time).
    var inverseVariableTime: Self { get }
    /// A square root, or nil when there is none.
    var squareRoot: Self? { get }
}

/// The field type of `curve`'s base field, for code generic over
/// `FastFieldElement` (it is opened at the call: `run(curve, type)`).
package func fastFieldElementType(for curve: Curve) -> any FastFieldElement.Type {
    switch curve {
    case .p256: return FastField<P256Model>.self
    case .secp256k1: return FastField<Secp256k1Model>.self
    }
}

/// An element of curve `C`'s base field: one generic forwarder for both
/// curves, each operation specialised here for its curve.
struct FastField<C: CurveModel>: FastFieldElement {
    var element: FieldElement<C.Field>

    static func coordinates(of point: AffinePoint) -> (x: Self, y: Self) {
        let a = point.affine(as: C.self)
        return (Self(element: a.x), Self(element: a.y))
    }
    static func * (a: Self, b: Self) -> Self { Self(element: a.element * b.element) }
    static func + (a: Self, b: Self) -> Self { Self(element: a.element + b.element) }
    var squared: Self { Self(element: element.squared) }
    var inverse: Self { Self(element: element.inverse) }
    var inverseVariableTime: Self { Self(element: element.inverseVariableTime) }
    var squareRoot: Self? { element.squareRoot.map { Self(element: $0) } }
}

// MARK: - Points

/// A point in the fast code's Jacobian coordinates, on either curve.
package struct FastJacobianPoint: Sendable {
    enum Storage: Sendable {
        case p256(JacobianPoint<P256Model>)
        case secp256k1(JacobianPoint<Secp256k1Model>)
    }

    var storage: Storage

    init(_ storage: Storage) { self.storage = storage }

    package init(_ a: AffinePoint) {
        switch a.curve {
        case .p256: storage = .p256(JacobianPoint(a.affine(as: P256Model.self)))
        case .secp256k1: storage = .secp256k1(JacobianPoint(a.affine(as: Secp256k1Model.self)))
        }
    }

    package func doubled() -> FastJacobianPoint {
        switch storage {
        case .p256(let p): return FastJacobianPoint(.p256(p.doubled()))
        case .secp256k1(let p): return FastJacobianPoint(.secp256k1(p.doubled()))
        }
    }

    /// Mixed addition. Precondition: both on one curve.
    package static func + (p: FastJacobianPoint, q: AffinePoint) -> FastJacobianPoint {
        switch p.storage {
        case .p256(let j): return FastJacobianPoint(.p256(j + q.affine(as: P256Model.self)))
        case .secp256k1(let j): return FastJacobianPoint(.secp256k1(j + q.affine(as: Secp256k1Model.self)))
        }
    }

    /// Precondition: both on one curve.
    package static func + (p: FastJacobianPoint, q: FastJacobianPoint) -> FastJacobianPoint {
        switch (p.storage, q.storage) {
        case (.p256(let a), .p256(let b)): return FastJacobianPoint(.p256(a + b))
        case (.secp256k1(let a), .secp256k1(let b)): return FastJacobianPoint(.secp256k1(a + b))
        default: preconditionFailure("points on different curves")
        }
    }
}

/// Points in the fast code's affine form, all on one curve and none the
/// identity: what the MSM engines read.
package struct FastAffinePoints: Sendable {
    enum Storage: Sendable {
        case p256([Affine<P256Model>])
        case secp256k1([Affine<Secp256k1Model>])
    }

    let storage: Storage

    init(_ storage: Storage) { self.storage = storage }

    /// The affine coordinates of OpenSSL points, read with one `BN_CTX` for
    /// all (`affineMontgomery`). Precondition: none is the identity, all are
    /// on `curve`.
    package init(_ points: [Point], curve: Curve) {
        switch curve {
        case .p256: storage = .p256(affineMontgomery(points, as: P256Model.self).map { $0! })
        case .secp256k1: storage = .secp256k1(affineMontgomery(points, as: Secp256k1Model.self).map { $0! })
        }
    }

    /// Precondition: all on `curve`.
    package init(_ points: [AffinePoint], curve: Curve) {
        switch curve {
        case .p256: storage = .p256(points.map { $0.affine(as: P256Model.self) })
        case .secp256k1: storage = .secp256k1(points.map { $0.affine(as: Secp256k1Model.self) })
        }
    }

    package var count: Int {
        switch storage {
        case .p256(let a): return a.count
        case .secp256k1(let a): return a.count
        }
    }

    package var points: [AffinePoint] {
        switch storage {
        case .p256(let a): return a.map(AffinePoint.init)
        case .secp256k1(let a): return a.map(AffinePoint.init)
        }
    }

    package func prefix(_ n: Int) -> FastAffinePoints {
        switch storage {
        case .p256(let a): return FastAffinePoints(.p256(Array(a.prefix(n))))
        case .secp256k1(let a): return FastAffinePoints(.secp256k1(Array(a.prefix(n))))
        }
    }
}

/// A compressed point's x and y parity, parsed and checked (prefix, length,
/// x < p) as `Point(compressed:curve:)` does, before any square root.
package struct CompressedCoordinates: Sendable {
    let x: U256
    let odd: Bool

    package init<B: Collection<UInt8>>(_ bytes: B, curve: Curve) throws(GroupError) {
        (x, odd) = try Point.parseCompressed(bytes, curve: curve)
    }
}

extension Point {
    /// The rest of `Point(compressed:curve:)` after parsing, with the given
    /// backend: the fast square root then an OpenSSL point, or
    /// `EC_POINT_oct2point`.
    package static func decompress(_ c: CompressedCoordinates, curve: Curve, backend: MSMBackend) throws(GroupError) -> Point {
        try decompress(x: c.x, odd: c.odd, curve: curve, backend: backend)
    }
}

// MARK: - MSM engines

/// Scalars as the MSM engines read them.
package struct FastScalars: Sendable {
    let bits: [ScalarBits]

    package init(_ scalars: [Scalar]) { bits = scalars.map(\.value) }

    package var count: Int { bits.count }
}

/// The fast backend's MSM engines, on affine inputs, without converting the
/// result out of Jacobian form.
package enum FastMSM {
    /// What `MSM.compute` runs: Straus for few points, else Pippenger (on
    /// several threads for many).
    package static func multiply(_ scalars: FastScalars, _ points: FastAffinePoints) -> FastJacobianPoint {
        switch points.storage {
        case .p256(let a): return FastJacobianPoint(.p256(MSMEngine.multiply(scalars.bits, a)))
        case .secp256k1(let a): return FastJacobianPoint(.secp256k1(MSMEngine.multiply(scalars.bits, a)))
        }
    }

    /// Straus (interleaved wNAF), whatever the size.
    package static func straus(_ scalars: FastScalars, _ points: FastAffinePoints) -> FastJacobianPoint {
        switch points.storage {
        case .p256(let a): return FastJacobianPoint(.p256(MSMEngine.straus(scalars.bits, a)))
        case .secp256k1(let a): return FastJacobianPoint(.secp256k1(MSMEngine.straus(scalars.bits, a)))
        }
    }

    /// Pippenger with `windowBits`-bit windows, whatever the size.
    package static func pippenger(_ scalars: FastScalars, _ points: FastAffinePoints, windowBits: Int) -> FastJacobianPoint {
        switch points.storage {
        case .p256(let a): return FastJacobianPoint(.p256(MSMEngine.pippenger(scalars.bits, a, windowBits: windowBits)))
        case .secp256k1(let a): return FastJacobianPoint(.secp256k1(MSMEngine.pippenger(scalars.bits, a, windowBits: windowBits)))
        }
    }

    /// The window `multiply` gives Pippenger for `n` points.
    package static func pippengerWindow(_ n: Int) -> Int { MSMEngine.pippengerWindow(n) }
}
