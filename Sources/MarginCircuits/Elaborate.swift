// Elaboration: a checked circuit plus risk values become ground requirement
// trees — every loop expanded, every parameter replaced by its exact value,
// every public sub-expression folded to a constant. The ground trees drive
// both the plain evaluator (which computes abs/max/min/ceil/floor exactly) and
// the lowering to affine forms (which replaces them by helper commitments).

/// A ground expression over the committed inputs.
indirect enum Ground: Sendable {
    case constant(Rational)
    /// Committed input j; its real value is (integer value) × inputs[j].scale.
    case input(Int)
    case sum([Ground])
    case scaled(Rational, Ground)
    case abs(Ground)
    /// max/min of the arguments; `labels` name the branches (for constraint
    /// names), `origin` names the construct and its bindings.
    case extremum(isMax: Bool, [Ground], labels: [String], origin: String)
    /// ceil (`up`) or floor of the argument to a multiple of the quantum
    /// (> 0); `origin` names the construct and its bindings.
    case rounded(up: Bool, Ground, quantum: Rational, origin: String)
    /// The expansion of one `let` for one binding of its indices, shared by
    /// every use; the id (unique per compilation) lets the lowering and the
    /// evaluator handle it once instead of once per use.
    case shared(Int, Ground)

    var constantValue: Rational? {
        if case .constant(let c) = self { return c }
        return nil
    }
}

struct GroundRequirement: Sendable {
    let name: String
    let lhs: Ground
    let rhs: Ground
}

enum ParamValue: Sendable {
    case scalar(Rational)
    case vector([Rational])
    case matrix([[Rational]])

    /// The value a private input's element reads: the scalar, or the
    /// vector's entry for `element` (of the input's own set); nil for a
    /// matrix, which the checker admits in neither place.
    func value(forElement element: Int) -> Rational? {
        switch self {
        case .scalar(let v): return v
        case .vector(let xs): return xs[element]
        case .matrix: return nil
        }
    }
}

/// Risk values matched to a circuit's sets and parameters.
struct BoundValues: Sendable {
    var elements: [[String]] = []
    var index: [[String: Int]] = []
    var params: [ParamValue] = []
    let setPaths: [String]

