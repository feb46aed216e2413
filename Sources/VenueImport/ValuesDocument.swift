public import MarginCircuits
public import StrictJSON

/// A risk-values file (`zkmargin/values@1`, Circuits/README.md §6) being
/// built by an importer: scalar parameters, and sets whose elements carry
/// their parameters, rows (a matrix parameter's row, keyed by the second
/// set's ids) and nothing else. Every number is written exactly: a decimal
/// when it terminates, else `p/q` (`Rational.description`).
public struct ValuesDocument: Sendable {
    public struct Element: Sendable {
        public let id: String
        public var fields: [(String, JSONValue)] = []

        public init(id: String) { self.id = id }

        public mutating func set(_ name: String, _ value: Rational) { fields.append((name, .string(value.description))) }

        /// A matrix row: `name: {column id: value, …}`.
        public mutating func set(_ name: String, row: [(String, Rational)]) {
            fields.append((name, .object(JSONObject(row.map { ($0.0, .string($0.1.description)) }))))
        }
    }

    public let venue: String
    public let quote: String
    public let circuit: String
    /// Where the numbers came from and when (the values file's `note`).
    public let note: String
    public var parameters: [(String, Rational)] = []
    public var sets: [(String, [JSONValue])] = []

    public init(venue: String, quote: String, circuit: String, note: String) {
        self.venue = venue
        self.quote = quote
        self.circuit = circuit
        self.note = note
    }

    /// A set whose elements are plain ids.
    public mutating func addSet(_ name: String, ids: [String]) { sets.append((name, ids.map { .string($0) })) }

    /// A set whose elements carry fields.
    public mutating func addSet(_ name: String, elements: [Element]) {
        sets.append((name, elements.map { e in .object(JSONObject([("id", .string(e.id))] + e.fields)) }))
    }

    public var json: JSONValue {
        var entries: [(String, JSONValue)] = [
            ("format", .string(RiskValues.formatName)), ("venue", .string(venue)), ("quote", .string(quote)),
            ("circuit", .string(circuit)), ("note", .string(note)),
        ]
        if !parameters.isEmpty { entries.append(("parameters", .object(JSONObject(parameters.map { ($0.0, .string($0.1.description)) })))) }
        entries += sets.map { ($0.0, .array($0.1)) }
        return .object(JSONObject(entries))
    }

    public var encoded: [UInt8] { json.encoded() }
}
