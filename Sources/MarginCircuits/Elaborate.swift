// Elaboration: a checked circuit plus risk values become ground requirement
// trees — every loop expanded, every parameter replaced by its exact value,
// every public sub-expression folded to a constant. The ground trees drive
// both the plain evaluator (which computes abs/max/min exactly) and the
// lowering to affine forms (which replaces them by helper commitments).

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
}

/// Risk values matched to a circuit's sets and parameters.
struct BoundValues: Sendable {
    var elements: [[String]] = []
    var index: [[String: Int]] = []
    var params: [ParamValue] = []
    let setPaths: [String]

    static func bind(_ c: CheckedCircuit, _ v: RiskValues) throws(MarginError) -> BoundValues {
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
            b.params.append(try bindParam(p, c, v, b))
        }
        return b
    }

    static func checkBound(_ p: ParamInfo, _ value: Rational, _ path: String) throws(MarginError) -> Rational {
        guard p.admits(value) else {
            throw .field(path, "\(value) is outside the declared range of `\(p.name)` (\(p.boundText), line \(p.loc.line))")
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
                let path = "values.\(set)[\(quoted(e.id))].\(p.name)"
                switch e.fields[p.name] {
                case .decimal(let x)?: out.append(try checkBound(p, x, path))
                case nil:
                    guard let d = p.defaultValue else {
                        throw .field(path, "missing (declared at line \(p.loc.line) as `param \(p.name)[\(set)]` without a default)")
                    }
                    out.append(d)
                default:
                    throw .field(path, "expected a decimal string, found a row (`\(p.name)` is indexed by \(set) only)")
                }
            }
            return .vector(out)
        default:
            let rowSet = c.sets[p.dims[0]].name
            let colSet = c.sets[p.dims[1]].name
            let cols = b.elements[p.dims[1]]
            var out: [[Rational]] = []
            for e in v.sets[rowSet]! {
                let path = "values.\(rowSet)[\(quoted(e.id))].\(p.name)"
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

    init(circuit: CheckedCircuit, values: BoundValues, inputBase: [Int]) {
        self.circuit = circuit
        self.values = values
        self.inputBase = inputBase
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

    func origin(_ what: String, _ loc: SourceLocation) -> String {
        let b = bindingText
        return "\(what) at line \(loc.line)" + (b.isEmpty ? "" : " [\(b)]")
    }

    static func add(_ a: Ground, _ b: Ground) -> Ground {
        if let x = a.constantValue, let y = b.constantValue { return .constant(x + y) }
        if let x = a.constantValue, x.isZero { return b }
        if let y = b.constantValue, y.isZero { return a }
        var parts: [Ground] = []
        if case .sum(let xs) = a { parts += xs } else { parts.append(a) }
        if case .sum(let ys) = b { parts += ys } else { parts.append(b) }
        return .sum(parts)
    }

    static func scale(_ c: Rational, _ g: Ground) -> Ground {
        if c.isZero { return .constant(.zero) }
        if c == .one { return g }
        switch g {
        case .constant(let x): return .constant(c * x)
        case .scaled(let k, let h): return scale(c * k, h)
        default: return .scaled(c, g)
        }
    }

    mutating func elaborate(_ ir: IR) throws(MarginError) -> Ground {
        switch ir.node {
        case .constant(let c):
            return .constant(c)
        case .param(let p, let idx):
            let info = circuit.params[p]
            switch values.params[p] {
            case .scalar(let x): return .constant(x)
            case .vector(let xs): return .constant(xs[try resolve(idx[0], set: info.dims[0])])
            case .matrix(let m): return .constant(m[try resolve(idx[0], set: info.dims[0])][try resolve(idx[1], set: info.dims[1])])
            }
        case .input(let i, let idx):
            return .input(inputBase[i] + (try resolve(idx, set: circuit.inputs[i].set)))
        case .letRef(let l, let idx):
            let info = circuit.lets[l]
            var args: [Int] = []
            for (x, set) in zip(idx, info.dimSets) { args.append(try resolve(x, set: set)) }
            let key = "\(l):" + (info.outerSlots.map { String(env[$0]) } + args.map(String.init)).joined(separator: ",")
            if let g = letMemo[key] { return g }
            let saved = info.binderSlots.map { env[$0] }
            for (s, a) in zip(info.binderSlots, args) { env[s] = a }
            active += info.binderSlots
            let g = try elaborate(info.body)
            active.removeLast(info.binderSlots.count)
            for (s, v) in zip(info.binderSlots, saved) { env[s] = v }
            letMemo[key] = g
            return g
        case .add(let a, let b):
            return Elaborator.add(try elaborate(a), try elaborate(b))
        case .sub(let a, let b):
            return Elaborator.add(try elaborate(a), Elaborator.scale(-1, try elaborate(b)))
        case .neg(let a):
            return Elaborator.scale(-1, try elaborate(a))
        case .mul(let a, let b):
            let x = try elaborate(a)
            let y = try elaborate(b)
            if let c = x.constantValue { return Elaborator.scale(c, y) }
            if let c = y.constantValue { return Elaborator.scale(c, x) }
            throw .circuit(ir.loc, "internal error: product of two non-constant expressions")
        case .div(let a, let b):
            let x = try elaborate(a)
            guard let c = try elaborate(b).constantValue else {
                throw .circuit(ir.loc, "internal error: non-constant divisor")
            }
            guard !c.isZero else {
                let bt = bindingText
                throw .circuit(ir.loc, "division by zero with these risk values" + (bt.isEmpty ? "" : " (\(bt))"))
            }
            return Elaborator.scale(Rational.one / c, x)
        case .abs(let a):
            let x = try elaborate(a)
            if let c = x.constantValue { return .constant(c.magnitude) }
            return .abs(x)
        case .extremum(let isMax, let args):
            var gs: [Ground] = []
            for a in args { gs.append(try elaborate(a)) }
            return fold(isMax: isMax, gs, labels: (1...gs.count).map { "argument \($0)" }, origin: origin(isMax ? "max(…)" : "min(…)", ir.loc))
        case .reduce(let kind, let slot, let set, let body):
            let n = values.elements[set].count
            let saved = env[slot]
            active.append(slot)
            defer { active.removeLast(); env[slot] = saved }
            if kind == .sum {
                var parts: [Ground] = []
                var constant = Rational.zero
                for e in 0..<n {
                    env[slot] = e
                    let g = try elaborate(body)
                    switch g {
                    case .constant(let c): constant += c
                    case .sum(let xs): parts += xs
                    default: parts.append(g)
                    }
                }
                if !constant.isZero { parts.append(.constant(constant)) }
                if parts.isEmpty { return .constant(.zero) }
                return parts.count == 1 ? parts[0] : .sum(parts)
            }
            guard n > 0 else {
                throw .circuit(ir.loc, "`\(kind.rawValue)` over the empty set \(circuit.sets[set].name): values.\(circuit.sets[set].name) lists no elements")
            }
            active.removeLast()
            let org = origin("\(kind.rawValue)(\(circuit.slotNames[slot]) in \(circuit.sets[set].name): …)", ir.loc)
            active.append(slot)
            var gs: [Ground] = []
            var labels: [String] = []
            for e in 0..<n {
                env[slot] = e
                gs.append(try elaborate(body))
                labels.append("\(circuit.slotNames[slot])=\(values.elements[set][e])")
            }
            return fold(isMax: kind == .max, gs, labels: labels, origin: org)
        }
    }

    func fold(isMax: Bool, _ gs: [Ground], labels: [String], origin: String) -> Ground {
        if gs.allSatisfy({ $0.constantValue != nil }) {
            let cs = gs.map { $0.constantValue! }
            return .constant(cs.dropFirst().reduce(cs[0]) { isMax ? Rational.max($0, $1) : Rational.min($0, $1) })
        }
        if gs.count == 1 { return gs[0] }
        return .extremum(isMax: isMax, gs, labels: labels, origin: origin)
    }

    /// Expands the statements into named ground requirements.
    mutating func requirements(_ stmts: [CheckedStmt], loopIDs: [String] = []) throws(MarginError) -> [GroundRequirement] {
        var out: [GroundRequirement] = []
        for s in stmts {
            switch s {
            case .require(let r):
                var name = r.name ?? "requirement \(r.ordinal)"
                if !loopIDs.isEmpty { name += "[\(loopIDs.joined(separator: ", "))]" }
                let lhs = try elaborate(r.lhs)
                let rhs = try elaborate(r.rhs)
                out.append(GroundRequirement(name: name, lhs: lhs, rhs: rhs))
            case .forLoop(let slot, let set, let body):
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

/// Exact evaluation of a ground tree given the inputs' real values.
func evaluateGround(_ g: Ground, _ x: [Rational]) -> Rational {
    switch g {
    case .constant(let c): return c
    case .input(let j): return x[j]
    case .sum(let parts):
        var acc = Rational.zero
        for p in parts { acc += evaluateGround(p, x) }
        return acc
    case .scaled(let c, let h): return c * evaluateGround(h, x)
    case .abs(let h): return evaluateGround(h, x).magnitude
    case .extremum(let isMax, let args, _, _):
        var best = evaluateGround(args[0], x)
        for a in args.dropFirst() {
            let v = evaluateGround(a, x)
            if isMax ? best < v : v < best { best = v }
        }
        return best
    }
}
