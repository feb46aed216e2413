import ArgumentParser

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
        """,
        subcommands: [KeygenCommand.self, PublishCommand.self, AttestCommand.self, CheckCommand.self, ProveCommand.self, DemoCommand.self, BenchCommand.self]
    )
}
