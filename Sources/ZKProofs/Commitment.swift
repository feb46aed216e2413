import ZKGroup

/// A Pedersen commitment C = v·G + r·H to a value v with blinding factor r.
/// Perfectly hiding (r uniform), computationally binding (no one knows
/// log_G H). Homomorphic: C(a, r) + C(b, s) = C(a + b, r + s).
public struct Commitment: Sendable, Hashable {
    public let point: Point

    public init(point: Point) { self.point = point }

    /// Commits to `opening` on `generators`. Both scalar multiplications use
    /// OpenSSL's constant-time paths: v and r are secrets.
    public init(_ opening: Opening, generators: Generators) {
        precondition(opening.value.curve == generators.curve, "opening and generators on different curves")
        point = Point.generatorMultiple(opening.value) + generators.h.multiplied(by: opening.blinding)
    }

    /// 33-byte SEC1 compressed encoding.
    public func encoded() throws(GroupError) -> [UInt8] { try point.compressed() }

    /// Strict decoding (see `Point.init(compressed:curve:)`).
    public init(encoded bytes: [UInt8], curve: Curve) throws(GroupError) {
        point = try Point(compressed: bytes, curve: curve)
    }

    public static func + (a: Commitment, b: Commitment) -> Commitment { Commitment(point: a.point + b.point) }
    public static func - (a: Commitment, b: Commitment) -> Commitment { Commitment(point: a.point - b.point) }
}

/// The secret behind a commitment: the value and its blinding factor.
/// Its description is redacted so it can never be printed by accident.
public struct Opening: Sendable, Hashable, CustomStringConvertible {
    public let value: Scalar
    public let blinding: Scalar

    public init(value: Scalar, blinding: Scalar) {
        precondition(value.curve == blinding.curve, "opening scalars on different curves")
        self.value = value
        self.blinding = blinding
    }

    /// An opening of `value` with a fresh blinding factor uniform in [1, n)
    /// from OpenSSL's `RAND_priv_bytes`.
    public static func random(value: Scalar) -> Opening {
        Opening(value: value, blinding: .random(value.curve))
    }

    /// An opening of `value` with a blinding factor from `source`.
    public static func random<R: RandomBytesSource>(value: Scalar, using source: inout R) -> Opening {
        Opening(value: value, blinding: .random(value.curve, using: &source))
    }

    public static func + (a: Opening, b: Opening) -> Opening {
        Opening(value: a.value + b.value, blinding: a.blinding + b.blinding)
    }

    public var description: String { "Opening(<redacted>)" }
}
