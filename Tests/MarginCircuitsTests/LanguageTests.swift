import XCTest
@testable import MarginCircuits

/// Syntax errors, checker rules (private × private, the convexity rule) and
/// name resolution, each with its location.
final class LanguageTests: XCTestCase {
    static let base = """
        set assets
        set instruments
        param price[a in assets] >= 0
        param mark[i in instruments] >= 0
        param rate[i in instruments] in [0, 1]
        param free[i in instruments]
        param neg[i in instruments] <= 0
        private balance[a in assets] from balance in [0, 1e12] scale 1e-8
        private size[i in instruments] from size in [-1e9, 1e9] scale 1e-8
        let equity = sum(a in assets: balance[a] * price[a])
        """
    static let baseLines = base.split(separator: "\n", omittingEmptySubsequences: false).count

    static let smallValues = """
        {"venue": "v", "quote": "USD", "circuit": "t",
         "assets": [{"id": "USDC", "price": "1"}],
         "instruments": [{"id": "X", "mark": "10", "rate": "0.1", "free": "-1", "neg": "-2"},
                         {"id": "Y", "mark": "20", "rate": "0.2", "free": "3", "neg": "0"}]}
        """

    /// Checks `extra` appended to the base circuit; `line` is 1-based within `extra`.
    func rejects(_ extra: String, line: Int, column: Int? = nil, _ fragments: String..., file: StaticString = #filePath, l: UInt = #line) {
        let source = LanguageTests.base + "\n" + extra
        let where_ = "t.zkm:\(LanguageTests.baseLines + line):" + (column.map { "\($0):" } ?? "")
        assertMarginError([where_] + fragments, file: file, line: l) { try Circuit(source: source, fileName: "t.zkm") }
    }

