public import ZKGroup

/// A Bulletproofs+ aggregated range proof (Chung, Han, Ju, Kim, Seo 2020).
///
/// Wire format, for a statement with k = log₂(n·m') rounds:
///
///     A ‖ A1 ‖ B ‖ L₁ ‖ R₁ ‖ … ‖ L_k ‖ R_k ‖ r' ‖ s' ‖ δ'
///
/// points SEC1-compressed (33 bytes), scalars 32 bytes big-endian < n, so the
/// length is exactly 33·(3 + 2k) + 96 bytes: 591 bytes for one 64-bit value.
public struct RangeProof: Sendable, Equatable {
    public let a: Point
    public let a1: Point
    public let b: Point
    public let ls: [Point]
    public let rs: [Point]
    public let r1: Scalar
    public let s1: Scalar
    public let d1: Scalar

    /// The exact encoded length for `rounds` rounds.
    public static func encodedLength(rounds: Int) -> Int { 33 * (3 + 2 * rounds) + 96 }

    /// The encoded length of a proof for `statement`.
    public static func encodedLength(for statement: RangeStatement) -> Int { encodedLength(rounds: statement.rounds) }

    /// The wire encoding. Never fails for a proof made by the prover or
    /// decoded by `init(encoded:for:)` (no point is the identity).
    public func encoded() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.encodedLength(rounds: ls.count))
        func put(_ p: Point) { out.append(contentsOf: (try? p.compressed()) ?? [UInt8](repeating: 0, count: 33)) }
        put(a); put(a1); put(b)
        for (l, r) in zip(ls, rs) { put(l); put(r) }
        out.append(contentsOf: r1.bytes)
        out.append(contentsOf: s1.bytes)
        out.append(contentsOf: d1.bytes)
        return out
    }

    /// Strict decoding against the statement it claims to prove: the exact
    /// length for its round count, canonical non-identity points, canonical
    /// scalars.
    public init(encoded bytes: [UInt8], for statement: RangeStatement) throws(RangeProofError) {
        let curve = statement.curve
        let rounds = statement.rounds
        let expected = Self.encodedLength(rounds: rounds)
        guard bytes.count == expected else {
            let body = bytes.count - 96 - 99
            if body >= 0, body % 66 == 0 { throw .roundCount(expected: rounds, got: body / 66) }
            throw .proofLength(expected: expected, got: bytes.count)
        }
        var offset = 0
        func point(_ field: String) throws(RangeProofError) -> Point {
            defer { offset += 33 }
            do { return try Point(compressed: bytes[offset..<offset + 33], curve: curve) }
            catch { throw .invalidPoint(field: field, reason: error) }
        }
        func scalar(_ field: String) throws(RangeProofError) -> Scalar {
            defer { offset += 32 }
            do { return try Scalar(canonical: bytes[offset..<offset + 32], curve: curve) }
            catch { throw .invalidScalar(field: field, reason: error) }
        }
        a = try point("A")
        a1 = try point("A1")
        b = try point("B")
        var ls = [Point](), rs = [Point]()
        for j in 0..<rounds {
            ls.append(try point("L[\(j)]"))
            rs.append(try point("R[\(j)]"))
        }
        self.ls = ls
        self.rs = rs
        r1 = try scalar("r'")
        s1 = try scalar("s'")
        d1 = try scalar("δ'")
    }

    init(a: Point, a1: Point, b: Point, ls: [Point], rs: [Point], r1: Scalar, s1: Scalar, d1: Scalar) {
        self.a = a; self.a1 = a1; self.b = b; self.ls = ls; self.rs = rs
        self.r1 = r1; self.s1 = s1; self.d1 = d1
    }
}
