import Foundation
import Solvency

/// Counts for one category (or a whole fixture).
package struct TamperTally: Sendable, Equatable {
    package var tried = 0
    /// Rejected with exit 1 (an invalid proof).
    package var invalid = 0
    /// Rejected with exit 2 (unusable input).
    package var unusable = 0
    package var accepted = 0
    package var crashed = 0

    package init() {}

    mutating func add(_ outcome: TamperOutcome) {
        tried += 1
        switch outcome {
        case .accepted: accepted += 1
        case .invalid: invalid += 1
        case .unusable: unusable += 1
        case .crashed: crashed += 1
        }
    }

    package static func + (a: TamperTally, b: TamperTally) -> TamperTally {
        var t = a
        t.tried += b.tried
        t.invalid += b.invalid
        t.unusable += b.unusable
        t.accepted += b.accepted
        t.crashed += b.crashed
        return t
    }
}

/// A variant that was accepted or crashed, and where its files were saved.
package struct TamperFinding: Sendable {
    package let fixture: String
    package let category: TamperCategory
    package let description: String
    package let outcome: TamperOutcome
    /// The folder with the variant's files, the keys and `reproduce.sh`.
    package let savedAt: String?
}

/// The result of one fixture's run.
package struct TamperResult: Sendable {
    package let fixture: String
    package let tallies: [TamperCategory: TamperTally]
    /// Per category, how many variants each check rejected (error codes in
    /// process, exit statuses otherwise).
    package let reasons: [TamperCategory: [String: Int]]
    package let findings: [TamperFinding]
    package let seconds: Double

    package var total: TamperTally { tallies.values.reduce(TamperTally(), +) }
    package var passed: Bool { findings.isEmpty }
}

/// A deterministic sample of variants that keeps every category.
package enum TamperSample {
    /// About `count` variants: each category gets a share proportional to
    /// its size (at least one), taken at evenly spaced positions, so bytes
    /// and fields from the start to the end of each file are covered. All
    /// of them if `count` is not smaller.
    package static func select(_ variants: [TamperVariant], count: Int) -> [TamperVariant] {
        guard count < variants.count else { return variants }
        var byCategory: [TamperCategory: [Int]] = [:]
        for (i, v) in variants.enumerated() { byCategory[v.category, default: []].append(i) }
        var chosen: [Int] = []
        for (_, indices) in byCategory {
            let share = max(1, Int((Double(count) * Double(indices.count) / Double(variants.count)).rounded()))
            let k = min(share, indices.count)
            for j in 0..<k { chosen.append(indices[j * indices.count / k]) }
        }
        return chosen.sorted().map { variants[$0] }
    }
}

