public import ZKGroup

/// A Bulletproofs+ aggregated range proof (Chung, Han, Ju, Kim, Seo 2020).
///
/// Wire format, for a statement with k = log₂(n·m') rounds:
///
///     A ‖ A1 ‖ B ‖ L[0] ‖ R[0] ‖ … ‖ L[k−1] ‖ R[k−1] ‖ r' ‖ s' ‖ δ'
///
/// points SEC1-compressed (33 bytes), scalars 32 bytes big-endian < n, so the
/// length is exactly 33·(3 + 2k) + 96 bytes: 591 bytes for one 64-bit value.
///
/// A value holds its canonical encoding together with the decoded points in
/// the fast arithmetic's affine form: the verifier absorbs the encodings into
/// its transcript as they are and hands the points to its multi-scalar
/// multiplication, with no OpenSSL object in between. Two proofs are equal
/// exactly when their encodings are.
public struct RangeProof: Sendable, Equatable {
    /// The wire encoding above (canonical: produced by the prover or
    /// accepted by the strict decoder).
    private let encoding: [UInt8]
    /// A, A1, B, L[0], R[0], …, L[k−1], R[k−1], in wire order (rounds counted
    /// from 0, as errors name them), none the identity.
    let points: [AffinePoint]
    public let r1: Scalar
    public let s1: Scalar
    public let d1: Scalar

    /// k, the number of inner-product rounds (L, R pairs).
    public var rounds: Int { (points.count - 3) / 2 }

    /// The 33-byte encoding of point `i` (wire order: A, A1, B, L[0], R[0], …).
    func encodedPoint(_ i: Int) -> ArraySlice<UInt8> { encoding[33 * i ..< 33 * (i + 1)] }

    var a: AffinePoint { points[0] }
    var a1: AffinePoint { points[1] }
    var b: AffinePoint { points[2] }
    func l(_ j: Int) -> AffinePoint { points[3 + 2 * j] }
    func r(_ j: Int) -> AffinePoint { points[4 + 2 * j] }

    /// The exact encoded length for `rounds` rounds.
    public static func encodedLength(rounds: Int) -> Int { 33 * (3 + 2 * rounds) + 96 }

    /// The encoded length of a proof for `statement`.
    public static func encodedLength(for statement: RangeStatement) -> Int { encodedLength(rounds: statement.rounds) }

    /// The wire encoding.
    public func encoded() -> [UInt8] { encoding }

    public static func == (a: RangeProof, b: RangeProof) -> Bool { a.encoding == b.encoding }

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
        var points = [AffinePoint]()
        points.reserveCapacity(3 + 2 * rounds)
        for i in 0..<(3 + 2 * rounds) {
            do { points.append(try AffinePoint(compressed: bytes[33 * i ..< 33 * (i + 1)], curve: curve)) }
            catch { throw .invalidPoint(field: Self.pointName(i), reason: error) }
        }
        var offset = 33 * points.count
        func scalar(_ field: String) throws(RangeProofError) -> Scalar {
            defer { offset += 32 }
            do { return try Scalar(canonical: bytes[offset..<offset + 32], curve: curve) }
            catch { throw .invalidScalar(field: field, reason: error) }
        }
        r1 = try scalar("r'")
        s1 = try scalar("s'")
        d1 = try scalar("δ'")
        self.points = points
        encoding = bytes
    }

    /// The name of point `i` in wire order, as errors quote it: A, A1, B,
    /// L[0], R[0], L[1], …
    static func pointName(_ i: Int) -> String {
        switch i {
        case 0: "A"
        case 1: "A1"
        case 2: "B"
        default: "\(i % 2 == 1 ? "L" : "R")[\((i - 3) / 2)]"
        }
    }

    /// The prover's proof. Precondition: no point is the identity (each is
    /// a sum with a uniformly random blinding term, so one is with
    /// probability ≈ 1/n).
    init(a: Point, a1: Point, b: Point, ls: [Point], rs: [Point], r1: Scalar, s1: Scalar, d1: Scalar) {
        precondition(ls.count == rs.count, "one R per L")
        var all = [a, a1, b]
        for (l, r) in zip(ls, rs) { all.append(l); all.append(r) }
        var encoding = [UInt8]()
        encoding.reserveCapacity(Self.encodedLength(rounds: ls.count))
        var points = [AffinePoint]()
        points.reserveCapacity(all.count)
        for p in all {
            guard let affine = AffinePoint(p), let bytes = try? p.compressed() else {
                preconditionFailure("a proof point is the identity")
            }
            points.append(affine)
            encoding.append(contentsOf: bytes)
        }
        encoding.append(contentsOf: r1.bytes)
        encoding.append(contentsOf: s1.bytes)
        encoding.append(contentsOf: d1.bytes)
        self.encoding = encoding
        self.points = points
        self.r1 = r1; self.s1 = s1; self.d1 = d1
    }
}
