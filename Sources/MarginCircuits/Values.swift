import Foundation

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

/// The publisher's risk values (DESIGN.md §6, format in Circuits/README.md):
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

    static let reservedKeys: Set<String> = ["format", "venue", "quote", "circuit", "note", "parameters"]

    public static func decode(from data: Data) throws(MarginError) -> RiskValues {
        let root = try parseJSONObject(data, what: "values")
        var sets: [String: [ValueElement]] = [:]
        var parameters: [String: Rational] = [:]
        if let f = root["format"] {
            guard let s = f as? String, s == formatName else {
                throw .field("values.format", "expected \"\(formatName)\", found \(jsonDescription(f))")
            }
        }
        let venue = try requiredString(root, "venue", path: "values")
        let quote = try requiredString(root, "quote", path: "values")
        let circuit = try requiredString(root, "circuit", path: "values")
        var note: String? = nil
        if let n = root["note"] {
            guard let s = n as? String else { throw .field("values.note", "expected a string, found \(jsonDescription(n))") }
            note = s
        }
        if let p = root["parameters"] {
            guard let obj = p as? [String: Any] else {
                throw .field("values.parameters", "expected an object of scalar parameters, e.g. {\"buffer\": \"1000\"}, found \(jsonDescription(p))")
            }
            for key in obj.keys.sorted() {
                parameters[key] = try decimal(obj[key]!, path: "values.parameters.\(key)")
            }
        }
        for key in root.keys.sorted() where !reservedKeys.contains(key) {
            let path = "values.\(key)"
            guard let array = root[key] as? [Any] else {
                throw .field(path, "expected an array of set elements, found \(jsonDescription(root[key]!)) (top-level fields are format, venue, quote, circuit, note, parameters and the circuit's sets)")
            }
            var elements: [ValueElement] = []
            var seen: Set<String> = []
            for (n, item) in array.enumerated() {
                let element: ValueElement
                if let id = item as? String {
                    element = ValueElement(id: id, fields: [:])
                } else if let obj = item as? [String: Any] {
                    guard let idValue = obj["id"] else {
                        throw .field("\(path)[\(n)]", "missing \"id\"")
                    }
                    guard let id = idValue as? String else {
                        throw .field("\(path)[\(n)].id", "expected a string, found \(jsonDescription(idValue))")
                    }
                    let epath = "\(path)[\(quoted(id))]"
                    var fields: [String: FieldValue] = [:]
                    for f in obj.keys.sorted() where f != "id" {
                        let v = obj[f]!
                        let fpath = "\(epath).\(f)"
                        if let row = v as? [String: Any] {
                            var out: [String: Rational] = [:]
                            for k in row.keys.sorted() { out[k] = try decimal(row[k]!, path: "\(fpath)[\(quoted(k))]") }
                            fields[f] = .byID(out)
                        } else if let row = v as? [Any] {
                            var out: [Rational] = []
                            for (j, x) in row.enumerated() { out.append(try decimal(x, path: "\(fpath)[\(j)]")) }
                            fields[f] = .list(out)
                        } else {
                            fields[f] = .decimal(try decimal(v, path: fpath))
                        }
                    }
                    element = ValueElement(id: id, fields: fields)
                } else {
                    throw .field("\(path)[\(n)]", "expected an object with an \"id\" (or a bare id string), found \(jsonDescription(item))")
                }
                guard !element.id.isEmpty else { throw .field("\(path)[\(n)].id", "an id cannot be empty") }
                guard !seen.contains(element.id) else {
                    throw .field("\(path)[\(n)].id", "duplicate id \(quoted(element.id))")
                }
                seen.insert(element.id)
                elements.append(element)
            }
            sets[key] = elements
        }
        return RiskValues(venue: venue, quote: quote, circuit: circuit, note: note, sets: sets, parameters: parameters)
    }
}

