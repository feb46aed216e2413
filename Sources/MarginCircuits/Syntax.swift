// The abstract syntax of the circuit language and its recursive-descent
// parser. The grammar is written out in Circuits/README.md; the comments on
// each parse function repeat the rule it implements.

struct Expr: Sendable {
    let loc: SourceLocation
    let node: ExprNode
    /// The depth of the tree (CircuitLimits.maximumNestingDepth): 1 for a
    /// number or name, one more than the deepest child for every operator,
    /// `abs`, `max`, `min`, `sum`, `ceil` and `floor`, and one more for every parenthesis
    /// around it. The parser never builds an `Expr` deeper than the limit.
    let depth: Int

    init(loc: SourceLocation, node: ExprNode) {
        self.loc = loc
        self.node = node
        depth = Expr.depth(of: node)
    }

    /// The same expression inside parentheses: one level deeper.
    init(parenthesized e: Expr) {
        loc = e.loc
        node = e.node
        depth = e.depth + 1
    }

    static func depth(of node: ExprNode) -> Int {
        switch node {
        case .number, .name: return 1
        case .negate(let a), .abs(let a): return a.depth + 1
        case .binary(_, let a, let b): return Swift.max(a.depth, b.depth) + 1
        case .extremum(_, let args): return (args.map(\.depth).max() ?? 0) + 1
        case .round(_, let a, let q): return Swift.max(a.depth, q.depth) + 1
        case .reduce(_, _, _, _, let body): return body.depth + 1
        }
    }
}

enum BinaryOp: String, Sendable { case add = "+", sub = "-", mul = "*", div = "/" }
enum ReduceKind: String, Sendable { case sum, max, min }

indirect enum ExprNode: Sendable {
    case number(Rational, text: String)
    /// A name, possibly indexed: `equity`, `price[a]`, `loss[i, s]`, `price["BTC"]`.
    case name(String, [IndexArg])
    case negate(Expr)
    case binary(BinaryOp, Expr, Expr)
    case abs(Expr)
    /// `max(a, b, …)` / `min(a, b, …)`.
    case extremum(isMax: Bool, [Expr])
    /// `sum(x in S: e)`, `max(x in S: e)`, `min(x in S: e)`.
    case reduce(ReduceKind, variable: String, set: String, setLoc: SourceLocation, body: Expr)
    /// `ceil(e, q)` (up) / `floor(e, q)`: e rounded to a multiple of the
    /// public quantum q.
    case round(up: Bool, Expr, quantum: Expr)
}

struct IndexArg: Sendable {
    enum Kind: Sendable { case variable(String), literal(String) }
    let kind: Kind
    let loc: SourceLocation
}

/// `[i in instruments]` or `[instruments]` in a declaration.
struct Dimension: Sendable {
    let variable: String?
    let set: String
    let loc: SourceLocation
}

enum ParamBound: Sendable {
    case atLeast(Rational)
    case atMost(Rational)
    case between(Rational, Rational)
}

struct ParamDecl: Sendable {
    let name: String
    let loc: SourceLocation
    let dims: [Dimension]
    let bound: ParamBound?
    let defaultValue: Rational?
}

/// One factor of a private input's `from` clause: an account field
/// (`balance`, `size`, `entry_price`) or a parameter of the same element.
struct SourceFactor: Sendable {
    enum Kind: Sendable { case field(String), param(String, IndexArg?) }
    let kind: Kind
    let loc: SourceLocation
}

/// A private input's bound or scale as written: a number, or a parameter
/// (a scalar, or indexed by the input's own element), possibly negated —
/// `1e9`, `-1e9`, `max_position[i]`, `-max_position[i]`, `step[i]`.
enum InputLimit: Sendable {
    case number(Rational)
    case parameter(name: String, index: IndexArg?, negated: Bool)
}

struct PrivateDecl: Sendable {
    let name: String
    let loc: SourceLocation
    let dim: Dimension
    let source: [SourceFactor]
    let lower: InputLimit
    let upper: InputLimit
    let boundLoc: SourceLocation
    let scale: InputLimit
    let scaleLoc: SourceLocation
}

struct LetDecl: Sendable {
    let name: String
    let loc: SourceLocation
    let dims: [Dimension]
    let body: Expr
}

