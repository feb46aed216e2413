public import ZKGroup

/// A Pedersen commitment C = v·G + r·H to a value v with blinding factor r.
/// Perfectly hiding (r uniform), computationally binding (no one knows
/// log_G H). Homomorphic: C(a, r) + C(b, s) = C(a + b, r + s).
public struct Commitment: Sendable, Hashable {
    public let point: Point

    public init(point: Point) { self.point = point }

    /// Commits to `opening` on `generators`: C = v·G + r·H as one two-term
    /// `SecretMSM` (v and r are secrets; G and H are public). C is a
    /// deterministic function of the opening, whichever backend runs.
    ///
    /// Release builds: zkmargin's constant-time fixed-base multiplication
    /// (`ConstantTimeMSM.multiplyFixed` on tables of G's and H's multiples
    /// at every 4-bit digit position, built once per process,
    /// `Generators.pedersenBases`: masked table scans and complete projective
    /// additions over the constant-time field code, no doubling): the same
    /// instructions for every v and r, zero and small values included, so
    /// the time to commit does not tell which assets and instruments are
    /// zero (what the custodian commits to every input to hide). Only the
    /// result, which is published, is converted to an OpenSSL point by
    /// variable-time code. Debug builds (`MSM.backend`): the masked OpenSSL
    /// reference, (v + ρ)·G + (r + ρ)·H − ρ·(G + H) with ρ fresh from
    /// `RAND_priv_bytes` (`SecretMSM.reference`: OpenSSL's `EC_POINT_add`
    /// short-cuts the identity, the image of v = 0, so unmasked the timing
    /// would tell). No mask is needed in release builds.
    public init(_ opening: Opening, generators: Generators) {
        precondition(opening.value.curve == generators.curve, "opening and generators on different curves")
        var terms = [opening.value, opening.blinding]
        defer { secureZero(&terms) }
        point = SecretMSM.compute(scalars: terms, fixed: generators.pedersenBases)
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
/// Its description, debug description and reflection (`dump`, debuggers)
/// are redacted so it can never be printed by accident.
public struct Opening: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
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
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Overwrites every opening of an array with zero scalars (best effort, as
/// `secureZero(_: inout [Scalar])`: only this array's own storage).
public func secureZero(_ openings: inout [Opening]) {
    openings.withUnsafeMutableBytes { secureZero($0) }
}
