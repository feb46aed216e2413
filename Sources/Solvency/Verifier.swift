public import Foundation
public import MarginCircuits
import StrictJSON
public import ZKGroup
import ZKProofs

/// What the verifier trusts and when it checks.
public struct VerificationPolicy: Sendable {
    /// The publisher keys (the bundle must be signed by one that vouches for
    /// it) and custodian keys (an attested proof's statement must be signed
    /// by one; with none, attested proofs are reported invalid).
    public var trust: TrustStore
    /// The time at which the bundle must be valid.
    public var at: Date
    /// Accept self-attested proofs (reported as UNATTESTED).
    public var allowSelfAttested: Bool
    /// The challenge, audience and age every proof must have (none by default).
    public var freshness: FreshnessPolicy
    /// The covenants every proof must prove (`--require`), besides the circuit.
    public var covenants: [Covenant] = []

    public init(publisherKey: VerifyingKey, custodianKey: VerifyingKey? = nil, at: Date = Date(), allowSelfAttested: Bool = false,
                freshness: FreshnessPolicy = FreshnessPolicy()) {
        self.init(trust: TrustStore(publisher: publisherKey, custodian: custodianKey), at: at, allowSelfAttested: allowSelfAttested, freshness: freshness)
    }

    /// A policy trusting the keys of a trust store (`--trust`).
    public init(trust: TrustStore, at: Date = Date(), allowSelfAttested: Bool = false, freshness: FreshnessPolicy = FreshnessPolicy()) {
        self.trust = trust
        self.at = at
        self.allowSelfAttested = allowSelfAttested
        self.freshness = freshness
    }
}

/// What a valid proof establishes.
public struct AcceptedProof: Sendable {
    public let account: String
    /// False for self-attested proofs: nobody vouches for their inputs.
    public let attested: Bool
    /// The custodian key id that signed the inputs (nil when self-attested).
    public let custodianKeyID: String?
    /// Its name in the trust store (nil when self-attested or given by
    /// `--custodian-key`).
    public let custodianName: String?
    /// The requirements shown to hold (each: excess ≥ 0).
    public let requirements: [String]
    /// The elements the proof shows the account does not hold (disclosed:
    /// the anonymity set is the other position elements); empty when it
    /// hides among all.
    public let excludedElements: [String]
    /// The covenants it proves besides the requirements (`name: holds`).
    public let covenants: [String]
    /// The challenge and audience the proof was made for (bound into it).
    public let binding: ProofBinding
    /// When the custodian signed the statement (nil when self-attested).
    public let statementIssuedAt: Date?
    /// The digest of the statement the custodian signed (SHA-256 of its
    /// payload; nil when self-attested): what an epoch index names.
    public let statementDigest: [UInt8]?
    public let proofBytes: Int
}

/// One proof's verdict.
public struct ProofVerdict: Sendable {
    /// The name the caller gave the proof (its file path).
    public let name: String
    public let result: Result<AcceptedProof, SolvencyError>
    public var isValid: Bool { if case .success = result { return true } else { return false } }
}

/// The verdicts for every proof checked against one bundle.
public struct VerificationReport: Sendable {
    public let bundle: RiskBundle
    /// The trust-store entry that vouched for the bundle.
    public let publisher: TrustStore.Entry
    public let at: Date
    public let verdicts: [ProofVerdict]
    public var allValid: Bool { !verdicts.isEmpty && verdicts.allSatisfy(\.isValid) }
}

/// The verifier's role.
public enum Verifier {
    /// Checks the bundle itself: signed by the trusted publisher, valid at
    /// `policy.at`, and its circuit compiles against its values. Any failure
    /// here makes every proof unverifiable (the command exits 2).
    public static func checkBundle(_ bundle: RiskBundle, policy: VerificationPolicy) throws(SolvencyError) -> CompiledStatement {
        try checkedBundle(bundle, policy: policy).compiled
    }

