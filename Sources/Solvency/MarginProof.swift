public import MarginCircuits
import StrictJSON
public import ZKGroup
import ZKProofs

/// A margin proof (`zkmargin/proof@2`). Unsigned: it is a proof.
///
/// ```json
/// {
///   "format": "zkmargin/proof@2",
///   "bundle": "<bundle digest, hex>",
///   "circuit": "cross-margin",
///   "curve": "p256",
///   "account": "fund-7/subacct-2",
///   "epoch": "2025-11-25T12:00:00Z",
///   "attestation": "custodian",                      or "self"
///   "excluded": ["ETH-PERP", …],                    only when the holder hides among fewer than all
///   "challenge": "<the verifier's nonce>",           only when made in answer to one
///   "audience": "<the verifier's name>",             only when made for one
///   "covenants": [ { "requirement": "maintenance", "holds": "excess >= 250000" } ],   only when it proves some
///   "statement": { <the custodian's statement@2 envelope, as signed> },   only when "custodian"
///   "inputs": "<base64 of the N input commitments>", only when "self"
///   "helpers": "<base64 of the H helper commitments>",
///   "zero_opening": "<64 hex digits>",               only when "custodian" and "excluded"
///   "claims": [ { "requirement": "maintenance", "holds": "excess >= 0" } ],
///   "range_proofs": [ { "n": 64, "m": 4, "proof": "<base64 Bulletproofs+>" }, … ]
/// }
/// ```
///
/// Commitment lists are the base64 of their 33-byte SEC1 compressed
/// encodings, concatenated, in the compiled circuit's order (inputs, then
/// helpers): no ids, the bundle fixes them. The statement is embedded once,
/// as the custodian wrote it (its commitments in its own `commitments`
/// field, `AttestedStatement`).
///
/// **Anonymity set.** By default a proof hides among every element of the
/// sets that index positions. A holder may hide among fewer: `excluded`
/// lists the elements shown to hold nothing (in the values' order), the
/// statement is compiled with their inputs fixed at zero
/// (`CompiledStatement.hidingAmong`), and their range constraints drop out.
/// Attested, the custodian's commitments to those inputs are shown to open
/// to zero by `zero_opening` (`ZeroOpenings`, over the commitments
/// inputs ++ helpers, indices `CompiledStatement.excludedInputs`);
/// self-attested, they are not committed at all (`inputs` holds the others).
///
/// Everything a verifier needs besides the bundle and the public keys; the
/// affine forms are *not* in it: the verifier recompiles them from the bundle.
///
/// **Size.** 33 bytes are exactly 44 base64 characters, so each commitment
/// costs 44 bytes of the file. For N inputs, H helpers and range proofs of
/// k₁, k₂, … rounds (kᵢ = log₂(nᵢ·m′ᵢ); each proof is 195 + 66·kᵢ bytes,
/// `RangeProof.encodedLength`, 260 + 88·kᵢ characters of base64, plus about
/// 60 for its JSON entry), a file written by `encoded()` is
///
///     bytes ≈ c + 44·N + 44·H + Σᵢ (320 + 88·kᵢ)
///
/// where c, the fixed fields, is about 1 300 bytes for a custodian-attested
/// proof (most of it the statement's envelope: its payload, P-256 key and
/// signature) and about 420 for a self-attested one, plus whatever the
/// account label, circuit and requirement names add beyond those of
/// `zkmargin demo --instruments n` (measured there: 1 295 and 1 302 bytes
/// attested, 415 and 426 self-attested, for n = 10 and 100). A proof that
/// hides among fewer than all elements adds its `excluded` ids (each id's
/// length plus 3) and, attested, 82 bytes of `zero_opening`. That demo's
/// cross-margin books commit both sides of each position, two assets and
/// the cost of all positions once (N = 2n + 3, H = 0, one range proof):
/// 3 242 bytes for n = 10, 11 167 for 100, 90 372 for 1000 (version 1,
/// with the signed size, a cost per position and n helpers: 8 118, 43 301,
/// 403 547). `largestEncodedSize` computes the exact worst case for a
/// bundle.
public struct MarginProof: Sendable {
    public enum Inputs: Sendable {
        /// Commitments signed by a custodian.
        case attested(AttestedStatement)
        /// Commitments made by the prover itself (unattested).
        case selfAttested([CommittedInput])
    }

