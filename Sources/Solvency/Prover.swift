public import Foundation
import Synchronization
public import MarginCircuits
public import ZKGroup
import ZKProofs

/// One requirement's excess (equity − requirement), in the quote currency.
public struct RequirementExcess: Sendable, Equatable {
    public let name: String
    public let excess: Rational
    public var meets: Bool { excess.signum >= 0 }
}

/// The account holder's role: prove that committed inputs meet every
/// requirement of the bundle's circuit.
public enum Prover {
    /// Proves from a custodian's statement and its openings.
    ///
    /// Checks, before anything is proven: the bundle's validity window at
    /// `date` (and its publisher, if `publisherKey` is given); the
    /// statement's signer (if `custodianKey` is given), bundle digest,
    /// epoch, curve and input list; that the openings open every commitment;
    /// and that the account meets every requirement. If it does not, throws
    /// `.marginShortfall` with the binding requirement and the shortfall.
    public static func prove(
        bundle: RiskBundle, statement: AttestedStatement, openings: Openings,
        publisherKey: VerifyingKey? = nil, custodianKey: VerifyingKey? = nil, at date: Date = Date()
    ) throws(SolvencyError) -> MarginProof {
        if let publisherKey { try bundle.checkPublisher(publisherKey) }
        try bundle.checkValidity(at: date)
        let compiled = try bundle.compiled()
        if let custodianKey { try statement.envelope.requireSigner(custodianKey, role: "custodian") }
        try statement.check(against: bundle, compiled: compiled)
        let statement = statement.named(by: compiled)
        let generators = Generators.standard(bundle.curve)
        try openings.check(against: statement, generators: generators)
        let values = openings.entries.map(\.value)
        for (input, v) in zip(compiled.inputs, values) where v < input.lowerBound || v > input.upperBound {
            throw .statementMismatch("the statement commits to a value of \(input.id) outside the circuit's declared bounds; the custodian must refuse such values, and no sound proof can use it")
        }
        var inputOpenings = openings.entries.map(\.opening)
        defer { secureZero(&inputOpenings) }
        return try makeProof(bundle: bundle, compiled: compiled, account: statement.account, inputs: .attested(statement),
                             inputOpenings: inputOpenings, inputValues: values, statementDigest: statement.digest)
    }

    /// Proves from the account itself, committing its own inputs (no
    /// custodian). Verifiers accept such proofs only when asked to, and
    /// report them as UNATTESTED; the proof also shows every input within
    /// its declared bounds (see `ProofPlan.selfAttestedBounds`).
    public static func proveSelfAttested(
        bundle: RiskBundle, account: Account, publisherKey: VerifyingKey? = nil, at date: Date = Date()
    ) throws(SolvencyError) -> MarginProof {
        let (compiled, values) = try bundle.inputValues(for: account, publisherKey: publisherKey, at: date)
        // Refuse before committing to anything.
        _ = try excesses(compiled: compiled, inputValues: values, refuseShortfall: true)
        let generators = Generators.standard(bundle.curve)
        var openings = values.map { Opening.random(value: Scalar($0, curve: bundle.curve)) }
        defer { secureZero(&openings) }
        let committed = zip(compiled.inputs, openings).map { CommittedInput(id: $0.id, commitment: Commitment($1, generators: generators)) }
        return try makeProof(bundle: bundle, compiled: compiled, account: account.label, inputs: .selfAttested(committed),
                             inputOpenings: openings, inputValues: values, statementDigest: [])
    }

    /// Every requirement's excess for input values, binding (smallest) first.
    public static func excesses(compiled: CompiledStatement, inputValues values: [BigInt]) -> [RequirementExcess] {
        let all = values + compiled.helperValues(inputs: values)
        var out: [RequirementExcess] = []
        for c in compiled.constraints where c.isRequirement {
            out.append(RequirementExcess(name: c.name, excess: Rational(c.value(all)) / c.scale))
        }
        let order = out.indices.sorted { out[$0].excess != out[$1].excess ? out[$0].excess < out[$1].excess : $0 < $1 }
        return order.map { out[$0] }
    }

