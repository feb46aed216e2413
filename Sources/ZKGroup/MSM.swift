internal import CLibCrypto
import Synchronization
#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif

/// Multi-scalar multiplication Σᵢ kᵢ·Pᵢ over public scalars and points.
///
/// This is the one entry point every prover and verifier uses. It is
/// variable-time: call it only when every scalar is public (verification
/// equations, challenges, public coefficients). Sums over secret scalars go
/// through `SecretMSM` (constant time), single products through
/// `Point.multiplied(by:)`.
///
/// Correct for zero terms (the identity), one term, repeated bases, zero
/// scalars and identity points.
///
/// The fast backend (pure Swift: `FieldElement.swift`,
/// `JacobianPoint.swift`, `Pippenger.swift`) uses Straus for fewer than
/// `MSMEngine.straussThreshold` terms and Pippenger's bucket method with
/// batched affine additions above. Bases that are reused across many MSMs
/// (the Pedersen and Bulletproofs generators) can be prepared once with
/// `PreparedBases`. Every function here is safe to call from several threads
/// at once; large MSMs use several threads themselves.
///
/// Release builds run the fast backend, debug builds OpenSSL (the reference),
/// because unoptimised Swift arithmetic is far slower than OpenSSL; see
/// `MSM.backend` for why and for the `ZKMARGIN_MSM_BACKEND` override.
public enum MSM {
    /// Caps the threads every multi-scalar multiplication (public and
    /// secret scalars) may use: 1 for single-core measurements, nil to
    /// restore the default (the online processors, at most 8, or
    /// `ZKMARGIN_MSM_THREADS`). Takes effect for MSMs started afterwards.
    package static func limitThreads(_ count: Int?) {
        MSMEngine.threadLimit.store(max(0, min(count ?? 0, 64)), ordering: .relaxed)
    }

    /// The threads a large MSM uses now.
    package static var threads: Int { MSMEngine.threads }

    /// Σᵢ scalars[i]·points[i]. Precondition: equal counts, one curve.
    public static func compute(scalars: [Scalar], points: [Point]) -> Point {
        compute(scalars: scalars, points: points, backend: backend)
    }

    /// Σᵢ scalars[i]·B[i] + Σⱼ extraScalars[j]·extraPoints[j], B the prepared
    /// bases. `scalars` may be shorter than the prepared set: the first
    /// `scalars.count` bases are used. Preconditions: `scalars.count ≤
    /// prepared.count`, `extraScalars.count == extraPoints.count`, one curve.
    public static func compute(prepared: PreparedBases, scalars: [Scalar],
                               extraScalars: [Scalar] = [], extraPoints: [Point] = []) -> Point {
        compute(prepared: prepared, scalars: scalars, extraScalars: extraScalars, extraPoints: extraPoints, backend: backend)
    }

    /// As `compute(prepared:scalars:extraScalars:extraPoints:)` with extra
    /// points already decoded by `AffinePoint(compressed:curve:)`: no OpenSSL
    /// conversion at all on the way in.
    package static func compute(prepared: PreparedBases, scalars: [Scalar],
                                extraScalars: [Scalar], extraAffine: [AffinePoint]) -> Point {
        compute(prepared: prepared, scalars: scalars, extraScalars: extraScalars, extraAffine: extraAffine, backend: backend)
    }

    /// Whether Σᵢ scalars[i]·B[i] + Σⱼ extraScalars[j]·extraAffine[j] is the
    /// identity: the verifier's final check, without building an OpenSSL
    /// point for the result.
    package static func isIdentity(prepared: PreparedBases, scalars: [Scalar],
                                   extraScalars: [Scalar], extraAffine: [AffinePoint]) -> Bool {
        isIdentity(prepared: prepared, scalars: scalars, extraScalars: extraScalars, extraAffine: extraAffine, backend: backend)
    }

