// The compiler from (circuit, risk values) to an exact integer affine
// statement, with the wrap-around and bit-width analysis of Circuits/README.md §8.
//
// Soundness argument, written out once:
//
// * Every committed quantity is an integer: an input is value/scale, a
//   helper is an integer combination (see below). A range proof shows
//   `form mod n ∈ [0, 2^w)` for each constraint, n the group order (> 2^255).
// * Each constraint is proven at exactly the width w chosen here
//   (`RangeConstraint.bitWidth`), never a wider one: the argument below
//   bounds helpers by 2^{w_i}, and a proof of width n > w_i would only show
//   2^n. The planner (`ProofPlan.chunk` in Solvency) groups equal widths
//   only and asserts it; a wider proof let a helper near 2^126 wrap an
//   insolvent account's requirement (finding F1 of the soundness review).
// * Inputs lie within their declared bounds (the custodian refuses others;
//   a self-attested proof proves both bounds of each input).
// * A helper t of kind maximum with integer branches B_0…B_k has constraints
//   t − B_i ∈ [0, 2^{w_i}). Take t's integer representative from the first:
//   t = B_0 + r_0 with r_0 ∈ [0, 2^{w_0}), so t ∈ [lo(B_0), hi(B_0) + 2^{w_0} − 1].
//   With that bound every other t − B_i has |t − B_i| < 2^250 over ℤ (checked
//   below), so its residue in [0, 2^{w_i}) is its true value: t ≥ B_i for every
//   i over the integers. The helper's bound for later forms is the intersection.
//   Minimum helpers are symmetric (B_i − t ≥ 0).
// * A rounding helper t (ceil/floor of E by Q > 1, unit the quantum) has the
//   bound t − T₀ ∈ [0, 2^{w′}), which pins t's representative to [T₀, T₀ +
//   2^{w′} − 1] as constraint 0 pins a maximum's, and the relation Q·t − E ∈
//   [0, 2^w) (E − Q·t for floor), checked below 2^250 over that range, so it
//   holds over ℤ. The relation alone would not do: Q is invertible mod n, so
//   it holds for t ≡ (E + r)/Q with any r < 2^w, far outside any bound.
// * Every requirement form F has |F| < 2^250 for all inputs within bounds and
//   all helpers within those implied bounds (checked below), so F mod n ∈
//   [0, 2^w) implies F ≥ 0 over ℤ: a negative F would be ≥ n − 2^250 > 2^128 ≥ 2^w.
// * Where the circuit has abs(q), the form has q + 2·q⁻ with q⁻ ≥ 0 and
//   q⁻ ≥ −q, so q + 2q⁻ ≥ |q|; where it has max(a, b) it has t ≥ a, t ≥ b;
//   where min, t ≤ a, t ≤ b; where ceil(e, q), q·t ≥ e (floor: q·t ≤ e).
//   The checker put each only where over-stating (under-stating for min and
//   floor) lowers F, so F ≥ 0 implies the true excess ≥ 0.
// * Completeness: the honest helpers (q⁻ = max(−q, 0), t = max, t = min,
//   t = ⌈E/Q⌉ or ⌊E/Q⌋, within [T₀, T₁] by the choice of T₀ and w′) make
//   every form equal its exact value, and every bit width is chosen so that
//   the form's largest honest value is < 2^w.

/// A circuit that parsed and passed the checker, not yet bound to values.
public struct Circuit: Sendable {
    let checked: CheckedCircuit
    /// The file's base name without `.zkm`: `cross-margin`.
    public let name: String

    public init(source: String, fileName: String) throws(MarginError) {
        let stmts = try Parser.parse(source, file: fileName)
        checked = try Checker.check(stmts, file: fileName)
        name = Circuit.baseName(fileName)
    }

    static func baseName(_ fileName: String) -> String {
        var n = fileName
        if let slash = n.lastIndex(of: "/") { n = String(n[n.index(after: slash)...]) }
        if n.hasSuffix(".zkm") { n.removeLast(4) }
        return n
    }

    /// The sets the risk values must fill, in declaration order.
    public var setNames: [String] { checked.sets.map(\.name) }
    /// The parameters the risk values must (or may, with a default) give.
    public var parameterNames: [String] { checked.params.map(\.name) }
    /// The private input declarations, e.g. `["balance", "size", "cost"]`.
    public var inputNames: [String] { checked.inputs.map(\.name) }
}

/// Compiles a circuit's source against risk values.
public func compile(circuitSource: String, fileName: String, values: RiskValues) throws(MarginError) -> CompiledStatement {
    try compile(Circuit(source: circuitSource, fileName: fileName), values: values)
}

public func compile(_ circuit: Circuit, values: RiskValues) throws(MarginError) -> CompiledStatement {
    try CompiledStatement(circuit: circuit, values: values)
}

/// Where a committed input's value comes from in the account.
struct InputSource: Sendable {
    let declaration: Int
    let elementID: String
    /// The product of the parameters in the `from` clause for this element.
    let factor: Rational
    /// This element's declared bounds (real units), from numbers or
    /// per-element parameters.
    let lower: Rational
    let upper: Rational
}

/// The statement a circuit compiles to for given risk values.
public struct CompiledStatement: Sendable {
    /// Forms must stay below 2^wrapLimitBits in magnitude (far below n/2 for
    /// any 256-bit group order).
    public static let wrapLimitBits = 250
    /// The widest range a constraint may be proven in: [0, 2^250). Each
    /// constraint is proven at exactly the width its largest honest value
    /// needs, any bit count from 1 to this (the range proofs weight a
    /// form's bits above its width by 0). At most 250 keeps the
    /// no-wrap-around argument: with |F| < 2^250, a negative F is ≥ n −
    /// 2^250 > 2^250 ≥ 2^w mod n for any 256-bit group order n.
    public static let maximumBitWidth = 250

    public let circuitName: String
    public let venue: String
    public let quote: String
    /// Committed by the custodian, in a fixed order: each `private`
    /// declaration in source order, each element in the values' order. A
    /// position (`from size`, bounds on both sides of 0) is committed as two
    /// parts, `size[X].long` and `size[X].short`, and a signed balance (`from
    /// balance`, likewise) as `balance[A].asset` and `balance[A].liability`,
    /// all ≥ 0 and at most one of each pair nonzero for an honest custodian
    /// (see "Position sides" and "Signed balances" in Circuits/README.md); a declaration whose elements appear in every
    /// form with one common coefficient (the cost of all positions, which
    /// only appears summed) is committed once, as `sum(cost)`.
    public let inputs: [CompiledInput]
    /// Prover helpers, each defined from inputs and earlier helpers.
    public let helpers: [CompiledHelper]
    /// Helper constraints (in helper order) followed by the requirements (in
    /// the circuit's order, loops expanded).
    public let constraints: [RangeConstraint]

    let circuit: CheckedCircuit
    /// What this statement was compiled from, to compile it again for an
    /// anonymity set (`hidingAmong`).
    let source: Circuit
    let values: RiskValues
    /// The elements shown not to be held (`hidingAmong`), in their sets'
    /// order, and the committed inputs fixed at zero for them, ascending:
    /// no form reads them. Empty for the statement of the whole bundle.
    public let excludedElements: [String]
    public let excludedInputs: [Int]
    /// One per element of each `private` declaration: what the circuit's
    /// expressions (and the plain evaluator) read.
    let elementary: [CompiledInput]
    let sources: [InputSource]
    /// How each committed input is made from the elementary values.
    let recipes: [InputRecipe]
    let requirements: [GroundRequirement]
    /// Units of the work budget (`CircuitLimits.maximumExpandedTerms`,
    /// SPEC.md §16.2.2) the compilation used: every implementation of the
    /// specification counts the same (Vectors/work/).
    public let workUsed: Int

    init(circuit c: Circuit, values v: RiskValues) throws(MarginError) {
        try self.init(circuit: c, values: v, exclusion: nil)
    }

    /// A requirement's claim: what a proof states of it (`excess >= 0`, or a
    /// covenant's `holds`).
    public struct Claim: Sendable, Equatable {
        public let requirement: String
        public let holds: String
    }

    /// What every requirement's constraint states.
    public static let baseHolds = "excess >= 0"

