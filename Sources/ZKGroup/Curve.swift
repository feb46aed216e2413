internal import CLibCrypto

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

/// Per-curve constants (read from `CurveConstants.swift`) and the shared
/// OpenSSL group object.
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

    private init<C: CurveModel>(_: C.Type, nid: Int32) {
        curve = C.curve
        guard let group = EC_GROUP_new_by_curve_name(nid) else {
            fatalError("OpenSSL does not provide curve \(C.curve); libcrypto is unusable")
        }
        self.group = group
        prime = C.Field.modulus
        order = C.Order.modulus
        a = C.coefficientA
        b = C.coefficientB
        gx = C.generatorX
        gy = C.generatorY
        // The constants are the published ones; OpenSSL must agree
        // (`CurveConstantsTests` compares all of them).
        precondition(Self.bignumU256(EC_GROUP_get0_order(group)) == order, "order mismatch with OpenSSL")
    }

    private static func bignumU256(_ bn: OpaquePointer?) -> U256 {
        var bytes = [UInt8](repeating: 0, count: 32)
        _ = BN_bn2binpad(bn, &bytes, 32)
        return U256(bigEndian: bytes)
    }

    static let p256 = CurveParameters(P256Model.self, nid: NID_X9_62_prime256v1)
    static let secp256k1 = CurveParameters(Secp256k1Model.self, nid: NID_secp256k1)
}
