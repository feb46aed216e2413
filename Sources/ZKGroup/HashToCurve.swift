/// Every way an RFC 9380 expansion can be asked for something it cannot give.
/// All are programming errors in the caller (bad constants), never data-dependent.
public enum HashToCurveError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A negative output length was requested.
    case negativeOutputLength(Int)
    /// `len_in_bytes` > 65535: it cannot be encoded as I2OSP(len_in_bytes, 2).
    case outputLengthTooLarge(Int)
    /// ell = ceil(len_in_bytes / 32) > 255: expand_message_xmd with SHA-256
    /// produces at most 255·32 = 8160 bytes.
    case tooManyBlocks(Int)
    /// The domain separation tag is empty (RFC 9380 §3.1: tags MUST have nonzero length).
    case emptyDST

    public var description: String {
        switch self {
        case .negativeOutputLength(let n):
            return "expand_message_xmd: requested output length \(n) is negative"
        case .outputLengthTooLarge(let n):
            return "expand_message_xmd: requested output length \(n) exceeds 65535 bytes"
        case .tooManyBlocks(let n):
            return "expand_message_xmd: requested output length \(n) needs more than 255 SHA-256 blocks (at most 8160 bytes)"
        case .emptyDST:
            return "hash-to-curve: the domain separation tag must not be empty"
        }
    }
}

/// RFC 9380 "Hashing to Elliptic Curves", the suites
/// `P256_XMD:SHA-256_SSWU_RO_` and `secp256k1_XMD:SHA-256_SSWU_RO_`
/// (see `Curve.hashToCurveSuite`).
///
/// `hash(msg, dst, curve)` is `hash_to_curve` (§3, the random-oracle encoding):
///
///     (u₀, u₁) = hash_to_field(msg, 2)      expand_message_xmd(SHA-256), L = 48, m = 1
///     Q₀ = map_to_curve(u₀)
///     Q₁ = map_to_curve(u₁)
///     P  = clear_cofactor(Q₀ + Q₁) = Q₀ + Q₁   (both curves have cofactor h = 1)
///
/// `map_to_curve` is the simplified Shallue–van de Woestijne–Ulas map (§6.6.2)
/// for y² = x³ + A·x + B with A·B ≠ 0 and a non-square Z:
///
///     tv1 = inv0(Z²·u⁴ + Z·u²)
///     x1  = (−B / A)·(1 + tv1)        or, if tv1 = 0, x1 = B / (Z·A)
///     gx1 = x1³ + A·x1 + B
///     x2  = Z·u²·x1,  gx2 = x2³ + A·x2 + B  (= Z³·u⁶·gx1 when tv1 ≠ 0)
///     (x, y) = (x1, sqrt(gx1)) if gx1 is square, else (x2, sqrt(gx2))
///     y = −y if sgn0(u) ≠ sgn0(y)
///
/// Exactly one of gx1, gx2 is square because Z is not, so the map always
/// lands on the curve. P-256 uses it directly (A = −3, B = b, Z = −10, §8.2).
/// secp256k1 has A = 0, so (§6.6.3, §8.7) it maps to the 3-isogenous curve
/// E′: y² = x³ + A′·x + B′ (B′ = 1771), Z = −11, then through the 3-isogeny
/// E′ → E of Appendix E.1 (all constants in `CurveConstants.swift`):
///
///     x = (k₁₃·x′³ + k₁₂·x′² + k₁₁·x′ + k₁₀) / (x′² + k₂₁·x′ + k₂₀)
///     y = y′·(k₃₃·x′³ + k₃₂·x′² + k₃₁·x′ + k₃₀) / (x′³ + k₄₂·x′² + k₄₁·x′ + k₄₀)
///
/// (a zero denominator, only at the kernel of the isogeny, gives the identity).
/// The field arithmetic is `FieldElement` (`SSWUMap.swift` states which
/// operations each step uses); sgn0(x) = x mod 2 (`isOdd`).
///
/// Not constant time (the map branches on whether gx1 is a square, and on
/// the exceptional cases): the inputs are public labels (generator names).
/// The RFC's own test vectors (Appendices J.1.1, J.8.1, K.1) are in
/// `Vectors/hash-to-curve/` and checked by `HashToCurveTests`.
public enum HashToCurve {
    /// SHA-256 output size, b_in_bytes.
    static let hashBytes = SHA256.outputByteCount
    /// SHA-256 block size, s_in_bytes.
    static let blockBytes = SHA256.blockByteCount
    /// L = ceil((ceil(log2(p)) + k) / 8) = ceil((256 + 128) / 8) = 48 for both suites.
    static let fieldElementBytes = 48

