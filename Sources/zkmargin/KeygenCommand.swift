import ArgumentParser
import Foundation
import Solvency
import StrictJSON

/// Helpers shared by the Solvency commands (keygen, publish, attest, prove, demo).
enum SolvencyCLI {
    /// Prints `zkmargin: error: …` to standard error, as one line: every
    /// control, format or line-separator character in the message (which
    /// may quote a file's content) is escaped (`displaySafe`).
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("zkmargin: error: \(displaySafe(message))\n".utf8))
    }

    /// Prints one line of output that may quote a file's content, escaped
    /// (`displaySafe`) so that it stays one line and shows what it says.
    static func say(_ line: String) {
        print(displaySafe(line))
    }

    /// Runs `body`; a SolvencyError is printed (one line) and exits 1.
    static func run(_ body: () throws(SolvencyError) -> Void) throws {
        do {
            try body()
        } catch {
            printError(error.description)
            throw ExitCode.failure
        }
    }

    static func parseTime(_ text: String) throws -> Date {
        do { return try RFC3339.parse(text) } catch {
            throw ValidationError("'\(text)' is not an RFC 3339 time such as 2025-12-31T00:00:00Z: \(error.reason)")
        }
    }
}

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make an ECDSA P-256 key pair (publishers sign bundles, custodians sign statements).",
        discussion: """
        Writes the private key to --out as PEM with mode 0600 and the public key next to \
        it, with .pem replaced by .pub.pem. Give the .pub.pem file to whoever verifies \
        your signatures; never share the private key. The key id printed is the first 16 \
        bytes of SHA-256 over the public key (DER), as files name their signers.

        Examples:
          zkmargin keygen --out publisher.pem   # also writes publisher.pub.pem
          zkmargin keygen --out custodian.pem
        """
    )

    @Option(help: ArgumentHelp("The private key file to write (mode 0600).", valueName: "KEY.pem"))
    var out: String

    @Flag(help: "Replace an existing private key file.")
    var force = false

    func run() throws {
        try SolvencyCLI.run { () throws(SolvencyError) in
            let result = try Workflow.keygen(out: out, force: force)
            SolvencyCLI.say("wrote \(result.privateKeyPath) (private key, mode 0600) and \(result.publicKeyPath) (public key)")
            SolvencyCLI.say("key id \(result.key.id)")
        }
    }
}