    static func excesses(compiled: CompiledStatement, inputValues values: [BigInt], refuseShortfall: Bool) throws(SolvencyError) -> [RequirementExcess] {
        let report = excesses(compiled: compiled, inputValues: values)
        let failing = report.filter { !$0.meets }
        if refuseShortfall, let binding = failing.first {
            throw .marginShortfall(MarginShortfall(requirement: binding.name, shortfall: -binding.excess, quote: compiled.quote,
                                                   failing: failing.map { ($0.name, -$0.excess) }))
        }
        return report
    }

    static func makeProof(
        bundle: RiskBundle, compiled: CompiledStatement, account: String, inputs: MarginProof.Inputs,
        inputOpenings: [Opening], inputValues: [BigInt], statementDigest: [UInt8]
    ) throws(SolvencyError) -> MarginProof {
        _ = try excesses(compiled: compiled, inputValues: inputValues, refuseShortfall: true)
        let curve = bundle.curve
        let generators = Generators.standard(curve)
        let mode: AttestationMode
        if case .attested = inputs { mode = .custodian } else { mode = .selfAttested }
        let plan = try ProofPlan(statement: compiled, mode: mode)

        let helperValues = compiled.helperValues(inputs: inputValues)
        var helperOpenings = helperValues.map { Opening.random(value: Scalar($0, curve: curve)) }
        defer { secureZero(&helperOpenings) }
        let helpers = zip(compiled.helpers, helperOpenings).map { CommittedInput(id: $0.id, commitment: Commitment($1, generators: generators)) }
        let inputCommitments: [CommittedInput]
        switch inputs {
        case .attested(let s): inputCommitments = s.inputs
        case .selfAttested(let c): inputCommitments = c
        }
        let commitments = inputCommitments.map(\.commitment) + helpers.map(\.commitment)
        // In a mutex so that the concurrent provers can read it and it can
        // still be wiped (in place: the mutex holds its only reference) after.
        let openings = Mutex(inputOpenings + helperOpenings)
        defer { openings.withLock { secureZero(&$0) } }

        let context = ProofContext(bundleDigest: bundle.digest, circuitDigest: bundle.circuitDigest, curve: curve, account: account,
                                   epoch: bundle.epoch, mode: mode, statementDigest: statementDigest, claims: plan.claims)
        let statements = try plan.rangeStatements(curve: curve, commitments: commitments, context: context)
        // The chunks are independent proofs: prove them concurrently.
        let results = Mutex<[Result<RangeProof, RangeProofError>?]>(Array(repeating: nil, count: statements.count))
        let chunks = plan.chunks
        DispatchQueue.concurrentPerform(iterations: statements.count) { k in
            // RAND_priv_bytes, never a seeded source: every blinding of the
            // range proof comes from here.
            var random = SystemRandom()
            var chunkOpenings = openings.withLock { all in chunks[k].commitments.map { all[$0] } }
            defer { secureZero(&chunkOpenings) }
            let result: Result<RangeProof, RangeProofError>
            do throws(RangeProofError) {
                result = .success(try BulletproofsPlus.prove(statements[k], openings: chunkOpenings,
                                                             generators: generators, using: &random))
            } catch {
                result = .failure(error)
            }
            results.withLock { $0[k] = result }
        }
        var entries: [MarginProof.RangeProofEntry] = []
        for (k, result) in results.withLock({ $0 }).enumerated() {
            switch result! {
            case .success(let proof):
                entries.append(MarginProof.RangeProofEntry(bits: chunks[k].bits, forms: chunks[k].constraints.count, proof: proof.encoded()))
            case .failure(.valueOutOfRange(let form)):
                let c = plan.constraints[chunks[k].constraints[form]]
                throw .statementMismatch("constraint `\(c.name)` does not hold for these inputs (outside [0, 2^\(c.bitWidth))); no proof was made")
            case .failure(let error):
                throw .rangeProof(error)
            }
        }
        return MarginProof(bundleDigest: bundle.digest, circuitName: bundle.circuitName, curve: curve, account: account, epoch: bundle.epoch,
                           inputs: inputs, helpers: helpers, claims: plan.claims, rangeProofs: entries)
    }
}
