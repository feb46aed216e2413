import Foundation
import XCTest
@testable import ZKGroup
@testable import ZKProofs
import ZKTestSupport

/// Replays Vectors/transcript/transcript.json (written by an independent
/// Python implementation of the construction in its README).
final class TranscriptTests: XCTestCase {
    func testKnownAnswers() throws {
        let json = try XCTUnwrap(Repository.forTests.vectorObject("transcript/transcript.json"))
        let cases = try XCTUnwrap(json["cases"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cases.count, 5)
        var challenges = 0
        for c in cases {
            let curve = try XCTUnwrap(Curve(name: c["curve"] as! String))
            var t = Transcript(protocolLabel: c["protocol"] as! String)
            XCTAssertEqual(t.state.hexString, c["initial_state"] as? String)
            for op in try XCTUnwrap(c["operations"] as? [[String: String]]) {
                if op["op"] == "append" {
                    t.append(op["label"]!, try XCTUnwrap([UInt8](hex: op["message"]!)))
                } else {
                    let ch = t.challengeScalar(op["label"]!, curve: curve)
                    XCTAssertEqual(ch.bytes.hexString, op["challenge"])
                    challenges += 1
                }
                XCTAssertEqual(t.state.hexString, op["state"])
            }
        }
        XCTAssertGreaterThan(challenges, 5)
    }

    /// The case "range-statement" is what the README says the range proof
    /// absorbs, computed in Python for one fixed statement (P-256, n = 64,
    /// widths 64, 40, 1, commitments G and H): `RangeStatement.transcript`
    /// must end in the same state, with the protocol label the prover uses.
    func testRangeStatementAbsorbsTheSpecifiedBytes() throws {
        let json = try XCTUnwrap(Repository.forTests.vectorObject("transcript/transcript.json"))
        let cases = try XCTUnwrap(json["cases"] as? [[String: Any]])
        let c = try XCTUnwrap(cases.first { $0["name"] as? String == "range-statement" })
        XCTAssertEqual(c["protocol"] as? String, BulletproofsPlus.protocolLabel)
        XCTAssertEqual(BulletproofsPlus.protocolLabel, "zkmargin/bulletproofs-plus/v2")
        let curve = Curve.p256
        let gens = Generators.standard(curve)
        let s = { (v: Int) in Scalar(v, curve: curve) }
        let statement = try RangeStatement(
            curve: curve, bits: 64, widths: [64, 40, 1],
            commitments: [Commitment(point: gens.g), Commitment(point: gens.h)],
            forms: [.variable(0, curve: curve),
                    AffineForm(curve: curve, terms: [(1, s(3))], constant: s(-2)),
                    AffineForm(curve: curve, terms: [], constant: s(7))],
            context: Array("ctx".utf8))
        let operations = try XCTUnwrap(c["operations"] as? [[String: String]])
        XCTAssertEqual(Transcript(protocolLabel: BulletproofsPlus.protocolLabel).state.hexString, c["initial_state"] as? String)
        XCTAssertEqual(statement.transcript(generators: gens).state.hexString, operations.last?["state"])
        XCTAssertEqual(operations.filter { $0["label"] == "width" }.map(\.["message"]), ["0000000000000040", "0000000000000028", "0000000000000001"])
    }

    func testFramingIsUnambiguous() {
        var a = Transcript(protocolLabel: "x"), b = Transcript(protocolLabel: "x")
        a.append("ab", [0x63]); b.append("a", [0x62, 0x63])
        XCTAssertNotEqual(a.state, b.state)
        var c = Transcript(protocolLabel: "x"), d = Transcript(protocolLabel: "y")
        XCTAssertNotEqual(c.challengeScalar("c", curve: .p256), d.challengeScalar("c", curve: .p256))
    }
}
