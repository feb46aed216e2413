public import Foundation
public import StrictJSON

/// A field of a risk-values element: a decimal, a row keyed by the ids of
/// another set (matrix parameters), or a row in that set's order.
enum FieldValue: Sendable {
    case decimal(Rational)
    case byID([String: Rational])
    case list([Rational])
}

struct ValueElement: Sendable {
    let id: String
    let fields: [String: FieldValue]
}

/// The publisher's risk values (format in Circuits/README.md §6):
/// which venue and circuit they are for, the elements of each set with their
/// per-element parameters, and the scalar parameters.
///
/// Decoding checks the JSON's shape and every decimal; matching the values
/// to a circuit's sets and parameters happens in `compile`.
public struct RiskValues: Sendable {
    public static let formatName = "zkmargin/values@1"

    public let venue: String
    /// The quote currency every price and margin figure is expressed in.
    public let quote: String
    /// The circuit's name (`cross-margin`, found as `Circuits/cross-margin.zkm`)
    /// or a path ending in `.zkm`.
    public let circuit: String
    public let note: String?

    /// Set name → its elements in the order given.
    let sets: [String: [ValueElement]]
    let parameters: [String: Rational]

    /// The names of the sets present in the values, sorted.
    public var setNames: [String] { sets.keys.sorted() }

    /// The element ids of a set in the order the values list them.
    public func ids(of set: String) -> [String]? { sets[set]?.map(\.id) }

    /// The decimal field `field` of element `id` of `set`, if the values give one (nil for a row or an absent field).
    public func field(_ field: String, of id: String, in set: String) -> Rational? {
        guard case .decimal(let r)? = sets[set]?.first(where: { $0.id == id })?.fields[field] else { return nil }
        return r
    }

    static let reservedKeys: Set<UTF8Key> = Set(["format", "venue", "quote", "circuit", "note", "parameters"].map(UTF8Key.init))

    /// Reads risk values from a file's bytes with the strict JSON reader
    /// (`StrictJSON`): duplicate keys, invalid UTF-8 and oversized
    /// documents are refused before any field is looked at.
    public static func decode(from data: Data) throws(MarginError) -> RiskValues {
        try decode(json: try parseDocument(data, what: "values", mapKeysAtDepth: 4))
    }

    /// Decodes risk values already parsed as a JSON object (for instance
    /// the `values` member of a bundle): the same checks as
    /// `decode(from:)` after parsing.
    ///
    /// Every name and id is checked with `identifierProblem`: element ids,
    /// matrix row keys, set, field and parameter names (at most
    /// `maximumIDBytes`), venue and quote (at most `maximumNameBytes`). So
    /// all are in NFC and free of display-changing characters, and the
    /// `String`-keyed dictionaries below, which compare by canonical
    /// equivalence, agree with the bytes the transcript binds. The circuit
    /// reference and note are checked only for length and display-changing
    /// characters (a path may legitimately be in another normalization).
    public static func decode(json root: JSONObject) throws(MarginError) -> RiskValues {
        var sets: [String: [ValueElement]] = [:]
        var parameters: [String: Rational] = [:]
        if let f = root["format"] {
            guard case .string(let s) = f, sameBytes(s, formatName) else {
                throw .field("values.format", "expected \"\(formatName)\", found \(describe(f))")
            }
        }
        let venue = try requiredString(root, "venue", path: "values")
        try check(identifierProblem(venue, maxBytes: maximumNameBytes), "values.venue", "the venue")
        let quote = try requiredString(root, "quote", path: "values")
        try check(identifierProblem(quote, maxBytes: maximumNameBytes), "values.quote", "the quote currency")
        let circuit = try requiredString(root, "circuit", path: "values")
        try check(textProblem(circuit, maxBytes: maximumTextBytes), "values.circuit", "the circuit")
        var note: String? = nil
        if let n = root["note"] {
            guard case .string(let s) = n else { throw .field("values.note", "expected a string, found \(describe(n))") }
            try check(textProblem(s, maxBytes: maximumTextBytes), "values.note", "the note")
            note = s
        }
        if let p = root["parameters"] {
            guard case .object(let obj) = p else {
                throw .field("values.parameters", "expected an object of scalar parameters, e.g. {\"buffer\": \"1000\"}, found \(describe(p))")
            }
            for key in obj.keys.sorted() {
                let path = member("values.parameters", key)
                try check(identifierProblem(key, maxBytes: maximumIDBytes), path, "the name")
                parameters[key] = try decimal(obj[key]!, path: path)
            }
        }
        for key in root.keys.sorted() where !reservedKeys.contains(UTF8Key(key)) {
            let path = member("values", key)
            try check(identifierProblem(key, maxBytes: maximumIDBytes), path, "the name")
            guard case .array(let array) = root[key]! else {
                throw .field(path, "expected an array of set elements, found \(describe(root[key]!)) (top-level fields are format, venue, quote, circuit, note, parameters and the circuit's sets)")
            }
            var elements: [ValueElement] = []
            var seen: Set<UTF8Key> = []
            for (n, item) in array.enumerated() {
                let element: ValueElement
                switch item {
                case .string(let id):
                    try checkElementID(id, path: "\(path)[\(n)].id")
                    element = ValueElement(id: id, fields: [:])
                case .object(let obj):
                    guard let idValue = obj["id"] else {
                        throw .field("\(path)[\(n)]", "missing \"id\"")
                    }
                    guard case .string(let id) = idValue else {
                        throw .field("\(path)[\(n)].id", "expected a string, found \(describe(idValue))")
                    }
                    try checkElementID(id, path: "\(path)[\(n)].id")
                    element = ValueElement(id: id, fields: try elementFields(obj, path: "\(path)[\(quoted(id))]"))
                default:
                    throw .field("\(path)[\(n)]", "expected an object with an \"id\" (or a bare id string), found \(describe(item))")
                }
                guard seen.insert(UTF8Key(element.id)).inserted else {
                    throw .field("\(path)[\(n)].id", "duplicate id \(quoted(element.id))")
                }
                elements.append(element)
            }
            sets[key] = elements
        }
        return RiskValues(venue: venue, quote: quote, circuit: circuit, note: note, sets: sets, parameters: parameters)
    }

