import ArgumentParser
import Foundation
import MarginCircuits
import Solvency
import StrictJSON

/// `zkmargin check`: the plain margin report. Nothing leaves the machine and
/// nothing is committed or proven; it evaluates the same compiled circuit the
/// prover uses. Exit status 0 when the account meets every requirement, 1 when
/// it does not, 2 on unusable input.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Print an account's equity, requirement and excess for each requirement of a circuit.",
        discussion: """
            Give either the publisher's risk values (--values) or a signed bundle (--bundle). \
            With --values, the circuit is the values' "circuit": a name such as cross-margin \
            is read from Circuits/cross-margin.zkm under the current directory, a value ending \
            in .zkm is a path; --circuit overrides both. With --bundle, the circuit and values \
            are the ones the bundle carries; add --publisher-key to also check its signature \
            and validity window. Exit status: 0 meets every requirement, 1 does not, 2 unusable \
            input.

            Examples:
              zkmargin check --values Vectors/examples/cross-margin/values.json \\
                             --account Vectors/examples/cross-margin/solvent.json
              zkmargin check --bundle out/bundle.json --account ACCOUNT.json --json
            """
    )

    @Option(name: .long, help: ArgumentHelp("The publisher's risk values (JSON).", valueName: "VALUES.json"))
    var values: String?

    @Option(name: .long, help: ArgumentHelp("A signed risk bundle, instead of --values.", valueName: "BUNDLE.json"))
    var bundle: String?

    @Option(name: .long, help: ArgumentHelp("With --bundle: the publisher's public key to check the bundle's signature and validity window against.", valueName: "PUBLISHER.pub.pem"))
    var publisherKey: String?

    @Option(name: .long, help: ArgumentHelp("The account's balances and positions (JSON).", valueName: "ACCOUNT.json"))
    var account: String

    @Option(name: .long, help: ArgumentHelp("The circuit file, instead of the one the values name.", valueName: "PATH"))
    var circuit: String?

    @Flag(name: .long, help: "Print a machine-readable verdict.")
    var json = false

    /// Errors a user can act on; printed as one line, exit status 2.
    struct InputError: Error, CustomStringConvertible {
        let description: String
    }

    func validate() throws {
        switch (values, bundle) {
        case (nil, nil): throw ValidationError("give the risk values (--values VALUES.json) or a signed bundle (--bundle BUNDLE.json)")
        case (.some, .some): throw ValidationError("--values and --bundle are alternatives: give one")
        default: break
        }
        if publisherKey != nil && bundle == nil { throw ValidationError("--publisher-key goes with --bundle") }
        if circuit != nil && bundle != nil { throw ValidationError("--circuit goes with --values; a bundle carries its own circuit") }
    }

    func run() throws {
        let report: MarginReport
        do {
            if let bundle {
                report = try CheckCommand.report(bundlePath: bundle, publisherKeyPath: publisherKey, accountData: CheckCommand.read(account, what: "account"))
            } else {
                report = try CheckCommand.report(valuesPath: values!, circuitOverride: circuit, accountPath: account)
            }
        } catch {
            FileHandle.standardError.write(Data("zkmargin check: error: \(displaySafe("\(error)"))\n".utf8))
            throw ExitCode(2)
        }
        print(json ? CheckCommand.renderJSON(report) : CheckCommand.renderText(report), terminator: "")
        if !report.meets { throw ExitCode(1) }
    }

    /// The report for an account against a signed bundle's circuit and values.
    /// With a publisher key, the bundle must be signed by it and valid now.
    static func report(bundlePath: String, publisherKeyPath: String?, accountData: Data) throws -> MarginReport {
        let bundle = try RiskBundle.load(path: bundlePath)
        if let publisherKeyPath {
            try bundle.checkPublisher(Workflow.loadVerifyingKey(path: publisherKeyPath))
            try bundle.checkValidity(at: Date())
        }
        return try report(circuitSource: bundle.circuitSource, fileName: "\(bundle.circuitName).zkm", values: bundle.values, accountData: accountData)
    }

    /// The report for an account against risk values and the circuit they name.
    static func report(valuesPath values: String, circuitOverride circuit: String?, accountPath account: String) throws -> MarginReport {
        do {
            let valuesData = try CheckCommand.read(values, what: "values")
            let riskValues = try RiskValues.decode(from: valuesData)
            let path = try CheckCommand.circuitPath(named: riskValues.circuit, override: circuit)
            let source: String
            do {
                source = try CheckCommand.readText(path, what: "circuit")
            } catch let e as InputError where circuit == nil && !riskValues.circuit.hasSuffix(".zkm") {
                throw InputError(description: "\(e.description) (circuit names are looked up under Circuits/ in the current directory; pass --circuit PATH otherwise)")
            }
            let accountData = try CheckCommand.read(account, what: "account")
            return try CheckCommand.report(circuitSource: source, fileName: path, values: riskValues, accountData: accountData)
        }
    }

    // MARK: Loading (kept separate from file access so that a bundle can supply the circuit text)

    /// Compiles `circuitSource` against the values and evaluates the account.
    static func report(circuitSource: String, fileName: String, values: RiskValues, accountData: Data) throws -> MarginReport {
        let statement = try compile(circuitSource: circuitSource, fileName: fileName, values: values)
        let account = try Account.decode(from: accountData)
        return try statement.evaluate(account)
    }

    /// Where the circuit named by the values lives.
    static func circuitPath(named name: String, override: String?) throws -> String {
        if let override { return override }
        if name.hasSuffix(".zkm") { return name }
        guard !name.contains("/"), !name.hasPrefix(".") else {
            throw InputError(description: "values.circuit: \"\(name)\" is neither a circuit name (such as cross-margin) nor a path ending in .zkm")
        }
        return "Circuits/\(name).zkm"
    }

    static func read(_ path: String, what: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw InputError(description: "cannot read the \(what) file \(path): \(exists ? "permission denied or not a file" : "no such file")")
        }
        return data
    }

    static func readText(_ path: String, what: String) throws -> String {
        let data = try read(path, what: what)
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(description: "the \(what) file \(path) is not UTF-8 text")
        }
        return text
    }

    // MARK: Rendering

    static func amount(_ r: Rational) -> String { r.description }

    static func renderText(_ report: MarginReport) -> String {
        var out = displaySafe("\(report.circuitName) at \(report.venue), account \(report.account), amounts in \(report.quote)") + "\n\n"
        let header = ["name", "equity", "requirement", "excess", ""]
        var rows = [header]
        for r in report.requirements {
            rows.append([r.name, amount(r.equity), amount(r.requirement), amount(r.excess), r.meets ? "ok" : "SHORT"])
        }
        var widths = Array(repeating: 0, count: header.count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        for row in rows {
            var line = ""
            for (i, c) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - c.count)
                line += i == 0 ? c + pad : "  " + (i == row.count - 1 ? c : pad + c)
            }
            while line.last == " " { line.removeLast() }
            out += displaySafe(line) + "\n"
        }
        out += "\n"
        if report.meets {
            if let b = report.binding {
                let spare = b.excess.isZero ? "exactly at the margin" : "\(amount(b.excess)) \(report.quote) to spare"
                out += displaySafe("MEETS every requirement. Binding: \(b.name), \(spare).") + "\n"
            }
        } else {
            let failing = report.failing
            out += "DOES NOT MEET \(failing.count) of \(report.requirements.count) requirement\(report.requirements.count == 1 ? "" : "s"):\n"
            for f in failing {
                out += displaySafe("  \(f.name): short by \(amount(-f.excess)) \(report.quote) (equity \(amount(f.equity)), requirement \(amount(f.requirement)))") + "\n"
            }
        }
        return out
    }

    static func renderJSON(_ report: MarginReport) -> String {
        var out = "{\n"
        out += "  \"meets\": \(report.meets),\n"
        out += "  \"circuit\": \(jsonQuoted(report.circuitName)),\n"
        out += "  \"venue\": \(jsonQuoted(report.venue)),\n"
        out += "  \"quote\": \(jsonQuoted(report.quote)),\n"
        out += "  \"account\": \(jsonQuoted(report.account)),\n"
        out += "  \"binding\": \(report.binding.map { jsonQuoted($0.name) } ?? "null"),\n"
        out += "  \"requirements\": ["
        let items = report.requirements.map { r in
            "\n    {\"name\": \(jsonQuoted(r.name)), \"meets\": \(r.meets), \"equity\": \(jsonQuoted(amount(r.equity))), \"requirement\": \(jsonQuoted(amount(r.requirement))), \"excess\": \(jsonQuoted(amount(r.excess)))}"
        }
        out += items.joined(separator: ",")
        out += report.requirements.isEmpty ? "]\n" : "\n  ]\n"
        out += "}\n"
        return out
    }
}
