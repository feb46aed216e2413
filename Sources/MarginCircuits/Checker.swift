// The checker: resolves names, checks indices against sets, classifies every
// expression as public, affine in the private inputs, or nonlinear (contains
// abs/max/min/ceil/floor of private quantities), rejects private × private, and applies
// the convexity rule of Circuits/README.md §5 using the parameters' declared ranges.
// Its output, `CheckedCircuit`, needs no further checks before elaboration
// with risk values.

/// How an expression depends on the private inputs.
enum Linearity: Int, Sendable, Comparable {
    case publicValue = 0   // parameters and numbers only
    case affine = 1        // affine in the private inputs
    case nonlinear = 2     // contains abs/max/min/ceil/floor of private quantities

    static func < (a: Linearity, b: Linearity) -> Bool { a.rawValue < b.rawValue }
}

enum IRIndex: Sendable {
    case slot(Int)
    case literal(String, SourceLocation)
}

struct IR: Sendable {
    let node: IRNode
    let linearity: Linearity
    /// The range of a public expression given the parameters' declared
    /// bounds (unbounded for non-public expressions).
    let interval: Interval
    let loc: SourceLocation
    /// The depth every later stage recurses to when it expands this
    /// expression (CircuitLimits.maximumNestingDepth): 1 for a leaf, one
    /// more than the deepest child for an operator, and for a use of a
    /// `let`, one more than the `let`'s expression.
    let depth: Int

    /// `depth` is computed from the children; a `letRef` passes its own.
    init(node: IRNode, linearity: Linearity, interval: Interval, loc: SourceLocation, depth: Int? = nil) {
        self.node = node
        self.linearity = linearity
        self.interval = interval
        self.loc = loc
        self.depth = depth ?? IR.depth(of: node)
    }

    static func depth(of node: IRNode) -> Int {
        switch node {
        case .constant, .param, .input, .letRef: return 1
        case .add(let a, let b), .sub(let a, let b), .mul(let a, let b), .div(let a, let b): return Swift.max(a.depth, b.depth) + 1
        case .neg(let a), .abs(let a): return a.depth + 1
        case .extremum(_, let args): return (args.map(\.depth).max() ?? 0) + 1
        case .round(_, let a, let q): return Swift.max(a.depth, q.depth) + 1
        case .reduce(_, _, _, let body): return body.depth + 1
        }
    }
}

indirect enum IRNode: Sendable {
    case constant(Rational)
    case param(Int, [IRIndex])
    case input(Int, IRIndex)
    case letRef(Int, [IRIndex])
    case add(IR, IR)
    case sub(IR, IR)
    case mul(IR, IR)
    case div(IR, IR)
    case neg(IR)
    case abs(IR)
    case extremum(isMax: Bool, [IR])
    /// `ceil(e, q)` (up) / `floor(e, q)`, q public.
    case round(up: Bool, IR, quantum: IR)
    case reduce(ReduceKind, slot: Int, set: Int, body: IR)
}

struct SetInfo: Sendable {
    let name: String
    let loc: SourceLocation
}

struct ParamInfo: Sendable {
    let name: String
    let loc: SourceLocation
    let dims: [Int]
    let bound: ParamBound?
    let defaultValue: Rational?

    var interval: Interval {
        switch bound {
        case nil: return .unbounded
        case .atLeast(let x): return Interval(lo: .finite(x), hi: .positiveInfinity)
        case .atMost(let x): return Interval(lo: .negativeInfinity, hi: .finite(x))
        case .between(let a, let b): return Interval(lo: .finite(a), hi: .finite(b))
        }
    }

    func admits(_ v: Rational) -> Bool {
        switch bound {
        case nil: return true
        case .atLeast(let x): return v >= x
        case .atMost(let x): return v <= x
        case .between(let a, let b): return v >= a && v <= b
        }
    }

    var boundText: String {
        switch bound {
        case nil: return "any value"
        case .atLeast(let x): return ">= \(x)"
        case .atMost(let x): return "<= \(x)"
        case .between(let a, let b): return "in [\(a), \(b)]"
        }
    }
}