    /// The longest element id, matrix row key, or set, field or parameter
    /// name, in UTF-8 bytes.
    static let maximumIDBytes = 128
    /// The longest venue or quote-currency name, in UTF-8 bytes.
    static let maximumNameBytes = 128
    /// The longest circuit reference or note, in UTF-8 bytes.
    static let maximumTextBytes = 4096

    private static func checkElementID(_ id: String, path: String) throws(MarginError) {
        guard !id.isEmpty else { throw .field(path, "an id cannot be empty") }
        if let problem = identifierProblem(id, maxBytes: maximumIDBytes) {
            throw .field(path, "the id \(quoted(id)) \(problem)")
        }
    }

    /// The fields of one element object (all but `id`): decimals, rows
    /// keyed by the ids of another set, or rows in that set's order.
    private static func elementFields(_ obj: JSONObject, path epath: String) throws(MarginError) -> [String: FieldValue] {
        var fields: [String: FieldValue] = [:]
        for f in obj.keys.sorted() where !sameBytes(f, "id") {
            let v = obj[f]!
            let fpath = member(epath, f)
            try check(identifierProblem(f, maxBytes: maximumIDBytes), fpath, "the name")
            switch v {
            case .object(let row):
                var out: [String: Rational] = [:]
                for k in row.keys.sorted() {
                    let kpath = "\(fpath)[\(quoted(k))]"
                    try check(identifierProblem(k, maxBytes: maximumIDBytes), kpath, "the id")
                    out[k] = try decimal(row[k]!, path: kpath)
                }
                fields[f] = .byID(out)
            case .array(let row):
                var out: [Rational] = []
                for (j, x) in row.enumerated() { out.append(try decimal(x, path: "\(fpath)[\(j)]")) }
                fields[f] = .list(out)
            default:
                fields[f] = .decimal(try decimal(v, path: fpath))
            }
        }
        return fields
    }
}

/// The account holder's balances and positions (format in Circuits/README.md §7):
///
/// ```json
/// { "account": "fund-7/subacct-2",
///   "balances": { "BTC": "1.25", "USDC": "50000" },
///   "positions": { "BTC-PERP": { "size": "-2.5", "entry_price": "96000" } } }
/// ```
public struct Account: Sendable {
    public static let formatName = "zkmargin/account@1"

    public struct Position: Sendable, Equatable {
        /// Signed size in units of the instrument (negative = short).
        public let size: Rational
        /// Average entry price; needed whenever a circuit commits to cost.
        public let entryPrice: Rational?

