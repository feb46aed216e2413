import Foundation
import ZKGroup
import Solvency

/// What verifying a variant gave: the exit status `zkmargin-verify` gives
/// (or would give), or a crash.
package enum TamperOutcome: Sendable, Equatable {
    /// Exit 0: every proof valid. For a variant, the worst possible bug.
    case accepted
    /// Exit 1: the proof is invalid; `reason` is the error's code.
    case invalid(reason: String)
    /// Exit 2: unusable input (the bundle, a key); `reason` as above.
    case unusable(reason: String)
    /// A signal, another exit status, a hang, or the in-process and
    /// executable verdicts disagreeing.
    case crashed(String)

    package var isRejected: Bool {
        switch self {
        case .invalid, .unusable: return true
        case .accepted, .crashed: return false
        }
    }

    /// The exit status this outcome stands for (nil for a crash).
    package var exitStatus: Int32? {
        switch self {
        case .accepted: return 0
        case .invalid: return 1
        case .unusable: return 2
        case .crashed: return nil
        }
    }

    package var summary: String {
        switch self {
        case .accepted: return "ACCEPTED (exit 0)"
        case .invalid(let r): return "rejected, exit 1 (\(r))"
        case .unusable(let r): return "rejected, exit 2 (\(r))"
        case .crashed(let what): return "CRASHED (\(what))"
        }
    }
}

/// How variants are verified: in this process through `Workflow.verify`
/// (what `zkmargin-verify` runs), by spawning a `zkmargin-verify`
/// executable, or both (then both must give the same exit status).
package struct TamperVerification: Sendable {
    package var inProcess: Bool
    /// The `zkmargin-verify` executable to spawn, if any.
    package var executable: String?
    /// Seconds an executable may run before it counts as hung.
    package var timeout: Double

    package init(inProcess: Bool = true, executable: String? = nil, timeout: Double = 120) {
        self.inProcess = inProcess
        self.executable = executable
        self.timeout = timeout
    }
}

/// A folder holding one fixture's public keys and the files of the variant
/// being verified: one per worker, so workers never share a file. After a
/// crash of the harness itself it still holds the variant that caused it
/// (`variant.txt` names it).
package struct TamperWorkspace: Sendable {
    package let directory: String
    let fixture: TamperFixture

    package var bundlePath: String { directory + "/bundle.json" }
    package var proofPath: String { directory + "/proof.json" }
    package var publisherKeyPath: String { directory + "/publisher.pub.pem" }
    package var custodianKeyPath: String { directory + "/custodian.pub.pem" }

    /// Creates the folder and writes the public keys.
    package init(directory: String, fixture: TamperFixture) throws {
        self.directory = directory
        self.fixture = fixture
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.write(Array(fixture.publisherKey.verifyingKey.pemRepresentation.utf8), to: publisherKeyPath)
        try Self.write(Array(fixture.custodianKey.verifyingKey.pemRepresentation.utf8), to: custodianKeyPath)
    }

    /// Writes a variant's files (and its description, for post-mortems).
    package func write(_ files: TamperFiles, description: String) throws {
        try Self.write(Array((description + "\n").utf8), to: directory + "/variant.txt")
        try Self.write(files.bundle, to: bundlePath)
        try Self.write(files.proof, to: proofPath)
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw TamperError("cannot write \(path)")
        }
    }

    /// The `zkmargin-verify` arguments for the files in this folder: both
    /// keys, the fixture's time, and self-attested proofs allowed (the most
    /// permissive policy).
    package func verifyArguments(relativeTo base: String? = nil) -> [String] {
        func p(_ path: String) -> String {
            guard let base, path.hasPrefix(base + "/") else { return path }
            return String(path.dropFirst(base.count + 1))
        }
        return ["--bundle", p(bundlePath), "--publisher-key", p(publisherKeyPath), "--custodian-key", p(custodianKeyPath),
                "--at", RFC3339.format(fixture.at), "--allow-self-attested", p(proofPath)]
    }

    /// Verifies the files in the folder as `verification` says.
    package func verify(_ verification: TamperVerification) -> TamperOutcome {
        let inProcess = verification.inProcess ? verifyInProcess() : nil
        guard let executable = verification.executable else { return inProcess ?? .crashed("no verifier chosen") }
        let spawned = verifyWithExecutable(executable, timeout: verification.timeout)
        if let inProcess, spawned.exitStatus != nil, inProcess.exitStatus != spawned.exitStatus {
            return .crashed("in process: \(inProcess.summary); \(URL(fileURLWithPath: executable).lastPathComponent): \(spawned.summary)")
        }
        if let inProcess, case .accepted = inProcess { return .accepted }
        // Keep the in-process reason when both agree: it names the check.
        if let inProcess, inProcess.exitStatus == spawned.exitStatus { return inProcess }
        return spawned
    }

    /// What `zkmargin-verify` would exit with, computed in this process:
    /// 2 if `Workflow.verify` throws, 1 if not every verdict is valid, 0
    /// otherwise.
    package func verifyInProcess() -> TamperOutcome {
        do {
            let report = try Workflow.verify(bundlePath: bundlePath, publisherKeyPath: publisherKeyPath, custodianKeyPath: custodianKeyPath,
                                             proofPaths: [proofPath], at: fixture.at, allowSelfAttested: true)
            if report.allValid { return .accepted }
            let reason = report.verdicts.lazy.compactMap { v -> String? in
                if case .failure(let e) = v.result { return Self.reason(e) }
                return nil
            }.first
            return .invalid(reason: reason ?? "no verdict")
        } catch {
            return .unusable(reason: Self.reason(error))
        }
    }

    /// An error's code; `proofInvalid` split into a range proof that does
    /// not decode and range proofs whose equations fail.
    static func reason(_ error: SolvencyError) -> String {
        if case .proofInvalid(let message) = error {
            return message.hasPrefix("range proof ") ? "proofInvalid(decoding)" : "proofInvalid(equation)"
        }
        return error.code
    }

    /// Spawns `executable` on the files in the folder: exit 0, 1 and 2 are
    /// verdicts; a signal, any other status or a hang is a crash.
    package func verifyWithExecutable(_ executable: String, timeout: Double) -> TamperOutcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = verifyArguments()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let stderrPath = directory + "/stderr.txt"
        guard FileManager.default.createFile(atPath: stderrPath, contents: nil),
              let stderr = FileHandle(forWritingAtPath: stderrPath) else {
            return .crashed("cannot create \(stderrPath)")
        }
        defer { try? stderr.close() }
        process.standardError = stderr
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch { return .crashed("cannot run \(executable): \(error)") }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            if finished.wait(timeout: .now() + 5) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                finished.wait()
            }
            return .crashed("hung: killed after \(timeout) s")
        }
        let status = process.terminationStatus
        switch process.terminationReason {
        case .uncaughtSignal:
            return .crashed("signal \(status)\(lastLine(of: stderrPath))")
        case .exit:
            switch status {
            case 0: return .accepted
            case 1: return .invalid(reason: "exit 1")
            case 2: return .unusable(reason: "exit 2")
            default: return .crashed("exit status \(status)\(lastLine(of: stderrPath))")
            }
        @unknown default:
            return .crashed("unknown termination, status \(status)")
        }
    }

    private func lastLine(of path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard let last = lines.last else { return "" }
        return ": " + String(last.prefix(300))
    }
}