    /// `checkBundle`, and the entry that vouched for the bundle.
    static func checkedBundle(_ bundle: RiskBundle, policy: VerificationPolicy) throws(SolvencyError) -> (compiled: CompiledStatement, publisher: TrustStore.Entry) {
        let entry = try policy.trust.vouch(for: bundle.signer, role: .publisher, file: "risk bundle", issuedAt: bundle.issuedAt, at: policy.at)
        try bundle.checkValidity(at: policy.at)
        return (try bundle.compiled(), entry)
    }

    /// Verifies proofs (file bytes, each with a name for the report)
    /// against `bundle`. Throws only for bundle-level failures
    /// (`checkBundle`); each proof's own problems are in its verdict.
    public static func verify(bundle: RiskBundle, proofs: [(name: String, bytes: [UInt8])], policy: VerificationPolicy) throws(SolvencyError) -> VerificationReport {
        try verify(bundle: bundle, names: proofs.map(\.name), policy: policy) { i throws(SolvencyError) in proofs[i].bytes }
    }

    /// Verifies the proofs `read(i)` yields, one at a time, for the names
    /// given. Memory stays bounded however many there are: each proof is
    /// read, checked and decoded (`prepare`), and the decoded range proofs
    /// are verified in batches of at most `limits` (one multi-scalar
    /// multiplication per batch); only if a batch fails is each of its
    /// proofs verified alone, to name the invalid ones. A proof that cannot
    /// be read is an invalid proof, not a failure of the whole run.
    ///
    /// `admit(i, bytes, accepted)`, if given, is asked of each proof that
    /// passes every check but the range-proof equations, before they are
    /// verified: it refuses the proof by throwing (the epoch index's
    /// inclusion check, `EpochIndexCheck`), so an excluded proof costs no
    /// equation.
    public static func verify(
        bundle: RiskBundle, names: [String], policy: VerificationPolicy, limits: BatchLimits = BatchLimits(),
        read: (Int) throws(SolvencyError) -> [UInt8],
        admit: ((Int, [UInt8], AcceptedProof) throws(SolvencyError) -> Void)? = nil
    ) throws(SolvencyError) -> VerificationReport {
        let (compiled, publisher) = try checkedBundle(bundle, policy: policy)
        let expectation = ProofExpectation(bundle: bundle, compiled: compiled, policy: policy)
        let generators = Generators.standard(bundle.curve)
        var results: [Result<AcceptedProof, SolvencyError>?] = Array(repeating: nil, count: names.count)
        var batch: [(index: Int, items: [(RangeProof, RangeStatement)], accepted: AcceptedProof)] = []
        var batchPoints = 0, batchBytes = 0

        func flush() {
            guard !batch.isEmpty else { return }
            let all = batch.flatMap(\.items)
            let batchOK = (try? BulletproofsPlus.verifyBatch(all, generators: generators)) != nil
            for p in batch {
                if batchOK || (try? BulletproofsPlus.verifyBatch(p.items, generators: generators)) != nil {
                    results[p.index] = .success(p.accepted)
                } else {
                    results[p.index] = .failure(.proofInvalid("the range proofs do not verify: the proof, its commitments or its statement were altered, or the proof was made for other commitments"))
                }
            }
            batch.removeAll()
            batchPoints = 0
            batchBytes = 0
        }

        for i in names.indices {
            do {
                let bytes = try read(i)
                let (items, accepted) = try prepare(bytes, expecting: expectation)
                try admit?(i, bytes, accepted)
                let points = items.reduce(0) { $0 + limits.points(of: $1.1) }
                if !batch.isEmpty, batchPoints + points > limits.maximumPoints || batchBytes + bytes.count > limits.maximumBytes { flush() }
                batch.append((i, items, accepted))
                batchPoints += points
                batchBytes += bytes.count
            } catch {
                results[i] = .failure(error)
            }
        }
        flush()
        let verdicts = names.enumerated().map { ProofVerdict(name: $1, result: results[$0]!) }
        return VerificationReport(bundle: bundle, publisher: publisher, at: policy.at, verdicts: verdicts)
    }

