import Foundation
import XCTest
@testable import MarginCircuits
import StrictJSON
import ZKTestSupport

/// Vectors/work/cases.json: the work budget's units (SPEC.md §16.2.2) that
/// the reference charges compiling each case, so that a second
/// implementation can check that it counts the same. The cases exercise
/// every charge: parameter entries, nodes, flattened sums, reductions whose
/// elements are sums, `let` uses and their shared lowering, origins with
/// bindings and long ids, requirement names, helper calls, new helpers and
/// their pairwise analysis, rounding helpers, and refusals by the budget.
///
/// `ZKMARGIN_WRITE_VECTORS=1` rewrites the file (after a deliberate change
/// to the charges, which SPEC.md §16.2.2 must then describe).
final class WorkVectorTests: XCTestCase {
    struct Case {
        let name: String
        let circuit: String
        let values: String
    }

    /// Shipped circuits with their example values, by path.
    static let shipped = ["threshold", "cross-margin", "options-standard", "portfolio-margin", "tiered-margin"]

    static let prelude = """
        set assets
        set instruments
        param mark[i in instruments] >= 0 default 1
        param rate[i in instruments] in [0, 1] default 0.05
        private balance[a in assets] from balance in [0, 1e12] scale 1e-8
        private size[i in instruments] from size in [-1e9, 1e9] scale 1e-8

        """

