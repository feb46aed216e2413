import Foundation
import XCTest
@testable import MarginCircuits
import ZKTestSupport

/// `ceil(e, q)` and `floor(e, q)` (Circuits/README.md §4, SPEC.md §16.4,
/// "Rounding helpers"): exact in the plain evaluator, exact in every
/// compiled form for honest helpers, refused where rounding the wrong way
/// could help the account, and named, bounded and shared like max/min
/// helpers.
final class RoundingTests: XCTestCase {
    /// `RoundingExample`: each term just above, exactly on and just below a
    /// multiple of 10^-6; the balance floored to 10^-6.
    func testEachTermIsRoundedUpExactly() throws {
        let s = try compile(circuitSource: RoundingExample.circuit, fileName: "rounding.zkm", values: try values(RoundingExample.values))
        // Exactly at the rounded margin (0.00000899 floors to 0.000008): meets, with excess 0.
        let at = try s.evaluate(try account(RoundingExample.account(balance: "0.00000899")))
        XCTAssertEqual(at.requirements[0].equity, dec("0.000008"))
        XCTAssertEqual(at.requirements[0].requirement, dec("0.000008"))
        XCTAssertEqual(at.requirements[0].excess, .zero)
        XCTAssertTrue(at.meets)
        // One quantum short: the unrounded requirement (0.000007) would pass it.
        let short = try s.evaluate(try account(RoundingExample.account(balance: "0.000007")))
        XCTAssertEqual(short.requirements[0].excess, dec("-0.000001"))
        XCTAssertFalse(short.meets)
        // A real-sized term: 0.12345678 × 97010.5 × 0.03 = 359.2981186857 → 359.298119.
        let btc = try s.evaluate(try account(RoundingExample.account(balance: "400", btc: "-0.12345678")))
        XCTAssertEqual(btc.requirements[0].requirement, dec("359.298127"))
        for b in ["0.00000899", "0.000008", "0.000007", "0.00000799"] {
            try assertFormsAgree(s, try account(RoundingExample.account(balance: b)))
        }
        for a in [RoundingExample.account(balance: "400", btc: "-0.12345678"), RoundingExample.account(balance: "1000000", btc: "123456.78901234"),
                  RoundingExample.account(balance: "1000000000000", btc: "-1000000000"), #"{"account": "empty"}"#] {
            try assertFormsAgree(s, try account(a))
        }
        // A floor for the balance, then a ceil per instrument, each counting
        // multiples of the quantum.
        XCTAssertEqual(s.helpers.map(\.kind), [.floor, .ceiling, .ceiling, .ceiling, .ceiling])
        for h in s.helpers { XCTAssertEqual(h.unit, dec("0.000001")) }
        XCTAssertEqual(s.helpers[1].id, "ceil(0.3·size[A].long + 0.3·size[A].short, 0.000001)")
        // Per helper, a bound and the relation; then the requirement.
        XCTAssertEqual(s.constraints.count, 11)
    }

    func testFloorRoundsDownIncludingBelowZero() throws {
        let source = """
            set assets
            set instruments
            param price[a in assets] >= 0
            param mark[i in instruments] >= 0
            private balance[a in assets] from balance in [0, 1e6] scale 1e-8
            private size[i in instruments] from size in [-1e6, 1e6] scale 1e-8
            require r: sum(a in assets: floor(balance[a] * price[a], 0.01)) + sum(i in instruments: floor(size[i] * mark[i], 0.01)) >= 1
            """
        let v = #"{"venue": "V", "quote": "USD", "circuit": "floor", "assets": [{"id": "X", "price": "3"}], "instruments": [{"id": "Y", "mark": "1"}]}"#
        let s = try compile(circuitSource: source, fileName: "floor.zkm", values: try values(v))
        // 0.33333333 × 3 = 0.99999999 → 0.99; 0.02 → 0.02.
        let up = #"{"account": "a", "balances": {"X": "0.33333333"}, "positions": {"Y": {"size": "0.02"}}}"#
        XCTAssertEqual(try s.evaluate(try account(up)).requirements[0].equity, dec("1.01"))
        // 1.00000002 → 1; −0.005 → −0.01.
        let down = #"{"account": "a", "balances": {"X": "0.33333334"}, "positions": {"Y": {"size": "-0.005"}}}"#
        let r = try s.evaluate(try account(down))
        XCTAssertEqual(r.requirements[0].equity, dec("0.99"))
        XCTAssertFalse(r.meets)
        for a in [up, down, #"{"account": "a", "balances": {"X": "1000000"}, "positions": {"Y": {"size": "-1000000"}}}"#] {
            try assertFormsAgree(s, try account(a))
        }
        XCTAssertEqual(s.helpers.map(\.kind), [.floor, .floor])
        XCTAssertEqual(s.helpers.map(\.id), ["floor(3·balance[X], 0.01)", "floor(size[Y].long - size[Y].short, 0.01)"])
        XCTAssertEqual(s.constraints.map(\.name)[1], "floor(3·balance[X], 0.01) <= 3·balance[X]")
    }

