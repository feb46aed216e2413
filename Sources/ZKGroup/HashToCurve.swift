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
/// E′: y² = x³ + A′·x + B′ with
/// A′ = 0x3f8731abdd661adca08a5558f0f5d272e953d363cb6f0e5d405447c01a444533,
/// B′ = 1771, Z = −11, then through the 3-isogeny E′ → E of Appendix E.1:
///
///     x = (k₁₃·x′³ + k₁₂·x′² + k₁₁·x′ + k₁₀) / (x′² + k₂₁·x′ + k₂₀)
///     y = y′·(k₃₃·x′³ + k₃₂·x′² + k₃₁·x′ + k₃₀) / (x′³ + k₄₂·x′² + k₄₁·x′ + k₄₀)
///
/// (a zero denominator, only at the kernel of the isogeny, gives the identity).
/// For p ≡ 3 (mod 4), as for both primes, sqrt(x) = x^((p+1)/4) and
/// is_square is the Legendre symbol; sgn0(x) = x mod 2.
///
/// Nothing here is constant-time: the inputs are public labels (generator names).
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
        try fieldElements(msg, dst: dst, count: count, field: PrimeField.of(curve)).map(\.bytes)
    }

    static func fieldElements(_ msg: [UInt8], dst: [UInt8], count: Int, field: PrimeField) throws(HashToCurveError) -> [GMPFieldElement] {
        let L = fieldElementBytes
        let uniform = try expandMessageXMD(msg, dst: dst, length: count * L)
        return (0..<count).map { i in GMPFieldElement(reducing: uniform[(i * L)..<((i + 1) * L)], field: field) }
    }

    // MARK: map_to_curve

    /// `map_to_curve(u)` of the suite: simplified SWU for P-256; SWU on E′
    /// followed by the 3-isogeny for secp256k1. `u` is a big-endian field
    /// element (reduced mod p first). Returns the affine coordinates on the
    /// curve as 32 bytes big-endian each, or nil for the identity (possible
    /// only through the isogeny's kernel, probability ≈ 2⁻²⁵⁵).
    package static func mapToCurve(_ u: [UInt8], curve: Curve) -> (x: [UInt8], y: [UInt8])? {
        let map = SSWUMap.of(curve)
        guard let (x, y) = map.map(GMPFieldElement(reducing: u, field: map.field)) else { return nil }
        return (x.bytes, y.bytes)
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
        let map = SSWUMap.of(curve)
        let u: [GMPFieldElement]
        do {
            u = try fieldElements(msg, dst: dst, count: 2, field: map.field)
        } catch {
            // 96 bytes is always within the limits; only an empty DST can fail.
            preconditionFailure("HashToCurve.hash: \(error)")
        }
        let q0 = point(map.map(u[0]), curve: curve)
        let q1 = point(map.map(u[1]), curve: curve)
        return q0 + q1  // clear_cofactor is the identity map: h = 1.
    }

    private static func point(_ affine: (GMPFieldElement, GMPFieldElement)?, curve: Curve) -> Point {
        guard let (x, y) = affine else { return Point.identity(curve) }
        guard let p = Point(affineX: x.value, y: y.value, curve: curve) else {
            preconditionFailure("hash-to-curve produced a point off \(curve): constants are wrong")
        }
        return p
    }
}

/// The simplified SWU map of RFC 9380 §6.6.2 for one suite, with the
/// optional 3-isogeny of Appendix E.1 for secp256k1.
struct SSWUMap: Sendable {
    let field: PrimeField
    /// Coefficients of the curve the SWU map targets (E itself or E′).
    let a: GMPFieldElement
    let b: GMPFieldElement
    /// The non-square Z of the suite.
    let z: GMPFieldElement
    /// −B/A and B/(Z·A), precomputed.
    let minusBOverA: GMPFieldElement
    let bOverZA: GMPFieldElement
    let isogeny: Isogeny3?

    init(field: PrimeField, a: GMPFieldElement, b: GMPFieldElement, z: GMPFieldElement, isogeny: Isogeny3?) {
        precondition(!a.isZero && !b.isZero && !z.isSquare, "invalid simplified SWU parameters")
        self.field = field
        self.a = a
        self.b = b
        self.z = z
        self.minusBOverA = -(b * a.inverseOrZero())
        self.bOverZA = b * (z * a).inverseOrZero()
        self.isogeny = isogeny
    }

    static func of(_ curve: Curve) -> SSWUMap {
        switch curve {
        case .p256: return p256
        case .secp256k1: return secp256k1
        }
    }

    /// P256_XMD:SHA-256_SSWU_RO_ (RFC 9380 §8.2): A = −3, B = b, Z = −10.
    static let p256: SSWUMap = {
        let f = PrimeField.p256
        let params = CurveParameters.p256
        return SSWUMap(field: f,
                       a: GMPFieldElement(unchecked: params.a, field: f),
                       b: GMPFieldElement(unchecked: params.b, field: f),
                       z: GMPFieldElement(-10, field: f),
                       isogeny: nil)
    }()