    /// Values with `n` instruments (ids `prefix0`, …) and `assets` assets.
    /// Without `marks`, every mark is the default, 1.
    static func values(instruments n: Int, assets: Int = 2, prefix: String = "X", marks: Bool = true) -> String {
        let inst = (0..<n).map { marks ? #"{"id": "\#(prefix)\#($0)", "mark": "\#(100 + 7 * $0).5"}"# : #"{"id": "\#(prefix)\#($0)"}"# }.joined(separator: ", ")
        let a = (0..<assets).map { "\"U\($0)\"" }.joined(separator: ", ")
        return #"{"venue": "v", "quote": "USD", "circuit": "work", "assets": [\#(a)], "instruments": [\#(inst)]}"#
    }

    static let cases: [Case] = [
        Case(name: "sums of sums and constants", circuit: prelude + """
            let equity = sum(a in assets: balance[a]) + sum(i in instruments: size[i] * mark[i] + 1 - 1 + 2)
            require r: equity >= sum(i in instruments: abs(size[i]) * mark[i] * rate[i]) + 5
            """, values: values(instruments: 6)),
        Case(name: "a let used by every requirement of a loop", circuit: prelude + """
            let equity = sum(a in assets: balance[a]) + sum(i in instruments: size[i] * mark[i])
            let loss[i in instruments] = abs(size[i]) * mark[i] * rate[i]
            for i in instruments: require solo: equity >= loss[i] + loss[i] * 2 - equity * 0
            require all: equity - sum(i in instruments: loss[i]) >= 0
            """, values: values(instruments: 5)),
        Case(name: "doubling lets, shared", circuit: prelude + "let a0 = size[\"X0\"] + size[\"X1\"]\n"
                + (1...30).map { "let a\($0) = a\($0 - 1) + a\($0 - 1)" }.joined(separator: "\n")
                + "\nrequire r: sum(a in assets: balance[a]) >= a30", values: values(instruments: 2)),
        Case(name: "helpers: max over a set, max of arguments, min, abs", circuit: prelude + """
            let equity = sum(a in assets: balance[a]) + sum(i in instruments: size[i] * mark[i])
            let shock[i in instruments] = max(size[i] * mark[i] * 0.1, -size[i] * mark[i] * 0.1, 0)
            require worst: equity >= max(i in instruments: size[i] * mark[i] - size["X0"]) + sum(i in instruments: shock[i])
            require floor: min(equity, 1000000) >= max(abs(size["X0"] - size["X1"]), 3) + abs(sum(i in instruments: size[i]))
            for i in instruments: require each: equity >= shock[i] + max(size[i], size["X0"], 0)
            """, values: values(instruments: 7)),
        Case(name: "long ids in names, origins and labels", circuit: prelude + """
            let equity = sum(a in assets: balance[a]) + sum(i in instruments: size[i] * mark[i])
            for i in instruments: for j in instruments: require pair: equity >= max(size[i] * mark[i], size[j] * mark[j] * 2)
            require spread: equity >= max(i in instruments: size[i] * mark[i] * rate[i] - 1)
            """, values: values(instruments: 3, prefix: String(repeating: "€", count: 40))),
        Case(name: "rounding helpers: ceil and floor, new, reused, folded and exact", circuit: prelude + """
            let equity = sum(a in assets: floor(balance[a] * 3, 0.01)) + sum(i in instruments: size[i] * mark[i])
            let req[i in instruments] = ceil(abs(size[i]) * mark[i] * rate[i], 0.000001)
            require r: equity >= sum(i in instruments: req[i]) + ceil(size["X0"] * 2 - size["X1"], 0.00000001) + ceil(7.25, 0.5) + ceil(abs(size["X2"]) * 3, 0.01) * 2
            for i in instruments: require each: equity + floor(size[i] - size["X0"] + 1, 0.001) * 0 + floor(size[i] - size[i] + 0.3, 1) >= req[i] + ceil(max(size[i], 0), 2) + ceil(abs(size["X2"]) * 3, 0.01)
            """, values: values(instruments: 4)),
        Case(name: "refused: a max over 2100 elements (its pairwise analysis)", circuit: prelude + """
            require r: sum(a in assets: balance[a]) >= max(i in instruments: size[i] * mark[i])
            """, values: values(instruments: 2100, marks: false)),
        Case(name: "refused: a let of 2100 terms added to 2100 requirements", circuit: prelude + """
            let equity = sum(a in assets: balance[a]) + sum(i in instruments: size[i] * mark[i])
            for i in instruments: require r: equity >= size[i]
            """, values: values(instruments: 2100, marks: false)),
    ]

    /// The units the reference charges for a case, or nil when the budget
    /// refuses it (any other refusal fails the test: a vector must isolate
    /// the budget).
    func work(_ circuit: String, _ values: String, _ what: String) throws -> Int? {
        let v = try RiskValues.decode(from: Data(values.utf8))
        do {
            return try compile(circuitSource: circuit, fileName: "work.zkm", values: v).workUsed
        } catch {
            guard "\(error)".contains("CircuitLimits.maximumExpandedTerms") else {
                XCTFail("\(what): refused for another reason: \(error)")
                return nil
            }
            return nil
        }
    }

    func testWorkVectors() throws {
        var entries: [JSONValue] = []
        for name in WorkVectorTests.shipped {
            let circuit = "Circuits/\(name).zkm", values = "Vectors/examples/\(name)/values.json"
            let units = try work(try Repository.forTests.text(circuit), try Repository.forTests.text(values), name)
            XCTAssertNotNil(units, "\(name): the shipped example must compile")
            entries.append(.object(JSONObject([("name", .string(name)), ("circuit_file", .string(circuit)),
                                                        ("values_file", .string(values)),
                                                        ("work", units.map { .number(String($0)) } ?? .null)])))
        }
        for c in WorkVectorTests.cases {
            let units = try work(c.circuit, c.values, c.name)
            XCTAssertEqual(units == nil, c.name.hasPrefix("refused"), "\(c.name): \(units.map { "\($0) units" } ?? "refused")")
            entries.append(.object(JSONObject([("name", .string(c.name)), ("circuit", .string(c.circuit)),
                                                        ("values", try JSONParser.parse(Array(c.values.utf8))),
                                                        ("work", units.map { .number(String($0)) } ?? .null)])))
        }
        let doc = JSONValue.object(JSONObject([
            ("limit", .number(String(CircuitLimits.maximumExpandedTerms))),
            ("cases", .array(entries)),
        ]))
        let text = String(decoding: doc.encoded(), as: UTF8.self)
        let path = "Vectors/work/cases.json"
        if ProcessInfo.processInfo.environment["ZKMARGIN_WRITE_VECTORS"] == "1" {
            try FileManager.default.createDirectory(at: Repository.forTests.url("Vectors/work"), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: Repository.forTests.url(path))
        }
        XCTAssertEqual(try Repository.forTests.text(path), text,
                       "\(path) no longer holds the reference's work units (rerun with ZKMARGIN_WRITE_VECTORS=1 after a deliberate change, and update SPEC.md §16.2.2)")
    }
}