    public struct RangeProofEntry: Sendable, Equatable {
        /// n, the range width.
        public let bits: Int
        /// m, the number of forms proven.
        public let forms: Int
        /// The Bulletproofs+ proof bytes.
        public let proof: [UInt8]
    }

    public static let claimText = "excess >= 0"

    public let bundleDigest: [UInt8]
    public let circuitName: String
    public let curve: Curve
    public let account: String
    public let epoch: String
    /// The elements shown not to be held (the anonymity set's complement),
    /// in the values' order; empty when the holder hides among all.
    public let excluded: [String]
    /// The challenge and audience the proof was made for (`ProofBinding`),
    /// bound into every range proof's context.
    public let binding: ProofBinding
    /// The covenants it proves besides every requirement (each named), in
    /// the order their constraints follow the requirements'.
    public let covenants: [Covenant]
    public let inputs: Inputs
    public let helpers: [CommittedInput]
    /// The requirement names proven (each: excess ≥ 0).
    public let claims: [String]
    public let rangeProofs: [RangeProofEntry]
    /// ρ of the zero opening (`ZeroOpenings`): present exactly when a
    /// custodian-attested proof excludes elements.
    let zeroOpening: Scalar?

    public var mode: AttestationMode {
        if case .attested = inputs { return .custodian }
        return .selfAttested
    }

    /// The committed inputs, whoever made them.
    public var committedInputs: [CommittedInput] {
        switch inputs {
        case .attested(let s): return s.inputs
        case .selfAttested(let c): return c
        }
    }

    /// Total Bulletproofs+ bytes.
    public var rangeProofByteCount: Int { rangeProofs.reduce(0) { $0 + $1.proof.count } }

    init(bundleDigest: [UInt8], circuitName: String, curve: Curve, account: String, epoch: String, excluded: [String] = [],
         binding: ProofBinding = ProofBinding(), covenants: [Covenant] = [], inputs: Inputs,
         helpers: [CommittedInput], zeroOpening: Scalar? = nil, claims: [String], rangeProofs: [RangeProofEntry]) {
        self.binding = binding
        self.covenants = covenants
        self.bundleDigest = bundleDigest
        self.circuitName = circuitName
        self.curve = curve
        self.account = account
        self.epoch = epoch
        self.excluded = excluded
        self.inputs = inputs
        self.helpers = helpers
        self.zeroOpening = zeroOpening
        self.claims = claims
        self.rangeProofs = rangeProofs
    }

    public func encoded() -> [UInt8] {
        var o = JSONObject([
            ("format", .string(FileKind.proof.formatName)),
            ("bundle", .string(bundleDigest.hexString)),
            ("circuit", .string(circuitName)),
            ("curve", .string(curve.rawValue)),
            ("account", .string(account)),
            ("epoch", .string(epoch)),
            ("attestation", .string(mode.rawValue)),
        ])
        if !excluded.isEmpty { o["excluded"] = .array(excluded.map { .string($0) }) }
        if let c = binding.challenge { o["challenge"] = .string(c) }
        if let a = binding.audience { o["audience"] = .string(a) }
        if !covenants.isEmpty {
            o["covenants"] = .array(covenants.map { .object(JSONObject([("requirement", .string($0.requirement ?? "")), ("holds", .string($0.holds))])) })
        }
        switch inputs {
        case .attested(let s): o["statement"] = .object(s.envelope.json)
        case .selfAttested(let c): o["inputs"] = .string(Base64.encode(CommitmentBlob.encode(c.map(\.commitment))))
        }
        o["helpers"] = .string(Base64.encode(CommitmentBlob.encode(helpers.map(\.commitment))))
        if let zeroOpening { o["zero_opening"] = .string(zeroOpening.bytes.hexString) }
        o["claims"] = .array(claims.map { .object(JSONObject([("requirement", .string($0)), ("holds", .string(Self.claimText))])) })
        o["range_proofs"] = .array(rangeProofs.map {
            .object(JSONObject([("n", .number(String($0.bits))), ("m", .number(String($0.forms))), ("proof", .string(Base64.encode($0.proof)))]))
        })
        return JSONValue.object(o).encoded()
    }

