internal import CLibCrypto

// ECDSA P-256/SHA-256 keys and signatures, over OpenSSL's EVP API: what
// publishers sign bundles and custodians sign statements with. The only
// place outside the group arithmetic that calls OpenSSL; no OpenSSL type
// appears in the public API.

/// Why a key cannot be used (its encoding, its curve). Messages describe the
/// key, never quote private key material.
public struct KeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Owns one OpenSSL `EVP_PKEY`. Immutable after construction; OpenSSL allows
/// concurrent signing and verification with one key through separate
/// `EVP_MD_CTX`s, which is all this type does.
final class PKeyBox: @unchecked Sendable {
    let pkey: OpaquePointer

    init(_ pkey: OpaquePointer) { self.pkey = pkey }

    deinit { EVP_PKEY_free(pkey) }
}

/// Reads everything written to a memory BIO. The output is sized up front
/// (`BIO_ctrl_pending`) so that appending never reallocates: a reallocation
/// would free a copy of a private key's PEM without wiping it.
private func drain(_ bio: OpaquePointer) -> [UInt8] {
    var out = [UInt8]()
    out.reserveCapacity(Int(BIO_ctrl_pending(bio)))
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32($0.count)) }
        if n <= 0 { break }
        out.append(contentsOf: buffer[0..<Int(n)])
    }
    secureZero(&buffer)
    return out
}

/// A memory BIO over a copy of `bytes` (read-only BIOs may not outlive the
/// buffer). OpenSSL grows and frees a memory BIO's buffer with
/// `OPENSSL_clear_realloc`/`OPENSSL_clear_free`, so the copy is wiped.
private func withReadBIO<T>(_ bytes: [UInt8], _ body: (OpaquePointer) -> T) -> T {
    guard let bio = BIO_new(BIO_s_mem()) else { fatalError("BIO_new: out of memory") }
    defer { BIO_free(bio) }
    _ = bytes.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32($0.count)) }
    return body(bio)
}

private func withWriteBIO(_ body: (OpaquePointer) -> Int32) -> [UInt8]? {
    guard let bio = BIO_new(BIO_s_mem()) else { fatalError("BIO_new: out of memory") }
    defer { BIO_free_all(bio) }
    guard body(bio) == 1 else { return nil }
    return drain(bio)
}

