import Synchronization
#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif
import Dispatch

// MARK: - Multi-scalar multiplication engines (public data only)
//
// Three ways to compute Σ kᵢ·Pᵢ over `Affine<C>` points and canonical scalars
// (0 ≤ kᵢ < n < 2²⁵⁶), all variable-time:
//
// - Straus (small sizes): each point gets a table of its odd multiples
//   P, 3P, …, 15P (made affine together with one inversion); each scalar is
//   recoded in width-5 NAF (a nonzero digit at most every 5 bits); one shared
//   chain of 256 doublings adds the table entries in: ≈ 256/6 mixed additions
//   per point.
//
// - Pippenger's bucket method (larger sizes): every scalar is cut into
//   W = ⌊256/c⌋ + 1 signed windows of c bits, digits d ∈ (−2^(c−1), 2^(c−1)],
//   so that only 2^(c−1) buckets per window are needed (−P is free). Window j's
//   sum is Sⱼ = Σ_b b·(Σ of the points whose digit is ±b), computed by the
//   running-sum trick; the result is Σ 2^(cj)·Sⱼ by Horner's rule.
//
//   Bucket accumulation uses *batched affine additions*: the points of each
//   bucket are laid out contiguously (counting sort), then summed pairwise in
//   rounds, each round computing every pair's λ = (y₂ − y₁)/(x₂ − x₁) with a
//   single inversion for all buckets of all windows in the group (Montgomery's
//   trick, 3 multiplications per pair). An affine addition then costs
//   ≈ 5M + 1S against 8M + 3S for a mixed Jacobian one, and the buckets come
//   out affine, so the running sums use mixed additions.
//
// - Prepared bases (fixed generators): for each base P the table holds
//   2^(cj)·P for every window j, affine. Then Σ kᵢ·Pᵢ = Σᵢ Σⱼ dᵢⱼ·(2^(cj)·Pᵢ)
//   is a single-window bucket sum over N·W table points: no doublings, one
//   running sum, and all additions batched affine.
//
// Large MSMs (≥ 2¹⁵ bucket entries) run on several threads: Pippenger hands
// out groups of windows, the prepared path slices of the bases, each worker
// with its own scratch memory; the partial sums are added at the end.
//
// Window widths come from a cost model calibrated on this machine (≈ 10
// field multiplications per bucket entry, ≈ 25 per bucket of a running sum);
// the measured optimum agreed within noise at 128, 2048, 4096 and 17 000
// points.

/// Scalars of the MSM as canonical 256-bit numbers.
typealias ScalarBits = U256

enum MSMEngine {
    // MARK: Choosing an algorithm

    /// Below this many (nonzero) terms Straus beats Pippenger (measured on
    /// both curves; see `zkmargin bench group`).
    static let straussThreshold = 40

    /// Number of signed windows of c bits covering a 256-bit scalar plus the
    /// final carry.
    @inline(__always)
    static func windowCount(_ c: Int) -> Int { 256 / c + 1 }

    /// The window width minimising the modelled cost of Pippenger on
    /// `n` points (costs in field multiplications, measured: ≈ 10 per
    /// bucket entry — the batched affine addition and its share of sorting —
    /// and ≈ 25 per bucket in the running sum).
    static func pippengerWindow(_ n: Int) -> Int {
        var best = 2, bestCost = Double.infinity
        for c in 2...16 {
            let w = Double(windowCount(c))
            let cost = w * (10 * Double(n) + 25 * Double(1 << (c - 1)) + 60)
            if cost < bestCost { bestCost = cost; best = c }
        }
        return best
    }

    /// The window width of a prepared table for `n` bases: the single
    /// running sum costs 2^(c−1) buckets once, the table entries N·W.
    static func preparedWindow(_ n: Int) -> Int {
        var best = 2, bestCost = Double.infinity
        for c in 2...14 {
            let w = Double(windowCount(c))
            let cost = 10 * w * Double(n) + 25 * Double(1 << (c - 1))
            if cost < bestCost { bestCost = cost; best = c }
        }
        return best
    }

