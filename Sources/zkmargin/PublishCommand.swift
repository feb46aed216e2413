import ArgumentParser
import MarginCircuits
import Foundation
import Solvency
import ZKMarginCLI

struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Sign a risk bundle: a circuit, its risk values, a curve and a validity window.",
        discussion: """
        The circuit is the one the values name: "circuit": "cross-margin" is read from \
        Circuits/cross-margin.zkm (in the working directory or above the values file); a \
        path ending in .zkm also works, and --circuit overrides both. The circuit's full \
        source is embedded in the bundle, so provers and verifiers need nothing else. \
        The circuit must compile against the values, or nothing is signed.

        The bundle is valid from now (issued-at) until --valid-until (default: 24 hours \
        later); verifiers reject it outside that window. The epoch (default: the issue \
        time) is bound into every proof made against the bundle.

        Examples:
          zkmargin publish --values Vectors/examples/cross-margin/values.json \\
              --key publisher.pem --out bundle.json
          zkmargin publish --values values.json --key publisher.pem --out bundle.json \\
              --curve secp256k1 --valid-until 2025-12-31T00:00:00Z --epoch 2025-12-30
        """
    )

    @Option(help: ArgumentHelp("The publisher's risk values (zkmargin/values@1).", valueName: "VALUES.json"))
    var values: String

    @Option(help: ArgumentHelp("The publisher's private key (from zkmargin keygen).", valueName: "PUBLISHER.pem"))
    var key: String

    @OptionGroup var out: OutOption

    @OptionGroup var curve: CurveOption

    @Option(help: ArgumentHelp("End of the validity window, an RFC 3339 time such as 2030-01-01T00:00:00Z (default: 24 hours from now).", valueName: "TIME"),
            transform: ArgumentTransforms.time)
    var validUntil: Date?

    @Option(help: ArgumentHelp("The epoch bound into every proof: an integer (42), a date (2025-11-25) or an RFC 3339 time (default: the issue time).", valueName: "epoch"),
            transform: ArgumentTransforms.epoch)
    var epoch: String?

    @Option(help: ArgumentHelp("Use this circuit file instead of the one the values name.", valueName: "PATH.zkm"))
    var circuit: String?

    func validate() throws {
        if let validUntil, validUntil <= Date() { throw ValidationError("--valid-until is in the past") }
    }

    func run() throws {
        let bundle = try Workflow.publish(valuesPath: values, keyPath: key, out: out.path, curve: curve.value, circuitPath: circuit,
                                          epoch: epoch, validUntil: validUntil)
        let compiled = try bundle.compiled()
        let requirements = compiled.constraints.filter(\.isRequirement).count
        Terminal.say("signed \(out.path): circuit \(bundle.circuitName) for \(bundle.values.venue) (\(compiled.inputs.count) committed inputs, \(requirements) requirement\(requirements == 1 ? "" : "s"))")
        Terminal.say("curve \(bundle.curve), epoch \(bundle.epoch), valid \(RFC3339.format(bundle.issuedAt)) to \(RFC3339.format(bundle.validUntil))")
        Terminal.say("bundle digest \(bundle.digestHex)")
        Terminal.say("publisher key id \(bundle.publisherKeyID)")
    }
}