    /// Matches the values to the circuit. Every parameter entry bound
    /// (defaults included) is charged to `budget` before it is created.
    static func bind(_ c: CheckedCircuit, _ v: RiskValues, budget: inout WorkBudget) throws(MarginError) -> BoundValues {
        var b = BoundValues(setPaths: c.sets.map { "values.\($0.name)" })
        let declaredSets = Set(c.sets.map(\.name))
        for key in v.sets.keys.sorted() where !declaredSets.contains(key) {
            throw .field("values.\(key)", "unknown field: the circuit has no set `\(key)` (its sets are \(c.sets.map(\.name).joined(separator: ", ")))")
        }
        for s in c.sets {
            guard let elements = v.sets[s.name] else {
                throw .field("values.\(s.name)", "missing (the circuit declares `set \(s.name)` at line \(s.loc.line); give its elements as an array)")
            }
            let ids = elements.map(\.id)
            b.elements.append(ids)
            b.index.append(Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) }))
        }
        // Scalar parameters.
        let scalarNames = Set(c.params.filter { $0.dims.isEmpty }.map(\.name))
        for key in v.parameters.keys.sorted() where !scalarNames.contains(key) {
            if let p = c.params.first(where: { $0.name == key }) {
                throw .field("values.parameters.\(key)", "`\(key)` is indexed by \(c.sets[p.dims[0]].name); give it as a field of each element of values.\(c.sets[p.dims[0]].name)")
            }
            let known = scalarNames.sorted().joined(separator: ", ")
            throw .field("values.parameters.\(key)", "unknown parameter (the circuit's scalar parameters are: \(known.isEmpty ? "none" : known))")
        }
        // Element fields must be parameters over that set.
        for (si, s) in c.sets.enumerated() {
            let allowed = Set(c.params.filter { $0.dims.first == si }.map(\.name))
            for e in v.sets[s.name]! {
                for f in e.fields.keys.sorted() where !allowed.contains(f) {
                    let list = allowed.sorted().joined(separator: ", ")
                    throw .field("values.\(s.name)[\(quoted(e.id))].\(f)", "unknown field (the circuit's parameters over \(s.name) are: \(list.isEmpty ? "none" : list))")
                }
            }
        }
        for p in c.params {
            try chargeEntries(p, c, b, &budget)
            b.params.append(try bindParam(p, c, v, b))
        }
        return b
    }

    /// Charges the entries of `p` (1, one per element, or rows × columns)
    /// before they are bound: a matrix with defaults is filled in full.
    static func chargeEntries(_ p: ParamInfo, _ c: CheckedCircuit, _ b: BoundValues, _ budget: inout WorkBudget) throws(MarginError) {
        let sizes = p.dims.map { b.elements[$0].count }
        let entries = sizes.reduce(1) { $0.timesOrNil($1) ?? Int.max }
        let shape = sizes.map(String.init).joined(separator: " × ")
        let path = p.dims.isEmpty ? "values.parameters.\(p.name)" : "values.\(c.sets[p.dims[0]].name)"
        guard budget.charge(entries) else {
            throw .field(path, "`\(p.name)` has \(sizes.isEmpty ? "1 entry" : "\(shape) entries"), and " + CircuitLimits.workMessage)
        }
    }

    /// `value` when the parameter's declared range admits it. The path is
    /// built only for an error (a book binds a path per entry).
    static func checkBound(_ p: ParamInfo, _ value: Rational, _ path: @autoclosure () -> String) throws(MarginError) -> Rational {
        guard p.admits(value) else {
            throw .field(path(), "\(value) is outside the declared range of `\(p.name)` (\(p.boundText), line \(p.loc.line))")
        }
        return value
    }

    static func bindParam(_ p: ParamInfo, _ c: CheckedCircuit, _ v: RiskValues, _ b: BoundValues) throws(MarginError) -> ParamValue {
        switch p.dims.count {
        case 0:
            let path = "values.parameters.\(p.name)"
            if let x = v.parameters[p.name] { return .scalar(try checkBound(p, x, path)) }
            if let d = p.defaultValue { return .scalar(d) }
            throw .field(path, "missing (declared at line \(p.loc.line) as `param \(p.name)` without a default)")
        case 1:
            let set = c.sets[p.dims[0]].name
            var out: [Rational] = []
            for e in v.sets[set]! {
                var path: String { "values.\(set)[\(quoted(e.id))].\(p.name)" }
                switch e.fields[p.name] {
                case .decimal(let x)?: out.append(try checkBound(p, x, path))
                case nil:
                    guard let d = p.defaultValue else {
                        throw .field(path, "missing (declared at line \(p.loc.line) as `param \(p.name)[\(set)]` without a default)")
                    }
                    out.append(d)
                default:
                    throw .field(path, "expected a decimal, found a row (`\(p.name)` is indexed by \(set) only)")
                }
            }
            return .vector(out)
        default:
            let rowSet = c.sets[p.dims[0]].name
            let colSet = c.sets[p.dims[1]].name
            let cols = b.elements[p.dims[1]]
            var out: [[Rational]] = []
            for e in v.sets[rowSet]! {
                var path: String { "values.\(rowSet)[\(quoted(e.id))].\(p.name)" }
                var row: [Rational] = []
                switch e.fields[p.name] {
                case .byID(let m)?:
                    for k in m.keys.sorted() where b.index[p.dims[1]][k] == nil {
                        throw .field("\(path)[\(quoted(k))]", "unknown id: values.\(colSet) has no element \(quoted(k))")
                    }
                    for col in cols {
                        if let x = m[col] { row.append(try checkBound(p, x, "\(path)[\(quoted(col))]")) }
                        else if let d = p.defaultValue { row.append(d) }
                        else { throw .field("\(path)[\(quoted(col))]", "missing (`\(p.name)` has no default)") }
                    }
                case .list(let xs)?:
                    guard xs.count == cols.count else {
                        throw .field(path, "expected \(cols.count) values, one per element of values.\(colSet) in order, found \(xs.count)")
                    }
                    for (j, x) in xs.enumerated() { row.append(try checkBound(p, x, "\(path)[\(j)]")) }
                case nil:
                    guard let d = p.defaultValue else {
                        throw .field(path, "missing (declared at line \(p.loc.line) as `param \(p.name)[\(rowSet), \(colSet)]`; give an object keyed by \(colSet) ids)")
                    }
                    row = Array(repeating: d, count: cols.count)
                case .decimal?:
                    throw .field(path, "expected a row over \(colSet): an object keyed by \(colSet) ids or an array in their order")
                }
                out.append(row)
            }
            return .matrix(out)
        }
    }
}

