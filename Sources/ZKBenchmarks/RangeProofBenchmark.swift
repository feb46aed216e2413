package import ZKGroup
package import ZKProofs

/// Measurements behind `zkmargin bench rangeproof`, here rather than in the
/// executable so that it only parses arguments and prints. Fresh random
/// values and blindings from `SystemRandom`, as a prover would draw them.
package enum RangeProofBenchmark {
    package struct SizeResult: Sendable {
        package let m: Int
        package let bytes: Int
        package let proveMilliseconds: Double
        package let verifyMilliseconds: Double
    }

    package struct BatchResult: Sendable {
        package let proofs: Int
        package let verifyMillisecondsPerProof: Double
    }

    /// Median of `samples`.
    package static func median(_ samples: [Double]) -> Double {
        let s = samples.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Milliseconds taken by `body`.
    package static func time(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        let d = clock.now - start
        return Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
    }

    /// A statement of `m` random `bits`-bit values, its openings, and a fresh proof.
    package static func sample(curve: Curve, bits: Int, m: Int, context: String) throws -> (RangeStatement, [Opening]) {
        let gens = Generators.standard(curve)
        var rng = SystemRandom()
        var openings = [Opening]()
        for _ in 0..<m {
            var bytes = [UInt8](repeating: 0, count: bits / 8)
            rng.fill(&bytes)
            openings.append(Opening.random(value: Scalar(reducing: bytes, curve: curve), using: &rng))
        }
        let commitments = openings.map { Commitment($0, generators: gens) }
        let forms = (0..<m).map { AffineForm.variable($0, curve: curve) }
        let st = try RangeStatement(curve: curve, bits: bits, commitments: commitments, forms: forms, context: Array(context.utf8))
        return (st, openings)
    }

    /// Prove/verify medians for each m, `iterations(m)` runs each.
    package static func sizes(curve: Curve, bits: Int, ms: [Int], iterations: (Int) -> Int,
                              progress: (String) -> Void) throws -> [SizeResult] {
        let gens = Generators.standard(curve)
        var results = [SizeResult]()
        for m in ms {
            progress("m = \(m): deriving generators")
            _ = gens.vectors(bits * m)
            _ = gens.prepared(bits * m)
            var proveTimes = [Double](), verifyTimes = [Double]()
            var bytes = 0
            let runs = iterations(m)
            for i in 0..<runs {
                progress("m = \(m): run \(i + 1)/\(runs)")
                let (st, openings) = try sample(curve: curve, bits: bits, m: m, context: "bench")
                var rng = SystemRandom()
                var proof: RangeProof?
                proveTimes.append(try time { proof = try BulletproofsPlus.prove(st, openings: openings, generators: gens, using: &rng) })
                let encoded = proof!.encoded()
                bytes = encoded.count
                verifyTimes.append(try time { try BulletproofsPlus.verify(encoded: encoded, for: st, generators: gens) })
            }
            results.append(SizeResult(m: m, bytes: bytes, proveMilliseconds: median(proveTimes), verifyMilliseconds: median(verifyTimes)))
        }
        return results
    }

    /// Batch verification of `counts` distinct single-value proofs (the
    /// largest count is proved once; smaller batches use a prefix), decoding
    /// included, median of `iterations` runs.
    package static func batches(curve: Curve, bits: Int, counts: [Int], iterations: Int,
                                progress: (String) -> Void) throws -> [BatchResult] {
        let gens = Generators.standard(curve)
        let total = counts.max() ?? 0
        _ = gens.prepared(bits)
        var encoded = [([UInt8], RangeStatement)]()
        for i in 0..<total {
            if i % 10 == 0 { progress("proving \(i)/\(total) distinct proofs for the batch") }
            let (st, openings) = try sample(curve: curve, bits: bits, m: 1, context: "batch-\(i)")
            var rng = SystemRandom()
            encoded.append((try BulletproofsPlus.prove(st, openings: openings, generators: gens, using: &rng).encoded(), st))
        }
        var results = [BatchResult]()
        for count in counts {
            var times = [Double]()
            for i in 0..<iterations {
                progress("batch of \(count): run \(i + 1)/\(iterations)")
                times.append(try time {
                    var items = [(RangeProof, RangeStatement)]()
                    items.reserveCapacity(count)
                    for (bytes, st) in encoded.prefix(count) { items.append((try RangeProof(encoded: bytes, for: st), st)) }
                    try BulletproofsPlus.verifyBatch(items, generators: gens)
                })
            }
            results.append(BatchResult(proofs: count, verifyMillisecondsPerProof: median(times) / Double(count)))
        }
        return results
    }
}