    /// Σᵢ scalars[i]·points[i] over decoded points.
    package static func compute(scalars: [Scalar], affine points: [AffinePoint], curve: Curve) -> Point {
        compute(scalars: scalars, affine: points, curve: curve, backend: backend)
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

    // MARK: Backends

    /// The backend behind the public entry points and behind the square root
    /// of `Point(compressed:curve:)` / `AffinePoint(compressed:curve:)`.
    ///
    /// Release builds: `.fast`. Debug builds (SwiftPM defines `DEBUG`):
    /// `.reference`, i.e. OpenSSL — unoptimised Swift big-number arithmetic is
    /// 50–100× slower than optimised, which made every debug test that proves
    /// or verifies crawl (the ZKProofs suite went from minutes to over ten);
    /// the fast backend is still tested in debug builds, explicitly, by
    /// MSMTests. The environment variable `ZKMARGIN_MSM_BACKEND=fast` or
    /// `=reference` overrides the default (e.g. to run any suite on the fast
    /// backend in a debug build, or to cross-check a release build).
    package static let backend: MSMBackend = {
        if let value = getenv("ZKMARGIN_MSM_BACKEND") {
            switch String(cString: value) {
            case "fast": return .fast
            case "reference", "openssl": return .reference
            default: break
            }
        }
        #if DEBUG
        return .reference
        #else
        return .fast
        #endif
    }()

    /// P-256 MSMs of at most this many terms go to OpenSSL even on the fast
    /// backend (measured: equal at two terms, OpenSSL ahead at one).
    static let smallP256 = 2

    package static func compute(scalars: [Scalar], points: [Point], backend: MSMBackend) -> Point {
        precondition(scalars.count == points.count, "MSM needs one scalar per point")
        guard let curve = points.first?.curve else {
            return Point.identity(scalars.first?.curve ?? .default)
        }
        switch (backend, curve) {
        case (.reference, _): return reference(scalars: scalars, points: points, curve: curve)
        case (.fast, .p256) where scalars.count <= smallP256:
            // OpenSSL's assembly k·P (≈ 47 µs) beats a 256-doubling chain in
            // Swift (≈ 60 µs) plus two conversions when there is no chain to share.
            return reference(scalars: scalars, points: points, curve: curve)
        case (.fast, .p256): return engine(scalars, affineMontgomery(points, as: P256Model.self), as: P256Model.self).point
        case (.fast, .secp256k1): return engine(scalars, affineMontgomery(points, as: Secp256k1Model.self), as: Secp256k1Model.self).point
        }
    }

    static func compute(prepared: PreparedBases, scalars: [Scalar], extraScalars: [Scalar], extraPoints: [Point],
                        backend: MSMBackend) -> Point {
        precondition(extraScalars.count == extraPoints.count, "MSM needs one scalar per point")
        switch (prepared.hasTables ? backend : .reference, prepared.curve) {
        case (.reference, let curve):
            precondition(scalars.count <= prepared.count, "more scalars than prepared bases")
            return reference(scalars: scalars + extraScalars, points: Array(prepared.points.prefix(scalars.count)) + extraPoints, curve: curve)
        case (.fast, .p256):
            let extra = affineMontgomery(extraPoints, as: P256Model.self)
            return preparedSum(prepared, scalars, extraScalars, extra, as: P256Model.self).point
        case (.fast, .secp256k1):
            let extra = affineMontgomery(extraPoints, as: Secp256k1Model.self)
            return preparedSum(prepared, scalars, extraScalars, extra, as: Secp256k1Model.self).point
        }
    }

    static func compute(prepared: PreparedBases, scalars: [Scalar], extraScalars: [Scalar], extraAffine: [AffinePoint],
                        backend: MSMBackend) -> Point {
        switch (prepared.hasTables ? backend : .reference, prepared.curve) {
        case (.reference, _):
            return compute(prepared: prepared, scalars: scalars, extraScalars: extraScalars,
                           extraPoints: extraAffine.map(\.point), backend: .reference)
        case (.fast, .p256): return sum(prepared, scalars, extraScalars, extraAffine, as: P256Model.self).point
        case (.fast, .secp256k1): return sum(prepared, scalars, extraScalars, extraAffine, as: Secp256k1Model.self).point
        }
    }

    package static func isIdentity(prepared: PreparedBases, scalars: [Scalar], extraScalars: [Scalar], extraAffine: [AffinePoint],
                                   backend: MSMBackend) -> Bool {
        switch (prepared.hasTables ? backend : .reference, prepared.curve) {
        case (.reference, _):
            return compute(prepared: prepared, scalars: scalars, extraScalars: extraScalars, extraAffine: extraAffine,
                           backend: .reference).isIdentity
        case (.fast, .p256): return sum(prepared, scalars, extraScalars, extraAffine, as: P256Model.self).isIdentity
        case (.fast, .secp256k1): return sum(prepared, scalars, extraScalars, extraAffine, as: Secp256k1Model.self).isIdentity
        }
    }

    static func compute(scalars: [Scalar], affine points: [AffinePoint], curve: Curve, backend: MSMBackend) -> Point {
        precondition(scalars.count == points.count, "MSM needs one scalar per point")
        switch (backend, curve) {
        case (.reference, _): return reference(scalars: scalars, points: points.map(\.point), curve: curve)
        case (.fast, .p256): return engine(scalars, points.map { Optional($0.affine(as: P256Model.self)) }, as: P256Model.self).point
        case (.fast, .secp256k1): return engine(scalars, points.map { Optional($0.affine(as: Secp256k1Model.self)) }, as: Secp256k1Model.self).point
        }
    }

    // MARK: Plumbing

    /// Drops zero scalars and identity points, then runs the engine.
    static func engine<C: CurveModel>(_ scalars: [Scalar], _ points: [Affine<C>?], as _: C.Type) -> JacobianPoint<C> {
        var ks = [ScalarBits](), ps = [Affine<C>]()
        ks.reserveCapacity(scalars.count); ps.reserveCapacity(points.count)
        for (k, p) in zip(scalars, points) {
            precondition(k.curve == C.curve, "MSM terms from different curves")
            guard let p, !k.isZero else { continue }
            ks.append(k.value); ps.append(p)
        }
        return MSMEngine.multiply(ks, ps)
    }

    static func preparedSum<C: CurveModel>(_ prepared: PreparedBases, _ scalars: [Scalar], _ extraScalars: [Scalar],
                                           _ extra: [Affine<C>?], as model: C.Type) -> JacobianPoint<C> {
        let table = prepared.table(as: model)
        var ks = [ScalarBits]()
        ks.reserveCapacity(scalars.count)
        for k in scalars {
            precondition(k.curve == C.curve, "MSM terms from different curves")
            ks.append(k.value)
        }
        let fixed = table.multiply(ks)
        return fixed + engine(extraScalars, extra, as: model)
    }

    static func sum<C: CurveModel>(_ prepared: PreparedBases, _ scalars: [Scalar], _ extraScalars: [Scalar],
                                   _ extra: [AffinePoint], as model: C.Type) -> JacobianPoint<C> {
        precondition(extraScalars.count == extra.count, "MSM needs one scalar per point")
        return preparedSum(prepared, scalars, extraScalars, extra.map { Optional($0.affine(as: model)) }, as: model)
    }
}

/// Which implementation computes MSMs and decompresses points; see
/// `MSM.backend`.
package enum MSMBackend: Sendable {
    /// Pure Swift: Montgomery field arithmetic, Straus / Pippenger.
    case fast
    /// OpenSSL: `EC_POINT_mul` per term, `EC_POINT_oct2point`.
    case reference
}

/// A set of bases reused across many MSMs (the Pedersen and Bulletproofs
/// generators), converted once to the fast backend's affine form together
/// with precomputed multiples 2^(c·j)·P for each c-bit window j, so that an
/// MSM over them costs no conversion, no doublings and one bucket pass.
///
/// Memory: (⌊256/c⌋ + 1) affine points of 64 bytes per base, c chosen from
/// the number of bases (c = 9 for 128 bases: 1.8 KiB per base; c = 12 for
/// 2048: 1.4 KiB per base). Building costs ≈ 256 doublings per base
/// (≈ 100 µs per base on P-256 in release). Under the reference backend
/// (debug builds, see `MSM.backend`) no tables are built and MSMs over the
/// bases go to OpenSSL.
///
/// Immutable after `init`; share it freely between threads.
public final class PreparedBases: Sendable {
    public let curve: Curve
    /// Number of bases.
    public let count: Int
    /// The window width c of the tables.
    public let windowBits: Int
    /// The bases themselves (for the reference backend).
    let points: [Point]
    /// A `MSMEngine.PreparedTable<C>` for the curve's model; nil when built
    /// under the reference backend (debug builds), which needs no tables.
    private let storage: (any Sendable)?