    /// A small helper worked by hand: e = 0.3·x with x ∈ [0, 10] (scale 1),
    /// q = 1. E = 3x, Q = 10 (integerized together); honest t ∈ [0, 3], so
    /// the bound is t − 0 ∈ [0, 2²) and the relation 10t − 3x ∈ [0, 2⁴)
    /// (honest value ≤ 9); implied t ∈ [0, min(3, ⌊(30 + 15)/10⌋)] = [0, 3].
    func testWidthsAndImpliedBoundsByHand() throws {
        let source = """
            set assets
            private x[a in assets] from balance in [0, 10] scale 1
            require r: 100 >= ceil(x["U"] * 0.3, 1) + ceil(x["U"] * 0.3, 1) * 2
            """
        let s = try compile(circuitSource: source, fileName: "hand.zkm", values: try values(#"{"venue": "V", "quote": "USD", "circuit": "hand", "assets": ["U"]}"#))
        XCTAssertEqual(s.helpers.count, 1, "the same rounding is one helper")
        let h = s.helpers[0]
        XCTAssertEqual(h.id, "ceil(0.3·x[U], 1)")
        XCTAssertEqual(h.divisor, 10)
        XCTAssertEqual(h.branches, [AffineForm(terms: [AffineTerm(index: 0, coefficient: 3)], constant: 0)])
        XCTAssertEqual([h.lowerBound, h.upperBound], [0, 3])
        let bound = s.constraints[0], relation = s.constraints[1]
        XCTAssertEqual(bound.name, "ceil(0.3·x[U], 1) in [0, 3]")
        XCTAssertEqual(bound.bitWidth, 2)
        XCTAssertEqual(bound.form, AffineForm(terms: [AffineTerm(index: 1, coefficient: 1)], constant: 0))
        XCTAssertEqual(relation.name, "ceil(0.3·x[U], 1) >= 0.3·x[U]")
        XCTAssertEqual(relation.bitWidth, 4)
        XCTAssertEqual(relation.form, AffineForm(terms: [AffineTerm(index: 0, coefficient: -3), AffineTerm(index: 1, coefficient: 10)], constant: 0))
        XCTAssertEqual(relation.maxValue, 9)
        // Honest values: ⌈3x/10⌉, every relation value < 10.
        for x in 0...10 {
            let t = h.value(given: [BigInt(x)])
            XCTAssertEqual(t, BigInt.ceilingDivide(BigInt(3 * x), 10))
            XCTAssertTrue(relation.value([BigInt(x), t]) >= 0 && relation.value([BigInt(x), t]) < 10)
            // One less is refused by the relation whenever 3x is not a multiple of 10.
            if (3 * x) % 10 != 0 { XCTAssertTrue(relation.value([BigInt(x), t - 1]).isNegative) }
        }
        XCTAssertTrue(s.listing.contains("x1 ceil(0.3·x[U], 1) = ceil((3·x[U]) / 10) × 1, implied ∈ [0, 3]"), s.listing)
    }

    /// When every value of e is a multiple of q the rounding is exact and
    /// needs no helper; a constant e folds to the rounded constant.
    func testExactAndConstantRoundingNeedNoHelper() throws {
        let source = """
            set assets
            param p[a in assets] >= 0
            private x[a in assets] from balance in [-10, 10] scale 0.5
            require r: 100 >= ceil(x["U"] * 2, 1) + floor(x["U"], 0.25) * -1 + ceil(7.25, 0.5) + floor(-7.25, 0.5) + ceil(p["U"], 0.3)
            """
        let s = try compile(circuitSource: source, fileName: "exact.zkm", values: try values(#"{"venue": "V", "quote": "USD", "circuit": "exact", "assets": [{"id": "U", "p": "1"}]}"#))
        XCTAssertEqual(s.helpers.count, 0)
        // 100 − (2x − x + 7.5 − 7.5 + 1.2) at x = 3.5: 100 − 4.7.
        let r = try s.evaluate(try account(#"{"account": "a", "balances": {"U": "3.5"}}"#))
        XCTAssertEqual(r.requirements[0].excess, dec("95.3"))
        try assertFormsAgree(s, try account(#"{"account": "a", "balances": {"U": "3.5"}}"#))
    }

    func testConvexityRuleAndQuantumRules() throws {
        let head = """
            set assets
            param price[a in assets] >= 0
            param k default 1
            param lev >= 1 default 2
            private balance[a in assets] from balance in [-1e6, 1e6] scale 1e-8
            let equity = sum(a in assets: balance[a] * price[a])

            """
        let refused: [(String, String)] = [
            ("require r: equity + ceil(balance[\"U\"], 0.01) >= 0", "`ceil` of private quantities is only allowed where it enlarges the requirement"),
            ("require r: equity >= floor(balance[\"U\"], 0.01)", "`floor` of private quantities is only allowed where it shrinks equity"),
            ("require r: equity - floor(balance[\"U\"], 0.01) >= 0", "`floor` of private quantities"),
            ("let c = ceil(balance[\"U\"], 0.01)\nrequire r: c >= 0", "reached through `let c`"),
            ("require r: equity >= ceil(balance[\"U\"], 0)", "the quantum of `ceil` is 0: it must be positive"),
            ("require r: equity >= ceil(balance[\"U\"], -0.5)", "the quantum of `ceil` is -0.5: it must be positive"),
            ("require r: equity >= ceil(balance[\"U\"], balance[\"V\"])", "the quantum of `ceil` must be public"),
            ("require r: equity >= ceil(max(balance[\"U\"], 0), 1) * k", "cannot tell the sign of the public factor"),
            ("require r: equity >= abs(ceil(balance[\"U\"], 1))", "the argument of `abs` must be affine"),
            ("require r: equity >= ceil(balance[\"U\"])", "expected `,` and the quantum"),
            ("require r: equity >= floor(balance[\"U\"], 1, 2)", "`floor` takes exactly two arguments"),
        ]
        for (body, message) in refused {
            assertMarginError([message]) { try Circuit(source: head + body, fileName: "r.zkm") }
        }
        let accepted = [
            "require r: equity >= ceil(abs(balance[\"U\"]) * 2, 0.01) + ceil(max(balance[\"U\"], 0), 1) * lev",
            "require r: floor(equity, 0.01) - ceil(balance[\"U\"], 1) >= 0",
            "require r: min(floor(equity, 1), 5) >= -floor(-ceil(balance[\"U\"], 1), 2)",
            "require r: equity >= max(balance[\"U\"], 0) * ceil(lev, 0.5)",
            "require r: equity >= -max(balance[\"U\"], 0) * floor(-lev, 0.5)",
            // `ceil` and `floor` are not reserved: names and labels may use them.
            "param ceil >= 0 default 1\nrequire floor: equity >= ceil * 2",
        ]
        for body in accepted {
            XCTAssertNoThrow(try Circuit(source: head + body, fileName: "a.zkm"), body)
        }
        // The sign of a public rounding: ceil(k, 1) of an unbounded k is unknown.
        assertMarginError(["cannot tell the sign"]) { try Circuit(source: head + "require r: equity >= max(balance[\"U\"], 0) * ceil(k, 1)", fileName: "s.zkm") }
        // A quantum that is 0 or negative with the values is refused naming the element.
        let perElement = head.replacingOccurrences(of: "param k default 1", with: "param k default 1\nparam step[a in assets] >= 0")
            + "require r: equity >= sum(a in assets: ceil(abs(balance[a]), step[a]))"
        let c = try Circuit(source: perElement, fileName: "q.zkm")
        assertMarginError(["the quantum of `ceil` is 0 with these risk values (a=V): it must be positive"]) {
            try compile(c, values: try values(#"{"venue": "V", "quote": "USD", "circuit": "q", "assets": [{"id": "U", "price": "1", "step": "0.01"}, {"id": "V", "price": "1", "step": "0"}]}"#))
        }
        assertMarginError(["the quantum of `floor` is 0 with these risk values: it must be positive"]) {
            try compile(circuitSource: head + "require r: floor(equity, k - 1) >= 0", fileName: "q.zkm",
                        values: try values(#"{"venue": "V", "quote": "USD", "circuit": "q", "assets": [{"id": "U", "price": "1"}]}"#))
        }
    }

    /// A long description falls back to the origin, with its bindings.
    func testLongNamesUseTheOrigin() throws {
        let source = """
            set instruments
            param mark[i in instruments] >= 0
            private size[i in instruments] from size in [-1e9, 1e9] scale 1e-8
            private cost[i in instruments] from size * entry_price in [-1e15, 1e15] scale 1e-12
            for i in instruments: require each: 1000000 >= ceil(size[i] * mark[i] - cost[i] + size["A"] * 0.0001234567, 0.000001)
            """
        let v = #"{"venue": "V", "quote": "USD", "circuit": "names", "instruments": [{"id": "A", "mark": "97010.5"}, {"id": "BB", "mark": "3400.25"}]}"#
        let s = try compile(circuitSource: source, fileName: "names.zkm", values: try values(v))
        XCTAssertEqual(s.helpers.map(\.id), ["ceil(…) at line 5 [i=A]", "ceil(…) at line 5 [i=BB]"])
        // A described argument labels the relation; one of 5 terms is `argument 1`.
        XCTAssertEqual(s.constraints[1].name, "ceil(…) at line 5 [i=A] >= 97010.5001234567·size[A].long - 97010.5001234567·size[A].short - cost[A]")
        XCTAssertEqual(s.constraints[3].name, "ceil(…) at line 5 [i=BB] >= argument 1")
    }
}
