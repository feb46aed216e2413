import StrictJSON
import ZKGroup
import ZKProofs

/// A margin proof (`zkmargin/proof@1`). Unsigned: it is a proof.
///
/// ```json
/// {
///   "format": "zkmargin/proof@1",
///   "bundle": "<bundle digest, hex>",
///   "circuit": "cross-margin",
///   "curve": "p256",
///   "account": "fund-7/subacct-2",
///   "epoch": "2025-11-25T12:00:00Z",
///   "attestation": "custodian",                      or "self"
///   "statement": { <the custodian's signed statement envelope> },
///   "inputs": [ { "id": …, "commitment": … } ],      only when "self"
///   "helpers": [ { "id": "abs(size[BTC-PERP]) short part", "commitment": "<base64>" } ],
///   "claims": [ { "requirement": "maintenance", "holds": "excess >= 0" } ],
///   "range_proofs": [ { "n": 64, "m": 4, "proof": "<base64 Bulletproofs+>" }, … ]
/// }
/// ```
///
/// Everything a verifier needs besides the bundle and the public keys; the
/// affine forms are *not* in it: the verifier recompiles them from the bundle.
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
    public let inputs: Inputs
    public let helpers: [CommittedInput]
    /// The requirement names proven (each: excess ≥ 0).
    public let claims: [String]
    public let rangeProofs: [RangeProofEntry]

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

    init(bundleDigest: [UInt8], circuitName: String, curve: Curve, account: String, epoch: String, inputs: Inputs,
         helpers: [CommittedInput], claims: [String], rangeProofs: [RangeProofEntry]) {
        self.bundleDigest = bundleDigest
        self.circuitName = circuitName
        self.curve = curve
        self.account = account
        self.epoch = epoch
        self.inputs = inputs
        self.helpers = helpers
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
        switch inputs {
        case .attested(let s): o["statement"] = .object(s.envelope.json)
        case .selfAttested(let c): o["inputs"] = .array(c.map(\.json))
        }
        o["helpers"] = .array(helpers.map(\.json))
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
        let object = try parseJSONObject(bytes, what: FileKind.proof.noun)
        try FileKind.check(object["format"], expected: .proof, path: "proof")
        var r = FieldReader(object, path: "proof")
        _ = r.optional("format")
        bundleDigest = try r.hex("bundle", count: 32)
        circuitName = try r.string("circuit", maxLength: 128)
        let curveName = try r.string("curve", maxLength: 32)
        guard let c = Curve(name: curveName), c.rawValue == curveName else {
            throw .field("proof.curve", "unknown curve \(jsonQuoted(curveName))")
        }
        curve = c
        account = try r.string("account", maxLength: 512)
        epoch = try r.string("epoch", maxLength: 64)
        let modeText = try r.string("attestation", maxLength: 16)
        switch AttestationMode(rawValue: modeText) {
        case .custodian:
            let value = try r.required("statement")
            guard case .object(let so) = value else { throw .field("proof.statement", "expected an object, found \(value.kindDescription)") }
            let envelope = try SignedEnvelope(json: so, kind: .statement, path: "proof.statement")
            inputs = .attested(try AttestedStatement(envelope: envelope))
            if r.optional("inputs") != nil { throw .field("proof.inputs", "a custodian-attested proof carries its inputs in the statement only") }
        case .selfAttested:
            inputs = .selfAttested(try CommittedInput.decode(try r.array("inputs"), path: "proof.inputs", curve: c))
            if r.optional("statement") != nil { throw .field("proof.statement", "a self-attested proof has no custodian statement") }
        case nil:
            throw .field("proof.attestation", "expected \"custodian\" or \"self\", found \(jsonQuoted(modeText))")
        }
        helpers = try CommittedInput.decode(try r.array("helpers"), path: "proof.helpers", curve: c)
        var claims: [String] = []
        for (k, item) in try r.array("claims").enumerated() {
            var e = try FieldReader(item, path: "proof.claims[\(k)]")
            claims.append(try e.string("requirement", maxLength: 512))
            let holds = try e.string("holds", maxLength: 64)
            guard holds == Self.claimText else { throw .field("proof.claims[\(k)].holds", "expected \"\(Self.claimText)\"") }
            try e.finish()
        }
        self.claims = claims
        var proofs: [RangeProofEntry] = []
        for (k, item) in try r.array("range_proofs").enumerated() {
            var e = try FieldReader(item, path: "proof.range_proofs[\(k)]")
            let n = try e.integer("n", in: 8...128)
            let m = try e.integer("m", in: 1...ProofPlan.maximumFormsPerProof)
            let proof = try e.base64("proof", maxCount: 1 << 16)
            try e.finish()
            proofs.append(RangeProofEntry(bits: n, forms: m, proof: proof))
        }
        guard !proofs.isEmpty else { throw .field("proof.range_proofs", "empty: a proof must contain at least one range proof") }
        rangeProofs = proofs
        try r.finish()
    }

    public static func load(path: String) throws(SolvencyError) -> MarginProof {
        let bytes = try FileIO.read(path)
        do { return try MarginProof(encoded: bytes) } catch { throw error.inFile(path) }
    }
}