    var hasTables: Bool { storage != nil }

    /// Prepares `points` (all on `curve`; identity points are allowed and
    /// contribute nothing). `windowBits` overrides the window width chosen
    /// from the number of bases (2…14).
    public convenience init(_ points: [Point], curve: Curve, windowBits: Int? = nil) {
        self.init(points, curve: curve, windowBits: windowBits, backend: MSM.backend)
    }

    package init(_ points: [Point], curve: Curve, windowBits: Int?, backend: MSMBackend) {
        precondition(points.allSatisfy { $0.curve == curve }, "prepared bases from different curves")
        let c = windowBits ?? MSMEngine.preparedWindow(points.count)
        precondition((2...14).contains(c), "window width out of range")
        self.curve = curve
        self.count = points.count
        self.windowBits = c
        self.points = points
        switch (backend, curve) {
        case (.reference, _):
            storage = nil
        case (.fast, .p256):
            storage = MSMEngine.PreparedTable(affineMontgomery(points, as: P256Model.self), windowBits: c)
        case (.fast, .secp256k1):
            storage = MSMEngine.PreparedTable(affineMontgomery(points, as: Secp256k1Model.self), windowBits: c)
        }
    }

    /// Prepares decoded points.
    package convenience init(affine points: [AffinePoint], curve: Curve, windowBits: Int? = nil) {
        precondition(points.allSatisfy { $0.curve == curve }, "prepared bases from different curves")
        self.init(points.map(\.point), curve: curve, windowBits: windowBits, backend: MSM.backend)
    }

    func table<C: CurveModel>(as _: C.Type) -> MSMEngine.PreparedTable<C> {
        precondition(C.curve == curve, "MSM terms from different curves")
        guard let table = storage as? MSMEngine.PreparedTable<C> else {
            preconditionFailure("prepared bases have no tables (built for the reference backend)")
        }
        return table
    }
}
