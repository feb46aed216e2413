import ArgumentParser
import Foundation
import Solvency
import StrictJSON
import ZKGroup
import ZKMarginCLI

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "As custodian, sign the epoch index: one statement and one proof per account.",
        discussion: """
        Verifies every DIR/proofs/<L>.json against the bundle (its statement must be signed \
        by the public part of --key, and its file named by the SHA-256 of its account \
        label), then signs the root of a Merkle tree (RFC 9162, SHA-256) over one leaf per \
        account, (label digest, statement digest, proof file digest), sorted, no account \
        twice: --out, zkmargin/epoch-index@1, names the bundle, the epoch, the count and \
        the root, never the labels (a client list is private). Each account gets its \
        inclusion proof, DIR/inclusion/<L>.json; counterparties check them with \
        zkmargin-verify --index. Publish the index where every counterparty sees the same \
        one: it stops a holder from showing one counterparty a proof from one statement \
        and another a proof from another (SPEC.md §16.19).

        If any proof is invalid, nothing is signed: each is named on standard error and \
        the command exits 1. --skip-invalid leaves them out (still named) and signs the \
        rest. Progress goes to standard error (a line per 30 seconds when it is not a \
        terminal).

        Examples:
          zkmargin index --bundle bundle.json --dir epoch --key custodian.pem \\
              --out epoch/index.json
          zkmargin index --bundle bundle.json --dir epoch --key custodian.pem \\
              --publisher-key publisher.pub.pem --skip-invalid --out index.json
        """
    )

    @OptionGroup var bundle: BundleOption

    @Option(help: ArgumentHelp("The epoch directory (its proofs/ are indexed; inclusion/ is written).", valueName: "DIR"))
    var dir: String

    @Option(help: ArgumentHelp("The custodian's private key (from zkmargin keygen): the statements must be signed by it.", valueName: "CUSTODIAN.pem"))
    var key: String

    @Option(help: ArgumentHelp("The index to write.", valueName: "INDEX.json"))
    var out: String

    @OptionGroup var publisherKey: OptionalPublisherKeyOption

    @OptionGroup var at: AtOption

    @Flag(help: "Leave invalid proofs out of the index (each is still named) instead of signing nothing.")
    var skipInvalid = false

    func run() throws {
        let loadedBundle = try RiskBundle.load(path: bundle.path)
        let publisher = try publisherKey.path.map { path throws(SolvencyError) in try Workflow.loadVerifyingKey(path: path) }
        let signingKey = try Workflow.loadSigningKey(path: key)
        let progress = ProgressReporter()
        let started = Date()
        let outcome = try EpochIndexBuilder.build(bundle: loadedBundle, directory: EpochDirectory(path: dir), key: signingKey, out: out,
                                                  publisherKey: publisher, at: at.date, skipInvalid: skipInvalid) { done, total in
            progress.update("index", done: done, total: total, startedAt: started)
        }
        progress.finish()
        for (file, error) in outcome.invalid {
            FileHandle.standardError.write(Data((displaySafe("zkmargin index: INVALID \(file): \(error)") + "\n").utf8))
        }
        guard let index = outcome.index else {
            let n = outcome.invalid.count
            Terminal.printError(skipInvalid ? "every proof is invalid (\(n), named above): nothing to index"
                                : "\(n) invalid proof\(n == 1 ? "" : "s") (named above): nothing signed; remove or remake \(n == 1 ? "it" : "them"), or give --skip-invalid to index the rest",
                                command: "zkmargin index")
            throw ExitStatus.invalid
        }
        Terminal.say("signed \(out): epoch index of \(outcome.included) account\(outcome.included == 1 ? "" : "s") for bundle \(String(index.bundleDigest.hexString.prefix(16))) (epoch \(index.epoch)), root \(String(index.root.hexString.prefix(16)))…, custodian key id \(index.custodianKeyID)")
        Terminal.say("wrote \(outcome.included) inclusion proof\(outcome.included == 1 ? "" : "s") in \(EpochDirectory(path: dir).directory(.inclusion))")
        if !outcome.invalid.isEmpty {
            Terminal.say("left out \(outcome.invalid.count) invalid proof\(outcome.invalid.count == 1 ? "" : "s") (named on standard error)")
        }
    }
}