struct InputInfo: Sendable {
    let name: String
    let loc: SourceLocation
    let set: Int
    /// Account fields multiplied together: ["balance"], ["size"] or ["size", "entry_price"].
    let fields: [String]
    /// Parameters multiplied in (scalar, or indexed by the input's own element).
    let params: [Int]
    /// Declared bounds and scale: numbers, or parameters read per element.
    let lower: InputLimitInfo
    let upper: InputLimitInfo
    let scale: InputLimitInfo

    var sourceText: String
}

/// A checked bound or scale of a private input.
enum InputLimitInfo: Sendable {
    case number(Rational)
    /// A parameter (index into the circuit's parameters), scalar or indexed
    /// by the input's own element, negated or not.
    case parameter(Int, negated: Bool)

    /// Its value for element `element` of the input's set.
    func value(_ params: [ParamValue], element: Int) -> Rational {
        switch self {
        case .number(let x): return x
        case .parameter(let p, let negated):
            guard let x = params[p].value(forElement: element) else {
                preconditionFailure("the checker admits scalars and vectors of the input's set only")
            }
            return negated ? -x : x
        }
    }
}

struct LetInfo: Sendable {
    let name: String
    let loc: SourceLocation
    let binderSlots: [Int]
    let dimSets: [Int]
    /// Loop slots of the enclosing `for` statements, part of the memo key.
    let outerSlots: [Int]
    let body: IR
}

struct RequireInfo: Sendable {
    let name: String?
    let ordinal: Int
    let loc: SourceLocation
    let lhs: IR
    let rhs: IR
}

indirect enum CheckedStmt: Sendable {
    case require(RequireInfo)
    case forLoop(slot: Int, set: Int, loc: SourceLocation, body: [CheckedStmt])
}

/// A circuit that parsed and passed every static check.
struct CheckedCircuit: Sendable {
    let file: String
    var sets: [SetInfo] = []
    var params: [ParamInfo] = []
    var inputs: [InputInfo] = []
    var lets: [LetInfo] = []
    var statements: [CheckedStmt] = []
    var slotNames: [String] = []
    var slotSets: [Int] = []
    var requireCount = 0
}

struct Checker {
    enum Symbol {
        case set(Int)
        case param(Int)
        case input(Int)
        case letDef(Int)
        case variable(slot: Int, set: Int)
    }

    var circuit: CheckedCircuit
    /// Every name in scope. Names are never shadowed (`declare` refuses a
    /// name visible in any scope), so one table answers every lookup in O(1).
    var symbols: [String: (Symbol, SourceLocation)] = [:]
    /// The names each open scope declared, innermost last (removed from
    /// `symbols` when the scope closes).
    var scopes: [[String]] = [[]]
    /// The declaration being checked, for errors that concern it as a whole:
    /// "`let c5` (line 7)".
    var context = ""
    /// Slots of the enclosing `for` loops.
    var loopSlots: [Int] = []
    var explicitNames: [String: SourceLocation] = [:]

    init(file: String) { circuit = CheckedCircuit(file: file) }

    static func check(_ statements: [Stmt], file: String) throws(MarginError) -> CheckedCircuit {
        var c = Checker(file: file)
        for s in statements {
            if let checked = try c.checkStatement(s) { c.circuit.statements.append(checked) }
        }
        var hasRequire = false
        func scan(_ s: [CheckedStmt]) {
            for x in s {
                switch x {
                case .require: hasRequire = true
                case .forLoop(_, _, _, let b): scan(b)
                }
            }
        }
        scan(c.circuit.statements)
        if !hasRequire {
            throw .circuit(SourceLocation(file: file, line: 1, column: 1), "the circuit has no `require` statement: nothing to prove")
        }
        return c.circuit
    }