    /// Compiles; with `exclusion`, the statement for an anonymity set: the
    /// same committed inputs in the same order (the custodian's statement is
    /// the same whatever a holder later hides among), the excluded elements'
    /// inputs fixed at zero in every form, and the whole analysis (helpers,
    /// widths, wrap-around) rerun on what remains.
    init(circuit c: Circuit, values v: RiskValues, exclusion: Exclusion?, covenants: [Covenant] = [], summed forcedGroups: [[Int]]? = nil) throws(MarginError) {
        let cc = c.checked
        circuit = cc
        source = c
        values = v
        self.exclusion = exclusion
        self.covenants = covenants
        excludedElements = exclusion?.elements ?? []
        circuitName = c.name
        venue = v.venue
        quote = v.quote
        var budget = WorkBudget()
        let bound = try BoundValues.bind(cc, v, budget: &budget)
        try CompiledStatement.checkInputCount(cc, bound)

        // Committed inputs.
        var inputs: [CompiledInput] = []
        var sources: [InputSource] = []
        var base: [Int] = []
        let limit = BigInt.powerOfTwo(CompiledStatement.wrapLimitBits)
        for (di, d) in cc.inputs.enumerated() {
            base.append(inputs.count)
            for (ei, id) in bound.elements[d.set].enumerated() {
                // This element's bounds and scale (numbers, or its parameters').
                let lower = d.lower.value(bound.params, element: ei), upper = d.upper.value(bound.params, element: ei)
                let scale = d.scale.value(bound.params, element: ei)
                let element = "`private \(d.name)` (line \(d.loc.line)), element \(quoted(id))"
                guard scale.signum > 0 else { throw .circuit(d.loc, "\(element): its scale \(scale) is not positive") }
                guard lower <= upper else { throw .circuit(d.loc, "\(element): empty bounds, the lower \(lower) is above the upper \(upper)") }
                let lo = (lower / scale).ceiling
                let hi = (upper / scale).floor
                guard lo <= hi else {
                    throw .circuit(d.loc, "\(element): no multiple of the scale \(scale) lies within the bounds [\(lower), \(upper)]")
                }
                guard lo.magnitude < limit, hi.magnitude < limit else {
                    throw .statement("input `\(d.name)[\(id)]` (line \(d.loc.line)): its declared bounds [\(lower), \(upper)] at scale \(scale) exceed 2^\(CompiledStatement.wrapLimitBits) in integer units; commitments to it could wrap around the group order")
                }
                var factor = Rational.one
                for p in d.params {
                    guard let x = bound.params[p].value(forElement: ei) else { continue }   // a matrix: excluded by the checker
                    do { factor = try CircuitLimits.product(factor, x) } catch {
                        throw .circuit(d.loc, "`private \(d.name)` (line \(d.loc.line)), element \(quoted(id)): the product of its `from` parameters: \(error.message)")
                    }
                }
                inputs.append(CompiledInput(id: "\(d.name)[\(id)]", lowerBound: lo, upperBound: hi, scale: scale))
                sources.append(InputSource(declaration: di, elementID: id, factor: factor, lower: lower, upper: upper))
            }
        }
        elementary = inputs
        self.sources = sources

        // The variables the lowering works on: one per elementary input, or
        // the two parts of a signed position or balance.
        let split = VariableSplit(elementary: inputs, sources: sources, circuit: cc)

        // Ground requirements, counted before they are expanded.
        var elaborator = Elaborator(circuit: cc, values: bound, inputBase: base, budget: budget)
        try elaborator.checkRequirementCount(cc.statements)
        let reqs = try elaborator.requirements(cc.statements)
        requirements = reqs

        // Lowering, under the same budget.
        var lowerer = Lowerer(inputs: split.variables, budget: elaborator.budget)
        lowerer.elementary = split.map
        lowerer.zeroElementary = exclusion?.elementary ?? []
        lowerer.partner = split.partner
        lowerer.longParts = Set(split.partner.keys)
        var requirementConstraints: [RangeConstraint] = []
        for r in reqs {
            lowerer.context = "requirement `\(r.name)`"
            var lin = Lin()
            try lowerer.lower(r.lhs, coefficient: .one, polarity: 1, into: &lin)
            try lowerer.lower(r.rhs, coefficient: -1, polarity: 1, into: &lin)
            requirementConstraints.append(try lowerer.requirementConstraint(r.name, lin))
        }
        // Covenants (SPEC.md §16.16): lhs − a·rhs − b ≥ 0 per named
        // requirement, after the requirements, with the requirements' own
        // helpers (the same signs and polarities find them in the caches).
        var claims = reqs.map { Claim(requirement: $0.name, holds: Self.baseHolds) }
        var nonNegative: [String: Bool] = [:]
        for cov in covenants {
            let matching = reqs.filter { $0.name == cov.requirement }
            guard !matching.isEmpty else { throw .statement("covenant `\(cov.text)`: the circuit has no requirement named \(cov.requirement.map { "`\($0)`" } ?? "nil")") }
            for r in matching {
                lowerer.context = "covenant `\(cov.text)`"
                var lin = Lin()
                try lowerer.lower(r.lhs, coefficient: .one, polarity: 1, into: &lin)
                try lowerer.lower(r.rhs, coefficient: -cov.multiplier, polarity: 1, into: &lin)
                lin.addConstant(-cov.offset)
                requirementConstraints.append(try lowerer.requirementConstraint("\(r.name): \(cov.holds)", lin))
                claims.append(Claim(requirement: r.name, holds: cov.holds))
                if nonNegative[r.name] == nil { nonNegative[r.name] = try lowerer.isNeverNegative(r.rhs) }
            }
        }
        self.claims = claims
        requirementIsNonNegative = nonNegative
        // Declarations that only ever appear with one common coefficient
        // are committed once, summed.
        let aggregated = Aggregation(variables: split.variables, recipes: split.recipes, groups: split.groups,
                                     helpers: lowerer.helpers, constraints: lowerer.helperConstraints + requirementConstraints,
                                     summed: exclusion?.summedGroups ?? forcedGroups)
        if let g = aggregated.unevenForcedGroup {
            throw .statement("\(covenants.isEmpty ? "the anonymity set" : "a covenant") weighs the elements of `\(split.variables[g].id)`'s declaration differently, which the statement commits as one sum; it cannot be proven over these commitments")
        }
        self.inputs = aggregated.inputs
        recipes = aggregated.recipes
        helpers = aggregated.helpers
        constraints = aggregated.constraints
        summedGroups = aggregated.summedGroups
        variableMap = split.map
        workUsed = lowerer.budget.used
        excludedInputs = aggregated.recipes.indices.filter { aggregated.recipes[$0].reads(exclusion?.elementary ?? []) }
    }

    /// The covenants compiled in (named, in order), and every requirement's
    /// claims: `excess >= 0` for each requirement in order, then one per
    /// covenant and requirement it names.
    public let covenants: [Covenant]
    public let claims: [Claim]
    /// The requirements' names, in order: the first claims (a covenant may
    /// state `excess >= 0` too, so its text does not tell them apart).
    public var requirementNames: [String] { requirements.map(\.name) }
    /// For each requirement a covenant names: whether its requirement side
    /// can never be negative for values within the declared bounds (a
    /// larger multiplier then proves a smaller one, `Covenant.implies`).
    public let requirementIsNonNegative: [String: Bool]
    /// The exclusion this statement was compiled with (nil: the whole bundle).
    let exclusion: Exclusion?

    /// This statement with `covenants` (each named, or applied to every
    /// requirement) compiled in, over the same committed inputs.
    public func withCovenants(_ covenants: [Covenant]) throws(MarginError) -> CompiledStatement {
        guard !covenants.isEmpty else { return self }
        guard covenants.count <= Covenant.maximumClaims else {
            throw .statement("\(covenants.count) covenants, more than the \(Covenant.maximumClaims) a proof may carry")
        }
        let names = requirementNames
        var named: [Covenant] = []
        for c in covenants { named += c.requirement == nil ? names.map { c.for($0) } : [c] }
        guard named.count <= Covenant.maximumClaims else {
            throw .statement("the covenants name \(named.count) requirement claims, more than the \(Covenant.maximumClaims) a proof may carry")
        }
        return try CompiledStatement(circuit: source, values: values, exclusion: exclusion, covenants: self.covenants + named, summed: summedGroups)
    }