    /// Every check except the range-proof equations, in the order of cost
    /// (`MarginProof.init(encoded:expecting:)`): binding to the bundle,
    /// attestation, inputs, helpers, claims, the proof plan and strict
    /// decoding of each range proof. Returns the (proof, statement) pairs to
    /// verify, with statements rebuilt from the bundle alone, and what the
    /// proof shows, named from signed sources: the account the custodian
    /// signed (the proof's own copy only for self-attested proofs), the
    /// bundle's requirement names.
    static func prepare(_ bytes: [UInt8], expecting e: ProofExpectation) throws(SolvencyError) -> ([(RangeProof, RangeStatement)], AcceptedProof) {
        let proof = try MarginProof(encoded: bytes, expecting: e)
        let scope = try e.scope(excluded: proof.excluded, covenants: proof.covenants)
        let plan = try scope.plan(proof.mode)
        let statementDigest: [UInt8]
        let custodianID: String?
        let account: String
        let issuedAt: Date?
        let custodianName: String?
        switch proof.inputs {
        case .attested(let statement):
            statementDigest = statement.digest
            custodianID = statement.envelope.signer.id
            account = statement.account
            issuedAt = statement.issuedAt
            // The decoder took the signer among the trusted custodian keys;
            // its entry must also vouch at this time.
            custodianName = try e.trust.vouch(for: statement.envelope.signer, role: .custodian, file: "custodian statement",
                                              issuedAt: statement.issuedAt, at: e.at).name
        case .selfAttested:
            statementDigest = []
            custodianID = nil
            account = proof.account
            issuedAt = nil
            custodianName = nil
        }
        // What the verifier asks of freshness and audience, before any
        // range proof is decoded; the values checked are bound into every
        // range proof's context below, so they cannot be edited.
        try e.freshness.check(proof.binding, issuedAt: issuedAt, at: e.at)
        try Self.checkCovenants(asked: e.covenants, proven: proof.covenants, statement: scope.compiled)
        var context = ProofContext(bundleDigest: e.bundle.digest, circuitDigest: e.bundle.circuitDigest, curve: e.bundle.curve, account: account,
                                   epoch: e.bundle.epoch, mode: proof.mode, statementDigest: statementDigest, claims: plan.claims)
        context.excluded = proof.excluded
        context.binding = proof.binding
        let commitments = proof.committedInputs.map(\.commitment) + proof.helpers.map(\.commitment)
        if let rho = proof.zeroOpening {
            // Attested with excluded elements (the decoder requires ρ exactly
            // then): their committed inputs must open to zero.
            guard ZeroOpenings.verify(context: context.bytes(allCommitments: commitments), commitments: commitments,
                                      indices: scope.compiled.excludedInputs, rho: rho, generators: .standard(e.bundle.curve)) else {
                throw .proofInvalid("the zero opening does not show the \(proof.excluded.count) excluded elements' committed inputs to be zero: the account holds one of them, or the opening was made for another statement, account, bundle or set")
            }
        }
        let statements = try plan.rangeStatements(curve: e.bundle.curve, commitments: commitments, context: context)
        var items: [(RangeProof, RangeStatement)] = []
        for (k, (entry, statement)) in zip(proof.rangeProofs, statements).enumerated() {
            do {
                items.append((try RangeProof(encoded: entry.proof, for: statement), statement))
            } catch {
                throw .proofInvalid("range proof \(k): \(error)")
            }
        }
        let accepted = AcceptedProof(account: account, attested: proof.mode == .custodian, custodianKeyID: custodianID, custodianName: custodianName,
                                     requirements: plan.requirementClaims, excludedElements: proof.excluded,
                                     covenants: proof.covenants.map(\.text), binding: proof.binding,
                                     statementIssuedAt: issuedAt, statementDigest: statementDigest.isEmpty ? nil : statementDigest,
                                     proofBytes: bytes.count)
        return (items, accepted)
    }
}

