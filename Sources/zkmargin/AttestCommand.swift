import ArgumentParser
import Foundation
import Solvency

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

    @Option(help: ArgumentHelp("The publisher's signed risk bundle.", valueName: "BUNDLE.json"))
    var bundle: String

    @Option(help: ArgumentHelp("The account's balances and positions.", valueName: "ACCOUNT.json"))
    var account: String

    @Option(help: ArgumentHelp("The custodian's private key (from zkmargin keygen).", valueName: "CUSTODIAN.pem"))
    var key: String

    @Option(help: ArgumentHelp("The signed statement to write (public).", valueName: "STATEMENT.json"))
    var out: String

    @Option(help: ArgumentHelp("The openings to write (secret, mode 0600).", valueName: "OPENINGS.json"))
    var openings: String

    @Option(help: ArgumentHelp("Check the bundle is signed by this publisher key first.", valueName: "PUBLISHER.pub.pem"))
    var publisherKey: String?

    @Flag(help: "Replace an existing openings file.")
    var force = false

    func run() throws {
        try SolvencyCLI.run { () throws(SolvencyError) in
            let statement = try Workflow.attest(bundlePath: bundle, accountPath: account, keyPath: key, out: out,
                                                openingsOut: openings, publisherKeyPath: publisherKey, force: force)
            SolvencyCLI.say("signed \(out): \(statement.inputs.count) commitments for account \"\(statement.account)\" (epoch \(statement.epoch), custodian key id \(statement.custodianKeyID))")
            SolvencyCLI.say("wrote \(openings) (mode 0600): give it to the account holder only; it opens the commitments")
        }
    }
}
