import Foundation
import XCTest
@testable import MarginCircuits
import ZKTestSupport

/// Every limit of CircuitLimits refuses what it bounds, early and with an
/// error that names it; the largest real books compile well inside them.
///
/// No assertion here depends on a clock. Set ZKMARGIN_PRINT_TIMINGS=1 to print
/// how long each compilation and refusal took (the figures quoted in
/// Circuits/README.md come from a release build of these tests).
final class LimitsTests: XCTestCase {
    static let prelude = """
        set assets
        set instruments
        param mark[i in instruments] >= 0
        private balance[a in assets] from balance in [0, 1e12] scale 1e-8
        private size[i in instruments] from size in [-1e9, 1e9] scale 1e-8
        let equity = sum(a in assets: balance[a]) + sum(i in instruments: size[i] * mark[i])
        """
    static let preludeLines = 6

    /// Values for the prelude: `instruments` instruments X0…, one asset, and
    /// `extra` JSON fields per instrument (`"d": "…"`) and at the top level.
    static func smallValues(instruments n: Int, assets: Int = 1, field: (Int) -> String = { _ in "" }, top: String = "") -> RiskValues {
        let inst = (0..<n).map { #"{"id": "X\#($0)", "mark": "1"\#(field($0))}"# }.joined(separator: ",")
        let assetList = (0..<assets).map { "\"U\($0)\"" }.joined(separator: ",")
        let json = #"{"venue": "v", "quote": "USD", "circuit": "t", "assets": [\#(assetList)], "instruments": [\#(inst)]\#(top)}"#
        return try! RiskValues.decode(from: Data(json.utf8))
    }

    static let printTimings = ProcessInfo.processInfo.environment["ZKMARGIN_PRINT_TIMINGS"] != nil

    /// Runs `body`, printing its duration when ZKMARGIN_PRINT_TIMINGS is set.
    @discardableResult
    func timed<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        let start = Date()
        defer {
            if LimitsTests.printTimings {
                print(String(format: "[limits] %@: %.1f ms", label, Date().timeIntervalSince(start) * 1000))
            }
        }
        return try body()
    }

    /// Asserts that `body` is refused with every fragment, timing the refusal
    /// (and printing the error with the timings).
    func refuses(_ label: String, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Any) {
        let error: MarginError? = timed("refused: \(label)") {
            do { _ = try body() } catch let e as MarginError { return e } catch { XCTFail("unexpected error \(error)", file: file, line: line) }
            return nil
        }
        guard let error else { return XCTFail("expected an error containing \(fragments)", file: file, line: line) }
        for f in fragments where !error.description.contains(f) {
            XCTFail("error «\(error.description)» does not contain «\(f)»", file: file, line: line)
        }
        if LimitsTests.printTimings { print("[limits]   \(error.description.prefix(400))") }
    }

    func circuit(_ extra: String) throws -> Circuit {
        try Circuit(source: LimitsTests.prelude + "\n" + extra, fileName: "t.zkm")
    }

    func compiled(_ extra: String, _ values: RiskValues) throws -> CompiledStatement {
        try compile(circuit(extra), values: values)
    }

    // MARK: Real books fit

    func testRealSizeBooksCompileWellInsideTheLimits() throws {
        let books: [(circuit: String, instruments: Int, counts: [Int])] = [   // inputs, helpers, requirements
            ("cross-margin", 1000, [2021, 0, 1]),
            ("tiered-margin", 350, [721, 350, 1]),
            ("options-standard", 326, [673, 0, 1]),
            ("rounded-margin", 220, [460, 880, 1]),
            ("portfolio-margin", 5000, [10021, 0, 17]),
        ]
        for b in books {
            let json = SyntheticBooks.values(circuit: b.circuit, instruments: b.instruments)
            let v = try values(json)
            let s = try timed("compile \(b.circuit) with \(b.instruments) instruments") {
                try compile(circuitSource: try Repository.forTests.circuitSource(b.circuit), fileName: "\(b.circuit).zkm", values: v)
            }
            let requirements = s.constraints.filter(\.isRequirement).count
            XCTAssertEqual([s.inputs.count, s.helpers.count, requirements], b.counts, b.circuit)
            XCTAssertLessThan(s.inputs.count * 4, CircuitLimits.maximumCommittedInputs, b.circuit)
            XCTAssertLessThan(requirements * 1000, CircuitLimits.maximumRequirements, b.circuit)
            // Well below the work budget (the 5000 × 16 SPAN-like book, the
            // largest, uses about 40% of it).
            XCTAssertLessThan(s.workUsed * 2, CircuitLimits.maximumExpandedTerms, "\(b.circuit): \(s.workUsed) units of work")
            if LimitsTests.printTimings { print("[limits] \(b.circuit) × \(b.instruments): \(s.workUsed) units of work, \(json.utf8.count) bytes of values") }
            try timed("evaluate \(b.circuit)") { try assertFormsAgree(s, SyntheticBooks.account(instruments: b.instruments)) }
        }
    }

