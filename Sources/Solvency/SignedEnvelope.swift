package import StrictJSON
public import ZKGroup

/// A signed file: the exact payload bytes, the signer's key and an ECDSA
/// P-256/SHA-256 signature over those bytes.
///
/// ```json
/// {
///   "format": "zkmargin/bundle@1",
///   "payload": "<base64 of the payload JSON bytes>",
///   "signer": "<key id>",
///   "signer_key": "<base64 DER SubjectPublicKeyInfo>",
///   "signature": "<base64 DER ECDSA signature over the payload bytes>"
/// }
/// ```
///
/// Signing the stored bytes (not a re-serialisation) leaves nothing to
/// canonicalise. The payload repeats the `format`, so a signature made for
/// one kind of file can never be read as another. Decoding checks that the
/// signature verifies under `signer_key` and that `signer` is that key's id;
/// whether the signer is *trusted* is the caller's check (`requireSigner`).
public struct SignedEnvelope: Sendable, Equatable {
    public let kind: FileKind
    public let payload: [UInt8]
    public let signer: VerifyingKey
    public let signature: [UInt8]

    /// SHA-256 of the payload bytes: the file's digest.
    public var digest: [UInt8] { SHA256.hash(payload) }

    /// Signs `payload` with `key`.
    package init(kind: FileKind, payload: [UInt8], key: SigningKey) {
        self.kind = kind
        self.payload = payload
        self.signer = key.verifyingKey
        self.signature = key.signature(for: payload)
    }

    /// The envelope as a JSON object (also embedded whole in proofs).
    package var json: JSONObject {
        JSONObject([
            ("format", .string(kind.formatName)),
            ("payload", .string(Base64.encode(payload))),
            ("signer", .string(signer.id)),
            ("signer_key", .string(Base64.encode(signer.derRepresentation))),
            ("signature", .string(Base64.encode(signature))),
        ])
    }

    public func encoded() -> [UInt8] { JSONValue.object(json).encoded() }

    /// Strict decoding of an envelope of `kind` from a whole file.
    init(decoding bytes: [UInt8], kind: FileKind, trusted: TrustedSigner? = nil) throws(SolvencyError) {
        let object = try parseJSONObject(bytes, what: kind.noun)
        try self.init(json: object, kind: kind, path: kind.rawValue, trusted: trusted)
    }

    /// Strict decoding from a JSON object, cheapest checks first.
    ///
    /// With `trusted`, the signer is compared with the trusted key (by its
    /// DER bytes) before the payload is even decoded from base64 or its
    /// signature checked: a file signed by anyone else is refused for the
    /// price of reading its envelope, however large its payload.
    init(json object: JSONObject, kind: FileKind, path: String, trusted: TrustedSigner? = nil) throws(SolvencyError) {
        try FileKind.check(object["format"], expected: kind, path: path)
        var r = FieldReader(object, path: path)
        _ = r.optional("format")
        let payloadText = try r.string("payload", maxLength: FileIO.maximumFileSize)
        let signerID = try r.string("signer", maxLength: 64)
        let keyBytes = try r.base64("signer_key", maxCount: 1024)
        let signature = try r.base64("signature", maxCount: 80)
        try r.finish()
        if let trusted, keyBytes != trusted.key.derRepresentation {
            throw .wrongSigner(file: kind.noun, role: trusted.role, expected: trusted.key.id, found: SHA256.hash(keyBytes)[0..<16].hexString)
        }
        let key: VerifyingKey
        do { key = try VerifyingKey(derRepresentation: keyBytes) } catch {
            throw .field("\(path).signer_key", error.description)
        }
        guard key.id.utf8.elementsEqual(signerID.utf8) else {
            throw .field("\(path).signer", "is \(short(signerID)), but signer_key has key id \(short(key.id))")
        }
        guard let payload = Base64.decode(payloadText) else { throw .field("\(path).payload", "not canonical base64") }
        guard key.isValidSignature(signature, for: payload) else { throw .signatureInvalid(file: kind.noun) }
        self.kind = kind
        self.payload = payload
        self.signer = key
        self.signature = signature
    }

    /// The payload parsed as a JSON object whose `format` matches the envelope's.
    func payloadObject() throws(SolvencyError) -> JSONObject {
        let o = try parseJSONObject(payload, what: "\(kind.noun) payload")
        try FileKind.check(o["format"], expected: kind, path: "\(kind.rawValue).payload")
        return o
    }

    /// Checks the signer is the trusted key for `role`.
    func requireSigner(_ trusted: VerifyingKey, role: String) throws(SolvencyError) {
        guard signer == trusted else {
            throw .wrongSigner(file: kind.noun, role: role, expected: trusted.id, found: signer.id)
        }
    }
}

/// The key a signed file must be signed by, and the role it plays
/// ("publisher", "custodian"), for messages.
struct TrustedSigner: Sendable {
    let key: VerifyingKey
    let role: String
}
