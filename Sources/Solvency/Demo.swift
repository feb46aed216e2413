import Foundation
import MarginCircuits
import StrictJSON
public import ZKGroup

/// `zkmargin demo`: publish → attest → prove → verify on the embedded
/// cross-margin example (or a synthetic book of N instruments), with keys
/// and files in a temporary folder that is removed afterwards.
public enum Demo {
    /// Figures of one run.
    public struct Result: Sendable {
        public let curve: Curve
        public let instruments: Int
        public let proofFileBytes: Int
        public let rangeProofBytes: Int
        public let rangeProofCount: Int
        public let committedInputs: Int
        public let publishSeconds: Double
        public let attestSeconds: Double
        public let proveSeconds: Double
        public let verifySeconds: Double
        public let valid: Bool
    }

    /// Synthetic cross-margin values with `n` perpetuals and an account
    /// holding a position in every one (alternately long and short) with
    /// ample collateral.
    public static func syntheticCrossMargin(instruments n: Int) -> (values: [UInt8], account: [UInt8]) {
        precondition(n >= 1 && n <= 100_000, "1 … 100000 instruments")
        func id(_ k: Int) -> String { "PERP-\(String(repeating: "0", count: max(0, 5 - String(k).count)))\(k)" }
        var instruments: [JSONValue] = []
        var positions = JSONObject()
        for k in 0..<n {
            let mark = 100 + (k % 900)
            instruments.append(.object(JSONObject([
                ("id", .string(id(k))), ("mark", .string("\(mark).5")), ("mm_rate", .string(k % 3 == 0 ? "0.01" : "0.005")),
            ])))
            positions[id(k)] = .object(JSONObject([("size", .string(k % 2 == 0 ? "3.25" : "-2")), ("entry_price", .string("\(mark)"))]))
        }
        let values = JSONObject([
            ("format", .string("zkmargin/values@1")),
            ("venue", .string("Synthetic Exchange (\(n) perpetuals)")),
            ("quote", .string("USD")),
            ("circuit", .string("cross-margin")),
            ("assets", .array([
                .object(JSONObject([("id", .string("BTC")), ("price", .string("97000")), ("haircut", .string("0.05"))])),
                .object(JSONObject([("id", .string("USDC")), ("price", .string("1"))])),
            ])),
            ("instruments", .array(instruments)),
        ])
        let account = JSONObject([
            ("account", .string("synthetic/book-\(n)")),
            ("balances", .object(JSONObject([("BTC", .string("2")), ("USDC", .string("\(50 * n + 10000)"))]))),
            ("positions", .object(positions)),
        ])
        return (JSONValue.object(values).encoded(), JSONValue.object(account).encoded())
    }

    /// Other example data for the demo: a circuit, its values and an account
    /// (file contents). Without it, the embedded cross-margin example runs.
    public struct Example: Sendable {
        public let circuitName: String
        public let circuitSource: String
        public let values: [UInt8]
        public let account: [UInt8]
        public init(circuitName: String, circuitSource: String, values: [UInt8], account: [UInt8]) {
            self.circuitName = circuitName
            self.circuitSource = circuitSource
            self.values = values
            self.account = account
        }
    }