    /// secp256k1_XMD:SHA-256_SSWU_RO_ (RFC 9380 §8.7): SWU on E′ with
    /// A′ = 0x3f87…4533, B′ = 1771, Z = −11, then the 3-isogeny to E.
    static let secp256k1: SSWUMap = {
        let f = PrimeField.secp256k1
        return SSWUMap(field: f,
                       a: GMPFieldElement(hex: "3f8731abdd661adca08a5558f0f5d272e953d363cb6f0e5d405447c01a444533", field: f),
                       b: GMPFieldElement(1771, field: f),
                       z: GMPFieldElement(-11, field: f),
                       isogeny: .secp256k1)
    }()

    /// g(x) = x³ + A·x + B.
    func g(_ x: GMPFieldElement) -> GMPFieldElement { (x.squared() + a) * x + b }

    /// `map_to_curve_simple_swu(u)` onto E (or E′), straightforward
    /// (not constant-time) form of RFC 9380 §6.6.2.
    func simpleSWU(_ u: GMPFieldElement) -> (x: GMPFieldElement, y: GMPFieldElement) {
        let zu2 = z * u.squared()                          // Z·u²
        let tv1 = (zu2.squared() + zu2).inverseOrZero()    // inv0(Z²·u⁴ + Z·u²)
        let x1 = tv1.isZero ? bOverZA : minusBOverA * (GMPFieldElement.one(field) + tv1)
        let gx1 = g(x1)
        var x: GMPFieldElement, y: GMPFieldElement
        if gx1.isSquare {
            x = x1
            y = gx1.squareRoot()
        } else {
            x = zu2 * x1
            y = g(x).squareRoot()
        }
        if u.sgn0 != y.sgn0 { y = -y }
        return (x, y)
    }

    /// The full `map_to_curve` of the suite, onto E; nil for the identity.
    func map(_ u: GMPFieldElement) -> (GMPFieldElement, GMPFieldElement)? {
        let (x, y) = simpleSWU(u)
        guard let isogeny else { return (x, y) }
        return isogeny.map(x: x, y: y)
    }
}

/// A 3-isogeny E′ → E given by the rational maps of RFC 9380 Appendix E.1:
/// x = x_num(x′) / x_den(x′), y = y′ · y_num(x′) / y_den(x′).
/// Coefficient arrays are in increasing degree; x_den and y_den are monic.
struct Isogeny3: Sendable {
    let xNum: [GMPFieldElement]   // k_(1,0) … k_(1,3)
    let xDen: [GMPFieldElement]   // k_(2,0), k_(2,1), 1
    let yNum: [GMPFieldElement]   // k_(3,0) … k_(3,3)
    let yDen: [GMPFieldElement]   // k_(4,0) … k_(4,2), 1

    /// Horner evaluation of a polynomial with coefficients in increasing degree.
    static func evaluate(_ coefficients: [GMPFieldElement], at x: GMPFieldElement) -> GMPFieldElement {
        var acc = coefficients.last!
        for c in coefficients.dropLast().reversed() { acc = acc * x + c }
        return acc
    }

    /// The image of (x′, y′), or nil (the identity) if a denominator vanishes.
    func map(x: GMPFieldElement, y: GMPFieldElement) -> (GMPFieldElement, GMPFieldElement)? {
        let xd = Self.evaluate(xDen, at: x), yd = Self.evaluate(yDen, at: x)
        guard !xd.isZero, !yd.isZero else { return nil }
        let outX = Self.evaluate(xNum, at: x) * xd.inverseOrZero()
        let outY = y * Self.evaluate(yNum, at: x) * yd.inverseOrZero()
        return (outX, outY)
    }

    /// secp256k1's 3-isogeny, RFC 9380 Appendix E.1.
    static let secp256k1: Isogeny3 = {
        let f = PrimeField.secp256k1
        func k(_ hex: String) -> GMPFieldElement { GMPFieldElement(hex: hex, field: f) }
        let one = GMPFieldElement.one(f)
        return Isogeny3(
            xNum: [k("8e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38daaaaa8c7"),
                   k("07d3d4c80bc321d5b9f315cea7fd44c5d595d2fc0bf63b92dfff1044f17c6581"),
                   k("534c328d23f234e6e2a413deca25caece4506144037c40314ecbd0b53d9dd262"),
                   k("8e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38e38daaaaa88c")],
            xDen: [k("d35771193d94918a9ca34ccbb7b640dd86cd409542f8487d9fe6b745781eb49b"),
                   k("edadc6f64383dc1df7c4b2d51b54225406d36b641f5e41bbc52a56612a8c6d14"),
                   one],
            yNum: [k("4bda12f684bda12f684bda12f684bda12f684bda12f684bda12f684b8e38e23c"),
                   k("c75e0c32d5cb7c0fa9d0a54b12a0a6d5647ab046d686da6fdffc90fc201d71a3"),
                   k("29a6194691f91a73715209ef6512e576722830a201be2018a765e85a9ecee931"),
                   k("2f684bda12f684bda12f684bda12f684bda12f684bda12f684bda12f38e38d84")],
            yDen: [k("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffff93b"),
                   k("7a06534bb8bdb49fd5e9e6632722c2989467c1bfc8e8d978dfb425d2685c2573"),
                   k("6484aa716545ca2cf3a70c3fa8fe337e0a3d21162f0d6299a7bf8192bfd2a76f"),
                   one])
    }()
}