    /// A private input's bound or scale: a number, or a parameter that is a
    /// scalar or indexed by the input's own element (`max_position[i]` in
    /// `private size[i in instruments]`), like the parameters of `from`.
    func checkLimit(_ limit: InputLimit, of d: PrivateDecl, set: Int, at loc: SourceLocation, what: String) throws(MarginError) -> InputLimitInfo {
        switch limit {
        case .number(let x): return .number(x)
        case .parameter(let name, let idx, let negated):
            guard let (sym, _) = lookup(name) else {
                throw .circuit(loc, "unknown name `\(name)` as \(what) of `\(d.name)`: expected a number or a declared parameter")
            }
            guard case .param(let pi) = sym else {
                throw .circuit(loc, "`\(name)` is \(Checker.describe(sym)); \(what) of a private input is a number or a parameter")
            }
            let variable = d.dim.variable ?? "i"
            if circuit.params[pi].dims.isEmpty {
                if idx != nil { throw .circuit(loc, "`\(name)` is a scalar parameter and takes no index") }
            } else {
                guard circuit.params[pi].dims == [set], let idx, case .variable(let v) = idx.kind, v == d.dim.variable else {
                    throw .circuit(loc, "\(what) of `\(d.name)` must be a number, a scalar parameter or one indexed by the input's own element, e.g. `\(name)[\(variable)]` with `private \(d.name)[\(variable) in \(d.dim.set)]`")
                }
            }
            return .parameter(pi, negated: negated)
        }
    }

    // MARK: Scopes

    func lookup(_ name: String) -> (Symbol, SourceLocation)? { symbols[name] }

    mutating func openScope() { scopes.append([]) }

    mutating func closeScope() {
        for name in scopes.removeLast() { symbols[name] = nil }
    }

    static func describe(_ s: Symbol) -> String {
        switch s {
        case .set: return "a set"
        case .param: return "a parameter"
        case .input: return "a private input"
        case .letDef: return "a `let`"
        case .variable: return "an index variable"
        }
    }

    mutating func declare(_ name: String, _ symbol: Symbol, at loc: SourceLocation) throws(MarginError) {
        if let (existing, where_) = lookup(name) {
            throw .circuit(loc, "`\(name)` is already declared as \(Checker.describe(existing)) at line \(where_.line); choose another name")
        }
        symbols[name] = (symbol, loc)
        scopes[scopes.count - 1].append(name)
    }

    mutating func newSlot(_ name: String, set: Int) -> Int {
        circuit.slotNames.append(name)
        circuit.slotSets.append(set)
        return circuit.slotNames.count - 1
    }

    func resolveSet(_ name: String, at loc: SourceLocation) throws(MarginError) -> Int {
        guard let (sym, _) = lookup(name) else {
            throw .circuit(loc, "unknown set `\(name)`; declare it first with `set \(name)`")
        }
        guard case .set(let i) = sym else {
            throw .circuit(loc, "`\(name)` is \(Checker.describe(sym)), expected a set name")
        }
        return i
    }

    // MARK: Statements

