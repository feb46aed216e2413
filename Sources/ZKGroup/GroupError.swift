/// Every way reading a scalar or a point can fail. Each invalid encoding has
/// its own case so that tests and the negative vectors in `Vectors/encoding/`
/// can name the exact rejection. Messages never contain secret material.
public enum GroupError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A scalar encoding is not exactly 32 bytes.
    case scalarLength(Int)
    /// A scalar encoding is ≥ the group order n.
    case scalarNotReduced
    /// A point encoding is not exactly 33 bytes.
    case pointLength(Int)
    /// The single byte 00, SEC1's encoding of the identity.
    case identityEncoding
    /// Prefix 04: SEC1 uncompressed form.
    case uncompressedPoint
    /// Prefix 06 or 07: SEC1 hybrid form.
    case hybridPoint
    /// Any other prefix than 02 or 03.
    case invalidPointPrefix(UInt8)
    /// The x-coordinate is ≥ the field prime p.
    case coordinateNotReduced
    /// x³ + a·x + b is not a square: no point has this x.
    case notOnCurve
    /// The point is the identity, which has no encoding.
    case identityPoint
    /// The curve name is unknown.
    case unknownCurve(String)

    /// A stable machine-readable name: the case name, as negative vectors
    /// and `--json` output spell it.
    public var code: String {
        switch self {
        case .scalarLength: return "scalarLength"
        case .scalarNotReduced: return "scalarNotReduced"
        case .pointLength: return "pointLength"
        case .identityEncoding: return "identityEncoding"
        case .uncompressedPoint: return "uncompressedPoint"
        case .hybridPoint: return "hybridPoint"
        case .invalidPointPrefix: return "invalidPointPrefix"
        case .coordinateNotReduced: return "coordinateNotReduced"
        case .notOnCurve: return "notOnCurve"
        case .identityPoint: return "identityPoint"
        case .unknownCurve: return "unknownCurve"
        }
    }

    public var description: String {
        switch self {
        case .scalarLength(let n): return "scalar must be 32 bytes, got \(n)"
        case .scalarNotReduced: return "scalar is not reduced modulo the group order"
        case .pointLength(let n): return "point must be 33 bytes (SEC1 compressed), got \(n)"
        case .identityEncoding: return "point encoding 00 (the identity) is not allowed"
        case .uncompressedPoint: return "uncompressed point encoding (prefix 04) is not allowed"
        case .hybridPoint: return "hybrid point encoding (prefix 06/07) is not allowed"
        case .invalidPointPrefix(let b): return "invalid point prefix 0x\(String(b, radix: 16))"
        case .coordinateNotReduced: return "point x-coordinate is not reduced modulo the field prime"
        case .notOnCurve: return "no curve point has this x-coordinate"
        case .identityPoint: return "the identity point is not allowed"
        case .unknownCurve(let name): return "unknown curve '\(name)' (expected p256 or secp256k1)"
        }
    }
}
