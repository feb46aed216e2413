import ArgumentParser
import MarginCircuits
import Solvency
import ZKMarginCLI

/// `zkmargin check`: the plain margin report. Nothing leaves the machine and
/// nothing is committed or proven; it evaluates the same compiled circuit the
/// prover uses (`Workflow.check`), and prints `MarginReport.text` or `.json`.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Print an account's equity, requirement and excess for each requirement of a circuit.",
        discussion: """
            Give either the publisher's risk values (--values) or a signed bundle (--bundle). \
            With --values, the circuit is found as for publish: the values' "circuit" names \
            Circuits/NAME.zkm in the working directory or above the values file, a value \
            ending in .zkm is a path; --circuit overrides both. With --bundle, the circuit and \
            values are the ones the bundle carries; add --publisher-key to also check its \
            signature and validity window (at --at, default now). Exit status: 0 meets every \
            requirement, 1 does not, 2 unusable input, 64 usage error.

            Examples:
              zkmargin check --values Vectors/examples/cross-margin/values.json \\
                             --account Vectors/examples/cross-margin/solvent.json
              zkmargin check --bundle out/bundle.json --account ACCOUNT.json --json
            """
    )

    @Option(help: ArgumentHelp("The publisher's risk values (JSON), instead of --bundle.", valueName: "VALUES.json"))
    var values: String?

    @OptionGroup var bundle: OptionalBundleOption

    @OptionGroup var publisherKey: OptionalPublisherKeyOption

    @OptionGroup var at: AtOption

    @Option(help: ArgumentHelp("The account's balances and positions (JSON).", valueName: "ACCOUNT.json"))
    var account: String

    @Option(help: ArgumentHelp("With --values: use this circuit file instead of the one the values name.", valueName: "PATH.zkm"))
    var circuit: String?

    @Flag(help: "Print a machine-readable verdict.")
    var json = false

    func validate() throws {
        switch (values, bundle.path) {
        case (nil, nil): throw ValidationError("give the risk values (--values VALUES.json) or a signed bundle (--bundle BUNDLE.json)")
        case (.some, .some): throw ValidationError("--values and --bundle are alternatives: give one")
        default: break
        }
        if publisherKey.path != nil && bundle.path == nil { throw ValidationError("--publisher-key goes with --bundle") }
        if at.time != nil && publisherKey.path == nil { throw ValidationError("--at goes with --publisher-key (it is when the bundle must be valid)") }
        if circuit != nil && bundle.path != nil { throw ValidationError("--circuit goes with --values; a bundle carries its own circuit") }
    }

    func run() throws {
        let report: MarginReport
        if let bundlePath = bundle.path {
            report = try Workflow.check(bundlePath: bundlePath, publisherKeyPath: publisherKey.path, at: at.date, accountPath: account)
        } else {
            report = try Workflow.check(valuesPath: values!, circuitPath: circuit, accountPath: account)
        }
        print(json ? report.json : report.text, terminator: "")
        if !report.meets { throw ExitStatus.invalid }
    }
}