struct Elaborator {
    let circuit: CheckedCircuit
    let values: BoundValues
    /// Index of the first committed input of each private declaration.
    let inputBase: [Int]
    var env: [Int]
    var active: [Int] = []
    var letMemo: [String: Ground] = [:]
    /// Ids given to `.shared` let expansions so far.
    var sharedCount = 0
    /// Work done so far (CircuitLimits.maximumExpandedTerms): one unit per
    /// node elaborated, per term copied into a sum, per binding written
    /// into a name or a memo key.
    var budget: WorkBudget
    /// What is being expanded, outermost first: the requirement, then the
    /// `let`s being expanded inside it (for limit errors).
    var contexts: [String] = []

    init(circuit: CheckedCircuit, values: BoundValues, inputBase: [Int], budget: WorkBudget = WorkBudget()) {
        self.circuit = circuit
        self.values = values
        self.inputBase = inputBase
        self.budget = budget
        self.env = Array(repeating: -1, count: circuit.slotNames.count)
    }

    func resolve(_ idx: IRIndex, set: Int) throws(MarginError) -> Int {
        switch idx {
        case .slot(let s): return env[s]
        case .literal(let id, let loc):
            guard let i = values.index[set][id] else {
                throw .circuit(loc, "unknown id \(quoted(id)): values.\(circuit.sets[set].name) has no such element")
            }
            return i
        }
    }

    /// `i=BTC-PERP, s=down-15` for the slots currently bound (for names).
    var bindingText: String {
        var seen: Set<String> = []
        var parts: [String] = []
        for s in active {
            let t = "\(circuit.slotNames[s])=\(values.elements[circuit.slotSets[s]][env[s]])"
            if seen.insert(t).inserted { parts.append(t) }
        }
        return parts.joined(separator: ", ")
    }

    /// A limit error at `loc`, naming the innermost `let` being expanded
    /// (or the requirement).
    func limitError(_ loc: SourceLocation, _ message: String) -> MarginError {
        .circuit(loc, (contexts.last.map { "\($0): " } ?? "") + message)
    }

    @inline(never)
    mutating func charge(_ units: Int, at loc: SourceLocation) throws(MarginError) {
        guard budget.charge(units) else { throw limitError(loc, CircuitLimits.workMessage) }
    }

    /// A folded constant, refused beyond CircuitLimits.maximumConstantBits.
    func folded(_ compute: () throws(OversizedConstant) -> Rational, at loc: SourceLocation) throws(MarginError) -> Rational {
        do { return try compute() } catch { throw limitError(loc, error.message) }
    }

    /// "max(…) at line 7 [i=BTC-PERP]", charged by its bindings and length
    /// (element ids come from the values and can be long).
    @inline(never)
    mutating func origin(_ what: String, _ loc: SourceLocation) throws(MarginError) -> String {
        try charge(active.count, at: loc)
        let b = bindingText
        try charge(Elaborator.textUnits(b), at: loc)
        return "\(what) at line \(loc.line)" + (b.isEmpty ? "" : " [\(b)]")
    }

    /// Budget units for building a string of this length (one per 64 bytes).
    static func textUnits(_ text: String) -> Int { text.utf8.count / 64 }