    /// The groups of variables committed as one sum (`Aggregation`), and
    /// each elementary input's variables (`VariableSplit`).
    let summedGroups: [[Int]]
    let variableMap: [ElementaryVariables]

    // MARK: Anonymity sets

    /// The sets whose elements a holder may show it does not hold: those
    /// that index a position (`from size`) input.
    public var positionSets: [String] {
        var out: [String] = []
        for d in circuit.inputs where d.fields.contains("size") {
            let name = circuit.sets[d.set].name
            if !out.contains(name) { out.append(name) }
        }
        return out
    }

    /// The elements of the position sets, in the values' order (each once):
    /// what a holder may hide among.
    public var positionElements: [String] {
        let positionSetIndices = Set(circuit.inputs.filter { $0.fields.contains("size") }.map(\.set))
        var seen: Set<String> = []
        var out: [String] = []
        for src in sources where positionSetIndices.contains(circuit.inputs[src.declaration].set) && seen.insert(src.elementID).inserted {
            out.append(src.elementID)
        }
        return out
    }

    /// The element a committed input belongs to (`size[BTC-PERP].long` →
    /// "BTC-PERP"); nil for an input committed as a sum of elements.
    public func element(ofInput j: Int) -> String? {
        switch recipes[j] {
        case .whole(let e), .long(let e), .short(let e): return sources[e].elementID
        case .sum: return nil
        }
    }

    /// The statement for a holder that hides among `kept`: every element of
    /// a position set (`positionSets`) not in `kept` is shown not to be held,
    /// its inputs fixed at zero (all private inputs over that set, except
    /// those committed only as a sum). An element is excludable only if 0
    /// is within the declared bounds of each of those inputs; an id in
    /// `kept` that is no element of a position set is an error.
    public func hidingAmong(_ kept: Set<String>) throws(MarginError) -> CompiledStatement {
        let positionSetIndices = Set(circuit.inputs.filter { $0.fields.contains("size") }.map(\.set))
        var known: Set<String> = []
        for src in sources where positionSetIndices.contains(circuit.inputs[src.declaration].set) {
            known.insert(src.elementID)
        }
        for id in kept.sorted() where !known.contains(id) {
            throw .field("hide-among[\(quoted(id))]", "not an element of \(positionSets.map { "values.\($0)" }.joined(separator: " or ")): only positions can be hidden among")
        }
        // The elementary inputs to fix at zero, element by element in the values' order.
        let summedVariables = Set(summedGroups.flatMap { $0 })
        let summedElementary = Set(variableMap.indices.filter { j in
            if case .single(let v) = variableMap[j] { return summedVariables.contains(v) } else { return false }
        })
        var zero: Set<Int> = []
        var elements: [String] = []
        var listed: Set<String> = []
        for (j, src) in sources.enumerated() {
            let d = circuit.inputs[src.declaration]
            guard positionSetIndices.contains(d.set), !kept.contains(src.elementID), !summedElementary.contains(j) else { continue }
            let x = elementary[j]
            guard x.lowerBound.signum <= 0, x.upperBound.signum >= 0 else {
                throw .field("hide-among", "\(x.id) cannot be shown to be zero: 0 is outside its declared bounds [\(src.lower), \(src.upper)] (line \(d.loc.line))")
            }
            zero.insert(j)
            if listed.insert(src.elementID).inserted { elements.append(src.elementID) }
        }
        if zero.isEmpty { return self }
        return try CompiledStatement(circuit: source, values: values,
                                     exclusion: Exclusion(elementary: zero, elements: elements, summedGroups: summedGroups), covenants: covenants)
    }

    /// Refuses values that would commit more than
    /// CircuitLimits.maximumCommittedInputs inputs, before creating any,
    /// naming the declaration that crosses the limit.
    static func checkInputCount(_ cc: CheckedCircuit, _ bound: BoundValues) throws(MarginError) {
        let total = cc.inputs.reduce(0) { $0 + bound.elements[$1.set].count }
        guard total > CircuitLimits.maximumCommittedInputs else { return }
        var running = 0
        for d in cc.inputs {
            running += bound.elements[d.set].count
            guard running <= CircuitLimits.maximumCommittedInputs else {
                throw .circuit(d.loc, "`private \(d.name)` (line \(d.loc.line)): " + CircuitLimits.exceeds("with these values the circuit commits to \(total) inputs", CircuitLimits.maximumCommittedInputs, "maximumCommittedInputs"))
            }
        }
    }

    // MARK: Prover-side values

    /// The scaled integer value of every committed input for an account, in
    /// `inputs` order (zero for what the account does not hold): each
    /// position's canonical parts (long = max(size, 0), short = max(−size,
    /// 0)), each signed balance's (asset = max(balance, 0), liability =
    /// max(−balance, 0)), each summed declaration's sum. Unknown ids, values more precise
    /// than the declared scale and values outside the declared bounds are
    /// errors naming the field.
    public func inputValues(for account: Account) throws(MarginError) -> [BigInt] {
        let x = try elementaryValues(for: account)
        return recipes.map { $0.value(x) }
    }

    /// The scaled integer value of every elementary input (one per element
    /// of each declaration, signed sizes), in `elementary` order.
    func elementaryValues(for account: Account) throws(MarginError) -> [BigInt] {
        // Every id in the account must be an element the circuit commits to.
        var balanceSets: [Int] = [], positionSets: [Int] = []
        for d in circuit.inputs {
            if d.fields == ["balance"] { balanceSets.append(d.set) } else { positionSets.append(d.set) }
        }
        var balanceIDs: Set<String> = [], positionIDs: Set<String> = []
        for s in sources {
            let d = circuit.inputs[s.declaration]
            if d.fields == ["balance"] { balanceIDs.insert(s.elementID) } else { positionIDs.insert(s.elementID) }
        }
        func setList(_ sets: [Int]) -> String {
            let names = Array(Set(sets.map { "values.\(circuit.sets[$0].name)" })).sorted()
            return names.isEmpty ? "the circuit commits to no such field" : "not in " + names.joined(separator: " or ")
        }
        for id in account.balances.keys.sorted() where !balanceIDs.contains(id) {
            throw .field("account.balances[\(quoted(id))]", "unknown asset (\(setList(balanceSets)))")
        }
        for id in account.positions.keys.sorted() where !positionIDs.contains(id) {
            throw .field("account.positions[\(quoted(id))]", "unknown instrument (\(setList(positionSets)))")
        }

        var out: [BigInt] = []
        out.reserveCapacity(elementary.count)
        for (j, s) in sources.enumerated() {
            let d = circuit.inputs[s.declaration]
            let input = elementary[j]
            let value: Rational
            let path: String
            let what: String
            switch d.fields {
            case ["balance"]:
                value = (account.balances[s.elementID] ?? .zero) * s.factor
                path = "account.balances[\(quoted(s.elementID))]"
                what = d.params.isEmpty ? "\(value)" : "\(d.sourceText) = \(value)"
            case ["size"]:
                value = (account.positions[s.elementID]?.size ?? .zero) * s.factor
                path = "account.positions[\(quoted(s.elementID))].size"
                what = d.params.isEmpty ? "\(value)" : "\(d.sourceText) = \(value)"
            default:
                path = "account.positions[\(quoted(s.elementID))]"
                if let p = account.positions[s.elementID], !p.size.isZero {
                    guard let entry = p.entryPrice else {
                        throw .field("\(path).entry_price", "missing (the circuit commits to \(d.name) = \(d.sourceText))")
                    }
                    value = p.size * entry * s.factor
                } else {
                    value = .zero
                }
                what = "\(d.name) = \(d.sourceText) = \(value)"
            }
            let scaled = value / input.scale
            guard scaled.isInteger else {
                throw .field(path, "\(what) is more precise than the circuit's precision for `\(d.name)` (scale \(input.scale), line \(d.loc.line))")
            }
            let x = scaled.numerator
            guard x >= input.lowerBound, x <= input.upperBound else {
                throw .field(path, "\(what) is outside the circuit's declared bounds for `\(d.name)` [\(s.lower), \(s.upper)] (line \(d.loc.line))")
            }
            out.append(x)
        }
        return out
    }

    /// Helper values computed from input values, in `helpers` order.
    public func helperValues(inputs values: [BigInt]) -> [BigInt] {
        precondition(values.count == inputs.count, "expected \(inputs.count) input values")
        var all = values
        all.reserveCapacity(inputs.count + helpers.count)
        for h in helpers { all.append(h.value(given: all)) }
        return Array(all[inputs.count...])
    }