        public init(size: Rational, entryPrice: Rational?) {
            self.size = size
            self.entryPrice = entryPrice
        }
    }

    /// The account's label (`"account"` in the JSON).
    public let label: String
    /// Signed balances per asset (negative = borrowed).
    public let balances: [String: Rational]
    public let positions: [String: Position]

    public init(label: String, balances: [String: Rational] = [:], positions: [String: Position] = [:]) {
        self.label = label
        self.balances = balances
        self.positions = positions
    }

    /// Checks the label and every asset and instrument id as `decode` does
    /// (`identifierProblem`): for accounts built in code, which `init` takes
    /// as given. The custodian and the self-attesting prover call it before
    /// committing to anything.
    public func checkIdentifiers() throws(MarginError) {
        try check(identifierProblem(label, maxBytes: Self.maximumLabelBytes), "account.account", "the label")
        for key in balances.keys.sorted() {
            try check(identifierProblem(key, maxBytes: RiskValues.maximumIDBytes), "account.balances[\(quoted(key))]", "the id")
        }
        for key in positions.keys.sorted() {
            try check(identifierProblem(key, maxBytes: RiskValues.maximumIDBytes), "account.positions[\(quoted(key))]", "the id")
        }
    }

    static let fieldNames: Set<UTF8Key> = Set(["format", "account", "balances", "positions"].map(UTF8Key.init))
    static let positionFieldNames: Set<UTF8Key> = Set(["size", "entry_price"].map(UTF8Key.init))
    /// The longest account label, in UTF-8 bytes.
    static let maximumLabelBytes = 256

    /// Reads an account with the strict JSON reader (`StrictJSON`):
    /// duplicate keys anywhere are refused, naming the path. The label and
    /// every asset and instrument id are checked with `identifierProblem`
    /// (NFC, no display-changing characters; ids at most
    /// `RiskValues.maximumIDBytes` bytes, the label at most
    /// `maximumLabelBytes`).
    public static func decode(from data: Data) throws(MarginError) -> Account {
        let root = try parseDocument(data, what: "account", mapKeysAtDepth: 2)
        for key in root.keys.sorted() where !fieldNames.contains(UTF8Key(key)) {
            throw .field(member("account", key), "unknown field (an account has \"account\", \"balances\" and \"positions\")")
        }
        if let f = root["format"] {
            guard case .string(let s) = f, sameBytes(s, formatName) else {
                throw .field("account.format", "expected \"\(formatName)\", found \(describe(f))")
            }
        }
        let label = try requiredString(root, "account", path: "account")
        try check(identifierProblem(label, maxBytes: maximumLabelBytes), "account.account", "the label")
        var balances: [String: Rational] = [:]
        if let b = root["balances"] {
            guard case .object(let obj) = b else {
                throw .field("account.balances", "expected an object of asset → decimal, found \(describe(b))")
            }
            for key in obj.keys.sorted() {
                let path = "account.balances[\(quoted(key))]"
                try check(identifierProblem(key, maxBytes: RiskValues.maximumIDBytes), path, "the id")
                // Signed: a negative balance is borrowed. The circuit's
                // declared bounds say how much may be (`max_borrow`).
                balances[key] = try decimal(obj[key]!, path: path)
            }
        }
        var positions: [String: Position] = [:]
        if let p = root["positions"] {
            guard case .object(let obj) = p else {
                throw .field("account.positions", "expected an object of instrument → {\"size\", \"entry_price\"}, found \(describe(p))")
            }
            for key in obj.keys.sorted() {
                let path = "account.positions[\(quoted(key))]"
                try check(identifierProblem(key, maxBytes: RiskValues.maximumIDBytes), path, "the id")
                guard case .object(let pos) = obj[key]! else {
                    throw .field(path, "expected an object {\"size\": …, \"entry_price\": …}, found \(describe(obj[key]!))")
                }
                for f in pos.keys.sorted() where !positionFieldNames.contains(UTF8Key(f)) {
                    throw .field(member(path, f), "unknown field (a position has \"size\" and \"entry_price\")")
                }
                guard let s = pos["size"] else { throw .field("\(path).size", "missing") }
                let size = try decimal(s, path: "\(path).size")
                var entry: Rational? = nil
                if let e = pos["entry_price"] { entry = try decimal(e, path: "\(path).entry_price") }
                positions[key] = Position(size: size, entryPrice: entry)
            }
        }
        return Account(label: label, balances: balances, positions: positions)
    }
}

