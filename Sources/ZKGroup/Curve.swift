import CLibCrypto

/// The prime-order elliptic curves zkmargin works over. Both have cofactor 1,
/// so every point other than the identity generates the whole group.
public enum Curve: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    /// NIST P-256 (secp256r1), the default: OpenSSL's assembly path is fast.
    case p256
    /// secp256k1 (Bitcoin's curve).
    case secp256k1

    /// The default curve.
    public static let `default`: Curve = .p256

    /// Looks a curve up by its name in files and on the command line (`p256`,
    /// `secp256k1`; `P-256` and `secp256r1` are accepted as aliases).
    public init?(name: String) {
        switch name.lowercased() {
        case "p256", "p-256", "secp256r1", "prime256v1": self = .p256
        case "secp256k1": self = .secp256k1
        default: return nil
        }
    }

    public var description: String { rawValue }

    /// The group order n, 32 bytes big-endian.
    public var orderBytes: [UInt8] { parameters.order.bigEndianBytes }
    /// The base-field prime p, 32 bytes big-endian.
    public var primeBytes: [UInt8] { parameters.prime.bigEndianBytes }

    /// The RFC 9380 hash-to-curve suite used for this curve's generators.
    public var hashToCurveSuite: String {
        switch self {
        case .p256: return "P256_XMD:SHA-256_SSWU_RO_"
        case .secp256k1: return "secp256k1_XMD:SHA-256_SSWU_RO_"
        }
    }

    var parameters: CurveParameters {
        switch self {
        case .p256: return CurveParameters.p256
        case .secp256k1: return CurveParameters.secp256k1
        }
    }
}

/// Per-curve constants and the shared OpenSSL group object.
///
/// Invariant: `group` is created once and never mutated afterwards; OpenSSL
/// reads a `const EC_GROUP *` from many threads safely.

final class CurveParameters: @unchecked Sendable {
    let curve: Curve
    /// The OpenSSL `EC_GROUP *`.
    let group: OpaquePointer
    /// Group order n.
    let order: U256
    /// Field prime p.
    let prime: U256
    /// Curve coefficients a and b of y² = x³ + a·x + b, as elements of [0, p).
    let a: U256
    let b: U256
    /// Affine coordinates of the base point G.
    let gx: U256
    let gy: U256

    private init(curve: Curve, nid: Int32, prime: String, order: String, a: String, b: String, gx: String, gy: String) {
        self.curve = curve
        guard let group = EC_GROUP_new_by_curve_name(nid) else {
            fatalError("OpenSSL does not provide curve \(curve); libcrypto is unusable")
        }
        self.group = group
        self.prime = U256(hex: prime)
        self.order = U256(hex: order)
        self.a = U256(hex: a)
        self.b = U256(hex: b)
        self.gx = U256(hex: gx)
        self.gy = U256(hex: gy)
        // The constants above are the published ones; OpenSSL must agree.
        precondition(Self.bignumU256(EC_GROUP_get0_order(group)) == self.order, "order mismatch with OpenSSL")
    }

    private static func bignumU256(_ bn: OpaquePointer?) -> U256 {
        var bytes = [UInt8](repeating: 0, count: 32)
        _ = BN_bn2binpad(bn, &bytes, 32)
        return U256(bigEndian: bytes)
    }

    static let p256 = CurveParameters(
        curve: .p256, nid: NID_X9_62_prime256v1,
        prime: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        order: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        a: "ffffffff00000001000000000000000000000000fffffffffffffffffffffffc",
        b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
        gx: "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
        gy: "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")

    static let secp256k1 = CurveParameters(
        curve: .secp256k1, nid: NID_secp256k1,
        prime: "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
        order: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        a: "0",
        b: "7",
        gx: "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
        gy: "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
}
