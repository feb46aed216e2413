import Foundation
import StrictJSON

/// What a command prints: report lines on standard output, and errors, one
/// way for every command of both tools.
///
/// An error is one line on standard error, `<command>: error: <message>`,
/// where `<command>` is the tool and subcommand (`zkmargin attest`,
/// `zkmargin-verify`). Messages may quote a file's content, so every
/// control, format or line-separator character in them is escaped
/// (`displaySafe`): the line stays one line and shows what it says. A usage
/// error is followed by the command's usage line.
public enum Terminal {
    /// Prints one line of output that may quote a file's content, escaped
    /// (`displaySafe`).
    public static func say(_ line: String) {
        print(displaySafe(line))
    }

    /// The error line `<command>: error: <message>`, escaped, without its
    /// newline.
    public static func errorLine(_ message: String, command: String) -> String {
        "\(command): error: \(displaySafe(message))"
    }

    /// Prints `errorLine(message, command:)` to standard error.
    public static func printError(_ message: String, command: String) {
        writeError(errorLine(message, command: command) + "\n")
    }

    /// Prints a usage error: the error line, then `Usage: <usage>`.
    public static func printUsageError(_ message: String, command: String, usage: String) {
        writeError(errorLine(message, command: command) + "\nUsage: \(displaySafe(usage))\n")
    }

    private static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
