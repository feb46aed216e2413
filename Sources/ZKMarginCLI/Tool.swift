public import ArgumentParser
import Foundation
import Solvency

/// Runs a tool (`zkmargin`, `zkmargin-verify`): parses its arguments, runs
/// the command, prints any error one way (`Terminal`) and ends with an
/// `ExitStatus`.
///
/// - `--help`, `help`: the help text on standard output, exit 0.
/// - bad arguments (ArgumentParser's errors, `validate()`, a
///   `ValidationError` from `run()`): a usage error, exit 64.
/// - a `SolvencyError` from `run()`: its description, with the `Remedy`
///   hint when the command has the flag; exit `ExitStatus(for:)`.
/// - an `ExitStatus` from `run()`: the command has printed what it had to
///   say; exit with it.
/// - anything else: the error, exit 2.
public enum Tool {
    /// Runs `root` on the process's arguments and exits.
    public static func main<Root: ParsableCommand>(_ root: Root.Type) -> Never {
        Foundation.exit(run(root, arguments: Array(CommandLine.arguments.dropFirst())).rawValue)
    }

    /// Everything `main` does but exiting: the status to exit with.
    public static func run<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]) -> ExitStatus {
        let parsed: ParsableCommand
        do {
            parsed = try Root.parseAsRoot(arguments)
        } catch {
            if Root.exitCode(for: error) == .success { return printHelp(Root.self, for: error) }
            let command = commandPath(Root.self, arguments: arguments)
            Terminal.printUsageError(Root.message(for: error), command: name(of: command), usage: Root.usageString(for: command.last!))
            return .usage
        }
        var command = parsed
        do {
            try command.run()
            return .ok
        } catch {
            return report(error, from: type(of: parsed), root: Root.self, arguments: arguments)
        }
    }

    /// Prints what an error from a command's `run()` says, and gives the
    /// status to end with.
    static func report<Root: ParsableCommand>(_ error: Error, from command: ParsableCommand.Type, root: Root.Type, arguments: [String]) -> ExitStatus {
        let name = name(of: path(to: command, in: Root.self))
        let usage = Root.usageString(for: command)
        switch error {
        case let status as ExitStatus:
            return status
        case let error as SolvencyError:
            let status = ExitStatus(for: error)
            let message = error.description + (Remedy.hint(for: error, usage: usage, arguments: arguments).map { "; " + $0 } ?? "")
            if status == .usage {
                Terminal.printUsageError(message, command: name, usage: usage)
            } else {
                Terminal.printError(message, command: name)
            }
            return status
        case let code as ExitCode:
            return code == .success ? .ok : ExitStatus(rawValue: code.rawValue) ?? .unusable
        default:
            switch Root.exitCode(for: error) {
            case .success:
                return printHelp(Root.self, for: error)
            case .validationFailure:
                Terminal.printUsageError(Root.message(for: error), command: name, usage: usage)
                return .usage
            default:
                Terminal.printError(Root.message(for: error), command: name)
                return .unusable
            }
        }
    }

    private static func printHelp<Root: ParsableCommand>(_ root: Root.Type, for error: Error) -> ExitStatus {
        print(Root.fullMessage(for: error))
        return .ok
    }

    /// `zkmargin attest`: the names along a command path.
    static func name(of path: [ParsableCommand.Type]) -> String {
        path.map { $0._commandName }.joined(separator: " ")
    }

    /// The commands the arguments name, root first: each word that names a
    /// subcommand of the previous one (`zkmargin bench group` →
    /// [zkmargin, bench, group]), up to the first that does not.
    static func commandPath(_ root: ParsableCommand.Type, arguments: [String]) -> [ParsableCommand.Type] {
        var path = [root]
        for word in arguments where !word.hasPrefix("-") {
            guard let next = path.last!.configuration.subcommands.first(where: { $0._commandName == word }) else { break }
            path.append(next)
        }
        return path
    }

    /// The path from `root` to `command` in its subcommand tree ([root] if
    /// it is not in it).
    static func path(to command: ParsableCommand.Type, in root: ParsableCommand.Type) -> [ParsableCommand.Type] {
        if command == root { return [root] }
        for sub in root.configuration.subcommands {
            let p = path(to: command, in: sub)
            if p.last! == command { return [root] + p }
        }
        return [root]
    }
}
