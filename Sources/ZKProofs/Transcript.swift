public import ZKGroup

/// A Fiat–Shamir transcript: every message the verifier sees, absorbed in
/// order, determines every challenge.
///
/// Construction (SPEC.md §8 is normative; known answers in `Vectors/transcript/`):
///
///     lp(x)               = u64be(len(x)) ‖ x
///     state₀              = SHA-256("zkmargin/transcript/v1" ‖ lp(protocol))
///     append(label, msg):   state ← SHA-256(0x01 ‖ state ‖ lp(label) ‖ lp(msg))
///     challenge(label):     state ← SHA-256(0x02 ‖ state ‖ lp(label))
///                           wide  = SHA-256(0x03 ‖ state) ‖ SHA-256(0x04 ‖ state)
///                           c     = wide (64 bytes, big-endian) mod n
///                           if c = 0: repeat from the first line (same label)
///
/// The 64-byte reduction makes the challenge's bias below 2⁻²⁵⁶; the one-byte
/// tags separate the three uses of SHA-256 so no append can collide with a
/// challenge. Because every call chains through `state`, a challenge commits
/// to everything absorbed before it, in order, with unambiguous framing.
public struct Transcript: Sendable {
    /// The current 32-byte chaining value.
    public private(set) var state: [UInt8]

    /// Starts a transcript for `protocolLabel` (e.g. "zkmargin/bulletproofs-plus/v2").
    public init(protocolLabel: String) {
        var h = SHA256()
        h.update(Array("zkmargin/transcript/v1".utf8))
        h.update(Self.lengthPrefixed(Array(protocolLabel.utf8)))
        state = h.finalize()
    }

    /// lp(x) = u64be(len(x)) ‖ x, the framing of every absorbed field (and
    /// of the context bytes callers build: one definition for both).
    package static func lengthPrefixed(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(8 + bytes.count)
        out.append(contentsOf: u64be(bytes.count))
        out.append(contentsOf: bytes)
        return out
    }

    /// The 8-byte big-endian encoding of a count or index.
    package static func u64be(_ v: Int) -> [UInt8] {
        let n = UInt64(v)
        return stride(from: 56, through: 0, by: -8).map { UInt8(truncatingIfNeeded: n >> UInt64($0)) }
    }

    /// Absorbs a labelled message.
    public mutating func append(_ label: String, _ message: [UInt8]) {
        absorb(label, message)
    }

    /// state ← SHA-256(0x01 ‖ state ‖ lp(label) ‖ lp(message)), hashed from
    /// one buffer.
    private mutating func absorb<M: Collection<UInt8>>(_ label: String, _ message: M) {
        let labelBytes = label.utf8
        var input = [UInt8]()
        input.reserveCapacity(1 + state.count + 16 + labelBytes.count + message.count)
        input.append(0x01)
        input.append(contentsOf: state)
        input.append(contentsOf: Self.u64be(labelBytes.count))
        input.append(contentsOf: labelBytes)
        input.append(contentsOf: Self.u64be(message.count))
        input.append(contentsOf: message)
        state = SHA256.hash(input)
    }

    /// Absorbs an unsigned integer as 8 bytes big-endian.
    public mutating func append(_ label: String, u64 value: UInt64) {
        var bytes = [UInt8]()
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        append(label, bytes)
    }

    /// Absorbs a scalar's 32-byte encoding.
    public mutating func append(_ label: String, scalar: Scalar) { append(label, scalar.bytes) }

    /// Absorbs a point's 33-byte compressed encoding (0x00 for the identity,
    /// which never occurs in a valid statement but must not crash).
    public mutating func append(_ label: String, point: Point) {
        append(label, (try? point.compressed()) ?? [0x00])
    }

    /// Absorbs a point's 33-byte compressed encoding as it arrived (the
    /// verifier's path: the same bytes `append(_:point:)` would absorb, for
    /// a canonically encoded point, without re-encoding it).
    package mutating func append(_ label: String, encodedPoint: ArraySlice<UInt8>) {
        absorb(label, encodedPoint)
    }

    /// Absorbs a UTF-8 string.
    public mutating func append(_ label: String, string: String) { append(label, Array(string.utf8)) }

    /// Squeezes a nonzero challenge scalar mod the curve's order.
    public mutating func challengeScalar(_ label: String, curve: Curve) -> Scalar {
        while true {
            var h = SHA256()
            h.update([0x02])
            h.update(state)
            h.update(Self.lengthPrefixed(Array(label.utf8)))
            state = h.finalize()
            let wide = SHA256.hash([0x03] + state) + SHA256.hash([0x04] + state)
            let c = Scalar(reducing: wide, curve: curve)
            if !c.isZero { return c }
        }
    }
}
