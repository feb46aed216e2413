import ArgumentParser
import Solvency
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

        Examples:
          zkmargin attest --bundle bundle.json \\
              --account Vectors/examples/cross-margin/solvent.json \\
              --key custodian.pem --out statement.json --openings openings.json
          zkmargin attest --bundle bundle.json --account account.json \\
              --key custodian.pem --out statement.json --openings openings.json \\
              --publisher-key publisher.pub.pem
        """
    )

    @OptionGroup var bundle: BundleOption

    @Option(help: ArgumentHelp("The account's balances and positions.", valueName: "ACCOUNT.json"))
    var account: String

    @Option(help: ArgumentHelp("The custodian's private key (from zkmargin keygen).", valueName: "CUSTODIAN.pem"))
    var key: String

    @OptionGroup var out: OutOption

    @Option(help: ArgumentHelp("The openings to write (secret, mode 0600).", valueName: "OPENINGS.json"))
    var openings: String

    @OptionGroup var publisherKey: OptionalPublisherKeyOption

    @Flag(help: "Replace an existing openings file.")
    var force = false

    func run() throws {
        let statement = try Workflow.attest(bundlePath: bundle.path, accountPath: account, keyPath: key, out: out.path,
                                            openingsOut: openings, publisherKeyPath: publisherKey.path, force: force)
        Terminal.say("signed \(out.path): \(statement.inputs.count) commitments for account \"\(statement.account)\" (epoch \(statement.epoch), custodian key id \(statement.custodianKeyID))")
        Terminal.say("wrote \(openings) (mode 0600): give it to the account holder only; it opens the commitments")
    }
}
