import Foundation
@testable import MarginCircuits
import StrictJSON
import XCTest
import ZKTestSupport
@testable import Solvency

/// The margin report (`zkmargin check`) as the library renders it.
final class ReportTests: XCTestCase {
    func report(_ circuit: String, _ account: String) throws -> MarginReport {
        try Workflow.check(valuesPath: Repository.forTests.path("Vectors/examples/\(circuit)/values.json"),
                           accountPath: Repository.forTests.path("Vectors/examples/\(circuit)/\(account).json"))
    }

    func testTextOfAShortAccount() throws {
        XCTAssertEqual(try report("cross-margin", "short").text, """
            cross-margin at Example Exchange, account fund-7/subacct-4, amounts in USD

            name             equity  requirement    excess
            maintenance  1552.65624   1552.65625  -0.00001  SHORT

            DOES NOT MEET 1 of 1 requirement:
              maintenance: short by 0.00001 USD (equity 1552.65624, requirement 1552.65625)

            """)
    }

    func testTextOfASolventAccount() throws {
        XCTAssertEqual(try report("cross-margin", "solvent").text, """
            cross-margin at Example Exchange, account fund-7/subacct-2, amounts in USD

            name            equity  requirement        excess
            maintenance  162663.75   1552.65625  161111.09375  ok

            MEETS every requirement. Binding: maintenance, 161111.09375 USD to spare.

            """)
    }

    func testJSONOfEveryExample() throws {
        for circuit in shippedCircuits {
            for account in ["solvent", "short", "at-margin"] {
                let r = try report(circuit, account)
                guard case .object(let o) = try JSONParser.parse(Array(r.json.utf8)), case .array(let items) = o["requirements"]! else {
                    return XCTFail(r.json)
                }
                XCTAssertEqual(o.keys, ["meets", "circuit", "venue", "quote", "account", "binding", "requirements"])
                XCTAssertEqual(o["meets"], .bool(r.meets))
                XCTAssertEqual(o["meets"], .bool(account != "short"), "\(circuit)/\(account)")
                XCTAssertEqual(o["binding"], .string(r.requirements[0].name))
                XCTAssertEqual(items.count, r.requirements.count)
                guard case .object(let first) = items[0] else { return XCTFail(r.json) }
                XCTAssertEqual(first.keys, ["name", "meets", "equity", "requirement", "excess"])
                XCTAssertEqual(first["excess"], .string(amount(r.requirements[0].excess)))
            }
        }
    }

    /// Names from the values file cannot add a line to the text report.
    func testTextEscapesEveryLine() throws {
        let r = MarginReport(circuitName: "c", venue: "V\nMEETS every requirement.", quote: "USD", account: "a\u{202E}",
                             requirements: [RequirementReport(name: "r\rx", equity: Rational(1), requirement: Rational(2), excess: Rational(-1))])
        for scalar in r.text.unicodeScalars where isDisplayUnsafe(scalar) && scalar != "\n" { XCTFail("raw U+\(String(scalar.value, radix: 16))") }
        XCTAssertEqual(r.text.split(separator: "\n", omittingEmptySubsequences: false).count, 8, r.text)
    }
}
