import ArgumentParser
import ZKMarginCLI

@main
struct ZKMargin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkmargin",
        abstract: "Prove that an account meets a venue's maintenance margin without revealing its holdings.",
        discussion: """
        The flow: a publisher signs a risk bundle (publish), a custodian commits to an \
        account and signs the commitments (attest), the account holder proves it meets \
        every requirement (prove), and a counterparty checks the proof with the separate \
        zkmargin-verify tool. `zkmargin demo` runs the whole flow on example data.

        Exit status, every command: 0 done (check: the account meets every requirement); \
        1 the account does not meet its margin (check; prove and demo refuse it); 2 \
        unusable input (a file that cannot be read or is malformed, an untrusted or \
        expired bundle, a bad key, a file that would be overwritten); 64 usage error.
        """,
        subcommands: [KeygenCommand.self, PublishCommand.self, AttestCommand.self, SealCommand.self, CheckCommand.self, CompileCommand.self, ImportCommand.self, ProveCommand.self, IndexCommand.self, DemoCommand.self, BenchCommand.self]
    )

    /// Parses, runs and exits through the CLIs' shared runner (one exit
    /// status and error format for every command).
    static func main() { Tool.main(ZKMargin.self) }
}
