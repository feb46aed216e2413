import ArgumentParser
import Foundation
import Solvency
import StrictJSON

/// `zkmargin-verify`: the verifier alone. Exit status 0 when every proof is
/// valid, 1 when any is invalid, 2 on unusable input (bad arguments, an
/// unreadable or untrusted bundle, unreadable keys).
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

        Exit status: 0 every proof valid; 1 some proof invalid; 2 unusable input (bad \
        arguments, a bundle or key that cannot be read, a bundle not signed by the \
        publisher key, or outside its validity window).

        Examples:
          zkmargin-verify --bundle bundle.json --publisher-key publisher.pub.pem \\
              --custodian-key custodian.pub.pem proof.json
          zkmargin-verify --bundle bundle.json --publisher-key publisher.pub.pem \\
              --custodian-key custodian.pub.pem --json proofs/*.json
          zkmargin-verify --bundle bundle.json --publisher-key publisher.pub.pem \\
              --allow-self-attested --at 2025-11-25T12:30:00Z proof.json
        """
    )

    @Option(help: ArgumentHelp("The publisher's signed risk bundle.", valueName: "BUNDLE.json"))
    var bundle: String

    @Option(help: ArgumentHelp("The publisher's public key.", valueName: "PUBLISHER.pub.pem"))
    var publisherKey: String

    @Option(help: ArgumentHelp("The custodian's public key (needed for attested proofs).", valueName: "CUSTODIAN.pub.pem"))
    var custodianKey: String?

    @Option(help: ArgumentHelp("Check the bundle's validity at this RFC 3339 time (2025-11-25T12:30:00Z) instead of now.", valueName: "TIME"))
    var at: String?

    @Flag(help: "Accept self-attested proofs (reported as UNATTESTED).")
    var allowSelfAttested = false

    @Flag(help: "Print a machine-readable verdict.")
    var json = false

    @Argument(help: ArgumentHelp("The proofs to verify.", valueName: "PROOF.json"))
    var proofs: [String] = []

    static func main() {
        let command: ZKMarginVerify
        do {
            var parsed = try parseAsRoot()
            guard let verify = parsed as? ZKMarginVerify else {
                // --help, --version: ArgumentParser's own commands.
                try parsed.run()
                Foundation.exit(0)
            }
            command = verify
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data("zkmargin-verify: \(displaySafe(message(for: error)))\n".utf8))
            FileHandle.standardError.write(Data("\(usageString())\n".utf8))
            Foundation.exit(2)
        }
        Foundation.exit(command.verify())
    }

    func unusable(_ message: String, code: String) -> Int32 {
        if json {
            print(VerificationReport.errorJSON(.invalidArgument(message)).replacingOccurrences(of: "\"invalidArgument\"", with: "\"\(code)\""))
        } else {
            FileHandle.standardError.write(Data("zkmargin-verify: unusable input: \(displaySafe(message))\n".utf8))
        }
        return 2
    }

    func verify() -> Int32 {
        guard !proofs.isEmpty else { return unusable("no proof file given", code: "invalidArgument") }
        var date = Date()
        if let at {
            do { date = try RFC3339.parse(at) } catch {
                return unusable("--at '\(at)' is not an RFC 3339 time such as 2025-12-31T00:00:00Z: \(error.reason)", code: "invalidArgument")
            }
        }
        let report: VerificationReport
        do {
            report = try Workflow.verify(bundlePath: bundle, publisherKeyPath: publisherKey, custodianKeyPath: custodianKey,
                                         proofPaths: proofs, at: date, allowSelfAttested: allowSelfAttested)
        } catch {
            if json {
                print(VerificationReport.errorJSON(error))
            } else {
                FileHandle.standardError.write(Data("zkmargin-verify: unusable input: \(displaySafe(error.description))\n".utf8))
            }
            return 2
        }
        if json {
            print(report.json, terminator: "")
        } else {
            for line in report.lines { print(line) }
            print(report.summary)
        }
        return report.allValid ? 0 : 1
    }
}
