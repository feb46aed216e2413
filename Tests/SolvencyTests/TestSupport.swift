import Foundation
import MarginCircuits
import Synchronization
import StrictJSON
import XCTest
import ZKGroup
import ZKProofs
@testable import Solvency
import ZKTestSupport

/// The circuits the library ships, with their example folders.
let shippedCircuits = ["threshold", "cross-margin", "tiered-margin", "rounded-margin", "portfolio-margin", "options-standard"]

/// A fresh temporary directory, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zkmargin-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
}

/// Keys made once per test run (key generation is cheap, but stable keys
/// make fixtures shareable).
enum TestKeys {
    static let publisher = SigningKey.generate()
    static let otherPublisher = SigningKey.generate()
    static let custodian = SigningKey.generate()
    static let otherCustodian = SigningKey.generate()
}

/// A fixed issue time for bundles made by tests, and a time inside the window.
let testIssuedAt = Date(timeIntervalSince1970: 1_764_072_000)          // 2025-11-25T12:00:00Z
let testValidUntil = testIssuedAt.addingTimeInterval(86_400)
let testNow = testIssuedAt.addingTimeInterval(3_600)

/// Small risk values for self-attested proofs (which add two range
/// constraints per input): the threshold circuit with a single asset.
let smallValues: [String: (values: String, account: String)] = [
    "threshold": (#"""
        {"format": "zkmargin/values@1", "venue": "Test Custody", "quote": "USD", "circuit": "threshold",
         "parameters": {"min_value": "1000"}, "assets": [{"id": "USDC", "price": "1"}]}
        """#, #"{"account": "test/treasury", "balances": {"USDC": "5000"}}"#),
]

func smallBundle(_ circuit: String, curve: Curve = .p256) throws -> (bundle: RiskBundle, account: Account) {
    let v = smallValues[circuit]!
    return (try makeBundle(circuit, curve: curve, values: Array(v.values.utf8)), try Account.decode(from: Data(v.account.utf8)))
}

/// Publishes an example bundle with the test keys.
func makeBundle(_ circuit: String = "cross-margin", curve: Curve = .p256, key: SigningKey = TestKeys.publisher,
                epoch: String? = "2025-11-25T12:00:00Z", values: [UInt8]? = nil) throws -> RiskBundle {
    try RiskBundle.publish(values: values ?? Repository.forTests.example(circuit, "values.json"), circuitName: circuit, circuitSource: Repository.forTests.circuitSource(circuit),
                           curve: curve, epoch: epoch, issuedAt: testIssuedAt, validUntil: testValidUntil, key: key)
}

func policy(custodian: VerifyingKey? = TestKeys.custodian.verifyingKey, selfAttested: Bool = false,
            publisher: VerifyingKey = TestKeys.publisher.verifyingKey, at: Date = testNow) -> VerificationPolicy {
    VerificationPolicy(publisherKey: publisher, custodianKey: custodian, at: at, allowSelfAttested: selfAttested)
}

/// Everything one custodian-attested flow produces.
struct Flow: Sendable {
    let bundle: RiskBundle
    let statement: AttestedStatement
    let openings: Openings
    let proof: MarginProof
    let proofBytes: [UInt8]
}

/// Proofs are the slow part of these tests, so each (circuit, curve) flow
/// is made once per run and shared.
enum Fixtures {
    private static let cache = Mutex<[String: Flow]>([:])

    /// The flow of a circuit's example values and its solvent example account.
    static func flow(_ circuit: String = "cross-margin", curve: Curve = .p256) throws -> Flow {
        let key = "\(circuit)/\(curve)"
        if let f = cache.withLock({ $0[key] }) { return f }
        let (bundle, account) = (try makeBundle(circuit, curve: curve), try Repository.forTests.exampleAccount(circuit))
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow)
        let proof = try Prover.prove(bundle: bundle, statement: statement, openings: openings, at: testNow)
        let f = Flow(bundle: bundle, statement: statement, openings: openings, proof: proof, proofBytes: proof.encoded())
        cache.withLock { $0[key] = f }
        return f
    }
}

/// Asserts `body` throws a SolvencyError with `code`, and returns it.
@discardableResult
func assertSolvencyError<T>(_ code: String, file: StaticString = #filePath, line: UInt = #line,
                            _ body: () throws -> T) -> SolvencyError? {
    do {
        _ = try body()
        XCTFail("expected error \(code), got success", file: file, line: line)
        return nil
    } catch let e as SolvencyError {
        XCTAssertEqual(e.code, code, "\(e)", file: file, line: line)
        return e
    } catch {
        XCTFail("expected SolvencyError \(code), got \(error)", file: file, line: line)
        return nil
    }
}

/// The verdict of one proof verified alone.
func verdict(_ bytes: [UInt8], bundle: RiskBundle, policy p: VerificationPolicy) throws -> Result<AcceptedProof, SolvencyError> {
    try Verifier.verify(bundle: bundle, proofs: [("proof.json", bytes)], policy: p).verdicts[0].result
}

func assertInvalid(_ bytes: [UInt8], bundle: RiskBundle, policy p: VerificationPolicy = policy(), code: String,
                   contains text: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
    do {
        switch try verdict(bytes, bundle: bundle, policy: p) {
        case .success: XCTFail("expected \(code), the proof verified", file: file, line: line)
        case .failure(let e):
            XCTAssertEqual(e.code, code, "\(e)", file: file, line: line)
            if let text { XCTAssertTrue(e.description.contains(text), "\(e.description) does not mention \(text)", file: file, line: line) }
        }
    } catch {
        XCTFail("bundle-level failure \(error)", file: file, line: line)
    }
}

/// Edits a JSON file (as parsed by the strict reader) and re-encodes it.
func editJSON(_ bytes: [UInt8], _ edit: (inout JSONObject) -> Void) throws -> [UInt8] {
    guard case .object(var o) = try JSONParser.parse(bytes) else { throw SolvencyError.malformed("test", "not an object") }
    edit(&o)
    return JSONValue.object(o).encoded()
}

/// Replaces a signed file's payload by an edited one, keeping the old
/// signature (what tampering after signing looks like).
func tamperPayload(_ envelopeBytes: [UInt8], _ edit: (inout JSONObject) -> Void) throws -> [UInt8] {
    try editJSON(envelopeBytes) { env in
        guard case .string(let b64) = env["payload"]!, let payload = Base64.decode(b64),
              case .object(var p) = try! JSONParser.parse(payload) else { return }
        edit(&p)
        env["payload"] = .string(Base64.encode(JSONValue.object(p).compactEncoded()))
    }
}

/// Replaces a signed file's payload by an edited one and signs it with `key`
/// (a statement keeps its unsigned `commitments` field as it was).
func resign(_ envelopeBytes: [UInt8], kind: FileKind, key: SigningKey, _ edit: (inout JSONObject) -> Void = { _ in }) throws -> [UInt8] {
    guard case .object(let env) = try JSONParser.parse(envelopeBytes), case .string(let b64) = env["payload"]!,
          let payload = Base64.decode(b64), case .object(var p) = try JSONParser.parse(payload) else {
        throw SolvencyError.malformed("test", "not an envelope")
    }
    edit(&p)
    var signed = SignedEnvelope(kind: kind, payload: JSONValue.object(p).compactEncoded(), key: key).json
    if let commitments = env["commitments"] { signed["commitments"] = commitments }
    return JSONValue.object(signed).encoded()
}

extension Array where Element == UInt8 {
    /// The bytes parsed as one JSON object.
    func jsonObject() throws -> JSONObject {
        guard case .object(let o) = try JSONParser.parse(self) else { throw SolvencyError.malformed("test", "not an object") }
        return o
    }
}

/// The 33-byte slots of a commitment list as stored (base64 of the
/// encodings, concatenated).
func commitmentSlots(_ text: String) -> [[UInt8]] {
    let bytes = Base64.decode(text) ?? []
    return stride(from: 0, to: bytes.count, by: 33).map { Array(bytes[$0..<min($0 + 33, bytes.count)]) }
}

/// A commitment list as stored, from its slots.
func commitmentText(_ slots: [[UInt8]]) -> String { Base64.encode(slots.flatMap { $0 }) }

/// A statement envelope (JSON object) with its `commitments` bytes replaced
/// and, if `key` is given, its payload's `commitments` digest set to theirs
/// (`digestOf`: of other bytes) and re-signed; else with the old payload
/// and signature.
func statementEnvelope(_ envelope: JSONObject, commitments: [UInt8], digestOf: [UInt8]? = nil, resignWith key: SigningKey? = nil) throws -> JSONObject {
    var env = envelope
    env["commitments"] = .string(Base64.encode(commitments))
    guard let key else { return env }
    let bytes = try resign(JSONValue.object(env).encoded(), kind: .statement, key: key) {
        $0["commitments"] = .string(SHA256.hash(digestOf ?? commitments).hexString)
    }
    guard case .object(let o) = try JSONParser.parse(bytes) else { throw SolvencyError.malformed("test", "not an envelope") }
    return o
}

/// A proof file with its statement envelope edited.
func editStatement(_ proof: [UInt8], _ edit: (inout JSONObject) throws -> Void) throws -> [UInt8] {
    guard case .object(var o) = try JSONParser.parse(proof), case .object(var env)? = o["statement"] else {
        throw SolvencyError.malformed("test", "no statement")
    }
    try edit(&env)
    o["statement"] = .object(env)
    return JSONValue.object(o).encoded()
}

/// The executables, run as a user would (`swift test` builds every product
/// into the folder next to the test bundle).
enum CLI {
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
        var output: String { stdout + stderr }
    }

    /// The folder holding the built `zkmargin` and `zkmargin-verify`.
    static let binaries: String? = {
        var candidates: [URL] = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
                                 URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        for b in Bundle.allBundles { candidates.append(b.bundleURL.deletingLastPathComponent()) }
        for c in candidates {
            var dir = c
            for _ in 0..<4 {
                if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("zkmargin").path),
                   FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("zkmargin-verify").path) {
                    return dir.path
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }()

    /// Runs `tool` with `arguments` in `directory` and collects its output.
    static func run(_ tool: String, _ arguments: [String], in directory: String) throws -> Run {
        guard let bin = binaries else { throw XCTSkip("zkmargin executables not found next to the test bundle; run `swift build` first") }
        return try execute(bin + "/" + tool, arguments, in: directory)
    }

    /// `run` with `environment` added to this process's.
    static func runWithEnvironment(_ tool: String, _ arguments: [String], in directory: String, environment: [String: String]) throws -> Run {
        guard let bin = binaries else { throw XCTSkip("zkmargin executables not found next to the test bundle; run `swift build` first") }
        return try execute(bin + "/" + tool, arguments, in: directory, environment: environment)
    }

    /// Runs the executable at `path` with `arguments` in `directory` and collects its output.
    static func execute(_ path: String, _ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes fully before waiting (large outputs would block).
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// Writes the test keys into `dir` as `publisher.pem`, `publisher.pub.pem`,
/// `custodian.pem`, … (and `other-publisher…`, `other-custodian…`).
func writeTestKeys(to dir: String) throws {
    for (name, key) in [("publisher", TestKeys.publisher), ("custodian", TestKeys.custodian),
                        ("other-publisher", TestKeys.otherPublisher), ("other-custodian", TestKeys.otherCustodian)] {
        try FileIO.write(key.pemRepresentation(), to: "\(dir)/\(name).pem", mode: 0o600)
        try FileIO.write(Array(key.verifyingKey.pemRepresentation.utf8), to: "\(dir)/\(name).pub.pem", mode: 0o644)
    }
}

/// Runs `zkmargin-verify` in `dir` on `proofs` against `bundle` with the
/// test keys, at `testNow`.
func verifyWithCLI(_ dir: String, _ proofs: [String], bundle: String = "bundle.json", extra: [String] = []) throws -> CLI.Run {
    try CLI.run("zkmargin-verify", ["--bundle", bundle, "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem",
                                    "--at", RFC3339.format(testNow)] + extra + proofs, in: dir)
}
