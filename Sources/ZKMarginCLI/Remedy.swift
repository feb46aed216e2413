public import Solvency

/// A flag that remedies a library error. The library's messages speak of
/// the data ("no custodian key was given"); the command line adds how to act
/// on it ("give the custodian's public key with --custodian-key").
public enum Remedy: Sendable, CaseIterable {
    /// `custodianKeyRequired`: an attested proof and no custodian key.
    case custodianKey
    /// `selfAttestedNotAllowed`: a self-attested proof, not accepted.
    case allowSelfAttested
    /// `circuitNotFound`: the circuit the values name is not where it was looked for.
    case circuit
    /// `alreadyExists`: a private key or openings file would be replaced.
    case force

    /// The remedy for `error`, if a flag is one.
    public init?(for error: SolvencyError) {
        switch error {
        case .custodianKeyRequired: self = .custodianKey
        case .selfAttestedNotAllowed: self = .allowSelfAttested
        case .circuitNotFound: self = .circuit
        case .alreadyExists: self = .force
        default: return nil
        }
    }

    /// The flag, as a command's usage line shows it.
    public var flag: String {
        switch self {
        case .custodianKey: return "--custodian-key"
        case .allowSelfAttested: return "--allow-self-attested"
        case .circuit: return "--circuit"
        case .force: return "--force"
        }
    }

    /// What to tell the user, naming the flag.
    public var hint: String {
        switch self {
        case .custodianKey: return "give the custodian's public key with --custodian-key"
        case .allowSelfAttested: return "add --allow-self-attested to accept it as UNATTESTED"
        case .circuit: return "give the circuit file with --circuit PATH.zkm"
        case .force: return "add --force to replace it"
        }
    }

    /// The hint for `error` if the command has the flag (its usage line,
    /// `usage`, names it: `demo` finds circuits but has no `--circuit`) and
    /// it is not among the `arguments` already (a `--circuit` given that
    /// names no file needs a better path, not the flag).
    public static func hint(for error: SolvencyError, usage: String, arguments: [String]) -> String? {
        guard let remedy = Remedy(for: error) else { return nil }
        let words = usage.split(whereSeparator: { $0 == " " || $0 == "[" || $0 == "]" })
        guard words.contains(Substring(remedy.flag)) else { return nil }
        guard !arguments.contains(where: { $0 == remedy.flag || $0.hasPrefix(remedy.flag + "=") }) else { return nil }
        return remedy.hint
    }
}