    // MARK: expand_message_xmd (RFC 9380 §5.3.1)

    /// `expand_message_xmd` with SHA-256 (RFC 9380 §5.3.1):
    ///
    ///     DST′     = DST ‖ I2OSP(len(DST), 1)       (DST longer than 255 bytes is first
    ///                replaced by SHA-256("H2C-OVERSIZE-DST-" ‖ DST), §5.3.3)
    ///     msg′     = Z_pad(64 zero bytes) ‖ msg ‖ I2OSP(len_in_bytes, 2) ‖ I2OSP(0, 1) ‖ DST′
    ///     b₀       = H(msg′)
    ///     b₁       = H(b₀ ‖ I2OSP(1, 1) ‖ DST′)
    ///     bᵢ       = H((b₀ ⊕ bᵢ₋₁) ‖ I2OSP(i, 1) ‖ DST′),   i = 2 … ell
    ///     output   = first len_in_bytes bytes of b₁ ‖ … ‖ b_ell
    ///
    /// with ell = ceil(len_in_bytes / 32).
    ///
    /// - Throws: `negativeOutputLength`, `outputLengthTooLarge` (> 65535),
    ///   `tooManyBlocks` (ell > 255, i.e. more than 8160 bytes), `emptyDST`.
    ///   A length of 0 returns the empty array.
    public static func expandMessageXMD(_ msg: [UInt8], dst: [UInt8], length: Int) throws(HashToCurveError) -> [UInt8] {
        guard length >= 0 else { throw .negativeOutputLength(length) }
        guard length <= 65535 else { throw .outputLengthTooLarge(length) }
        let ell = (length + hashBytes - 1) / hashBytes
        guard ell <= 255 else { throw .tooManyBlocks(length) }
        guard !dst.isEmpty else { throw .emptyDST }
        if length == 0 { return [] }

        let dstPrime = dstPrime(dst)
        let b0 = SHA256.hash(msgPrime(msg, dstPrime: dstPrime, length: length))

        var out = [UInt8]()
        out.reserveCapacity(ell * hashBytes)
        var previous = [UInt8](repeating: 0, count: hashBytes)  // b₀ ⊕ 0 = b₀ for b₁
        for i in 1...ell {
            var h = SHA256()
            var chained = b0
            for j in 0..<hashBytes { chained[j] ^= previous[j] }
            h.update(chained)
            h.update(CollectionOfOne(UInt8(i)))
            h.update(dstPrime)
            previous = h.finalize()
            out += previous
        }
        return Array(out.prefix(length))
    }

    /// DST′ = DST ‖ I2OSP(len(DST), 1), after replacing a DST longer than 255
    /// bytes by SHA-256("H2C-OVERSIZE-DST-" ‖ DST) (RFC 9380 §5.3.3).
    package static func dstPrime(_ dst: [UInt8]) -> [UInt8] {
        var tag = dst
        if tag.count > 255 {
            var h = SHA256()
            h.update(Array("H2C-OVERSIZE-DST-".utf8))
            h.update(dst)
            tag = h.finalize()
        }
        return tag + [UInt8(tag.count)]
    }

    /// msg′ = Z_pad ‖ msg ‖ I2OSP(len_in_bytes, 2) ‖ I2OSP(0, 1) ‖ DST′,
    /// Z_pad = 64 zero bytes (SHA-256's block size). Precondition: length ≤ 65535.
    package static func msgPrime(_ msg: [UInt8], dstPrime: [UInt8], length: Int) -> [UInt8] {
        precondition((0...65535).contains(length))
        var m = [UInt8](repeating: 0, count: blockBytes)
        m.reserveCapacity(blockBytes + msg.count + 3 + dstPrime.count)
        m += msg
        m += [UInt8(length >> 8), UInt8(length & 0xff), 0]
        m += dstPrime
        return m
    }

