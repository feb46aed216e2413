import MarginCircuits
import ZKGroup
import ZKProofs

/// Who vouches for a proof's committed inputs.
public enum AttestationMode: String, Sendable {
    /// A custodian signed the input commitments (a `zkmargin/statement@2`).
    case custodian
    /// The prover committed its own inputs; nobody vouches for them.
    case selfAttested = "self"
}

/// One range constraint "Σ coefficient·x[index] + constant ∈ [0, 2^bitWidth)"
/// over inputs ++ helpers, as proven.
struct PlannedConstraint: Sendable {
    let name: String
    let isRequirement: Bool
    let terms: [AffineTerm]
    let constant: BigInt
    let bitWidth: Int
}

/// How a compiled statement is split into Bulletproofs+ range proofs.
///
/// The prover and the verifier both derive the plan from the bundle alone
/// (and the attestation mode): nothing of it is read from a proof file.
///
/// * Constraints: the compiled circuit's (helper constraints, then the
///   requirements) and, for self-attested proofs, two per input bounding it
///   to its declared [lower, upper] (see `selfAttestedBounds`).
/// * Chunks: each constraint is proven at exactly its analysed width w
///   (any bit count 1…250): a range proof of size n (8, 16, …, 256) weights
///   each form's bits at and above its own width by 0 (`RangeStatement.widths`).
///   Constraints are grouped by the smallest n ≥ w, and each group is cut
///   into proofs of at most 64 forms (`split`), minimising Σ n·m' plus a
///   per-proof overhead, m' = m padded to a power of two.
/// * Each chunk's statement lists only the commitments its forms use (in
///   global order); the transcript context binds the digest of all of them.
struct ProofPlan: Sendable {
    static let maximumFormsPerProof = 64
    /// Per-proof overhead in the chunking cost, in bits of n·m'.
    static let perProofCost = 256

    struct Chunk: Sendable {
        /// n, the size of this proof: a power of two at least every width.
        let bits: Int
        /// Indices into `constraints`, in proof order.
        let constraints: [Int]
        /// Global commitment indices (inputs ++ helpers) the forms use, sorted.
        let commitments: [Int]
        /// The width each form is proven at, in proof order: the constraint's
        /// analysed width (`PlannedConstraint.bitWidth`).
        let widths: [Int]
    }

    /// The proof sizes n a chunk may have, and the widest width (see
    /// `CompiledStatement.maximumBitWidth`).
    static let proofSizes = [8, 16, 32, 64, 128, 256]
    static let maximumWidth = CompiledStatement.maximumBitWidth

    /// The smallest proof size n ≥ w.
    static func proofSize(forWidth w: Int) -> Int { proofSizes.first { w <= $0 }! }

    let mode: AttestationMode
    let inputCount: Int
    let helperCount: Int
    /// The inputs (indices into the compiled inputs, ascending) whose
    /// commitments the proof carries: all of them when a custodian commits,
    /// all but the excluded ones (`CompiledStatement.excludedInputs`) when
    /// the prover commits its own.
    let committedInputs: [Int]
    let constraints: [PlannedConstraint]
    let chunks: [Chunk]
    /// The names of the requirement constraints, in order: each
    /// requirement's name, then each covenant's `requirement: holds`
    /// (SPEC.md §16.16). What the context binds.
    let claims: [String]
    /// The requirements' names alone: the proof file's `claims`.
    var requirementClaims: [String] { Array(claims.prefix(claims.count - covenantCount)) }
    /// How many of `claims` are covenants (the last ones).
    var covenantCount = 0

    /// Commitments the range statements are made over: the committed inputs,
    /// then the helpers.
    var commitmentCount: Int { committedInputs.count + helperCount }