    /// Σ kᵢ·Pᵢ, choosing Straus or Pippenger by size. Zero scalars are
    /// skipped; points are affine, so never the identity.
    static func multiply<C: CurveModel>(_ scalars: [ScalarBits], _ points: [Affine<C>]) -> JacobianPoint<C> {
        precondition(scalars.count == points.count)
        var ks = [ScalarBits](), ps = [Affine<C>]()
        ks.reserveCapacity(scalars.count); ps.reserveCapacity(points.count)
        for (k, p) in zip(scalars, points) where !k.isZero { ks.append(k); ps.append(p) }
        if ks.isEmpty { return .identity }
        if ks.count < straussThreshold { return straus(ks, ps) }
        return pippenger(ks, ps, windowBits: pippengerWindow(ks.count))
    }

    // MARK: Straus

    /// Width-w NAF of k: digits odd in (−2^(w−1), 2^(w−1)) or zero, at most
    /// one nonzero in any w consecutive positions; 258 positions cover a
    /// 256-bit k plus the final carry. Adapted from libsecp256k1's
    /// `secp256k1_ecmult_wnaf`.
    @inline(__always)
    static func wnaf(_ k: ScalarBits, w: Int, into out: UnsafeMutablePointer<Int8>, length: Int) {
        for i in 0..<length { out[i] = 0 }
        var carry = 0
        var bit = 0
        while bit < length {
            if k.bits(from: bit, count: 1) == carry { bit += 1; continue }
            let now = min(w, length - bit)
            var word = k.bits(from: bit, count: now) + carry
            carry = (word >> (w - 1)) & 1
            word -= carry << w
            out[bit] = Int8(word)
            bit += now
        }
    }

    /// Appends P, 3P, 5P, …, (2·count − 1)·P in Jacobian form.
    @inline(__always)
    static func appendOddMultiples<C: CurveModel>(of p: Affine<C>, count: Int, to out: inout [JacobianPoint<C>]) {
        let twice = JacobianPoint(p).doubled()
        var t = JacobianPoint(p)
        out.append(t)
        for _ in 1..<count {
            t = t + twice
            out.append(t)
        }
    }

    static func straus<C: CurveModel>(_ scalars: [ScalarBits], _ points: [Affine<C>]) -> JacobianPoint<C> {
        let n = points.count
        let w = 5
        let tableSize = 1 << (w - 2)          // P, 3P, …, 15P
        let length = 258

        // Odd multiples in Jacobian form, then all made affine at once.
        var jac = [JacobianPoint<C>]()
        jac.reserveCapacity(n * tableSize)
        for p in points { appendOddMultiples(of: p, count: tableSize, to: &jac) }
        // Odd multiples up to 15 of a point of prime order > 15 are never the
        // identity; the force-unwrap states that.
        let table = JacobianPoint.batchToAffine(jac).map { $0! }

        let naf = UnsafeMutablePointer<Int8>.allocate(capacity: n * length)
        defer { naf.deallocate() }
        var top = 0
        for i in 0..<n {
            wnaf(scalars[i], w: w, into: naf + i * length, length: length)
            for b in stride(from: length - 1, through: 0, by: -1) where naf[i * length + b] != 0 {
                top = max(top, b)
                break
            }
        }

        var acc = JacobianPoint<C>.identity
        table.withUnsafeBufferPointer { tab in
            for b in stride(from: top, through: 0, by: -1) {
                if !acc.isIdentity { acc = acc.doubled() }
                for i in 0..<n {
                    let d = Int(naf[i * length + b])
                    if d > 0 {
                        acc = acc + tab[i * tableSize + (d >> 1)]
                    } else if d < 0 {
                        acc = acc + tab[i * tableSize + ((-d) >> 1)].negated
                    }
                }
            }
        }
        return acc
    }

