// What the custodian commits to, made from what the circuit reads.
//
// A circuit reads one value per element of each `private` declaration (the
// elementary inputs: a signed position size, a cost, a balance). Two things
// make the committed inputs differ from them:
//
// * **Two parts of a signed input.** A position (`from size`) or a balance
//   (`from balance`) whose bounds lie on both sides of 0 is committed as two
//   parts, each ≥ 0 and within the declared bound of its side: a position's
//   long = max(size, 0) and short = max(−size, 0), a balance's asset =
//   max(balance, 0) and liability = max(−balance, 0) (a borrowed balance).
//   The lowering reads x as positive − negative part, `abs(α·x)` as |α|·(sum
//   of the parts) and `max(±α·x, 0)` / `min(±α·x, 0)` as one part (see
//   `Lowerer.signedPosition`, `positionPart`). Those are exact for the
//   canonical split an honest custodian commits (at most one part nonzero);
//   for any other split (a self-attesting prover's choice, both parts
//   raised by the same d ≥ 0) abs and max can only be larger and min only
//   smaller than their true value, and the checker's convexity rule puts abs
//   and max only where larger can only hurt the account, min only where
//   smaller can. So no split can hide a shortfall, and no helper commitment
//   or range constraint is needed per element: the proof's cost follows the
//   account's requirements. (Collateral written `balance·price −
//   max(balance, 0)·price·haircut` reads price·(1 − haircut)·asset −
//   price·liability: raising both parts by d changes it by −price·haircut·d ≤ 0.)
//   Hedge mode (both sides really held) is not modelled: an account gives one
//   signed size per instrument and one signed balance per asset.
// * **Summed declarations.** When every form (each helper branch, each
//   constraint) has one common coefficient for all elements of a
//   declaration — as the cost of all positions has, which only appears in
//   Σ size·mark − Σ cost — only their sum matters, and it is committed once,
//   with bounds the sums of the elements' bounds. Every form's value, range
//   and width is the same as with the elements committed one by one.

/// The variables one elementary input stands for in the lowering.
enum ElementaryVariables: Sendable {
    case single(Int)
    /// x = long − short: a position's long and short parts, a balance's
    /// asset and liability parts.
    case split(long: Int, short: Int)
}

/// How one committed input's value is made from the elementary values.
enum InputRecipe: Sendable {
    /// The elementary value itself.
    case whole(Int)
    /// max(x, 0) for the long (asset) part, max(−x, 0) for the short
    /// (liability) part.
    case long(Int)
    case short(Int)
    /// The sum of these elementary values.
    case sum([Int])

    /// Whether this input is made only from elementary inputs in `set`
    /// (a sum is never: it is not excluded element by element).
    func reads(_ set: Set<Int>) -> Bool {
        switch self {
        case .whole(let j), .long(let j), .short(let j): return set.contains(j)
        case .sum: return false
        }
    }

    func value(_ x: [BigInt]) -> BigInt {
        switch self {
        case .whole(let j): return x[j]
        case .long(let j): return x[j].isNegative ? .zero : x[j]
        case .short(let j): return x[j].isNegative ? -x[j] : .zero
        case .sum(let js): return js.reduce(BigInt.zero) { $0 + x[$1] }
        }
    }
}

/// The lowering's variables: each elementary input as is, or the two parts
/// of a signed position or balance.
struct VariableSplit {
    var variables: [CompiledInput] = []
    var recipes: [InputRecipe] = []
    /// Per elementary input, its variables.
    var map: [ElementaryVariables] = []
    /// A long (asset) part's short (liability) part.
    var partner: [Int: Int] = [:]
    /// Per declaration that is neither a position nor split and has several
    /// elements, its variables: the candidates for being committed as one sum.
    var groups: [[Int]] = []

    /// The suffixes of the two parts of an input of a declaration reading
    /// `fields`, if its bounds make it one to split: a position's
    /// (`from size`) or a balance's (`from balance`), each with bounds on
    /// both sides of 0.
    static func partNames(_ fields: [String]) -> (positive: String, negative: String)? {
        switch fields {
        case ["size"]: return ("long", "short")
        case ["balance"]: return ("asset", "liability")
        default: return nil
        }
    }

    init(elementary: [CompiledInput], sources: [InputSource], circuit: CheckedCircuit) {
        var byDeclaration: [Int: [Int]] = [:]
        var splitDeclarations: Set<Int> = []
        for (j, x) in elementary.enumerated() {
            let d = circuit.inputs[sources[j].declaration]
            if let parts = VariableSplit.partNames(d.fields), x.lowerBound.isNegative, x.upperBound.signum > 0 {
                let long = variables.count
                variables.append(CompiledInput(id: "\(x.id).\(parts.positive)", lowerBound: .zero, upperBound: x.upperBound, scale: x.scale))
                variables.append(CompiledInput(id: "\(x.id).\(parts.negative)", lowerBound: .zero, upperBound: -x.lowerBound, scale: x.scale))
                recipes += [.long(j), .short(j)]
                map.append(.split(long: long, short: long + 1))
                partner[long] = long + 1
                splitDeclarations.insert(sources[j].declaration)
            } else {
                // Positions themselves are never summed: each stays
                // excludable from an anonymity set (`hidingAmong`).
                if d.fields != ["size"] { byDeclaration[sources[j].declaration, default: []].append(variables.count) }
                map.append(.single(variables.count))
                variables.append(x)
                recipes.append(.whole(j))
            }
        }
        // A declaration with a split element is not summed either: its
        // elements are committed one by one.
        groups = byDeclaration.keys.sorted().compactMap { k in
            !splitDeclarations.contains(k) && byDeclaration[k]!.count > 1 ? byDeclaration[k]! : nil
        }
    }
}