extension Verifier {
    /// Refuses a proof that does not prove every covenant the verifier asks
    /// (`--require`, SPEC.md §16.16): for each asked covenant and each
    /// requirement it applies to, some claim of the proof for that
    /// requirement (its `excess >= 0`, or one of its covenants) must imply
    /// it (`Covenant.implies`; a larger multiplier only where the
    /// requirement is known never to be negative).
    static func checkCovenants(asked: [Covenant], proven: [Covenant], statement: CompiledStatement) throws(SolvencyError) {
        guard !asked.isEmpty else { return }
        let names = statement.requirementNames
        for a in asked {
            let targets = a.requirement.map { [$0] } ?? names
            for name in targets {
                guard names.contains(name) else { throw .covenantNotProven("the covenant \(jsonQuoted(a.text)) names no requirement of circuit \(jsonQuoted(statement.circuitName))") }
                let wanted = a.for(name)
                let claims = [Covenant(requirement: name, multiplier: .one, offset: .zero)] + proven.filter { $0.requirement == name }
                let nonNegative = statement.requirementIsNonNegative[name] ?? false
                guard claims.contains(where: { $0.implies(wanted, requirementIsNonNegative: nonNegative) }) else {
                    let shown = claims.map(\.holds).joined(separator: "; ")
                    throw .covenantNotProven("the proof does not show \(jsonQuoted(wanted.text)): for `\(name)` it proves \(shown)")
                }
            }
        }
    }
}

/// How much decoded proof material one batch verification may hold.
public struct BatchLimits: Sendable {
    /// The most points (commitments, proof points, form terms) of the
    /// proofs in one batch; the generator terms are shared and not counted.
    public var maximumPoints: Int
    /// The most proof-file bytes read into one batch.
    public var maximumBytes: Int

    public init(maximumPoints: Int = 1 << 16, maximumBytes: Int = 64 << 20) {
        self.maximumPoints = maximumPoints
        self.maximumBytes = maximumBytes
    }

    func points(of statement: RangeStatement) -> Int {
        statement.commitments.count + statement.forms.reduce(0) { $0 + $1.terms.count } + 2 * statement.rounds + 4
    }
}

/// What a verifier knows a proof must say, from the bundle and its policy
/// alone, so that decoding refuses a proof at the first field that differs,
/// before any costly work.
struct ProofExpectation: Sendable {
    let bundle: RiskBundle
    /// The ids of the inputs a custodian commits (all of them, whatever a
    /// holder later hides among).
    let inputIDs: [String]
    /// The custodian keys a statement may be signed by.
    let custodianKeys: [VerifyingKey]
    let trust: TrustStore
    let allowSelfAttested: Bool
    let freshness: FreshnessPolicy
    let covenants: [Covenant]
    /// The time the proofs are checked at.
    let at: Date
    /// How many elements a holder may hide among (`positionElements`).
    let positionElementCount: Int
    private let full: ProofScope

    init(bundle: RiskBundle, compiled: CompiledStatement, policy: VerificationPolicy) {
        self.bundle = bundle
        inputIDs = compiled.inputs.map(\.id)
        custodianKeys = policy.trust.keys(.custodian)
        trust = policy.trust
        allowSelfAttested = policy.allowSelfAttested
        freshness = policy.freshness
        covenants = policy.covenants
        at = policy.at
        positionElementCount = compiled.positionElements.count
        full = ProofScope(compiled: compiled)
    }

    /// The statement and plans for a proof that shows `excluded` not held
    /// (the whole bundle's when empty) and proves `covenants`, compiled once
    /// per set in a process.
    func scope(excluded: [String], covenants: [Covenant] = []) throws(SolvencyError) -> ProofScope {
        if excluded.isEmpty && covenants.isEmpty { return full }
        return try ProofScopes.shared.scope(bundle: bundle, full: full.compiled, excluded: excluded, covenants: covenants)
    }
}
