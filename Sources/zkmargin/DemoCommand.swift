import ArgumentParser
import Foundation
import Solvency
import ZKMarginCLI

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run publish → attest → prove → verify on built-in example data.",
        discussion: """
        Uses the cross-margin circuit and example values and accounts built into the \
        program; keys and files go to a temporary folder that is removed at the end, so \
        it needs no file from the working directory. Prints what each role did, the \
        proof's size and the timings (build with -c release for meaningful timings). \
        Exit status 1 if the account given with --values does not meet its margin.

        Examples:
          swift run -c release zkmargin demo
          swift run -c release zkmargin demo --curve secp256k1
          swift run -c release zkmargin demo --instruments 100   # a synthetic book
          swift run -c release zkmargin demo \\
              --values Vectors/examples/tiered-margin/values.json \\
              --account Vectors/examples/tiered-margin/solvent.json --runs 5
        """
    )

    @OptionGroup var curve: CurveOption

    @Option(help: "Use a synthetic cross-margin book with this many perpetuals instead of the example.")
    var instruments: Int?

    @Option(help: ArgumentHelp("Run another example: its risk values (with --account; the circuit is found as for publish).", valueName: "VALUES.json"))
    var values: String?

    @Option(help: ArgumentHelp("The account for --values.", valueName: "ACCOUNT.json"))
    var account: String?

    @Option(help: "Prove and verify this many times and report the fastest (timings without generator set-up).")
    var runs = 1

    func validate() throws {
        if let n = instruments, !(1...10_000).contains(n) { throw ValidationError("--instruments takes 1 to 10000") }
        if (values == nil) != (account == nil) { throw ValidationError("--values and --account go together") }
        if values != nil && instruments != nil { throw ValidationError("--instruments and --values are alternatives") }
        if !(1...100).contains(runs) { throw ValidationError("--runs takes 1 to 100") }
    }

    func run() throws {
        var example: Demo.Example? = nil
        if let values, let account {
            let loaded = try Workflow.loadValues(path: values)
            example = Demo.Example(circuitName: loaded.circuit.name, circuitSource: loaded.circuit.source, values: loaded.bytes,
                                   account: try FileIO.read(account))
        }
        let result = try Demo.run(curve: curve.value, instruments: instruments, example: example, runs: runs) { Terminal.say($0) }
        print("")
        func msText(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
        print("Summary: \(result.curve), \(result.instruments) instrument(s), \(result.committedInputs) committed inputs: "
            + "proof \(result.proofFileBytes) bytes (\(result.rangeProofBytes) bytes of range proofs in \(result.rangeProofCount)), "
            + "publish \(msText(result.publishSeconds)), attest \(msText(result.attestSeconds)), "
            + "prove \(msText(result.proveSeconds)), verify \(msText(result.verifySeconds))")
        if !result.valid { throw SolvencyError.proofInvalid("the demo's proof did not verify") }
    }
}
