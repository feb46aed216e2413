import XCTest
import ZKTestSupport
@testable import MarginCircuits

/// Compiling for an anonymity set: the elements a holder does not hide
/// among are fixed at zero, and only what remains is proven.
final class AnonymitySetTests: XCTestCase {
    func tiered(_ instruments: Int) throws -> CompiledStatement {
        let v = try values(Universe.values(circuit: "tiered-margin", instruments: instruments))
        return try compile(circuitSource: try Repository.forTests.circuitSource("tiered-margin"), fileName: "tiered-margin.zkm", values: v)
    }

    func testHidingAmongAFewInstrumentsProvesOnlyThem() throws {
        let full = try tiered(200)
        let ids = try values(Universe.values(circuit: "tiered-margin", instruments: 200)).ids(of: "instruments")!
        let kept: Set<String> = [ids[3], ids[50], ids[199]]
        let s = try full.hidingAmong(kept)
        XCTAssertEqual(full.helpers.count, 200)
        XCTAssertEqual(s.helpers.count, 3, "tier maxima only for the instruments hidden among")
        XCTAssertEqual(s.constraints.filter(\.isRequirement).map(\.name), full.constraints.filter(\.isRequirement).map(\.name), "the claims stay the full list")
        // The same committed inputs in the same order: the statement does not change.
        XCTAssertEqual(s.inputs.map(\.id), full.inputs.map(\.id))
        XCTAssertEqual(s.excludedElements.count, 197)
        XCTAssertFalse(s.excludedElements.contains(ids[50]))
        // Both sides of every excluded position are fixed at zero; no form reads them.
        let excluded = Set(s.excludedInputs)
        XCTAssertEqual(excluded.count, 197 * 2)
        XCTAssertTrue(s.excludedInputs.allSatisfy { s.inputs[$0].id.hasSuffix(".long") || s.inputs[$0].id.hasSuffix(".short") })
        XCTAssertFalse(s.inputs.indices.contains { excluded.contains($0) && s.inputs[$0].id.hasPrefix("size[\(ids[3])]") })
        for f in s.constraints.map(\.form) + s.helpers.flatMap(\.branches) {
            XCTAssertFalse(f.terms.contains { excluded.contains($0.index) })
        }
        // An account that holds only kept instruments: the same excess as the evaluator.
        let a = Account(label: "a", balances: ["A0": 1_000_000], positions: [ids[3]: .init(size: 2, entryPrice: 100), ids[199]: .init(size: -1, entryPrice: 50)])
        try assertFormsAgree(s, a)
        XCTAssertEqual(try s.evaluate(a).binding!.excess, try full.evaluate(a).binding!.excess)
        // Hiding among every instrument is the full statement.
        XCTAssertEqual(try full.hidingAmong(Set(ids)).helpers.count, 200)
    }

    func testOnlyPositionElementsCanBeHiddenAmongAndOnlyIfZeroIsAllowed() throws {
        let full = try tiered(3)
        assertMarginError(["hide-among[\"NOPE\"]", "not an element of values.instruments"]) { try full.hidingAmong(["NOPE"]) }
        assertMarginError(["hide-among[\"A0\"]"]) { try full.hidingAmong(["A0"]) }   // an asset, not a position
        let src = """
            set instruments
            param mark[i in instruments] >= 0
            private size[i in instruments] from size in [1, 10] scale 1
            require r: sum(i in instruments: size[i] * mark[i]) >= 0
            """
        let s = try compile(circuitSource: src, fileName: "b.zkm", values: try values(#"{"venue": "v", "quote": "USD", "circuit": "b", "instruments": [{"id": "X", "mark": "1"}, {"id": "Y", "mark": "1"}]}"#))
        assertMarginError(["size[Y] cannot be shown to be zero", "outside its declared bounds [1, 10]"]) { try s.hidingAmong(["X"]) }
    }

    /// The cost of all positions is committed once, as a sum: it is not
    /// excluded element by element, and stays an input of the statement.
    func testSummedInputsStayWhatTheyAre() throws {
        let v = try values(Universe.values(circuit: "cross-margin", instruments: 10))
        let full = try compile(circuitSource: try Repository.forTests.circuitSource("cross-margin"), fileName: "cross-margin.zkm", values: v)
        let ids = v.ids(of: "instruments")!
        let s = try full.hidingAmong([ids[0]])
        XCTAssertEqual(s.inputs.map(\.id), full.inputs.map(\.id))
        let sum = try XCTUnwrap(s.inputs.firstIndex { $0.id == "sum(cost)" })
        XCTAssertFalse(s.excludedInputs.contains(sum))
        XCTAssertTrue(s.constraints[0].terms.contains { $0.index == sum })
        XCTAssertEqual(s.excludedInputs.count, 9 * 2)
    }
}
