internal import CLibCrypto

/// A source of random bytes for scalars.
public protocol RandomBytesSource {
    /// Overwrites every byte of `buffer`.
    mutating func fill(_ buffer: inout [UInt8])
}

/// OpenSSL's private DRBG (`RAND_priv_bytes`), the only source used for
/// secrets in production.
public struct SystemRandom: RandomBytesSource, Sendable {
    /// How many fills this value made. Not needed for randomness: it gives the
    /// struct storage. Passed `inout` while empty, an optimised build handed
    /// ThreadSanitizer's access hooks a garbage address and crashed inside
    /// the sanitizer (`scripts/sanitize.sh thread-release`, Swift 6.3.1).
    private var draws: UInt64 = 0

    public init() {}

    public mutating func fill(_ buffer: inout [UInt8]) {
        let count = Int32(buffer.count)
        let ok = buffer.withUnsafeMutableBufferPointer { RAND_priv_bytes($0.baseAddress, count) }
        // A failing system DRBG leaves no safe way forward for a prover.
        precondition(ok == 1, "RAND_priv_bytes failed: the system random generator is unavailable")
        // The constant-time check (`zkmargin-ctcheck`): the DRBG's output
        // is secret from here on.
        ConstantTimeCheck.markSecretWhenChecking(&buffer)
        draws &+= 1
    }
}

/// Overwrites memory with zeros in a way the optimiser may not remove
/// (`OPENSSL_cleanse`). For buffers of plain values (bytes, scalars,
/// openings: no references inside), which stay valid zeros afterwards.
public func secureZero(_ memory: UnsafeMutableRawBufferPointer) {
    OPENSSL_cleanse(memory.baseAddress, memory.count)
}

/// Overwrites a buffer with zeros in a way the optimiser may not remove.
///
/// Wipes the array's own storage only. If that storage is shared with
/// another array (copy-on-write), Swift copies it first and the copy is
/// wiped, not the original: call it on a buffer this code made and owns.
public func secureZero(_ buffer: inout [UInt8]) {
    let count = buffer.count
    buffer.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, count) }
}

/// Overwrites every scalar of an array with zero (best effort, as for
/// `secureZero(_: inout [UInt8])`). `Scalar` is a plain value (a curve tag
/// and four limbs, no references), so wiping its bytes leaves valid zero
/// scalars behind.
public func secureZero(_ scalars: inout [Scalar]) {
    scalars.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
}

/// Overwrites one scalar variable with zero (best effort: copies the
/// compiler made in registers or on the stack are out of reach).
public func secureZero(_ scalar: inout Scalar) {
    withUnsafeMutableBytes(of: &scalar) { OPENSSL_cleanse($0.baseAddress, $0.count) }
}
