import Foundation
import MarginCircuits
import StrictJSON
import XCTest
import ZKGroup
import ZKMarginCLI
@testable import Solvency
import ZKTestSupport

/// The reference against the independent Python implementation of SPEC.md
/// (`interop/python`): the known-answer vectors, the canonical compiled
/// statements (`Vectors/compile/`), and the verdicts and exit statuses of
/// `verify.py` and `zkmargin-verify` (its library path, and the binary for
/// the tampered sample, usage errors, unusable input and bundles whose
/// circuits the checker refuses) on fresh proofs of every flow —
/// threshold and cross-margin on both curves, tiered-margin (helper
/// commitments) on P-256; custodian-attested and self-attested, with and
/// without an anonymity set — and on a sample of tampered files. Any
/// disagreement fails.
///
/// python3 is a test dependency (README.md, "Set up"; `.ci/run` installs it):
/// without it these tests fail, saying so, rather than skip.
///
/// Time (debug build, the project's 2-core machine): about 15 s for the
/// vectors, 1.5 s for the compiled statements, 6 s for the exit statuses and 30 s
/// for the verdicts (the zkmargin-verify binary's share, on P-256, about 7 s), 3 s for
/// the refused bundles (45–50 s in all on a quiet machine; 70 s or more under load).
final class InteropTests: XCTestCase {
    /// Thrown, never skipped: a missing python3 fails every test here.
    struct PythonMissing: Error, CustomStringConvertible {
        var description: String {
            "python3 is not on PATH: it is a test dependency of InteropTests (README.md, Set up; .ci/run installs it with apt-get install -y python3)"
        }
    }

    static let python: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()

    /// Runs `python3 interop/python/<script> arguments` in `directory`.
    func python(_ script: String, _ arguments: [String], in directory: String? = nil) throws -> CLI.Run {
        guard let python = Self.python else { throw PythonMissing() }
        return try CLI.execute(python, [Repository.forTests.path("interop/python/\(script)")] + arguments, in: directory ?? Repository.forTests.path("."))
    }

    // MARK: Vectors and compiled statements

    func testPythonChecksEveryVectorFamily() throws {
        let r = try python("test_vectors.py", [])
        XCTAssertEqual(r.status, 0, "interop/python/test_vectors.py disagrees with the vectors:\n\(r.stdout)\(r.stderr)")
        XCTAssertTrue(r.stdout.contains("0 disagreements"), r.stdout)
    }

    /// Vectors/venues/: the independent exact references of the venues'
    /// margin formulas reproduce their known answers (documented examples,
    /// the venues' own computed figures, bracket boundaries).
    func testVenueReferenceFormulasPassTheirKnownAnswers() throws {
        guard let python = Self.python else { throw PythonMissing() }
        let r = try CLI.execute(python, ["-B", Repository.forTests.path("Vectors/venues/test_reference.py")], in: Repository.forTests.path("."))
        XCTAssertEqual(r.status, 0, "Vectors/venues/test_reference.py:\n\(r.stdout)\(r.stderr)")
        XCTAssertTrue(r.stdout.contains("passed"), r.stdout)
    }

    /// Vectors/compile/: the reference prints exactly these bytes, and so does
    /// verify.py --compile-json for every one, helper ids and constraint
    /// names included (SPEC.md §16.4, "Helper names"; `helper-names` is a
    /// circuit made to exercise them).
    func testCompiledStatementsMatchTheGoldenFilesInBothImplementations() throws {
        let cases: [(file: String, values: String, circuit: String, kept: [String]?)] = [
            ("threshold", "threshold", "threshold", nil), ("cross-margin", "cross-margin", "cross-margin", nil),
            ("options-standard", "options-standard", "options-standard", nil), ("portfolio-margin", "portfolio-margin", "portfolio-margin", nil),
            ("tiered-margin", "tiered-margin", "tiered-margin", nil), ("rounded-margin", "rounded-margin", "rounded-margin", nil),
            ("cross-margin-hiding-BTC-PERP", "cross-margin", "cross-margin", ["BTC-PERP"]),
        ].map { (file: $0.0, values: "Vectors/examples/\($0.1)/values.json", circuit: "Circuits/\($0.2).zkm", kept: $0.3) }
            + [("helper-names", "Vectors/compile/helper-names/values.json", "Vectors/compile/helper-names/helper-names.zkm", nil),
               ("rounding", "Vectors/compile/rounding/values.json", "Vectors/compile/rounding/rounding.zkm", nil)]
        for c in cases {
            let golden = try Repository.forTests.read("Vectors/compile/\(c.file).json")
            let values = Repository.forTests.path(c.values)
            let circuit = Repository.forTests.path(c.circuit)
            let (compiled, source) = try Workflow.compiledStatement(valuesPath: values, circuitPath: circuit,
                                                                    hidingAmong: try c.kept.map { try AnonymitySet($0) })
            let swift = CompiledExport.document(compiled, circuitSource: source)
            XCTAssertEqual(String(decoding: swift, as: UTF8.self), String(decoding: golden, as: UTF8.self),
                           "\(c.file): zkmargin compile --json no longer prints Vectors/compile/\(c.file).json")
            let r = try python("verify.py", ["--compile-json", "--values", values, "--circuit", circuit] + (c.kept ?? []).flatMap { ["--hide-among", $0] })
            XCTAssertEqual(r.status, 0, "\(c.file): \(r.stderr)")
            XCTAssertEqual(r.stdout, String(decoding: golden, as: UTF8.self), "\(c.file): verify.py --compile-json differs from the reference")
        }
    }

