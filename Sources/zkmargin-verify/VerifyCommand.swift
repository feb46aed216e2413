import ArgumentParser

@main
struct ZKMarginVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkmargin-verify",
        abstract: "Verify zkmargin proofs against a signed risk bundle and public keys."
    )
}
