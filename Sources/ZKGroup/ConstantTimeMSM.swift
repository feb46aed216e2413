// MARK: - Multi-scalar multiplication for secret scalars, in constant time
//
// Σᵢ kᵢ·Pᵢ where the scalars kᵢ are secret and the points Pᵢ public
// (generators, commitments): Straus' interleaved method with fixed signed
// windows over the complete formulas of `CompletePoint.swift`.
//
// Recoding. With w = `windowBits` and h = 2^(w−1), every k < 2²⁵⁶ is written
// k = Σⱼ dⱼ·2^(w·j), j = 0 … D−1, D = ⌈257/w⌉, with signed digits
// dⱼ ∈ [−(h−1), h]: the w-bit windows of k are read from the bottom and a
// window (plus the carry from below) above h becomes that value − 2^w with a
// carry of 1 into the next. The top digit absorbs the last carry (it is at
// most 2 because k < 2²⁵⁶, so no carry leaves it). The carry is computed
// arithmetically, (d + h − 1) >> w, never by comparison.
//
// Evaluation. Each point gets a table of its multiples 1·P … h·P (affine,
// built by the variable-time code: the points are public). One accumulator
// runs from the top digit down: w doublings, then for every point the entry
// |dⱼ|·P is read by scanning the WHOLE table with masked selects (entry 1
// stands in for digit 0), negated by mask when dⱼ < 0, added by the complete
// mixed formula, and the sum kept or discarded by mask when dⱼ = 0 (the
// affine entry cannot be the identity).
//
// Constant-time invariants (with respect to the scalars): the instruction
// sequence is a function of the number of terms only; no branch and no
// memory index depends on a digit (the digits' own positions in their
// buffer are public); the field arithmetic under the formulas is constant
// time (`FieldElement.swift`). Terms with an identity point are dropped by
// the caller, a decision on public data. The digit buffer is wiped before
// it is freed. Checked on the compiled release binary, for the sums the
// prover and the custodian run, by `scripts/ctcheck.sh` (valgrind's
// memcheck with the scalars marked undefined; SECURITY.md, "Constant time").
//
// Cost per term: ⌈257/w⌉ mixed additions (11M) and table scans, plus h − 1
// table additions and a share of one batch inversion; plus 4·⌈257/w⌉ − w
// doublings shared by all terms (per worker: large sums are split over
// `MSMEngine.threads` workers, each with its own accumulator).

enum ConstantTimeMSM {
    /// w: 4-bit signed windows, digits in [−7, 8], tables of 8 multiples.
    static let windowBits = 4
    /// h = 2^(w−1): the table holds 1·P … h·P.
    static var tableSize: Int { 1 << (windowBits - 1) }
    /// D = ⌈257/w⌉ digits per scalar (the 257th bit holds the last carry).
    static var digitCount: Int { (256 + windowBits) / windowBits }
    /// Sums of at least this many terms are split over several threads
    /// (each worker repeats the ≈ 256 doublings, worth a few terms).
    static let parallelThreshold = 24

    /// Σᵢ scalars[i]·points[i], constant time in the scalars. Preconditions:
    /// equal counts, every scalar on C's curve.
    /// `workers` overrides the automatic choice of threads (tests).
    static func multiply<C: CurveModel>(_ scalars: [Scalar], _ points: [Affine<C>],
                                        workers requested: Int? = nil) -> ProjectivePoint<C> {
        precondition(scalars.count == points.count, "one scalar per point")
        let n = points.count
        guard n > 0 else { return .identity }
        let digitCount = Self.digitCount
        let digits = recodeAll(scalars, as: C.self)
        defer { wipe(digits, count: n) }
        let workers = max(1, min(requested ?? (n >= parallelThreshold ? MSMEngine.threads : 1), n))
        var partial = [ProjectivePoint<C>](repeating: .identity, count: workers)
        defer { partial.withUnsafeMutableBytes { secureZero($0) } }
        partial.withUnsafeMutableBufferPointer { out in
            MSMEngine.parallel(workers) { t in
                let lo = n * t / workers, hi = n * (t + 1) / workers
                let tables = multiples(points[lo..<hi])
                tables.withUnsafeBufferPointer { table in
                    out[t] = interleave(table.baseAddress!, digits + lo * digitCount, count: hi - lo)
                }
            }
        }
        var sum = partial[0]
        for p in partial.dropFirst() { sum = sum + p }
        return sum
    }

