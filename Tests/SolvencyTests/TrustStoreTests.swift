import Foundation
import StrictJSON
import XCTest
import ZKGroup
@testable import Solvency
import ZKTestSupport

/// `zkmargin-verify --trust` (SPEC.md §16.14): named keys with validity
/// periods and revocations, several bundles in one run, and the versioned
/// JSON verdict (§16.15) that reports which key vouched for what.
final class TrustStoreTests: XCTestCase {
    /// A trust-store entry.
    func entry(_ name: String, _ role: String, _ key: SigningKey, from: String? = nil, until: String? = nil, revoked: String? = nil) -> JSONValue {
        var o = JSONObject([("name", .string(name)), ("role", .string(role)), ("key", .string(Base64.encode(key.verifyingKey.derRepresentation)))])
        if let from { o["valid_from"] = .string(from) }
        if let until { o["valid_until"] = .string(until) }
        if let revoked { o["revoked_at"] = .string(revoked) }
        return .object(o)
    }

    func writeStore(_ dir: String, _ name: String, _ entries: [JSONValue]) throws {
        let doc = JSONValue.object(JSONObject([("format", .string(TrustStore.formatName)), ("keys", .array(entries))]))
        try FileIO.write(doc.encoded(), to: "\(dir)/\(name)", mode: 0o644)
    }

    /// Test keys, the threshold and cross-margin bundles and a proof of each
    /// (statements signed by the test custodian at `testNow`).
    func directory() throws -> String {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        for circuit in ["threshold", "cross-margin"] {
            let f = try Fixtures.flow(circuit)
            try FileIO.write(f.bundle.envelope.encoded(), to: "\(dir)/\(circuit).bundle.json", mode: 0o644)
            try FileIO.write(f.proofBytes, to: "\(dir)/\(circuit).proof.json", mode: 0o644)
        }
        return dir
    }

    func verify(_ dir: String, _ arguments: [String], at: Date = testNow) throws -> CLI.Run {
        try CLI.run("zkmargin-verify", ["--at", RFC3339.format(at)] + arguments, in: dir)
    }

    let publisher = "Example Venue risk desk", custody = "Example Custody"

    func testNamedKeysVouchForTwoVenuesInOneRun() throws {
        let dir = try directory()
        try writeStore(dir, "trust.json", [
            entry(publisher, "publisher", TestKeys.publisher, from: "2025-01-01T00:00:00Z", until: "2027-01-01T00:00:00Z"),
            entry("Another custody", "custodian", TestKeys.otherCustodian),
            entry(custody, "custodian", TestKeys.custodian, revoked: "2030-01-01T00:00:00Z"),
        ])
        let args = ["--trust", "trust.json", "--bundle", "threshold.bundle.json", "--bundle", "cross-margin.bundle.json",
                    "cross-margin.proof.json", "threshold.proof.json"]
        let text = try verify(dir, args)
        XCTAssertEqual(text.status, 0, text.output)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("VALID    cross-margin.proof.json"), text.stdout)
        XCTAssertTrue(lines[1].hasPrefix("VALID    threshold.proof.json"), text.stdout)
        XCTAssertEqual(lines.filter { $0.contains("proof valid against bundle") }.count, 2, text.stdout)
        let json = try verify(dir, args + ["--json"])
        XCTAssertEqual(json.status, 0, json.output)
        guard let o = assertVerdict(json.stdout), case .array(let bundles)? = o["bundles"], case .array(let proofs)? = o["proofs"],
              case .object(let b0) = bundles[0], case .object(let pub)? = b0["publisher"], case .object(let p0) = proofs[0],
              case .object(let cust)? = p0["custodian"] else { return XCTFail(json.stdout) }
        XCTAssertEqual(bundles.count, 2)
        XCTAssertEqual(pub["name"], .string(publisher))
        XCTAssertEqual(cust["name"], .string(custody))
        XCTAssertEqual(p0["bundle"], .string(try Fixtures.flow("cross-margin").bundle.digestHex), "each proof names the bundle it was checked against")
        // A proof for a bundle not given is checked against the first, and says so.
        let missing = try verify(dir, ["--trust", "trust.json", "--bundle", "threshold.bundle.json", "cross-margin.proof.json"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stdout.contains("made for another risk bundle"), missing.stdout)
        // The same bundle twice is a usage error.
        XCTAssertEqual(try verify(dir, ["--trust", "trust.json", "--bundle", "threshold.bundle.json", "--bundle", "threshold.bundle.json", "threshold.proof.json"]).status, 64)
    }