struct RequireDecl: Sendable {
    let name: String?
    let loc: SourceLocation
    let lhs: Expr
    let rhs: Expr
}

struct ForStmt: Sendable {
    let variable: String
    let set: String
    let loc: SourceLocation
    let setLoc: SourceLocation
    let body: [Stmt]
}

indirect enum Stmt: Sendable {
    case sets([(name: String, loc: SourceLocation)])
    case param(ParamDecl)
    case privateInput(PrivateDecl)
    case letBinding(LetDecl)
    case require(RequireDecl)
    case forLoop(ForStmt)
}

/// The account fields a private input can be read from.
let accountFields: Set<String> = ["balance", "size", "entry_price"]

struct Parser {
    var tokens: [Token]
    var position = 0
    /// Parentheses, unary minus, `abs`, `max`, `min`, `sum`, `ceil` and `floor` open around
    /// the current token: the recursion depth of the expression parser
    /// (≤ 4 frames per level), kept below CircuitLimits.maximumNestingDepth.
    var nesting = 0
    /// `for` statements open around the current token (same limit).
    var loopNesting = 0

    init(tokens: [Token]) { self.tokens = tokens }

    static func parse(_ source: String, file: String) throws(MarginError) -> [Stmt] {
        var p = Parser(tokens: try Lexer.tokenize(source, file: file))
        return try p.parseProgram()
    }

    var current: Token { tokens[position] }
    var next: Token { tokens[min(position + 1, tokens.count - 1)] }

    mutating func advance() -> Token {
        let t = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return t
    }

    func error(_ expected: String, at token: Token? = nil) -> MarginError {
        let t = token ?? current
        return .circuit(t.location, "expected \(expected), found \(t.kind.display)")
    }

    func isSymbol(_ s: String) -> Bool { current.kind == .symbol(s) }
    func isKeyword(_ k: Keyword) -> Bool { current.kind == .keyword(k) }

    mutating func expectSymbol(_ s: String, _ context: String) throws(MarginError) {
        guard isSymbol(s) else { throw error("`\(s)` \(context)") }
        _ = advance()
    }

    /// Enters a construct that nests an expression one level deeper
    /// (parenthesis, unary minus, abs, max, min, sum). The tree it produces
    /// is at least `nesting + 1` deep, so entering the limit-th open
    /// construct already exceeds CircuitLimits.maximumNestingDepth.
    mutating func enterNesting(at loc: SourceLocation) throws(MarginError) {
        nesting += 1
        guard nesting < CircuitLimits.maximumNestingDepth else {
            throw .circuit(loc, Parser.depthMessage("at least \(nesting + 1)"))
        }
    }

    /// `e` when its depth is within CircuitLimits.maximumNestingDepth.
    func checkedDepth(_ e: Expr, at loc: SourceLocation) throws(MarginError) -> Expr {
        guard e.depth <= CircuitLimits.maximumNestingDepth else { throw .circuit(loc, Parser.depthMessage("\(e.depth)")) }
        return e
    }

    static func depthMessage(_ depth: String) -> String {
        CircuitLimits.exceeds("this expression is nested \(depth) deep", CircuitLimits.maximumNestingDepth, "maximumNestingDepth")
            + "; every parenthesis, unary minus, operator (a chain `a + b + c` counts its length), `abs`, `max`, `min`, `sum`, `ceil` and `floor` counts one level (moving a part into a `let` does not help: a use of a `let` counts the `let`'s own depth)"
    }

    mutating func expectKeyword(_ k: Keyword, _ context: String) throws(MarginError) {
        guard isKeyword(k) else { throw error("`\(k.rawValue)` \(context)") }
        _ = advance()
    }

    mutating func expectIdentifier(_ what: String) throws(MarginError) -> (String, SourceLocation) {
        let t = current
        switch t.kind {
        case .identifier(let s):
            _ = advance()
            return (s, t.location)
        case .keyword(let k):
            throw .circuit(t.location, "expected \(what), found keyword `\(k.rawValue)` (keywords cannot be used as names)")
        default:
            throw error(what)
        }
    }

    // program := statement*
    mutating func parseProgram() throws(MarginError) -> [Stmt] {
        var out: [Stmt] = []
        while current.kind != .end {
            if isSymbol(";") { _ = advance(); continue }
            out.append(try parseStatement(topLevel: true))
        }
        return out
    }