    /// Every scalar's D digits, scalar i's at i·D, in a buffer the caller
    /// releases with `wipe`.
    static func recodeAll<C: CurveModel>(_ scalars: [Scalar], as _: C.Type) -> UnsafeMutablePointer<Int8> {
        let digits = UnsafeMutablePointer<Int8>.allocate(capacity: scalars.count * digitCount)
        for (i, k) in scalars.enumerated() {
            precondition(k.curve == C.curve, "MSM terms from different curves")
            recode(k.value, into: digits + i * digitCount)
        }
        return digits
    }

    /// Zeroes and frees a `recodeAll` buffer of `count` scalars.
    static func wipe(_ digits: UnsafeMutablePointer<Int8>, count: Int) {
        secureZero(UnsafeMutableRawBufferPointer(start: digits, count: count * digitCount))
        digits.deallocate()
    }

    /// acc + d·P for the signed digit d, P's table of 1·P … h·P at `table`:
    /// the entry |d|·P read by a full scan, negated by mask when d < 0, the
    /// sum kept or discarded by mask when d = 0. Constant time in d.
    @inline(__always)
    static func addDigit<C: CurveModel>(_ acc: ProjectivePoint<C>, _ d: Int8, _ table: UnsafePointer<Affine<C>>) -> ProjectivePoint<C> {
        let d = Int64(d)
        let sign = UInt64(bitPattern: d >> 63)                  // all ones when d < 0
        let magnitude = UInt64(bitPattern: (d ^ (d >> 63)) &- (d >> 63))
        let q = lookup(table, magnitude).negated(if: sign)
        return ProjectivePoint.select(ctEqualMask(magnitude, 0), acc, acc + q)
    }

    /// The D signed digits of k (little-endian: digits[j] weighs 2^(w·j)),
    /// branch-free in k. Any k < 2²⁵⁶: D = ⌈257/w⌉ digits leave room for
    /// the last carry.
    @inline(__always)
    static func recode(_ k: U256, into digits: UnsafeMutablePointer<Int8>) {
        let w = UInt64(windowBits)
        let half = UInt64(1) << (w - 1)
        var carry: UInt64 = 0
        for j in 0..<digitCount {
            let d = window(k, at: j * windowBits) &+ carry      // ∈ [0, 2^w]
            carry = (d &+ half &- 1) >> w                        // 1 iff d > h
            digits[j] = Int8(truncatingIfNeeded: d &- (carry << w))
        }
    }

    /// Bits [bit, bit + w) of k (zeros above bit 255). The branches and limb
    /// indices follow the public position only.
    @inline(__always)
    static func window(_ k: U256, at bit: Int) -> UInt64 {
        let limb = bit / 64, offset = bit % 64
        guard limb < 4 else { return 0 }
        var v = k[limb] >> UInt64(offset)
        if offset + windowBits > 64 && limb < 3 { v |= k[limb + 1] << UInt64(64 - offset) }
        return v & ((UInt64(1) << UInt64(windowBits)) - 1)
    }

    /// For each point P its table 1·P … h·P, concatenated (h entries per
    /// point), in affine form: variable time, on public points only.
    static func multiples<C: CurveModel>(_ points: ArraySlice<Affine<C>>) -> [Affine<C>] {
        var jacobian = [JacobianPoint<C>]()
        jacobian.reserveCapacity(points.count * tableSize)
        for p in points {
            var m = JacobianPoint(p)
            jacobian.append(m)
            for j in 1..<tableSize {
                m = j == 1 ? m.doubled() : m + p
                jacobian.append(m)
            }
        }
        // j·P ≠ ∞ for 1 ≤ j ≤ h: the group order is prime and far larger.
        return JacobianPoint.batchToAffine(jacobian).map { $0! }
    }