    /// Plain, exact evaluation (abs/max/min/ceil/floor computed directly, no helpers).
    public func evaluate(_ account: Account) throws(MarginError) -> MarginReport {
        let ints = try elementaryValues(for: account)
        let reals = zip(ints, elementary).map { Rational($0) * $1.scale }
        var reports: [RequirementReport] = []
        var memo: [Int: Rational] = [:]
        for r in requirements {
            let e = evaluateGround(r.lhs, reals, memo: &memo)
            let q = evaluateGround(r.rhs, reals, memo: &memo)
            reports.append(RequirementReport(name: r.name, equity: e, requirement: q, excess: e - q))
        }
        let order = reports.indices.sorted { a, b in
            reports[a].excess != reports[b].excess ? reports[a].excess < reports[b].excess : a < b
        }
        return MarginReport(circuitName: circuitName, venue: venue, quote: quote, account: account.label,
                            requirements: order.map { reports[$0] })
    }

    /// Input values followed by helper values (what `constraints` index).
    public func allValues(for account: Account) throws(MarginError) -> [BigInt] {
        let x = try inputValues(for: account)
        return x + helperValues(inputs: x)
    }
}

// MARK: Lowering

/// A rational affine expression over integer variables (inputs ++ helpers);
/// its real value is Σ coefficient·x + constant.
///
/// `largestBits` records the largest coefficient or constant ever written
/// (numerator or denominator bits); the lowering refuses the form as soon as
/// it exceeds CircuitLimits.maximumConstantBits. Since every operand is then
/// within the limit, no value beyond about twice the limit is ever computed.
struct Lin {
    private(set) var terms: [Int: Rational] = [:]
    private(set) var constant: Rational = .zero
    private(set) var largestBits = 0

    mutating func note(_ r: Rational) {
        let b = r.bitSize
        if b > largestBits { largestBits = b }
    }

    mutating func addConstant(_ c: Rational) {
        constant += c
        note(constant)
    }

    mutating func add(_ index: Int, _ c: Rational) {
        note(c)
        if let old = terms[index] {
            let s = old + c
            terms[index] = s.isZero ? nil : s
            note(s)
        } else if !c.isZero {
            terms[index] = c
        }
    }

    mutating func add(_ other: Lin, times c: Rational) {
        if c == .one {
            for (i, x) in other.terms { add(i, x) }
            addConstant(other.constant)
            return
        }
        for (i, x) in other.terms { add(i, c * x) }
        addConstant(c * other.constant)
    }
}

struct SharedKey: Hashable {
    let id: Int
    let negative: Bool
    let polarity: Int
}

struct HelperKey: Hashable {
    let kind: CompiledHelper.Kind
    let unit: Rational
    let branches: Set<AffineForm>
}

struct Lowerer {
    let inputCount: Int
    /// The variables each elementary input (what `Ground.input` indexes)
    /// stands for: itself, or the two parts of a position or signed balance
    /// (x = long − short, asset − liability).
    var elementary: [ElementaryVariables] = []
    /// A long part's short part.
    var partner: [Int: Int] = [:]
    /// The long parts.
    var longParts: Set<Int> = []
    /// Elementary inputs fixed at zero (an anonymity set's excluded
    /// elements): they contribute nothing to any form.
    var zeroElementary: Set<Int> = []
    var names: [String]
    /// Real value of variable j = integer × unit[j].
    var unit: [Rational]
    var honestLo: [BigInt], honestHi: [BigInt]
    var advLo: [BigInt], advHi: [BigInt]
    var helpers: [CompiledHelper] = []
    var helperConstraints: [RangeConstraint] = []
    var cache: [HelperKey: Int] = [:]
    /// `.shared` expansions already lowered, with coefficient ±1, by id,
    /// sign and polarity (see `lowerShared`).
    var sharedLowered: [SharedKey: Lin] = [:]
    var usedNames: Set<String> = []
    /// Per helper name already used: the suffix number to try next (names
    /// are only ever added, so the first free `name #n` is never below it).
    var nextSuffix: [String: Int] = [:]
    /// Work done so far (CircuitLimits.maximumExpandedTerms, which lists
    /// what the lowering charges), continuing the elaborator's.
    var budget: WorkBudget
    /// What is being lowered, for limit errors: "requirement `maintenance`".
    var context = ""

    init(inputs: [CompiledInput], budget: WorkBudget = WorkBudget()) {
        self.budget = budget
        inputCount = inputs.count
        names = inputs.map(\.id)
        unit = inputs.map(\.scale)
        honestLo = inputs.map(\.lowerBound)
        honestHi = inputs.map(\.upperBound)
        advLo = honestLo
        advHi = honestHi
    }

    /// Adds `coefficient ·` g to `acc`. `polarity` × sign(coefficient) is +1
    /// where larger values help the account and −1 where they hurt it.
    /// Every ground node lowered is charged to the budget (a shared `let`
    /// expansion is walked once per sign and polarity, and later uses are
    /// charged by its terms, see `lowerShared`), and every coefficient
    /// written is checked against CircuitLimits.maximumConstantBits.
    mutating func lower(_ g: Ground, coefficient c: Rational, polarity: Int, into acc: inout Lin) throws(MarginError) {
        guard budget.charge(1) else { throw .statement("\(context): " + CircuitLimits.workMessage) }
        try lowerNode(g, coefficient: c, polarity: polarity, into: &acc)
        guard acc.largestBits <= CircuitLimits.maximumConstantBits else {
            throw .statement("\(context): " + CircuitLimits.constantMessage(acc.largestBits, coefficient: true))
        }
    }

    mutating func lowerNode(_ g: Ground, coefficient c: Rational, polarity: Int, into acc: inout Lin) throws(MarginError) {
        if c.isZero { return }
        let effective = polarity * c.signum
        switch g {
        case .constant(let k):
            acc.addConstant(c * k)
        case .input(let j):
            if zeroElementary.contains(j) { return }
            switch elementary.isEmpty ? .single(j) : elementary[j] {
            case .single(let v):
                acc.add(v, c == .one ? unit[v] : c * unit[v])
            case .split(let long, let short):
                acc.add(long, c * unit[long])
                acc.add(short, -(c * unit[short]))
            }
        case .shared(let id, let h):
            try lowerShared(id, h, coefficient: c, polarity: polarity, into: &acc)
        case .sum(let parts):
            for p in parts { try lower(p, coefficient: c, polarity: polarity, into: &acc) }
        case .scaled(let k, let h):
            let ck: Rational
            do { ck = c == .one ? k : c == Lowerer.minusOne ? -k : try CircuitLimits.product(c, k) } catch {
                throw .statement("\(context): " + CircuitLimits.constantMessage(error.bits, exact: error.exact, coefficient: true))
            }
            try lower(h, coefficient: ck, polarity: polarity, into: &acc)
        case .abs(let h):
            guard effective < 0 else { throw .statement("internal error: abs lowered where it would enlarge equity (the checker should have refused it)") }
            var a = Lin()
            try lower(h, coefficient: .one, polarity: 1, into: &a)
            // |α·(long − short)| = |α|·(long + short): exact for an honest
            // custodian's parts (one of them 0), never less otherwise, and
            // abs only stands where more can only hurt the account.
            if let (long, short, alpha) = signedPosition(a) {
                acc.add(long, c * alpha.magnitude)
                acc.add(short, c * alpha.magnitude)
                return
            }
            var negA = Lin()
            negA.add(a, times: -1)
            // Names are built only for a new helper (describing is costly).
            let count = helpers.count
            let naming = { (names: [String], unit: [Rational]) -> (labels: [String], name: String) in
                let name = Lowerer.describe(a, names: names, unit: unit).map { "abs(\($0)) short part" }
                return ([Lowerer.describe(negA, names: names, unit: unit) ?? "-(argument)", "0"], name ?? "abs short part #\(count + 1)")
            }
            // |a| = a + 2·max(−a, 0)
            let short = try helper(isMax: true, [negA, Lin()], naming: naming)
            acc.add(a, times: c)
            acc.add(short, times: c * 2)
        case .extremum(let isMax, let args, let labels, let origin):
            if isMax && effective > 0 { throw .statement("internal error: max lowered where it would enlarge equity (the checker should have refused it)") }
            if !isMax && effective < 0 { throw .statement("internal error: min lowered where it would shrink the requirement (the checker should have refused it)") }
            var branches: [Lin] = []
            for a in args {
                var b = Lin()
                try lower(a, coefficient: .one, polarity: effective, into: &b)
                branches.append(b)
            }
            if let part = positionPart(isMax: isMax, branches) {
                acc.add(part, times: c)
                return
            }
            let naming = { (names: [String], unit: [Rational]) -> (labels: [String], name: String) in
                var branchLabels: [String] = []
                var described: [String] = []
                for (b, l) in zip(branches, labels) {
                    let d = Lowerer.describe(b, names: names, unit: unit)
                    // Branches of `max(x in set: …)` are named by their element;
                    // branches of `max(a, b, …)` by what they say.
                    branchLabels.append(l.hasPrefix("argument ") ? (d ?? l) : l)
                    if let d { described.append(d) }
                }
                let name = described.count == branches.count && described.joined().unicodeScalars.count <= 80
                    ? "\(isMax ? "max" : "min")(\(described.joined(separator: ", ")))" : origin
                return (branchLabels, name)
            }
            let t = try helper(isMax: isMax, branches, naming: naming)
            acc.add(t, times: c)
        case .rounded(let up, let h, let q, let origin):
            if up && effective > 0 { throw .statement("internal error: ceil lowered where it would enlarge equity (the checker should have refused it)") }
            if !up && effective < 0 { throw .statement("internal error: floor lowered where it would shrink the requirement (the checker should have refused it)") }
            var e = Lin()
            try lower(h, coefficient: .one, polarity: effective, into: &e)
            let naming = { (names: [String], unit: [Rational]) -> (label: String, name: String) in
                let d = Lowerer.describe(e, names: names, unit: unit)
                let whole = d.map { "\(up ? "ceil" : "floor")(\($0), \(q))" }
                return (d ?? "argument 1", whole.flatMap { $0.unicodeScalars.count <= 80 ? $0 : nil } ?? origin)
            }
            let t = try roundingHelper(up: up, e, quantum: q, naming: naming)
            acc.add(t, times: c)
        }
    }