    func testRevokedAndOutOfPeriodKeysAreRefused() throws {
        let dir = try directory()
        let bundleArgs = ["--bundle", "threshold.bundle.json", "threshold.proof.json"]
        // The custodian key revoked before the time checked: its statements vouch for nothing.
        try writeStore(dir, "revoked.json", [entry(publisher, "publisher", TestKeys.publisher),
                                             entry(custody, "custodian", TestKeys.custodian, revoked: RFC3339.format(testNow))])
        let revoked = try verify(dir, ["--trust", "revoked.json", "--json"] + bundleArgs)
        XCTAssertEqual(revoked.status, 1, revoked.output)
        XCTAssertTrue(revoked.stdout.contains(#""code": "keyRevoked""#), revoked.stdout)
        assertVerdict(revoked.stdout)
        // Revoked after the time checked: still trusted then.
        try writeStore(dir, "later.json", [entry(publisher, "publisher", TestKeys.publisher),
                                           entry(custody, "custodian", TestKeys.custodian, revoked: RFC3339.format(testNow.addingTimeInterval(1)))])
        XCTAssertEqual(try verify(dir, ["--trust", "later.json"] + bundleArgs).status, 0)
        // The statement issued after the custodian key's period.
        try writeStore(dir, "period.json", [entry(publisher, "publisher", TestKeys.publisher),
                                            entry(custody, "custodian", TestKeys.custodian, until: RFC3339.format(testNow.addingTimeInterval(-1)))])
        let period = try verify(dir, ["--trust", "period.json"] + bundleArgs)
        XCTAssertEqual(period.status, 1, period.output)
        XCTAssertTrue(period.stdout.contains("stopped being trusted"), period.stdout)
        // The bundle issued before the publisher key's period, or by a revoked
        // publisher key: unusable input (exit 2), as an untrusted publisher is.
        try writeStore(dir, "early.json", [entry(publisher, "publisher", TestKeys.publisher, from: "2026-01-01T00:00:00Z"),
                                           entry(custody, "custodian", TestKeys.custodian)])
        let early = try verify(dir, ["--trust", "early.json", "--json"] + bundleArgs)
        XCTAssertEqual(early.status, 2, early.output)
        XCTAssertTrue(early.stdout.contains(#""code": "keyOutOfPeriod""#), early.stdout)
        assertVerdict(early.stdout)
        try writeStore(dir, "pubrevoked.json", [entry(publisher, "publisher", TestKeys.publisher, revoked: "2025-01-01T00:00:00Z"),
                                                entry(custody, "custodian", TestKeys.custodian)])
        XCTAssertEqual(try verify(dir, ["--trust", "pubrevoked.json"] + bundleArgs).status, 2)
        // A key trusted in one role does not vouch in the other.
        try writeStore(dir, "roles.json", [entry(publisher, "publisher", TestKeys.publisher), entry(custody, "publisher", TestKeys.custodian)])
        let roles = try verify(dir, ["--trust", "roles.json"] + bundleArgs)
        XCTAssertEqual(roles.status, 1, roles.output)
        XCTAssertTrue(roles.stdout.contains("custodianKeyRequired") || roles.stdout.contains("custodian"), roles.stdout)
        try writeStore(dir, "nopub.json", [entry(custody, "custodian", TestKeys.custodian)])
        XCTAssertEqual(try verify(dir, ["--trust", "nopub.json"] + bundleArgs).status, 2)
    }

    func testMalformedStoresAndUsage() throws {
        let dir = try directory()
        let bundleArgs = ["--bundle", "threshold.bundle.json", "threshold.proof.json"]
        let good = entry(publisher, "publisher", TestKeys.publisher)
        let cases: [(String, [JSONValue])] = [
            ("no keys", []),
            ("a role that does not exist", [entry("x", "auditor", TestKeys.publisher)]),
            ("a key listed twice", [good, entry("again", "publisher", TestKeys.publisher)]),
            ("a period that ends before it starts", [entry("x", "publisher", TestKeys.publisher, from: "2026-01-01T00:00:00Z", until: "2025-01-01T00:00:00Z")]),
            ("a name that is not an identifier", [entry("bad\u{202E}name", "publisher", TestKeys.publisher)]),
        ]
        for (what, entries) in cases {
            try writeStore(dir, "bad.json", entries)
            let r = try verify(dir, ["--trust", "bad.json"] + bundleArgs)
            XCTAssertEqual(r.status, 2, "\(what): \(r.output)")
            XCTAssertTrue(r.stderr.contains("bad.json"), "\(what): \(r.stderr)")
        }
        try FileIO.write(Array(#"{"format": "zkmargin/trust@1", "keys": [], "extra": 1}"#.utf8), to: "\(dir)/bad.json", mode: 0o644)
        XCTAssertEqual(try verify(dir, ["--trust", "bad.json"] + bundleArgs).status, 2)
        try writeStore(dir, "trust.json", [good])
        XCTAssertEqual(try verify(dir, ["--trust", "trust.json", "--publisher-key", "publisher.pub.pem"] + bundleArgs).status, 64)
        XCTAssertEqual(try verify(dir, ["--trust", "trust.json", "--custodian-key", "custodian.pub.pem"] + bundleArgs).status, 64)
    }

    /// The schema is not vacuous: reports of every kind match it, and
    /// reports with a member missing, an unknown one or a wrong status do not.
    func testVerdictSchemaAcceptsEveryKindAndRefusesBrokenReports() throws {
        let f = try Fixtures.flow("threshold")
        let report = try Verifier.verify(bundle: f.bundle, proofs: [("good.json", f.proofBytes), ("bad.json", Array(f.proofBytes.prefix(100)))],
                                         policy: policy())
        guard let o = assertVerdict(report.json) else { return XCTFail(report.json) }
        assertVerdict(VerificationReport.errorJSON(code: "io", message: "cannot read"))
        XCTAssertTrue(verdictSchema.problems(.object(o)).isEmpty)
        guard case .array(var proofs)? = o["proofs"], case .object(var good) = proofs[0], case .object(var bad) = proofs[1] else { return XCTFail() }
        var broken: [(String, JSONObject)] = []
        var noFormat = o; noFormat["format"] = nil; broken.append(("no format", noFormat))
        var extra = o; extra["surprise"] = .bool(true); broken.append(("an unknown member", extra))
        good["account"] = nil
        proofs[0] = .object(good)
        var missing = o; missing["proofs"] = .array(proofs); broken.append(("a valid proof without its account", missing))
        bad["status"] = .string("VALID")
        var status = o; status["proofs"] = .array([proofs[0], .object(bad)]); broken.append(("an invalid proof marked VALID", status))
        var version = o; version["format"] = .string("zkmargin/verdict@2"); broken.append(("another version", version))
        for (what, b) in broken {
            XCTAssertFalse(verdictSchema.problems(.object(b)).isEmpty, "the schema accepts a report with \(what)")
        }
    }
}
