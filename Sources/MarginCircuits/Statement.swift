// The public contract between the circuit compiler and the prover/verifier:
// committed inputs, prover helpers and exact integer range constraints.

/// One term `coefficient · x[index]` of an affine form; `index` points into
/// `inputs ++ helpers` (helpers start at `inputs.count`).
public struct AffineTerm: Sendable, Hashable {
    public let index: Int
    public let coefficient: BigInt

    public init(index: Int, coefficient: BigInt) {
        self.index = index
        self.coefficient = coefficient
    }
}

/// Σ coefficient·x[index] + constant, over ℤ.
public struct AffineForm: Sendable, Hashable {
    /// Sorted by index, no zero coefficients, no repeated index.
    public let terms: [AffineTerm]
    public let constant: BigInt

    public init(terms: [AffineTerm], constant: BigInt) {
        self.terms = terms
        self.constant = constant
    }

    public func evaluate(_ values: [BigInt]) -> BigInt {
        var acc = constant
        for t in terms { acc += t.coefficient * values[t.index] }
        return acc
    }
}

/// A committed input (custodian-attested): the integer `value / scale` of one
/// account quantity, e.g. `size[BTC-PERP]` = size / 1e-8.
public struct CompiledInput: Sendable, Hashable {
    /// `name[element]`, e.g. `balance[BTC]`, `size[BTC-PERP]`, `cost[BTC-PERP]`.
    public let id: String
    /// Declared bounds, in integer units (the custodian refuses values outside them).
    public let lowerBound: BigInt
    public let upperBound: BigInt
    /// Real value = integer value × scale.
    public let scale: Rational
}

/// A prover helper commitment: the maximum (or minimum) of affine forms over
/// the inputs and earlier helpers, or the quotient of one form rounded up
/// (ceiling) or down (floor) by a positive integer divisor. The prover
/// computes it with `value(given:)`; the circuit's range constraints force
/// any committed value to be ≥ every branch (≤ for a minimum; for ceiling
/// divisor·t ≥ the branch, for floor ≤), which is all soundness needs.
public struct CompiledHelper: Sendable {
    public enum Kind: String, Sendable { case maximum, minimum, ceiling, floor }

    public let id: String
    /// The bounds the helper's own range constraints imply for any value a
    /// prover could commit (used in the wrap-around analysis).
    public let lowerBound: BigInt
    public let upperBound: BigInt
    public let kind: Kind
    /// Branches over `inputs ++ helpers`, referring only to earlier indices.
    public let branches: [AffineForm]
    /// Real value = integer value × unit.
    public let unit: Rational
    /// For ceiling and floor, Q > 1: the helper counts multiples of Q in
    /// its single branch's units (its unit is the rounding quantum); 1 for
    /// maximum and minimum.
    public let divisor: BigInt

    public init(id: String, lowerBound: BigInt, upperBound: BigInt, kind: Kind, branches: [AffineForm], unit: Rational, divisor: BigInt = .one) {
        self.id = id
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.kind = kind
        self.branches = branches
        self.unit = unit
        self.divisor = divisor
    }

    /// The honest value: max (or min) of the branches on `values`
    /// (inputs followed by the earlier helpers); for ceiling (floor),
    /// ⌈branch/divisor⌉ (⌊…⌋), exactly.
    public func value(given values: [BigInt]) -> BigInt {
        switch kind {
        case .ceiling: return BigInt.ceilingDivide(branches[0].evaluate(values), divisor)
        case .floor: return BigInt.floorDivide(branches[0].evaluate(values), divisor)
        case .maximum, .minimum: break
        }
        var best = branches[0].evaluate(values)
        for b in branches.dropFirst() {
            let v = b.evaluate(values)
            if kind == .maximum ? best < v : v < best { best = v }
        }
        return best
    }
}

/// "form ∈ [0, 2^bitWidth)" with form = Σ coefficient·x[index] + constant.
public struct RangeConstraint: Sendable {
    /// The requirement's name (`maintenance`, `scenario[down-15]`), or what a
    /// helper constraint says, e.g. `abs(size[BTC-PERP]) short part >= 0`.
    public let name: String
    /// True for margin requirements, false for helper/auxiliary constraints.
    public let isRequirement: Bool
    public let terms: [AffineTerm]
    public let constant: BigInt
    /// The smallest width with `maxValue < 2^bitWidth`, from 1 to
    /// `CompiledStatement.maximumBitWidth`: what the range proofs prove, exactly.
    public let bitWidth: Int
    /// form value / scale = the quantity in the quote currency (for a
    /// requirement: its excess, equity − requirement).
    public let scale: Rational
    /// The largest value the form takes for honest helpers and inputs within
    /// their declared bounds (an upper bound by interval arithmetic).
    public let maxValue: BigInt
    /// A bound on |form| for any helper values a prover could commit that
    /// pass the helpers' own constraints; always < 2^250.
    public let maxMagnitude: BigInt

    public var form: AffineForm { AffineForm(terms: terms, constant: constant) }

    public func value(_ values: [BigInt]) -> BigInt { form.evaluate(values) }
}

/// Per requirement: the two sides of `require equity >= requirement` and
/// their difference, in the quote currency.
public struct RequirementReport: Sendable, Equatable {
    public let name: String
    public let equity: Rational
    public let requirement: Rational
    public let excess: Rational
    public var meets: Bool { excess.signum >= 0 }
}

/// What `zkmargin check` prints.
public struct MarginReport: Sendable {
    public let circuitName: String
    public let venue: String
    public let quote: String
    public let account: String
    /// Every requirement, the binding one (smallest excess) first; ties keep
    /// the circuit's order.
    public let requirements: [RequirementReport]

    public var meets: Bool { requirements.allSatisfy(\.meets) }
    public var binding: RequirementReport? { requirements.first }
    public var failing: [RequirementReport] { requirements.filter { !$0.meets } }
}
