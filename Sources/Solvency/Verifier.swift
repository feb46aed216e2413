import Foundation
import MarginCircuits
import StrictJSON
import ZKGroup
import ZKProofs

/// What the verifier trusts and when it checks.
public struct VerificationPolicy: Sendable {
    /// The publisher's public key: the bundle must be signed by it.
    public var publisherKey: VerifyingKey
    /// The custodian's public key: attested proofs' statements must be signed
    /// by it. Without it, attested proofs are reported invalid.
    public var custodianKey: VerifyingKey?
    /// The time at which the bundle must be valid.
    public var at: Date
    /// Accept self-attested proofs (reported as UNATTESTED).
    public var allowSelfAttested: Bool

    public init(publisherKey: VerifyingKey, custodianKey: VerifyingKey? = nil, at: Date = Date(), allowSelfAttested: Bool = false) {
        self.publisherKey = publisherKey
        self.custodianKey = custodianKey
        self.at = at
        self.allowSelfAttested = allowSelfAttested
    }
}

/// What a valid proof establishes.
public struct AcceptedProof: Sendable {
    public let account: String
    /// False for self-attested proofs: nobody vouches for their inputs.
    public let attested: Bool
    /// The custodian key id that signed the inputs (nil when self-attested).
    public let custodianKeyID: String?
    /// The requirements shown to hold (each: excess ≥ 0).
    public let requirements: [String]
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
        try bundle.checkPublisher(policy.publisherKey)
        try bundle.checkValidity(at: policy.at)
        return try bundle.compiled()
    }

    /// Verifies proofs (file bytes, each with a name for the report)
    /// against `bundle`. Throws only for bundle-level failures
    /// (`checkBundle`); each proof's own problems are in its verdict.
    ///
    /// All well-formed proofs are verified together in one batch (one
    /// multi-scalar multiplication); only if the batch fails is each proof
    /// verified alone, to name the invalid ones.
    public static func verify(bundle: RiskBundle, proofs: [(name: String, bytes: [UInt8])], policy: VerificationPolicy) throws(SolvencyError) -> VerificationReport {
        let compiled = try checkBundle(bundle, policy: policy)
        let generators = Generators.standard(bundle.curve)
        var plans: [AttestationMode: ProofPlan] = [:]
        func plan(_ mode: AttestationMode) throws(SolvencyError) -> ProofPlan {
            if let p = plans[mode] { return p }
            let p = try ProofPlan(statement: compiled, mode: mode)
            plans[mode] = p
            return p
        }

        var results: [Result<AcceptedProof, SolvencyError>?] = Array(repeating: nil, count: proofs.count)
        var pending: [(index: Int, items: [(RangeProof, RangeStatement)], accepted: AcceptedProof)] = []
        for (i, p) in proofs.enumerated() {
            do {
                let proof = try MarginProof(encoded: p.bytes)
                let (items, accepted) = try prepare(proof, size: p.bytes.count, bundle: bundle, compiled: compiled,
                                                    plan: plan(proof.mode), policy: policy)
                pending.append((i, items, accepted))
            } catch {
                results[i] = .failure(error)
            }
        }

        let all = pending.flatMap(\.items)
        var batchOK = false
        if !all.isEmpty {
            do { try BulletproofsPlus.verifyBatch(all, generators: generators); batchOK = true } catch {}
        }
        for p in pending {
            if batchOK {
                results[p.index] = .success(p.accepted)
                continue
            }
            do {
                try BulletproofsPlus.verifyBatch(p.items, generators: generators)
                results[p.index] = .success(p.accepted)
            } catch {
                results[p.index] = .failure(.proofInvalid("the range proofs do not verify: the proof, its commitments or its statement were altered, or the proof was made for other commitments"))
            }
        }
        let verdicts = proofs.enumerated().map { ProofVerdict(name: $1.name, result: results[$0]!) }
        return VerificationReport(bundle: bundle, at: policy.at, verdicts: verdicts)
    }

    /// Every check except the range-proof equations: binding to the bundle,
    /// attestation, inputs, helpers, claims, the proof plan and strict
    /// decoding of each range proof. Returns the (proof, statement) pairs to
    /// verify, with statements rebuilt from the bundle alone.
    static func prepare(
        _ proof: MarginProof, size: Int, bundle: RiskBundle, compiled: CompiledStatement, plan: ProofPlan, policy: VerificationPolicy
    ) throws(SolvencyError) -> ([(RangeProof, RangeStatement)], AcceptedProof) {
        guard proof.bundleDigest == bundle.digest else {
            throw .proofForAnotherBundle(proof: proof.bundleDigest.hexString, bundle: bundle.digestHex)
        }
        guard proof.curve == bundle.curve else { throw .proofMismatch("the proof is on \(proof.curve), the bundle uses \(bundle.curve)") }
        guard proof.circuitName == bundle.circuitName else {
            throw .proofMismatch("the proof names circuit \(jsonQuoted(proof.circuitName)), the bundle's is \(jsonQuoted(bundle.circuitName))")
        }
        guard proof.epoch == bundle.epoch else { throw .proofMismatch("the proof is for epoch \(proof.epoch), the bundle's epoch is \(bundle.epoch)") }

        let statementDigest: [UInt8]
        let custodianID: String?
        switch proof.inputs {
        case .attested(let statement):
            guard let key = policy.custodianKey else { throw .custodianKeyRequired(statement.custodianKeyID) }
            try statement.envelope.requireSigner(key, role: "custodian")
            try statement.check(against: bundle, compiled: compiled)
            guard statement.account == proof.account else {
                throw .statementMismatch("the statement is for account \(jsonQuoted(statement.account)), the proof claims account \(jsonQuoted(proof.account))")
            }
            statementDigest = statement.digest
            custodianID = statement.custodianKeyID
        case .selfAttested(let inputs):
            guard policy.allowSelfAttested else { throw .selfAttestedNotAllowed }
            let expected = compiled.inputs.map(\.id)
            guard inputs.map(\.id) == expected else {
                throw .proofMismatch("the proof's inputs " + describeDifference(expected: expected, found: inputs.map(\.id)))
            }
            statementDigest = []
            custodianID = nil
        }
        let helperIDs = compiled.helpers.map(\.id)
        guard proof.helpers.map(\.id) == helperIDs else {
            throw .proofMismatch("the proof's helper commitments " + describeDifference(expected: helperIDs, found: proof.helpers.map(\.id)))
        }
        guard proof.claims == plan.claims else {
            throw .proofMismatch("the proof claims requirements [\(proof.claims.joined(separator: ", "))], the circuit has [\(plan.claims.joined(separator: ", "))]")
        }
        guard proof.rangeProofs.count == plan.chunks.count else {
            throw .proofMismatch("the proof has \(proof.rangeProofs.count) range proofs, the circuit needs \(plan.chunks.count)")
        }
        for (k, (entry, chunk)) in zip(proof.rangeProofs, plan.chunks).enumerated() where entry.bits != chunk.bits || entry.forms != chunk.constraints.count {
            throw .proofMismatch("range proof \(k) is for n = \(entry.bits), m = \(entry.forms); the circuit needs n = \(chunk.bits), m = \(chunk.constraints.count)")
        }

        let context = ProofContext(bundleDigest: bundle.digest, circuitDigest: bundle.circuitDigest, curve: bundle.curve, account: proof.account,
                                   epoch: bundle.epoch, mode: proof.mode, statementDigest: statementDigest, claims: plan.claims)
        let commitments = proof.committedInputs.map(\.commitment) + proof.helpers.map(\.commitment)
        let statements = try plan.rangeStatements(curve: bundle.curve, commitments: commitments, context: context)
        var items: [(RangeProof, RangeStatement)] = []
        for (k, (entry, statement)) in zip(proof.rangeProofs, statements).enumerated() {
            do {
                items.append((try RangeProof(encoded: entry.proof, for: statement), statement))
            } catch {
                throw .proofInvalid("range proof \(k): \(error)")
            }
        }
        let accepted = AcceptedProof(account: proof.account, attested: proof.mode == .custodian, custodianKeyID: custodianID,
                                     requirements: plan.claims, proofBytes: size)
        return (items, accepted)
    }
}
