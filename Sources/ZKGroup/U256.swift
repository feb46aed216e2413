import CGMP

/// A 256-bit natural number as four 64-bit limbs, least significant first
/// (GMP's `mp_limb_t` order). Internal representation shared by `Scalar`,
/// the field arithmetic and the encoders; never part of the public API.
///
/// The storage is a homogeneous tuple so that its memory is contiguous and can
/// be handed to GMP's `mpn_*` functions without copying.

struct U256: Sendable {
    var w: (UInt64, UInt64, UInt64, UInt64)

    init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        w = (w0, w1, w2, w3)
    }

    static let zero = U256(0, 0, 0, 0)
    static let one = U256(1, 0, 0, 0)

    /// Reads 32 big-endian bytes. Precondition: `bytes.count == 32`.
    ///
    /// Accumulates in the tuple itself, never in a heap array: the bytes are
    /// often secret (blinding factors read from an openings file) and a
    /// temporary array would be freed without being wiped.
    init<B: Collection<UInt8>>(bigEndian bytes: B) {
        precondition(bytes.count == 32, "U256 needs exactly 32 bytes")
        // Arrays and slices: read in place, a word at a time (a generic
        // caller in another module would otherwise iterate through witness
        // tables, ≈ 3 µs per 32 bytes).
        if let r = bytes.withContiguousStorageIfAvailable({ U256(bigEndianBuffer: $0) }) {
            self = r
            return
        }
        var r = U256(0, 0, 0, 0)
        for (i, byte) in bytes.enumerated() {
            let limb = 3 - i / 8
            r[limb] = (r[limb] << 8) | UInt64(byte)
        }
        self = r
    }

    /// Reads 32 big-endian bytes from memory. Precondition: `bytes.count == 32`.
    @inline(__always)
    init(bigEndianBuffer bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count == 32, "U256 needs exactly 32 bytes")
        func limb(_ start: Int) -> UInt64 {
            var v: UInt64 = 0
            for j in start..<(start + 8) { v = v << 8 | UInt64(bytes[j]) }
            return v
        }
        self.init(limb(24), limb(16), limb(8), limb(0))
    }

    /// A constant written as its 64 hexadecimal digits in four groups of 16,
    /// most significant first: `U256(hex: 0xffffffff00000001, 0x0, …)` reads
    /// like the published hex string (`CurveConstants.swift`).
    @inline(__always)
    init(hex w3: UInt64, _ w2: UInt64, _ w1: UInt64, _ w0: UInt64) {
        w = (w0, w1, w2, w3)
    }

    /// 32 big-endian bytes.
    /// The only heap copy is the returned array: callers holding a secret
    /// wipe it (`secureZero`) when done.
    var bigEndianBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<4 {
            let limb = self[3 - i]
            for j in 0..<8 { out[8 * i + j] = UInt8(truncatingIfNeeded: limb >> (56 - 8 * UInt64(j))) }
        }
        return out
    }

    subscript(i: Int) -> UInt64 {
        get {
            switch i {
            case 0: return w.0
            case 1: return w.1
            case 2: return w.2
            default: return w.3
            }
        }
        set {
            switch i {
            case 0: w.0 = newValue
            case 1: w.1 = newValue
            case 2: w.2 = newValue
            default: w.3 = newValue
            }
        }
    }

    var isZero: Bool { (w.0 | w.1 | w.2 | w.3) == 0 }

    /// Bit `i` (0 = least significant).
    func bit(_ i: Int) -> Bool { (self[i >> 6] >> UInt64(i & 63)) & 1 == 1 }

    /// `bits` bits starting at bit `start` (bits ≤ 63), zero beyond bit 255.
    func bits(from start: Int, count bits: Int) -> Int {
        let limb = start >> 6, shift = start & 63
        guard limb < 4 else { return 0 }
        var v = self[limb] >> UInt64(shift)
        if shift + bits > 64, limb + 1 < 4 { v |= self[limb + 1] << UInt64(64 - shift) }
        return Int(v & ((1 << UInt64(bits)) - 1))
    }

    /// Number of significant bits.
    var bitWidth: Int {
        for i in stride(from: 3, through: 0, by: -1) where self[i] != 0 {
            return 64 * i + 64 - self[i].leadingZeroBitCount
        }
        return 0
    }

    /// Runs `body` with a pointer to the four limbs.
    func withLimbs<R>(_ body: (UnsafePointer<mp_limb_t>) throws -> R) rethrows -> R {
        try withUnsafePointer(to: w) { tuple in
            try tuple.withMemoryRebound(to: mp_limb_t.self, capacity: 4) { try body($0) }
        }
    }

    mutating func withMutableLimbs<R>(_ body: (UnsafeMutablePointer<mp_limb_t>) throws -> R) rethrows -> R {
        try withUnsafeMutablePointer(to: &w) { tuple in
            try tuple.withMemoryRebound(to: mp_limb_t.self, capacity: 4) { try body($0) }
        }
    }

    /// Three-way comparison as natural numbers.
    static func compare(_ a: U256, _ b: U256) -> Int {
        for i in stride(from: 3, through: 0, by: -1) {
            if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        }
        return 0
    }

    /// `a + b` and the carry out.
    static func add(_ a: U256, _ b: U256) -> (U256, Bool) {
        let (r, carry) = addWithCarry(a, b)
        return (r, carry != 0)
    }

    /// `a + b` and the carry out as 0 or 1, with no branch on the operands
    /// (for secret scalars: `Scalar.+`).
    static func addWithCarry(_ a: U256, _ b: U256) -> (U256, UInt64) {
        var r = U256.zero
        var carry: UInt64 = 0
        for i in 0..<4 {
            let (s1, c1) = a[i].addingReportingOverflow(b[i])
            let (s2, c2) = s1.addingReportingOverflow(carry)
            r[i] = s2
            carry = (c1 ? 1 : 0) | (c2 ? 1 : 0)
        }
        return (r, carry)
    }

    /// `a` if `condition` is 1, `b` if it is 0, without a branch on it.
    /// Precondition: `condition` ∈ {0, 1}.
    static func select(_ condition: UInt64, _ a: U256, _ b: U256) -> U256 {
        let mask = 0 &- condition
        return U256((a.w.0 & mask) | (b.w.0 & ~mask), (a.w.1 & mask) | (b.w.1 & ~mask),
                    (a.w.2 & mask) | (b.w.2 & ~mask), (a.w.3 & mask) | (b.w.3 & ~mask))
    }

    /// 1 if the value is nonzero, 0 if it is zero, without a branch.
    var isNonzeroBit: UInt64 {
        let z = w.0 | w.1 | w.2 | w.3
        return (z | (0 &- z)) >> 63
    }

    /// `a − b` and the borrow out.
    static func sub(_ a: U256, _ b: U256) -> (U256, Bool) {
        let (r, borrow) = subWithBorrow(a, b)
        return (r, borrow != 0)
    }

    /// `a − b` and the borrow out as 0 or 1, with no branch on the operands.
    static func subWithBorrow(_ a: U256, _ b: U256) -> (U256, UInt64) {
        var r = U256.zero
        var borrow: UInt64 = 0
        for i in 0..<4 {
            let (d1, b1) = a[i].subtractingReportingOverflow(b[i])
            let (d2, b2) = d1.subtractingReportingOverflow(borrow)
            r[i] = d2
            borrow = (b1 ? 1 : 0) | (b2 ? 1 : 0)
        }
        return (r, borrow)
    }
}

extension U256: Equatable, Hashable {
    static func == (a: U256, b: U256) -> Bool {
        ((a.w.0 ^ b.w.0) | (a.w.1 ^ b.w.1) | (a.w.2 ^ b.w.2) | (a.w.3 ^ b.w.3)) == 0
    }
    func hash(into h: inout Hasher) {
        h.combine(w.0); h.combine(w.1); h.combine(w.2); h.combine(w.3)
    }
}
