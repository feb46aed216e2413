internal import CLibCrypto
import Synchronization

/// Marks secrets for the dynamic constant-time check (`scripts/ctcheck.sh`,
/// `zkmargin-ctcheck`; SECURITY.md, "Constant time"), in the way of
/// libsecp256k1's `ctime_tests`: under valgrind's memcheck, memory marked
/// secret is *undefined*, so memcheck reports every conditional branch and
/// every memory address computed from it; `declassify` marks it defined
/// again.
///
/// Outside valgrind every function here leaves the values unchanged and
/// costs a few no-op instructions (valgrind's client-request sequence); in
/// a build without the valgrind headers they compile to nothing and
/// `isCompiledIn` is false.
///
/// Every `declassify` in the libraries is deliberate and named in
/// SECURITY.md's list of declassifications, with its reason: a result that
/// is published, or a decision the code is allowed to take on a secret
/// (the prover refusing a value out of range, say). Calls are placed where
/// the secret stops being one, never to silence a report.
package enum ConstantTimeCheck {
    /// Whether the valgrind client requests were compiled in (the valgrind
    /// headers were present at build time).
    package static var isCompiledIn: Bool { zk_ct_compiled_in() == 1 }

    /// Whether this process runs under valgrind (false natively, and false
    /// when the requests were not compiled in).
    package static var isRunningOnValgrind: Bool { zk_ct_running_on_valgrind() != 0 }

    private static let checking = Atomic<Bool>(false)

    /// When true, the libraries mark the secrets they create as they create
    /// them: every buffer `SystemRandom` fills (blindings, α, d_L, d_R, r,
    /// s, δ, η, masks: secret from the moment the DRBG's output is in
    /// memory) and every value the custodian commits to
    /// (`markSecretWhenChecking`). Off by default, so that running anything
    /// else under plain memcheck (the verifier, whose batch weights are
    /// public randomness) reports nothing; `zkmargin-ctcheck` turns it on.
    package static var isChecking: Bool {
        get { checking.load(ordering: .relaxed) }
        set { checking.store(newValue, ordering: .relaxed) }
    }

    /// `markSecret` when `isChecking`, else nothing: for the libraries'
    /// own hooks where a secret comes into being.
    package static func markSecretWhenChecking(_ bytes: inout [UInt8]) {
        if isChecking { markSecret(&bytes) }
    }

    package static func markSecretWhenChecking(_ scalar: inout Scalar) {
        if isChecking { markSecret(&scalar) }
    }

    // MARK: Secret

    /// Marks the bytes as secret (memcheck: undefined).
    package static func markSecret(_ memory: UnsafeRawBufferPointer) {
        zk_ct_secret(memory.baseAddress, memory.count)
    }

    package static func markSecret(_ bytes: inout [UInt8]) {
        bytes.withUnsafeBytes { markSecret($0) }
    }

    /// Marks the scalar's value secret (its curve stays public).
    package static func markSecret(_ scalar: inout Scalar) {
        withUnsafeBytes(of: &scalar.value) { markSecret($0) }
    }

    /// Marks every scalar's value secret (their curves stay public).
    package static func markSecret(_ scalars: inout [Scalar]) {
        scalars.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { withUnsafeBytes(of: &buffer[i].value) { markSecret($0) } }
        }
    }

    /// Whether any byte of the scalar's value is marked secret (memcheck's
    /// metadata, read without a report); false outside valgrind. For
    /// `zkmargin-ctcheck` to show that its secrets really are marked.
    package static func isMarkedSecret(_ scalar: Scalar) -> Bool {
        var copy = scalar
        return withUnsafeBytes(of: &copy.value) { zk_ct_undefined_bytes($0.baseAddress, $0.count) } > 0
    }

    // MARK: Declassify

    /// Marks the bytes public again (memcheck: defined).
    package static func declassify(_ memory: UnsafeRawBufferPointer) {
        zk_ct_public(memory.baseAddress, memory.count)
    }

    package static func declassify(_ bytes: inout [UInt8]) {
        bytes.withUnsafeBytes { declassify($0) }
    }

    package static func declassify(_ scalar: inout Scalar) {
        withUnsafeBytes(of: &scalar.value) { declassify($0) }
    }

    package static func declassify(_ scalars: inout [Scalar]) {
        scalars.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { withUnsafeBytes(of: &buffer[i].value) { declassify($0) } }
        }
    }

    /// `value`, declassified: for a flag or a word computed from secrets
    /// that the code then branches on, deliberately.
    @inline(__always)
    package static func declassified<T: BitwiseCopyable>(_ value: T) -> T {
        var copy = value
        withUnsafeBytes(of: &copy) { declassify($0) }
        return copy
    }
}