    /// Creates (or reuses) the helper for ceil (`up`) or floor of `e` to a
    /// multiple of the quantum q > 0; returns the expression that stands
    /// for it (its variable times its unit, q). Its variable t counts
    /// multiples of q. With E and Q the integer forms of e and q
    /// integerized together (Q > 0 a constant), it contributes two
    /// constraints: t − T₀ ∈ [0, 2^{w′}), which pins t's integer
    /// representative to [T₀, T₀ + 2^{w′} − 1] (Q·t − E alone would not: Q is
    /// invertible modulo the group order, so every residue r would admit
    /// t = (E + r)/Q mod n, far from any bound), and then Q·t − E ∈ [0, 2^w)
    /// for ceil (E − Q·t for floor), of honest value < Q. When Q = 1 every
    /// value of e is a multiple of q, and e itself is the result.
    ///
    /// Charged like a helper call with one branch (`helperCallUnits` + 2 per
    /// term), a new helper once more (`newHelperUnits` + 4 per term).
    mutating func roundingHelper(up: Bool, _ e: Lin, quantum q: Rational, naming describe: ([String], [Rational]) -> (label: String, name: String)) throws(MarginError) -> Lin {
        func naming() -> (label: String, name: String) { describe(names, unit) }
        if e.terms.isEmpty {
            var out = Lin()
            do { out.addConstant(try CircuitLimits.rounded(up: up, e.constant, q)) } catch {
                throw .statement("\(context): " + CircuitLimits.constantMessage(error.bits, exact: error.exact, coefficient: true))
            }
            return out
        }
        let termCount = e.terms.count + 1
        guard budget.charge(Lowerer.helperCallUnits + 2 * termCount) else {
            throw .statement("helper `\(naming().name)` (\(context)): " + CircuitLimits.workMessage)
        }
        var quantum = Lin()
        quantum.addConstant(q)
        guard let (forms, scale) = Lowerer.integerize([e, quantum]) else { throw denominatorError("helper `\(naming().name)` (\(context))") }
        let form = forms[0], divisor = forms[1].constant
        if divisor == .one { return e }
        let kind: CompiledHelper.Kind = up ? .ceiling : .floor
        let key = HelperKey(kind: kind, unit: q, branches: [form])
        if let t = cache[key] {
            var out = Lin()
            out.add(t, q)
            return out
        }
        let (label, baseName) = naming()
        guard budget.charge(Lowerer.newHelperUnits + 4 * termCount) else {
            throw .statement("helper `\(baseName)` (\(context)): " + CircuitLimits.workMessage)
        }
        let t = inputCount + helpers.count
        let (hLo, hHi) = Lowerer.range(form.terms, form.constant, lo: honestLo, hi: honestHi)
        let (aLo, aHi) = Lowerer.range(form.terms, form.constant, lo: advLo, hi: advHi)
        func quotient(_ x: BigInt) -> BigInt { up ? BigInt.ceilingDivide(x, divisor) : BigInt.floorDivide(x, divisor) }
        // Honest t, and the widths of the bound (t − T₀) and of the relation.
        let tHonestLo = quotient(hLo), tHonestHi = quotient(hHi)
        let relationMax = divisor - .one
        guard let w = Lowerer.width(for: relationMax) else {
            throw .statement("helper `\(baseName)`: its quantum \(q) is \(bitsText(divisor)) units of its form (÷ \(scale)), beyond the widest range a proof can show, 2^\(CompiledStatement.maximumBitWidth); coarsen the parameters' precision")
        }
        let boundMax = tHonestHi - tHonestLo
        guard let wt = Lowerer.width(for: boundMax) else {
            throw .statement("helper `\(baseName)`: it can count \(bitsText(boundMax)) quanta of \(q) for accounts within the declared bounds, beyond the widest range a proof can show, 2^\(CompiledStatement.maximumBitWidth)\(dominantTerm(form.terms, lo: honestLo, hi: honestHi)); tighten the private inputs' bounds or use a coarser quantum")
        }
        // The bound pins t to [T₀, T₁]; the relation must then not wrap.
        let t0 = tHonestLo, t1 = tHonestLo + Lowerer.powerOfTwo(width: wt) - .one
        let (rLo, rHi) = up ? (divisor * t0 - aHi, divisor * t1 - aLo) : (aLo - divisor * t1, aHi - divisor * t0)
        let mag = BigInt.max(rLo.magnitude, rHi.magnitude)
        guard mag < Lowerer.wrapLimit else {
            throw .statement("helper `\(baseName)`: its constraint against \(label) could reach \(bitsText(mag)) for a dishonest prover's helper values, not safely below 2^\(CompiledStatement.wrapLimitBits); it could wrap around the group order\(dominantTerm(form.terms, lo: advLo, hi: advHi))")
        }
        // What the relation then implies, over ℤ.
        let p = Lowerer.powerOfTwo(width: w) - .one
        let tLo = BigInt.max(t0, up ? BigInt.ceilingDivide(aLo, divisor) : BigInt.ceilingDivide(aLo - p, divisor))
        let tHi = BigInt.min(t1, up ? BigInt.floorDivide(aHi + p, divisor) : BigInt.floorDivide(aHi, divisor))

        let name = uniqueName(baseName)
        unit.append(q)
        honestLo.append(tHonestLo)
        honestHi.append(tHonestHi)
        advLo.append(tLo)
        advHi.append(tHi)
        helpers.append(CompiledHelper(id: name, lowerBound: tLo, upperBound: tHi, kind: kind, branches: [form], unit: q, divisor: divisor))
        helperConstraints.append(RangeConstraint(
            name: "\(name) in [\(t0), \(t1)]", isRequirement: false,
            terms: [AffineTerm(index: t, coefficient: .one)], constant: -t0, bitWidth: wt, scale: Rational.one / q,
            maxValue: boundMax, maxMagnitude: BigInt.max((tLo - t0).magnitude, (tHi - t0).magnitude)))
        let tForm = AffineForm(terms: [AffineTerm(index: t, coefficient: divisor)], constant: .zero)
        let f = up ? Lowerer.difference(tForm, form) : Lowerer.difference(form, tForm)
        helperConstraints.append(RangeConstraint(
            name: "\(name) \(up ? ">=" : "<=") \(label)", isRequirement: false,
            terms: f.terms, constant: f.constant, bitWidth: w, scale: scale,
            maxValue: relationMax, maxMagnitude: mag))
        cache[key] = t
        var out = Lin()
        out.add(t, q)
        return out
    }