    /// a + b, folding constants and flattening sums; the terms copied into
    /// the new sum are charged first.
    @inline(never)
    mutating func add(_ a: Ground, _ b: Ground, at loc: SourceLocation) throws(MarginError) -> Ground {
        if let x = a.constantValue, let y = b.constantValue { return .constant(try folded({ () throws(OversizedConstant) in try CircuitLimits.sum(x, y) }, at: loc)) }
        if let x = a.constantValue, x.isZero { return b }
        if let y = b.constantValue, y.isZero { return a }
        var parts: [Ground] = []
        var count = 0
        if case .sum(let xs) = a { count += xs.count } else { count += 1 }
        if case .sum(let ys) = b { count += ys.count } else { count += 1 }
        try charge(count, at: loc)
        parts.reserveCapacity(count)
        if case .sum(let xs) = a { parts += xs } else { parts.append(a) }
        if case .sum(let ys) = b { parts += ys } else { parts.append(b) }
        return .sum(parts)
    }

    /// c·g, folding constants and merging nested scalings.
    @inline(never)
    func scale(_ c: Rational, _ g: Ground, at loc: SourceLocation) throws(MarginError) -> Ground {
        if c.isZero { return .constant(.zero) }
        if c == .one { return g }
        switch g {
        case .constant(let x): return .constant(try folded({ () throws(OversizedConstant) in try CircuitLimits.product(c, x) }, at: loc))
        case .scaled(let k, let h): return try scale(try folded({ () throws(OversizedConstant) in try CircuitLimits.product(c, k) }, at: loc), h, at: loc)
        default: return .scaled(c, g)
        }
    }

    /// The ground tree of `ir`. This is the recursion of elaboration, so it
    /// only dispatches: the work of each node is in small functions that do
    /// not recurse and are kept out of line, so that each level's stack
    /// frame stays small (CircuitLimits.maximumNestingDepth levels must fit
    /// a secondary thread's stack).
    mutating func elaborate(_ ir: IR) throws(MarginError) -> Ground {
        try charge(1, at: ir.loc)
        switch ir.node {
        case .constant(let c): return .constant(c)
        case .param(let p, let idx): return try parameter(p, idx)
        case .input(let i, let idx): return try input(i, idx)
        case .letRef(let l, let idx): return try expandLet(l, idx, at: ir.loc)
        case .add, .sub, .mul, .div: return try binary(ir)
        case .neg, .abs: return try unary(ir)
        case .extremum(let isMax, let args): return try extremum(isMax: isMax, args, at: ir.loc)
        case .round(let up, let a, let q): return try rounded(up: up, try elaborate(a), try elaborate(q), at: ir.loc)
        case .reduce(let kind, let slot, let set, let body): return try reduce(kind, slot: slot, set: set, body: body, at: ir.loc)
        }
    }

    /// `+ − × ÷`: both sides in order, then combined.
    @inline(never)
    mutating func binary(_ ir: IR) throws(MarginError) -> Ground {
        switch ir.node {
        case .add(let a, let b): return try add(try elaborate(a), try elaborate(b), at: ir.loc)
        case .sub(let a, let b): return try subtract(try elaborate(a), try elaborate(b), at: ir.loc)
        case .mul(let a, let b): return try multiply(try elaborate(a), try elaborate(b), at: ir.loc)
        case .div(let a, let b): return try divide(try elaborate(a), try elaborate(b), at: ir.loc)
        default: throw .circuit(ir.loc, "internal error: not a binary operator")
        }
    }

    /// Unary minus and `abs`.
    @inline(never)
    mutating func unary(_ ir: IR) throws(MarginError) -> Ground {
        switch ir.node {
        case .neg(let a): return try scale(-1, try elaborate(a), at: ir.loc)
        case .abs(let a): return Elaborator.absolute(try elaborate(a))
        default: throw .circuit(ir.loc, "internal error: not a unary operator")
        }
    }

    @inline(never)
    func input(_ i: Int, _ idx: IRIndex) throws(MarginError) -> Ground {
        .input(inputBase[i] + (try resolve(idx, set: circuit.inputs[i].set)))
    }

