// MARK: - The prover's generator vectors, kept in the fast arithmetic
//
// The inner-product argument folds its generator vectors every round
// (Ĝᵢ = Gᵢ + c·G_{h+i} with a public c) and feeds them to constant-time
// multi-scalar multiplications. Kept as `AffinePoint`s from start to end,
// no OpenSSL object is built or read in between (reading an OpenSSL point's
// coordinates costs an inversion, ≈ 2.5 µs on P-256 and more on secp256k1).
//
// Folding (public scalar, public points: variable time). All pairs of a
// round share the scalar c, so c is recoded once (width-5 NAF) and, on
// secp256k1, split once by the endomorphism (two 128-bit halves: half the
// doublings). Each Q gets its odd multiples Q, 3Q, …, 15Q (and their images
// under φ), all points of the round made affine with one inversion; each
// output is P + c·Q by double-and-add from the top digit, and all outputs
// are made affine with one more inversion.

extension MSMEngine {
    /// [pᵢ + c·qᵢ], nil where the sum is the identity or an input is nil
    /// (read as the identity). Variable time: public data only.
    static func foldPairs<C: CurveModel>(_ p: [Affine<C>?], _ q: [Affine<C>?], by c: ScalarBits) -> [Affine<C>?] {
        precondition(p.count == q.count, "one q per p")
        let n = p.count
        let w = 5, tableSize = 1 << (w - 2), length = 258

        // The scalar's parts: c itself, or c₁ on Q and c₂ on φ(Q).
        var parts: [(magnitude: ScalarBits, negative: Bool, endomorphic: Bool)] = []
        if let endo = C.endomorphism {
            let (c1, c2) = endo.split(c, as: C.self)
            parts = [(c1.magnitude, c1.negative, false), (c2.magnitude, c2.negative, true)]
        } else {
            parts = [(c, false, false)]
        }
        let naf = UnsafeMutablePointer<Int8>.allocate(capacity: parts.count * length)
        defer { naf.deallocate() }
        var top = -1
        for (r, part) in parts.enumerated() {
            wnaf(part.magnitude, w: w, into: naf + r * length, length: length)
            for b in stride(from: length - 1, through: 0, by: -1) where naf[r * length + b] != 0 {
                top = max(top, b)
                break
            }
        }

        // Odd multiples of every q, made affine together.
        var jacobian = [JacobianPoint<C>]()
        jacobian.reserveCapacity(n * tableSize)
        for qi in q {
            guard let qi else {
                for _ in 0..<tableSize { jacobian.append(.identity) }
                continue
            }
            appendOddMultiples(of: qi, count: tableSize, to: &jacobian)
        }
        let table = JacobianPoint.batchToAffine(jacobian)
        let beta = C.endomorphism.map { FieldElement<C.Field>($0.beta) }

        var sums = [JacobianPoint<C>]()
        sums.reserveCapacity(n)
        for i in 0..<n {
            var acc = JacobianPoint<C>.identity
            if q[i] != nil, top >= 0 {
                // Entry m of the table, mapped by φ and negated as the part asks.
                func entry(_ m: Int, _ part: Int, _ digitNegative: Bool) -> Affine<C> {
                    var a = table[i * tableSize + m]!
                    if parts[part].endomorphic, let beta { a.x = a.x * beta }
                    return digitNegative != parts[part].negative ? a.negated : a
                }
                for b in stride(from: top, through: 0, by: -1) {
                    if !acc.isIdentity { acc = acc.doubled() }
                    for r in 0..<parts.count {
                        let d = Int(naf[r * length + b])
                        if d > 0 { acc = acc + entry(d >> 1, r, false) }
                        else if d < 0 { acc = acc + entry((-d) >> 1, r, true) }
                    }
                }
            }
            if let pi = p[i] { acc = acc + pi }
            sums.append(acc)
        }
        return JacobianPoint.batchToAffine(sums)
    }
}