    // statement := set | param | private | let | require | for
    mutating func parseStatement(topLevel: Bool) throws(MarginError) -> Stmt {
        let t = current
        switch t.kind {
        case .keyword(.set), .keyword(.param), .keyword(.private):
            guard topLevel else {
                throw .circuit(t.location, "`\(t.kind == .keyword(.set) ? "set" : t.kind == .keyword(.param) ? "param" : "private")` declarations must be at the top level, not inside `for`")
            }
            if t.kind == .keyword(.set) { return try parseSet() }
            if t.kind == .keyword(.param) { return .param(try parseParam()) }
            return .privateInput(try parsePrivate())
        case .keyword(.let): return .letBinding(try parseLet())
        case .keyword(.require): return .require(try parseRequire())
        case .keyword(.for): return .forLoop(try parseFor())
        default:
            throw error("a statement (`set`, `param`, `private`, `let`, `require` or `for`)")
        }
    }

    // set := 'set' IDENT (',' IDENT)*
    mutating func parseSet() throws(MarginError) -> Stmt {
        _ = advance()
        var names: [(name: String, loc: SourceLocation)] = []
        repeat {
            if !names.isEmpty { _ = advance() }
            let (n, l) = try expectIdentifier("a set name after `set`")
            names.append((n, l))
        } while isSymbol(",")
        return .sets(names)
    }

    // dims := '[' dim (',' dim)* ']' ; dim := IDENT ('in' IDENT)?
    mutating func parseDims() throws(MarginError) -> [Dimension] {
        try expectSymbol("[", "to open the index list")
        var dims: [Dimension] = []
        while true {
            let (first, loc) = try expectIdentifier("an index such as `i in instruments` or a set name")
            if isKeyword(.in) {
                _ = advance()
                let (set, _) = try expectIdentifier("a set name after `in`")
                dims.append(Dimension(variable: first, set: set, loc: loc))
            } else {
                dims.append(Dimension(variable: nil, set: first, loc: loc))
            }
            if isSymbol(",") { _ = advance(); continue }
            try expectSymbol("]", "to close the index list")
            return dims
        }
    }

    // signed := '-'? NUMBER
    mutating func parseSignedNumber(_ what: String) throws(MarginError) -> (Rational, SourceLocation) {
        let loc = current.location
        var negative = false
        if isSymbol("-") { negative = true; _ = advance() }
        guard case .number(let v, _) = current.kind else { throw error(what) }
        _ = advance()
        return (negative ? -v : v, loc)
    }

    // param := 'param' IDENT dims? (('>=' | '<=') signed | 'in' '[' signed ',' signed ']')? ('default' signed)?
    mutating func parseParam() throws(MarginError) -> ParamDecl {
        _ = advance()
        let (name, loc) = try expectIdentifier("a parameter name after `param`")
        let dims = isSymbol("[") ? try parseDims() : []
        var bound: ParamBound? = nil
        if isSymbol(">=") {
            _ = advance()
            bound = .atLeast(try parseSignedNumber("a number after `>=`").0)
        } else if isSymbol("<=") {
            _ = advance()
            bound = .atMost(try parseSignedNumber("a number after `<=`").0)
        } else if isKeyword(.in) {
            _ = advance()
            let (lo, hi, l) = try parseInterval()
            guard lo <= hi else { throw .circuit(l, "empty interval: the lower bound \(lo) is above the upper bound \(hi)") }
            bound = .between(lo, hi)
        }
        var def: Rational? = nil
        if isKeyword(.default) {
            _ = advance()
            def = try parseSignedNumber("a number after `default`").0
        }
        return ParamDecl(name: name, loc: loc, dims: dims, bound: bound, defaultValue: def)
    }

    // interval := '[' signed ',' signed ']'
    mutating func parseInterval() throws(MarginError) -> (Rational, Rational, SourceLocation) {
        let loc = current.location
        try expectSymbol("[", "to open an interval such as `[0, 1]`")
        let (lo, _) = try parseSignedNumber("the interval's lower bound (a number)")
        try expectSymbol(",", "between the interval's bounds")
        let (hi, _) = try parseSignedNumber("the interval's upper bound (a number)")
        try expectSymbol("]", "to close the interval")
        return (lo, hi, loc)
    }

