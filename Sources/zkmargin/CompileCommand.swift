import ArgumentParser
import Foundation
import MarginCircuits
import Solvency
import StrictJSON
import ZKMarginCLI

/// `zkmargin compile`: what a bundle's circuit compiles to, the way every
/// prover and verifier compiles it (SPEC.md §16.2–§16.4), as a listing or as
/// the canonical JSON of SPEC.md §16.3 with its SHA-256, so that an
/// independent implementation can compare its own compilation.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Print what a bundle's circuit compiles to: inputs, helpers, forms, widths and range-proof chunks.",
        discussion: """
        Every prover and verifier compiles the bundle's circuit against its risk values \
        (nothing of it is read from a proof): the committed inputs in order with their \
        integer bounds and scales, the helper commitments with their defining rule, each \
        range constraint as an integer affine form over inputs ++ helpers with the width \
        it is proven at, and how the constraints are cut into Bulletproofs+ range proofs \
        for custodian-attested and for self-attested proofs (which add both declared \
        bounds of every committed input). SPEC.md §16 defines each of these.

        Without --json: a readable listing and the digest. With --json: the canonical \
        compiled statement (format zkmargin/compiled@1, SPEC.md §16.3) as \
        {"sha256": …, "statement": …}, pretty-printed with the deterministic writer every \
        zkmargin file uses; sha256 is the SHA-256 of the statement's compact JSON. Two \
        implementations that compile alike print the same bytes, so comparing the digest \
        is enough (interop/python/verify.py --compile-json prints the same).

        --hide-among ID (repeatable) or --hide-among-file FILE compiles for that \
        anonymity set, as a verifier does for a proof whose "excluded" lists the other \
        position elements: their inputs fixed at zero, the analysis rerun. Without a \
        bundle, --values VALUES.json compiles risk values against the circuit they name \
        (found as for publish) or --circuit PATH.zkm. Nothing is signed or checked for \
        signatures. Exit status: 0 compiled, 2 the circuit or values are refused (the \
        error names the line or field), 64 usage error.

        Known answers: Vectors/compile/ (its README says how they were made).

        Examples:
          zkmargin compile --values Vectors/examples/cross-margin/values.json
          zkmargin compile --bundle out/bundle.json --json
          zkmargin compile --bundle out/bundle.json --hide-among BTC-PERP --json | sha256sum
          zkmargin compile --values my-values.json --circuit Circuits/threshold.zkm --json
        """
    )

    @OptionGroup var bundle: OptionalBundleOption

    @Option(help: ArgumentHelp("The publisher's risk values (JSON), instead of --bundle.", valueName: "VALUES.json"))
    var values: String?

    @Option(help: ArgumentHelp("With --values: use this circuit file instead of the one the values name.", valueName: "PATH.zkm"))
    var circuit: String?

    @OptionGroup var hide: HideAmongOption

    @Flag(help: "Print the canonical compiled statement (zkmargin/compiled@1) and its SHA-256 as JSON.")
    var json = false

    func validate() throws {
        switch (values, bundle.path) {
        case (nil, nil): throw ValidationError("give a signed bundle (--bundle BUNDLE.json) or risk values (--values VALUES.json)")
        case (.some, .some): throw ValidationError("--values and --bundle are alternatives: give one")
        default: break
        }
        if circuit != nil && bundle.path != nil { throw ValidationError("--circuit goes with --values; a bundle carries its own circuit") }
    }

    func run() throws {
        let kept = try hide.anonymitySet()
        let (compiled, source): (CompiledStatement, String)
        if let path = bundle.path {
            (compiled, source) = try Workflow.compiledStatement(bundlePath: path, hidingAmong: kept)
        } else {
            (compiled, source) = try Workflow.compiledStatement(valuesPath: values!, circuitPath: circuit, hidingAmong: kept)
        }
        if json {
            print(String(decoding: CompiledExport.document(compiled, circuitSource: source), as: UTF8.self), terminator: "")
        } else {
            print(compiled.listing, terminator: "")
            if !compiled.excludedElements.isEmpty {
                print("  excluded (shown not held): \(compiled.excludedElements.joined(separator: ", "))")
            }
            print("sha256 \(CompiledExport.digest(CompiledExport.statement(compiled, circuitSource: source)))  (zkmargin/compiled@1; --json prints it)")
        }
    }
}