    func testTheShippedCircuitsAreShallow() throws {
        for c in UniverseTests.circuits {
            let checked = try Circuit(source: try Repository.forTests.circuitSource(c), fileName: "\(c).zkm").checked
            var deepest = 0
            func scan(_ s: [CheckedStmt]) {
                for x in s {
                    switch x {
                    case .require(let r): deepest = max(deepest, r.lhs.depth, r.rhs.depth)
                    case .forLoop(_, _, _, let body): scan(body)
                    }
                }
            }
            scan(checked.statements)
            // rounded-margin is the deepest (14: three nested roundings of
            // an abs through two lets), far below maximumNestingDepth (128).
            XCTAssertLessThanOrEqual(deepest, c == "rounded-margin" ? 16 : 10, c)
            XCTAssertLessThan(try Repository.forTests.circuitSource(c).utf8.count * 100, CircuitLimits.maximumSourceBytes, c)
        }
    }

    // MARK: maximumSourceBytes

    func testSourceSize() throws {
        let body = LimitsTests.prelude + "\nrequire r: equity >= 0\n// "
        let exact = body + String(repeating: "x", count: CircuitLimits.maximumSourceBytes - body.utf8.count)
        XCTAssertNoThrow(try Circuit(source: exact, fileName: "t.zkm"))
        refuses("source of 1 MiB + 1 byte", ["t.zkm:1:1: the circuit source has 1048577 bytes, more than the limit of 1048576 (CircuitLimits.maximumSourceBytes)"]) {
            try Circuit(source: exact + "x", fileName: "t.zkm")
        }
    }

    // MARK: maximumDecimalDigits and maximumExponent

    func testLiteralExponentAndDigits() throws {
        refuses("literal 1e9999", ["t.zkm:7:22: the exponent of the number `1e9999` is 9999, more than the limit of 100 (CircuitLimits.maximumExponent) in magnitude"]) {
            try self.circuit("require r: equity >= 1e9999")
        }
        refuses("literal 1e-101", ["the exponent of the number `1e-101` is -101, more than the limit of 100"]) {
            try self.circuit("require r: equity >= 1e-101")
        }
        refuses("literal with a 30-digit exponent", ["has 30 digits, more than the limit of 100 (CircuitLimits.maximumExponent)"]) {
            try self.circuit("require r: equity >= 1e" + String(repeating: "9", count: 30))
        }
        let digits101 = String(repeating: "7", count: 101)
        refuses("literal with 101 digits", ["t.zkm:7:22: the number `7777777777777777777777777777777777777777… (101 characters)` has 101 digits, more than the limit of 100 (CircuitLimits.maximumDecimalDigits)"]) {
            try self.circuit("require r: equity >= \(digits101)")
        }
        refuses("literal with 101 digits across the point", ["has 101 digits"]) {
            try self.circuit("require r: equity >= 1." + String(repeating: "0", count: 100))
        }
        // At the limits: 100 digits with an exponent of ±100 are accepted, and
        // their numerators and denominators stay far inside maximumConstantBits.
        let nines = String(repeating: "9", count: 100)
        let tiny = "0." + String(repeating: "0", count: 98) + "1"
        XCTAssertNoThrow(try circuit("require r: equity >= \(nines)e100\nrequire q: equity >= \(tiny)e-100"))
        for text in ["\(nines)e100", "\(tiny)e-100", "\(nines)e-100"] {
            let tokens = try Lexer.tokenize(text, file: "t.zkm")
            guard case .number(let v, _) = tokens[0].kind else { return XCTFail(text) }
            XCTAssertLessThanOrEqual(v.bitSize, 665, text)
        }
    }