    static let minusOne = Rational(-1)

    /// `a` = α·(long − short) for a position's two parts, with no constant:
    /// the parts and α (a real coefficient per integer unit).
    func signedPosition(_ a: Lin) -> (long: Int, short: Int, alpha: Rational)? {
        guard a.constant.isZero, a.terms.count == 2 else { return nil }
        for (long, alpha) in a.terms where longParts.contains(long) {
            guard let short = partner[long], let beta = a.terms[short], beta == -alpha else { return nil }
            return (long, short, alpha)
        }
        return nil
    }

    /// max(α·(long − short), 0) and min(α·(long − short), 0) (either
    /// order) as one part: max is α·long for α > 0 and |α|·short for α < 0,
    /// min is −α·short and −|α|·long. Exact for an honest custodian's parts;
    /// otherwise max is never less and min never more than the true value,
    /// and the checker puts max only where more can only hurt the account
    /// and min only where less can. And max(α·x, 0), min(α·x, 0) of one
    /// committed input x whose declared bounds lie on one side of 0 (a
    /// balance no one may borrow, a part): α·x or 0, whichever the bounds
    /// make it, exactly (inputs lie within their bounds).
    func positionPart(isMax: Bool, _ branches: [Lin]) -> Lin? {
        guard branches.count == 2 else { return nil }
        let zero = branches.firstIndex { $0.terms.isEmpty && $0.constant.isZero }
        guard let z = zero else { return nil }
        var out = Lin()
        if let (v, alpha) = oneSidedInput(branches[1 - z]) {
            // α·x ≥ 0 throughout the bounds: max is α·x, min is 0; α·x ≤ 0: the reverse.
            let nonNegative = honestLo[v].signum >= 0 ? alpha.signum > 0 : alpha.signum < 0
            if nonNegative == isMax { out.add(v, alpha) }
            return out
        }
        guard let (long, short, alpha) = signedPosition(branches[1 - z]) else { return nil }
        switch (isMax, alpha.isNegative) {
        case (true, false): out.add(long, alpha)
        case (true, true): out.add(short, alpha.magnitude)
        case (false, false): out.add(short, -alpha)
        case (false, true): out.add(long, -alpha.magnitude)
        }
        return out
    }

    /// `a` = α·x for one committed input x (not a helper) whose declared
    /// bounds lie on one side of 0, with no constant.
    func oneSidedInput(_ a: Lin) -> (variable: Int, alpha: Rational)? {
        guard a.constant.isZero, a.terms.count == 1, let (v, alpha) = a.terms.first, v < inputCount else { return nil }
        guard honestLo[v].signum >= 0 || honestHi[v].signum <= 0 else { return nil }
        return (v, alpha)
    }

    /// Budget units charged for one call of `helper` besides its terms
    /// (integerizing, hashing and looking up its branches), and for a new
    /// helper (names, ranges, widths, constraints). Calibrated so that a unit
    /// costs about as much time on these paths as a lowered node does.
    static let helperCallUnits = 32
    static let newHelperUnits = 160

    /// A `let` expansion used several times. Lowering is linear in the
    /// coefficient: lower(h, c) = |c|·lower(h, sign(c)), with the same
    /// helpers (created on the first use, found in `cache` on later ones);
    /// so h is lowered once per sign and polarity, and later uses add the
    /// lowered form (charged per term) instead of walking h again.
    mutating func lowerShared(_ id: Int, _ h: Ground, coefficient c: Rational, polarity: Int, into acc: inout Lin) throws(MarginError) {
        let negative = c.isNegative
        let key = SharedKey(id: id, negative: negative, polarity: polarity)
        let lin: Lin
        if let cached = sharedLowered[key] {
            guard budget.charge(cached.terms.count) else { throw .statement("\(context): " + CircuitLimits.workMessage) }
            lin = cached
        } else {
            var fresh = Lin()
            try lower(h, coefficient: negative ? Lowerer.minusOne : .one, polarity: polarity, into: &fresh)
            sharedLowered[key] = fresh
            lin = fresh
        }
        acc.add(lin, times: negative ? -c : c)
    }

    /// A short human description of an affine expression (≤ 3 terms), in
    /// real units: `-size[BTC-PERP]`, `0.5·size[X] + 3`.
    static func describe(_ l: Lin, names: [String], unit: [Rational]) -> String? {
        guard l.terms.count <= 3 else { return nil }
        var parts: [String] = []
        for i in l.terms.keys.sorted() {
            let r = l.terms[i]! / unit[i]
            let n = names[i]
            let mag = r.magnitude
            let body = mag == .one ? n : "\(mag)·\(n)"
            parts.append(parts.isEmpty ? (r.isNegative ? "-" + body : body) : (r.isNegative ? "- " + body : "+ " + body))
        }
        if !l.constant.isZero || parts.isEmpty {
            let k = l.constant
            parts.append(parts.isEmpty ? "\(k)" : (k.isNegative ? "- \(k.magnitude)" : "+ \(k)"))
        }
        return parts.joined(separator: " ")
    }

    /// The largest common denominator, in bits, `integerize` builds.
    ///
    /// Refusing beyond it is always safe (it never admits a statement), and
    /// loses nothing: every coefficient p_i/q_i of the forms has |p_i|, q_i
    /// < 2^L (L = CircuitLimits.maximumConstantBits, enforced while
    /// lowering), so the content g (the gcd of the numerators p_i) is < 2^L
    /// too. Once the common denominator d ≥ 2^(2L + 251), every integer
    /// coefficient p_i·(d/q_i)/g is ≥ d/(q_i·g) > 2^251: each form would
    /// exceed the 2^250 wrap limit as soon as one of its variables can move,
    /// and be refused as one that could wrap around the group order.
    static let maximumDenominatorBits = 2 * CircuitLimits.maximumConstantBits + CompiledStatement.wrapLimitBits + 1

    /// The integer form D/g · l, with D the common denominator and g the
    /// content, and the scale D/g (form / scale = l's real value); nil when
    /// D would exceed `maximumDenominatorBits` (checked as D grows).
    static func integerize(_ ls: [Lin]) -> (forms: [AffineForm], scale: Rational)? {
        let d = BigIntAccumulator(.one)
        for l in ls {
            for (_, c) in l.terms {
                d.lcm(withDenominatorOf: c)
                if d.bitWidth > maximumDenominatorBits { return nil }
            }
            d.lcm(withDenominatorOf: l.constant)
            if d.bitWidth > maximumDenominatorBits { return nil }
        }
        var ints: [([(Int, BigInt)], BigInt)] = []
        let g = BigIntAccumulator(.zero)
        for l in ls {
            var ts: [(Int, BigInt)] = []
            ts.reserveCapacity(l.terms.count)
            for (i, c) in l.terms.sorted(by: { $0.key < $1.key }) {
                let v = d.integerMultiple(of: c)
                ts.append((i, v))
                g.gcd(with: v)
            }
            let k = d.integerMultiple(of: l.constant)
            g.gcd(with: k)
            ints.append((ts, k))
        }
        // Dividing by a content of 1 (the usual case) changes nothing.
        let content = g.isZero ? BigInt.one : g.value
        let one = g.isZero || g.isOne
        let forms = ints.map { ts, k in
            AffineForm(terms: ts.map { AffineTerm(index: $0.0, coefficient: one ? $0.1 : BigInt.exactQuotient($0.1, content)) },
                       constant: one ? k : BigInt.exactQuotient(k, content))
        }
        return (forms, Rational(numerator: d.value, denominator: content))
    }

    static func range(_ terms: [AffineTerm], _ constant: BigInt, lo: [BigInt], hi: [BigInt]) -> (BigInt, BigInt) {
        let a = BigIntAccumulator(constant), b = BigIntAccumulator(constant)
        for t in terms {
            if t.coefficient.isNegative {
                a.addProduct(t.coefficient, hi[t.index])
                b.addProduct(t.coefficient, lo[t.index])
            } else {
                a.addProduct(t.coefficient, lo[t.index])
                b.addProduct(t.coefficient, hi[t.index])
            }
        }
        return (a.value, b.value)
    }