/// Verifies every variant of a fixture, in parallel, after checking that
/// the untampered files are accepted (otherwise a rejection would prove
/// nothing).
package struct TamperRunner: Sendable {
    package var verification: TamperVerification
    package var jobs: Int
    /// Where the workers' folders go (removed at the end unless the harness
    /// dies, when the variant being verified is left there).
    package var scratch: String
    /// Where accepted and crashed variants are saved.
    package var findingsDirectory: String

    package init(verification: TamperVerification, jobs: Int, scratch: String, findingsDirectory: String) {
        self.verification = verification
        self.jobs = max(1, jobs)
        self.scratch = scratch
        self.findingsDirectory = findingsDirectory
    }

    /// Runs `variants` of `fixture`; `progress(done, total)` is called at
    /// most every `progressInterval` seconds, and at the end.
    package func run(_ fixture: TamperFixture, variants: [TamperVariant], progressInterval: Double = 5,
                     progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> TamperResult {
        let start = Date()
        let workspaces = try (0..<jobs).map { j in
            try TamperWorkspace(directory: "\(scratch)/\(fixture.slug)-worker\(j)", fixture: fixture)
        }
        defer { for w in workspaces { try? FileManager.default.removeItem(atPath: w.directory) } }

        try workspaces[0].write(fixture.files, description: "\(fixture.name): the untampered files")
        let baseline = workspaces[0].verify(verification)
        guard case .accepted = baseline else {
            throw TamperError("the untampered \(fixture.name) proof is not accepted (\(baseline.summary)); the harness would prove nothing")
        }

        let outcomes = LockedBox<[TamperOutcome?]>(Array(repeating: nil, count: variants.count))
        // The exact files of accepted and crashed variants, to save them.
        let kept = LockedBox<[Int: TamperFiles]>([:])
        let state = LockedBox((next: 0, done: 0, lastReport: Date(), error: nil as String?))
        let verification = self.verification
        DispatchQueue.concurrentPerform(iterations: workspaces.count) { j in
            let workspace = workspaces[j]
            while true {
                let i = state.withLock { s -> Int? in
                    guard s.error == nil, s.next < variants.count else { return nil }
                    s.next += 1
                    return s.next - 1
                }
                guard let i else { return }
                let variant = variants[i]
                let files = variant.files()
                let outcome: TamperOutcome
                if files == fixture.files {
                    outcome = .crashed("the variant's files equal the untampered files: a harness bug")
                } else {
                    do { try workspace.write(files, description: "\(fixture.name): \(variant.description)") } catch {
                        state.withLock { $0.error = "\(error)" }
                        return
                    }
                    outcome = workspace.verify(verification)
                }
                outcomes.withLock { $0[i] = outcome }
                if !outcome.isRejected { kept.withLock { $0[i] = files } }
                let report = state.withLock { s -> (Int, Bool) in
                    s.done += 1
                    let due = s.done == variants.count || Date().timeIntervalSince(s.lastReport) >= progressInterval
                    if due { s.lastReport = Date() }
                    return (s.done, due)
                }
                if report.1 { progress?(report.0, variants.count) }
            }
        }
        if let error = state.withLock({ $0.error }) { throw TamperError(error) }

        var tallies: [TamperCategory: TamperTally] = [:]
        var reasons: [TamperCategory: [String: Int]] = [:]
        var findings: [TamperFinding] = []
        for (i, outcome) in outcomes.withLock({ $0 }).enumerated() {
            guard let outcome else { continue }
            let v = variants[i]
            tallies[v.category, default: TamperTally()].add(outcome)
            switch outcome {
            case .invalid(let r), .unusable(let r):
                reasons[v.category, default: [:]][r, default: 0] += 1
            case .accepted, .crashed:
                let files = kept.withLock { $0[i] } ?? v.files()
                let saved = try? save(v, files: files, index: i, of: fixture, outcome: outcome)
                findings.append(TamperFinding(fixture: fixture.name, category: v.category, description: v.description, outcome: outcome, savedAt: saved))
            }
        }
        return TamperResult(fixture: fixture.name, tallies: tallies, reasons: reasons, findings: findings,
                            seconds: Date().timeIntervalSince(start))
    }

    /// Writes a fixture's untampered files, public keys and a `verify.sh`
    /// that runs `zkmargin-verify` on them, to `directory/<slug>`.
    package static func saveFixture(_ fixture: TamperFixture, in directory: String) throws -> String {
        let dir = "\(directory)/\(fixture.slug)"
        let workspace = try TamperWorkspace(directory: dir, fixture: fixture)
        try workspace.write(fixture.files, description: "\(fixture.name): the untampered files (zkmargin-verify accepts them)")
        try writeScript(in: dir, name: "verify.sh", comment: "\(fixture.name): the untampered files; zkmargin-verify exits 0", workspace: workspace)
        return dir
    }

    static func writeScript(in dir: String, name: String, comment: String, workspace: TamperWorkspace) throws {
        let command = (["zkmargin-verify"] + workspace.verifyArguments(relativeTo: dir)).joined(separator: " ")
        let script = """
        #!/bin/sh
        # \(comment)
        # zkmargin-verify is taken from $PATH.
        cd "$(dirname "$0")" && exec \(command)

        """
        try TamperWorkspace.write(Array(script.utf8), to: dir + "/" + name)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/" + name)
    }

    /// Saves a finding: the files, the keys, what it is, and a script that
    /// runs `zkmargin-verify` on them.
    func save(_ variant: TamperVariant, files: TamperFiles, index: Int, of fixture: TamperFixture, outcome: TamperOutcome) throws -> String {
        let dir = "\(findingsDirectory)/\(fixture.slug)/\(index)-\(variant.category.rawValue)"
        let workspace = try TamperWorkspace(directory: dir, fixture: fixture)
        try workspace.write(files, description: "\(fixture.name): \(variant.description)\noutcome: \(outcome.summary)")
        try Self.writeScript(in: dir, name: "reproduce.sh",
                             comment: "\(fixture.name): \(variant.description)\n# The harness saw: \(outcome.summary). Every variant must exit 1 or 2.",
                             workspace: workspace)
        return dir
    }
}

/// A value behind a pthread mutex (`NSLock`). Used here instead of
/// Synchronization's `Mutex`, which on Linux hands the lock over through a
/// priority-inheritance futex: the kernel writes the new owner, so
/// ThreadSanitizer sees no happens-before edge and reports the protected
/// accesses as races (`scripts/sanitize.sh thread-release`). NSLock's
/// pthread mutex is intercepted by ThreadSanitizer.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
