import ArgumentParser
import Solvency
import StrictJSON
import ZKMarginCLI

struct AttestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract: "As custodian, commit to an account's balances and positions and sign the commitments.",
        discussion: """
        Commits to every input the bundle's circuit declares (every asset and instrument \
        in the bundle, zeros included, so the statement does not reveal what the account \
        holds), signs the commitments with the custodian's key (--out, the statement, \
        public), and writes the values and blinding factors (--openings, mode 0600) for \
        the account holder, who needs them to prove. Values outside the circuit's declared \
        bounds, unknown assets or instruments and negative balances are refused. Both \
        files are written, or neither; an existing openings file is never overwritten \
        unless --force is given.

        A whole epoch (--accounts): every account of an accounts file (JSON Lines, one \
        account file's object per line) into an epoch directory: DIR/statements/<L>.json \
        and DIR/openings/<L>.json, <L> the hex SHA-256 of the account's label. The \
        openings are seeded (openings@3: a per-account secret seed and the values) and \
        DIR/openings/ is mode 0700: it never leaves the custodian. A label that appears \
        twice is refused before anything is written. --shard INDEX/COUNT or --shard auto \
        (a Slurm array task or a Kubernetes Indexed Job) attests one part; a rerun keeps \
        what an earlier run finished; DIR/reports/attest-<i>-of-<n>.json says what was \
        done. Exit 0 unless an account could not be attested. With --custodian-key \
        (the public key) instead of --key, a worker never holds the private key: the \
        statements are written unsealed, and zkmargin seal, on the key's machine, \
        authenticates the whole epoch with one signature before anything is proven.

        Examples:
          zkmargin attest --bundle bundle.json \\
              --account Vectors/examples/cross-margin/solvent.json \\
              --key custodian.pem --out statement.json --openings openings.json
          zkmargin attest --bundle bundle.json --account account.json \\
              --key custodian.pem --out statement.json --openings openings.json \\
              --publisher-key publisher.pub.pem
          zkmargin attest --bundle bundle.json --accounts accounts.jsonl \\
              --key custodian.pem --out-dir epoch/ --shard auto
          zkmargin attest --bundle bundle.json --accounts accounts.jsonl \\
              --custodian-key custodian.pub.pem --out-dir epoch/ --shard 3/8
        """
    )

    @OptionGroup var bundle: BundleOption

    @Option(help: ArgumentHelp("The account's balances and positions.", valueName: "ACCOUNT.json"))
    var account: String?

    @Option(help: ArgumentHelp("A whole epoch's accounts: one account object per line (JSON Lines).", valueName: "ACCOUNTS.jsonl"))
    var accounts: String?

    @Option(help: ArgumentHelp("The custodian's private key (from zkmargin keygen).", valueName: "CUSTODIAN.pem"))
    var key: String?

    @Option(name: .customLong("custodian-key"), help: ArgumentHelp("With --accounts, instead of --key: the custodian's public key only; the statements are written unsealed, for zkmargin seal to authenticate on the key's machine.", valueName: "CUSTODIAN.pub.pem"))
    var custodianKey: String?

    @Option(name: .customLong("out"), help: ArgumentHelp("The statement to write (with --account).", valueName: "STATEMENT.json"))
    var out: String?

    @Option(help: ArgumentHelp("The openings to write (secret, mode 0600; with --account).", valueName: "OPENINGS.json"))
    var openings: String?

    @Option(name: .customLong("out-dir"), help: ArgumentHelp("The epoch directory to write (with --accounts).", valueName: "DIR"))
    var outDir: String?

    @OptionGroup var shard: ShardOption

    @OptionGroup var publisherKey: OptionalPublisherKeyOption

    @Flag(help: "Replace an existing openings file (with --account).")
    var force = false

    func validate() throws {
        if accounts != nil {
            guard account == nil, out == nil, openings == nil, !force else {
                throw ValidationError("--accounts attests a whole epoch into --out-dir; --account, --out, --openings and --force are for one account")
            }
            guard outDir != nil else { throw ValidationError("--accounts needs --out-dir DIR") }
            guard (key == nil) != (custodianKey == nil) else {
                throw ValidationError("give --key CUSTODIAN.pem (sign each statement) or --custodian-key CUSTODIAN.pub.pem (write them unsealed for zkmargin seal), not both")
            }
        } else {
            guard account != nil else { throw ValidationError("give --account ACCOUNT.json (one account) or --accounts ACCOUNTS.jsonl (an epoch)") }
            guard out != nil, openings != nil else { throw ValidationError("--account needs --out STATEMENT.json and --openings OPENINGS.json") }
            guard outDir == nil, shard.shard == nil, shard.count == nil, custodianKey == nil else {
                throw ValidationError("--out-dir, --shard, --shard-count and --custodian-key go with --accounts")
            }
            guard key != nil else { throw ValidationError("--account needs --key CUSTODIAN.pem") }
        }
    }

    func run() throws {
        // validate() has checked which options go together.
        if let accounts {
            try attestEpoch(accounts: accounts, directory: outDir!)
            return
        }
        let statement = try Workflow.attest(bundlePath: bundle.path, accountPath: account!, keyPath: key!, out: out!,
                                            openingsOut: openings!, publisherKeyPath: publisherKey.path, force: force)
        Terminal.say("signed \(out!): \(statement.inputs.count) commitments for account \"\(statement.account)\" (epoch \(statement.epoch), custodian key id \(statement.custodianKeyID))")
        Terminal.say("wrote \(openings!) (mode 0600): give it to the account holder only; it opens the commitments")
    }

    private func attestEpoch(accounts: String, directory: String) throws {
        let (spec, source) = try shard.resolve()
        let bundle = try RiskBundle.load(path: self.bundle.path)
        let publisher = try publisherKey.path.map { path throws(SolvencyError) in try Workflow.loadVerifyingKey(path: path) }
        let authority: EpochBatch.StatementAuthority = if let key {
            .sign(try Workflow.loadSigningKey(path: key))
        } else {
            .unsealed(try Workflow.loadVerifyingKey(path: custodianKey!))
        }
        let progress = ProgressReporter()
        Terminal.say("attest shard \(spec) (\(source)) into \(directory)")
        let report = try EpochBatch.attest(bundle: bundle, accounts: AccountsFile(path: accounts), directory: EpochDirectory(path: directory),
                                           shard: spec, authority: authority, publisherKey: publisher, progress: progress.update)
        progress.finish()
        try finishShard(report, directory: directory)
    }
}

/// Prints a shard's outcome and ends the task: 0 unless an account failed
/// (a short account is an outcome, not a failure).
func finishShard(_ report: ShardReport, directory: String) throws {
    Terminal.say(report.summary + "; report in \(EpochDirectory(path: directory).directory(.reports))/\(report.fileName)")
    for f in report.failed.prefix(10) {
        Terminal.printError("\(f.account.map { jsonQuoted($0) } ?? f.line.map { "line \($0)" } ?? "?"): \(f.message)", command: "zkmargin \(report.stage.rawValue)")
    }
    if report.failed.count > 10 { Terminal.printError("… and \(report.failed.count - 10) more in the report", command: "zkmargin \(report.stage.rawValue)") }
    if report.hasFailures { throw ExitStatus.unusable }
}
