import Foundation
import XCTest
@testable import MarginCircuits
import ZKTestSupport

/// Generated risk values for a universe of many instruments, and the size of
/// the statement each shipped circuit compiles to.
enum Universe {
    static let scenarioNames = (1...16).map { "s\($0)" }

    /// Risk values for `circuit` with `instruments` instruments, 20 assets,
    /// 5 tiers and 16 scenarios, deterministic.
    static func values(circuit: String, instruments n: Int) -> String {
        var rng = SplitMix64(seed: 7)
        func price(_ lo: Int, _ hi: Int) -> String {   // two decimals
            let cents = lo * 100 + Int(rng.next() % UInt64((hi - lo) * 100))
            return "\(cents / 100).\(String(format: "%02d", cents % 100))"
        }
        func rate() -> String { "0.\(String(format: "%04d", 10 + Int(rng.next() % 490)))" }   // 0.0010 … 0.0499
        var assets: [String] = []
        for a in 0..<20 {
            assets.append(#"{"id": "A\#(a)", "price": "\#(price(1, 100000))", "haircut": "0.\#(String(format: "%02d", Int(rng.next() % 30)))"}"#)
        }
        var instruments: [String] = []
        for i in 0..<n {
            let mark = price(1, 100000)
            var fields = [#""id": "I\#(i)""#, #""mark": "\#(mark)""#]
            switch circuit {
            case "cross-margin":
                fields.append(#""mm_rate": "\#(rate())""#)
            case "tiered-margin":
                // Rates increase, deductions keep MM continuous at the bracket floors.
                var r = [Rational](), d = [Rational](), floors = [0, 50_000, 250_000, 1_000_000, 5_000_000]
                for k in 0..<5 {
                    r.append(Rational(Int(rng.next() % 20) + 40 + 60 * k) / Rational(10_000))
                    d.append(k == 0 ? .zero : d[k - 1] + Rational(floors[k]) * (r[k] - r[k - 1]))
                }
                let rates = (0..<5).map { #""t\#($0)": "\#(r[$0])""# }.joined(separator: ", ")
                let deds = (0..<5).map { #""t\#($0)": "\#(d[$0])""# }.joined(separator: ", ")
                fields.append(#""mm_rate": {\#(rates)}"#)
                fields.append(#""deduction": {\#(deds)}"#)
            case "portfolio-margin":
                let losses = scenarioNames.map { #""\#($0)": "\#(Int(rng.next() % 20001) - 10000).\#(Int(rng.next() % 100))""# }.joined(separator: ", ")
                fields.append(#""loss": {\#(losses)}"#)
                if i % 2 == 1 { fields.append(#""short_option_min": "\#(price(1, 1000))""#) }
            case "rounded-margin":
                fields.append(#""im_rate": "0.\#(String(format: "%02d", 2 + Int(rng.next() % 19)))""#)
                fields.append(#""mm_fraction": "0.6""#)
            case "options-standard":
                fields.append(#""underlying": "\#(price(1, 100000))""#)
                fields.append(#""mm_rate": "0.075""#)
            default:
                break
            }
            instruments.append("{" + fields.joined(separator: ", ") + "}")
        }
        var json = #"{"venue": "Generated", "quote": "USD", "circuit": "\#(circuit)", "assets": [\#(assets.joined(separator: ", "))]"#
        switch circuit {
        case "threshold":
            json += #", "parameters": {"min_value": "1000000"}"#
        case "tiered-margin":
            json += #", "tiers": ["t0", "t1", "t2", "t3", "t4"], "instruments": [\#(instruments.joined(separator: ",\n"))]"#
        case "portfolio-margin":
            json += #", "scenarios": [\#(scenarioNames.map { "\"\($0)\"" }.joined(separator: ", "))], "instruments": [\#(instruments.joined(separator: ",\n"))]"#
        default:
            json += #", "instruments": [\#(instruments.joined(separator: ",\n"))]"#
        }
        return json + "}"
    }

    /// "inputs / helpers / constraints, widths {64: n, 128: m}".
    static func summary(_ s: CompiledStatement) -> String {
        var widths: [Int: Int] = [:]
        for c in s.constraints { widths[c.bitWidth, default: 0] += 1 }
        let w = widths.keys.sorted().map { "\($0)-bit × \(widths[$0]!)" }.joined(separator: ", ")
        let req = s.constraints.filter(\.isRequirement)
        let reqBits = Set(req.map(\.bitWidth)).sorted().map(String.init).joined(separator: "/")
        let maxReq = req.map { $0.maxValue.bitWidth }.max() ?? 0
        return "\(s.inputs.count) inputs, \(s.helpers.count) helpers, \(s.constraints.count) range constraints (\(req.count) requirements); widths: \(w); requirement forms \(reqBits)-bit (largest honest value < 2^\(maxReq))"
    }
}

final class UniverseTests: XCTestCase {
    static let circuits = ["threshold", "cross-margin", "tiered-margin", "rounded-margin", "portfolio-margin", "options-standard"]

    func testExampleStatementSizes() throws {
        var lines: [String] = []
        for c in UniverseTests.circuits {
            lines.append("\(c) (example values): " + Universe.summary(try compiledExample(c)))
        }
        XCTAssertEqual(lines.count, 6)
        // cross-margin: BTC + USDC's asset and liability parts (USDC may be
        // borrowed) + 2 positions × 2 sides + the summed cost; no helper
        // (|size| = long + short), only the maintenance requirement.
        let cm = try compiledExample("cross-margin")
        XCTAssertEqual([cm.inputs.count, cm.helpers.count, cm.constraints.count], [8, 0, 1])
        // tiered: one tier maximum per instrument (3 constraints each: 3 tiers).
        let tm = try compiledExample("tiered-margin")
        XCTAssertEqual([tm.inputs.count, tm.helpers.count, tm.constraints.count], [7, 2, 7])
        let pm = try compiledExample("portfolio-margin")
        XCTAssertEqual([pm.inputs.count, pm.helpers.count, pm.constraints.count], [6, 0, 6])
        let os = try compiledExample("options-standard")
        XCTAssertEqual([os.inputs.count, os.helpers.count, os.constraints.count], [7, 0, 1])
        // rounded: no cost; per instrument a floor (equity) and three nested ceils (requirement), each a helper with its bound and relation.
        let rm = try compiledExample("rounded-margin")
        XCTAssertEqual([rm.inputs.count, rm.helpers.count, rm.constraints.count], [7, 8, 17])
        let th = try compiledExample("threshold")
        XCTAssertEqual([th.inputs.count, th.helpers.count, th.constraints.count], [3, 0, 1])
    }

    func testThousandInstrumentUniverse() throws {
        var lines: [String] = []
        for c in UniverseTests.circuits {
            let v = try values(Universe.values(circuit: c, instruments: 1000))
            let start = Date()
            let s = try compile(circuitSource: try Repository.forTests.circuitSource(c), fileName: "\(c).zkm", values: v)
            let seconds = Date().timeIntervalSince(start)
            lines.append("\(c) (1000 instruments, 20 assets): " + Universe.summary(s) + String(format: "; compiled in %.2f s (debug)", seconds))
            // Every instrument and asset is committed, held or not: 20
            // balances, both sides of 1000 positions, the summed cost. Only
            // tier maxima need helpers.
            let expected: [String: [Int]] = [   // inputs, helpers, constraints
                "threshold": [20, 0, 1], "cross-margin": [2021, 0, 1], "tiered-margin": [2021, 1000, 5001],
                "portfolio-margin": [2021, 0, 17], "options-standard": [2021, 0, 1], "rounded-margin": [2020, 4000, 8001],
            ]
            XCTAssertEqual([s.inputs.count, s.helpers.count, s.constraints.count], expected[c], c)
            XCTAssertTrue(s.constraints.allSatisfy { $0.bitWidth <= 128 && $0.maxMagnitude < BigInt.powerOfTwo(250) })
            // A random account agrees with the evaluator.
            var rng = SplitMix64(seed: 99)
            var positions: [String: Account.Position] = [:]
            if c != "threshold" {
                for i in stride(from: 0, to: 1000, by: 7) {
                    positions["I\(i)"] = .init(size: Rational(Int(rng.next() % 20001) - 10000) / Rational(1000), entryPrice: Rational(Int(rng.next() % 1_000_000)) / Rational(100))
                }
            }
            let a = Account(label: "big", balances: ["A0": Rational(10_000_000), "A3": dec("12.5")], positions: positions)
            try assertFormsAgree(s, a)
        }
        // Set ZKMARGIN_PRINT_SIZES=1 to see the table quoted in Circuits/README.md §8.
        if ProcessInfo.processInfo.environment["ZKMARGIN_PRINT_SIZES"] != nil { print(lines.joined(separator: "\n")) }
    }
}
