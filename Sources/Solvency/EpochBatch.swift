public import Foundation
public import ZKGroup
import MarginCircuits
import StrictJSON
import ZKProofs

/// Attesting and proving every account of one shard of an epoch directory
/// (`EpochDirectory`), so that an array job's tasks together do a whole
/// epoch, each task alone, on any machine.
///
/// Nothing lost, nothing done twice:
/// - every file is written to a temporary file and renamed (`FileIO`), so
///   a killed task leaves whole files or none, never half of one;
/// - a rerun (a requeued or restarted task) keeps what an earlier run
///   finished and checks before keeping it: a statement whose openings open
///   it, a proof that verifies against the same bundle and the account's
///   current statement; anything else is done again;
/// - one live copy per shard and stage (`ShardLock`), and one split per
///   stage: the first task records the shard count in `DIR/locks/<stage>.count`
///   and a task with another count is refused, since two splits would give
///   one account to two tasks;
/// - a short account is recorded in the shard's report and is not a
///   failure; an account that cannot be attested or proven is.
public enum EpochBatch {
    /// How an attesting task authenticates its statements.
    public enum StatementAuthority: Sendable {
        /// Sign each statement with the custodian's key.
        case sign(SigningKey)
        /// Hold only the custodian's public key: write each statement
        /// unsealed, for the custodian's seal run (`zkmargin seal`) to
        /// authenticate all at once (SPEC §16.18).
        case unsealed(VerifyingKey)

        /// The custodian key the statements name.
        var custodian: VerifyingKey {
            switch self {
            case .sign(let key): key.verifyingKey
            case .unsealed(let key): key
            }
        }
    }

    // MARK: Attest

    /// Attests every account of `shard` in the accounts file: a statement
    /// (public) and seeded openings (openings@3, secret) per account. The
    /// whole file is read first to refuse a duplicate label before anything
    /// is written.
    public static func attest(
        bundle: RiskBundle, accounts: AccountsFile, directory: EpochDirectory, shard: ShardSpec,
        authority: StatementAuthority, publisherKey: VerifyingKey? = nil, at date: Date = Date(),
        progress: (BatchProgress) -> Void = { _ in }
    ) throws(SolvencyError) -> ShardReport {
        if let publisherKey { try bundle.checkPublisher(publisherKey) }
        try bundle.checkValidity(at: date)
        let compiled = try bundle.compiled()
        let index = try accounts.index()
        let total = index.keys.filter(shard.contains).count
        try directory.create([.statements, .openings, .reports, .locks])
        try recordSplit(directory, stage: .attest, shard: shard)
        let lock = try ShardLock(directory: directory, stage: ShardReport.Stage.attest.rawValue, shard: shard)
        defer { lock.release() }
        var report = ShardReport(stage: .attest, shard: shard, bundle: bundle, startedAt: date)
        report.accounts = total
        let generators = Generators.standard(bundle.curve)
        var done = 0
        progress(BatchProgress(stage: .attest, shard: shard, done: 0, total: total, startedAt: date))
        try accounts.forEachAccount(in: shard) { (line) throws(SolvencyError) in
            defer {
                done += 1
                progress(BatchProgress(stage: .attest, shard: shard, done: done, total: total, startedAt: date))
            }
            let statementPath = directory.file(.statements, key: line.key)
            let openingsPath = directory.file(.openings, key: line.key)
            do throws(SolvencyError) {
                let account = try line.account.get()
                if existingAttestation(statementPath, openingsPath, bundle: bundle, compiled: compiled, label: line.label,
                                       custodian: authority.custodian, generators: generators) {
                    report.kept += 1
                    return
                }
                let (statement, openings): (AttestedStatement, Openings)
                switch authority {
                case .sign(let key):
                    (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: key, at: date, seeded: true)
                case .unsealed(let custodian):
                    (statement, openings) = try Custodian.attestUnsealed(bundle: bundle, account: account, custodian: custodian, at: date, seeded: true)
                }
                var secret = openings.encoded()
                defer { secureZero(&secret) }
                // Openings first: a task killed between the two renames
                // leaves new openings beside the old statement (or none),
                // which the next run finds do not open it, and redoes.
                try FileIO.write([
                    FileIO.Output(path: openingsPath, bytes: secret, mode: FileIO.secretMode),
                    FileIO.Output(path: statementPath, bytes: statement.encoded(), mode: FileIO.publicMode),
                ])
                report.written += 1
            } catch {
                report.failed.append(.init(account: line.label, key: line.key, line: line.number, code: error.code, message: ShardReport.publicMessage(error)))
            }
        }
        report.finishedAt = Date()
        try writeReport(report, directory)
        return report
    }

    /// Whether the account's statement and openings exist, belong to this
    /// bundle, label and custodian, and the openings open every commitment.
    static func existingAttestation(_ statementPath: String, _ openingsPath: String, bundle: RiskBundle, compiled: CompiledStatement,
                                    label: String, custodian: VerifyingKey, generators: Generators) -> Bool {
        guard FileIO.exists(statementPath), FileIO.exists(openingsPath) else { return false }
        do {
            // Unsealed or sealed since: either way its digest is what the
            // openings name.
            let statement = try AttestedStatement.load(path: statementPath, allowingUnsealed: true)
            guard sameBytes(statement.account, label), statement.custodian == custodian else { return false }
            try statement.check(against: bundle, compiled: compiled)
            let openings = try Openings.load(path: openingsPath)
            try openings.check(against: statement.named(by: compiled), generators: generators)
            return true
        } catch {
            return false
        }
    }