/// The account holder's balances and positions (DESIGN.md §6):
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
    public let balances: [String: Rational]
    public let positions: [String: Position]

    public init(label: String, balances: [String: Rational] = [:], positions: [String: Position] = [:]) {
        self.label = label
        self.balances = balances
        self.positions = positions
    }

    public static func decode(from data: Data) throws(MarginError) -> Account {
        let root = try parseJSONObject(data, what: "account")
        for key in root.keys.sorted() where !["format", "account", "balances", "positions"].contains(key) {
            throw .field("account.\(key)", "unknown field (an account has \"account\", \"balances\" and \"positions\")")
        }
        if let f = root["format"] {
            guard let s = f as? String, s == formatName else {
                throw .field("account.format", "expected \"\(formatName)\", found \(jsonDescription(f))")
            }
        }
        let label = try requiredString(root, "account", path: "account")
        var balances: [String: Rational] = [:]
        if let b = root["balances"] {
            guard let obj = b as? [String: Any] else {
                throw .field("account.balances", "expected an object of asset → decimal string, found \(jsonDescription(b))")
            }
            for key in obj.keys.sorted() {
                let path = "account.balances[\(quoted(key))]"
                let v = try decimal(obj[key]!, path: path)
                guard v.signum >= 0 else { throw .field(path, "a balance cannot be negative (\(v)); report borrowings as a negative-size position or with the venue's own circuit") }
                balances[key] = v
            }
        }
        var positions: [String: Position] = [:]
        if let p = root["positions"] {
            guard let obj = p as? [String: Any] else {
                throw .field("account.positions", "expected an object of instrument → {\"size\", \"entry_price\"}, found \(jsonDescription(p))")
            }
            for key in obj.keys.sorted() {
                let path = "account.positions[\(quoted(key))]"
                guard let pos = obj[key] as? [String: Any] else {
                    throw .field(path, "expected an object {\"size\": …, \"entry_price\": …}, found \(jsonDescription(obj[key]!))")
                }
                for f in pos.keys.sorted() where f != "size" && f != "entry_price" {
                    throw .field("\(path).\(f)", "unknown field (a position has \"size\" and \"entry_price\")")
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

func parseJSONObject(_ data: Data, what: String) throws(MarginError) -> [String: Any] {
    let any: Any
    do {
        any = try JSONSerialization.jsonObject(with: data, options: [])
    } catch {
        throw .field(what, "not valid JSON (\(shortError(error)))")
    }
    guard let obj = any as? [String: Any] else {
        throw .field(what, "expected a JSON object at the top level, found \(jsonDescription(any))")
    }
    return obj
}

func shortError(_ error: Error) -> String {
    let ns = error as NSError
    if let d = ns.userInfo[NSDebugDescriptionErrorKey] as? String { return d }
    return ns.localizedDescription
}

func requiredString(_ obj: [String: Any], _ key: String, path: String) throws(MarginError) -> String {
    guard let v = obj[key] else { throw .field("\(path).\(key)", "missing") }
    guard let s = v as? String else { throw .field("\(path).\(key)", "expected a string, found \(jsonDescription(v))") }
    guard !s.isEmpty else { throw .field("\(path).\(key)", "cannot be empty") }
    return s
}

func decimal(_ v: Any, path: String) throws(MarginError) -> Rational {
    guard let s = v as? String else {
        if v is NSNumber {
            throw .field(path, "expected a decimal string such as \"97000.25\", found the JSON number \(v) (decimals are written as strings so that they stay exact)")
        }
        throw .field(path, "expected a decimal string such as \"97000.25\", found \(jsonDescription(v))")
    }
    do {
        return try Rational(decimal: s)
    } catch {
        throw .field(path, error.description)
    }
}

func jsonDescription(_ v: Any) -> String {
    switch v {
    case let s as String: return "the string \(quoted(s))"
    case is NSNull: return "null"
    case let n as NSNumber: return "the JSON number or boolean \(n)"
    case is [Any]: return "an array"
    case is [String: Any]: return "an object"
    default: return "a JSON \(type(of: v))"
    }
}

/// A JSON-style quoted string for error paths: `"BTC-PERP"`.
func quoted(_ s: String) -> String {
    var out = "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default:
            if ch.value < 0x20 { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
        }
    }
    return out + "\""
}
