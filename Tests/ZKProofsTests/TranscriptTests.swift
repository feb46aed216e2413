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

    func testFramingIsUnambiguous() {
        var a = Transcript(protocolLabel: "x"), b = Transcript(protocolLabel: "x")
        a.append("ab", [0x63]); b.append("a", [0x62, 0x63])
        XCTAssertNotEqual(a.state, b.state)
        var c = Transcript(protocolLabel: "x"), d = Transcript(protocolLabel: "y")
        XCTAssertNotEqual(c.challengeScalar("c", curve: .p256), d.challengeScalar("c", curve: .p256))
    }
}