    /// SPEC.md §16.4, "Helper names": the 80-character limit on a helper's
    /// described name counts Unicode scalar values. An id of 35 × "x" +
    /// U+0301 (NFC keeps the pair: there is no precomposed x-acute) is 35
    /// grapheme clusters but 70 scalars, so the description of this helper
    /// (83 scalars) is too long and both implementations name it by its origin.
    func testHelperNameLimitCountsScalarValues() throws {
        let id = String(repeating: "x\u{301}", count: 35)
        let dir = try temporaryDirectory(self)
        let source = Self.header + #"require r: collateral >= max(balance["\#(id)"] * 3, 1, 2)"# + "\n"
        let values = #"{"format": "zkmargin/values@1", "venue": "Test", "quote": "USD", "circuit": "names", "parameters": {"min_value": "1"}, "assets": [{"id": "\#(id)", "price": "2"}]}"#
        try FileIO.write(Array(source.utf8), to: "\(dir)/names.zkm", mode: 0o644)
        try FileIO.write(Array(values.utf8), to: "\(dir)/values.json", mode: 0o644)
        let (compiled, text) = try Workflow.compiledStatement(valuesPath: "\(dir)/values.json", circuitPath: "\(dir)/names.zkm", hidingAmong: nil)
        let swift = String(decoding: CompiledExport.document(compiled, circuitSource: text), as: UTF8.self)
        XCTAssertTrue(swift.contains("max(…) at line 8"), "the helper is named by its origin: \(swift)")
        let py = try python("verify.py", ["--compile-json", "--values", "\(dir)/values.json", "--circuit", "\(dir)/names.zkm"])
        XCTAssertEqual(py.status, 0, py.stderr)
        XCTAssertEqual(py.stdout, swift, "verify.py names the helper differently")
    }

