public import MarginCircuits
public import StrictJSON

/// Why a venue's file cannot be imported: the field (a path into the file),
/// the value found and why it cannot be represented. Every refusal of an
/// importer is one of these; nothing is rounded or guessed.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public let field: String
    public let value: String?
    public let reason: String

    public init(_ field: String, _ value: String? = nil, _ reason: String) {
        self.field = field
        self.value = value
        self.reason = reason
    }

    public var description: String {
        "\(field)" + (value.map { ": \(Self.abbreviated(displaySafe($0)))" } ?? "") + ": \(reason)"
    }

    /// At most 60 characters of a value quoted in a message.
    static func abbreviated(_ text: String) -> String {
        text.count <= 60 ? text : "\(text.prefix(60))… (\(text.count) characters)"
    }
}

/// The numbers venues publish, read exactly (never through a binary float):
/// JSON numbers from their literal text (`0.0065`, `4.97038E7`), decimal
/// strings with or without an exponent (`"4.97038E7"`), and, where a field
/// is documented as one, percentages (`"0.5%"` = 1/200). An empty string is
/// what some venues send for "none" (Bybit's lowest tier's `mmDeduction`);
/// whether that means 0 is the importer's decision for that field, so it is
/// returned as nil here.
public enum WireNumber {
    /// The exact value of `value` at `field`, or nil for `""`.
    public static func read(_ value: JSONValue?, _ field: String, percent: Bool = false) throws(ImportError) -> Rational? {
        guard let value else { throw ImportError(field, nil, "missing") }
        let text: String
        switch value {
        case .number(let literal): text = literal
        case .string(let s): text = s
        case .null: throw ImportError(field, "null", "expected a number")
        case .bool(let b): throw ImportError(field, b ? "true" : "false", "expected a number")
        case .array, .object: throw ImportError(field, nil, "expected a number, found \(value.kindDescription)")
        }
        if text.isEmpty { return nil }
        var body = text
        let isPercent = percent && body.hasSuffix("%")
        if isPercent { body.removeLast() }
        do {
            let r = try Rational(decimal: body)
            return isPercent ? r / Rational(100) : r
        } catch {
            throw ImportError(field, text, "not an exact number: \(error.reason)")
        }
    }

    /// `read`, refusing an empty string.
    public static func required(_ value: JSONValue?, _ field: String, percent: Bool = false) throws(ImportError) -> Rational {
        guard let r = try read(value, field, percent: percent) else { throw ImportError(field, "\"\"", "an empty string where a number is required") }
        return r
    }

    /// The text of a string field (a symbol, an id).
    public static func string(_ value: JSONValue?, _ field: String) throws(ImportError) -> String {
        guard case .string(let s)? = value else { throw ImportError(field, nil, "expected a string") }
        guard !s.isEmpty else { throw ImportError(field, "\"\"", "empty") }
        return s
    }
}

/// A venue's file as JSON (the strict reader), or a refusal naming the input.
enum WireDocument {
    static func parse(_ bytes: [UInt8], _ what: String) throws(ImportError) -> JSONValue {
        do { return try JSONParser.parse(bytes) } catch { throw ImportError(what, nil, "not JSON: \(error)") }
    }
}
