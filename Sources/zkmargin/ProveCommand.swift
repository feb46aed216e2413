import ArgumentParser
import Foundation
import MarginCircuits
import Solvency
import ZKMarginCLI

struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Prove that an account meets every requirement of a bundle, without revealing it.",
        discussion: """
        From a custodian's statement and its openings (the usual way), or, with \
        --self-attested, from the account file itself (the prover commits its own inputs; \
        verifiers accept such proofs only when asked to, and report them as UNATTESTED).

        If the account does not meet every requirement, nothing is written: the command \
        prints the binding requirement and the shortfall and exits 1. The proof reveals \
        neither balances nor positions nor the margin excess; it names the account label, \
        the bundle and the epoch.

        By default the proof hides which instruments the account holds among every \
        element of the sets that index positions; it costs range constraints for all of \
        them. --hide-among ID (repeatable) or --hide-among-file FILE (one id per line, \
        '#' comments) chooses a smaller anonymity set: every other element is shown, and \
        disclosed to the verifier, to be held at zero, and drops out of the proof. The \
        set must contain every instrument the account holds.

        --challenge NONCE and --for NAME bind the proof to one request: a verifier that \
        printed NONCE (zkmargin-verify --challenge) and checks --expect-challenge NONCE \
        refuses a proof made for another request, and one checking --for NAME refuses a \
        proof made for anyone else. Without them a proof is a bearer document for as long \
        as its bundle is valid.

        --require COVENANT (repeatable) also proves a counterparty's covenant beside the \
        circuit's requirements, for every requirement or one named: 'excess >= 250000', \
        'equity >= 1.5 * requirement', 'maintenance: equity >= 2 * requirement - 1000'. \
        The proof lists it and reveals only that it holds (SPEC.md §16.16).

        A whole epoch (--batch DIR, after zkmargin attest --accounts): proves every \
        account with a statement in DIR/statements/ from its openings, into \
        DIR/proofs/<L>.json. --shard INDEX/COUNT or --shard auto proves one part. A \
        rerun keeps a proof that verifies against the bundle and the account's current \
        statement and redoes anything else; a second live copy of one shard is refused. \
        A short account gets no proof and is listed (by requirement, never by amount) in \
        DIR/reports/prove-<i>-of-<n>.json; the task still exits 0. It exits 2 only if an \
        account could not be proven.

        Examples:
          zkmargin prove --bundle bundle.json --statement statement.json \\
              --openings openings.json --out proof.json
          zkmargin prove --bundle bundle.json --statement statement.json \\
              --openings openings.json --require 'excess >= 250000' --out proof.json
          zkmargin prove --bundle bundle.json \\
              --account Vectors/examples/cross-margin/solvent.json \\
              --self-attested --out proof.json
          zkmargin prove --bundle bundle.json --statement statement.json \\
              --openings openings.json --hide-among BTC-PERP --hide-among ETH-PERP \\
              --hide-among SOL-PERP --out proof.json
          zkmargin prove --bundle bundle.json --statement statement.json \\
              --openings openings.json --challenge "$nonce" --for "Acme Lending" \\
              --out proof.json
          zkmargin prove --bundle bundle.json --batch epoch/ --shard 3/8
          zkmargin prove --bundle bundle.json --batch epoch/ \\
              --shard auto --shard-count 8
        """
    )

    @OptionGroup var bundle: BundleOption

    @Option(help: ArgumentHelp("The custodian's signed statement.", valueName: "STATEMENT.json"))
    var statement: String?

    @Option(help: ArgumentHelp("The openings the custodian handed over (secret).", valueName: "OPENINGS.json"))
    var openings: String?

    @Option(help: ArgumentHelp("The account file (with --self-attested).", valueName: "ACCOUNT.json"))
    var account: String?

    @Flag(help: "Commit the account's inputs yourself instead of using a custodian statement.")
    var selfAttested = false

    @OptionGroup var hide: HideAmongOption

    @Option(help: ArgumentHelp("Answer a verifier's challenge: the nonce `zkmargin-verify --challenge` printed. Bound into the proof, so it cannot be replayed to a verifier who asks another.", valueName: "NONCE"))
    var challenge: String?

    @Option(name: .customLong("require"), help: ArgumentHelp("Also prove a covenant a counterparty asks for, for every requirement or one named: 'excess >= 250000', 'equity >= 1.5 * requirement', 'maintenance: equity >= 2 * requirement + 1000' (repeatable). The proof reveals only that it holds.", valueName: "COVENANT"))
    var covenants: [String] = []

    @Option(name: .customLong("for"), help: ArgumentHelp("Make the proof for one audience (the verifier's name): bound into the proof; a verifier with --for checks it.", valueName: "NAME"))
    var audience: String?

    @OptionGroup var out: OptionalOutOption

    @OptionGroup var publisherKey: OptionalPublisherKeyOption

    @OptionGroup var custodianKey: OptionalCustodianKeyOption

    @Option(help: ArgumentHelp("Prove every account of an epoch directory (from zkmargin attest --accounts).", valueName: "DIR"))
    var batch: String?

    @OptionGroup var shard: ShardOption

    func validate() throws {
        if batch != nil {
            guard statement == nil, openings == nil, account == nil, !selfAttested, out.path == nil else {
                throw ValidationError("--batch proves a whole epoch directory; --statement, --openings, --account, --self-attested and --out are for one proof")
            }
            guard hide.isDefault, challenge == nil, audience == nil, covenants.isEmpty else {
                throw ValidationError("--batch makes the epoch's standing proofs: --hide-among, --challenge, --for and --require are for one proof made for one request")
            }
            return
        }
        guard shard.shard == nil, shard.count == nil else { throw ValidationError("--shard and --shard-count go with --batch") }
        guard out.path != nil else { throw ValidationError("give --out PROOF.json (or --batch DIR for an epoch)") }
        if selfAttested {
            guard account != nil else { throw ValidationError("--self-attested needs --account ACCOUNT.json") }
            guard statement == nil, openings == nil, custodianKey.path == nil else {
                throw ValidationError("--self-attested takes --account, not --statement, --openings or --custodian-key")
            }
        } else {
            if account != nil { throw ValidationError("--account is for self-attested proofs: add --self-attested, or use --statement and --openings") }
            guard statement != nil, openings != nil else {
                throw ValidationError("give --statement and --openings (from zkmargin attest), or --account with --self-attested")
            }
        }
    }

    func run() throws {
        if let batch {
            try proveEpoch(directory: batch)
            return
        }
        // validate() has checked which of account, statement and openings are given.
        let proof: MarginProof
        let set = try hide.anonymitySet()
        let binding = ProofBinding(challenge: challenge, audience: audience)
        let required = try covenants.map { text throws in
            do { return try Covenant(parsing: text) } catch { throw ValidationError("--require: \(error)") }
        }
        if selfAttested {
            proof = try Workflow.proveSelfAttested(bundlePath: bundle.path, accountPath: account!, out: out.path!, publisherKeyPath: publisherKey.path,
                                                   hidingAmong: set, binding: binding, covenants: required)
        } else {
            proof = try Workflow.prove(bundlePath: bundle.path, statementPath: statement!, openingsPath: openings!, out: out.path!,
                                       publisherKeyPath: publisherKey.path, custodianKeyPath: custodianKey.path, hidingAmong: set,
                                       binding: binding, covenants: required)
        }
        let size = (try? FileIO.read(out.path!).count) ?? 0
        Terminal.say("wrote \(out.path!): account \"\(proof.account)\" meets \(proof.claims.joined(separator: ", ")) (\(proof.circuitName), epoch \(proof.epoch))\(proof.mode == .selfAttested ? ", SELF-ATTESTED" : "")")
        for c in proof.covenants { Terminal.say("also proves \(c.text)") }
        if let c = proof.binding.challenge { Terminal.say("answers challenge \(c)") }
        if let a = proof.binding.audience { Terminal.say("made for \"\(a)\" only") }
        if !proof.excluded.isEmpty {
            Terminal.say("hides among the anonymity set; discloses \(proof.excluded.count) element\(proof.excluded.count == 1 ? "" : "s") as not held")
        }
        Terminal.say("\(size) bytes; \(proof.rangeProofs.count) range proof\(proof.rangeProofs.count == 1 ? "" : "s"), \(proof.rangeProofByteCount) bytes of Bulletproofs+")
    }

    private func proveEpoch(directory: String) throws {
        let (spec, source) = try shard.resolve()
        let bundle = try RiskBundle.load(path: self.bundle.path)
        let publisher = try publisherKey.path.map { path throws(SolvencyError) in try Workflow.loadVerifyingKey(path: path) }
        let custodian = try custodianKey.path.map { path throws(SolvencyError) in try Workflow.loadVerifyingKey(path: path) }
        let progress = ProgressReporter()
        Terminal.say("prove shard \(spec) (\(source)) in \(directory)")
        let report = try EpochBatch.prove(bundle: bundle, directory: EpochDirectory(path: directory), shard: spec, publisherKey: publisher,
                                          custodianKey: custodian, progress: progress.update)
        progress.finish()
        try finishShard(report, directory: directory)
    }
}