    mutating func checkStatement(_ s: Stmt) throws(MarginError) -> CheckedStmt? {
        switch s {
        case .sets(let names):
            for (n, l) in names {
                try declare(n, .set(circuit.sets.count), at: l)
                circuit.sets.append(SetInfo(name: n, loc: l))
            }
            return nil

        case .param(let p):
            var dims: [Int] = []
            for d in p.dims { dims.append(try resolveSet(d.set, at: d.loc)) }
            if dims.count > 2 {
                throw .circuit(p.dims[2].loc, "parameters have at most two indices (scalars, vectors and matrices)")
            }
            if dims.count == 2, dims[0] == dims[1] {
                throw .circuit(p.dims[1].loc, "a matrix parameter's two indices must range over different sets")
            }
            let info = ParamInfo(name: p.name, loc: p.loc, dims: dims, bound: p.bound, defaultValue: p.defaultValue)
            if let d = p.defaultValue, !info.admits(d) {
                throw .circuit(p.loc, "the default \(d) of `\(p.name)` is outside its declared range (\(info.boundText))")
            }
            try declare(p.name, .param(circuit.params.count), at: p.loc)
            circuit.params.append(info)
            return nil

        case .privateInput(let d):
            let set = try resolveSet(d.dim.set, at: d.dim.loc)
            var fields: [String] = []
            var params: [Int] = []
            var text: [String] = []
            for f in d.source {
                switch f.kind {
                case .field(let name):
                    if fields.contains(name) {
                        throw .circuit(f.loc, "account field `\(name)` appears twice in `from`")
                    }
                    fields.append(name)
                    text.append(name)
                case .param(let name, let idx):
                    guard let (sym, _) = lookup(name) else {
                        throw .circuit(f.loc, "unknown name `\(name)` in `from`: expected an account field (balance, size, entry_price) or a declared parameter")
                    }
                    guard case .param(let pi) = sym else {
                        throw .circuit(f.loc, "`\(name)` is \(Checker.describe(sym)); `from` multiplies account fields by parameters only")
                    }
                    let pinfo = circuit.params[pi]
                    if pinfo.dims.isEmpty {
                        if idx != nil { throw .circuit(f.loc, "`\(name)` is a scalar parameter and takes no index") }
                    } else {
                        guard pinfo.dims == [set], let idx, case .variable(let v) = idx.kind, v == d.dim.variable else {
                            throw .circuit(f.loc, "a parameter in `from` must be a scalar or indexed by the input's own element, e.g. `\(name)[\(d.dim.variable ?? "i")]` with `private \(d.name)[\(d.dim.variable ?? "i") in \(d.dim.set)]`")
                        }
                    }
                    params.append(pi)
                    text.append(pinfo.dims.isEmpty ? name : "\(name)[\(d.dim.variable ?? "")]")
                }
            }
            let fieldSet = Set(fields)
            guard fieldSet == ["balance"] || fieldSet == ["size"] || fieldSet == ["size", "entry_price"] else {
                throw .circuit(d.source.first?.loc ?? d.loc, "`from` must read `balance`, `size`, or `size * entry_price` from the account (optionally times parameters), e.g. `from size * entry_price * multiplier[i]`")
            }
            let lower = try checkLimit(d.lower, of: d, set: set, at: d.boundLoc, what: "a bound")
            let upper = try checkLimit(d.upper, of: d, set: set, at: d.boundLoc, what: "a bound")
            let scale = try checkLimit(d.scale, of: d, set: set, at: d.scaleLoc, what: "the scale")
            try declare(d.name, .input(circuit.inputs.count), at: d.loc)
            circuit.inputs.append(InputInfo(name: d.name, loc: d.loc, set: set, fields: fieldSet.count == 2 ? ["size", "entry_price"] : fields, params: params,
                                            lower: lower, upper: upper, scale: scale, sourceText: text.joined(separator: " * ")))
            return nil

        case .letBinding(let l):
            context = "`let \(l.name)` (line \(l.loc.line))"
            openScope()
            var binders: [Int] = []
            var dimSets: [Int] = []
            for dim in l.dims {
                let set = try resolveSet(dim.set, at: dim.loc)
                let slot = newSlot(dim.variable!, set: set)
                try declare(dim.variable!, .variable(slot: slot, set: set), at: dim.loc)
                binders.append(slot)
                dimSets.append(set)
            }
            let body = try build(l.body)
            closeScope()
            try declare(l.name, .letDef(circuit.lets.count), at: l.loc)
            circuit.lets.append(LetInfo(name: l.name, loc: l.loc, binderSlots: binders, dimSets: dimSets, outerSlots: loopSlots, body: body))
            return nil

        case .require(let r):
            if let n = r.name {
                if let prev = explicitNames[n] {
                    throw .circuit(r.loc, "requirement name `\(n)` is already used at line \(prev.line)")
                }
                explicitNames[n] = r.loc
            }
            context = r.name.map { "requirement `\($0)` (line \(r.loc.line))" } ?? "requirement \(circuit.requireCount + 1) (line \(r.loc.line))"
            let lhs = try build(r.lhs)
            let rhs = try build(r.rhs)
            var memo = Set<String>()
            try checkPolarity(lhs, polarity: 1, via: [], memo: &memo)
            try checkPolarity(rhs, polarity: -1, via: [], memo: &memo)
            circuit.requireCount += 1
            return .require(RequireInfo(name: r.name, ordinal: circuit.requireCount, loc: r.loc, lhs: lhs, rhs: rhs))

        case .forLoop(let f):
            let set = try resolveSet(f.set, at: f.setLoc)
            let slot = newSlot(f.variable, set: set)
            openScope()
            try declare(f.variable, .variable(slot: slot, set: set), at: f.loc)
            loopSlots.append(slot)
            var body: [CheckedStmt] = []
            for s in f.body {
                if let c = try checkStatement(s) { body.append(c) }
            }
            loopSlots.removeLast()
            closeScope()
            return .forLoop(slot: slot, set: set, loc: f.loc, body: body)
        }
    }

