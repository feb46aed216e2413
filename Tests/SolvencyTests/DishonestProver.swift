import Foundation
import MarginCircuits
import XCTest
import ZKGroup
import ZKProofs
@testable import Solvency

/// A prover that runs its own code: it commits to whatever helper values
/// (and, self-attested, input values) it likes, and proves the chunks of
/// whatever plan it likes with the project's own Bulletproofs+ prover. It
/// skips every check the honest `Prover` makes; the only thing it cannot
/// skip is Bulletproofs+ itself, which refuses to prove a form whose value
/// mod n is outside [0, 2ⁿ).
///
/// Tests use it to show that what such a prover can produce is refused by
/// the verifier's own plan, or cannot be produced at all.
enum DishonestProver {
    /// Commitments and range proofs for `plan` over the given values, bound
    /// to the context the verifier rebuilds for `account`. `inputOpenings`
    /// open the inputs the proof commits (`plan.committedInputs`); with a
    /// `compiled` statement that excludes elements (`hidingAmong`), an
    /// attested proof also gets the zero opening the honest formula gives
    /// for those openings, whatever their values.
    static func proof(
        bundle: RiskBundle, plan: ProofPlan, account: String, inputs: MarginProof.Inputs,
        inputOpenings: [Opening], helperValues: [BigInt], statementDigest: [UInt8], compiled scoped: CompiledStatement? = nil
    ) throws -> MarginProof {
        let curve = bundle.curve
        let generators = Generators.standard(curve)
        let compiled = try scoped ?? bundle.compiled()
        precondition(helperValues.count == compiled.helpers.count, "one value per helper")
        let helperOpenings = helperValues.map { Opening.random(value: Scalar($0, curve: curve)) }
        let helpers = zip(compiled.helpers, helperOpenings).map { CommittedInput(id: $0.id, commitment: Commitment($1, generators: generators)) }
        let inputCommitments: [CommittedInput]
        switch inputs {
        case .attested(let s): inputCommitments = s.inputs
        case .selfAttested(let c): inputCommitments = c
        }
        let commitments = inputCommitments.map(\.commitment) + helpers.map(\.commitment)
        let openings = inputOpenings + helperOpenings
        let mode: AttestationMode
        if case .attested = inputs { mode = .custodian } else { mode = .selfAttested }
        var context = ProofContext(bundleDigest: bundle.digest, circuitDigest: bundle.circuitDigest, curve: curve, account: account,
                                   epoch: bundle.epoch, mode: mode, statementDigest: statementDigest, claims: plan.claims)
        context.excluded = compiled.excludedElements
        var zeroOpening: Scalar? = nil
        if mode == .custodian && !compiled.excludedElements.isEmpty {
            zeroOpening = ZeroOpenings.prove(context: context.bytes(allCommitments: commitments), commitments: commitments,
                                             indices: compiled.excludedInputs, openings: compiled.excludedInputs.map { inputOpenings[$0] })
        }
        let statements = try plan.rangeStatements(curve: curve, commitments: commitments, context: context)
        var entries: [MarginProof.RangeProofEntry] = []
        var random = SystemRandom()
        for (k, statement) in statements.enumerated() {
            let chunkOpenings = plan.chunks[k].commitments.map { openings[plan.commitmentPosition($0)] }
            let proof = try BulletproofsPlus.prove(statement, openings: chunkOpenings, generators: generators, using: &random)
            entries.append(MarginProof.RangeProofEntry(bits: plan.chunks[k].bits, forms: plan.chunks[k].constraints.count, proof: proof.encoded()))
        }
        return MarginProof(bundleDigest: bundle.digest, circuitName: bundle.circuitName, curve: curve, account: account, epoch: bundle.epoch,
                           excluded: compiled.excludedElements, inputs: inputs, helpers: helpers, zeroOpening: zeroOpening,
                           claims: plan.claims, rangeProofs: entries)
    }

