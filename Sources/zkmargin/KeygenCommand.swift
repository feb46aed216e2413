import ArgumentParser
import ZKGroup
import Solvency
import ZKMarginCLI

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make an ECDSA P-256 key pair (publishers sign bundles, custodians sign statements).",
        discussion: """
        Writes the private key to --out as PEM with mode 0600 and the public key next to \
        it, with .pem replaced by .pub.pem. Give the .pub.pem file to whoever verifies \
        your signatures; never share the private key. The key id printed is the first 16 \
        bytes of SHA-256 over the public key (DER), as files name their signers. An \
        existing private key is never replaced unless --force is given (exit 2).

        Examples:
          zkmargin keygen --out publisher.pem   # also writes publisher.pub.pem
          zkmargin keygen --out custodian.pem
        """
    )

    @OptionGroup var out: OutOption

    @Flag(help: "Replace an existing private key file.")
    var force = false

    func run() throws {
        let result = try Workflow.keygen(out: out.path, force: force)
        Terminal.say("wrote \(result.privateKeyPath) (private key, mode 0600) and \(result.publicKeyPath) (public key)")
        Terminal.say("key id \(result.key.id)")
    }
}
