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
/// A custodian statement (`zkmargin/statement@2`) has one more field,
/// `"commitments"`: the base64 of its commitments, concatenated. It is not
/// covered by the signature; the signed payload binds it by its SHA-256
/// (`AttestedStatement`). No other kind of envelope has it.
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
    /// A statement's `commitments` field as stored: the base64 of its
    /// commitments' 33-byte encodings, concatenated (nil for other kinds).
    /// Unsigned, and kept as text: `AttestedStatement` checks its length,
    /// then its digest against the signed payload's, before decoding it.
    public let commitmentsBase64: String?

    /// SHA-256 of the payload bytes: the file's digest.
    public var digest: [UInt8] { SHA256.hash(payload) }

    /// Signs `payload` with `key`; a statement's envelope also carries its
    /// `commitments` (the bytes, which the payload binds by digest).
    package init(kind: FileKind, payload: [UInt8], key: SigningKey, commitments: [UInt8]? = nil) {
        self.init(kind: kind, payload: payload, signer: key.verifyingKey, signature: key.signature(for: payload),
                  commitmentsBase64: commitments.map { Base64.encode($0) })
    }

    /// An envelope from its parts, as stored (the signature is not checked).
    package init(kind: FileKind, payload: [UInt8], signer: VerifyingKey, signature: [UInt8], commitmentsBase64: String?) {
        self.kind = kind
        self.payload = payload
        self.signer = signer
        self.signature = signature
        self.commitmentsBase64 = commitmentsBase64
    }

    /// The envelope as a JSON object (also embedded whole in proofs).
    package var json: JSONObject {
        var o = JSONObject([
            ("format", .string(kind.formatName)),
            ("payload", .string(Base64.encode(payload))),
            ("signer", .string(signer.id)),
            ("signer_key", .string(Base64.encode(signer.derRepresentation))),
            ("signature", .string(Base64.encode(signature))),
        ])
        if let commitmentsBase64 { o["commitments"] = .string(commitmentsBase64) }
        return o
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
        // A statement's commitments: only the text is taken here (its length
        // and digest are checked against the payload before any is decoded).
        var commitments: String? = nil
        if kind == .statement {
            let value = try r.required("commitments")
            guard case .string(let text) = value else { throw .field("\(path).commitments", "expected a string, found \(value.kindDescription)") }
            commitments = text
        }
        try r.finish()
        if let trusted, !trusted.keys.contains(where: { $0.derRepresentation == keyBytes }) {
            throw .wrongSigner(file: kind.noun, role: trusted.role, expected: trusted.expectedText, found: SHA256.hash(keyBytes)[0..<16].hexString)
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
        self.commitmentsBase64 = commitments
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

/// The keys a signed file may be signed by (compared as DER bytes before
/// its payload is decoded), and the role they play ("publisher",
/// "custodian"), for messages.
struct TrustedSigner: Sendable {
    let keys: [VerifyingKey]
    let role: String

    init(key: VerifyingKey, role: String) { self.init(keys: [key], role: role) }

    init(keys: [VerifyingKey], role: String) {
        self.keys = keys
        self.role = role
    }

    /// The expected key's id, or how many there are.
    var expectedText: String { keys.count == 1 ? keys[0].id : "any of the \(keys.count) \(role) keys trusted" }
}