    // MARK: Signed windows

    /// Signed c-bit digits of k, d ∈ (−2^(c−1), 2^(c−1)], Σ dⱼ·2^(cj) = k,
    /// `windows` of them (enough for the carry out of the top window).
    @inline(__always)
    static func signedDigits(_ k: ScalarBits, c: Int, windows: Int, into out: UnsafeMutablePointer<Int32>) {
        let half = 1 << (c - 1), full = 1 << c
        var carry = 0
        for j in 0..<windows {
            var d = k.bits(from: j * c, count: c) + carry
            if d > half { d -= full; carry = 1 } else { carry = 0 }
            out[j] = Int32(d)
        }
        assert(carry == 0)
    }

    // MARK: Batched affine bucket reduction

    /// Scratch memory for one bucket reduction, sized for `entries` points
    /// in `buckets` buckets.
    struct BucketScratch<C: CurveModel> {
        typealias F = FieldElement<C.Field>
        let points: UnsafeMutablePointer<Affine<C>>
        let offset: UnsafeMutablePointer<Int>     // buckets + 1
        let length: UnsafeMutablePointer<Int>     // buckets
        let active: UnsafeMutablePointer<Int>     // buckets
        let denominators: UnsafeMutablePointer<F> // entries / 2 + 1
        let prefix: UnsafeMutablePointer<F>       // entries / 2 + 1

        init(entries: Int, buckets: Int) {
            points = .allocate(capacity: max(entries, 1))
            offset = .allocate(capacity: buckets + 1)
            length = .allocate(capacity: buckets)
            active = .allocate(capacity: buckets)
            denominators = .allocate(capacity: entries / 2 + 1)
            prefix = .allocate(capacity: entries / 2 + 1)
        }

        func deallocate() {
            points.deallocate(); offset.deallocate(); length.deallocate()
            active.deallocate(); denominators.deallocate(); prefix.deallocate()
        }
    }

    /// Sums the points of every bucket in place: bucket b's points are
    /// `points[offset[b] ..< offset[b] + length[b]]`; afterwards
    /// `length[b]` ≤ 1 and the one point left (if any) is the bucket's sum.
    /// A bucket whose points cancel ends empty.
    ///
    /// Each round pairs up neighbours in every bucket and adds all pairs with
    /// one shared inversion: λ = (y₂ − y₁)/(x₂ − x₁), or (3x₁² + a)/(2y₁) when
    /// the two points are equal; a pair P, −P drops out.
    static func reduceBuckets<C: CurveModel>(_ s: BucketScratch<C>, buckets: Int) {
        typealias F = FieldElement<C.Field>
        let pts = s.points, offset = s.offset, len = s.length, active = s.active
        let den = s.denominators
        var activeCount = 0
        for b in 0..<buckets where len[b] >= 2 {
            active[activeCount] = b
            activeCount += 1
        }
        while activeCount > 0 {
            // Pass 1: the denominators of every pair.
            var q = 0
            for a in 0..<activeCount {
                let b = active[a]
                let start = offset[b], n = len[b]
                var k = 0
                while k + 1 < n {
                    let p1 = pts[start + k], p2 = pts[start + k + 1]
                    if p1.x != p2.x {
                        den[q] = p2.x - p1.x
                    } else if p1.y == p2.y {
                        den[q] = p1.y.doubled
                    } else {
                        den[q] = .one           // P + (−P): no inversion needed
                    }
                    q += 1
                    k += 2
                }
            }
            F.batchInvert(den, count: q, scratch: s.prefix)
            // Pass 2: the sums, compacted to the front of each bucket (the
            // write position never passes the pair being read).
            q = 0
            var stillActive = 0
            for a in 0..<activeCount {
                let b = active[a]
                let start = offset[b], n = len[b]
                var out = start
                var k = 0
                while k + 1 < n {
                    let p1 = pts[start + k], p2 = pts[start + k + 1]
                    let lambda: F
                    if p1.x != p2.x {
                        lambda = (p2.y - p1.y) * den[q]
                    } else if p1.y == p2.y {
                        let xx = p1.x.squared
                        lambda = (xx + xx.doubled + C.a) * den[q]
                    } else {
                        q += 1
                        k += 2
                        continue
                    }
                    let x3 = lambda.squared - p1.x - p2.x
                    let y3 = lambda * (p1.x - x3) - p1.y
                    pts[out] = Affine(x: x3, y: y3)
                    out += 1
                    q += 1
                    k += 2
                }
                if k < n {
                    pts[out] = pts[start + k]
                    out += 1
                }
                len[b] = out - start
                if out - start >= 2 {
                    active[stillActive] = b
                    stillActive += 1
                }
            }
            activeCount = stillActive
        }
    }

