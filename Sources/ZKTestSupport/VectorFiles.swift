import Foundation
package import StrictJSON

/// Reading the committed vectors (`Vectors/`) with the project's strict
/// reader: a vector file that repeats a key or breaks the grammar fails the
/// test that reads it.
extension Repository {
    /// `Vectors/<relative>`, parsed strictly.
    package func vector(_ relative: String) throws -> JSONValue {
        try JSONParser.parse(try read("Vectors/\(relative)"))
    }

    /// `Vectors/<relative>` as Foundation-style values (`[String: Any]`,
    /// `[Any]`, `String`, `Int`, `Double`, `Bool`, `NSNull`), for tests
    /// that read fields by key; nil when the document is not an object.
    package func vectorObject(_ relative: String) throws -> [String: Any]? {
        try vector(relative).foundationValue as? [String: Any]
    }
}

extension JSONValue {
    /// The value as Foundation's JSON reader would have returned it, except that
    /// numbers are `Int` when their literal is an integer that fits, else
    /// `Double`. (Keys go into a Swift `Dictionary`, which would merge two
    /// canonically equivalent keys; the vectors' keys are ASCII.)
    package var foundationValue: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .number(let text):
            if let i = Int(text) { return i }
            return Double(text) ?? Double.nan
        case .string(let s): return s
        case .array(let items): return items.map(\.foundationValue)
        case .object(let o):
            var out: [String: Any] = [:]
            for (k, v) in o.entries { out[k] = v.foundationValue }
            return out
        }
    }
}
