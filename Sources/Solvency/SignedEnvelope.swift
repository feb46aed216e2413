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
/// A statement alone may carry `"seal"` in place of `"signature"`: its
/// place under the custodian's signed epoch root (`StatementSeal`, SPEC.md
/// §16.18), or neither (unsealed, written by a worker without the private
/// key; refused unless the reader asks for it). `authentication` says
/// which; every other kind always has a signature.
///
/// Signing the stored bytes (not a re-serialisation) leaves nothing to
/// canonicalise. The payload repeats the `format`, so a signature made for
/// one kind of file can never be read as another. Decoding checks that the
/// signature verifies under `signer_key` and that `signer` is that key's id;
/// whether the signer is *trusted* is the caller's check (`requireSigner`).
public struct SignedEnvelope: Sendable, Equatable {
    /// What authenticates the payload.
    ///
    /// Every kind is authenticated by a `signature` over its payload bytes.
    /// A custodian statement (only) may instead carry a `seal`: its place
    /// under the epoch's signed statement root (`StatementSeal`); or, as
    /// written by a worker that holds only the custodian's public key
    /// (`Custodian.attestUnsealed`), neither: **unsealed**, which every
    /// reader refuses (`statementUnsealed`) unless it asks for unsealed
    /// statements (`zkmargin seal`, the batch prover's message).
    public enum Authentication: Sendable, Equatable {
        case signature([UInt8])
        case seal(StatementSeal)
        case unsealed
    }

    public let kind: FileKind
    public let payload: [UInt8]
    public let signer: VerifyingKey
    public let authentication: Authentication
    /// A statement's `commitments` field as stored: the base64 of its
    /// commitments' 33-byte encodings, concatenated (nil for other kinds).
    /// Unsigned, and kept as text: `AttestedStatement` checks its length,
    /// then its digest against the signed payload's, before decoding it.
    public let commitmentsBase64: String?

    /// The signature over the payload, if that is what authenticates it.
    public var signature: [UInt8]? {
        if case .signature(let s) = authentication { return s }
        return nil
    }

    /// SHA-256 of the payload bytes: the file's digest. The same whether
    /// the statement is signed, sealed, resealed or unsealed.
    public var digest: [UInt8] { SHA256.hash(payload) }

    /// Signs `payload` with `key`; a statement's envelope also carries its
    /// `commitments` (the bytes, which the payload binds by digest).
    package init(kind: FileKind, payload: [UInt8], key: SigningKey, commitments: [UInt8]? = nil) {
        self.init(kind: kind, payload: payload, signer: key.verifyingKey, authentication: .signature(key.signature(for: payload)),
                  commitmentsBase64: commitments.map { Base64.encode($0) })
    }

    /// An envelope from its parts, as stored (the signature is not checked).
    package init(kind: FileKind, payload: [UInt8], signer: VerifyingKey, signature: [UInt8], commitmentsBase64: String?) {
        self.init(kind: kind, payload: payload, signer: signer, authentication: .signature(signature), commitmentsBase64: commitmentsBase64)
    }

    /// An envelope from its parts (nothing is checked).
    package init(kind: FileKind, payload: [UInt8], signer: VerifyingKey, authentication: Authentication, commitmentsBase64: String?) {
        self.kind = kind
        self.payload = payload
        self.signer = signer
        self.authentication = authentication
        self.commitmentsBase64 = commitmentsBase64
    }

    /// The same envelope authenticated otherwise (a statement sealed or
    /// resealed): payload, signer and commitments unchanged.
    package func authenticated(by authentication: Authentication) -> SignedEnvelope {
        SignedEnvelope(kind: kind, payload: payload, signer: signer, authentication: authentication, commitmentsBase64: commitmentsBase64)
    }