    /// Σ_b (b + 1)·bucket[b] over buckets `first ..< first + count` by the
    /// running-sum trick (2 additions per bucket).
    static func aggregate<C: CurveModel>(_ s: BucketScratch<C>, first: Int, count: Int) -> JacobianPoint<C> {
        var running = JacobianPoint<C>.identity
        var sum = JacobianPoint<C>.identity
        var b = first + count - 1
        while b >= first {
            if s.length[b] == 1 { running = running + s.points[s.offset[b]] }
            if !running.isIdentity { sum = sum + running }
            b -= 1
        }
        return sum
    }

    // MARK: Pippenger

    /// Target number of bucket entries per group of windows: enough pairs per
    /// round to amortise the inversion, few enough to stay in cache.
    static let entriesPerGroup = 1 << 14

    /// Work (bucket entries) above which an MSM is spread over several
    /// threads.
    static let parallelThreshold = 1 << 15

    /// Threads for large MSMs: the limit set by `MSM.limitThreads` if any,
    /// else the online processors, at most 8, or the value of the
    /// environment variable `ZKMARGIN_MSM_THREADS` (1 turns parallelism
    /// off, e.g. for benchmarks of a single core).
    static var threads: Int {
        let limit = threadLimit.load(ordering: .relaxed)
        return limit > 0 ? limit : defaultThreads
    }

    /// 0: no limit (`defaultThreads`); else the number of threads.
    static let threadLimit = Atomic<Int>(0)

    static let defaultThreads: Int = {
        if let s = getenv("ZKMARGIN_MSM_THREADS"), let n = Int(String(cString: s)), n >= 1 {
            return min(n, 64)
        }
        let n = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return max(1, min(8, n))
    }()

    /// Runs `body(t)` for t in 0..<count, concurrently when count > 1.
    /// Callers guarantee that the bodies touch disjoint memory (each worker
    /// has its own scratch and output slot) and only read shared inputs.
    static func parallel(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 { body(0); return }
        withoutActuallyEscaping(body) { body in
            let unchecked = UncheckedSendable(value: body)
            DispatchQueue.concurrentPerform(iterations: count) { unchecked.value($0) }
        }
    }

    /// Carries a non-Sendable closure into `concurrentPerform`; see `parallel`.
    struct UncheckedSendable<T>: @unchecked Sendable { let value: T }

