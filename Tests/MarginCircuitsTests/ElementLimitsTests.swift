import XCTest
@testable import MarginCircuits

/// Bounds and scales read per element from the risk values
/// (`private size[i in instruments] from size in [-max_position[i],
/// max_position[i]] scale step[i]`): position limits and order-size steps
/// as venues publish them.
final class ElementLimitsTests: XCTestCase {
    static let head = """
        set instruments
        param mark[i in instruments] >= 0
        param max_position[i in instruments] >= 0 default 1000000
        param step[i in instruments] in [0.000000000001, 1] default 0.00000001
        private size[i in instruments] from size in [-max_position[i], max_position[i]] scale step[i]
        require r: 1000000000000000 >= sum(i in instruments: abs(size[i]) * mark[i])
        """

    static func compiled(_ source: String = head, instruments: String) throws -> CompiledStatement {
        try compile(circuitSource: source, fileName: "limits.zkm", values: try values(#"{"venue": "v", "quote": "USD", "circuit": "limits", "instruments": [\#(instruments)]}"#))
    }

    func testEachElementGetsItsOwnBoundsAndScale() throws {
        let s = try Self.compiled(instruments: #"{"id": "X", "mark": "2", "max_position": "10", "step": "0.1"}, {"id": "Y", "mark": "3"}"#)
        XCTAssertEqual(s.inputs.map(\.id), ["size[X].long", "size[X].short", "size[Y].long", "size[Y].short"])
        XCTAssertEqual(s.inputs.map(\.upperBound), [100, 100, BigInt.powerOfTen(14), BigInt.powerOfTen(14)])
        XCTAssertEqual(s.inputs.map(\.scale), [dec("0.1"), dec("0.1"), dec("0.00000001"), dec("0.00000001")])
        // Widths follow the elements' bounds: a requirement whose largest
        // value comes from the positions needs fewer bits with X capped.
        let linear = Self.head.replacingOccurrences(of: "require r: 1000000000000000 >= sum(i in instruments: abs(size[i]) * mark[i])",
                                                    with: "require r: 1 + sum(i in instruments: size[i] * mark[i]) >= 0")
        let capped = try Self.compiled(linear, instruments: #"{"id": "X", "mark": "2", "max_position": "10", "step": "0.1"}"#)
        let uncapped = try Self.compiled(linear, instruments: #"{"id": "X", "mark": "2"}"#)
        // The largest excess is 1 + 10·2 = 21, in units of 1/5 (2 per unit of 0.1 is 0.2 = 1/5): 105.
        XCTAssertEqual(capped.constraints.last!.maxValue, BigInt(105))
        XCTAssertEqual(capped.constraints.last!.scale, Rational(5))
        XCTAssertLessThan(capped.constraints.last!.bitWidth, uncapped.constraints.last!.bitWidth)
        // Exact at each element's own scale.
        let a = try account(#"{"account": "a", "positions": {"X": {"size": "-9.9"}, "Y": {"size": "0.00000001"}}}"#)
        XCTAssertEqual(try s.evaluate(a).binding!.excess, dec("1000000000000000") - dec("19.8") - dec("0.00000003"))
        try assertFormsAgree(s, a)
    }

    func testAccountsBeyondAnElementsLimitsAreRefused() throws {
        let s = try Self.compiled(instruments: #"{"id": "X", "mark": "2", "max_position": "10", "step": "0.1"}, {"id": "Y", "mark": "3"}"#)
        assertMarginError(["account.positions[\"X\"].size", "outside the circuit's declared bounds for `size` [-10, 10]"]) {
            try s.inputValues(for: try account(#"{"account": "a", "positions": {"X": {"size": "10.1"}}}"#))
        }
        assertMarginError(["account.positions[\"X\"].size", "more precise than the circuit's precision for `size` (scale 0.1"]) {
            try s.inputValues(for: try account(#"{"account": "a", "positions": {"X": {"size": "0.05"}}}"#))
        }
        // Y keeps the defaults.
        XCTAssertNoThrow(try s.inputValues(for: try account(#"{"account": "a", "positions": {"Y": {"size": "-999999.99999999"}}}"#)))
    }

    func testLimitsThatCannotHoldAreRefusedNamingTheElement() throws {
        let pinned = Self.head.replacingOccurrences(of: "in [-max_position[i], max_position[i]]", with: "in [max_position[i], max_position[i]]")
        assertMarginError(["element \"X\"", "no multiple of the scale 0.3 lies within the bounds [0.2, 0.2]"]) {
            try Self.compiled(pinned, instruments: #"{"id": "X", "mark": "2", "max_position": "0.2", "step": "0.3"}"#)
        }
        // A negative cap makes the bounds empty.
        let signed = Self.head.replacingOccurrences(of: "param max_position[i in instruments] >= 0 default 1000000", with: "param max_position[i in instruments] default 1000000")
        assertMarginError(["element \"X\"", "empty bounds"]) {
            try Self.compiled(signed, instruments: #"{"id": "X", "mark": "2", "max_position": "-1"}"#)
        }
        // A scale parameter without a positive range: refused per element.
        let anyStep = Self.head.replacingOccurrences(of: "param step[i in instruments] in [0.000000000001, 1] default 0.00000001", with: "param step[i in instruments] default 0.00000001")
        assertMarginError(["element \"X\"", "scale 0 is not positive"]) {
            try Self.compiled(anyStep, instruments: #"{"id": "X", "mark": "2", "step": "0"}"#)
        }
        // Values far beyond what a commitment can hold.
        assertMarginError(["input `size[X]`", "exceed 2^250"]) {
            try Self.compiled(instruments: #"{"id": "X", "mark": "2", "max_position": "1\#(String(repeating: "0", count: 80))", "step": "1"}"#)
        }
    }

    func testTheSyntaxAdmitsNumbersAndTheElementsOwnParametersOnly() throws {
        let base = "set assets\nset instruments\nparam mark[i in instruments] >= 0\nparam cap >= 0\nparam per_asset[a in assets] >= 0\nparam grid[i in instruments, a in assets] >= 0\n"
        let require = "\nrequire r: 1 >= sum(i in instruments: abs(size[i]) * mark[i])"
        // Accepted: a scalar parameter, a literal mixed with a parameter.
        XCTAssertNoThrow(try Circuit(source: base + "private size[i in instruments] from size in [-cap, cap] scale 1e-8" + require, fileName: "s.zkm"))
        XCTAssertNoThrow(try Circuit(source: base + "private size[i in instruments] from size in [-1e9, cap] scale 1e-8" + require, fileName: "s.zkm"))
        for (decl, fragment) in [
            ("private size[i in instruments] from size in [-per_asset[i], 1] scale 1e-8", "indexed by the input's own element"),
            ("private size[i in instruments] from size in [-grid[i], 1] scale 1e-8", "indexed by the input's own element"),
            ("private size[i in instruments] from size in [-nothing, 1] scale 1e-8", "unknown name `nothing`"),
            ("private size[i in instruments] from size in [-1, 1] scale -mark[i]", "without `-`"),
            ("private size[i in instruments] from size in [-1, 1] scale cap[i]", "scalar parameter and takes no index"),
            ("private size[i in instruments] from size in [-1, 1] scale", "a positive number or a parameter after `scale`"),
            ("private size[i in instruments] from size in [2, 1] scale 1", "empty interval"),
            ("private size[i in instruments] from size in [-1, 1] scale 0", "the scale must be positive"),
            ("private size[i in instruments] from size in [-mark[\"X\"], 1] scale 1", "indexed by the input's own element"),
        ] {
            assertMarginError([fragment]) { try Circuit(source: base + decl + require, fileName: "s.zkm") }
        }
    }
}