    // MARK: Expressions

    mutating func resolveIndices(_ args: [IndexArg], dims: [Int], name: String, at loc: SourceLocation) throws(MarginError) -> [IRIndex] {
        guard args.count == dims.count else {
            let want = dims.map { circuit.sets[$0].name }.joined(separator: ", ")
            if dims.isEmpty { throw .circuit(loc, "`\(name)` is not indexed; write `\(name)` without brackets") }
            throw .circuit(loc, "`\(name)` takes \(dims.count) ind\(dims.count == 1 ? "ex" : "ices") ([\(want)]), found \(args.count)")
        }
        var out: [IRIndex] = []
        for (a, d) in zip(args, dims) {
            switch a.kind {
            case .literal(let id):
                out.append(.literal(id, a.loc))
            case .variable(let v):
                guard let (sym, _) = lookup(v) else {
                    throw .circuit(a.loc, "unknown index variable `\(v)`; bind it with `for \(v) in \(circuit.sets[d].name)`, `sum(\(v) in \(circuit.sets[d].name): …)` or a `let`'s index")
                }
                guard case .variable(let slot, let set) = sym else {
                    throw .circuit(a.loc, "`\(v)` is \(Checker.describe(sym)), expected an index variable or a quoted id")
                }
                guard set == d else {
                    throw .circuit(a.loc, "`\(v)` ranges over \(circuit.sets[set].name), but this index of `\(name)` is over \(circuit.sets[d].name)")
                }
                out.append(.slot(slot))
            }
        }
        return out
    }

    /// The checked form of `e`, whose depth counting the `let`s it uses is
    /// within CircuitLimits.maximumNestingDepth (checked at every node, so
    /// the first node beyond the limit is the one named).
    mutating func build(_ e: Expr) throws(MarginError) -> IR {
        let ir = try buildNode(e)
        guard ir.depth <= CircuitLimits.maximumNestingDepth else {
            throw .circuit(e.loc, "\(context): " + CircuitLimits.exceeds("this expression is nested \(ir.depth) deep counting the `let`s it uses", CircuitLimits.maximumNestingDepth, "maximumNestingDepth")
                           + "; a use of a `let` counts one level more than the `let`'s own expression, since every stage expands it where it is used")
        }
        return ir
    }

    /// The interval of `x op y` for `+ − × ÷`. When both are exact constants
    /// (point intervals) the result is the folded constant, refused beyond
    /// CircuitLimits.maximumConstantBits (with the values, elaboration would
    /// fold the same constant). Otherwise endpoints beyond the limit are
    /// widened soundly (see `Interval`): they only serve to tell signs.
    func combine(_ op: BinaryOp, _ x: Interval, _ y: Interval, at loc: SourceLocation) throws(MarginError) -> Interval {
        if let a = x.pointValue, let b = y.pointValue, !(op == .div && b.isZero) {
            do {
                switch op {
                case .add: return .point(try CircuitLimits.sum(a, b))
                case .sub: return .point(try CircuitLimits.sum(a, -b))
                case .mul: return .point(try CircuitLimits.product(a, b))
                case .div: return .point(try CircuitLimits.product(a, Rational.one / b))
                }
            } catch {
                throw .circuit(loc, "\(context): \(error.message)")
            }
        }
        switch op {
        case .add: return x + y
        case .sub: return x - y
        case .mul: return x * y
        case .div: return x * y.reciprocal
        }
    }

