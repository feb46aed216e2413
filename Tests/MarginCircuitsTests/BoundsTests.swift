import XCTest
@testable import MarginCircuits

/// The wrap-around and bit-width analysis near its limits.
final class BoundsTests: XCTestCase {
    func oneInstrument(_ circuit: String, mark: String) throws -> CompiledStatement {
        let src = "set instruments\nparam mark[i in instruments] >= 0\n" + circuit
        return try compile(circuitSource: src, fileName: "b.zkm", values: try values("""
            {"venue": "v", "quote": "USD", "circuit": "b", "instruments": [{"id": "X", "mark": "\(mark)"}]}
            """))
    }

    func testTwoToTheSixtyThreeSizesWithEighteenDecimalPrices() throws {
        // size ∈ [−2^63, 2^63 − 1] at scale 1, mark = 10^-18: the form is size·1 (÷ 10^18), 64 bits.
        let s = try oneInstrument("private size[i in instruments] from size in [-9223372036854775808, 9223372036854775807] scale 1\nrequire r: sum(i in instruments: size[i] * mark[i]) >= 0",
                                  mark: "0.000000000000000001")
        // The position is committed as its two sides: size = long − short.
        let r = s.constraints.last!
        XCTAssertEqual(r.terms, [AffineTerm(index: 0, coefficient: 1), AffineTerm(index: 1, coefficient: -1)])
        XCTAssertEqual(r.scale, Rational(BigInt.powerOfTen(18)))
        XCTAssertEqual(r.maxValue, BigInt.powerOfTwo(63) - 1)
        XCTAssertEqual(r.bitWidth, 63)
        XCTAssertEqual(s.inputs.map(\.id), ["size[X].long", "size[X].short"])
        XCTAssertEqual(s.inputs[0].upperBound, BigInt.powerOfTwo(63) - 1)
        XCTAssertEqual(s.inputs[1].upperBound, BigInt.powerOfTwo(63))
        // The largest value fits exactly; the form is exact at 18 decimals.
        let a = try account(#"{"account": "a", "positions": {"X": {"size": "9223372036854775807"}}}"#)
        XCTAssertEqual(try s.evaluate(a).binding!.excess, dec("9.223372036854775807"))
        try assertFormsAgree(s, a)
    }

    func testWidthBoundaryAtTwoToTheSixtyFour() throws {
        let just = try oneInstrument("private size[i in instruments] from size in [0, 18446744073709551615] scale 1\nrequire r: sum(i in instruments: size[i] * mark[i]) >= 0", mark: "1")
        XCTAssertEqual(just.constraints.last!.maxValue, BigInt.powerOfTwo(64) - 1)
        XCTAssertEqual(just.constraints.last!.bitWidth, 64)
        let over = try oneInstrument("private size[i in instruments] from size in [0, 18446744073709551616] scale 1\nrequire r: sum(i in instruments: size[i] * mark[i]) >= 0", mark: "1")
        XCTAssertEqual(over.constraints.last!.bitWidth, 65)
        // Every width is exact: small forms get small widths.
        let small = try oneInstrument("private size[i in instruments] from size in [0, 255] scale 1\nrequire r: sum(i in instruments: size[i] * mark[i]) >= 0", mark: "1")
        XCTAssertEqual(small.constraints.last!.bitWidth, 8)
        let nine = try oneInstrument("private size[i in instruments] from size in [0, 256] scale 1\nrequire r: sum(i in instruments: size[i] * mark[i]) >= 0", mark: "1")
        XCTAssertEqual(nine.constraints.last!.bitWidth, 9)
        // abs of a signed input that is not split (a cost here) needs a
        // helper: the short part of a 2^63-scale value, both of whose
        // constraints fit 64 bits.
        let abs63 = try oneInstrument("private size[i in instruments] from size * entry_price in [-9223372036854775808, 9223372036854775807] scale 1\nrequire r: 0 >= sum(i in instruments: abs(size[i]) * mark[i]) - 1", mark: "1")
        XCTAssertEqual(abs63.helpers.count, 1)
        XCTAssertEqual(abs63.constraints.filter { !$0.isRequirement }.map(\.bitWidth), [63, 64])
        XCTAssertEqual(abs63.helpers[0].upperBound, BigInt.powerOfTwo(64) - 1)   // implied by its 64-bit constraint
        // One more and the short part needs 65 bits.
        let abs64 = try oneInstrument("private size[i in instruments] from size * entry_price in [-18446744073709551616, 0] scale 1\nrequire r: 0 >= sum(i in instruments: abs(size[i]) * mark[i]) - 1", mark: "1")
        XCTAssertEqual(abs64.constraints.filter { !$0.isRequirement }.map(\.bitWidth), [1, 65])
        // abs of a position or a signed balance needs none: |x| = long + short.
        let position = try oneInstrument("private size[i in instruments] from size in [-9223372036854775808, 9223372036854775807] scale 1\nrequire r: 0 >= sum(i in instruments: abs(size[i]) * mark[i]) - 1", mark: "1")
        XCTAssertEqual(position.helpers.count, 0)
        XCTAssertEqual(position.constraints.map(\.terms), [[AffineTerm(index: 0, coefficient: -1), AffineTerm(index: 1, coefficient: -1)]])
        let balance = try oneInstrument("private size[i in instruments] from balance in [-9223372036854775808, 9223372036854775807] scale 1\nrequire r: 0 >= sum(i in instruments: abs(size[i]) * mark[i]) - 1", mark: "1")
        XCTAssertEqual(balance.inputs.map(\.id), ["size[X].asset", "size[X].liability"])
        XCTAssertEqual(balance.helpers.count, 0)
        XCTAssertEqual(balance.constraints.map(\.terms), position.constraints.map(\.terms))
    }

    func testEighteenDecimalPriceOnTwoToTheSixtyThreeSizeCompilesAt139Bits() throws {
        // 2^63 · 96000.123456789012345678 · 10^18 ≈ 2^139.3: beyond 128 bits,
        // well within the 250 a proof can show. (The requirement is against
        // 1, not 0: a single-term form against 0 would be divided by its
        // coefficient, since only its sign matters.)
        let full = try oneInstrument("private size[i in instruments] from size in [-9223372036854775808, 9223372036854775807] scale 1\nrequire r: sum(i in instruments: size[i] * mark[i]) >= 1",
                                     mark: "96000.123456789012345678")
        XCTAssertEqual(full.constraints.last!.bitWidth, 139)
        let a = try account(#"{"account": "a", "positions": {"X": {"size": "3"}}}"#)
        XCTAssertEqual(try full.evaluate(a).binding!.excess, dec("287999.370370367037037034"))
        try assertFormsAgree(full, a)
        // With sizes up to 2^40 the same price needs 116 bits: 2^40 · 9.6·10^22 ≈ 2^115.3.
        let s = try oneInstrument("private size[i in instruments] from size in [-1099511627776, 1099511627776] scale 1\nrequire r: sum(i in instruments: size[i] * mark[i]) >= 1",
                                  mark: "96000.123456789012345678")
        XCTAssertEqual(s.constraints.last!.bitWidth, 116)
        XCTAssertEqual(s.constraints.last!.maxValue.bitWidth, 116)
        try assertFormsAgree(s, a)
        // Beyond 2^250 is refused, naming the input: a price with 60 decimals on a 2^63 size.
        assertMarginError(["requirement `r`", "beyond the widest range a proof can show, 2^250", "largest contribution comes from size[X]"]) {
            try oneInstrument("private size[i in instruments] from size in [-9223372036854775808, 9223372036854775807] scale 1\nrequire r: sum(i in instruments: size[i] * mark[i]) >= 1",
                              mark: "9600000000000000000000000000000.000000000000000000000000000000000000000000000000000000000001")
        }
    }

    func testCircuitThatCouldWrapIsRefused() throws {
        // The honest value of 1 − 10^75·short is ≤ 1, but a prover may commit any
        // short part its 64-bit constraint allows (< 2^64), so the form could
        // reach 10^75·2^64 ≈ 2^313 and wrap around the group order.
        assertMarginError(["requirement `r`", "could wrap around the group order", "2^250"]) {
            try oneInstrument("private size[i in instruments] from size in [-9223372036854775808, 9223372036854775807] scale 1\nrequire r: 1 >= sum(i in instruments: max(-size[i], 0) * mark[i]) * 1e75", mark: "1")
        }
        // Inputs whose own bounds exceed 2^250.
        assertMarginError(["input `size[X]`", "exceed 2^250"]) {
            try oneInstrument("private size[i in instruments] from size in [-1e80, 1e80] scale 1\nrequire r: 0 >= sum(i in instruments: size[i])", mark: "1")
        }
        // A helper whose branch is huge.
        assertMarginError(["helper `abs(size[X]) short part`", "could wrap around the group order"]) {
            try oneInstrument("private size[i in instruments] from size * entry_price in [-1e55, 1e55] scale 1e-20\nrequire r: 0 >= sum(i in instruments: abs(size[i]) * mark[i])", mark: "1")
        }
        // No multiple of the scale within the bounds.
        assertMarginError(["b.zkm:3:", "no multiple of the scale 2"]) {
            try oneInstrument("private size[i in instruments] from size in [0.5, 1.5] scale 2\nrequire r: 0 >= sum(i in instruments: size[i])", mark: "1")
        }
    }

    func testNothingIsRoundedEvenForThirds() throws {
        // A division by 3 gives a denominator of 3 in the form's scale, not a rounding.
        let s = try oneInstrument("private size[i in instruments] from size in [-1e9, 1e9] scale 1e-8\nprivate balance[i in instruments] from balance in [0, 1e9] scale 1e-8\nrequire r: sum(i in instruments: balance[i]) >= sum(i in instruments: abs(size[i]) * mark[i] / 3)", mark: "1")
        let a = try account(#"{"account": "a", "balances": {"X": "1"}, "positions": {"X": {"size": "1"}}}"#)
        let r = try s.evaluate(a)
        XCTAssertEqual(r.binding!.excess, Rational(2) / Rational(3))
        XCTAssertEqual(r.binding!.excess.description, "2/3")
        try assertFormsAgree(s, a)
        XCTAssertEqual(s.constraints.last!.scale, Rational(BigInt(300_000_000)))
    }

    func testEveryShippedCircuitStaysFarFromWrapAround() throws {
        for c in ["threshold", "cross-margin", "tiered-margin", "portfolio-margin", "options-standard"] {
            let s = try compiledExample(c)
            for k in s.constraints {
                XCTAssertTrue(k.maxMagnitude < BigInt.powerOfTwo(CompiledStatement.wrapLimitBits), "\(c): \(k.name)")
                XCTAssertTrue(k.maxValue < BigInt.powerOfTwo(k.bitWidth), "\(c): \(k.name)")
                XCTAssertTrue((1...CompiledStatement.maximumBitWidth).contains(k.bitWidth))
                XCTAssertEqual(k.bitWidth, max(1, k.maxValue.signum > 0 ? k.maxValue.bitWidth : 0), "\(c): \(k.name) proven at exactly the width its largest value needs")
            }
        }
    }
}
