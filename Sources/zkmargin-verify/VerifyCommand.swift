import ArgumentParser
import Solvency
import ZKMarginCLI

/// `zkmargin-verify`: the verifier alone. Exit status 0 when every proof is
/// valid, 1 when any is invalid, 2 on unusable input (an unreadable or
/// untrusted bundle, unreadable keys), 64 on a usage error.
@main
struct ZKMarginVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkmargin-verify",
        abstract: "Verify zkmargin proofs against a signed risk bundle and public keys.",
        discussion: """
        Checks that the bundle is signed by the publisher key and valid at --at (default: \
        now), recompiles its circuit (the constraints are never read from a proof), checks \
        each proof's custodian statement against the custodian key, and verifies all the \
        range proofs in one batch. Prints one line per proof, VALID or INVALID with the \
        reason, then a summary; --json prints one JSON object instead.

        Self-attested proofs (no custodian) are rejected unless --allow-self-attested is \
        given, and are then reported as VALID (UNATTESTED): nobody vouches for their inputs.

        Exit status: 0 every proof valid; 1 some proof invalid; 2 unusable input (a bundle \
        or key that cannot be read, a bundle not signed by the publisher key, or outside \
        its validity window); 64 usage error (bad arguments: a missing or unknown option, \
        no proof file, a malformed --at). This is a change: usage errors used to exit 2; \
        zkmargin and zkmargin-verify now share one table of exit statuses (README.md).

        Examples:
          zkmargin-verify --bundle bundle.json --publisher-key publisher.pub.pem \\
              --custodian-key custodian.pub.pem proof.json
          zkmargin-verify --bundle bundle.json --publisher-key publisher.pub.pem \\
              --custodian-key custodian.pub.pem --json proofs/*.json
          zkmargin-verify --bundle bundle.json --publisher-key publisher.pub.pem \\
              --allow-self-attested --at 2025-11-25T12:30:00Z proof.json
        """
    )

    @OptionGroup var bundle: BundleOption

    @OptionGroup var publisherKey: PublisherKeyOption

    @OptionGroup var custodianKey: OptionalCustodianKeyOption

    @OptionGroup var at: AtOption

    @Flag(help: "Accept self-attested proofs (reported as UNATTESTED).")
    var allowSelfAttested = false

    @Flag(help: "Print a machine-readable verdict.")
    var json = false

    @Argument(help: ArgumentHelp("The proofs to verify.", valueName: "PROOF.json"))
    var proofs: [String] = []

    static func main() { Tool.main(ZKMarginVerify.self) }

    func validate() throws {
        if proofs.isEmpty { throw ValidationError("no proof file given") }
    }

    /// Verifies and prints the report; throws `ExitStatus.invalid` if some
    /// proof is invalid. Unusable input is thrown to the runner (one error
    /// line), or with --json printed as JSON on standard output.
    func run() throws {
        let report: VerificationReport
        do {
            report = try Workflow.verify(bundlePath: bundle.path, publisherKeyPath: publisherKey.path, custodianKeyPath: custodianKey.path,
                                         proofPaths: proofs, at: at.date, allowSelfAttested: allowSelfAttested)
        } catch {
            guard json else { throw error }
            print(VerificationReport.errorJSON(error, hint: Self.hint(error)), terminator: "")
            throw ExitStatus(for: error)
        }
        if json {
            print(report.json(hint: Self.hint), terminator: "")
        } else {
            for line in report.lines(hint: Self.hint) { print(line) }
            print(report.summary)
        }
        if !report.allValid { throw ExitStatus.invalid }
    }

    /// The flag that remedies a proof's rejection, if one does.
    static func hint(_ error: SolvencyError) -> String? { Remedy(for: error)?.hint }
}