    mutating func buildNode(_ e: Expr) throws(MarginError) -> IR {
        switch e.node {
        case .number(let v, _):
            return IR(node: .constant(v), linearity: .publicValue, interval: .point(v), loc: e.loc)

        case .name(let name, let args):
            guard let (sym, _) = lookup(name) else {
                if accountFields.contains(name) {
                    throw .circuit(e.loc, "unknown name `\(name)`: account fields are read only through a `private … from \(name)` declaration")
                }
                throw .circuit(e.loc, "unknown name `\(name)`; declare it with `param`, `private` or `let` before using it")
            }
            switch sym {
            case .set:
                throw .circuit(e.loc, "`\(name)` is a set; use it in `sum(x in \(name): …)` or `for x in \(name)`")
            case .variable:
                throw .circuit(e.loc, "`\(name)` is an index variable; it can only appear inside brackets, e.g. `price[\(name)]`")
            case .param(let i):
                let p = circuit.params[i]
                let idx = try resolveIndices(args, dims: p.dims, name: name, at: e.loc)
                return IR(node: .param(i, idx), linearity: .publicValue, interval: p.interval, loc: e.loc)
            case .input(let i):
                let inp = circuit.inputs[i]
                let idx = try resolveIndices(args, dims: [inp.set], name: name, at: e.loc)
                return IR(node: .input(i, idx[0]), linearity: .affine, interval: .unbounded, loc: e.loc)
            case .letDef(let i):
                let l = circuit.lets[i]
                let idx = try resolveIndices(args, dims: l.dimSets, name: name, at: e.loc)
                return IR(node: .letRef(i, idx), linearity: l.body.linearity, interval: l.body.interval, loc: e.loc, depth: l.body.depth + 1)
            }

        case .negate(let a):
            let x = try build(a)
            return IR(node: .neg(x), linearity: x.linearity, interval: -x.interval, loc: e.loc)

        case .binary(let op, let a, let b):
            let x = try build(a)
            let y = try build(b)
            switch op {
            case .add:
                return IR(node: .add(x, y), linearity: max(x.linearity, y.linearity), interval: try combine(.add, x.interval, y.interval, at: e.loc), loc: e.loc)
            case .sub:
                return IR(node: .sub(x, y), linearity: max(x.linearity, y.linearity), interval: try combine(.sub, x.interval, y.interval, at: e.loc), loc: e.loc)
            case .mul:
                if x.linearity != .publicValue && y.linearity != .publicValue {
                    throw .circuit(e.loc, "private × private: both sides of this `*` depend on private inputs, so the product is not affine and cannot be proven with range proofs over commitments; one side of every product must be public (parameters and numbers)")
                }
                return IR(node: .mul(x, y), linearity: max(x.linearity, y.linearity), interval: try combine(.mul, x.interval, y.interval, at: e.loc), loc: e.loc)
            case .div:
                if y.linearity != .publicValue {
                    throw .circuit(e.loc, "division by a private quantity: the divisor of `/` must be public (parameters and numbers)")
                }
                if case .constant(let c) = y.node, c.isZero {
                    throw .circuit(e.loc, "division by zero")
                }
                return IR(node: .div(x, y), linearity: x.linearity, interval: try combine(.div, x.interval, y.interval, at: e.loc), loc: e.loc)
            }

        case .abs(let a):
            let x = try build(a)
            if x.linearity == .nonlinear {
                throw .circuit(e.loc, "the argument of `abs` must be affine in the private inputs (no abs, max or min inside it): the absolute value of a convex or concave expression is neither, so it cannot be bounded by helper commitments")
            }
            return IR(node: .abs(x), linearity: x.linearity == .publicValue ? .publicValue : .nonlinear, interval: x.interval.absolute, loc: e.loc)

        case .extremum(let isMax, let args):
            var xs: [IR] = []
            for a in args { xs.append(try build(a)) }
            let allPublic = xs.allSatisfy { $0.linearity == .publicValue }
            var iv = xs[0].interval
            for x in xs.dropFirst() { iv = isMax ? Interval.maximum(iv, x.interval) : Interval.minimum(iv, x.interval) }
            return IR(node: .extremum(isMax: isMax, xs), linearity: allPublic ? .publicValue : .nonlinear, interval: iv, loc: e.loc)

        case .round(let up, let a, let quantum):
            return try buildRound(up: up, a, quantum, at: e.loc)

        case .reduce(let kind, let variable, let setName, let setLoc, let body):
            let set = try resolveSet(setName, at: setLoc)
            let slot = newSlot(variable, set: set)
            openScope()
            try declare(variable, .variable(slot: slot, set: set), at: e.loc)
            let b = try build(body)
            closeScope()
            let lin: Linearity
            let iv: Interval
            switch kind {
            case .sum:
                lin = b.linearity
                iv = b.interval.summedOverSet
            case .max, .min:
                lin = b.linearity == .publicValue ? .publicValue : .nonlinear
                iv = b.interval
            }
            return IR(node: .reduce(kind, slot: slot, set: set, body: b), linearity: lin, interval: iv, loc: e.loc)
        }
    }

