import Foundation
import XCTest
@testable import MarginCircuits
import ZKTestSupport

func values(_ json: String) throws -> RiskValues { try RiskValues.decode(from: Data(json.utf8)) }
func account(_ json: String) throws -> Account { try Account.decode(from: Data(json.utf8)) }

func dec(_ s: String) -> Rational { try! Rational(decimal: s) }

/// Compiles a shipped circuit against its example values.
func compiledExample(_ name: String) throws -> CompiledStatement {
    let v = try RiskValues.decode(from: Data(try Repository.forTests.example(name, "values.json")))
    return try compile(circuitSource: try Repository.forTests.circuitSource(name), fileName: "\(name).zkm", values: v)
}

/// Asserts that `body` throws a MarginError whose description contains every
/// fragment.
func assertMarginError<T>(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected an error containing \(fragments)", file: file, line: line)
    } catch let e as MarginError {
        for f in fragments where !e.description.contains(f) {
            XCTFail("error «\(e.description)» does not contain «\(f)»", file: file, line: line)
        }
    } catch {
        XCTFail("unexpected error type \(error)", file: file, line: line)
    }
}

/// Checks the compiled statement against the evaluator for one account: every
/// requirement's form / scale equals the evaluator's excess, and every helper
/// constraint holds within its bit width. Returns the requirement forms' values.
@discardableResult
func assertFormsAgree(_ s: CompiledStatement, _ a: Account, file: StaticString = #filePath, line: UInt = #line) throws -> [String: BigInt] {
    let report = try s.evaluate(a)
    let all = try s.allValues(for: a)
    XCTAssertEqual(all.count, s.inputs.count + s.helpers.count, file: file, line: line)
    // Helpers lie within the bounds their constraints imply.
    for (k, h) in s.helpers.enumerated() {
        let v = all[s.inputs.count + k]
        XCTAssertTrue(v >= h.lowerBound && v <= h.upperBound, "helper \(h.id) = \(v) outside [\(h.lowerBound), \(h.upperBound)]", file: file, line: line)
    }
    var out: [String: BigInt] = [:]
    for c in s.constraints {
        let v = c.value(all)
        XCTAssertTrue(v < BigInt.powerOfTwo(c.bitWidth), "\(c.name) = \(v) does not fit \(c.bitWidth) bits", file: file, line: line)
        XCTAssertTrue(v <= c.maxValue, "\(c.name) = \(v) above its computed max \(c.maxValue)", file: file, line: line)
        XCTAssertTrue(v.magnitude <= c.maxMagnitude, file: file, line: line)
        if c.isRequirement {
            guard let r = report.requirements.first(where: { $0.name == c.name }) else {
                XCTFail("no report for \(c.name)", file: file, line: line)
                continue
            }
            XCTAssertEqual(Rational(v) / c.scale, r.excess, "form/scale for \(c.name)", file: file, line: line)
            XCTAssertEqual(v.signum >= 0, r.meets, file: file, line: line)
            out[c.name] = v
        } else {
            XCTAssertFalse(v.isNegative, "helper constraint \(c.name) = \(v) < 0", file: file, line: line)
        }
    }
    XCTAssertEqual(out.count, report.requirements.count, file: file, line: line)
    return out
}