// MARK: JSON helpers

/// Parses a values or account file that must be one JSON object. A
/// duplicate key is reported at its path (`account.balances["BTC"]:
/// duplicate key`); keys at depth `mapKeysAtDepth` (1 = the top level) are
/// ids and are written in brackets, as the decoders write them; other
/// syntax errors name the byte offset.
func parseDocument(_ data: Data, what: String, mapKeysAtDepth: Int) throws(MarginError) -> JSONObject {
    let value: JSONValue
    do {
        value = try JSONParser.parse([UInt8](data))
    } catch {
        if error.kind == .duplicateKey {
            var path = what
            for (depth, component) in error.path.enumerated() {
                switch component {
                case .index(let i): path += "[\(i)]"
                case .key(let k): path = depth + 1 == mapKeysAtDepth ? "\(path)[\(quoted(k))]" : member(path, k)
                }
            }
            throw .field(path, "duplicate key (a key may appear only once in an object)")
        }
        throw .field(what, "not valid JSON at byte \(error.offset): \(error.reason)")
    }
    guard case .object(let obj) = value else {
        throw .field(what, "expected a JSON object at the top level, found \(describe(value))")
    }
    return obj
}

/// Throws `.field(path, "<subject> <problem>")` if there is a problem.
func check(_ problem: String?, _ path: String, _ subject: String) throws(MarginError) {
    if let problem { throw .field(path, "\(subject) \(problem)") }
}

/// `path.key`, or `path["key"]` when the key is not plain letters, digits,
/// '_' and '-' (so an untrusted key cannot disguise the path).
func member(_ path: String, _ key: String) -> String {
    let plain = !key.isEmpty && key.utf8.allSatisfy { c in
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
    }
    return plain ? "\(path).\(key)" : "\(path)[\(quoted(key))]"
}

func requiredString(_ obj: JSONObject, _ key: String, path: String) throws(MarginError) -> String {
    guard let v = obj[key] else { throw .field("\(path).\(key)", "missing") }
    guard case .string(let s) = v else { throw .field("\(path).\(key)", "expected a string, found \(describe(v))") }
    guard !s.isEmpty else { throw .field("\(path).\(key)", "cannot be empty") }
    return s
}

/// An exact number of a values or account file, never through binary
/// floating point:
/// * a string: a decimal with an optional exponent or a ratio `p/q` of two
///   integers (`Rational(exact:)`: `"97000.25"`, `"4.97038E7"`, `"1/6"`);
/// * a JSON number, read from its literal text with the same decimal
///   grammar (`Rational(decimal:)`: `0.004`, `1e-10`).
/// Anything else, or a text breaking the grammar or its limits, is refused
/// naming the path, the text and why.
func decimal(_ v: JSONValue, path: String) throws(MarginError) -> Rational {
    switch v {
    case .string(let s):
        do {
            return try Rational(exact: s)
        } catch {
            // The message quotes the text verbatim; keep it display-safe.
            throw .field(path, displaySafe(error.description))
        }
    case .number(let literal):
        do {
            return try Rational(decimal: literal)
        } catch {
            throw .field(path, displaySafe("the JSON number \(CircuitLimits.abbreviated(literal)) is not a decimal (\(error.reason))"))
        }
    default:
        throw .field(path, "expected a decimal such as \"97000.25\", \"1e-8\" or \"1/6\" (a string or a JSON number), found \(describe(v))")
    }
}

/// What a JSON value is, for messages: `the string "x"`, `the JSON number
/// 5`, `null`, `an array`, …
func describe(_ v: JSONValue) -> String {
    switch v {
    case .string(let s): return "the string \(quoted(s))"
    case .null: return "null"
    case .number(let literal): return "the JSON number \(literal)"
    case .bool(let b): return "the JSON boolean \(b)"
    case .array: return "an array"
    case .object: return "an object"
    }
}

/// A quoted string for error paths and messages: `"BTC-PERP"`. Quotes and
/// backslashes are escaped, then every display-changing character is shown
/// as `\u{XXXX}` (`displaySafe`), so an id from an untrusted file cannot
/// forge or hide text in a terminal or log.
func quoted(_ s: String) -> String {
    var escaped = ""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": escaped += "\\\""
        case "\\": escaped += "\\\\"
        default: escaped.unicodeScalars.append(ch)
        }
    }
    return "\"" + displaySafe(escaped) + "\""
}