    /// SPEC.md §16.1, exact numbers: risk values written with exponents,
    /// JSON numbers and ratios (`Vectors/numbers/values-forms.json`) compile,
    /// in both implementations, to the very bytes of the same values written
    /// as plain decimals (`values-plain.json`); a ratio with no decimal
    /// expansion (an mm_rate of 1/6) compiles alike in both; and so do the
    /// values inside a bundle, where verify.py reads JSON numbers from their
    /// text. A ratio dividing by zero is refused by both (exit 2).
    func testEveryNumberFormCompilesAlikeInBothImplementations() throws {
        let dir = try temporaryDirectory(self)
        let circuit = Repository.forTests.path("Circuits/cross-margin.zkm")
        let forms = String(decoding: try Repository.forTests.read("Vectors/numbers/values-forms.json"), as: UTF8.self)
        let sixth = forms.replacingOccurrences(of: #""mm_rate": 0.005"#, with: #""mm_rate": "1/6""#)
        XCTAssertNotEqual(sixth, forms)
        try FileIO.write(Array(sixth.utf8), to: "\(dir)/sixth.json", mode: 0o644)
        var printed: [String] = []
        for values in [Repository.forTests.path("Vectors/numbers/values-plain.json"), Repository.forTests.path("Vectors/numbers/values-forms.json"), "\(dir)/sixth.json"] {
            let (compiled, source) = try Workflow.compiledStatement(valuesPath: values, circuitPath: circuit)
            let swift = String(decoding: CompiledExport.document(compiled, circuitSource: source), as: UTF8.self)
            let r = try python("verify.py", ["--compile-json", "--values", values, "--circuit", circuit])
            XCTAssertEqual(r.status, 0, "\(values): \(r.stderr)")
            XCTAssertEqual(r.stdout, swift, "\(values): verify.py --compile-json differs from the reference")
            printed.append(swift)
        }
        XCTAssertEqual(printed[0], printed[1], "the other forms compile to another statement than the plain decimals")
        XCTAssertNotEqual(printed[0], printed[2])

        let source = Self.header + "require collateral >= min_value * k\n"
        let bundled = #"{"format": "zkmargin/values@1", "venue": "Test Custody", "quote": "USD", "circuit": "threshold", "parameters": {"min_value": 1e3, "k": "7/6"}, "assets": [{"id": "USDC", "price": 1, "haircut": "1/20"}, {"id": "BTC", "price": "9.7E4", "haircut": 0.05}]}"#
        try FileIO.write(try signedBundle(source: source, values: bundled), to: "\(dir)/bundle.json", mode: 0o644)
        let (compiled, circuitSource) = try Workflow.compiledStatement(bundlePath: "\(dir)/bundle.json")
        let r = try python("verify.py", ["--compile-json", "--bundle", "\(dir)/bundle.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, String(decoding: CompiledExport.document(compiled, circuitSource: circuitSource), as: UTF8.self))

        try FileIO.write(try signedBundle(source: source, values: bundled.replacingOccurrences(of: "7/6", with: "7/0")), to: "\(dir)/zero.json", mode: 0o644)
        XCTAssertThrowsError(try Workflow.compiledStatement(bundlePath: "\(dir)/zero.json")) { error in
            XCTAssertTrue("\(error)".contains(#"values.parameters.k: "7/0" is not a decimal (division by zero"#), "\(error)")
        }
        let zero = try python("verify.py", ["--compile-json", "--bundle", "\(dir)/zero.json"])
        XCTAssertEqual(zero.status, 2, zero.stdout + zero.stderr)
    }

    /// Vectors/checker/: the reference still accepts or refuses each circuit
    /// as the file says (verify.py checks the same file in test_vectors.py).
    func testCheckerCasesAreTheReferencesVerdicts() throws {
        guard case .object(let doc) = try JSONParser.parse(try Repository.forTests.read("Vectors/checker/cases.json")),
              case .string(let header)? = doc["header"], case .object(let v)? = doc["values"], case .array(let cases)? = doc["cases"] else {
            return XCTFail("Vectors/checker/cases.json: unexpected shape")
        }
        let values = try RiskValues.decode(json: v)
        XCTAssertEqual(cases.count, 74)
        for (n, c) in cases.enumerated() {
            guard case .object(let o) = c, case .string(let body)? = o["body"], case .bool(let refused)? = o["refused"] else {
                return XCTFail("case \(n): unexpected shape")
            }
            var refusedNow = false
            do { _ = try compile(circuitSource: header + body + "\n", fileName: "checker.zkm", values: values) } catch { refusedNow = true }
            XCTAssertEqual(refusedNow, refused, "Vectors/checker/cases.json case \(n): \(body)")
        }
    }

    // MARK: Verdicts

    /// One bundle's proof files, written into `dir`.
    struct Fixture {
        let bundlePath: String
        var proofs: [(name: String, bytes: [UInt8])] = []
    }

    /// Fresh proofs of every flow for one circuit and curve, and tampered
    /// copies; returns the bundle file and the proof files' names.
    func fixture(_ circuit: String, curve: Curve, in dir: String, selfAttested: Bool = true, account example: String = "solvent") throws -> Fixture {
        let prefix = "\(circuit)-\(curve.rawValue)"
        let bundle: RiskBundle
        let account: Account
        let one: Account?
        var hiddenID = "BTC-PERP"   // the instrument the one-position account holds and hides among
        if circuit == "threshold" {
            (bundle, account) = try smallBundle("threshold", curve: curve)
            one = nil
        } else {
            bundle = try makeBundle(circuit, curve: curve)
            account = try Repository.forTests.exampleAccount(circuit, example)
            hiddenID = bundle.values.ids(of: "instruments")?.first ?? hiddenID
            one = Account(label: "fund-7/one", balances: account.balances, positions: account.positions.filter { $0.key == hiddenID })
        }
        var f = Fixture(bundlePath: "\(prefix)-bundle.json")
        try FileIO.write(bundle.encoded(), to: "\(dir)/\(f.bundlePath)", mode: 0o644)
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow)
        let attested = try Prover.prove(bundle: bundle, statement: statement, openings: openings, at: testNow).encoded()
        f.proofs.append(("\(prefix)-attested.json", attested))
        var selfProof: [UInt8]? = nil
        if let one {
            let set = try AnonymitySet([hiddenID])
            let (s1, o1) = try Custodian.attest(bundle: bundle, account: one, key: TestKeys.custodian, at: testNow)
            let hidden = try Prover.prove(bundle: bundle, statement: s1, openings: o1, at: testNow, hidingAmong: set).encoded()
            f.proofs.append(("\(prefix)-attested-hiding.json", hidden))
            if selfAttested {
                selfProof = try Prover.proveSelfAttested(bundle: bundle, account: one, at: testNow, hidingAmong: set).encoded()
                f.proofs.append(("\(prefix)-self-hiding.json", selfProof!))
            }
            for (k, bytes) in tamperedHiding(hidden).enumerated() { f.proofs.append(("\(prefix)-tampered-hiding-\(k).json", bytes)) }
        } else if selfAttested {
            selfProof = try Prover.proveSelfAttested(bundle: bundle, account: account, at: testNow).encoded()
            f.proofs.append(("\(prefix)-self.json", selfProof!))
        }
        for (k, bytes) in tampered(attested).enumerated() { f.proofs.append(("\(prefix)-tampered-\(k).json", bytes)) }
        let selfTampered: [[UInt8]] = selfProof.map { tamperedSelf($0) } ?? []
        for (k, bytes) in selfTampered.enumerated() { f.proofs.append(("\(prefix)-tampered-self-\(k).json", bytes)) }
        for p in f.proofs { try FileIO.write(p.bytes, to: "\(dir)/\(p.name)", mode: 0o644) }
        return f
    }

    /// Verifies every proof of `f` with the library (one at a time, so each
    /// gets its own verdict), with verify.py and (the tampered ones) with the
    /// zkmargin-verify binary, one run each, and compares verdicts and exit
    /// statuses.
    func compareVerdicts(_ f: Fixture, in dir: String, throughBinary: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
        var swiftValid: [String: Bool] = [:]
        for p in f.proofs {
            let report = try Workflow.verify(bundlePath: "\(dir)/\(f.bundlePath)", publisherKeyPath: "\(dir)/publisher.pub.pem",
                                             custodianKeyPath: "\(dir)/custodian.pub.pem", proofPaths: ["\(dir)/\(p.name)"],
                                             at: testNow, allowSelfAttested: true)
            swiftValid[p.name] = report.allValid
        }
        let options = ["--bundle", f.bundlePath, "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem",
                       "--allow-self-attested", "--at", RFC3339.format(testNow)]
        // verify.py over every proof, and the built zkmargin-verify binary over
        // the tampered sample (its exit status is then 1); each in one run:
        // its lines and its exit status.
        let tampered = f.proofs.filter { $0.name.contains("tampered") }
        var runs = [("verify.py", f.proofs, try python("verify.py", options + f.proofs.map(\.name), in: dir))]
        if throughBinary { runs.append(("zkmargin-verify", tampered, try CLI.run("zkmargin-verify", options + tampered.map(\.name), in: dir))) }
        for (tool, proofs, r) in runs {
            let expected: Int32 = proofs.allSatisfy { swiftValid[$0.name]! } ? 0 : 1
            var valid: [String: Bool] = [:]
            for l in r.stdout.split(separator: "\n") {
                for p in proofs where l.hasPrefix("VALID") || l.hasPrefix("INVALID") {
                    if l.contains(" \(p.name): ") { valid[p.name] = l.hasPrefix("VALID") }
                }
            }
            for p in proofs {
                XCTAssertEqual(valid[p.name], swiftValid[p.name],
                               "\(p.name): the library says \(swiftValid[p.name]! ? "valid" : "invalid"), \(tool) says \(valid[p.name].map { $0 ? "valid" : "invalid" } ?? "nothing"):\n\(r.stdout)\(r.stderr)",
                               file: file, line: line)
            }
            XCTAssertEqual(r.status, expected, "\(tool)'s exit status\n\(r.stderr)", file: file, line: line)
        }
        // The fresh proofs are valid, every tampered one invalid.
        for p in f.proofs {
            XCTAssertEqual(swiftValid[p.name], !p.name.contains("tampered"), "\(p.name)", file: file, line: line)
        }
    }

    func testVerifiersAgreeOnThreshold() throws {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        // The binary on P-256 only (its tampered sample costs about 2.5 s a fixture, debug).
        for curve in [Curve.p256, .secp256k1] { try compareVerdicts(try fixture("threshold", curve: curve, in: dir), in: dir, throughBinary: curve == .p256) }
    }

    /// Self-attested on P-256 only (threshold has it on both curves): its
    /// bound constraints make the largest statements, the slowest part in Python.
    func testVerifiersAgreeOnCrossMargin() throws {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        for curve in [Curve.p256, .secp256k1] {
            try compareVerdicts(try fixture("cross-margin", curve: curve, in: dir, selfAttested: curve == .p256), in: dir, throughBinary: curve == .p256)
        }
    }

    /// A borrowed quote balance, committed as its asset and liability parts
    /// (Vectors/examples/cross-margin/borrowed-solvent.json), attested and
    /// self-attested: verify.py accepts what the library accepts.
    func testVerifiersAgreeOnABorrowedBalance() throws {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        try compareVerdicts(try fixture("cross-margin", curve: .p256, in: dir, account: "borrowed-solvent"), in: dir, throughBinary: false)
    }

    /// Signed balances beside positions over one set: each element's balance
    /// (borrowable) and size are both split; a balance that may not be
    /// borrowed stays whole and its `max(balance, 0)` needs no helper; hiding
    /// among one element excludes the other's four parts. Both
    /// implementations compile it, whole and hidden, to the same bytes.
    func testSignedBalancesBesidePositionsCompileAlike() throws {
        let dir = try temporaryDirectory(self)
        let source = """
            set markets
            param mark[m in markets] >= 0
            param haircut[m in markets] in [0, 1] default 0
            param max_borrow[m in markets] >= 0 default 0
            private margin[m in markets] from balance in [-max_borrow[m], 1e6] scale 1e-6
            private size[m in markets] from size in [-1e3, 1e3] scale 1e-3
            require r: sum(m in markets: margin[m] - max(margin[m], 0) * haircut[m] + size[m] * mark[m]) >= sum(m in markets: abs(size[m]) * mark[m] / 10)

            """
        let values = #"{"venue": "Test", "quote": "USD", "circuit": "signed", "markets": [{"id": "X", "mark": "2", "haircut": "0.1", "max_borrow": "50"}, {"id": "Y", "mark": "3"}, {"id": "Z", "mark": "5", "max_borrow": "7"}]}"#
        try FileIO.write(Array(source.utf8), to: "\(dir)/signed.zkm", mode: 0o644)
        try FileIO.write(Array(values.utf8), to: "\(dir)/values.json", mode: 0o644)
        for kept in [nil, ["X"]] as [[String]?] {
            let (compiled, text) = try Workflow.compiledStatement(valuesPath: "\(dir)/values.json", circuitPath: "\(dir)/signed.zkm",
                                                                  hidingAmong: try kept.map { try AnonymitySet($0) })
            XCTAssertEqual(compiled.inputs.map(\.id), ["margin[X].asset", "margin[X].liability", "margin[Y]", "margin[Z].asset", "margin[Z].liability",
                                                       "size[X].long", "size[X].short", "size[Y].long", "size[Y].short", "size[Z].long", "size[Z].short"])
            XCTAssertEqual(compiled.helpers.count, 0)
            if kept != nil {
                XCTAssertEqual(compiled.excludedElements, ["Y", "Z"])
                XCTAssertEqual(compiled.excludedInputs, [2, 3, 4, 7, 8, 9, 10])
            }
            let swift = String(decoding: CompiledExport.document(compiled, circuitSource: text), as: UTF8.self)
            let py = try python("verify.py", ["--compile-json", "--values", "\(dir)/values.json", "--circuit", "\(dir)/signed.zkm"] + (kept ?? []).flatMap { ["--hide-among", $0] })
            XCTAssertEqual(py.status, 0, py.stderr)
            XCTAssertEqual(py.stdout, swift, "verify.py compiles the signed balances differently (hiding among \(kept ?? []))")
        }
    }

    /// Helper commitments (tier maxima).
    func testVerifiersAgreeOnTieredMargin() throws {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        try compareVerdicts(try fixture("tiered-margin", curve: .p256, in: dir), in: dir)
    }

    /// rounded-margin (dYdX's arithmetic: a floor and three nested ceils per
    /// instrument): both verifiers give the same verdicts on its proofs.
    func testVerifiersAgreeOnRoundedMargin() throws {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        try compareVerdicts(try fixture("rounded-margin", curve: .p256, in: dir), in: dir)
    }

    /// Rounding helpers (`ceil`, `floor`; Vectors/compile/rounding): verify.py
    /// recompiles them and checks the same proofs, attested and self-attested.
    func testVerifiersAgreeOnRounding() throws {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        let bundle = try RiskBundle.publish(values: try Repository.forTests.read("Vectors/compile/rounding/values.json"), circuitName: "rounding",
                                            circuitSource: try Repository.forTests.text("Vectors/compile/rounding/rounding.zkm"),
                                            epoch: "2025-11-25T12:00:00Z", issuedAt: testIssuedAt, validUntil: testValidUntil, key: TestKeys.publisher)
        let account = try Account.decode(from: Data(#"{"account": "fund-r", "balances": {"BTC": "0.5", "USDC": "1500.129"}, "positions": {"BTC-PERP": {"size": "-0.12345678", "entry_price": "96000"}, "ETH-PERP": {"size": "1.5", "entry_price": "3390"}}}"#.utf8))
        var f = Fixture(bundlePath: "rounding-bundle.json")
        try FileIO.write(bundle.encoded(), to: "\(dir)/\(f.bundlePath)", mode: 0o644)
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow)
        let attested = try Prover.prove(bundle: bundle, statement: statement, openings: openings, at: testNow).encoded()
        f.proofs.append(("rounding-attested.json", attested))
        f.proofs.append(("rounding-self.json", try Prover.proveSelfAttested(bundle: bundle, account: account, at: testNow).encoded()))
        for (k, bytes) in tampered(attested).enumerated() { f.proofs.append(("rounding-tampered-\(k).json", bytes)) }
        for p in f.proofs { try FileIO.write(p.bytes, to: "\(dir)/\(p.name)", mode: 0o644) }
        try compareVerdicts(f, in: dir, throughBinary: false)
    }

    /// Exit statuses for the whole run: unusable input (2) and usage errors
    /// (64), verify.py against the zkmargin-verify binary.
    func testExitStatusesAgree() throws {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        let f = try Fixtures.flow("threshold")
        try FileIO.write(f.bundle.encoded(), to: "\(dir)/bundle.json", mode: 0o644)
        try FileIO.write(f.proofBytes, to: "\(dir)/proof.json", mode: 0o644)
        var bad = Array(String(decoding: f.bundle.encoded(), as: UTF8.self).utf8)
        let marker = Array("\"payload\": \"".utf8)
        let start = (0...(bad.count - marker.count)).first { Array(bad[$0..<($0 + marker.count)]) == marker }! + marker.count + 40
        bad[start] = bad[start] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        try FileIO.write(bad, to: "\(dir)/garbled-bundle.json", mode: 0o644)
        let at = ["--at", RFC3339.format(testNow)]
        let keys = ["--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem"]
        let cases: [(String, [String], Int32)] = [
            ("valid", ["--bundle", "bundle.json"] + keys + at + ["proof.json"], 0),
            ("a missing proof file is an invalid proof", ["--bundle", "bundle.json"] + keys + at + ["proof.json", "missing.json"], 1),
            ("another publisher key", ["--bundle", "bundle.json", "--publisher-key", "other-publisher.pub.pem"] + at + ["proof.json"], 2),
            ("a private key as the publisher key", ["--bundle", "bundle.json", "--publisher-key", "publisher.pem"] + at + ["proof.json"], 2),
            ("expired at --at", ["--bundle", "bundle.json"] + keys + ["--at", "2031-01-01T00:00:00Z", "proof.json"], 2),
            ("not yet valid at --at", ["--bundle", "bundle.json"] + keys + ["--at", "2020-01-01T00:00:00Z", "proof.json"], 2),
            ("garbled bundle", ["--bundle", "garbled-bundle.json"] + keys + at + ["proof.json"], 2),
            ("missing bundle", ["--bundle", "nowhere.json"] + keys + at + ["proof.json"], 2),
            ("malformed --at", ["--bundle", "bundle.json"] + keys + ["--at", "2030-01-01T23:60:00Z", "proof.json"], 64),
            ("no proof file", ["--bundle", "bundle.json"] + keys + at, 64),
            ("unknown option", ["--bundle", "bundle.json"] + keys + at + ["--bogus", "proof.json"], 64),
            ("no publisher key", ["--bundle", "bundle.json"] + at + ["proof.json"], 64),
        ]
        for (what, arguments, status) in cases {
            let swift = try CLI.run("zkmargin-verify", arguments, in: dir)
            let py = try python("verify.py", arguments, in: dir)
            XCTAssertEqual(swift.status, status, "\(what): zkmargin-verify \(swift.output)")
            XCTAssertEqual(py.status, status, "\(what): verify.py \(py.stdout)\(py.stderr)")
        }
    }

    // MARK: Circuits the checker refuses, and limits

    /// The declarations the refused circuits below share (4 parameters, a
    /// `let collateral`), each case's body appended.
    static let header = """
        set assets
        param price[a in assets] >= 0
        param haircut[a in assets] in [0, 1] default 0
        param min_value >= 0
        param k default 1
        private balance[a in assets] from balance in [0, 1e12] scale 1e-8
        let collateral = sum(a in assets: balance[a] * price[a] * (1 - haircut[a]))

        """

    /// A temporary directory with the test keys and the threshold flow's proof.
    func directoryWithThresholdProof() throws -> String {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        try FileIO.write(try Fixtures.flow("threshold").proofBytes, to: "\(dir)/proof.json", mode: 0o644)
        return dir
    }

    /// A bundle signed with the test publisher key around `source` (the
    /// circuit is named `threshold`), bypassing `RiskBundle.publish`, which
    /// refuses to sign what does not compile.
    func signedBundle(source: String, values: String) throws -> [UInt8] {
        guard case .object(let v) = try JSONParser.parse(Array(values.utf8)) else { fatalError("values are an object") }
        let payload = JSONObject([
            ("format", .string(FileKind.bundle.formatName)),
            ("publisher", .string(TestKeys.publisher.verifyingKey.id)),
            ("issued_at", .string(RFC3339.format(testIssuedAt))),
            ("valid_until", .string(RFC3339.format(testValidUntil))),
            ("epoch", .string("2025-11-25T12:00:00Z")),
            ("curve", .string(Curve.p256.rawValue)),
            ("circuit", .object(JSONObject([("name", .string("threshold")), ("source", .string(source))]))),
            ("values", .object(v)),
        ])
        return SignedEnvelope(kind: .bundle, payload: JSONValue.object(payload).compactEncoded(), key: TestKeys.publisher).encoded()
    }

    /// SPEC.md §16.2.1–§16.2.2: bundles whose circuits the checker refuses
    /// (each case a rule lowering alone does not meet: an unused `let`, a
    /// public factor or divisor of unknown sign, folded constants, depth,
    /// the requirement count) are refused with exit 2 by the zkmargin-verify
    /// binary and by verify.py, and the reference says which rule.
    func testBothRefuseBundlesTheCheckerRefuses() throws {
        let dir = try directoryWithThresholdProof()
        let header = Self.header
        let values = #"{"format": "zkmargin/values@1", "venue": "Test Custody", "quote": "USD", "circuit": "threshold", "parameters": {"min_value": "1000"}, "assets": [{"id": "USDC", "price": "1"}]}"#
        let many = (0..<257).map { "\"x\($0)\"" }.joined(separator: ", ")
        let manyValues = #"{"format": "zkmargin/values@1", "venue": "Test Custody", "quote": "USD", "circuit": "threshold", "parameters": {"min_value": "1000"}, "assets": [{"id": "USDC", "price": "1"}], "s": ["# + many + "]}"
        let deep = String(repeating: "(", count: 130) + "min_value" + String(repeating: ")", count: 130)
        let cases: [(what: String, body: String, values: String, says: String)] = [
            ("max times a factor of unknown sign", "require collateral >= min_value + k * max(balance[\"USDC\"], 0)", values, "cannot tell the sign of the public factor"),
            ("max over a divisor of unknown sign", "require collateral >= min_value + max(balance[\"USDC\"], 0) / k", values, "cannot tell the sign of the divisor"),
            ("min on the requirement side through a let", "let m = min(balance[\"USDC\"], 0)\nrequire collateral >= min_value + m", values, "`min` of private quantities"),
            ("private × private in an unused let", "let sq = balance[\"USDC\"] * balance[\"USDC\"]\nrequire collateral >= min_value", values, "private × private"),
            ("a folded literal beyond 1024 bits", "require collateral >= min_value + 1e100 * 1e100 * 1e100 * 1e100", values, "maximumConstantBits"),
            ("a constant beyond 1024 bits with the values", "require collateral >= min_value * 1e100 * 1e100 * 1e100 * 1e100", values, "maximumConstantBits"),
            ("nested 131 deep", "require collateral >= \(deep)", values, "maximumNestingDepth"),
            ("an exponent of 21 digits", "require collateral >= 1e" + String(repeating: "0", count: 20) + "5", values, "maximumExponent"),
            ("an exponent of 5001 digits", "require collateral >= 1e" + String(repeating: "0", count: 5000) + "5", values, "maximumExponent"),
            ("lets that nest 129 deep", "let d0 = min_value\n" + (1...64).map { "let d\($0) = -d\($0 - 1)" }.joined(separator: "\n") + "\nrequire collateral >= d64", values, "maximumNestingDepth"),
            ("an unknown name in an unused let", "let u = nothing\nrequire collateral >= min_value", values, "unknown name"),
            ("a reused name", "let price2 = 1\nlet price2 = 2\nrequire collateral >= min_value", values, "already declared"),
            ("66049 requirements", "set s\nfor x in s { for y in s { require collateral >= min_value } }", manyValues, "maximumRequirements"),
            ("a 2049 × 2048 matrix with a default, bound in full", Self.matrixBody, Self.matrixValues(2049, 2048), "maximumExpandedTerms"),
        ]
        let arguments = ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem",
                         "--at", RFC3339.format(testNow), "proof.json"]
        for c in cases {
            try FileIO.write(try signedBundle(source: header + c.body + "\n", values: c.values), to: "\(dir)/bundle.json", mode: 0o644)
            let swift = try CLI.run("zkmargin-verify", arguments, in: dir)
            let py = try python("verify.py", arguments, in: dir)
            XCTAssertEqual(swift.status, 2, "\(c.what): zkmargin-verify \(swift.output)")
            XCTAssertTrue(swift.output.contains(c.says), "\(c.what): zkmargin-verify refuses for another reason: \(swift.output)")
            XCTAssertEqual(py.status, 2, "\(c.what): verify.py \(py.stdout)\(py.stderr)")
        }
    }

    /// An unused matrix parameter over two sets, filled with its default.
    static let matrixBody = "set s\nset t\nparam w[x in s, y in t] default 0\nrequire collateral >= min_value"

    static func matrixValues(_ rows: Int, _ columns: Int) -> String {
        let s = (0..<rows).map { "\"x\($0)\"" }.joined(separator: ", ")
        let t = (0..<columns).map { "\"y\($0)\"" }.joined(separator: ", ")
        return #"{"format": "zkmargin/values@1", "venue": "Test Custody", "quote": "USD", "circuit": "threshold", "parameters": {"min_value": "1000"}, "assets": [{"id": "USDC", "price": "1"}], "s": ["# + s + #"], "t": ["# + t + "]}"
    }

    /// SPEC.md §16.2.2: the binding phase of the work budget. The header's 4
    /// parameters charge 1 each, then `w` rows × columns: 2048 × 2046 leaves
    /// 4092 units, enough for the rest of this circuit, so neither verifier
    /// refuses it for the budget (both then judge the threshold proof against
    /// another statement, alike); 2049 × 2048 is refused by both (exit 2,
    /// `testBothRefuseBundlesTheCheckerRefuses`).
    func testJustUnderTheWorkBudgetWhenBinding() throws {
        let dir = try directoryWithThresholdProof()
        let header = Self.header
        let source = header + Self.matrixBody + "\n"
        guard case .object(let v) = try JSONParser.parse(Array(Self.matrixValues(2048, 2046).utf8)) else { return XCTFail("values") }
        _ = try compile(circuitSource: source, fileName: "threshold.zkm", values: try RiskValues.decode(json: v))
        try FileIO.write(try signedBundle(source: source, values: Self.matrixValues(2048, 2046)), to: "\(dir)/bundle.json", mode: 0o644)
        let arguments = ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem",
                         "--at", RFC3339.format(testNow), "proof.json"]
        let swift = try CLI.run("zkmargin-verify", arguments, in: dir)
        let py = try python("verify.py", arguments, in: dir)
        XCTAssertFalse(swift.output.contains("maximumExpandedTerms"), "zkmargin-verify: \(swift.output)")
        XCTAssertFalse((py.stdout + py.stderr).contains("maximumExpandedTerms"), "verify.py: \(py.stdout)\(py.stderr)")
        XCTAssertEqual(py.status, swift.status, "zkmargin-verify \(swift.output) / verify.py \(py.stdout)\(py.stderr)")
    }

    /// SPEC.md §16.2.2, all phases: a circuit whose work is exactly the limit
    /// compiles in both implementations, and one unit more is refused by
    /// both. The work of elaboration and lowering (helpers, a `let` used
    /// twice, a reduction) is measured once on tiny sets; a 2047 × 2047
    /// matrix and a vector over `e`, both filled with their defaults, then
    /// bring the binding phase to the exact remainder.
    func testExactlyAtTheWorkBudgetBothAgree() throws {
        let body = """
            set s
            set t
            set e
            param w[x in s, y in t] default 0
            param v[x in e] default 0
            let worst = max(a in assets: balance[a] * price[a] - balance["USDC"])
            require first: collateral >= worst + abs(balance["USDC"] - balance["BTC"]) + min_value
            require second: collateral * 2 >= worst + max(balance["BTC"] * 3, 1, 2)
            """
        let source = Self.header + body + "\n"
        func values(_ s: Int, _ t: Int, _ e: Int) -> String {
            func ids(_ p: String, _ n: Int) -> String { (0..<n).map { "\"\(p)\($0)\"" }.joined(separator: ", ") }
            return #"{"format": "zkmargin/values@1", "venue": "Test", "quote": "USD", "circuit": "budget", "parameters": {"min_value": "1000"}, "assets": [{"id": "USDC", "price": "1"}, {"id": "BTC", "price": "97000.25"}, {"id": "ETH", "price": "3000"}], "s": [\#(ids("x", s))], "t": [\#(ids("y", t))], "e": [\#(ids("z", e))]}"#
        }
        func work(_ v: String) throws -> Int {
            try compile(circuitSource: source, fileName: "budget.zkm", values: try RiskValues.decode(from: Data(v.utf8))).workUsed
        }
        // w and v charge 1 entry each on one-element sets; the rest is fixed.
        let rest = try work(values(1, 1, 1)) - 2
        XCTAssertEqual(try work(values(2, 3, 4)), rest + 6 + 4, "the binding phase charges rows × columns and the vector's entries")
        let side = 2047, limit = CircuitLimits.maximumExpandedTerms
        let e = limit - rest - side * side
        XCTAssertGreaterThan(e, 0)
        let dir = try temporaryDirectory(self)
        try FileIO.write(Array(source.utf8), to: "\(dir)/budget.zkm", mode: 0o644)
        for (extra, refused) in [(0, false), (1, true)] {
            let v = values(side, side, e + extra)
            try FileIO.write(Array(v.utf8), to: "\(dir)/values.json", mode: 0o644)
            let outcome = Result { () throws -> Int in try work(v) }
            switch outcome {
            case .success(let units):
                XCTAssertFalse(refused, "one unit over the limit was accepted by the reference (\(units) units)")
                XCTAssertEqual(units, limit, "exactly the limit")
            case .failure(let error):
                XCTAssertTrue(refused, "the reference refused the limit itself (rest \(rest), e \(e)): \(error)")
                XCTAssertTrue("\(error)".contains("CircuitLimits.maximumExpandedTerms"), "\(error)")
            }
            let py = try python("verify.py", ["--compile-json", "--values", "\(dir)/values.json", "--circuit", "\(dir)/budget.zkm"])
            XCTAssertEqual(py.status, refused ? 2 : 0, "verify.py at the limit + \(extra): \(py.stderr)")
            XCTAssertEqual(py.stderr.contains("CircuitLimits.maximumExpandedTerms"), refused, py.stderr)
        }
    }

    // MARK: Tampering

    func edit(_ bytes: [UInt8], _ change: (inout JSONObject) -> Void) -> [UInt8] {
        guard case .object(var o) = try! JSONParser.parse(bytes) else { fatalError("a proof is an object") }
        change(&o)
        return JSONValue.object(o).encoded()
    }

    func string(_ o: JSONObject, _ key: String) -> String {
        guard case .string(let s)? = o[key] else { return "" }
        return s
    }

    /// A base64 text with one byte of its decoding changed at `fraction` of its length.
    func flipped(_ text: String, at fraction: Double = 0.5) -> String {
        var raw = Base64.decode(text) ?? []
        guard !raw.isEmpty else { return text }
        raw[Int(Double(raw.count - 1) * fraction)] ^= 0x01
        return Base64.encode(raw)
    }

    /// The first two 33-byte slots of a commitment list swapped (a list of
    /// one gets it twice).
    func swappedSlots(_ text: String) -> String {
        guard var raw = Base64.decode(text), raw.count >= 33 else { return text }
        if raw.count == 33 { return Base64.encode(raw + raw) }
        let a = Array(raw[0..<33])
        raw.replaceSubrange(0..<33, with: raw[33..<66])
        raw.replaceSubrange(33..<66, with: a)
        return Base64.encode(raw)
    }

    func rangeProofs(_ o: JSONObject) -> [JSONValue] {
        guard case .array(let a)? = o["range_proofs"] else { return [] }
        return a
    }

    func withRangeProof(_ o: inout JSONObject, _ k: Int, _ change: (inout JSONObject) -> Void) {
        var items = rangeProofs(o)
        guard k < items.count, case .object(var p) = items[k] else { return }
        change(&p)
        items[k] = .object(p)
        o["range_proofs"] = .array(items)
    }

    /// Edits of an attested proof, each making it invalid.
    func tampered(_ proof: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        out.append(edit(proof) { o in self.withRangeProof(&o, 0) { p in p["proof"] = .string(self.flipped(self.string(p, "proof"))) } })
        out.append(edit(proof) { o in self.withRangeProof(&o, 0) { p in p["proof"] = .string(self.flipped(self.string(p, "proof"), at: 0.99)) } })
        out.append(edit(proof) { o in self.withRangeProof(&o, 0) { p in p["n"] = .number("256") } })
        out.append(edit(proof) { o in o["account"] = .string("fund-7/another") })
        out.append(edit(proof) { o in o["epoch"] = .string("2025-11-26T12:00:00Z") })
        out.append(edit(proof) { o in o["epoch"] = .string("2025-11-25T12:00:00+00:00") })
        out.append(edit(proof) { o in o["bundle"] = .string(String(repeating: "ab", count: 32)) })
        out.append(edit(proof) { o in o["claims"] = .array([.object(JSONObject([("requirement", .string("other")), ("holds", .string("excess >= 0"))]))]) })
        out.append(edit(proof) { o in o["format"] = .string("zkmargin/proof@1") })
        out.append(edit(proof) { o in o["attestation"] = .string("self") })
        out.append(edit(proof) { o in o["note"] = .string("unknown field") })
        out.append(edit(proof) { o in o["helpers"] = .string(String(repeating: "A", count: 44)) })
        out.append(edit(proof) { o in o["excluded"] = .array([.string("BTC")]) })
        out.append(edit(proof) { o in
            guard case .object(var s)? = o["statement"] else { return }
            s["commitments"] = .string(self.swappedSlots(self.string(s, "commitments")))
            o["statement"] = .object(s)
        })
        out.append(edit(proof) { o in
            guard case .object(var s)? = o["statement"] else { return }
            s["signature"] = .string(self.flipped(self.string(s, "signature"), at: 0.9))
            o["statement"] = .object(s)
        })
        // Raw text: a repeated key.
        var text = String(decoding: proof, as: UTF8.self)
        text = text.replacingOccurrences(of: "\"curve\":", with: "\"account\": \"x\",\n  \"curve\":")
        out.append(Array(text.utf8))
        return out
    }

    /// Edits of a self-attested proof, each making it invalid.
    func tamperedSelf(_ proof: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        out.append(edit(proof) { o in o["inputs"] = .string(self.swappedSlots(self.string(o, "inputs"))) })
        out.append(edit(proof) { o in o["inputs"] = .string(String(self.string(o, "inputs").dropLast(44))) })
        out.append(edit(proof) { o in o["attestation"] = .string("custodian") })
        out.append(edit(proof) { o in
            let items = self.rangeProofs(o)
            if items.count >= 2 { o["range_proofs"] = .array([items[1], items[0]] + items.dropFirst(2)) } else { o["account"] = .string("fund-7/x") }
        })
        out.append(edit(proof) { o in self.withRangeProof(&o, self.rangeProofs(o).count - 1) { p in p["proof"] = .string(self.flipped(self.string(p, "proof"), at: 0.2)) } })
        return out
    }

    /// Edits of an attested proof that hides among fewer elements.
    func tamperedHiding(_ proof: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        out.append(edit(proof) { o in o["zero_opening"] = nil })
        out.append(edit(proof) { o in o["zero_opening"] = .string(String(repeating: "0", count: 63) + "1") })
        out.append(edit(proof) { o in o["excluded"] = nil; o["zero_opening"] = nil })
        out.append(edit(proof) { o in o["excluded"] = .array([.string("BTC-PERP")]) })
        out.append(edit(proof) { o in o["excluded"] = .array([.string("ETH-PERP"), .string("ETH-PERP")]) })
        return out
    }
}
