import XCTest
@testable import MarginCircuits

final class ArithmeticTests: XCTestCase {
    func testBigIntBasics() {
        let a = BigInt("123456789012345678901234567890")!
        let b = BigInt(-987654321)
        XCTAssertEqual((a + b).description, "123456789012345678900246913569")
        XCTAssertEqual((a - b).description, "123456789012345678902222222211")
        XCTAssertEqual((a * b).description, "-121932631124828532112482853211126352690")
        XCTAssertEqual((-a).description, "-123456789012345678901234567890")
        XCTAssertTrue(b < a)
        XCTAssertTrue(b.isNegative)
        XCTAssertEqual(BigInt(0).bitWidth, 0)
        XCTAssertEqual(BigInt(1).bitWidth, 1)
        XCTAssertEqual(BigInt(-255).bitWidth, 8)
        XCTAssertEqual(BigInt.powerOfTwo(63).bitWidth, 64)
        XCTAssertEqual(BigInt.powerOfTwo(63).description, "9223372036854775808")
        XCTAssertEqual(BigInt(0x0102).magnitudeBigEndianBytes, [1, 2])
        XCTAssertEqual(BigInt(-0x0102).magnitudeBigEndianBytes, [1, 2])
        XCTAssertEqual(BigInt(0).magnitudeBigEndianBytes, [])
        XCTAssertEqual(BigInt(magnitudeBigEndianBytes: [1, 2], negative: true), BigInt(-258))
        XCTAssertEqual(BigInt.powerOfTwo(255).magnitudeBigEndianBytes, [0x80] + Array(repeating: 0, count: 31))
        XCTAssertEqual(Set([BigInt(5), BigInt("5")!, BigInt(6)]).count, 2)
        XCTAssertEqual(BigInt(Int.min).description, "-9223372036854775808")
        XCTAssertEqual(BigInt(7).intValue, 7)
        XCTAssertNil(BigInt.powerOfTwo(64).intValue)
    }

    func testBigIntParsingIsStrict() {
        for bad in ["", "-", "+1", " 1", "1 ", "1e5", "0x10", "1.0", "--1"] {
            XCTAssertNil(BigInt(bad), bad)
        }
        XCTAssertEqual(BigInt("-0"), BigInt(0))
        XCTAssertEqual(BigInt("007"), BigInt(7))
    }

    func testBigIntDivision() {
        XCTAssertEqual(BigInt.floorDivide(-7, 2), -4)
        XCTAssertEqual(BigInt.ceilingDivide(-7, 2), -3)
        XCTAssertEqual(BigInt.ceilingDivide(7, 2), 4)
        XCTAssertEqual(BigInt.gcd(12, -18), 6)
        XCTAssertEqual(BigInt.lcm(4, 6), 12)
        let (q, r) = BigInt(-7).quotientAndRemainder(dividingBy: 2)
        XCTAssertEqual(q, -3)
        XCTAssertEqual(r, -1)
    }

    func testRationalDecimalParsing() throws {
        XCTAssertEqual(try Rational(decimal: "97000.25"), Rational(numerator: 388001, denominator: 4))
        XCTAssertEqual(try Rational(decimal: "-2.5"), Rational(numerator: -5, denominator: 2))
        XCTAssertEqual(try Rational(decimal: "0.005"), Rational(numerator: 1, denominator: 200))
        XCTAssertEqual(try Rational(decimal: "-0"), .zero)
        XCTAssertEqual(try Rational(decimal: "000123.4500"), Rational(numerator: 2469, denominator: 20))
        // 18 decimals, exactly
        let wei = try Rational(decimal: "0.000000000000000001")
        XCTAssertEqual(wei.denominator, BigInt.powerOfTen(18))
        XCTAssertEqual(try Rational(decimal: "123456789012345678901234567890.123456789012345678"),
                       Rational(numerator: BigInt("123456789012345678901234567890123456789012345678")!, denominator: BigInt.powerOfTen(18)))
    }

    func testRationalRejectsMalformedDecimals() {
        let cases: [(String, String)] = [
            ("1e", "exponent"), ("1E-", "exponent"), ("1/2", "unexpected \"/\""), ("", "empty"), ("1.2.3", "unexpected"),
            (" 1", "white space"), ("1 ", "white space"), ("+1", "leading +"), (".5", "digit before"),
            ("5.", "digits after"), ("abc", "digit before"), ("1,5", "unexpected"), ("--1", "digit before"),
            ("0x10", "unexpected"), ("NaN", "digit before"), ("∞", "digit before"),
        ]
        for (text, fragment) in cases {
            do {
                _ = try Rational(decimal: text)
                XCTFail("accepted \(text)")
            } catch {
                XCTAssertEqual(error.input, text)
                XCTAssertTrue(error.description.contains(fragment), "\(text): \(error.description)")
                XCTAssertTrue(error.description.hasPrefix("\"\(text)\" is not a decimal"), error.description)
            }
        }
    }

    func testRationalFormatting() throws {
        XCTAssertEqual(try Rational(decimal: "97000.25").description, "97000.25")
        XCTAssertEqual(try Rational(decimal: "-0.00001").description, "-0.00001")
        XCTAssertEqual(try Rational(decimal: "1552.65625").description, "1552.65625")
        XCTAssertEqual(try Rational(decimal: "1500.000").description, "1500")
        XCTAssertEqual(Rational(numerator: 1, denominator: 3).description, "1/3")
        XCTAssertEqual(Rational(numerator: -2, denominator: 6).description, "-1/3")
        XCTAssertNil(Rational(numerator: 1, denominator: 3).decimalString)
        XCTAssertEqual(Rational(numerator: 1, denominator: 1024).description, "0.0009765625")
        XCTAssertEqual(Rational(numerator: 1, denominator: 80).description, "0.0125")
        XCTAssertEqual(Rational.zero.description, "0")
        XCTAssertEqual(Rational(numerator: 7, denominator: 1).description, "7")
        XCTAssertEqual(try Rational(decimal: "0.000000000000000001").description, "0.000000000000000001")
    }

    func testRationalArithmetic() throws {
        let a = dec("97010.5"), b = dec("0.005")
        XCTAssertEqual(a * b, dec("485.0525"))
        XCTAssertEqual(a + b, dec("97010.505"))
        XCTAssertEqual(a - b, dec("97010.495"))
        XCTAssertEqual(Rational(1) / Rational(3) * Rational(3), .one)
        XCTAssertEqual(dec("-2.5").floor, -3)
        XCTAssertEqual(dec("-2.5").ceiling, -2)
        XCTAssertEqual(dec("2.5").magnitude, dec("2.5"))
        XCTAssertTrue(dec("-0.1") < .zero)
        XCTAssertEqual(Set([dec("0.50"), dec("0.5"), Rational(numerator: 1, denominator: 2)]).count, 1)
        XCTAssertEqual(dec("2.5").numerator, 5)
        XCTAssertEqual(dec("2.5").denominator, 2)
    }
}
