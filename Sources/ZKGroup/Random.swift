import CLibCrypto

/// A source of random bytes for scalars.
public protocol RandomBytesSource {
    /// Overwrites every byte of `buffer`.
    mutating func fill(_ buffer: inout [UInt8])
}

/// OpenSSL's private DRBG (`RAND_priv_bytes`), the only source used for
/// secrets in production.
public struct SystemRandom: RandomBytesSource, Sendable {
    public init() {}

    public mutating func fill(_ buffer: inout [UInt8]) {
        let count = Int32(buffer.count)
        let ok = buffer.withUnsafeMutableBufferPointer { RAND_priv_bytes($0.baseAddress, count) }
        // A failing system DRBG leaves no safe way forward for a prover.
        precondition(ok == 1, "RAND_priv_bytes failed: the system random generator is unavailable")
    }
}

/// A deterministic stream SHA-256(seed ‖ u64be(counter)) for tests and for
/// generating known-answer vectors. `package` access: no client of the
/// libraries can reach it, so it can never blind a real commitment.
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

/// Overwrites a buffer with zeros in a way the optimiser may not remove.
public func secureZero(_ buffer: inout [UInt8]) {
    let count = buffer.count
    buffer.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, count) }
}
