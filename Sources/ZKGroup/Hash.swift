import CLibCrypto

/// SHA-256 through OpenSSL's EVP interface, incremental.
public struct SHA256: ~Copyable {
    private let context: OpaquePointer

    public static let outputByteCount = 32
    /// SHA-256's input block size, `s_in_bytes` in RFC 9380.
    public static let blockByteCount = 64

    public init() {
        guard let ctx = EVP_MD_CTX_new(), EVP_DigestInit_ex(ctx, Self.algorithm, nil) == 1 else {
            fatalError("OpenSSL SHA-256 is unavailable")
        }
        context = ctx
    }

    /// The provider's SHA-256, fetched once: `EVP_sha256()` would make
    /// every `EVP_DigestInit_ex` look the implementation up again under a
    /// lock (OpenSSL 3's implicit fetch), a large share of a short hash.
    /// Never freed; OpenSSL only reads it.
    private nonisolated(unsafe) static let algorithm: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("OpenSSL SHA-256 is unavailable") }
        return md
    }()

    deinit { EVP_MD_CTX_free(context) }

    public mutating func update<B: Collection<UInt8>>(_ bytes: B) {
        let ok: Int32? = bytes.withContiguousStorageIfAvailable { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        if ok == nil {
            let copy = Array(bytes)
            _ = copy.withUnsafeBufferPointer { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        }
    }

    public consuming func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(context, &out, &length)
        return out
    }

    /// One-shot SHA-256.
    public static func hash<B: Collection<UInt8>>(_ bytes: B) -> [UInt8] {
        var h = SHA256()
        h.update(bytes)
        return h.finalize()
    }
}