extension MSM {
    /// [pᵢ + c·qᵢ] for public c and points, nil for the identity (nil
    /// inputs read as the identity): the prover's generator fold.
    ///
    /// Fast backend: `MSMEngine.foldPairs` on both curves, except c·qᵢ on
    /// P-256, which OpenSSL's assembly computes faster than 256 doublings
    /// in Swift (≈ 29 µs against ≈ 48 µs; secp256k1 needs only 128 here,
    /// by the endomorphism, and OpenSSL has no fast code for it).
    /// Reference backend: OpenSSL throughout.
    package static func foldPairs(_ p: [AffinePoint?], _ q: [AffinePoint?], by c: Scalar) -> [AffinePoint?] {
        precondition(p.count == q.count, "one q per p")
        switch (backend, c.curve) {
        case (.fast, .secp256k1):
            let folded = MSMEngine.foldPairs(p.map { $0?.affine(as: Secp256k1Model.self) },
                                             q.map { $0?.affine(as: Secp256k1Model.self) }, by: c.value)
            return folded.map { $0.map(AffinePoint.init) }
        case (.fast, .p256):
            let products = q.map { $0.map { Point(affine: $0).multiplied(by: c) } ?? .identity(.p256) }
            let affine = affineMontgomery(products, as: P256Model.self)
            var sums = [JacobianPoint<P256Model>]()
            sums.reserveCapacity(p.count)
            for (pi, product) in zip(p, affine) {
                var s = product.map(JacobianPoint.init) ?? .identity
                if let pi { s = s + pi.affine(as: P256Model.self) }
                sums.append(s)
            }
            return JacobianPoint.batchToAffine(sums).map { $0.map(AffinePoint.init) }
        case (.reference, let curve):
            return zip(p, q).map { pi, qi in
                var s = Point.identity(curve)
                if let qi { s = s + Point(affine: qi).multiplied(by: c) }
                if let pi { s = s + Point(affine: pi) }
                return AffinePoint(s)
            }
        }
    }
}

extension Point {
    /// The OpenSSL point of a decoded one.
    package init(affine: AffinePoint) { self = affine.point }
}

extension SecretMSM {
    /// Σᵢ scalars[i]·points[i], secret scalars, public points already in
    /// affine form (nil: the identity, dropped). Constant time in the
    /// scalars as `compute(scalars:points:)`; the reference backend goes
    /// through OpenSSL as there.
    package static func compute(scalars: [Scalar], affine points: [AffinePoint?], curve: Curve) -> Point {
        precondition(scalars.count == points.count, "SecretMSM needs one scalar per point")
        if scalars.isEmpty { return .identity(curve) }
        switch (MSM.backend, curve) {
        case (.reference, _): return reference(scalars: scalars, points: points.map { $0?.point ?? .identity(curve) })
        case (.fast, .p256): return constantTime(scalars, affine: points.map { $0?.affine(as: P256Model.self) }).point
        case (.fast, .secp256k1): return constantTime(scalars, affine: points.map { $0?.affine(as: Secp256k1Model.self) }).point
        }
    }
}

/// Two independent computations of a prover's round (its L and R, its two
/// generator folds), on two threads when the MSM thread limit allows more
/// than one (`MSM.limitThreads`), else one after the other.
package enum IndependentPair {
    package static func run<A, B>(_ first: () -> A, _ second: () -> B) -> (A, B) {
        guard MSMEngine.threads > 1 else { return (first(), second()) }
        var a: A? = nil
        var b: B? = nil
        MSMEngine.parallel(2) { t in
            if t == 0 { a = first() } else { b = second() }
        }
        return (a!, b!)
    }
}

extension SecretMSM {
    /// Sums of at least this many terms are split over every allowed thread
    /// by `ConstantTimeMSM` itself; smaller ones gain from running side by side.
    package static var parallelTerms: Int { ConstantTimeMSM.parallelThreshold }
}