    /// Strict decoding of the file's structure (signatures of an embedded
    /// statement are checked against its embedded key; everything else is
    /// the verifier's job).
    public init(encoded bytes: [UInt8]) throws(SolvencyError) {
        try self.init(encoded: bytes, expecting: nil)
    }

    /// Strict decoding, refusing at the first field that differs from what
    /// `expecting` says the bundle requires. The order is the order of
    /// cost: the proof's own small fields first; then the custodian's
    /// signer, compared with the trusted key (DER bytes) before the
    /// statement's payload is decoded or its signature checked; the
    /// signature; the payload's fields (bundle, epoch, curve, account as
    /// bytes, the number of inputs); the statement's commitments: their
    /// length from the base64 text's, their SHA-256 against the signed
    /// digest, then the points; the helpers' (or self-attested inputs')
    /// length from the text's, then their points; the claims; the range
    /// proofs' count and shapes before any is decoded.
    ///
    /// Decoded without an expectation, inputs and helpers are named by
    /// position (`inputs[k]`, `helpers[k]`): the file carries no ids.
    init(encoded bytes: [UInt8], expecting e: ProofExpectation?) throws(SolvencyError) {
        let object = try parseJSONObject(bytes, what: FileKind.proof.noun)
        try FileKind.check(object["format"], expected: .proof, path: "proof")
        var r = FieldReader(object, path: "proof")
        _ = r.optional("format")
        bundleDigest = try r.hex("bundle", count: 32)
        if let b = e?.bundle, bundleDigest != b.digest {
            throw .proofForAnotherBundle(proof: bundleDigest.hexString, bundle: b.digestHex)
        }
        let curveName = try r.string("curve", maxLength: 32)
        guard let c = Curve(name: curveName), c.rawValue == curveName else {
            throw .field("proof.curve", "unknown curve \(jsonQuoted(curveName))")
        }
        if let b = e?.bundle, c != b.curve { throw .proofMismatch("the proof is on \(c), the bundle uses \(b.curve)") }
        curve = c
        circuitName = try r.string("circuit", maxLength: FormatLimits.maximumCircuitNameBytes)
        if let b = e?.bundle, !sameBytes(circuitName, b.circuitName) {
            throw .proofMismatch("the proof names circuit \(jsonQuoted(circuitName)), the bundle's is \(jsonQuoted(b.circuitName))")
        }
        account = try r.string("account", maxLength: FormatLimits.maximumIdentifierBytes)
        epoch = try r.epoch("epoch")
        if let b = e?.bundle, !sameBytes(epoch, b.epoch) { throw .proofMismatch("the proof is for epoch \(epoch), the bundle's epoch is \(b.epoch)") }
        let modeText = try r.string("attestation", maxLength: 16)
        guard let mode = AttestationMode(rawValue: modeText), modeText.utf8.elementsEqual(mode.rawValue.utf8) else {
            throw .field("proof.attestation", "expected \"custodian\" or \"self\", found \(jsonQuoted(modeText))")
        }
        excluded = try Self.excludedElements(&r, expected: e)
        binding = try Self.binding(&r)
        covenants = try Self.covenants(&r)
        // What the proof is checked against: the statement with the excluded
        // elements fixed at zero (compiled once per set, `ProofScopes`).
        let scope = try e?.scope(excluded: excluded, covenants: covenants)
        let plan: ProofPlan?
        switch mode {
        case .custodian:
            if r.optional("inputs") != nil { throw .field("proof.inputs", "a custodian-attested proof carries its inputs in the statement only") }
            plan = try scope?.plan(mode)
            let value = try r.required("statement")
            guard case .object(let so) = value else { throw .field("proof.statement", "expected an object, found \(value.kindDescription)") }
            var trusted: TrustedSigner? = nil
            if let e {
                guard !e.custodianKeys.isEmpty else { throw .custodianKeyRequired(Self.signerID(so)) }
                trusted = TrustedSigner(keys: e.custodianKeys, role: "custodian")
            }
            let envelope = try SignedEnvelope(json: so, kind: .statement, path: "proof.statement", trusted: trusted)
            let claimed = account
            let expected = e.map { AttestedStatement.Expectation(bundle: $0.bundle, inputIDs: $0.inputIDs, account: claimed) }
            let statement = try AttestedStatement(envelope: envelope, expecting: expected, path: "proof.statement")
            inputs = .attested(statement)
        case .selfAttested:
            if r.optional("statement") != nil { throw .field("proof.statement", "a self-attested proof has no custodian statement") }
            if let e, !e.allowSelfAttested { throw .selfAttestedNotAllowed }
            plan = try scope?.plan(mode)
            let text = try CommitmentBlob.text(&r, "inputs")
            let ids = scope.flatMap { s in plan.map { s.committedInputIDs($0) } }
            let commitments = try CommitmentBlob.decode(text, path: "proof.inputs", curve: c, expected: ids) { found in
                .proofMismatch(describeCount("proof.inputs", found: found, expected: ids ?? []))
            }
            inputs = .selfAttested(CommittedInput.pairing(commitments, ids: ids, prefix: "inputs"))
        }
        let helperText = try CommitmentBlob.text(&r, "helpers")
        let helperIDs = scope?.helperIDs
        let helperCommitments = try CommitmentBlob.decode(helperText, path: "proof.helpers", curve: c, expected: helperIDs) { found in
            .proofMismatch(describeCount("proof.helpers", found: found, expected: helperIDs ?? []))
        }
        helpers = CommittedInput.pairing(helperCommitments, ids: helperIDs, prefix: "helpers")
        if mode == .custodian && !excluded.isEmpty {
            // ρ is public (a uniformly random scalar, `ZeroOpenings`).
            let raw = try r.hex("zero_opening", count: 32)
            do { zeroOpening = try Scalar(canonical: raw, curve: c) } catch {
                throw .field("proof.zero_opening", "not a scalar below the group order")
            }
        } else {
            if r.optional("zero_opening") != nil {
                throw .field("proof.zero_opening", excluded.isEmpty ? "a proof that excludes no element has no zero opening"
                                                                    : "a self-attested proof does not commit the excluded elements' inputs, so has no zero opening")
            }
            zeroOpening = nil
        }
        var claims: [String] = []
        let claimItems = try r.array("claims")
        let required = plan?.requirementClaims
        if let required, claimItems.count != required.count {
            throw .proofMismatch("the proof claims \(claimItems.count) requirements, the circuit has \(required.count) (\(required.prefix(4).joined(separator: ", "))\(required.count > 4 ? ", …" : ""))")
        }
        for (k, item) in claimItems.enumerated() {
            var f = try FieldReader(item, path: "proof.claims[\(k)]")
            let name = try f.string("requirement", maxLength: FormatLimits.maximumIdentifierBytes)
            if let required, !sameBytes(name, required[k]) {
                throw .proofMismatch("the proof's claim \(k) is \(jsonQuoted(name)), the circuit's requirement is \(jsonQuoted(required[k]))")
            }
            claims.append(name)
            let holds = try f.string("holds", maxLength: 64)
            guard holds.utf8.elementsEqual(Self.claimText.utf8) else { throw .field("proof.claims[\(k)].holds", "expected \"\(Self.claimText)\"") }
            try f.finish()
        }
        self.claims = claims
        let proofItems = try r.array("range_proofs")
        if let plan, proofItems.count != plan.chunks.count {
            throw .proofMismatch("the proof has \(proofItems.count) range proofs, the circuit needs \(plan.chunks.count)")
        }
        var proofs: [RangeProofEntry] = []
        for (k, item) in proofItems.enumerated() {
            var f = try FieldReader(item, path: "proof.range_proofs[\(k)]")
            let n = try f.integer("n", in: 8...256)
            let m = try f.integer("m", in: 1...ProofPlan.maximumFormsPerProof)
            if let chunk = plan?.chunks[k], chunk.bits != n || chunk.constraints.count != m {
                throw .proofMismatch("range proof \(k) is for n = \(n), m = \(m); the circuit needs n = \(chunk.bits), m = \(chunk.constraints.count)")
            }
            let proof = try f.base64("proof", maxCount: 1 << 16)
            try f.finish()
            proofs.append(RangeProofEntry(bits: n, forms: m, proof: proof))
        }
        guard !proofs.isEmpty else { throw .field("proof.range_proofs", "empty: a proof must contain at least one range proof") }
        rangeProofs = proofs
        try r.finish()
    }