    /// Runs the whole flow, describing each role's work through `say`.
    ///
    /// - Parameters:
    ///   - instruments: use a synthetic cross-margin book of this size.
    ///   - example: use this circuit, values and account instead.
    ///   - runs: prove and verify this many times (in memory after the
    ///     first, with warm generator tables) and report the fastest.
    public static func run(curve: Curve = .p256, instruments: Int? = nil, example: Example? = nil, runs: Int = 1,
                           say: (String) -> Void) throws(SolvencyError) -> Result {
        let valuesBytes: [UInt8], accountBytes: [UInt8]
        var circuitName = "cross-margin", circuitSource = ExampleData.crossMarginSource
        if let n = instruments {
            (valuesBytes, accountBytes) = syntheticCrossMargin(instruments: n)
        } else if let example {
            (valuesBytes, accountBytes) = (example.values, example.account)
            (circuitName, circuitSource) = (example.circuitName, example.circuitSource)
        } else {
            valuesBytes = Array(ExampleData.crossMarginValues.utf8)
            accountBytes = Array(ExampleData.solventAccount.utf8)
        }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func path(_ name: String) -> String { dir + "/" + name }
        let account: Account
        do { account = try Account.decode(from: Data(accountBytes)) } catch { throw .circuit(error) }

        say("zkmargin demo: publish → attest → prove → verify, on \(curve)")
        say("Files go to a temporary folder, \(dir), removed at the end.")
        say("")

        // 1. Publisher.
        say("1. Publisher (the venue's risk desk)")
        let (publisherPath, publisherPubPath, publisherKey) = try Workflow.keygen(out: path("publisher.pem"))
        say("   made an ECDSA P-256 key pair: publisher.pem (mode 0600, stays with the desk) and publisher.pub.pem (key id \(short(publisherKey.id)))")
        var t = now()
        let issuedAt = Date()
        let bundle = try RiskBundle.publish(values: valuesBytes, circuitName: circuitName, circuitSource: circuitSource,
                                            curve: curve, issuedAt: issuedAt, validUntil: issuedAt.addingTimeInterval(3600),
                                            key: try Workflow.loadSigningKey(path: publisherPath))
        try FileIO.write(bundle.encoded(), to: path("bundle.json"), mode: FileIO.publicMode)
        let publishSeconds = now() - t
        let compiled = try bundle.compiled()
        let plan = try ProofPlan(statement: compiled, mode: .custodian)
        say("   signed bundle.json: circuit \(circuitName), \(bundle.values.venue)'s risk values, curve \(curve), epoch \(bundle.epoch), valid until \(RFC3339.format(bundle.validUntil))")
        say("   the circuit compiles to \(compiled.inputs.count) committed inputs, \(compiled.helpers.count) helper commitments and \(plan.constraints.count) range constraints  [\(ms(publishSeconds))]")
        say("")

        // 2. Custodian.
        say("2. Custodian (the exchange holding account \(jsonQuoted(account.label)))")
        let (custodianPath, custodianPubPath, custodianKey) = try Workflow.keygen(out: path("custodian.pem"))
        say("   made its own key pair: custodian.pem (0600) and custodian.pub.pem (key id \(short(custodianKey.id)))")
        t = now()
        let statement = try Workflow.attest(bundlePath: path("bundle.json"), accountPath: try writeTemp(accountBytes, path("account.json")),
                                            keyPath: custodianPath, out: path("statement.json"), openingsOut: path("openings.json"),
                                            publisherKeyPath: publisherPubPath)
        let attestSeconds = now() - t
        say("   checked the bundle's publisher signature, committed to all \(statement.inputs.count) inputs (zeros included, so the holdings stay hidden) and signed statement.json")
        say("   handed openings.json (mode 0600: the values and blinding factors) to the account holder  [\(ms(attestSeconds))]")
        say("")

        // 3. Prover.
        say("3. Prover (the account holder)")
        let openings = try Openings.load(path: path("openings.json"))
        for r in Prover.excesses(compiled: compiled, inputValues: openings.entries.map(\.value)) {
            say("   privately: requirement `\(r.name)` has an excess of \(amount(r.excess)) \(compiled.quote) (the proof shows only that it is ≥ 0)")
        }
        t = now()
        let proof = try Workflow.prove(bundlePath: path("bundle.json"), statementPath: path("statement.json"), openingsPath: path("openings.json"),
                                       out: path("proof.json"), publisherKeyPath: publisherPubPath, custodianKeyPath: custodianPubPath)
        let proveSeconds = now() - t
        let proofSize = try FileIO.read(path("proof.json")).count
        say("   proved every requirement (\(proof.claims.joined(separator: ", "))) with \(proof.rangeProofs.count) Bulletproofs+ range proof\(proof.rangeProofs.count == 1 ? "" : "s") (" +
            proof.rangeProofs.map { "n=\($0.bits), m=\($0.forms): \($0.proof.count) B" }.joined(separator: "; ") + ")")
        say("   wrote proof.json: \(proofSize) bytes in all, \(proof.rangeProofByteCount) bytes of range proofs  [\(ms(proveSeconds))]")
        if instruments == nil && example == nil {
            let shortAccount: Account
            do { shortAccount = try Account.decode(from: Data(ExampleData.shortAccount.utf8)) } catch { throw .circuit(error) }
            let (s2, o2) = try Custodian.attest(bundle: bundle, account: shortAccount, key: try Workflow.loadSigningKey(path: custodianPath))
            do {
                _ = try Prover.prove(bundle: bundle, statement: s2, openings: o2)
                say("   (unexpected: the under-margined example account was proven)")
            } catch {
                say("   for account \(jsonQuoted(shortAccount.label)) the prover refuses: \(error)")
            }
        }
        say("")

        // 4. Verifier.
        say("4. Verifier (a counterparty, with zkmargin-verify)")
        t = now()
        let report = try Workflow.verify(bundlePath: path("bundle.json"), publisherKeyPath: publisherPubPath, custodianKeyPath: custodianPubPath,
                                         proofPaths: [path("proof.json")])
        let verifySeconds = now() - t
        say("   checked the publisher's and the custodian's signatures, recompiled the circuit from the bundle, verified the range proofs  [\(ms(verifySeconds))]")
        for line in report.lines { say("   " + line.replacingOccurrences(of: dir + "/", with: "")) }
        say("")
        say("What the verifier learnt: that the account the custodian committed to meets every requirement at this epoch. Not its balances, positions or margin excess; not even which instruments it holds.")
        var (bestProve, bestVerify) = (proveSeconds, verifySeconds)
        if runs > 1 {
            let proofBytes = try FileIO.read(path("proof.json"))
            let policy = VerificationPolicy(publisherKey: publisherKey, custodianKey: custodianKey)
            for _ in 1..<runs {
                t = now()
                _ = try Prover.prove(bundle: bundle, statement: statement, openings: openings)
                bestProve = min(bestProve, now() - t)
                t = now()
                let r = try Verifier.verify(bundle: bundle, proofs: [("proof.json", proofBytes)], policy: policy)
                bestVerify = min(bestVerify, now() - t)
                guard r.allValid else { throw .proofInvalid("a repeated verification failed") }
            }
            say("Fastest of \(runs) runs (in memory, generators cached): prove \(ms(bestProve)), verify \(ms(bestVerify))")
        }
        return Result(curve: curve, instruments: bundle.values.ids(of: "instruments")?.count ?? 0, proofFileBytes: proofSize,
                      rangeProofBytes: proof.rangeProofByteCount, rangeProofCount: proof.rangeProofs.count, committedInputs: compiled.inputs.count,
                      publishSeconds: publishSeconds, attestSeconds: attestSeconds, proveSeconds: bestProve, verifySeconds: bestVerify,
                      valid: report.allValid)
    }

    static func writeTemp(_ bytes: [UInt8], _ path: String) throws(SolvencyError) -> String {
        try FileIO.write(bytes, to: path, mode: FileIO.secretMode)
        return path
    }

    static func temporaryDirectory() throws(SolvencyError) -> String {
        let base = FileManager.default.temporaryDirectory.path
        var template = Array((base.hasSuffix("/") ? base : base + "/").utf8CString.dropLast()) + Array("zkmargin-demo-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw .io(path: base, message: "cannot create a temporary folder") }
        return String(cString: p)
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    static func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
}