    /// `ceil(e, q)` / `floor(e, q)`: q public and, if constant, positive.
    /// Of a public e it is public (folded when e and q are constants);
    /// otherwise nonlinear. Its interval keeps what the sign needs: ceil(e)
    /// ≥ e, and ≤ 0 where e ≤ 0 (0 is a multiple of q); floor symmetric.
    mutating func buildRound(up: Bool, _ a: Expr, _ quantum: Expr, at loc: SourceLocation) throws(MarginError) -> IR {
        let word = up ? "ceil" : "floor"
        let x = try build(a)
        let q = try build(quantum)
        guard q.linearity == .publicValue else {
            throw .circuit(quantum.loc, "the quantum of `\(word)` must be public (parameters and numbers): it is the published step the venue rounds to, e.g. `\(word)(x, 0.000001)`")
        }
        if let v = q.interval.pointValue, v.signum <= 0 {
            throw .circuit(quantum.loc, "the quantum of `\(word)` is \(v): it must be positive")
        }
        var iv: Interval
        if let v = x.interval.pointValue, let step = q.interval.pointValue {
            iv = .point(try roundedConstant(up: up, v, step, at: loc))
        } else if up {
            iv = Interval(lo: x.interval.lo, hi: x.interval.hi.signum <= 0 ? .finite(.zero) : .positiveInfinity)
        } else {
            iv = Interval(lo: x.interval.lo.signum >= 0 ? .finite(.zero) : .negativeInfinity, hi: x.interval.hi)
        }
        if x.linearity != .publicValue { iv = .unbounded }
        return IR(node: .round(up: up, x, quantum: q), linearity: x.linearity == .publicValue ? .publicValue : .nonlinear, interval: iv, loc: loc)
    }

    /// ⌈v/q⌉·q or ⌊v/q⌋·q, refused beyond CircuitLimits.maximumConstantBits.
    func roundedConstant(up: Bool, _ v: Rational, _ q: Rational, at loc: SourceLocation) throws(MarginError) -> Rational {
        do { return try CircuitLimits.rounded(up: up, v, q) } catch { throw .circuit(loc, "\(context): \(error.message)") }
    }

    // MARK: The convexity rule