    @inline(never)
    func parameter(_ p: Int, _ idx: [IRIndex]) throws(MarginError) -> Ground {
        let info = circuit.params[p]
        switch values.params[p] {
        case .scalar(let x): return .constant(x)
        case .vector(let xs): return .constant(xs[try resolve(idx[0], set: info.dims[0])])
        case .matrix(let m): return .constant(m[try resolve(idx[0], set: info.dims[0])][try resolve(idx[1], set: info.dims[1])])
        }
    }

    @inline(never)
    mutating func subtract(_ x: Ground, _ y: Ground, at loc: SourceLocation) throws(MarginError) -> Ground {
        try add(x, try scale(-1, y, at: loc), at: loc)
    }

    /// x·y where one side is a constant (the checker refused private × private).
    @inline(never)
    func multiply(_ x: Ground, _ y: Ground, at loc: SourceLocation) throws(MarginError) -> Ground {
        if let c = x.constantValue { return try scale(c, y, at: loc) }
        if let c = y.constantValue { return try scale(c, x, at: loc) }
        throw .circuit(loc, "internal error: product of two non-constant expressions")
    }

    /// x/y where y is a constant, non-zero with these values.
    @inline(never)
    func divide(_ x: Ground, _ y: Ground, at loc: SourceLocation) throws(MarginError) -> Ground {
        guard let c = y.constantValue else {
            throw .circuit(loc, "internal error: non-constant divisor")
        }
        guard !c.isZero else {
            let bt = bindingText
            throw .circuit(loc, "division by zero with these risk values" + (bt.isEmpty ? "" : " (\(bt))"))
        }
        return try scale(Rational.one / c, x, at: loc)
    }

    @inline(never)
    static func absolute(_ x: Ground) -> Ground {
        if let c = x.constantValue { return .constant(c.magnitude) }
        return .abs(x)
    }

    /// `max(a, b, …)`/`min(…)` of its arguments, elaborated in order.
    @inline(never)
    mutating func extremum(isMax: Bool, _ args: [IR], at loc: SourceLocation) throws(MarginError) -> Ground {
        var gs: [Ground] = []
        for a in args { gs.append(try elaborate(a)) }
        if let c = Elaborator.foldedConstant(isMax: isMax, gs) { return c }
        return .extremum(isMax: isMax, gs, labels: (1...gs.count).map { "argument \($0)" }, origin: try origin(isMax ? "max(…)" : "min(…)", loc))
    }

    /// `ceil(e, q)`/`floor(e, q)` of the elaborated e and q: q (a constant)
    /// must be positive with these values; a constant e folds to the exact
    /// rounded constant.
    @inline(never)
    mutating func rounded(up: Bool, _ e: Ground, _ q: Ground, at loc: SourceLocation) throws(MarginError) -> Ground {
        guard let step = q.constantValue else { throw .circuit(loc, "internal error: non-constant quantum") }
        guard step.signum > 0 else {
            let bt = bindingText
            throw .circuit(loc, "the quantum of `\(up ? "ceil" : "floor")` is \(step) with these risk values" + (bt.isEmpty ? "" : " (\(bt))") + ": it must be positive")
        }
        if let c = e.constantValue {
            return .constant(try folded({ () throws(OversizedConstant) in try CircuitLimits.rounded(up: up, c, step) }, at: loc))
        }
        return .rounded(up: up, e, quantum: step, origin: try origin(up ? "ceil(…)" : "floor(…)", loc))
    }

    /// A use of `let` l with its indices: its expression expanded once per
    /// distinct binding (memoized), in the context of the `let`.
    @inline(never)
    mutating func expandLet(_ l: Int, _ idx: [IRIndex], at loc: SourceLocation) throws(MarginError) -> Ground {
        let info = circuit.lets[l]
        var args: [Int] = []
        for (x, set) in zip(idx, info.dimSets) { args.append(try resolve(x, set: set)) }
        try charge(info.outerSlots.count + args.count, at: loc)
        let key = "\(l):" + (info.outerSlots.map { String(env[$0]) } + args.map(String.init)).joined(separator: ",")
        if let g = letMemo[key] { return g }
        let saved = info.binderSlots.map { env[$0] }
        for (s, a) in zip(info.binderSlots, args) { env[s] = a }
        active += info.binderSlots
        contexts.append("`let \(info.name)` (line \(info.loc.line))")
        var g = try elaborate(info.body)
        if g.constantValue == nil {
            g = .shared(sharedCount, g)
            sharedCount += 1
        }
        contexts.removeLast()
        active.removeLast(info.binderSlots.count)
        for (s, v) in zip(info.binderSlots, saved) { env[s] = v }
        letMemo[key] = g
        return g
    }

