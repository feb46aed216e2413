import ArgumentParser
import Foundation
import ZKHardening
import ZKTestSupport

/// `zkmargin-tamper`: changes every byte, commitment and field of valid
/// proofs and bundles and checks that the verifier rejects every variant.
@main
struct ZKMarginTamper: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkmargin-tamper",
        abstract: "Check that zkmargin-verify rejects every tampered variant of valid proofs and bundles.",
        discussion: """
        For each shipped circuit (Circuits/NAME.zkm with Vectors/examples/NAME/values.json and \
        solvent.json) it makes fresh publisher and custodian keys, publishes a bundle, attests \
        the solvent account and proves it; threshold also gets a self-attested proof. The \
        untampered files must be accepted (exit 0), or the run stops. Then it makes every \
        variant and verifies each one, which must be rejected with exit 1 (invalid proof) or \
        2 (unusable input):

          range-proof-byte    each range-proof byte ^ 0x01 and ^ 0xff; lengths; swaps
          commitment          each commitment: another one, G, H, C ± G, −C, the
                              identity, bad prefixes, x off the curve, x ≥ p
          proof-field         each proof-file field deleted, retyped, changed,
                              its key twice, an unknown key; the file cut
          statement-field     each statement payload field, old signature
          ...-resigned        the same, re-signed with the custodian's key
          statement-envelope  its fields, signature and key bytes, other
                              signers, other formats
          bundle-field        each bundle payload field, old signature
          ...-resigned        the same, re-signed with the publisher's key
          ...-repointed       re-signed, the proof pointed at the new digest
          bundle-envelope     its fields, signature and key bytes, other
                              signers and formats, other files

        Every verification uses the most permissive policy (both keys, --allow-self-attested, \
        --at inside the bundle's window), so a rejection holds under every policy. Without \
        --exec, variants are verified in this process through Workflow.verify (what \
        zkmargin-verify runs: exit 2 if it throws, 1 if a verdict is invalid, 0 otherwise). With \
        --exec, each is verified by spawning that zkmargin-verify binary; a signal, any exit \
        status but 0, 1 and 2, or a hang counts as a crash. Add --in-process to do both and \
        require the same exit status.

        Prints progress to stderr and, per circuit, the variants tried per category, rejected \
        with exit 1, with exit 2, accepted and crashed. Exits 1 if any variant was accepted or \
        crashed, naming each one and the folder its files were saved in (with reproduce.sh); \
        2 if the harness itself cannot run (no repository, a fixture that does not verify).

        Examples:
          zkmargin-tamper --sample 500                      # a quick in-process run
          zkmargin-tamper --circuit threshold --list        # what would be tried
          zkmargin-tamper --exec .build/release/zkmargin-verify --jobs 4
          scripts/tamper.sh                                 # everything, through the release binary
        """
    )

    @Option(name: .customLong("circuit"), help: ArgumentHelp("Only this shipped circuit (repeatable; default: all).", valueName: "NAME"))
    var circuits: [String] = []

    @Option(name: .customLong("exec"), help: ArgumentHelp("Verify by spawning this zkmargin-verify executable.", valueName: "PATH"))
    var executable: String?

    @Flag(help: "With --exec, also verify in this process; both must give the same exit status.")
    var inProcess = false

    @Option(help: ArgumentHelp("Verify a deterministic sample of about N variants per fixture, spread over every category.", valueName: "N"))
    var sample: Int?

    @Option(help: ArgumentHelp("Verify this many variants at a time (the default is the number of CPUs).", valueName: "J"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "List the variants (fixture, category, description) without verifying them.")
    var list = false

    @Flag(help: "Under each category, show which checks rejected its variants (error codes in process).")
    var reasons = false

    @Option(help: ArgumentHelp("The repository root (default: the working directory or its nearest ancestor with Circuits/ and Vectors/examples/).", valueName: "DIR"))
    var root: String?

    @Option(help: ArgumentHelp("Save accepted and crashed variants under this folder (default: a new temporary folder).", valueName: "DIR"))
    var out: String?

    @Option(help: ArgumentHelp("Also write each untampered fixture (bundle, proof, public keys, verify.sh) under this folder, for experiments by hand.", valueName: "DIR"))
    var saveFixtures: String?

    @Option(help: ArgumentHelp("The curve of the fixtures: p256 or secp256k1.", valueName: "CURVE"))
    var curve = "p256"

    @Option(help: ArgumentHelp("Seconds a spawned verifier may run before it counts as hung.", valueName: "SECONDS"))
    var timeout: Double = 120

    func validate() throws {
        if let sample, sample < 1 { throw ValidationError("--sample must be at least 1") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if inProcess && executable == nil { throw ValidationError("--in-process is for use with --exec (without --exec, verification is in process)") }
        if let executable, !FileManager.default.isExecutableFile(atPath: executable) {
            throw ValidationError("--exec \(executable): not an executable file")
        }
        if timeout <= 0 { throw ValidationError("--timeout must be positive") }
    }

    /// Exit 0 when every variant was rejected, 1 when one was accepted or
    /// crashed, 2 when the harness could not run.
    func run() throws {
        let passed: Bool
        do {
            passed = try tamper()
        } catch {
            say("zkmargin-tamper: \(error)")
            throw ExitCode(2)
        }
        if !passed { throw ExitCode(1) }
    }

    func tamper() throws -> Bool {
        let fixtures = try makeFixtures()
        if let saveFixtures {
            for f in fixtures {
                let dir = try TamperRunner.saveFixture(f, in: saveFixtures)
                say("zkmargin-tamper: wrote the untampered \(f.name) fixture to \(dir)")
            }
        }
        let plans = fixtures.map { f -> (TamperFixture, [TamperVariant]) in
            let all = TamperVariants.all(for: f)
            return (f, sample.map { TamperSample.select(all, count: $0) } ?? all)
        }
        if list {
            for (f, variants) in plans where !variants.isEmpty {
                emit(variants.map { "\(f.name)\t\($0.category.rawValue)\t\($0.description)" }.joined(separator: "\n"))
            }
            for (f, variants) in plans { say("\(f.name): \(variants.count) variants") }
            return true
        }

        let scratch = try makeTemporaryDirectory()
        let results: [TamperResult]
        do {
            results = try verify(plans, scratch: scratch)
        } catch {
            try? FileManager.default.removeItem(atPath: scratch)
            throw error
        }
        let findings = results.flatMap(\.findings)
        if findings.isEmpty || out != nil { try? FileManager.default.removeItem(atPath: scratch) }
        guard !findings.isEmpty else { return true }
        emit("")
        emit("FAILED: \(findings.count) variant\(findings.count == 1 ? " was" : "s were") not rejected:")
        for f in findings { emit(f.line) }
        return false
    }

    /// Publishes, attests and proves each chosen circuit with fresh keys.
    func makeFixtures() throws -> [TamperFixture] {
        let rootURL: URL
        if let root { rootURL = URL(fileURLWithPath: root) } else {
            guard let found = Repository.locate()?.root else {
                throw TamperError("no repository here (a folder with Circuits/ and Vectors/examples/); run from the repository or pass --root")
            }
            rootURL = found
        }
        say("zkmargin-tamper: making fixtures (publish, attest, prove) in \(rootURL.path)")
        do {
            return try TamperFixture.all(root: rootURL, circuits: circuits.isEmpty ? nil : circuits, curveName: curve)
        } catch let error as TamperError {
            throw error
        } catch {
            throw TamperError("cannot make the fixtures: \(error)")
        }
    }

    /// Verifies every planned variant, printing each fixture's table as it
    /// finishes and the totals at the end.
    func verify(_ plans: [(TamperFixture, [TamperVariant])], scratch: String) throws -> [TamperResult] {
        let verification = TamperVerification(inProcess: executable == nil || inProcess, executable: executable, timeout: timeout)
        let runner = TamperRunner(verification: verification, jobs: jobs, scratch: scratch + "/work", findingsDirectory: out ?? scratch + "/findings")
        let how = executable.map { "spawning \($0)" + (inProcess ? " and in process" : "") } ?? "in process"
        say("zkmargin-tamper: \(plans.reduce(0) { $0 + $1.1.count }) variants of \(plans.count) fixtures, verified \(how), \(jobs) at a time")

        var results: [TamperResult] = []
        let start = Date()
        for (fixture, variants) in plans {
            let name = fixture.name
            let begun = Date()
            let result = try runner.run(fixture, variants: variants) { done, total in
                let elapsed = Date().timeIntervalSince(begun)
                say(String(format: "  %@: %d/%d verified (%d%%), %.0f s", name, done, total, total == 0 ? 100 : done * 100 / total, elapsed))
            }
            results.append(result)
            for line in result.table(reasons: reasons) { emit(line) }
            emit("")
        }
        let total = results.map(\.total).reduce(TamperTally(), +)
        emit(String(format: "%d variants of %d fixtures in %.1f s: %d rejected with exit 1, %d with exit 2, %d accepted, %d crashed",
                     total.tried, results.count, Date().timeIntervalSince(start), total.invalid, total.unusable, total.accepted, total.crashed))
        return results
    }

    func makeTemporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zkmargin-tamper-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))").path
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw TamperError("cannot create \(dir): \(error)")
        }
        return dir
    }
}

/// Writes a line to stdout at once (unbuffered, so a long run's results
/// show as each fixture finishes, even when stdout is a file).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Writes a line to stderr (progress and harness errors; results go to stdout).
func say(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
