import Synchronization
public import ZKGroup

/// The public generators of a curve, all derived by RFC 9380 hash-to-curve
/// with DST `ZKMARGIN-V1-<curve>` so that no discrete-log relation between
/// any two of them is known:
///
///     G  = the curve's standard base point (values are committed on G)
///     H  = hash("pedersen-H")                 (blinding factors on H)
///     Gᵢ = hash("bp-G" ‖ u32be(i)),  Hᵢ = hash("bp-H" ‖ u32be(i))   (i ≥ 0)
///
/// The vector generators are derived lazily and cached; the cache only grows
/// and is guarded by a mutex, so one `Generators` may be shared by threads.
public final class Generators: Sendable {
    public let curve: Curve
    /// Base point for committed values.
    public let g: Point
    /// Base point for blinding factors.
    public let h: Point

    private struct VectorCache {
        var gs: [Point] = []
        var hs: [Point] = []
        var prepared: [Int: PreparedBases] = [:]
        var affineGs: [AffinePoint?] = []
        var affineHs: [AffinePoint?] = []
    }
    private let cache = Mutex(VectorCache())
    private let pedersen = Mutex<SecretFixedBases?>(nil)

    /// The domain-separation tag for this curve's hash-to-curve calls.
    public var dst: [UInt8] { Array("ZKMARGIN-V1-\(curve.rawValue)".utf8) }

    /// A string naming the generator set, absorbed by transcripts.
    public var setIdentifier: String { "ZKMARGIN-V1-\(curve.rawValue)/G=base,H=pedersen-H,Gi=bp-G,Hi=bp-H" }

    private init(curve: Curve) {
        self.curve = curve
        self.g = Point.generator(curve)
        self.h = HashToCurve.hash(Array("pedersen-H".utf8), dst: Array("ZKMARGIN-V1-\(curve.rawValue)".utf8), curve: curve)
        self.affineG = AffinePoint(g)
        self.affineH = AffinePoint(h)
    }

    private let affineG: AffinePoint?
    private let affineH: AffinePoint?

    private static let p256 = Generators(curve: .p256)
    private static let secp256k1 = Generators(curve: .secp256k1)

    /// The shared generator set of a curve.
    public static func standard(_ curve: Curve) -> Generators {
        switch curve {
        case .p256: return p256
        case .secp256k1: return secp256k1
        }
    }

    static func indexed(_ prefix: String, _ i: Int) -> [UInt8] {
        let i = UInt32(i)
        return Array(prefix.utf8) + [UInt8(i >> 24), UInt8(truncatingIfNeeded: i >> 16), UInt8(truncatingIfNeeded: i >> 8), UInt8(truncatingIfNeeded: i)]
    }

    /// The first `count` vector generators (G₀…, H₀…).
    public func vectors(_ count: Int) -> (gs: ArraySlice<Point>, hs: ArraySlice<Point>) {
        precondition(count >= 0 && count <= 1 << 24, "generator count out of range")
        let have = cache.withLock { $0.gs.count }
        if have < count {
            // Derive outside the lock (hashing is the slow part), then publish.
            var newG = [Point](), newH = [Point]()
            newG.reserveCapacity(count - have)
            newH.reserveCapacity(count - have)
            for i in have..<count {
                newG.append(HashToCurve.hash(Self.indexed("bp-G", i), dst: dst, curve: curve))
                newH.append(HashToCurve.hash(Self.indexed("bp-H", i), dst: dst, curve: curve))
            }
            cache.withLock { c in
                // Another thread may have extended the cache meanwhile; the
                // values are deterministic, so keep whichever is longer.
                if c.gs.count < count {
                    let start = c.gs.count - have
                    c.gs.append(contentsOf: newG[start...])
                    c.hs.append(contentsOf: newH[start...])
                }
            }
        }
        return cache.withLock { ($0.gs[0..<count], $0.hs[0..<count]) }
    }

    /// `vectors(count)` in the fast arithmetic's affine form (what the
    /// prover folds), converted once and cached like the points.
    package func affineVectors(_ count: Int) -> (gs: ArraySlice<AffinePoint?>, hs: ArraySlice<AffinePoint?>) {
        let have = cache.withLock { $0.affineGs.count }
        if have < count {
            let (gs, hs) = vectors(count)
            let newG = AffinePoint.converting(Array(gs[have...]), curve: curve)
            let newH = AffinePoint.converting(Array(hs[have...]), curve: curve)
            cache.withLock { c in
                if c.affineGs.count < count {
                    let start = c.affineGs.count - have
                    c.affineGs.append(contentsOf: newG[start...])
                    c.affineHs.append(contentsOf: newH[start...])
                }
            }
        }
        return cache.withLock { ($0.affineGs[0..<count], $0.affineHs[0..<count]) }
    }

    /// g and h in the fast arithmetic's affine form.
    package var affineBases: (g: AffinePoint?, h: AffinePoint?) { (affineG, affineH) }

    /// [G, H] prepared for commitments' constant-time fixed-base
    /// multiplication (`SecretFixedBases`), built on first use (≈ 1 ms in
    /// release builds) and kept.
    package var pedersenBases: SecretFixedBases {
        if let bases = pedersen.withLock({ $0 }) { return bases }
        let bases = SecretFixedBases([g, h])
        return pedersen.withLock { cached in
            if cached == nil { cached = bases }
            return cached!
        }
    }

    /// The bases `[g, h, G₀ … G_{count−1}, H₀ … H_{count−1}]` in the order
    /// the verifier's multi-scalar multiplication uses them.
    public func bases(_ count: Int) -> [Point] {
        let (gs, hs) = vectors(count)
        return [g, h] + Array(gs) + Array(hs)
    }

    /// `bases(count)` prepared once for the fast multi-scalar
    /// multiplication (precomputed tables in release builds), cached per count.
    public func prepared(_ count: Int) -> PreparedBases {
        if let p = cache.withLock({ $0.prepared[count] }) { return p }
        let p = PreparedBases(bases(count), curve: curve)
        cache.withLock { $0.prepared[count] = p }
        return p
    }
}
