import ArgumentParser
import ZKGroup

@main
struct ZKMargin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkmargin",
        abstract: "Prove that an account meets a venue's maintenance margin without revealing its holdings."
    )
}