    /// The bundle digest a proof file names (its `bundle` member, as
    /// written), or nil if the file is not a JSON object naming one: only
    /// to pick which bundle to check it against; the check itself decodes
    /// the whole file.
    static func bundleDigestHex(ofEncoded bytes: [UInt8]) -> String? {
        guard case .object(let o)? = try? JSONParser.parse(bytes), case .string(let s)? = o["bundle"] else { return nil }
        return s
    }

    /// `covenants`, optional: a nonempty array of at most
    /// `Covenant.maximumClaims` objects `{requirement, holds}`, `holds` in
    /// its canonical text, none twice (SPEC.md §16.10). That each names a
    /// requirement of the circuit is checked when the statement is compiled
    /// with them.
    static func covenants(_ r: inout FieldReader) throws(SolvencyError) -> [Covenant] {
        guard r.optional("covenants") != nil else { return [] }
        let items = try r.array("covenants")
        guard !items.isEmpty else { throw .field("proof.covenants", "empty: leave the member out for a proof of the requirements alone") }
        guard items.count <= Covenant.maximumClaims else { throw .field("proof.covenants", "\(items.count) covenants, more than \(Covenant.maximumClaims)") }
        var out: [Covenant] = []
        for (k, item) in items.enumerated() {
            let path = "proof.covenants[\(k)]"
            var f = try FieldReader(item, path: path)
            let name = try f.string("requirement", maxLength: FormatLimits.maximumIdentifierBytes)
            let holds = try f.string("holds", maxLength: 1024)
            try f.finish()
            let parsed: Covenant
            do { parsed = try Covenant(parsing: holds) } catch { throw .field("\(path).holds", error.description) }
            guard parsed.requirement == nil, sameBytes(parsed.holds, holds) else {
                throw .field("\(path).holds", "not in its canonical form (\(jsonQuoted(parsed.holds)))")
            }
            let c = parsed.for(name)
            guard !out.contains(c) else { throw .field(path, "the same covenant twice") }
            out.append(c)
        }
        return out
    }

