import ZKGroup

/// A deterministic stream SHA-256(seed ‖ u64be(counter)) for tests, the
/// known-answer vectors (`Vectors/rangeproof/README.md` describes the same
/// stream), the hardening tools' fixtures and the benchmarks' public inputs.
///
/// It lives here, in a target no shipped library depends on, so no client of
/// the libraries can reach it and it can never blind a real commitment:
/// production code draws from `SystemRandom`. `ZKProofsSecretHygieneTests`
/// and `LayoutTests` fail if a shipped target names it.
package struct SeededRandom: RandomBytesSource {
    private let seed: [UInt8]
    private var counter: UInt64 = 0
    private var pool: [UInt8] = []

    package init(seed: String) { self.seed = Array(seed.utf8) }
    package init(seed: [UInt8]) { self.seed = seed }

    package mutating func fill(_ buffer: inout [UInt8]) {
        for i in buffer.indices {
            if pool.isEmpty {
                var block = seed
                for shift in stride(from: 56, through: 0, by: -8) { block.append(UInt8(truncatingIfNeeded: counter >> UInt64(shift))) }
                pool = SHA256.hash(block)
                counter += 1
            }
            buffer[i] = pool.removeFirst()
        }
    }
}