/// Whether a key is an EC key on P-256 (the only signature scheme zkmargin uses).
private func isP256(_ pkey: OpaquePointer) -> Bool {
    guard EVP_PKEY_is_a(pkey, "EC") == 1 else { return false }
    var name = [CChar](repeating: 0, count: 64)
    var length = 0
    guard EVP_PKEY_get_utf8_string_param(pkey, "group", &name, name.count, &length) == 1 else { return false }
    let group = String(decoding: name[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return group == "prime256v1" || group == "P-256" || group == "secp256r1"
}

/// Whether `needle` occurs in `haystack`, compared byte by byte. Used on
/// private-key PEM, so the key is never copied into a `String` (whose
/// storage Swift frees without wiping), and in time that depends on the
/// lengths only: every position is compared in full, the differences OR-ed
/// together, no early exit, no branch or index on a byte. Only the answer
/// (which armour lines the PEM has) is declassified.
private func pemContains(_ haystack: [UInt8], _ needle: String) -> Bool {
    let n = Array(needle.utf8)
    guard !n.isEmpty else { return true }
    guard haystack.count >= n.count else { return false }
    var found: UInt32 = 0
    haystack.withUnsafeBufferPointer { h in
        n.withUnsafeBufferPointer { n in
            for start in 0...(h.count - n.count) {
                var difference: UInt32 = 0
                for i in 0..<n.count { difference |= UInt32(h[start + i] ^ n[i]) }
                found |= (difference &- 1) >> 31       // 1 exactly when difference = 0
            }
        }
    }
    // Declassified ("PEM armour"): whether the key's PEM has this line.
    return ConstantTimeCheck.declassified(found) != 0
}

/// Discards OpenSSL's thread-local error queue (its entries are not needed
/// and must not leak into a later, unrelated check).
private func clearErrors() { ERR_clear_error() }

/// An ECDSA P-256 public key: verifies publisher and custodian signatures.
///
/// Identified by its key id, the lower-case hex of the first 16 bytes of
/// SHA-256 over its DER SubjectPublicKeyInfo.
public struct VerifyingKey: Sendable, Hashable, CustomStringConvertible {
    let box: PKeyBox
    /// The DER SubjectPublicKeyInfo.
    public let derRepresentation: [UInt8]

    init(box: PKeyBox) {
        self.box = box
        guard let der = withWriteBIO({ i2d_PUBKEY_bio($0, box.pkey) }) else {
            fatalError("i2d_PUBKEY_bio failed for a valid key")
        }
        self.derRepresentation = der
    }

    /// Reads a DER SubjectPublicKeyInfo (strictly: it must re-encode to the
    /// same bytes, and be a P-256 key).
    public init(derRepresentation der: [UInt8]) throws(KeyError) {
        guard !der.isEmpty, der.count <= 1024 else { throw KeyError("not a public key (wrong length)") }
        let pkey: OpaquePointer? = withReadBIO(der) { bio in d2i_PUBKEY_bio(bio, nil) }
        clearErrors()
        guard let pkey else { throw KeyError("not a DER-encoded public key (SubjectPublicKeyInfo)") }
        let box = PKeyBox(pkey)
        guard isP256(pkey) else { throw KeyError("the public key is not an ECDSA P-256 key") }
        self.init(box: box)
        guard derRepresentation == der else { throw KeyError("the public key is not in its canonical DER encoding") }
    }

    /// Reads a PEM "PUBLIC KEY" (as `zkmargin keygen` writes `KEY.pub.pem`).
    public init(pemRepresentation pem: String) throws(KeyError) {
        if pem.contains("PRIVATE KEY") {
            throw KeyError("this is a private key; give the public key (the .pub.pem file that keygen wrote next to it)")
        }
        guard pem.contains("-----BEGIN PUBLIC KEY-----") else {
            throw KeyError("not a PEM public key (expected -----BEGIN PUBLIC KEY-----)")
        }
        let pkey: OpaquePointer? = withReadBIO(Array(pem.utf8)) { bio in PEM_read_bio_PUBKEY(bio, nil, nil, nil) }
        clearErrors()
        guard let pkey else { throw KeyError("the PEM public key cannot be decoded") }
        let box = PKeyBox(pkey)
        guard isP256(pkey) else { throw KeyError("the public key is not an ECDSA P-256 key") }
        self.init(box: box)
    }

    /// PEM "PUBLIC KEY".
    public var pemRepresentation: String {
        guard let bytes = withWriteBIO({ PEM_write_bio_PUBKEY($0, box.pkey) }) else {
            fatalError("PEM_write_bio_PUBKEY failed for a valid key")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Lower-case hex of SHA-256(DER SubjectPublicKeyInfo)[0..<16].
    public var id: String { SHA256.hash(derRepresentation)[0..<16].hexString }

    /// Whether `signature` (DER ECDSA) is a valid signature of `message`
    /// (SHA-256 inside) under this key.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard !signature.isEmpty, signature.count <= 80 else { return false }
        guard let ctx = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
        defer { EVP_MD_CTX_free(ctx); clearErrors() }
        return withExtendedLifetime(box) {
            guard EVP_DigestVerifyInit(ctx, nil, EVP_sha256(), nil, box.pkey) == 1 else { return false }
            let rc = signature.withUnsafeBufferPointer { sig in
                message.withUnsafeBufferPointer { msg in
                    EVP_DigestVerify(ctx, sig.baseAddress, sig.count, msg.baseAddress, msg.count)
                }
            }
            return rc == 1
        }
    }

    public static func == (a: VerifyingKey, b: VerifyingKey) -> Bool { a.derRepresentation == b.derRepresentation }
    public func hash(into hasher: inout Hasher) { hasher.combine(derRepresentation) }

    public var description: String { "VerifyingKey(\(id))" }
}

/// An ECDSA P-256 private key: signs risk bundles (publisher) and
/// statements (custodian). Never printed: its description, debug
/// description and reflection show only the key id, and its PEM form is
/// available only as bytes for a 0600 file. The private scalar lives in
/// OpenSSL's `EVP_PKEY`, freed (and its BIGNUM cleared) with the last copy.
public struct SigningKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let box: PKeyBox
    public let verifyingKey: VerifyingKey

    private init(box: PKeyBox) throws(KeyError) {
        self.box = box
        guard let der = withWriteBIO({ i2d_PUBKEY_bio($0, box.pkey) }) else {
            throw KeyError("cannot derive the public key from the private key")
        }
        clearErrors()
        verifyingKey = try VerifyingKey(derRepresentation: der)
    }

    /// A fresh P-256 key. OpenSSL draws the private scalar with
    /// `BN_priv_rand_range`, i.e. from its private DRBG (`RAND_priv_bytes`),
    /// the same generator as the blinding factors.
    public static func generate() -> SigningKey {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { fatalError("EVP_PKEY_CTX_new_from_name: EC unavailable") }
        defer { EVP_PKEY_CTX_free(ctx) }
        var pkey: OpaquePointer? = nil
        guard EVP_PKEY_keygen_init(ctx) == 1,
              EVP_PKEY_CTX_set_group_name(ctx, "P-256") == 1,
              EVP_PKEY_generate(ctx, &pkey) == 1,
              let pkey
        else { fatalError("OpenSSL could not generate a P-256 key") }
        do { return try SigningKey(box: PKeyBox(pkey)) } catch { fatalError("a fresh key is always usable") }
    }

    /// Reads an unencrypted PEM private key ("PRIVATE KEY", PKCS#8, as
    /// `zkmargin keygen` writes it; "EC PRIVATE KEY" is accepted too).
    ///
    /// The bytes are examined in place, never turned into a `String`, and
    /// no error message quotes them.
    public init(pemRepresentation pem: [UInt8]) throws(KeyError) {
        if pemContains(pem, "ENCRYPTED") {
            throw KeyError("encrypted private keys are not supported; decrypt it with `openssl pkey`")
        }
        guard pemContains(pem, "PRIVATE KEY-----") else {
            if pemContains(pem, "PUBLIC KEY") { throw KeyError("this is a public key; signing needs the private key (the .pem file keygen wrote, not .pub.pem)") }
            throw KeyError("not a PEM private key (expected -----BEGIN PRIVATE KEY-----)")
        }
        // A callback that supplies no passphrase: never prompt on a terminal.
        let noPassphrase: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = { _, _, _, _ in 0 }
        // Declassified ("key loading inside OpenSSL"): base64, DER and the
        // key's checks are OpenSSL's, which this check does not cover; the
        // key is then used only by OpenSSL's ECDSA (SECURITY.md).
        pem.withUnsafeBytes { ConstantTimeCheck.declassify($0) }
        let pkey: OpaquePointer? = withReadBIO(pem) { bio in PEM_read_bio_PrivateKey(bio, nil, noPassphrase, nil) }
        clearErrors()
        guard let pkey else { throw KeyError("the PEM private key cannot be decoded") }
        let box = PKeyBox(pkey)
        guard isP256(pkey) else { throw KeyError("the private key is not an ECDSA P-256 key") }
        try self.init(box: box)
    }

    /// The PEM "PRIVATE KEY" (PKCS#8, unencrypted). Secret: write it only
    /// to a file of mode 0600, and zero the buffer afterwards.
    public func pemRepresentation() -> [UInt8] {
        guard let bytes = withWriteBIO({ PEM_write_bio_PrivateKey($0, box.pkey, nil, nil, 0, nil, nil) }) else {
            fatalError("PEM_write_bio_PrivateKey failed for a valid key")
        }
        return bytes
    }

    /// A DER ECDSA signature over SHA-256(message).
    public func signature(for message: [UInt8]) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
        defer { EVP_MD_CTX_free(ctx) }
        return withExtendedLifetime(box) {
            guard EVP_DigestSignInit(ctx, nil, EVP_sha256(), nil, box.pkey) == 1 else { fatalError("EVP_DigestSignInit failed") }
            var length = 0
            var ok = message.withUnsafeBufferPointer { EVP_DigestSign(ctx, nil, &length, $0.baseAddress, $0.count) }
            guard ok == 1 else { fatalError("EVP_DigestSign failed") }
            var signature = [UInt8](repeating: 0, count: length)
            ok = signature.withUnsafeMutableBufferPointer { sig in
                message.withUnsafeBufferPointer { EVP_DigestSign(ctx, sig.baseAddress, &length, $0.baseAddress, $0.count) }
            }
            guard ok == 1 else { fatalError("EVP_DigestSign failed") }
            return Array(signature[0..<length])
        }
    }

    /// The private scalar, 32 bytes big-endian. For tests that check the
    /// key never leaks into output (they reach it with `@testable import`);
    /// internal, so that no other module of the package, the executables
    /// included, can read a private key out.
    var privateScalarForTesting: [UInt8] {
        var bn: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(box.pkey, "priv", &bn) == 1, let bn else { return [] }
        defer { BN_clear_free(bn) }
        var out = [UInt8](repeating: 0, count: 32)
        _ = BN_bn2binpad(bn, &out, 32)
        return out
    }

    public var description: String { "SigningKey(\(verifyingKey.id), <private>)" }
    public var debugDescription: String { description }
    /// The public half only: `dump` and debuggers never reach the `EVP_PKEY`.
    public var customMirror: Mirror { Mirror(self, children: ["verifyingKey": verifyingKey], displayStyle: .struct) }
}