    // MARK: hash_to_field (RFC 9380 §5.2), m = 1, L = 48

    /// `hash_to_field(msg, count)` for the curve's base field: expands to
    /// count·48 bytes and reduces each 48-byte chunk mod p (OS2IP, big-endian).
    /// Returns each element as 32 bytes big-endian.
    package static func hashToField(_ msg: [UInt8], dst: [UInt8], count: Int, curve: Curve) throws(HashToCurveError) -> [[UInt8]] {
        switch curve {
        case .p256: return try fieldElements(msg, dst: dst, count: count, as: P256Field.self).map(\.bigEndianBytes)
        case .secp256k1: return try fieldElements(msg, dst: dst, count: count, as: Secp256k1Field.self).map(\.bigEndianBytes)
        }
    }

    static func fieldElements<M: FieldModulus>(_ msg: [UInt8], dst: [UInt8], count: Int,
                                               as _: M.Type) throws(HashToCurveError) -> [FieldElement<M>] {
        let L = fieldElementBytes
        let uniform = try expandMessageXMD(msg, dst: dst, length: count * L)
        return (0..<count).map { i in FieldElement(reducing: uniform[(i * L)..<((i + 1) * L)]) }
    }

    // MARK: map_to_curve

    /// `map_to_curve(u)` of the suite: simplified SWU for P-256; SWU on E′
    /// followed by the 3-isogeny for secp256k1. `u` is a big-endian field
    /// element (reduced mod p first). Returns the affine coordinates on the
    /// curve as 32 bytes big-endian each, or nil for the identity (possible
    /// only through the isogeny's kernel, probability ≈ 2⁻²⁵⁵).
    package static func mapToCurve(_ u: [UInt8], curve: Curve) -> (x: [UInt8], y: [UInt8])? {
        switch curve {
        case .p256: return mapToCurve(u, SSWUMaps.p256)
        case .secp256k1: return mapToCurve(u, SSWUMaps.secp256k1)
        }
    }

    static func mapToCurve<C: CurveModel>(_ u: [UInt8], _ map: SSWUMap<C>) -> (x: [UInt8], y: [UInt8])? {
        guard let (x, y) = map.map(FieldElement(reducing: u)) else { return nil }
        return (x.bigEndianBytes, y.bigEndianBytes)
    }

    // MARK: hash_to_curve (RFC 9380 §3)

    /// `hash_to_curve(msg)` with the curve's `_RO_` suite and domain
    /// separation tag `dst` (any nonzero length; longer than 255 bytes is
    /// hashed first per §5.3.3).
    ///
    /// The result is the identity only with negligible probability (Q₀ = −Q₁,
    /// or an isogeny kernel point); callers deriving generators should still
    /// reject it.
    ///
    /// - Precondition: `dst` is not empty (a constant in every caller).
    public static func hash(_ msg: [UInt8], dst: [UInt8], curve: Curve) -> Point {
        switch curve {
        case .p256: return hash(msg, dst: dst, SSWUMaps.p256)
        case .secp256k1: return hash(msg, dst: dst, SSWUMaps.secp256k1)
        }
    }

    static func hash<C: CurveModel>(_ msg: [UInt8], dst: [UInt8], _ map: SSWUMap<C>) -> Point {
        let u: [FieldElement<C.Field>]
        do {
            u = try fieldElements(msg, dst: dst, count: 2, as: C.Field.self)
        } catch {
            // 96 bytes is always within the limits; only an empty DST can fail.
            preconditionFailure("HashToCurve.hash: \(error)")
        }
        let q0 = point(map.map(u[0]), as: C.self)
        let q1 = point(map.map(u[1]), as: C.self)
        return q0 + q1  // clear_cofactor is the identity map: h = 1.
    }

    private static func point<C: CurveModel>(_ affine: (FieldElement<C.Field>, FieldElement<C.Field>)?, as _: C.Type) -> Point {
        guard let (x, y) = affine else { return Point.identity(C.curve) }
        guard let p = Point(affineX: x.canonical, y: y.canonical, curve: C.curve) else {
            preconditionFailure("hash-to-curve produced a point off \(C.curve): constants are wrong")
        }
        return p
    }
}