    // private := 'private' IDENT '[' dim ']' 'from' source 'in' '[' limit ',' limit ']' 'scale' limit
    // source  := factor ('*' factor)* ; factor := IDENT ('[' index ']')?
    // limit   := '-'? (NUMBER | IDENT ('[' index ']')?)
    mutating func parsePrivate() throws(MarginError) -> PrivateDecl {
        _ = advance()
        let (name, loc) = try expectIdentifier("a private input name after `private`")
        guard isSymbol("[") else {
            throw error("`[` after `private \(name)`: every private input is indexed by one set, e.g. `private size[i in instruments]`")
        }
        let dims = try parseDims()
        guard dims.count == 1 else {
            throw .circuit(dims[1].loc, "a private input has exactly one index (one value per asset or instrument)")
        }
        try expectKeyword(.from, "to say which account field `\(name)` is read from, e.g. `from size` or `from size * entry_price * multiplier[i]`")
        var source: [SourceFactor] = []
        repeat {
            if !source.isEmpty { _ = advance() }
            let (f, floc) = try expectIdentifier("an account field (balance, size, entry_price) or a parameter")
            if isSymbol("[") {
                _ = advance()
                let idx = try parseIndexArg()
                try expectSymbol("]", "after the parameter's index")
                source.append(SourceFactor(kind: .param(f, idx), loc: floc))
            } else if accountFields.contains(f) {
                source.append(SourceFactor(kind: .field(f), loc: floc))
            } else {
                source.append(SourceFactor(kind: .param(f, nil), loc: floc))
            }
        } while isSymbol("*")
        try expectKeyword(.in, "and the input's declared bounds, e.g. `in [-1e12, 1e12]` or `in [-max_position[i], max_position[i]]`")
        let bloc = current.location
        try expectSymbol("[", "to open the bounds, e.g. `[-1e12, 1e12]`")
        let lo = try parseInputLimit("the lower bound (a number or a parameter)")
        try expectSymbol(",", "between the bounds")
        let hi = try parseInputLimit("the upper bound (a number or a parameter)")
        try expectSymbol("]", "to close the bounds")
        if case .number(let l) = lo, case .number(let h) = hi, l > h {
            throw .circuit(bloc, "empty interval: the lower bound \(l) is above the upper bound \(h)")
        }
        try expectKeyword(.scale, "and the input's precision, e.g. `scale 1e-8` or `scale step[i]` (values are committed as integer multiples of it)")
        let sloc = current.location
        let s = try parseInputLimit("a positive number or a parameter after `scale`, e.g. `1e-8` or `step[i]`")
        switch s {
        case .number(let x) where x.signum <= 0: throw .circuit(sloc, "the scale must be positive")
        case .parameter(_, _, true): throw .circuit(sloc, "the scale must be positive: write the parameter without `-`")
        default: break
        }
        return PrivateDecl(name: name, loc: loc, dim: dims[0], source: source, lower: lo, upper: hi, boundLoc: bloc, scale: s, scaleLoc: sloc)
    }

    mutating func parseInputLimit(_ what: String) throws(MarginError) -> InputLimit {
        var negated = false
        if isSymbol("-") { negated = true; _ = advance() }
        switch current.kind {
        case .number(let v, _):
            _ = advance()
            return .number(negated ? -v : v)
        case .identifier(let name):
            _ = advance()
            var index: IndexArg? = nil
            if isSymbol("[") {
                _ = advance()
                index = try parseIndexArg()
                try expectSymbol("]", "after the parameter's index")
            }
            return .parameter(name: name, index: index, negated: negated)
        default:
            throw error(what)
        }
    }

    // let := 'let' IDENT dims? '=' expr
    mutating func parseLet() throws(MarginError) -> LetDecl {
        _ = advance()
        let (name, loc) = try expectIdentifier("a name after `let`")
        let dims = isSymbol("[") ? try parseDims() : []
        for d in dims where d.variable == nil {
            throw .circuit(d.loc, "an indexed `let` names its index variables, e.g. `let notional[i in instruments] = …`")
        }
        try expectSymbol("=", "after `let \(name)`")
        let body = try parseExpr()
        return LetDecl(name: name, loc: loc, dims: dims, body: body)
    }