    /// `workers` overrides the automatic choice of threads (tests).
    static func pippenger<C: CurveModel>(_ scalars: [ScalarBits], _ points: [Affine<C>], windowBits c: Int,
                                         workers requested: Int? = nil) -> JacobianPoint<C> {
        let n = points.count
        let windows = windowCount(c)
        let buckets = 1 << (c - 1)
        let digits = UnsafeMutablePointer<Int32>.allocate(capacity: n * windows)
        defer { digits.deallocate() }
        for i in 0..<n { signedDigits(scalars[i], c: c, windows: windows, into: digits + i * windows) }

        let group = max(1, min(windows, entriesPerGroup / max(n, 1)))
        let groups = (windows + group - 1) / group
        let workers = min(requested ?? (n * windows >= parallelThreshold ? threads : 1), groups)
        let windowSums = UnsafeMutablePointer<JacobianPoint<C>>.allocate(capacity: windows)
        windowSums.initialize(repeating: .identity, count: windows)
        defer { windowSums.deallocate() }

        points.withUnsafeBufferPointer { pts in
            // Worker t takes groups t, t + workers, …; each has its own
            // scratch and writes only its own windows' sums.
            parallel(workers) { t in
                let scratch = BucketScratch<C>(entries: n * group, buckets: group * buckets)
                defer { scratch.deallocate() }
                var groupIndex = t
                while groupIndex < groups {
                    let j0 = groupIndex * group
                    let g = min(group, windows - j0)
                    bucketPass(scratch, pts, digits, n: n, windows: windows, j0: j0, g: g, buckets: buckets)
                    for j in 0..<g {
                        windowSums[j0 + j] = aggregate(scratch, first: j * buckets, count: buckets)
                    }
                    groupIndex += workers
                }
            }
        }

        var acc = windowSums[windows - 1]
        for j in stride(from: windows - 2, through: 0, by: -1) {
            if !acc.isIdentity { acc = acc.doubled(times: c) }
            acc = acc + windowSums[j]
        }
        return acc
    }

    /// Sorts the entries of windows j0 ..< j0 + g into buckets (bucket
    /// (j − j0)·B + |d| − 1 for digit d of window j; −P for d < 0) and sums
    /// every bucket.
    static func bucketPass<C: CurveModel>(_ scratch: BucketScratch<C>, _ pts: UnsafeBufferPointer<Affine<C>>,
                                          _ digits: UnsafeMutablePointer<Int32>, n: Int, windows: Int,
                                          j0: Int, g: Int, buckets: Int) {
        let total = g * buckets
        // Counting sort of the (point, window) entries by bucket.
        let offset = scratch.offset, len = scratch.length
        for b in 0..<total { len[b] = 0 }
        for i in 0..<n {
            let row = digits + i * windows + j0
            for j in 0..<g {
                let d = Int(row[j])
                if d != 0 { len[j * buckets + abs(d) - 1] += 1 }
            }
        }
        var acc = 0
        for b in 0..<total { offset[b] = acc; acc += len[b] }
        offset[total] = acc
        // Scatter, using `active` as the fill cursor.
        let cursor = scratch.active
        for b in 0..<total { cursor[b] = offset[b] }
        for i in 0..<n {
            let row = digits + i * windows + j0
            let p = pts[i]
            for j in 0..<g {
                let d = Int(row[j])
                if d == 0 { continue }
                let b = j * buckets + abs(d) - 1
                scratch.points[cursor[b]] = d > 0 ? p : p.negated
                cursor[b] += 1
            }
        }
        reduceBuckets(scratch, buckets: total)
    }

    // MARK: Prepared bases

    /// Tables of a prepared base set: for base i and window j,
    /// `table[i·W + j]` = 2^(cj)·Pᵢ (affine). Immutable after init.
    final class PreparedTable<C: CurveModel>: Sendable {
        let count: Int
        let windowBits: Int
        let windows: Int
        /// False for identity bases, which contribute nothing.
        let present: [Bool]
        let table: [Affine<C>]

        init(_ points: [Affine<C>?], windowBits c: Int) {
            count = points.count
            windowBits = c
            windows = MSMEngine.windowCount(c)
            present = points.map { $0 != nil }
            var jac = [JacobianPoint<C>]()
            jac.reserveCapacity(points.count * windows)
            for p in points {
                guard let p else {
                    // Placeholder rows for the identity are never read.
                    for _ in 0..<windows { jac.append(.identity) }
                    continue
                }
                var t = JacobianPoint(p)
                for j in 0..<windows {
                    jac.append(t)
                    if j + 1 < windows { t = t.doubled(times: c) }
                }
            }
            let affine = JacobianPoint.batchToAffine(jac)
            // 2^(cj) < n for every window used, so present rows are never the
            // identity; absent rows get a dummy that is never read.
            let dummy = Affine<C>(x: .zero, y: .zero)
            table = affine.map { $0 ?? dummy }
        }