    func accepts(_ extra: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try Circuit(source: LanguageTests.base + "\n" + extra, fileName: "t.zkm")
        } catch {
            XCTFail("rejected: \(error)", file: file, line: line)
        }
    }

    // MARK: Syntax

    func testSyntaxErrorsCarryLocationAndExpectation() {
        rejects("require equity >= price[a", line: 1, column: 26, "expected `]`")
        rejects("require equity > 0", line: 1, column: 16, "`>` alone is not an operator")
        rejects("require 0 <= equity", line: 1, column: 11, "turn `A <= B` around")
        rejects("require equity >= 0 $", line: 1, column: 21, "unexpected character `$`")
        rejects("require equity >= 1e", line: 1, column: 19, "exponent")
        rejects("require equity >= 1.5x", line: 1, "malformed number")
        rejects("require equity", line: 1, "expected `>=`")
        rejects("require equity >= ", line: 1, "expected an expression", "end of file")
        rejects("private cost[i in instruments] from size * entry_price in [0, 1]", line: 1, "expected `scale`")
        rejects("private cost[i in instruments] in [0, 1] scale 1", line: 1, column: 32, "expected `from`")
        rejects("private cash from balance in [0, 1] scale 1", line: 1, "expected `[`", "indexed by one set")
        rejects("private x[i in instruments] from size in [1, 0] scale 1", line: 1, "empty interval")
        rejects("private x[i in instruments] from size in [0, 1] scale 0", line: 1, "scale must be positive")
        rejects("for i in instruments: param p", line: 1, column: 23, "top level")
        rejects("for i in instruments { require equity >= 0", line: 1, "expected `}`")
        rejects("let sum = 1", line: 1, column: 5, "keyword `sum`")
        rejects("require equity >= max(size[\"X\"])", line: 1, "at least two arguments")
        rejects("require equity >= sum(size[\"X\"])", line: 1, "`x in set:`")
        rejects("require equity >= abs(1, 2)", line: 1, "exactly one argument")
        rejects("require equity >= \"X", line: 1, "unterminated string")
        rejects("param p in [2, 1]", line: 1, "empty interval")
        rejects("param p >= 0 default -1", line: 1, "outside its declared range")
        rejects("let n[instruments] = 1", line: 1, "names its index variables")
        rejects("banana", line: 1, column: 1, "expected a statement")
    }

    func testNameResolution() {
        rejects("require equity >= foo", line: 1, column: 19, "unknown name `foo`")
        rejects("require equity >= entry_price", line: 1, "account fields are read only through a `private")
        rejects("require equity >= price", line: 1, "takes 1 index ([assets]), found 0")
        rejects("require equity >= sum(i in instruments: price[i])", line: 1, "`i` ranges over instruments, but this index of `price` is over assets")
        rejects("require equity >= assets", line: 1, "is a set")
        rejects("require equity >= sum(i in instruments: i)", line: 1, "index variable")
        rejects("require equity >= mark[j]", line: 1, "unknown index variable `j`")
        rejects("param price >= 0", line: 1, "already declared as a parameter at line 3")
        rejects("require equity >= sum(equity in assets: 1)", line: 1, "already declared")
        rejects("require equity >= sum(i in things: 1)", line: 1, "unknown set `things`")
        rejects("require equity >= equity[i]", line: 1, "is not indexed")
        rejects("require r: equity >= 0\nrequire r: equity >= 1", line: 2, "requirement name `r` is already used at line \(LanguageTests.baseLines + 1)")
        rejects("param m[i in instruments, j in instruments]", line: 1, "different sets")
        assertMarginError(["t.zkm:1:1", "no `require`"]) { try Circuit(source: "set a", fileName: "t.zkm") }
    }

    func testFromClauseRules() {
        rejects("private x[i in instruments] from balance * size in [0, 1] scale 1", line: 1, "must read `balance`, `size`, or `size * entry_price`")
        rejects("private x[i in instruments] from entry_price in [0, 1] scale 1", line: 1, "must read `balance`")
        rejects("private x[i in instruments] from size * size in [0, 1] scale 1", line: 1, "appears twice")
        rejects("private x[i in instruments] from size * price[i] in [0, 1] scale 1", line: 1, "indexed by the input's own element")
        rejects("private x[i in instruments] from size * nothing in [0, 1] scale 1", line: 1, "unknown name `nothing` in `from`")
        rejects("private x[i in instruments] from size * equity in [0, 1] scale 1", line: 1, "multiplies account fields by parameters only")
        accepts("param m[i in instruments] >= 0\nparam k >= 0\nprivate c[i in instruments] from size * entry_price * m[i] * k in [-1, 1] scale 1e-12\nrequire equity >= 0")
    }

    // MARK: The checker

    func testPrivateTimesPrivateIsRejected() {
        rejects("require equity >= sum(i in instruments: size[i] * size[i])", line: 1, column: 49, "private × private")
        rejects("require equity * equity >= 0", line: 1, column: 16, "private × private")
        rejects("require equity >= abs(size[\"X\"]) * size[\"Y\"]", line: 1, "private × private")
        rejects("require 1 / equity >= 0", line: 1, "division by a private quantity")
        // Public × private and private × public are fine, so is private / public.
        accepts("require equity * 2 >= 3 * equity / 4 + sum(i in instruments: mark[i] * size[i] / 7)")
    }

    func testAbsOnlyWhereItEnlargesTheRequirement() {
        // Right side, positive coefficient: allowed. Negated on the left: allowed.
        accepts("require equity >= sum(i in instruments: abs(size[i]) * mark[i] * rate[i])")
        accepts("require equity - sum(i in instruments: abs(size[i]) * mark[i]) >= 0")
        accepts("require equity >= -sum(i in instruments: -abs(size[i]))")
        accepts("require equity >= sum(i in instruments: abs(size[i]) * neg[i] * -1)")
        // Left side with a positive coefficient: rejected with the rule explained.
        rejects("require equity + abs(size[\"X\"]) >= 0", line: 1, column: 18, "`abs` is only allowed where it enlarges the requirement", "Convexity rule")
        // Negated on the right: rejected.
        rejects("require equity >= -abs(size[\"X\"])", line: 1, column: 20, "`abs` is only allowed")
        // A parameter declared non-positive flips it.
        rejects("require equity >= sum(i in instruments: abs(size[i]) * neg[i])", line: 1, "`abs` is only allowed")
        // The sign of an unbounded parameter is unknown.
        rejects("require equity >= sum(i in instruments: abs(size[i]) * free[i])", line: 1, "cannot tell the sign", "declare the ranges")
        rejects("require equity >= sum(i in instruments: abs(size[i]) / free[i])", line: 1, "cannot tell the sign of the divisor")
        // 1 − rate is known to be ≥ 0 from rate ∈ [0, 1]; rate − 1 ≤ 0.
        accepts("require equity >= sum(i in instruments: abs(size[i]) * (1 - rate[i]))")
        rejects("require equity >= sum(i in instruments: abs(size[i]) * (rate[i] - 1))", line: 1, "`abs` is only allowed")
        // abs of a nonlinear expression.
        rejects("require equity >= abs(max(size[\"X\"], 0))", line: 1, column: 19, "argument of `abs` must be affine")
    }

    func testMaxOnlyWhereItEnlargesTheRequirement() {
        accepts("require equity >= max(size[\"X\"], 0) + max(i in instruments: size[i] * mark[i])")
        accepts("require equity - max(size[\"X\"], 2 * size[\"Y\"]) >= 0")
        accepts("require equity >= max(abs(size[\"X\"]), max(size[\"Y\"], 1))")
        rejects("require equity + max(size[\"X\"], 0) >= 0", line: 1, column: 18, "`max` of private quantities is only allowed where it enlarges the requirement", "Convexity rule")
        rejects("require equity >= -max(i in instruments: size[i])", line: 1, column: 20, "`max`")
        rejects("require equity >= max(-abs(size[\"X\"]), 0)", line: 1, "`abs` is only allowed")
        // Public max is unrestricted.
        accepts("require equity + max(price[\"USDC\"], 1) >= min(i in instruments: mark[i])")
    }

    func testMinOnlyWhereItShrinksEquity() {
        accepts("require min(equity, 2 * equity - 5) >= 0")
        accepts("require equity >= -min(size[\"X\"], 0)")
        accepts("require min(i in instruments: size[i] * mark[i]) + equity >= 0")
        rejects("require equity >= min(size[\"X\"], 0)", line: 1, column: 19, "`min` of private quantities is only allowed where it shrinks equity", "Convexity rule")
        rejects("require -min(size[\"X\"], 0) >= 0", line: 1, column: 10, "`min`")
        // max inside min on the equity side is neither convex nor concave.
        rejects("require min(max(size[\"X\"], 0), equity) >= 0", line: 1, column: 13, "`max`")
    }

    func testRuleAppliesThroughLets() {
        rejects("let bad = sum(i in instruments: abs(size[i]))\nrequire equity + bad >= 0", line: 1, column: 33, "`abs` is only allowed", "reached through `let bad` used at line \(LanguageTests.baseLines + 2)")
        accepts("let mm = sum(i in instruments: abs(size[i]) * mark[i])\nrequire equity >= mm\nrequire equity - mm >= 0")
        rejects("let mm = sum(i in instruments: abs(size[i]) * mark[i])\nrequire equity >= mm\nrequire mm >= 0", line: 1, "`abs` is only allowed", "line \(LanguageTests.baseLines + 3)")
        accepts("let n[i in instruments] = abs(size[i]) * mark[i]\nfor i in instruments: require equity >= n[i]")
    }

    func testForLoopsAndNames() throws {
        let src = LanguageTests.base + "\n" + """
            for i in instruments {
                let n = abs(size[i]) * mark[i]
                require per_instrument: equity >= n * rate[i]
            }
            require equity >= 0
            """
        let s = try compile(circuitSource: src, fileName: "t.zkm", values: try values(LanguageTests.smallValues))
        XCTAssertEqual(s.constraints.filter(\.isRequirement).map(\.name), ["per_instrument[X]", "per_instrument[Y]", "requirement 2"])
        let a = try account(#"{"account": "a", "balances": {"USDC": "100"}, "positions": {"X": {"size": "-3"}, "Y": {"size": "2"}}}"#)
        let r = try s.evaluate(a)
        // X: |−3|·10·0.1 = 3 → excess 97; Y: 2·20·0.2 = 8 → excess 92; unnamed: 100
        XCTAssertEqual(r.requirements.map(\.name), ["per_instrument[Y]", "per_instrument[X]", "requirement 2"])
        XCTAssertEqual(r.requirements.map(\.excess), [92, 97, 100].map { Rational($0) })
        try assertFormsAgree(s, a)
    }

    func testLiteralIndicesAndDivision() throws {
        let src = LanguageTests.base + "\n" + "require equity >= abs(size[\"X\"]) * mark[\"X\"] / 4 + max(size[\"Y\"] / 2, 0)"
        let s = try compile(circuitSource: src, fileName: "t.zkm", values: try values(LanguageTests.smallValues))
        let a = try account(#"{"account": "a", "balances": {"USDC": "100"}, "positions": {"X": {"size": "-3"}, "Y": {"size": "2"}}}"#)
        // 3·10/4 + max(1, 0) = 7.5 + 1 = 8.5 → excess 91.5
        XCTAssertEqual(try s.evaluate(a).binding!.excess, dec("91.5"))
        try assertFormsAgree(s, a)
        // An unknown literal id is reported at its location once values are known.
        let bad = LanguageTests.base + "\n" + "require equity >= mark[\"Z\"]"
        assertMarginError(["t.zkm:\(LanguageTests.baseLines + 1):24", "unknown id \"Z\"", "values.instruments"]) {
            try compile(circuitSource: bad, fileName: "t.zkm", values: try values(LanguageTests.smallValues))
        }
        // Division by a parameter that is zero in the values.
        let zero = LanguageTests.base + "\n" + "require equity >= sum(i in instruments: size[i] / neg[i])"
        assertMarginError(["t.zkm:\(LanguageTests.baseLines + 1)", "division by zero", "i=Y"]) {
            try compile(circuitSource: zero, fileName: "t.zkm", values: try values(LanguageTests.smallValues))
        }
        // max over an empty set.
        let empty = "set tiers\nset assets\nprivate b[a in assets] from balance in [0, 1] scale 1\nparam r[t in tiers]\nrequire 0 >= max(t in tiers: r[t] * b[\"A\"])"
        assertMarginError(["t.zkm:5:", "over the empty set tiers"]) {
            try compile(circuitSource: empty, fileName: "t.zkm", values: try values(#"{"venue": "v", "quote": "q", "circuit": "c", "tiers": [], "assets": ["A"]}"#))
        }
    }

    func testLexerLocationsCountCharactersNotBytes() {
        // "é" is two bytes in UTF-8 but one column.
        assertMarginError(["t.zkm:2:13", "unexpected character `$`"]) {
            try Circuit(source: "// café\nrequire \"é\" $", fileName: "t.zkm")
        }
        assertMarginError(["t.zkm:1:5", "unexpected character `é`"]) {
            try Circuit(source: "set é", fileName: "t.zkm")
        }
    }
}