    /// The upper end of `range` for the form x − y, computed by merging the
    /// two sorted term lists in place (no intermediate form): the pairwise
    /// width analysis of a helper calls it k(k − 1) times.
    static func differenceUpperBound(_ x: AffineForm, _ y: AffineForm, lo: [BigInt], hi: [BigInt]) -> BigInt {
        let b = BigIntAccumulator(x.constant - y.constant)
        let ys = y.terms
        var j = 0
        // A term −c·v of y alone: its upper end is −c·hi when c < 0, −c·lo otherwise.
        for t in x.terms {
            while j < ys.count && ys[j].index < t.index {
                let u = ys[j]
                b.subtractProduct(u.coefficient, u.coefficient.isNegative ? hi[u.index] : lo[u.index])
                j += 1
            }
            if j < ys.count && ys[j].index == t.index {
                b.addDifferenceProduct(t.coefficient, ys[j].coefficient, lo: lo[t.index], hi: hi[t.index])
                j += 1
            } else {
                b.addProduct(t.coefficient, t.coefficient.isNegative ? lo[t.index] : hi[t.index])
            }
        }
        while j < ys.count {
            let u = ys[j]
            b.subtractProduct(u.coefficient, u.coefficient.isNegative ? hi[u.index] : lo[u.index])
            j += 1
        }
        return b.value
    }

    static func difference(_ x: AffineForm, _ y: AffineForm) -> AffineForm {
        var m: [Int: BigInt] = [:]
        for t in x.terms { m[t.index] = t.coefficient }
        for t in y.terms { m[t.index] = (m[t.index] ?? .zero) - t.coefficient }
        let terms = m.keys.sorted().compactMap { i -> AffineTerm? in
            let c = m[i]!
            return c.isZero ? nil : AffineTerm(index: i, coefficient: c)
        }
        return AffineForm(terms: terms, constant: x.constant - y.constant)
    }

    /// 2^w for every width (computed once), and the wrap limit.
    static let powersOfTwo = (0...CompiledStatement.maximumBitWidth).map { BigInt.powerOfTwo($0) }
    static let wrapLimit = BigInt.powerOfTwo(CompiledStatement.wrapLimitBits)

    static func powerOfTwo(width w: Int) -> BigInt {
        w >= 0 && w < powersOfTwo.count ? powersOfTwo[w] : BigInt.powerOfTwo(w)
    }

    /// The smallest width w ≥ 1 with maxValue < 2^w, or nil beyond
    /// `CompiledStatement.maximumBitWidth`.
    static func width(for maxValue: BigInt) -> Int? {
        let w = Swift.max(1, maxValue.signum > 0 ? maxValue.bitWidth : 0)
        return w <= CompiledStatement.maximumBitWidth ? w : nil
    }

    /// Names the variable that contributes most to a form's range.
    func dominantTerm(_ terms: [AffineTerm], lo: [BigInt], hi: [BigInt]) -> String {
        var best: (BigInt, Int)? = nil
        for t in terms {
            let m = (t.coefficient * BigInt.max(lo[t.index].magnitude, hi[t.index].magnitude)).magnitude
            if best == nil || best!.0 < m { best = (m, t.index) }
        }
        guard let (_, i) = best else { return "" }
        return "; the largest contribution comes from \(names[i])"
    }

    func bitsText(_ x: BigInt) -> String { "about 2^\(x.magnitude.bitWidth)" }

    /// Creates (or reuses) the helper for max/min of `branches`; returns the
    /// expression that stands for it (its variable times its unit).
    ///
    /// `naming` gives the branches' labels and the helper's name; it is
    /// called only when a new helper is created (or for an error).
    /// Every call is charged to the budget by the size of its branches
    /// (`helperCallUnits` + 2 per term), a new helper once more
    /// (`newHelperUnits` + 4 per term, for its ranges and constraints) and
    /// by its pairwise analysis (`chargePairs`).
    mutating func helper(isMax: Bool, _ branches: [Lin], naming describe: ([String], [Rational]) -> (labels: [String], name: String)) throws(MarginError) -> Lin {
        // The arrays are passed, not captured: a captured copy would make
        // every later `append` copy them.
        func naming() -> (labels: [String], name: String) { describe(names, unit) }
        if branches.allSatisfy({ $0.terms.isEmpty }) {
            let cs = branches.map(\.constant)
            var out = Lin()
            out.addConstant(cs.dropFirst().reduce(cs[0]) { isMax ? Rational.max($0, $1) : Rational.min($0, $1) })
            return out
        }
        let termCount = branches.reduce(0) { $0 + $1.terms.count + 1 }
        guard budget.charge(Lowerer.helperCallUnits + 2 * termCount) else {
            throw .statement("helper `\(naming().name)` (\(context)): " + CircuitLimits.workMessage)
        }
        guard let (forms0, scale) = Lowerer.integerize(branches) else { throw denominatorError("helper `\(naming().name)` (\(context))") }
        // Drop duplicate branches, keeping the first label.
        var forms: [AffineForm] = []
        var keptIndices: [Int] = []
        var seen: Set<AffineForm> = []
        for (i, f) in forms0.enumerated() where seen.insert(f).inserted {
            forms.append(f)
            keptIndices.append(i)
        }
        if forms.count == 1 { return branches[keptIndices[0]] }
        let unitValue = Rational.one / scale
        guard unitValue.bitSize <= CircuitLimits.maximumConstantBits else {
            throw .statement("helper `\(naming().name)` (\(context)): " + CircuitLimits.exceeds("its unit 1/\(scale) has \(unitValue.bitSize) bits", CircuitLimits.maximumConstantBits, "maximumConstantBits"))
        }
        let key = HelperKey(kind: isMax ? .maximum : .minimum, unit: unitValue, branches: Set(forms))
        if let t = cache[key] {
            var out = Lin()
            out.add(t, unitValue)
            return out
        }
        let (labels, baseName) = naming()
        let formLabels = keptIndices.map { labels[$0] }
        guard budget.charge(Lowerer.newHelperUnits + 4 * termCount) else {
            throw .statement("helper `\(baseName)` (\(context)): " + CircuitLimits.workMessage)
        }

        let t = inputCount + helpers.count
        let limit = Lowerer.wrapLimit
        let hr = forms.map { Lowerer.range($0.terms, $0.constant, lo: honestLo, hi: honestHi) }
        let ar = forms.map { Lowerer.range($0.terms, $0.constant, lo: advLo, hi: advHi) }

        // Honest range of t and the largest honest value of each constraint.
        let tHonestLo = isMax ? hr.map(\.0).max()! : hr.map(\.0).min()!
        let tHonestHi = isMax ? hr.map(\.1).max()! : hr.map(\.1).min()!
        var widths: [Int] = []
        var maxValues: [BigInt] = []
        try chargePairs(forms, name: baseName)
        for k in forms.indices {
            var m = BigInt.zero
            for j in forms.indices where j != k {
                let hi = isMax ? Lowerer.differenceUpperBound(forms[j], forms[k], lo: honestLo, hi: honestHi)
                               : Lowerer.differenceUpperBound(forms[k], forms[j], lo: honestLo, hi: honestHi)
                m = BigInt.max(m, hi)
            }
            guard let w = Lowerer.width(for: m) else {
                throw .statement("helper `\(baseName)`: its constraint against \(formLabels[k]) can reach \(bitsText(m)) for accounts within the declared bounds, beyond the widest range a proof can show, 2^\(CompiledStatement.maximumBitWidth)\(dominantTerm(forms[k].terms, lo: honestLo, hi: honestHi)); tighten the private inputs' bounds or coarsen the parameters' precision")
            }
            widths.append(w)
            maxValues.append(m)
        }

        // Bound any committed t from its first constraint, then check that no
        // constraint can wrap, then intersect the bounds all constraints imply.
        let first0 = isMax ? ar[0].0 : ar[0].0 - Lowerer.powerOfTwo(width: widths[0]) + 1
        let first1 = isMax ? ar[0].1 + Lowerer.powerOfTwo(width: widths[0]) - 1 : ar[0].1
        var magnitudes: [BigInt] = []
        for k in forms.indices {
            let (lo, hi) = isMax ? (first0 - ar[k].1, first1 - ar[k].0) : (ar[k].0 - first1, ar[k].1 - first0)
            let mag = BigInt.max(lo.magnitude, hi.magnitude)
            guard mag < limit else {
                throw .statement("helper `\(baseName)`: its constraint against \(formLabels[k]) could reach \(bitsText(mag)) for a dishonest prover's helper values, not safely below 2^\(CompiledStatement.wrapLimitBits); it could wrap around the group order\(dominantTerm(forms[k].terms, lo: advLo, hi: advHi))")
            }
            magnitudes.append(mag)
        }
        var tLo = first0, tHi = first1
        for k in forms.indices {
            let p = Lowerer.powerOfTwo(width: widths[k])
            if isMax {
                tLo = BigInt.max(tLo, ar[k].0)
                tHi = BigInt.min(tHi, ar[k].1 + p - 1)
            } else {
                tLo = BigInt.max(tLo, ar[k].0 - p + 1)
                tHi = BigInt.min(tHi, ar[k].1)
            }
        }

        let name = uniqueName(baseName)
        unit.append(unitValue)
        honestLo.append(tHonestLo)
        honestHi.append(tHonestHi)
        advLo.append(tLo)
        advHi.append(tHi)
        helpers.append(CompiledHelper(id: name, lowerBound: tLo, upperBound: tHi, kind: isMax ? .maximum : .minimum,
                                      branches: forms, unit: unitValue))
        let tForm = AffineForm(terms: [AffineTerm(index: t, coefficient: .one)], constant: .zero)
        for k in forms.indices {
            let f = isMax ? Lowerer.difference(tForm, forms[k]) : Lowerer.difference(forms[k], tForm)
            helperConstraints.append(RangeConstraint(
                name: "\(name) \(isMax ? ">=" : "<=") \(formLabels[k])", isRequirement: false,
                terms: f.terms, constant: f.constant, bitWidth: widths[k], scale: scale,
                maxValue: maxValues[k], maxMagnitude: magnitudes[k]))
        }
        cache[key] = t
        var out = Lin()
        out.add(t, unitValue)
        return out
    }