    /// Walks a requirement side with its polarity: +1 where a larger value
    /// helps the account (equity side), −1 where it hurts (requirement side).
    /// `abs` and `max` may only appear at −1, `min` only at +1.
    func checkPolarity(_ ir: IR, polarity: Int, via: [String], memo: inout Set<String>) throws(MarginError) {
        guard ir.linearity == .nonlinear else { return }
        // Built only for an error: `via` can be as long as the let depth.
        var viaText: String { via.isEmpty ? "" : " (reached through \(via.joined(separator: ", then ")))" }
        switch ir.node {
        case .constant, .param, .input:
            return
        case .add(let a, let b):
            try checkPolarity(a, polarity: polarity, via: via, memo: &memo)
            try checkPolarity(b, polarity: polarity, via: via, memo: &memo)
        case .sub(let a, let b):
            try checkPolarity(a, polarity: polarity, via: via, memo: &memo)
            try checkPolarity(b, polarity: -polarity, via: via, memo: &memo)
        case .neg(let a):
            try checkPolarity(a, polarity: -polarity, via: via, memo: &memo)
        case .mul(let a, let b):
            let (x, c) = a.linearity == .publicValue ? (b, a) : (a, b)
            switch c.interval.sign {
            case .nonNegative: try checkPolarity(x, polarity: polarity, via: via, memo: &memo)
            case .nonPositive: try checkPolarity(x, polarity: -polarity, via: via, memo: &memo)
            case .unknown:
                throw .circuit(ir.loc, "cannot tell the sign of the public factor that multiplies abs/max/min here\(viaText), so the convexity rule cannot be checked; declare the ranges of the parameters involved (e.g. `param mark[instruments] >= 0`, `param haircut[assets] in [0, 1]`)")
            }
        case .div(let a, let c):
            switch c.interval.sign {
            case .nonNegative: try checkPolarity(a, polarity: polarity, via: via, memo: &memo)
            case .nonPositive: try checkPolarity(a, polarity: -polarity, via: via, memo: &memo)
            case .unknown:
                throw .circuit(ir.loc, "cannot tell the sign of the divisor of an expression containing abs/max/min\(viaText), so the convexity rule cannot be checked; declare the ranges of the parameters involved (e.g. `param leverage[instruments] >= 1`)")
            }
        case .abs:
            if polarity > 0 {
                throw .circuit(ir.loc, "`abs` is only allowed where it enlarges the requirement: on the right of `>=` with a non-negative coefficient, or negated on the left; here it would enlarge equity\(viaText). Convexity rule: the proof replaces abs(q) by q + 2·q⁻ with a prover-chosen helper q⁻ ≥ max(−q, 0) (of a signed position or balance, by its two committed parts: long + short, asset + liability), which can only over-state abs(q); that is sound only where over-stating it makes the requirement harder to meet")
            }
        case .extremum(let isMax, let args):
            try checkExtremum(isMax: isMax, ir: ir, polarity: polarity, viaText: viaText)
            for a in args { try checkPolarity(a, polarity: polarity, via: via, memo: &memo) }
        case .round(let up, let a, _):
            try checkRound(up: up, ir: ir, polarity: polarity, viaText: viaText)
            try checkPolarity(a, polarity: polarity, via: via, memo: &memo)
        case .reduce(let kind, _, _, let body):
            if kind != .sum { try checkExtremum(isMax: kind == .max, ir: ir, polarity: polarity, viaText: viaText) }
            try checkPolarity(body, polarity: polarity, via: via, memo: &memo)
        case .letRef(let i, _):
            let key = "\(i):\(polarity)"
            if memo.contains(key) { return }
            memo.insert(key)
            let l = circuit.lets[i]
            try checkPolarity(l.body, polarity: polarity, via: via + ["`let \(l.name)` used at line \(ir.loc.line)"], memo: &memo)
        }
    }

    func checkExtremum(isMax: Bool, ir: IR, polarity: Int, viaText: @autoclosure () -> String) throws(MarginError) {
        if isMax && polarity > 0 {
            throw .circuit(ir.loc, "`max` of private quantities is only allowed where it enlarges the requirement: on the right of `>=` with a non-negative coefficient, or negated on the left; here it would enlarge equity\(viaText()). Convexity rule: the proof replaces max(a, b) by a prover-chosen helper t with t ≥ a and t ≥ b (max(±x, 0) of a signed position or balance by one of its two committed parts), which can only over-state the max; that is sound only where over-stating it makes the requirement harder to meet")
        }
        if !isMax && polarity < 0 {
            throw .circuit(ir.loc, "`min` of private quantities is only allowed where it shrinks equity: on the left of `>=` with a non-negative coefficient, or negated on the right; here it would shrink the requirement\(viaText()). Convexity rule: the proof replaces min(a, b) by a prover-chosen helper t with t ≤ a and t ≤ b (min(±x, 0) of a signed position or balance by minus one of its two committed parts), which can only under-state the min; that is sound only where under-stating it makes equity smaller")
        }
    }

    func checkRound(up: Bool, ir: IR, polarity: Int, viaText: @autoclosure () -> String) throws(MarginError) {
        if up && polarity > 0 {
            throw .circuit(ir.loc, "`ceil` of private quantities is only allowed where it enlarges the requirement: on the right of `>=` with a non-negative coefficient, or negated on the left; here it would enlarge equity\(viaText()). Convexity rule: the proof replaces ceil(e, q) by q·t with a prover-chosen integer t, q·t ≥ e, which can only over-state the rounded value; that is sound only where over-stating it makes the requirement harder to meet")
        }
        if !up && polarity < 0 {
            throw .circuit(ir.loc, "`floor` of private quantities is only allowed where it shrinks equity: on the left of `>=` with a non-negative coefficient, or negated on the right; here it would shrink the requirement\(viaText()). Convexity rule: the proof replaces floor(e, q) by q·t with a prover-chosen integer t, q·t ≤ e, which can only under-state the rounded value; that is sound only where under-stating it makes equity smaller")
        }
    }
}