    // require := 'require' (IDENT ':')? expr '>=' expr
    mutating func parseRequire() throws(MarginError) -> RequireDecl {
        let loc = advance().location
        var name: String? = nil
        if case .identifier(let n) = current.kind, next.kind == .symbol(":") {
            name = n
            _ = advance(); _ = advance()
        }
        let lhs = try parseExpr()
        if isSymbol("<=") {
            throw .circuit(current.location, "requirements are written `equity >= requirement`; turn `A <= B` around to `B >= A`")
        }
        guard isSymbol(">=") else { throw error("`>=` in the requirement (`require equity >= requirement`)") }
        _ = advance()
        let rhs = try parseExpr()
        return RequireDecl(name: name, loc: loc, lhs: lhs, rhs: rhs)
    }

    // for := 'for' IDENT 'in' IDENT (':' statement | '{' statement* '}')
    mutating func parseFor() throws(MarginError) -> ForStmt {
        let loc = advance().location
        loopNesting += 1
        defer { loopNesting -= 1 }
        guard loopNesting <= CircuitLimits.maximumNestingDepth else {
            throw .circuit(loc, CircuitLimits.exceeds("`for` statements nested \(loopNesting) deep", CircuitLimits.maximumNestingDepth, "maximumNestingDepth"))
        }
        let (v, _) = try expectIdentifier("a loop variable after `for`")
        try expectKeyword(.in, "after the loop variable")
        let setLoc = current.location
        let (set, _) = try expectIdentifier("a set name after `in`")
        var body: [Stmt] = []
        if isSymbol(":") {
            _ = advance()
            body.append(try parseStatement(topLevel: false))
        } else if isSymbol("{") {
            _ = advance()
            while !isSymbol("}") {
                if current.kind == .end { throw error("`}` to close the `for` body") }
                if isSymbol(";") { _ = advance(); continue }
                body.append(try parseStatement(topLevel: false))
            }
            _ = advance()
        } else {
            throw error("`:` followed by one statement, or `{` to open the loop body")
        }
        return ForStmt(variable: v, set: set, loc: loc, setLoc: setLoc, body: body)
    }

    // expr := term (('+' | '-') term)*
    mutating func parseExpr() throws(MarginError) -> Expr {
        var lhs = try parseTerm()
        while isSymbol("+") || isSymbol("-") {
            let op: BinaryOp = isSymbol("+") ? .add : .sub
            let loc = advance().location
            let rhs = try parseTerm()
            lhs = try checkedDepth(Expr(loc: loc, node: .binary(op, lhs, rhs)), at: loc)
        }
        return lhs
    }

    // term := unary (('*' | '/') unary)*
    mutating func parseTerm() throws(MarginError) -> Expr {
        var lhs = try parseUnary()
        while isSymbol("*") || isSymbol("/") {
            let op: BinaryOp = isSymbol("*") ? .mul : .div
            let loc = advance().location
            let rhs = try parseUnary()
            lhs = try checkedDepth(Expr(loc: loc, node: .binary(op, lhs, rhs)), at: loc)
        }
        return lhs
    }

    // unary := '-' unary | primary
    mutating func parseUnary() throws(MarginError) -> Expr {
        if isSymbol("-") {
            let loc = advance().location
            try enterNesting(at: loc)
            defer { nesting -= 1 }
            return try checkedDepth(Expr(loc: loc, node: .negate(try parseUnary())), at: loc)
        }
        return try parsePrimary()
    }

    // index := IDENT | STRING
    mutating func parseIndexArg() throws(MarginError) -> IndexArg {
        let t = current
        switch t.kind {
        case .identifier(let s):
            _ = advance()
            return IndexArg(kind: .variable(s), loc: t.location)
        case .string(let s):
            _ = advance()
            return IndexArg(kind: .literal(s), loc: t.location)
        default:
            throw error("an index: a loop variable such as `i` or a quoted id such as \"BTC\"")
        }
    }