    /// A new helper's id, unique: a repeated description gets a number
    /// (`name #2`, …); recorded as the next variable's name.
    mutating func uniqueName(_ baseName: String) -> String {
        var name = baseName
        if usedNames.contains(name) {
            var n = nextSuffix[name] ?? 2
            while usedNames.contains("\(name) #\(n)") { n += 1 }
            nextSuffix[name] = n + 1
            name = "\(name) #\(n)"
        }
        usedNames.insert(name)
        names.append(name)
        return name
    }

    /// Charges the pairwise width analysis of a helper's k branches of T
    /// terms in all, 2(k − 1)·T + k(k − 1) term operations, before doing it.
    mutating func chargePairs(_ forms: [AffineForm], name: String) throws(MarginError) {
        let k = forms.count
        let t = forms.reduce(0) { $0 + $1.terms.count }
        let cost = (2 * (k - 1)).timesOrNil(t).flatMap { a in k.timesOrNil(k - 1).map { a + $0 } } ?? Int.max
        guard budget.charge(cost) else {
            throw .statement("helper `\(name)` (\(context)): comparing its \(k) branches pairwise takes \(cost == Int.max ? "too many" : "\(cost)") steps, and " + CircuitLimits.workMessage)
        }
    }

    func denominatorError(_ what: String) -> MarginError {
        .statement("\(what): the common denominator of its coefficients has more than \(Lowerer.maximumDenominatorBits) bits (twice CircuitLimits.maximumConstantBits + 251), so every integer coefficient would exceed 2^251 and the form could wrap around the group order")
    }

    /// Whether a requirement side `rhs` is ≥ 0 for every account within the
    /// declared bounds: −rhs, lowered as in its requirement (coefficient −1,
    /// so its helpers are found, not made), has an honest range ≤ 0.
    /// Charged as lowering it.
    mutating func isNeverNegative(_ rhs: Ground) throws(MarginError) -> Bool {
        var lin = Lin()
        try lower(rhs, coefficient: -1, polarity: 1, into: &lin)
        guard let (forms, _) = Lowerer.integerize([lin]) else { return false }
        return Lowerer.range(forms[0].terms, forms[0].constant, lo: honestLo, hi: honestHi).1.signum <= 0
    }

    /// The requirement's range constraint, charged 2 units per term
    /// (integerizing it and bounding it twice).
    mutating func requirementConstraint(_ name: String, _ lin: Lin) throws(MarginError) -> RangeConstraint {
        guard budget.charge(2 * (lin.terms.count + 1)) else { throw .statement("requirement `\(name)`: " + CircuitLimits.workMessage) }
        guard let (forms, scale) = Lowerer.integerize([lin]) else { throw denominatorError("requirement `\(name)`") }
        let f = forms[0]
        let (_, hi) = Lowerer.range(f.terms, f.constant, lo: honestLo, hi: honestHi)
        guard let w = Lowerer.width(for: hi) else {
            throw .statement("requirement `\(name)`: its excess can reach \(bitsText(hi)) (the form counts units of 1/\(scale) of the quote currency) for accounts within the declared bounds, beyond the widest range a proof can show, 2^\(CompiledStatement.maximumBitWidth)\(dominantTerm(f.terms, lo: honestLo, hi: honestHi)); tighten the private inputs' bounds or coarsen the parameters' precision")
        }
        let (alo, ahi) = Lowerer.range(f.terms, f.constant, lo: advLo, hi: advHi)
        let mag = BigInt.max(alo.magnitude, ahi.magnitude)
        guard mag < Lowerer.wrapLimit else {
            throw .statement("requirement `\(name)`: its form could reach \(bitsText(mag)) in magnitude for a dishonest prover's helper values, not safely below 2^\(CompiledStatement.wrapLimitBits); it could wrap around the group order\(dominantTerm(f.terms, lo: advLo, hi: advHi))")
        }
        return RangeConstraint(name: name, isRequirement: true, terms: f.terms, constant: f.constant,
                               bitWidth: w, scale: scale, maxValue: hi, maxMagnitude: mag)
    }
}

extension CompiledStatement {
    /// A human-readable listing of the statement: inputs with bounds, helpers
    /// with their definitions, constraints with their forms and widths.
    public var listing: String {
        var names = inputs.map(\.id) + helpers.map(\.id)
        names = names.map { $0.contains(" ") ? "⟨\($0)⟩" : $0 }
        func form(_ terms: [AffineTerm], _ constant: BigInt) -> String {
            var parts: [String] = []
            for t in terms {
                let c = t.coefficient
                let mag = c.magnitude
                let body = mag == .one ? names[t.index] : "\(mag)·\(names[t.index])"
                parts.append(parts.isEmpty ? (c.isNegative ? "-" + body : body) : (c.isNegative ? "- " + body : "+ " + body))
            }
            if !constant.isZero || parts.isEmpty {
                parts.append(parts.isEmpty ? "\(constant)" : (constant.isNegative ? "- \(constant.magnitude)" : "+ \(constant)"))
            }
            return parts.joined(separator: " ")
        }
        var out = "circuit \(circuitName): \(inputs.count) inputs, \(helpers.count) helpers, \(constraints.count) range constraints\n"
        for (i, x) in inputs.enumerated() {
            out += "  x\(i) \(x.id) ∈ [\(x.lowerBound), \(x.upperBound)] × \(x.scale)\n"
        }
        for (k, h) in helpers.enumerated() {
            let branches = h.branches.map { form($0.terms, $0.constant) }.joined(separator: ", ")
            let definition: String
            switch h.kind {
            case .maximum, .minimum: definition = "\(h.kind == .maximum ? "max" : "min")(\(branches))"
            case .ceiling, .floor: definition = "\(h.kind == .ceiling ? "ceil" : "floor")((\(branches)) / \(h.divisor))"
            }
            out += "  x\(inputs.count + k) \(h.id) = \(definition) × \(h.unit), implied ∈ [\(h.lowerBound), \(h.upperBound)]\n"
        }
        for c in constraints {
            out += "  [\(c.bitWidth) bits] \(c.name): \(form(c.terms, c.constant)) ≥ 0   (÷ \(c.scale); max \(c.maxValue.bitWidth) bits, |·| < 2^\(c.maxMagnitude.bitWidth))\n"
        }
        return out
    }
}