    func testDecimalDigitsInValues() throws {
        let digits101 = "1" + String(repeating: "0", count: 100)
        XCTAssertThrowsError(try Rational(decimal: digits101)) { error in
            XCTAssertEqual("\(error)", #""1000000000000000000000000000000000000000… (101 characters)" is not a decimal (it has 101 digits, more than the limit of 100 (CircuitLimits.maximumDecimalDigits))"#)
        }
        XCTAssertThrowsError(try Rational(decimal: "-0." + String(repeating: "1", count: 100)))
        XCTAssertEqual(try Rational(decimal: "0." + String(repeating: "0", count: 98) + "1"), Rational.powerOfTen(-99))
        XCTAssertEqual(try Rational(decimal: String(repeating: "9", count: 100)), Rational(BigInt.powerOfTen(100) - 1))
        // In risk values, named by their path.
        let src = try Repository.forTests.circuitSource("threshold")
        let base = #"{"venue": "v", "quote": "USD", "circuit": "threshold", "assets": [{"id": "BTC", "price": "PRICE"}], "parameters": {"min_value": "1"}}"#
        let one101 = "1." + String(repeating: "0", count: 100)
        refuses("a 101-digit price", [#"values.assets["BTC"].price: "1.00000000000000000000000000000000000000… (102 characters)" is not a decimal (it has 101 digits, more than the limit of 100 (CircuitLimits.maximumDecimalDigits))"#]) {
            try compile(circuitSource: src, fileName: "threshold.zkm", values: try values(base.replacingOccurrences(of: "PRICE", with: one101)))
        }
        XCTAssertNoThrow(try compile(circuitSource: src, fileName: "threshold.zkm",
                                     values: try values(base.replacingOccurrences(of: "PRICE", with: String(one101.dropLast())))))
    }

    // MARK: maximumConstantBits

    /// `let c1 = c0 * c0`, … for 16 lines: 3^(2^k) has 1.585·2^k bits.
    func squaringLets(_ first: String) -> String {
        ([first] + (1...16).map { "let c\($0) = c\($0 - 1) * c\($0 - 1)" }).joined(separator: "\n")
    }

    func testConstantSquaringIsRefused() throws {
        let bits = BigInt(3).power(1024).bitWidth   // 1623
        // Literal constants: refused by the checker, before any values.
        refuses("16 lines of squaring a literal", ["t.zkm:17:", "`let c10` (line 17): a folded constant has \(bits) bits, more than the limit of 1024 (CircuitLimits.maximumConstantBits)"]) {
            try self.circuit(self.squaringLets("let c0 = 3") + "\nrequire r: equity >= c16")
        }
        // A parameter: the checker's intervals are widened soundly (no error),
        // the elaborator refuses the folded value.
        for declaration in ["param p", "param p in [0, 3]", "param p >= 1"] {
            let c = try circuit(declaration + "\n" + squaringLets("let c0 = p") + "\nrequire r: equity >= c16")
            let v = LimitsTests.smallValues(instruments: 1, top: #", "parameters": {"p": "3"}"#)
            refuses("16 lines of squaring a parameter (\(declaration))", ["`let c10` (line 18): a folded constant has \(bits) bits, more than the limit of 1024 (CircuitLimits.maximumConstantBits)"]) {
                try compile(c, values: v)
            }
        }
        // Widening keeps the sign: p ∈ [2, 3] squared 16 times is still ≥ 0
        // (the lower end is widened to 0), so it may multiply abs.
        let requirement = "\nrequire r: equity >= abs(size[\"X0\"]) * c16"
        XCTAssertNoThrow(try circuit("param p in [2, 3]\n" + squaringLets("let c0 = p") + requirement))
        XCTAssertNoThrow(try circuit("param p in [-3, -2]\n" + squaringLets("let c0 = p") + requirement))
        // p ∈ [1, 3]: the upper end is widened to +∞, the lower stays 1; with p = 1 it compiles.
        let c = try circuit("param p in [1, 3]\n" + squaringLets("let c0 = p") + requirement)
        let s = try compile(c, values: LimitsTests.smallValues(instruments: 1, top: #", "parameters": {"p": "1"}"#))
        XCTAssertEqual(s.helpers.count, 0)   // |size| = long + short: no helper
        // Without a range the sign is unknown, as before.
        assertMarginError(["cannot tell the sign"]) { try self.circuit("param p\n" + self.squaringLets("let c0 = p") + requirement) }
    }

    func testOversizedCoefficientsAndProductsAreRefused() throws {
        // 100-digit divisors, pairwise almost coprime (they differ by small even numbers).
        let big = { (i: Int) in ", \"d\": \"\(BigInt.powerOfTen(99) + BigInt(2 * i + 1))\"" }
        // Sums of coefficients of the same input grow beyond the limit while lowering.
        refuses("a coefficient summed from 12 large denominators", ["requirement `r`: a folded coefficient has", "more than the limit of 1024 (CircuitLimits.maximumConstantBits)"]) {
            try self.compiled("param d[i in instruments] >= 1\nrequire r: equity >= sum(i in instruments: size[\"X0\"] / d[i])", LimitsTests.smallValues(instruments: 12, field: big))
        }
        // Different inputs: every coefficient is small, their common
        // denominator is not (Lowerer.integerize).
        refuses("a form whose common denominator exceeds 2299 bits", ["requirement `r`: the common denominator of its coefficients has more than 2299 bits"]) {
            try self.compiled("param d[i in instruments] >= 1\nrequire r: equity >= sum(i in instruments: size[i] / d[i])", LimitsTests.smallValues(instruments: 12, field: big))
        }
        // A constant summed over a set (folded by the elaborator).
        refuses("a constant summed from 12 large denominators", ["requirement `r` (line 8): a folded constant has", "(CircuitLimits.maximumConstantBits)"]) {
            try self.compiled("param d[i in instruments] >= 1\nrequire r: equity >= sum(i in instruments: 1 / d[i])", LimitsTests.smallValues(instruments: 12, field: big))
        }
        // The product of a private input's `from` parameters.
        refuses("`from` multiplying four 100-digit parameters", ["t.zkm:8:", "`private c` (line 8), element \"X0\": the product of its `from` parameters: a folded constant has", "(CircuitLimits.maximumConstantBits)"]) {
            try self.compiled("param d[i in instruments] >= 1\nprivate c[i in instruments] from size * d[i] * d[i] * d[i] * d[i] in [0, 1] scale 1\nrequire r: equity >= 0", LimitsTests.smallValues(instruments: 1, field: big))
        }
    }

    // MARK: maximumNestingDepth

    func testNestedParenthesesOfOneMebibyte() throws {
        let head = "set s\nrequire r: 0 >= "
        let source = head + String(repeating: "(", count: CircuitLimits.maximumSourceBytes - head.utf8.count)
        XCTAssertEqual(source.utf8.count, CircuitLimits.maximumSourceBytes)
        refuses("1 MiB of `(`", ["t.zkm:2:144: this expression is nested at least 129 deep, more than the limit of 128 (CircuitLimits.maximumNestingDepth)"]) {
            try Circuit(source: source, fileName: "t.zkm")
        }
        // The boundary: 127 parentheses around a number are 128 deep.
        let ok = String(repeating: "(", count: 127) + "1" + String(repeating: ")", count: 127)
        XCTAssertNoThrow(try circuit("require r: equity >= \(ok)"))
        refuses("128 parentheses", ["nested at least 129 deep"]) { try self.circuit("require r: equity >= (\(ok))") }
    }

    func testLongChainsAreRefused() throws {
        let chain = Array(repeating: "1", count: 20_000).joined(separator: "+")
        refuses("20k `1+1+…`", ["t.zkm:7:\(22 + 2 * 128 - 1): this expression is nested 129 deep, more than the limit of 128 (CircuitLimits.maximumNestingDepth)"]) {
            try self.circuit("require r: equity >= \(chain)")
        }
        XCTAssertNoThrow(try circuit("require r: equity >= " + Array(repeating: "1", count: 128).joined(separator: "+")))
        refuses("100k unary minus", ["nested at least 129 deep"]) {
            try self.circuit("require r: equity >= " + String(repeating: "-", count: 100_000) + "1")
        }
        refuses("products of 1000 factors", ["nested 129 deep"]) {
            try self.circuit("require r: equity >= " + Array(repeating: "mark[\"X0\"]", count: 1000).joined(separator: " * "))
        }
        refuses("nested abs", ["nested at least 129 deep"]) {
            try self.circuit("require r: equity >= " + String(repeating: "abs(", count: 5000) + "1" + String(repeating: ")", count: 5000))
        }
        refuses("nested sums", ["nested at least 129 deep"]) {
            let open = (0..<200).map { "sum(i\($0) in instruments: " }.joined()
            return try self.circuit("require r: equity >= " + open + "1" + String(repeating: ")", count: 200))
        }
        let loops = (0..<200).map { "for x\($0) in instruments:" }.joined(separator: "\n")
        refuses("200 nested `for`s", ["t.zkm:135:1: `for` statements nested 129 deep, more than the limit of 128 (CircuitLimits.maximumNestingDepth)"]) {
            try self.circuit(loops + "\nrequire r: equity >= 0")
        }
    }

    func testTheDeepestAllowedExpressionsCompile() throws {
        // 125 sums around a max (2 deep), minus 5: 128 levels, elaborated,
        // lowered and evaluated through every recursion.
        let sums = (0..<125).map { "sum(i\($0) in instruments: " }.joined()
        let close = String(repeating: ")", count: 125)
        let s = try compiled("require r: 0 >= " + sums + "max(size[\"X0\"], 0)" + close + " - 5", LimitsTests.smallValues(instruments: 1))
        XCTAssertEqual(s.helpers.count, 0)   // max(size, 0) is the committed long part
        let a = try account(#"{"account": "a", "positions": {"X0": {"size": "3"}}}"#)
        XCTAssertEqual(try s.evaluate(a).binding!.excess, Rational(2))
        refuses("one sum more", ["nested 129 deep"]) {
            try self.circuit("require r: 0 >= sum(j in instruments: " + sums + "max(size[\"X0\"], 0)" + close + ") - 5")
        }
        let parens = String(repeating: "(", count: 127) + "size[\"X0\"]" + String(repeating: ")", count: 127)
        XCTAssertNoThrow(try compiled("require r: equity >= " + parens, LimitsTests.smallValues(instruments: 1)))
    }

    func testLetChainsCountTheirDepth() throws {
        // `let a_k = abs(a_{k-1})`: two levels per let, 10k lets.
        let absChain = (1..<10_000).map { "let a\($0) = abs(a\($0 - 1))" }.joined(separator: "\n")
        refuses("10k lets of abs", ["t.zkm:71:", "`let a64` (line 71): this expression is nested 129 deep counting the `let`s it uses, more than the limit of 128 (CircuitLimits.maximumNestingDepth)"]) {
            try self.circuit("let a0 = 1\n" + absChain + "\nrequire r: equity >= a9999")
        }
        // Bare references: one level per let, over private inputs.
        let refChain = (1..<10_000).map { "let a\($0) = a\($0 - 1)" }.joined(separator: "\n")
        refuses("10k lets of references", ["`let a128` (line 135): this expression is nested 129 deep"]) {
            try self.circuit("let a0 = size[\"X0\"]\n" + refChain + "\nrequire r: a9999 >= 0")
        }
        // The deepest allowed chain compiles and evaluates.
        // a0 is 2 deep, a124 126, its use 127, `a124 - 5` 128.
        let deepest = (1..<125).map { "let a\($0) = a\($0 - 1)" }.joined(separator: "\n")
        let s = try compiled("let a0 = max(size[\"X0\"], 0)\n" + deepest + "\nrequire r: 0 >= a124 - 5", LimitsTests.smallValues(instruments: 1))
        let a = try account(#"{"account": "a", "positions": {"X0": {"size": "3"}}}"#)
        XCTAssertEqual(try s.evaluate(a).binding!.excess, Rational(2))
        refuses("one more level", ["t.zkm:132:", "requirement `r` (line 132): this expression is nested 129 deep"]) {
            try self.circuit("let a0 = max(size[\"X0\"], 0)\n" + deepest + "\nrequire r: 0 >= -a124 + 5")
        }
    }

    // MARK: maximumRequirements and maximumCommittedInputs

    func testRequirementCountIsCheckedBeforeExpanding() throws {
        let v = LimitsTests.smallValues(instruments: 300, assets: 300)
        refuses("for over 300 × 300", ["t.zkm:7:1: `for a in assets` (line 7): with these values the circuit expands to 90000 requirements, more than the limit of 65536 (CircuitLimits.maximumRequirements)"]) {
            try self.compiled("for a in assets: for i in instruments: require r: equity >= 0", v)
        }
        refuses("nested loops overflowing Int", ["expands to more than \(Int.max) requirements"]) {
            let loops = (0..<10).map { "for x\($0) in instruments:" }.joined(separator: " ")
            return try self.compiled(loops + " require r: equity >= 0", v)
        }
    }

    func testCommittedInputCount() throws {
        // cross-margin commits a balance per asset, a size and a cost per
        // instrument: 1 + 2 × 32768 = 65537.
        let v = try values(SyntheticBooks.values(circuit: "cross-margin", instruments: 32_768, assets: 1))
        refuses("cross-margin with 32768 instruments", ["cross-margin.zkm:50:", "`private cost` (line 50): with these values the circuit commits to 65537 inputs, more than the limit of 65536 (CircuitLimits.maximumCommittedInputs)"]) {
            try compile(circuitSource: try Repository.forTests.circuitSource("cross-margin"), fileName: "cross-margin.zkm", values: v)
        }
    }

    // MARK: maximumExpandedTerms

    func testDoublingLetsStayShared() throws {
        // Each let is expanded once and shared by its uses (a DAG, not a
        // tree of 2^40 leaves), lowered and evaluated once per use.
        let chain = (1...40).map { "let a\($0) = a\($0 - 1) + a\($0 - 1)" }.joined(separator: "\n")
        let c = try circuit("let a0 = size[\"X0\"] + size[\"X1\"]\n" + chain + "\nrequire r: equity >= a40")
        let s = try timed("compile 40 doubling lets") { try compile(c, values: LimitsTests.smallValues(instruments: 2)) }
        XCTAssertLessThan(s.workUsed, 1000)
        let a = try account(#"{"account": "a", "positions": {"X0": {"size": "1"}}}"#)
        XCTAssertEqual(try s.evaluate(a).binding!.excess, Rational(1) - Rational(BigInt.powerOfTwo(40)))
        try assertFormsAgree(s, a)
    }

    func testWideMaxExhaustsTheBudgetBeforeItsPairwiseAnalysis() throws {
        let v = LimitsTests.smallValues(instruments: 3000)
        refuses("max over 3000 instruments", ["helper `max(i in instruments: …) at line 7` (requirement `r`): comparing its 3000 branches pairwise takes 44985000 steps, and compiling the circuit with these values needs more work", "(CircuitLimits.maximumExpandedTerms)"]) {
            try self.compiled("require r: equity >= max(i in instruments: size[i] * mark[i])", v)
        }
    }

    func testMatrixWithDefaultsIsChargedBeforeItIsFilled() throws {
        let tiers = (0..<3000).map { "\"t\($0)\"" }.joined(separator: ",")
        let v = LimitsTests.smallValues(instruments: 3000, top: #", "tiers": [\#(tiers)]"#)
        refuses("a 3000 × 3000 matrix of defaults", ["values.instruments: `rate` has 3000 × 3000 entries, and compiling the circuit", "(CircuitLimits.maximumExpandedTerms)"]) {
            try self.compiled("set tiers\nparam rate[i in instruments, t in tiers] default 0\nrequire r: equity >= 0", v)
        }
    }

    func testLetsSharedByManyRequirementsAreCharged() throws {
        // 4000 instruments in equity, lowered once per requirement: 2000 requirements.
        let v = LimitsTests.smallValues(instruments: 4000, assets: 2000)
        refuses("a 4000-term equity in 2000 requirements", ["requirement `r[U", "more than the limit of \(CircuitLimits.maximumExpandedTerms) (CircuitLimits.maximumExpandedTerms)"]) {
            try self.compiled("for a in assets: require r: equity >= balance[a]", v)
        }
    }
}