    /// Verifies the range proofs of a custodian-attested `proof` against
    /// `plan` (what a verifier that used `plan` would check of them).
    static func verifyRangeProofs(_ proof: MarginProof, plan: ProofPlan, bundle: RiskBundle, statement: AttestedStatement) throws {
        let context = ProofContext(bundleDigest: bundle.digest, circuitDigest: bundle.circuitDigest, curve: bundle.curve, account: proof.account,
                                   epoch: bundle.epoch, mode: .custodian, statementDigest: statement.digest, claims: plan.claims)
        let commitments = statement.inputs.map(\.commitment) + proof.helpers.map(\.commitment)
        let statements = try plan.rangeStatements(curve: bundle.curve, commitments: commitments, context: context)
        let items = try zip(proof.rangeProofs, statements).map { (try RangeProof(encoded: $0.proof, for: $1), $1) }
        try BulletproofsPlus.verifyBatch(items, generators: .standard(bundle.curve))
    }

    /// The plan a planner that proved constraints wider than analysed
    /// would make: every constraint in 128-bit proofs of at most 64 forms,
    /// each form proven at width 128. (The planner did
    /// this when it was cheaper, which is finding F1.)
    static func widenedPlan(_ plan: ProofPlan) -> ProofPlan {
        var chunks: [ProofPlan.Chunk] = []
        let all = Array(plan.constraints.indices)
        for start in stride(from: 0, to: all.count, by: ProofPlan.maximumFormsPerProof) {
            let slice = Array(all[start..<min(all.count, start + ProofPlan.maximumFormsPerProof)])
            let used = Set(slice.flatMap { plan.constraints[$0].terms.map(\.index) }).sorted()
            chunks.append(ProofPlan.Chunk(bits: 128, constraints: slice, commitments: used, widths: slice.map { _ in 128 }))
        }
        return ProofPlan(mode: plan.mode, inputCount: plan.inputCount, helperCount: plan.helperCount,
                         constraints: plan.constraints, claims: plan.claims, chunks: chunks)
    }

    /// The group order n of `curve`, as an integer.
    static func order(_ curve: Curve) -> BigInt { BigInt(magnitudeBigEndianBytes: curve.orderBytes) }

    /// x mod n in [0, n).
    static func reduce(_ x: BigInt, _ n: BigInt) -> BigInt {
        let r = x.quotientAndRemainder(dividingBy: n).remainder
        return r.isNegative ? r + n : r
    }

    /// Finding F1 as an algorithm: helper values that make some requirement
    /// wrap around the group order into [0, 2^128) while every constraint
    /// stays in [0, 2^128) mod n. Each helper t that a requirement F uses
    /// with a coefficient −c (c > 0) is tried: with E = F + c·t, any
    /// t = ⌊(E + k·n)/c⌋ leaves F ≡ E + k·n − c·t ∈ [0, c), which is below
    /// 2^128 for some k when c is not much larger than 2^128.
    ///
    /// Returns all values (inputs ++ helpers) and the requirement it forges,
    /// or nil when no such helper value exists for these inputs.
    static func wrapAroundValues(_ compiled: CompiledStatement, inputValues: [BigInt], curve: Curve, maxK: Int = 64) -> (values: [BigInt], requirement: String)? {
        let n = order(curve)
        let limit = BigInt.powerOfTwo(128)
        let honest = inputValues + compiled.helperValues(inputs: inputValues)
        for (h, _) in compiled.helpers.enumerated() {
            let index = compiled.inputs.count + h
            for f in compiled.constraints where f.isRequirement {
                guard let term = f.terms.first(where: { $0.index == index }), term.coefficient.isNegative else { continue }
                let c = term.coefficient.magnitude
                let e = f.value(honest) + c * honest[index]
                for k in 1...maxK {
                    let t = BigInt.floorDivide(e + BigInt(k) * n, c)
                    guard !t.isNegative, t < limit else { continue }
                    var values = honest
                    values[index] = t
                    let fits = compiled.constraints.allSatisfy { reduce($0.value(values), n) < limit }
                    if fits { return (values, f.name) }
                }
            }
        }
        return nil
    }
}