    // primary := NUMBER | '(' expr ')' | IDENT ('[' index (',' index)* ']')?
    //          | 'abs' '(' expr ')'
    //          | ('max' | 'min') '(' (IDENT 'in' IDENT ':' expr | expr (',' expr)+) ')'
    //          | 'sum' '(' IDENT 'in' IDENT ':' expr ')'
    //          | ('ceil' | 'floor') '(' expr ',' expr ')'          -- not reserved words
    mutating func parsePrimary() throws(MarginError) -> Expr {
        let t = current
        switch t.kind {
        case .number(let v, let text):
            _ = advance()
            return Expr(loc: t.location, node: .number(v, text: text))
        case .symbol("("):
            _ = advance()
            try enterNesting(at: t.location)
            defer { nesting -= 1 }
            let e = try parseExpr()
            try expectSymbol(")", "to close the parenthesis")
            return try checkedDepth(Expr(parenthesized: e), at: t.location)
        case .identifier(let name) where (name == "ceil" || name == "floor") && next.kind == .symbol("("):
            // Not reserved: `ceil`/`floor` round only when called (a name is
            // never followed by `(`), so circuits may still name things so.
            _ = advance(); _ = advance()
            try enterNesting(at: t.location)
            defer { nesting -= 1 }
            let e = try parseExpr()
            guard isSymbol(",") else {
                throw error("`,` and the quantum after the first argument of `\(name)`, e.g. `\(name)(x, 0.000001)`")
            }
            _ = advance()
            let q = try parseExpr()
            if isSymbol(",") { throw .circuit(current.location, "`\(name)` takes exactly two arguments: the expression and the quantum") }
            try expectSymbol(")", "to close `\(name)(`")
            return try checkedDepth(Expr(loc: t.location, node: .round(up: name == "ceil", e, quantum: q)), at: t.location)
        case .identifier(let name):
            _ = advance()
            var args: [IndexArg] = []
            if isSymbol("[") {
                _ = advance()
                repeat {
                    if !args.isEmpty { _ = advance() }
                    args.append(try parseIndexArg())
                } while isSymbol(",")
                try expectSymbol("]", "to close the index")
            }
            return Expr(loc: t.location, node: .name(name, args))
        case .keyword(.abs):
            _ = advance()
            try expectSymbol("(", "after `abs`")
            try enterNesting(at: t.location)
            defer { nesting -= 1 }
            let e = try parseExpr()
            if isSymbol(",") { throw .circuit(current.location, "`abs` takes exactly one argument") }
            try expectSymbol(")", "to close `abs(`")
            return try checkedDepth(Expr(loc: t.location, node: .abs(e)), at: t.location)
        case .keyword(.sum), .keyword(.max), .keyword(.min):
            _ = advance()
            let word = t.kind == .keyword(.sum) ? "sum" : t.kind == .keyword(.max) ? "max" : "min"
            try expectSymbol("(", "after `\(word)`")
            try enterNesting(at: t.location)
            defer { nesting -= 1 }
            if case .identifier(let v) = current.kind, next.kind == .keyword(.in) {
                _ = advance(); _ = advance()
                let setLoc = current.location
                let (set, _) = try expectIdentifier("a set name after `in`")
                try expectSymbol(":", "after `\(word)(\(v) in \(set)`")
                let body = try parseExpr()
                try expectSymbol(")", "to close `\(word)(`")
                let kind: ReduceKind = word == "sum" ? .sum : word == "max" ? .max : .min
                return try checkedDepth(Expr(loc: t.location, node: .reduce(kind, variable: v, set: set, setLoc: setLoc, body: body)), at: t.location)
            }
            if word == "sum" {
                throw error("`x in set:` after `sum(`, e.g. `sum(i in instruments: size[i] * mark[i])`")
            }
            var args = [try parseExpr()]
            while isSymbol(",") {
                _ = advance()
                args.append(try parseExpr())
            }
            guard args.count >= 2 else {
                throw .circuit(current.location, "`\(word)` needs at least two arguments, or the form `\(word)(x in set: …)`")
            }
            try expectSymbol(")", "to close `\(word)(`")
            return try checkedDepth(Expr(loc: t.location, node: .extremum(isMax: word == "max", args)), at: t.location)
        case .keyword(let k):
            throw .circuit(t.location, "expected an expression, found keyword `\(k.rawValue)`")
        default:
            throw error("an expression (a number, a name, `sum(…)`, `abs(…)`, `max(…)`, `min(…)` or `(`)")
        }
    }
}
