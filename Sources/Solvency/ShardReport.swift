public import Foundation
import MarginCircuits
import StrictJSON
import ZKGroup

/// What one run of one shard of one stage did (`zkmargin/shard-report@1`,
/// written to `DIR/reports/<stage>-<i>-of-<n>.json`). No secret: accounts
/// are named by label and key, a short account by its binding requirement
/// only (never the shortfall, a balance or a position).
///
/// A short account is an ordinary outcome of an epoch, not a failure: only
/// `failed` makes the shard's task exit non-zero, so that a batch engine
/// marks a task FAILED exactly when something needs a person.
public struct ShardReport: Sendable {
    public enum Stage: String, Sendable { case attest, prove }

    public struct Short: Sendable {
        public let account: String
        public let key: AccountKey
        public let requirement: String
    }

    public struct Failure: Sendable {
        /// The label, when it could be read.
        public let account: String?
        public let key: AccountKey?
        /// The accounts file's line (attest), when there is one.
        public let line: Int?
        public let code: String
        public let message: String
    }

    public static let formatName = "zkmargin/shard-report@1"

    public let stage: Stage
    public let shard: ShardSpec
    public let bundleDigest: [UInt8]
    public let epoch: String
    public let startedAt: Date
    public internal(set) var finishedAt: Date
    /// Accounts of this shard (lines of the accounts file for attest,
    /// statements for prove).
    public internal(set) var accounts = 0
    /// Statements or proofs written by this run.
    public internal(set) var written = 0
    /// Already done by an earlier run, checked, and kept.
    public internal(set) var kept = 0
    public internal(set) var short: [Short] = []
    public internal(set) var failed: [Failure] = []

    init(stage: Stage, shard: ShardSpec, bundle: RiskBundle, startedAt: Date) {
        self.stage = stage
        self.shard = shard
        bundleDigest = bundle.digest
        epoch = bundle.epoch
        self.startedAt = startedAt
        finishedAt = startedAt
    }

    /// An error's message as the report and the task's log show it: an
    /// account's own field (`account.balances[…]`, `account.positions[…]`)
    /// is named but its reason withheld, since it quotes the value
    /// ("1e12 is outside the declared bounds"); `zkmargin check` on that
    /// account, on the custodian's side, shows it.
    static func publicMessage(_ error: SolvencyError) -> String {
        if case .circuit(.field(let path, _)) = error, path.hasPrefix("account.") {
            return "\(path): refused by the circuit (the reason quotes the account's value, so it is not in the report; zkmargin check on this account shows it)"
        }
        return error.description
    }

    /// Whether the task should exit non-zero: something failed.
    public var hasFailures: Bool { !failed.isEmpty }

    public var fileName: String { "\(stage.rawValue)-\(shard.fileStem).json" }

    public func encoded() -> [UInt8] {
        func key(_ k: AccountKey?) -> JSONValue { k.map { .string($0.hex) } ?? .null }
        let o = JSONObject([
            ("format", .string(Self.formatName)),
            ("stage", .string(stage.rawValue)),
            ("shard", .string(shard.description)),
            ("bundle", .string(bundleDigest.hexString)),
            ("epoch", .string(epoch)),
            ("started_at", .string(RFC3339.format(startedAt))),
            ("finished_at", .string(RFC3339.format(finishedAt))),
            ("accounts", .number(String(accounts))),
            ("written", .number(String(written))),
            ("kept", .number(String(kept))),
            ("short", .array(short.map { s in
                .object(JSONObject([("account", .string(s.account)), ("key", .string(s.key.hex)), ("requirement", .string(s.requirement))]))
            })),
            ("failed", .array(failed.map { f in
                .object(JSONObject([("account", f.account.map { .string($0) } ?? .null), ("key", key(f.key)),
                                    ("line", f.line.map { .number(String($0)) } ?? .null),
                                    ("code", .string(f.code)), ("message", .string(f.message))]))
            })),
        ])
        return JSONValue.object(o).encoded()
    }

    /// One line for a log: `prove 3/8: 125 accounts, 120 written, 2 kept, 3 short, 0 failed`.
    public var summary: String {
        "\(stage.rawValue) \(shard): \(accounts) account\(accounts == 1 ? "" : "s"), \(written) written, \(kept) kept from an earlier run"
            + (stage == .prove ? ", \(short.count) short" : "") + ", \(failed.count) failed"
    }
}

/// How far a shard's run is, for progress lines.
public struct BatchProgress: Sendable {
    public let stage: ShardReport.Stage
    public let shard: ShardSpec
    public let done: Int
    public let total: Int
    public let startedAt: Date
}
