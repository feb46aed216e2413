import ArgumentParser
import Foundation
import Solvency
import ZKMarginCLI

struct SealCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seal",
        abstract: "As custodian, authenticate every statement of an epoch directory with one signature.",
        discussion: """
        Batch workers that attest with --custodian-key (the custodian's PUBLIC key) \
        write unsealed statements: nothing vouches for them, and no prover or verifier \
        accepts them yet. On the machine that holds the custodian's private key, seal \
        reads every DIR/statements/<L>.json (public files only: it never opens \
        DIR/openings), checks that each is for this bundle and its epoch, names this \
        key, is issued no later than now, and is named by the SHA-256 of its own \
        account label; builds a Merkle tree over (label digest, statement digest), one \
        leaf per account; signs its root, its size, the bundle and the epoch once; \
        writes that signed root to DIR/statement-root.json; and rewrites each \
        statement file with its seal (the signed root and the statement's inclusion \
        path). A statement that fails a check stops the run before anything is \
        signed or written.

        Sealing does not change a statement's digest, so the openings the workers wrote \
        and any proof already made keep naming the same statement. Statements already \
        signed or sealed are sealed again under the new root: run seal again after \
        adding statements to the epoch, or after an interrupted run. Do not run it \
        while workers still write statements (a file that changes during the run \
        stops it).

        What it buys: the private key never leaves the custodian's key machine. A \
        compromised worker can write statements only until this run, which signs the \
        count and root it saw (SECURITY.md, "Sealed statements"; SPEC.md §16.18).

        Examples:
          zkmargin attest --bundle bundle.json --accounts accounts.jsonl \\
              --custodian-key custodian.pub.pem --out-dir epoch --shard auto
          zkmargin seal --bundle bundle.json --dir epoch --key custodian.pem
          zkmargin seal --bundle bundle.json --dir epoch --key custodian.pem \\
              --publisher-key publisher.pub.pem
        """
    )

    @OptionGroup var bundle: BundleOption

    @Option(help: ArgumentHelp("The epoch directory (its statements/ are sealed).", valueName: "DIR"))
    var dir: String

    @Option(help: ArgumentHelp("The custodian's private key (from zkmargin keygen).", valueName: "CUSTODIAN.pem"))
    var key: String

    @OptionGroup var publisherKey: OptionalPublisherKeyOption

    func run() throws {
        let signingKey = try Workflow.loadSigningKey(path: key)
        let publisher = try publisherKey.path.map { path throws(SolvencyError) in try Workflow.loadVerifyingKey(path: path) }
        let bundle = try RiskBundle.load(path: self.bundle.path, publisher: publisher)
        let directory = EpochDirectory(path: dir)
        let progress = SealProgress()
        let summary = try StatementSealRun.run(directory, bundle: bundle, key: signingKey) { pass, done, total in
            progress.update(pass: pass, done: done, total: total)
        }
        progress.finish()
        let before = [(summary.unsealed, "unsealed"), (summary.signed, "signed one by one"), (summary.resealed, "resealed (they were sealed under an earlier root)")]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        Terminal.say("sealed \(summary.statements) statement\(summary.statements == 1 ? "" : "s") in \(directory.directory(.statements)) (\(before))")
        Terminal.say("wrote \(directory.path)/\(StatementSealRun.rootFileName): root \(summary.signedRoot.rootHex), bundle \(bundle.digestHex.prefix(16))…, epoch \(bundle.epoch), custodian key id \(summary.signedRoot.custodianKeyID)")
    }
}

/// One progress line on standard error for epochs of more than a few
/// hundred statements: redrawn in place on a terminal, else one line every
/// ten seconds (a batch log).
final class SealProgress {
    private let terminal = isatty(STDERR_FILENO) == 1
    private var last = Date.distantPast
    private var shown = false

    func update(pass: Int, done: Int, total: Int) {
        guard total >= 500 else { return }
        let now = Date()
        let interval: TimeInterval = terminal ? 0.2 : 10
        guard done == total || now.timeIntervalSince(last) >= interval else { return }
        last = now
        let line = "seal: \(pass == 1 ? "reading" : "writing") \(done)/\(total) statements"
        FileHandle.standardError.write(Data((terminal ? "\r\(line)\u{1B}[K" : line + "\n").utf8))
        shown = true
    }

    func finish() {
        if shown && terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