    /// `challenge` and `audience`, each optional (SPEC.md §16.10).
    static func binding(_ r: inout FieldReader) throws(SolvencyError) -> ProofBinding {
        var b = ProofBinding()
        if let c = try r.optionalString("challenge") {
            if let p = ProofBinding.challengeProblem(c) { throw .field("proof.challenge", p) }
            b.challenge = c
        }
        if let a = try r.optionalString("audience") {
            if let p = ProofBinding.audienceProblem(a) { throw .field("proof.audience", p) }
            b.audience = a
        }
        return b
    }

    /// The `excluded` list: absent (hide among all), or a nonempty list of
    /// distinct element ids, fewer than the bundle's position elements.
    /// That they are position elements in the values' order is checked
    /// when the statement is compiled for them (`ProofScope.compile`).
    private static func excludedElements(_ r: inout FieldReader, expected e: ProofExpectation?) throws(SolvencyError) -> [String] {
        guard r.optional("excluded") != nil else { return [] }
        let items = try r.array("excluded")
        guard !items.isEmpty else { throw .field("proof.excluded", "empty: a proof that hides among every element omits the field") }
        if let e, items.count >= e.positionElementCount {
            throw .proofMismatch("the proof shows \(items.count) elements not held; the bundle has \(e.positionElementCount) position elements, and a holder hides among at least one")
        }
        var out: [String] = []
        for (k, item) in items.enumerated() {
            guard case .string(let id) = item, !id.isEmpty, id.utf8.count <= FormatLimits.maximumIdentifierBytes else {
                throw .field("proof.excluded[\(k)]", "expected an element id (a string of 1 to \(FormatLimits.maximumIdentifierBytes) bytes)")
            }
            out.append(id)
        }
        return out
    }

