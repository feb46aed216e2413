public import Foundation
import StrictJSON
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
    ///
    /// `hidingAmong`: the anonymity set, position elements the proof hides
    /// which of are held (`AnonymitySet`); nil hides among all of them. The
    /// account must hold nothing outside it.
    public static func prove(
        bundle: RiskBundle, statement: AttestedStatement, openings: Openings,
        publisherKey: VerifyingKey? = nil, custodianKey: VerifyingKey? = nil, at date: Date = Date(),
        hidingAmong kept: AnonymitySet? = nil, binding: ProofBinding = ProofBinding(), covenants: [Covenant] = []
    ) throws(SolvencyError) -> MarginProof {
        let binding = try binding.checked()
        // An unsealed statement (zkmargin attest --custodian-key) is
        // authenticated by nothing yet: no verifier would accept the proof.
        if statement.isUnsealed {
            throw .statementUnsealed("the statement for account \(jsonQuoted(statement.account)) is unsealed: the custodian must seal the epoch (zkmargin seal) before it can be proved")
        }
        if let publisherKey { try bundle.checkPublisher(publisherKey) }
        try bundle.checkValidity(at: date)
        let base = try bundle.compiled()
        if let custodianKey { try statement.envelope.requireSigner(custodianKey, role: "custodian") }
        try statement.check(against: bundle, compiled: base)
        let statement = statement.named(by: base)
        let compiled = try Self.withCovenants(base, covenants)
        let generators = Generators.standard(bundle.curve)
        try openings.check(against: statement, generators: generators)
        let values = openings.entries.map(\.value)
        for (input, v) in zip(compiled.inputs, values) where v < input.lowerBound || v > input.upperBound {
            throw .statementMismatch("the statement commits to a value of \(input.id) outside the circuit's declared bounds; the custodian must refuse such values, and no sound proof can use it")
        }
        // The shortfall is reported from the whole statement, before the
        // anonymity set is looked at.
        _ = try excesses(compiled: compiled, inputValues: values, refuseShortfall: true)
        let scoped = try scope(compiled, kept, inputValues: values)
        var inputOpenings = openings.entries.map(\.opening)
        defer { secureZero(&inputOpenings) }
        return try makeProof(bundle: bundle, compiled: scoped, account: statement.account, inputs: .attested(statement),
                             inputOpenings: inputOpenings, inputValues: values, statementDigest: statement.digest, binding: binding)
    }

    /// Proves from the account itself, committing its own inputs (no
    /// custodian). Verifiers accept such proofs only when asked to, and
    /// report them as UNATTESTED; the proof also shows every input within
    /// its declared bounds (see `ProofPlan.selfAttestedBounds`).
    public static func proveSelfAttested(
        bundle: RiskBundle, account: Account, publisherKey: VerifyingKey? = nil, at date: Date = Date(),
        hidingAmong kept: AnonymitySet? = nil, binding: ProofBinding = ProofBinding(), covenants: [Covenant] = []
    ) throws(SolvencyError) -> MarginProof {
        let binding = try binding.checked()
        let (base, values) = try bundle.inputValues(for: account, publisherKey: publisherKey, at: date)
        let compiled = try Self.withCovenants(base, covenants)
        // Refuse before committing to anything.
        _ = try excesses(compiled: compiled, inputValues: values, refuseShortfall: true)
        let scoped = try scope(compiled, kept, inputValues: values)
        let generators = Generators.standard(bundle.curve)
        // Openings for every input (makeProof indexes them by input); only
        // the inputs not excluded are committed and proven.
        var openings = values.map { Opening.random(value: secretScalar($0, curve: bundle.curve)) }
        defer { secureZero(&openings) }
        let excluded = Set(scoped.excludedInputs)
        let committed = compiled.inputs.indices.filter { !excluded.contains($0) }.map {
            CommittedInput(id: compiled.inputs[$0].id, commitment: Commitment(openings[$0], generators: generators))
        }
        return try makeProof(bundle: bundle, compiled: scoped, account: account.label, inputs: .selfAttested(committed),
                             inputOpenings: openings, inputValues: values, statementDigest: [], binding: binding)
    }

    /// `compiled` with the covenants (SPEC.md §16.16) a counterparty asked
    /// for; one naming no requirement of the circuit is a usage error.
    static func withCovenants(_ compiled: CompiledStatement, _ covenants: [Covenant]) throws(SolvencyError) -> CompiledStatement {
        do { return try compiled.withCovenants(covenants) } catch {
            throw .invalidArgument("--require: \(error)")
        }
    }

    /// The statement for the anonymity set `kept` (the whole one for nil),
    /// refusing an account that holds something outside it: naming the
    /// elements to add, never a value.
    static func scope(_ compiled: CompiledStatement, _ kept: AnonymitySet?, inputValues values: [BigInt]) throws(SolvencyError) -> CompiledStatement {
        guard let kept else { return compiled }
        let scoped: CompiledStatement
        do { scoped = try compiled.hidingAmong(kept.elements) } catch { throw .circuit(error) }
        var held: [String] = []
        var seen: Set<String> = []
        for j in scoped.excludedInputs where !values[j].isZero {
            if let id = compiled.element(ofInput: j), seen.insert(id).inserted { held.append(id) }
        }
        guard held.isEmpty else {
            let shown = held.prefix(5).map(displaySafe).joined(separator: ", ") + (held.count > 5 ? ", … (\(held.count) in all)" : "")
            throw .invalidArgument("the account holds \(shown), outside the anonymity set: a proof cannot show it holds nothing there; add \(held.count == 1 ? "it" : "them") with --hide-among")
        }
        return scoped
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
        inputOpenings: [Opening], inputValues: [BigInt], statementDigest: [UInt8], binding: ProofBinding
    ) throws(SolvencyError) -> MarginProof {
        _ = try excesses(compiled: compiled, inputValues: inputValues, refuseShortfall: true)
        let curve = bundle.curve
        let generators = Generators.standard(curve)
        let mode: AttestationMode
        if case .attested = inputs { mode = .custodian } else { mode = .selfAttested }
        let plan = try ProofPlan(statement: compiled, mode: mode)
        let excluded = compiled.excludedInputs

        let helperValues = compiled.helperValues(inputs: inputValues)
        var helperOpenings = helperValues.map { Opening.random(value: secretScalar($0, curve: curve)) }
        defer { secureZero(&helperOpenings) }
        let helpers = zip(compiled.helpers, helperOpenings).map { CommittedInput(id: $0.id, commitment: Commitment($1, generators: generators)) }
        let inputCommitments: [CommittedInput]
        switch inputs {
        case .attested(let s): inputCommitments = s.inputs
        case .selfAttested(let c): inputCommitments = c
        }
        precondition(inputCommitments.count == plan.committedInputs.count, "one commitment per committed input")
        let commitments = inputCommitments.map(\.commitment) + helpers.map(\.commitment)
        // The openings of the commitments, in their order. In a mutex so that
        // the concurrent provers can read it and it can still be wiped (in
        // place: the mutex holds its only reference) after.
        let openings = Mutex(plan.committedInputs.map { inputOpenings[$0] } + helperOpenings)
        defer { openings.withLock { secureZero(&$0) } }

        var context = ProofContext(bundleDigest: bundle.digest, circuitDigest: bundle.circuitDigest, curve: curve, account: account,
                                   epoch: bundle.epoch, mode: mode, statementDigest: statementDigest, claims: plan.claims)
        context.excluded = compiled.excludedElements
        context.binding = binding
        // Attested: the excluded inputs are committed (the custodian commits
        // every input) and shown to open to zero.
        var zeroOpening: Scalar? = nil
        if mode == .custodian && !compiled.excludedElements.isEmpty {
            var excludedOpenings = excluded.map { inputOpenings[$0] }
            defer { secureZero(&excludedOpenings) }
            zeroOpening = ZeroOpenings.prove(context: context.bytes(allCommitments: commitments), commitments: commitments,
                                             indices: excluded, openings: excludedOpenings)
        }
        let statements = try plan.rangeStatements(curve: curve, commitments: commitments, context: context)
        // The chunks are independent proofs: prove them concurrently.
        let results = Mutex<[Result<RangeProof, RangeProofError>?]>(Array(repeating: nil, count: statements.count))
        let chunks = plan.chunks
        DispatchQueue.concurrentPerform(iterations: statements.count) { k in
            // RAND_priv_bytes, never a seeded source: every blinding of the
            // range proof comes from here.
            var random = SystemRandom()
            var chunkOpenings = openings.withLock { all in chunks[k].commitments.map { all[plan.commitmentPosition($0)] } }
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
                           excluded: compiled.excludedElements, binding: binding, covenants: compiled.covenants, inputs: inputs, helpers: helpers, zeroOpening: zeroOpening,
                           claims: plan.requirementClaims, rangeProofs: entries)
    }
}

/// A value the prover commits to, as a scalar that is secret from here on
/// for the constant-time check (before, it was computed on GMP: SECURITY.md,
/// "Constant time", D8).
func secretScalar(_ value: BigInt, curve: Curve) -> Scalar {
    var scalar = Scalar(value, curve: curve)
    ConstantTimeCheck.markSecretWhenChecking(&scalar)
    return scalar
}