    /// `sum`, `max` or `min` over a set. Each element elaborates the body at
    /// least once, so a set larger than the remaining budget is refused
    /// before expanding. (Kept small: it is on the recursion path.)
    @inline(never)
    mutating func reduce(_ kind: ReduceKind, slot: Int, set: Int, body: IR, at loc: SourceLocation) throws(MarginError) -> Ground {
        let n = values.elements[set].count
        guard budget.allows(n) else { throw limitError(loc, CircuitLimits.workMessage) }
        guard kind == .sum || n > 0 else { throw emptySetError(kind, set, at: loc) }
        let saved = env[slot]
        active.append(slot)
        defer { active.removeLast(); env[slot] = saved }
        var sum = ReducedSum()
        var gs: [Ground] = []
        for e in 0..<n {
            env[slot] = e
            let g = try elaborate(body)
            if kind == .sum { try collect(g, into: &sum, at: loc) } else { gs.append(g) }
        }
        if kind == .sum { return sum.ground }
        return try extremum(isMax: kind == .max, gs, slot: slot, set: set, at: loc)
    }

    /// The parts of a `sum` being expanded, its constants folded.
    struct ReducedSum {
        var parts: [Ground] = []
        var constant = Rational.zero

        var ground: Ground {
            var parts = parts
            if !constant.isZero { parts.append(.constant(constant)) }
            if parts.isEmpty { return .constant(.zero) }
            return parts.count == 1 ? parts[0] : .sum(parts)
        }
    }

    @inline(never)
    mutating func collect(_ g: Ground, into sum: inout ReducedSum, at loc: SourceLocation) throws(MarginError) {
        switch g {
        case .constant(let c):
            let total = sum.constant
            sum.constant = try folded({ () throws(OversizedConstant) in try CircuitLimits.sum(total, c) }, at: loc)
        case .sum(let xs):
            try charge(xs.count, at: loc)
            sum.parts += xs
        default:
            sum.parts.append(g)
        }
    }

    /// `max(x in S: …)`/`min(…)` of the elaborated elements (the loop slot
    /// still bound, and excluded from the origin's bindings).
    @inline(never)
    mutating func extremum(isMax: Bool, _ gs: [Ground], slot: Int, set: Int, at loc: SourceLocation) throws(MarginError) -> Ground {
        if let c = Elaborator.foldedConstant(isMax: isMax, gs) { return c }
        if gs.count == 1 { return gs[0] }
        active.removeLast()
        let org = try origin("\(isMax ? "max" : "min")(\(circuit.slotNames[slot]) in \(circuit.sets[set].name): …)", loc)
        active.append(slot)
        try charge(gs.count, at: loc)
        let labels = (0..<gs.count).map { "\(circuit.slotNames[slot])=\(values.elements[set][$0])" }
        try charge(labels.reduce(0) { $0 + Elaborator.textUnits($1) }, at: loc)
        return .extremum(isMax: isMax, gs, labels: labels, origin: org)
    }

    func emptySetError(_ kind: ReduceKind, _ set: Int, at loc: SourceLocation) -> MarginError {
        .circuit(loc, "`\(kind.rawValue)` over the empty set \(circuit.sets[set].name): values.\(circuit.sets[set].name) lists no elements")
    }

    /// max/min of the arguments when they are all constants, else nil.
    static func foldedConstant(isMax: Bool, _ gs: [Ground]) -> Ground? {
        guard gs.allSatisfy({ $0.constantValue != nil }) else { return nil }
        let cs = gs.map { $0.constantValue! }
        return .constant(cs.dropFirst().reduce(cs[0]) { isMax ? Rational.max($0, $1) : Rational.min($0, $1) })
    }