    /// The envelope as a JSON object (also embedded whole in proofs):
    /// `format`, `payload`, `signer`, `signer_key`, then `signature` or
    /// `seal` (neither when unsealed), then a statement's `commitments`.
    package var json: JSONObject {
        var o = JSONObject([
            ("format", .string(kind.formatName)),
            ("payload", .string(Base64.encode(payload))),
            ("signer", .string(signer.id)),
            ("signer_key", .string(Base64.encode(signer.derRepresentation))),
        ])
        switch authentication {
        case .signature(let s): o["signature"] = .string(Base64.encode(s))
        case .seal(let seal): o["seal"] = .object(seal.json)
        case .unsealed: break
        }
        if let commitmentsBase64 { o["commitments"] = .string(commitmentsBase64) }
        return o
    }

    public func encoded() -> [UInt8] { JSONValue.object(json).encoded() }

    /// Strict decoding of an envelope of `kind` from a whole file.
    init(decoding bytes: [UInt8], kind: FileKind, trusted: TrustedSigner? = nil, allowingUnsealed: Bool = false) throws(SolvencyError) {
        let object = try parseJSONObject(bytes, what: kind.noun)
        try self.init(json: object, kind: kind, path: kind.rawValue, trusted: trusted, allowingUnsealed: allowingUnsealed)
    }

    /// Strict decoding from a JSON object, cheapest checks first.
    ///
    /// With `trusted`, the signer is compared with the trusted key (by its
    /// DER bytes) before the payload is even decoded from base64 or its
    /// signature checked: a file signed by anyone else is refused for the
    /// price of reading its envelope, however large its payload.
    ///
    /// Order (SPEC.md §16.12 step 4, §16.18): the members (`signature` and
    /// `seal` both present, or either for another kind than a statement, is
    /// a `field` error; the seal's own members are read here too), the
    /// trusted signer, the key and its id, the payload's base64; then the
    /// authentication: a signature verifies over the payload; a seal is
    /// checked whole (`StatementSeal.verify`: the root's signature, the
    /// root payload, the position and path, and the statement's leaf
    /// under the signed root); neither is `statementUnsealed` unless
    /// `allowingUnsealed`. A decoded envelope's payload is therefore always
    /// vouched for by `signer` — except an unsealed one, which only the
    /// callers that asked for it ever hold.
    init(json object: JSONObject, kind: FileKind, path: String, trusted: TrustedSigner? = nil, allowingUnsealed: Bool = false) throws(SolvencyError) {
        try FileKind.check(object["format"], expected: kind, path: path)
        var r = FieldReader(object, path: path)
        _ = r.optional("format")
        let payloadText = try r.string("payload", maxLength: FileIO.maximumFileSize)
        let signerID = try r.string("signer", maxLength: 64)
        let keyBytes = try r.base64("signer_key", maxCount: 1024)
        enum Found { case signature([UInt8]), seal(StatementSeal.Stored), none }
        let found: Found
        if kind == .statement {
            let hasSignature = r.optional("signature") != nil
            let sealValue = r.optional("seal")
            switch (hasSignature, sealValue) {
            case (true, nil): found = .signature(try r.base64("signature", maxCount: 80))
            case (false, let value?): found = .seal(try StatementSeal.Stored(value, path: "\(path).seal"))
            case (true, _?): throw .field("\(path).seal", "a statement is authenticated by a signature or by a seal, not both")
            case (false, nil): found = .none
            }
        } else {
            found = .signature(try r.base64("signature", maxCount: 80))
        }
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
        switch found {
        case .signature(let signature):
            guard key.isValidSignature(signature, for: payload) else { throw .signatureInvalid(file: kind.noun) }
            authentication = .signature(signature)
        case .seal(let stored):
            authentication = .seal(try StatementSeal.verify(stored, statementPayload: payload, signer: key, path: "\(path).seal"))
        case .none:
            guard allowingUnsealed else {
                throw .statementUnsealed("the custodian statement is unsealed: it was written without the custodian's private key (zkmargin attest --custodian-key), and nothing authenticates it until the custodian seals the epoch (zkmargin seal)")
            }
            authentication = .unsealed
        }
        self.kind = kind
        self.payload = payload
        self.signer = key
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
