import ArgumentParser
import Foundation
import Solvency
import ZKGroup

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

    @Option(help: ArgumentHelp("The bundle file to write.", valueName: "BUNDLE.json"))
    var out: String

    @Option(help: ArgumentHelp("The curve proofs use: p256 (default, faster) or secp256k1.", valueName: "curve"),
            transform: { name in
                guard let c = Curve(name: name) else { throw ValidationError("unknown curve '\(name)' (expected p256 or secp256k1)") }
                return c
            })
    var curve: Curve = .p256

    @Option(help: ArgumentHelp("End of the validity window, an RFC 3339 time such as 2030-01-01T00:00:00Z (default: 24 hours from now).", valueName: "TIME"),
            transform: SolvencyCLI.parseTime)
    var validUntil: Date?

    @Option(help: ArgumentHelp("The epoch bound into every proof: an integer (42), a date (2025-11-25) or an RFC 3339 time (default: the issue time).", valueName: "epoch"))
    var epoch: String?

    @Option(help: ArgumentHelp("Use this circuit file instead of the one the values name.", valueName: "PATH.zkm"))
    var circuit: String?

    func validate() throws {
        if let validUntil, validUntil <= Date() { throw ValidationError("--valid-until is in the past") }
    }

    func run() throws {
        try SolvencyCLI.run { () throws(SolvencyError) in
            let bundle = try Workflow.publish(valuesPath: values, keyPath: key, out: out, curve: curve, circuitPath: circuit,
                                              epoch: epoch, validUntil: validUntil)
            let compiled = try bundle.compiled()
            SolvencyCLI.say("signed \(out): circuit \(bundle.circuitName) for \(bundle.values.venue) (\(compiled.inputs.count) committed inputs, \(compiled.constraints.filter(\.isRequirement).count) requirement\(compiled.constraints.filter(\.isRequirement).count == 1 ? "" : "s"))")
            SolvencyCLI.say("curve \(bundle.curve), epoch \(bundle.epoch), valid \(RFC3339.format(bundle.issuedAt)) to \(RFC3339.format(bundle.validUntil))")
            SolvencyCLI.say("bundle digest \(bundle.digestHex)")
            SolvencyCLI.say("publisher key id \(bundle.publisherKeyID)")
        }
    }
}