    /// The number of requirements `stmts` expand to with the values, counted
    /// without expanding them; refused beyond CircuitLimits.maximumRequirements
    /// at the statement that crosses it.
    func checkRequirementCount(_ stmts: [CheckedStmt]) throws(MarginError) {
        var total = 0
        for s in stmts {
            let n = requirementCount(s)
            total = n.map { total + $0 } ?? Int.max
            guard total <= CircuitLimits.maximumRequirements else {
                let loc: SourceLocation
                let what: String
                switch s {
                case .require(let r): (loc, what) = (r.loc, "`require`")
                case .forLoop(let slot, let set, let l, _): (loc, what) = (l, "`for \(circuit.slotNames[slot]) in \(circuit.sets[set].name)`")
                }
                let count = total == Int.max ? "more than \(Int.max)" : "\(total)"
                throw .circuit(loc, "\(what) (line \(loc.line)): " + CircuitLimits.exceeds("with these values the circuit expands to \(count) requirements", CircuitLimits.maximumRequirements, "maximumRequirements"))
            }
        }
    }

    /// Requirements of one statement (nil when it overflows an Int).
    func requirementCount(_ s: CheckedStmt) -> Int? {
        switch s {
        case .require: return 1
        case .forLoop(_, let set, _, let body):
            var inner = 0
            for b in body {
                guard let n = requirementCount(b), inner <= Int.max - n else { return nil }
                inner += n
            }
            return values.elements[set].count.timesOrNil(inner)
        }
    }

    /// Expands the statements into named ground requirements.
    mutating func requirements(_ stmts: [CheckedStmt], loopIDs: [String] = []) throws(MarginError) -> [GroundRequirement] {
        var out: [GroundRequirement] = []
        for s in stmts {
            switch s {
            case .require(let r):
                var name = r.name ?? "requirement \(r.ordinal)"
                if !loopIDs.isEmpty { name += "[\(loopIDs.joined(separator: ", "))]" }
                try charge(loopIDs.count + Elaborator.textUnits(name), at: r.loc)
                contexts = ["requirement `\(name)` (line \(r.loc.line))"]
                let lhs = try elaborate(r.lhs)
                let rhs = try elaborate(r.rhs)
                contexts = []
                out.append(GroundRequirement(name: name, lhs: lhs, rhs: rhs))
            case .forLoop(let slot, let set, _, let body):
                let saved = env[slot]
                active.append(slot)
                for e in 0..<values.elements[set].count {
                    env[slot] = e
                    out += try requirements(body, loopIDs: loopIDs + [values.elements[set][e]])
                }
                active.removeLast()
                env[slot] = saved
            }
        }
        return out
    }
}

/// Exact evaluation of a ground tree given the inputs' real values; each
/// `.shared` expansion is evaluated once (`memo`, by id).
func evaluateGround(_ g: Ground, _ x: [Rational], memo: inout [Int: Rational]) -> Rational {
    switch g {
    case .constant(let c): return c
    case .input(let j): return x[j]
    case .sum(let parts):
        var acc = Rational.zero
        for p in parts { acc += evaluateGround(p, x, memo: &memo) }
        return acc
    case .scaled(let c, let h): return c * evaluateGround(h, x, memo: &memo)
    case .abs(let h): return evaluateGround(h, x, memo: &memo).magnitude
    case .extremum(let isMax, let args, _, _):
        var best = evaluateGround(args[0], x, memo: &memo)
        for a in args.dropFirst() {
            let v = evaluateGround(a, x, memo: &memo)
            if isMax ? best < v : v < best { best = v }
        }
        return best
    case .rounded(let up, let h, let q, _):
        let ratio = evaluateGround(h, x, memo: &memo) / q
        return Rational(up ? ratio.ceiling : ratio.floor) * q
    case .shared(let id, let h):
        if let v = memo[id] { return v }
        let v = evaluateGround(h, x, memo: &memo)
        memo[id] = v
        return v
    }
}
