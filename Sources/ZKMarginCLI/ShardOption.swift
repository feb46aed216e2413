public import ArgumentParser
public import Foundation
public import Solvency

/// `--shard INDEX/COUNT | auto` and `--shard-count N`: which part of an
/// epoch's accounts this task handles (`ShardSpec`).
public struct ShardOption: ParsableArguments {
    @Option(name: .customLong("shard"), help: ArgumentHelp(
        "This task's part of the accounts: INDEX/COUNT (0/8 … 7/8; an account's shard is SHA-256(label) mod COUNT), or auto: from a Slurm array task (SLURM_ARRAY_TASK_ID, _MIN, _STEP, _COUNT) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with --shard-count or ZKMARGIN_SHARD_COUNT). Default: all accounts.",
        valueName: "INDEX/COUNT|auto"))
    public var shard: String?

    @Option(name: .customLong("shard-count"), help: ArgumentHelp(
        "With --shard auto: the number of shards, for engines that do not export it (a Kubernetes Indexed Job's completions).",
        valueName: "N"))
    public var count: Int?

    public init() {}

    /// The shard, and where it came from (for the log).
    public func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SolvencyError) -> (ShardSpec, source: String) {
        guard let shard else {
            if count != nil { throw .invalidArgument("--shard-count goes with --shard auto") }
            return (.whole, "all accounts")
        }
        if shard == "auto" { return try ShardSpec.fromEnvironment(environment, countOverride: count) }
        if count != nil { throw .invalidArgument("--shard-count goes with --shard auto; --shard \(shard) already gives the count") }
        let spec = try ShardSpec(parsing: shard)
        return (spec, "--shard \(spec)")
    }
}

/// Progress of a long batch on standard error: on a terminal one line
/// redrawn in place (done/total, rate, time left); in a batch log (not a
/// terminal) one line per `interval` seconds and one at the end, so a
/// Slurm or Kubernetes log shows where a task is without a line per account.
public final class ProgressReporter: @unchecked Sendable {
    private let isTerminal: Bool
    private let interval: TimeInterval
    private var lastLine = Date.distantPast
    private var drewInPlace = false

    public init(interval: TimeInterval = 30) {
        isTerminal = isatty(2) == 1
        self.interval = interval
    }

    public func update(_ p: BatchProgress) {
        update("\(p.stage.rawValue) shard \(p.shard)", done: p.done, total: p.total, startedAt: p.startedAt)
    }

    /// `what: done/total accounts, rate, time left` (`zkmargin index` too).
    public func update(_ what: String, done: Int, total: Int, startedAt: Date) {
        let now = Date()
        let finished = done == total
        let text = line(what, done: done, total: total, startedAt: startedAt, now: now)
        if isTerminal {
            guard finished || now.timeIntervalSince(lastLine) >= 0.2 else { return }
            emit("\r\u{1B}[2K" + text + (finished ? "\n" : ""))
            drewInPlace = !finished
        } else {
            guard finished || done == 0 || now.timeIntervalSince(lastLine) >= interval else { return }
            emit(text + "\n")
        }
        lastLine = now
    }

    /// Ends an in-place line before other output.
    public func finish() {
        if drewInPlace { emit("\n"); drewInPlace = false }
    }

    func line(_ what: String, done: Int, total: Int, startedAt: Date, now: Date) -> String {
        let elapsed = max(now.timeIntervalSince(startedAt), 0.001)
        let rate = Double(done) / elapsed
        var text = "\(what): \(done)/\(total) accounts"
        if done > 0 {
            text += String(format: ", %.2f/s", rate)
            if done < total { text += ", about \(Self.duration(Double(total - done) / rate)) left" }
            else { text += ", \(Self.duration(elapsed))" }
        }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h\(String(format: "%02d", s / 60 % 60))m"
    }

    private func emit(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
