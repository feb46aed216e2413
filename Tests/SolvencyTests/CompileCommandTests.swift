import Foundation
import XCTest
@testable import Solvency
import ZKTestSupport

/// `zkmargin compile`: its help, its output against `Vectors/compile/`, and
/// its exit statuses, through the binary as a user runs it.
final class CompileCommandTests: XCTestCase {
    func testHelpTeachesWhatItPrints() throws {
        let dir = try temporaryDirectory(self)
        let r = try CLI.run("zkmargin", ["compile", "--help"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        for text in ["zkmargin/compiled@1", "SPEC.md §16", "--hide-among", "--values", "sha256", "Examples:", "Exit status"] {
            XCTAssertTrue(r.stdout.contains(text), "compile --help does not mention \(text)")
        }
        let top = try CLI.run("zkmargin", ["--help"], in: dir)
        XCTAssertTrue(top.stdout.contains("compile"))
    }

    /// The binary prints the golden bytes, with --values and with a bundle of
    /// the same values (the compiled statement does not depend on the curve
    /// or the signature), and the listing ends with the same digest.
    func testJSONIsTheGoldenFile() throws {
        let dir = try temporaryDirectory(self)
        let repo = Repository.forTests
        for (file, circuit, hide) in [("threshold", "threshold", [String]()), ("cross-margin", "cross-margin", []),
                                      ("tiered-margin", "tiered-margin", []), ("cross-margin-hiding-BTC-PERP", "cross-margin", ["BTC-PERP"])] {
            let golden = String(decoding: try repo.read("Vectors/compile/\(file).json"), as: UTF8.self)
            let hiding = hide.flatMap { ["--hide-among", $0] }
            let values = repo.path("Vectors/examples/\(circuit)/values.json")
            let r = try CLI.run("zkmargin", ["compile", "--values", values, "--json"] + hiding, in: repo.path("."))
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertEqual(r.stdout, golden, file)
            let bundle = try makeBundle(circuit, curve: .secp256k1)
            try FileIO.write(bundle.encoded(), to: "\(dir)/bundle.json", mode: 0o644)
            let b = try CLI.run("zkmargin", ["compile", "--bundle", "bundle.json", "--json"] + hiding, in: dir)
            XCTAssertEqual(b.stdout, golden, "\(file) from a bundle")
            let listing = try CLI.run("zkmargin", ["compile", "--bundle", "bundle.json"] + hiding, in: dir)
            let digest = golden.split(separator: "\"")[3]
            XCTAssertTrue(listing.stdout.contains("sha256 \(digest)"), listing.stdout)
            XCTAssertTrue(listing.stdout.hasPrefix("circuit \(circuit):"), listing.stdout)
        }
    }

    func testExitStatuses() throws {
        let dir = try temporaryDirectory(self)
        let values = Repository.forTests.path("Vectors/examples/cross-margin/values.json")
        XCTAssertEqual(try CLI.run("zkmargin", ["compile"], in: dir).status, 64, "neither --values nor --bundle")
        XCTAssertEqual(try CLI.run("zkmargin", ["compile", "--values", values, "--bundle", "b.json"], in: dir).status, 64, "both")
        XCTAssertEqual(try CLI.run("zkmargin", ["compile", "--bundle", "b.json", "--circuit", "c.zkm"], in: dir).status, 64, "--circuit with a bundle")
        XCTAssertEqual(try CLI.run("zkmargin", ["compile", "--bundle", "missing.json"], in: dir).status, 2, "no bundle file")
        let unknown = try CLI.run("zkmargin", ["compile", "--values", values, "--hide-among", "BTC"], in: dir)
        XCTAssertEqual(unknown.status, 2, unknown.output)
        XCTAssertTrue(unknown.stderr.contains("only positions can be hidden among"), unknown.stderr)
        try "set assets\nrequire 1 >= 0 +\n".write(toFile: "\(dir)/bad.zkm", atomically: true, encoding: .utf8)
        let bad = try CLI.run("zkmargin", ["compile", "--values", values, "--circuit", "bad.zkm"], in: dir)
        XCTAssertEqual(bad.status, 2, bad.output)
    }
}