    // MARK: Prove

    /// Proves every account of `shard` that has a statement in the
    /// directory, from its openings. A proof already there is kept if it
    /// verifies against this bundle and the account's current statement;
    /// otherwise it is removed before proving again, so that a short
    /// account never keeps a proof of an earlier statement.
    ///
    /// `custodianKey`: the key every statement must be signed by (nil: each
    /// statement's own signer, which the verifier checks later).
    public static func prove(
        bundle: RiskBundle, directory: EpochDirectory, shard: ShardSpec, publisherKey: VerifyingKey? = nil,
        custodianKey: VerifyingKey? = nil, at date: Date = Date(), progress: (BatchProgress) -> Void = { _ in }
    ) throws(SolvencyError) -> ShardReport {
        if let publisherKey { try bundle.checkPublisher(publisherKey) }
        try bundle.checkValidity(at: date)
        _ = try bundle.compiled()
        let keys = try directory.keys(in: .statements).filter(shard.contains)
        try directory.create([.proofs, .reports, .locks])
        try recordSplit(directory, stage: .prove, shard: shard)
        let lock = try ShardLock(directory: directory, stage: ShardReport.Stage.prove.rawValue, shard: shard)
        defer { lock.release() }
        var report = ShardReport(stage: .prove, shard: shard, bundle: bundle, startedAt: date)
        report.accounts = keys.count
        progress(BatchProgress(stage: .prove, shard: shard, done: 0, total: keys.count, startedAt: date))
        for (i, key) in keys.enumerated() {
            defer { progress(BatchProgress(stage: .prove, shard: shard, done: i + 1, total: keys.count, startedAt: date)) }
            let proofPath = directory.file(.proofs, key: key)
            var label: String? = nil
            do throws(SolvencyError) {
                let statement = try AttestedStatement.load(path: directory.file(.statements, key: key))
                label = statement.account
                guard AccountKey(label: statement.account) == key else {
                    throw .statementMismatch("the statement in \(key.hex).json is for account \(jsonQuoted(statement.account)), whose file name is \(AccountKey(label: statement.account).hex).json")
                }
                // The wrong --custodian-key is the operator's mistake, not a
                // stale proof: refuse before anything already made is touched.
                if let custodianKey { try statement.envelope.requireSigner(custodianKey, role: "custodian") }
                let signer = custodianKey ?? statement.custodian
                if FileIO.exists(proofPath) {
                    if existingProofHolds(proofPath, bundle: bundle, statement: statement, custodian: signer, at: date) {
                        report.kept += 1
                        continue
                    }
                    try removeStale(proofPath)
                }
                let openings = try Openings.load(path: directory.file(.openings, key: key))
                let proof = try Prover.prove(bundle: bundle, statement: statement, openings: openings, custodianKey: signer, at: date)
                try FileIO.write(proof.encoded(), to: proofPath, mode: FileIO.publicMode)
                report.written += 1
            } catch {
                if case .marginShortfall(let s) = error {
                    report.short.append(.init(account: label ?? "", key: key, requirement: s.requirement))
                } else {
                    report.failed.append(.init(account: label, key: key, line: nil, code: error.code, message: ShardReport.publicMessage(error)))
                }
            }
        }
        report.finishedAt = Date()
        try writeReport(report, directory)
        return report
    }

    /// Whether the proof file verifies against this bundle with `statement`
    /// as its statement (same digest) and `custodian` as its signer.
    static func existingProofHolds(_ path: String, bundle: RiskBundle, statement: AttestedStatement, custodian: VerifyingKey, at date: Date) -> Bool {
        guard let bytes = try? FileIO.read(path), let proof = try? MarginProof(encoded: bytes),
              case .attested(let embedded) = proof.inputs, embedded.digest == statement.digest else { return false }
        let policy = VerificationPolicy(publisherKey: bundle.signer, custodianKey: custodian, at: date)
        guard let report = try? Verifier.verify(bundle: bundle, proofs: [(name: path, bytes: bytes)], policy: policy) else { return false }
        return report.allValid
    }

    static func removeStale(_ path: String) throws(SolvencyError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw .io(path: path, message: "cannot remove a proof of an earlier statement: \(String(cString: strerror(errno)))")
        }
    }

    // MARK: Shared

    /// Records the stage's shard count on first use, and refuses another.
    static func recordSplit(_ directory: EpochDirectory, stage: ShardReport.Stage, shard: ShardSpec) throws(SolvencyError) {
        let path = "\(directory.directory(.locks))/\(stage.rawValue).count"
        let text = Array("\(shard.count)\n".utf8)
        do {
            try FileIO.write([FileIO.Output(path: path, bytes: text, mode: FileIO.publicMode, replace: false)])
        } catch {
            guard case .alreadyExists = error else { throw error }
            let found = try FileIO.read(path)
            guard found == text else {
                let other = String(decoding: found, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw .invalidArgument("this epoch's \(stage.rawValue) stage is split into \(other) shards (\(path)); a task with --shard …/\(shard.count) would share accounts with them. Use the same count, or a new directory")
            }
        }
    }

    static func writeReport(_ report: ShardReport, _ directory: EpochDirectory) throws(SolvencyError) {
        try FileIO.write(report.encoded(), to: "\(directory.directory(.reports))/\(report.fileName)", mode: FileIO.publicMode)
    }
}
