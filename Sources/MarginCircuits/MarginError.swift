/// A position in a circuit's source text (1-based line and column).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// Every way reading a circuit, risk values or an account, or compiling them,
/// can fail. Messages name what was wrong and what was expected; they never
/// contain an account's values except the offending field's own text.
public enum MarginError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A lexical, syntax or checker error, or an error found while applying
    /// risk values to a circuit construct; located in the circuit source.
    case circuit(SourceLocation, String)
    /// A field of the risk values (`values.…`) or the account (`account.…`).
    case field(String, String)
    /// The compiled statement cannot be proven safely (possible wrap-around
    /// or a range wider than the range proofs allow).
    case statement(String)

    public var description: String {
        switch self {
        case .circuit(let loc, let message): return "\(loc): \(message)"
        case .field(let path, let message): return "\(path): \(message)"
        case .statement(let message): return message
        }
    }

    /// The message alone, without location or field path.
    public var message: String {
        switch self {
        case .circuit(_, let m), .field(_, let m), .statement(let m): return m
        }
    }
}