        /// Σ_{i < scalars.count} kᵢ·Pᵢ.
        /// `workers` overrides the automatic choice of threads (tests).
        func multiply(_ scalars: [ScalarBits], workers requested: Int? = nil) -> JacobianPoint<C> {
            precondition(scalars.count <= count, "more scalars than prepared bases")
            let c = windowBits, windows = self.windows
            let buckets = 1 << (c - 1)
            var used = [Int]()
            used.reserveCapacity(scalars.count)
            for (i, k) in scalars.enumerated() where !k.isZero && present[i] { used.append(i) }
            if used.isEmpty { return .identity }
            let n = used.count
            let digits = UnsafeMutablePointer<Int32>.allocate(capacity: n * windows)
            defer { digits.deallocate() }
            for (r, i) in used.enumerated() {
                MSMEngine.signedDigits(scalars[i], c: c, windows: windows, into: digits + r * windows)
            }
            // Large sets: each worker sums a slice of the bases into its own
            // buckets; the slices' sums are added at the end.
            let workers = min(requested ?? (n * windows >= MSMEngine.parallelThreshold ? MSMEngine.threads : 1), n)
            let partial = UnsafeMutablePointer<JacobianPoint<C>>.allocate(capacity: workers)
            partial.initialize(repeating: .identity, count: workers)
            defer { partial.deallocate() }
            table.withUnsafeBufferPointer { tab in
                used.withUnsafeBufferPointer { used in
                    MSMEngine.parallel(workers) { t in
                        let lo = n * t / workers, hi = n * (t + 1) / workers
                        partial[t] = sliceSum(tab, used, digits, rows: lo..<hi, buckets: buckets)
                    }
                }
            }
            var sum = JacobianPoint<C>.identity
            for t in 0..<workers { sum = sum + partial[t] }
            return sum
        }

        /// Σ over the bases `used[rows]` of their digits times their table
        /// points, through one set of `buckets` buckets.
        func sliceSum(_ tab: UnsafeBufferPointer<Affine<C>>, _ used: UnsafeBufferPointer<Int>,
                      _ digits: UnsafeMutablePointer<Int32>, rows: Range<Int>, buckets: Int) -> JacobianPoint<C> {
            let windows = self.windows
            var entries = 0
            for e in (rows.lowerBound * windows)..<(rows.upperBound * windows) where digits[e] != 0 { entries += 1 }
            let scratch = BucketScratch<C>(entries: entries, buckets: buckets)
            defer { scratch.deallocate() }
            let offset = scratch.offset, len = scratch.length
            for b in 0..<buckets { len[b] = 0 }
            for e in (rows.lowerBound * windows)..<(rows.upperBound * windows) {
                let d = Int(digits[e])
                if d != 0 { len[abs(d) - 1] += 1 }
            }
            var acc = 0
            for b in 0..<buckets { offset[b] = acc; acc += len[b] }
            offset[buckets] = acc
            let cursor = scratch.active
            for b in 0..<buckets { cursor[b] = offset[b] }
            for r in rows {
                let i = used[r]
                for j in 0..<windows {
                    let d = Int(digits[r * windows + j])
                    if d == 0 { continue }
                    let p = tab[i * windows + j]
                    let b = abs(d) - 1
                    scratch.points[cursor[b]] = d > 0 ? p : p.negated
                    cursor[b] += 1
                }
            }
            MSMEngine.reduceBuckets(scratch, buckets: buckets)
            return MSMEngine.aggregate(scratch, first: 0, count: buckets)
        }
    }
}