/// The elementary inputs an anonymity set fixes at zero (`hidingAmong`),
/// the elements they belong to, and the summed groups of the statement of
/// the whole bundle, kept so that both statements commit the same inputs.
struct Exclusion: Sendable {
    let elementary: Set<Int>
    let elements: [String]
    let summedGroups: [[Int]]
}

/// Commits each summable group once: the final inputs, recipes, helpers and
/// constraints, every index renumbered.
struct Aggregation {
    var inputs: [CompiledInput] = []
    var recipes: [InputRecipe] = []
    var helpers: [CompiledHelper] = []
    var constraints: [RangeConstraint] = []
    /// The groups committed as one sum.
    var summedGroups: [[Int]] = []
    /// A forced group that some form does not weigh alike (its first
    /// variable): such a form cannot be written over the group's sum.
    var unevenForcedGroup: Int? = nil

    /// With `forced`, exactly those groups are summed (the layout of the
    /// statement of the whole bundle, which an anonymity set must keep).
    init(variables: [CompiledInput], recipes oldRecipes: [InputRecipe], groups: [[Int]], helpers oldHelpers: [CompiledHelper],
         constraints oldConstraints: [RangeConstraint], summed forced: [[Int]]? = nil) {
        let forms = oldHelpers.flatMap(\.branches) + oldConstraints.map(\.form)
        let limit = BigInt.powerOfTwo(CompiledStatement.wrapLimitBits)
        // A group is summable when every form gives all its variables one
        // coefficient (zero included), and its sum stays within the limit.
        var summed: [Int: [Int]] = [:]   // first variable of a group → the group
        func common(_ g: [Int]) -> Bool {
            let members = Set(g)
            return forms.allSatisfy { f in
                var coefficient: BigInt? = nil
                var seen = 0
                for t in f.terms where members.contains(t.index) {
                    seen += 1
                    if let c = coefficient, c != t.coefficient { return false }
                    coefficient = t.coefficient
                }
                return seen == 0 || seen == members.count
            }
        }
        for g in forced ?? [] {
            summed[g[0]] = g
            if unevenForcedGroup == nil, !common(g) { unevenForcedGroup = g[0] }
        }
        for g in groups where forced == nil {
            let common = common(g)
            let lo = g.reduce(BigInt.zero) { $0 + variables[$1].lowerBound }
            let hi = g.reduce(BigInt.zero) { $0 + variables[$1].upperBound }
            // One scale too (per-element scales may differ), so that the sum
            // is a count of one unit.
            let oneScale = g.allSatisfy { variables[$0].scale == variables[g[0]].scale }
            if common, oneScale, lo.magnitude < limit, hi.magnitude < limit { summed[g[0]] = g }
        }
        summedGroups = summed.keys.sorted().map { summed[$0]! }
        // New indices: a group's first variable becomes the sum, the others go.
        var newIndex = [Int?](repeating: nil, count: variables.count)
        let dropped = Set(summed.values.flatMap { $0.dropFirst() })
        for (v, x) in variables.enumerated() where !dropped.contains(v) {
            newIndex[v] = inputs.count
            if let g = summed[v] {
                let name = x.id.split(separator: "[").first.map(String.init) ?? x.id
                inputs.append(CompiledInput(id: "sum(\(name))",
                                            lowerBound: g.reduce(BigInt.zero) { $0 + variables[$1].lowerBound },
                                            upperBound: g.reduce(BigInt.zero) { $0 + variables[$1].upperBound }, scale: x.scale))
                recipes.append(.sum(g.map { if case .whole(let j) = oldRecipes[$0] { return j } else { preconditionFailure("only whole inputs are summed") } }))
            } else {
                inputs.append(x)
                recipes.append(oldRecipes[v])
            }
        }
        let shift = variables.count - inputs.count
        func remap(_ f: AffineForm) -> AffineForm {
            var terms: [AffineTerm] = []
            terms.reserveCapacity(f.terms.count)
            for t in f.terms {
                if t.index >= variables.count {
                    terms.append(AffineTerm(index: t.index - shift, coefficient: t.coefficient))
                } else if let i = newIndex[t.index] {
                    terms.append(AffineTerm(index: i, coefficient: t.coefficient))
                }   // a dropped group member: its common coefficient is on the group's first
            }
            terms.sort { $0.index < $1.index }
            return AffineForm(terms: terms, constant: f.constant)
        }
        helpers = oldHelpers.map { h in
            CompiledHelper(id: h.id, lowerBound: h.lowerBound, upperBound: h.upperBound, kind: h.kind, branches: h.branches.map(remap), unit: h.unit, divisor: h.divisor)
        }
        constraints = oldConstraints.map { c in
            let f = remap(c.form)
            return RangeConstraint(name: c.name, isRequirement: c.isRequirement, terms: f.terms, constant: f.constant, bitWidth: c.bitWidth,
                                   scale: c.scale, maxValue: c.maxValue, maxMagnitude: c.maxMagnitude)
        }
    }
}