    /// Where a form's variable (an input or helper index) is in the list of
    /// commitments (`commitmentCount` long).
    func commitmentPosition(_ variable: Int) -> Int {
        if variable >= inputCount { return committedInputs.count + variable - inputCount }
        if committedInputs.count == inputCount { return variable }
        // Binary search: the number of committed inputs below `variable`.
        var lo = 0, hi = committedInputs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if committedInputs[mid] < variable { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    init(statement: CompiledStatement, mode: AttestationMode) throws(SolvencyError) {
        var cs = statement.constraints.map {
            PlannedConstraint(name: $0.name, isRequirement: $0.isRequirement, terms: $0.terms, constant: $0.constant, bitWidth: $0.bitWidth)
        }
        let excluded = Set(statement.excludedInputs)
        let committed = mode == .selfAttested ? statement.inputs.indices.filter { !excluded.contains($0) } : Array(statement.inputs.indices)
        if mode == .selfAttested { cs += try Self.selfAttestedBounds(statement.inputs, only: committed) }
        for c in cs where !(1...Self.maximumWidth).contains(c.bitWidth) {
            throw .statementMismatch("constraint `\(c.name)` has width \(c.bitWidth) bits; range proofs show widths of 1 to \(Self.maximumWidth) bits")
        }
        guard !cs.isEmpty else { throw .statementMismatch("the circuit compiles to no constraint: there is nothing to prove") }
        let chunks = Self.chunk(cs)
        // Where the planner meets the compiler: a constraint proven at
        // another width than analysed voids the no-wrap-around argument
        // (see `chunk`), and every constraint is proven exactly once.
        precondition(chunks.allSatisfy { chunk in
            chunk.widths == chunk.constraints.map { cs[$0].bitWidth } && chunk.widths.allSatisfy { $0 <= chunk.bits }
        }, "a range proof proves a constraint at another width than analysed")
        precondition(chunks.flatMap(\.constraints).sorted() == Array(cs.indices), "every constraint in exactly one range proof")
        self.init(mode: mode, inputCount: statement.inputs.count, helperCount: statement.helpers.count, committedInputs: committed,
                  constraints: cs, claims: statement.constraints.filter(\.isRequirement).map(\.name), chunks: chunks)
        covenantCount = statement.claims.count - statement.requirementNames.count
    }

    /// A plan with the chunks given (tests build deliberately wrong plans
    /// with it, to show what the verifier's own plan refuses).
    init(mode: AttestationMode, inputCount: Int, helperCount: Int, committedInputs: [Int]? = nil, constraints: [PlannedConstraint],
         claims: [String], chunks: [Chunk]) {
        self.mode = mode
        self.inputCount = inputCount
        self.helperCount = helperCount
        self.committedInputs = committedInputs ?? Array(0..<inputCount)
        self.constraints = constraints
        self.claims = claims
        self.chunks = chunks
    }

    /// For self-attested proofs: x − lower ∈ [0, 2^w) and upper − x ∈
    /// [0, 2^w), w the smallest width with upper − lower < 2^w (at most 250).
    ///
    /// Why both: with a ≡ x − lower and b ≡ upper − x (mod n), a, b ∈ [0, 2^w),
    /// a + b ≡ upper − lower, and a + b < 2^(w+1) ≪ n, so a + b = upper −
    /// lower over the integers and x = lower + a ∈ [lower, upper]. That is
    /// the bound the compiler's no-wrap-around analysis assumed, which a
    /// custodian would otherwise have vouched for.
    ///
    /// Both are emitted always, also when upper − lower = 2^w − 1 and the
    /// lower one alone would suffice at width w: the guarantee must not
    /// depend on the width a proof happens to use (finding F2 of the
    /// soundness review: the lone lower bound, proven inside a wider proof,
    /// let values above the upper bound verify).
    static func selfAttestedBounds(_ inputs: [CompiledInput], only committed: [Int]? = nil) throws(SolvencyError) -> [PlannedConstraint] {
        var out: [PlannedConstraint] = []
        for j in committed ?? Array(inputs.indices) {
            let input = inputs[j]
            // w: the smallest width with upper − lower < 2^w, at most 250, so
            // that a + b < 2^(w+1) ≤ 2^251 stays far below the group order.
            let span = input.upperBound - input.lowerBound
            let w = Swift.max(1, span.bitWidth)
            guard w <= Self.maximumWidth else {
                throw .statementMismatch("input \(input.id) has a declared range wider than 2^\(Self.maximumWidth); a self-attested proof cannot bound it (use a custodian statement)")
            }
            out.append(PlannedConstraint(name: "\(input.id) >= \(input.lowerBound) (declared lower bound)", isRequirement: false,
                                         terms: [AffineTerm(index: j, coefficient: .one)], constant: -input.lowerBound, bitWidth: w))
            out.append(PlannedConstraint(name: "\(input.id) <= \(input.upperBound) (declared upper bound)", isRequirement: false,
                                         terms: [AffineTerm(index: j, coefficient: -1)], constant: input.upperBound, bitWidth: w))
        }
        return out
    }

    static func padded(_ m: Int) -> Int {
        var p = 1
        while p < m { p <<= 1 }
        return p
    }

    /// How `count` forms of width `bits` are cut into proofs: full proofs of
    /// 64 forms, and the rest split into the proof sizes that minimise
    /// Σ n·m' + per-proof overhead (20 forms: 16 + 4 rather than 32 padded).
    static func split(count: Int, bits: Int) -> [Int] {
        var parts = [Int](repeating: maximumFormsPerProof, count: count / maximumFormsPerProof)
        let rest = count % maximumFormsPerProof
        guard rest > 0 else { return parts }
        // best[r]: the cheapest split of r forms (r < 64), by dynamic programming.
        var best: [(cost: Int, parts: [Int])] = [(0, [])]
        for r in 1...rest {
            var choice = (cost: bits * padded(r) + perProofCost, parts: [r])
            var first = 1
            while first < r {
                let c = bits * first + perProofCost + best[r - first].cost
                if c < choice.cost { choice = (c, [first] + best[r - first].parts) }
                first <<= 1
            }
            best.append(choice)
        }
        parts += best[rest].parts.sorted(by: >)
        return parts
    }

    /// Σ n·m' + overhead over the proofs a group of `count` forms at width `bits` needs.
    static func cost(bits: Int, count: Int) -> Int {
        split(count: count, bits: bits).reduce(0) { $0 + bits * padded($1) + perProofCost }
    }

    /// Groups the constraints by proof size (the smallest n of 8…256 at
    /// least their width), widths in increasing order and constraints in
    /// their order within a group, and cuts each group into proofs.
    ///
    /// **Every constraint is proven at exactly its analysed width.** The
    /// compiler's no-wrap-around argument (`Compiler.swift`) bounds each
    /// helper t from its first constraint, t − B₀ ∈ [0, 2^w₀), with w₀ the
    /// width it analysed, and bounds every later form from that. Had a form
    /// been proven in [0, 2ⁿ) for n > w₀, a prover could commit t near 2ⁿ,
    /// outside everything the analysis assumed, and a form with a large
    /// coefficient on t could wrap around the group order into the accepted
    /// range (finding F1 of the soundness review: an insolvent account
    /// verified with a 128-bit proof of 64-bit helper constraints). Likewise
    /// a self-attested input's bound constraint (finding F2). So each form of
    /// a proof of size n carries its own width (`Chunk.widths`), and the
    /// range proof weights its bits at and above that width by 0: the proof
    /// shows exactly form ∈ [0, 2^w). `init` asserts it.
    static func chunk(_ cs: [PlannedConstraint]) -> [Chunk] {
        var chunks: [Chunk] = []
        for size in Set(cs.map { proofSize(forWidth: $0.bitWidth) }).sorted() {
            let members = cs.indices.filter { proofSize(forWidth: cs[$0].bitWidth) == size }
            var start = 0
            for count in split(count: members.count, bits: size) {
                let slice = Array(members[start..<start + count])
                let used = Set(slice.flatMap { cs[$0].terms.map(\.index) }).sorted()
                chunks.append(Chunk(bits: size, constraints: slice, commitments: used, widths: slice.map { cs[$0].bitWidth }))
                start += count
            }
        }
        return chunks
    }

    /// The Bulletproofs+ statements, one per chunk, over `commitments`
    /// (the committed inputs, then the helpers, in order).
    func rangeStatements(curve: Curve, commitments: [Commitment], context: ProofContext) throws(SolvencyError) -> [RangeStatement] {
        precondition(commitments.count == commitmentCount, "one commitment per committed input and helper")
        let base = context.bytes(allCommitments: commitments)
        var scalarCache: [BigInt: Scalar] = [:]
        func scalar(_ b: BigInt) -> Scalar {
            if let s = scalarCache[b] { return s }
            let s = Scalar(b, curve: curve)
            scalarCache[b] = s
            return s
        }
        var out: [RangeStatement] = []
        for (k, chunk) in chunks.enumerated() {
            var local: [Int: Int] = [:]
            for (i, g) in chunk.commitments.enumerated() { local[g] = i }
            let forms = chunk.constraints.map { ci -> ZKProofs.AffineForm in
                let c = constraints[ci]
                return ZKProofs.AffineForm(curve: curve, terms: c.terms.map { (local[$0.index]!, scalar($0.coefficient)) }, constant: scalar(c.constant))
            }
            var ctx = base
            ctx += lengthPrefixed(Array("chunk".utf8)) + lengthPrefixed(u64be(k))
            ctx += lengthPrefixed(Array("chunks".utf8)) + lengthPrefixed(u64be(chunks.count))
            ctx += lengthPrefixed(Array("chunk-commitments".utf8)) + lengthPrefixed(chunk.commitments.flatMap(u64be))
            do {
                out.append(try RangeStatement(curve: curve, bits: chunk.bits, widths: chunk.widths,
                                              commitments: chunk.commitments.map { commitments[commitmentPosition($0)] }, forms: forms, context: ctx))
            } catch {
                throw .rangeProof(error)
            }
        }
        return out
    }
}

/// What every range proof of a margin proof binds besides its own forms and
/// commitments: the protocol version, the bundle's digest,
/// the circuit's digest, the curve, the account label, the epoch, the
/// attestation mode, the custodian statement's digest, the requirement names
/// claimed, the elements shown not to be held (an anonymity set's
/// complement, `CompiledStatement.hidingAmong`), and the digest of every
/// commitment (inputs and helpers).
///
///     context = lp("zkmargin/solvency/v1")
///             ‖ Σ lp(label) ‖ lp(value)   for the fields above, in that order
///               (excluded, challenge and audience only when present)
///             ‖ lp("chunk") ‖ lp(u64be(k)) ‖ lp("chunks") ‖ lp(u64be(K))
///             ‖ lp("chunk-commitments") ‖ lp(u64be(j₀) ‖ u64be(j₁) ‖ …)
struct ProofContext: Sendable {
    static let protocolVersion = "zkmargin/solvency/v1"

    let bundleDigest: [UInt8]
    let circuitDigest: [UInt8]
    let curve: Curve
    let account: String
    let epoch: String
    let mode: AttestationMode
    /// The custodian statement's payload digest; empty when self-attested.
    let statementDigest: [UInt8]
    let claims: [String]
    /// The elements shown not to be held, in the values' order; empty when
    /// the holder hides among every instrument.
    var excluded: [String] = []
    /// The verifier's challenge and audience, when the proof was made for them.
    var binding = ProofBinding()

    func bytes(allCommitments: [Commitment]) -> [UInt8] {
        var h = SHA256()
        for c in allCommitments { h.update((try? c.encoded()) ?? [0]) }
        let commitmentsDigest = h.finalize()
        var out = lengthPrefixed(Array(Self.protocolVersion.utf8))
        func field(_ label: String, _ value: [UInt8]) {
            out += lengthPrefixed(Array(label.utf8))
            out += lengthPrefixed(value)
        }
        field("bundle", bundleDigest)
        field("circuit", circuitDigest)
        field("curve", Array(curve.rawValue.utf8))
        field("account", Array(account.utf8))
        field("epoch", Array(epoch.utf8))
        field("attestation", Array(mode.rawValue.utf8))
        field("statement", statementDigest)
        field("claims", claims.flatMap { lengthPrefixed(Array($0.utf8)) })
        // Only when elements are excluded: proofs that hide among every
        // element keep the context they always had.
        if !excluded.isEmpty { field("excluded", excluded.flatMap { lengthPrefixed(Array($0.utf8)) }) }
        // Likewise only when given (SPEC.md §16.6).
        if let c = binding.challenge { field("challenge", Array(c.utf8)) }
        if let a = binding.audience { field("audience", Array(a.utf8)) }
        field("commitments", u64be(allCommitments.count) + commitmentsDigest)
        return out
    }
}