    /// The entry m·P of one table (m ∈ 0 … h; entry 1·P for m = 0) by a scan
    /// of every entry with masked selects: the addresses read do not depend
    /// on m.
    @inline(__always)
    static func lookup<C: CurveModel>(_ table: UnsafePointer<Affine<C>>, _ magnitude: UInt64) -> Affine<C> {
        var r = table[0]
        for j in 1..<tableSize {
            r = Affine.select(ctEqualMask(magnitude, UInt64(j + 1)), table[j], r)
        }
        return r
    }

    /// Σᵢ kᵢ·Pᵢ over `count` terms from their tables and digits (term i's
    /// table at tables + i·h, its digits at digits + i·D).
    static func interleave<C: CurveModel>(_ tables: UnsafePointer<Affine<C>>, _ digits: UnsafePointer<Int8>,
                                          count: Int) -> ProjectivePoint<C> {
        let digitCount = Self.digitCount, tableSize = Self.tableSize
        var acc = ProjectivePoint<C>.identity
        for j in stride(from: digitCount - 1, through: 0, by: -1) {
            if j < digitCount - 1 { acc = acc.doubled(times: windowBits) }
            for i in 0..<count {
                acc = addDigit(acc, digits[i * digitCount + j], tables + i * tableSize)
            }
        }
        return acc
    }
}

// MARK: - Fixed bases (the Pedersen generators)
//
// For bases used with many secret scalars (G and H of every commitment),
// the multiples of each base at every digit position are tabulated once:
// for j < D, the entries m·2^(w·j)·P, m = 1 … h. Then k·P = Σⱼ dⱼ·2^(w·j)·P
// is D table scans and D complete mixed additions, with no doubling: the
// same recoding, masked lookups and masked keep-or-add as `interleave`,
// with the same invariants (the instruction sequence depends on the number
// of terms only; table addresses follow the public digit positions).
// No entry is the identity: m·2^(w·j) has no prime factor above 7 and the
// group order is a prime far larger.

extension ConstantTimeMSM {
    /// P's fixed-base table: D·h affine entries, entry j·h + (m − 1) =
    /// m·2^(w·j)·P. Variable time, on a public point.
    static func fixedBaseTable<C: CurveModel>(_ p: Affine<C>) -> [Affine<C>] {
        var jacobian = [JacobianPoint<C>]()
        jacobian.reserveCapacity(digitCount * tableSize)
        var base = JacobianPoint(p)                 // 2^(w·j)·P
        for _ in 0..<digitCount {
            var m = base
            jacobian.append(m)
            for j in 1..<tableSize {
                m = j == 1 ? m.doubled() : m + base
                jacobian.append(m)
            }
            base = base.doubled(times: windowBits)
        }
        return JacobianPoint.batchToAffine(jacobian).map { $0! }
    }

    /// Σᵢ scalars[i]·Pᵢ where tables holds each Pᵢ's `fixedBaseTable`, one
    /// after the other. Constant time in the scalars. Preconditions: one
    /// table per scalar, every scalar on C's curve.
    static func multiplyFixed<C: CurveModel>(_ scalars: [Scalar], tables: [Affine<C>]) -> ProjectivePoint<C> {
        let digitCount = Self.digitCount, tableSize = Self.tableSize
        let n = scalars.count
        precondition(tables.count == n * digitCount * tableSize, "one fixed-base table per scalar")
        guard n > 0 else { return .identity }
        let digits = recodeAll(scalars, as: C.self)
        defer { wipe(digits, count: n) }
        var acc = ProjectivePoint<C>.identity
        tables.withUnsafeBufferPointer { table in
            for t in 0..<(n * digitCount) {
                acc = addDigit(acc, digits[t], table.baseAddress! + t * tableSize)
            }
        }
        return acc
    }
}