    /// The signer a statement envelope names, for the message that asks
    /// for the custodian's key (nothing is decoded or trusted).
    private static func signerID(_ envelope: JSONObject) -> String {
        guard case .string(let id)? = envelope["signer"], id.utf8.count <= 64 else { return "(unnamed)" }
        return id
    }

    /// The size of the largest proof file any account could produce against
    /// a bundle: the account label at its longest and escaping to twice its
    /// length, every commitment and range proof at its fixed size, and the
    /// longest `excluded` list (every position element but one) with its
    /// zero opening — an anonymity set only removes helpers and range
    /// constraints (fixing inputs at zero narrows every bound). Built
    /// with the real encoders (dummy points and a throwaway signing key), so
    /// the figure is exact, not estimated. `publish` refuses a bundle whose
    /// proofs a verifier would refuse for their size.
    static func largestEncodedSize(bundle: RiskBundle, compiled: CompiledStatement, plan: ProofPlan) throws(SolvencyError) -> Int {
        let curve = bundle.curve
        let point = Commitment(Opening.random(value: .zero(curve)), generators: .standard(curve))
        let inputs = compiled.inputs.map { CommittedInput(id: $0.id, commitment: point) }
        let helpers = compiled.helpers.map { CommittedInput(id: $0.id, commitment: point) }
        let label = String(repeating: "\"", count: FormatLimits.maximumIdentifierBytes)
        let proofs = plan.chunks.map { chunk in
            let rounds = (chunk.bits * ProofPlan.padded(chunk.constraints.count)).trailingZeroBitCount
            return RangeProofEntry(bits: chunk.bits, forms: chunk.constraints.count, proof: [UInt8](repeating: 0, count: RangeProof.encodedLength(rounds: rounds)))
        }
        let mode: Inputs
        switch plan.mode {
        case .custodian:
            // The larger of a signature and the largest seal (a path of
            // the most siblings, the largest position and count).
            let signed = try AttestedStatement.sign(bundle: bundle, account: label, inputs: inputs, issuedAt: bundle.validUntil, key: SigningKey.generate())
            let root = StatementRoot(custodianKeyID: signed.custodianKeyID, bundleDigest: bundle.digest, epoch: bundle.epoch, issuedAt: bundle.validUntil,
                                     statements: StatementSeal.maximumStatements, root: [UInt8](repeating: 0, count: 32))
            let seal = StatementSeal(root: root, rootPayload: root.payload, signature: signed.envelope.signature ?? [],
                                     position: StatementSeal.maximumStatements - 1,
                                     path: Array(repeating: [UInt8](repeating: 0, count: 32), count: StatementSeal.maximumPathLength))
            mode = .attested(signed.authenticated(by: .seal(seal)))
        case .selfAttested:
            mode = .selfAttested(inputs)
        }
        let excluded = Array(compiled.positionElements.dropLast())
        let rho = plan.mode == .custodian && !excluded.isEmpty ? Scalar.zero(curve) : nil
        let proof = MarginProof(bundleDigest: bundle.digest, circuitName: bundle.circuitName, curve: curve, account: label, epoch: bundle.epoch,
                                excluded: excluded, inputs: mode, helpers: helpers, zeroOpening: rho, claims: plan.claims, rangeProofs: proofs)
        return proof.encoded().count
    }

    public static func load(path: String) throws(SolvencyError) -> MarginProof {
        let bytes = try FileIO.read(path)
        do { return try MarginProof(encoded: bytes) } catch { throw error.inFile(path) }
    }
}
