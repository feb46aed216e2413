import Foundation
import StrictJSON
import Synchronization
import XCTest
import ZKTestSupport

/// The subset of JSON Schema (2020-12) that `Vectors/schema/verdict@1.schema.json`
/// uses: `type` (one or a list, `integer` for whole numbers), `const`,
/// `enum`, `required`, `properties`, `additionalProperties: false`, `items`,
/// `oneOf`, `minimum` and local `$ref`s (`#/$defs/name`). Any other keyword
/// in the schema is an error, so the validator cannot silently ignore a rule.
struct SchemaValidator {
    let root: JSONObject

    static let known: Set<String> = ["$schema", "$id", "title", "type", "const", "enum", "required", "properties",
                                     "additionalProperties", "items", "oneOf", "minimum", "$ref", "$defs"]

    /// The problems of `value` against the root schema (empty when valid).
    func problems(_ value: JSONValue) -> [String] {
        var out: [String] = []
        check(value, against: root, at: "$", into: &out)
        return out
    }

    func resolve(_ schema: JSONObject) -> JSONObject {
        guard case .string(let ref)? = schema["$ref"] else { return schema }
        let name = String(ref.dropFirst("#/$defs/".count))
        guard ref.hasPrefix("#/$defs/"), case .object(let defs)? = root["$defs"], case .object(let target)? = defs[name] else {
            preconditionFailure("unresolvable $ref \(ref)")
        }
        return resolve(target)
    }

    static func typeName(_ v: JSONValue) -> [String] {
        switch v {
        case .null: return ["null"]
        case .bool: return ["boolean"]
        case .number(let n): return n.contains(where: { ".eE".contains($0) }) ? ["number"] : ["integer", "number"]
        case .string: return ["string"]
        case .array: return ["array"]
        case .object: return ["object"]
        }
    }

    func check(_ value: JSONValue, against raw: JSONObject, at path: String, into out: inout [String]) {
        let schema = resolve(raw)
        for key in schema.keys where !Self.known.contains(key) { preconditionFailure("schema keyword \(key) is not supported") }
        if let t = schema["type"] {
            var allowed: [String] = []
            if case .string(let s) = t { allowed = [s] }
            if case .array(let a) = t { allowed = a.compactMap { if case .string(let s) = $0 { return s } else { return nil } } }
            if Set(Self.typeName(value)).isDisjoint(with: allowed) { out.append("\(path): expected \(allowed.joined(separator: " or "))") }
        }
        if let c = schema["const"], c != value { out.append("\(path): expected the constant \(String(decoding: c.compactEncoded(), as: UTF8.self))") }
        if case .array(let options)? = schema["enum"], !options.contains(value) { out.append("\(path): not one of the allowed values") }
        if case .number(let m)? = schema["minimum"], case .number(let n) = value, let a = Double(n), let b = Double(m), a < b {
            out.append("\(path): below the minimum \(m)")
        }
        if case .object(let o) = value {
            if case .array(let required)? = schema["required"] {
                for case .string(let k) in required where !o.containsKey(k) { out.append("\(path): missing \(k)") }
            }
            let properties: JSONObject
            if case .object(let p)? = schema["properties"] { properties = p } else { properties = JSONObject() }
            for k in o.keys {
                if case .object(let sub)? = properties[k] {
                    check(o[k]!, against: sub, at: "\(path).\(k)", into: &out)
                } else if case .bool(false)? = schema["additionalProperties"] {
                    out.append("\(path): unexpected member \(k)")
                }
            }
        }
        if case .array(let items) = value, case .object(let sub)? = schema["items"] {
            for (i, item) in items.enumerated() { check(item, against: sub, at: "\(path)[\(i)]", into: &out) }
        }
        if case .array(let options)? = schema["oneOf"] {
            let matching = options.filter { option in
                guard case .object(let o) = option else { return false }
                var sub: [String] = []
                check(value, against: o, at: path, into: &sub)
                return sub.isEmpty
            }
            if matching.count != 1 { out.append("\(path): matches \(matching.count) of the oneOf alternatives, not exactly one") }
        }
    }
}

/// `Vectors/schema/verdict@1.schema.json`, loaded once.
let verdictSchema: SchemaValidator = {
    guard case .object(let o) = try! JSONParser.parse(try! Repository.forTests.read("Vectors/schema/verdict@1.schema.json")) else {
        preconditionFailure("the verdict schema is not an object")
    }
    return SchemaValidator(root: o)
}()

/// How many verdicts the suite has checked against the schema (the schema
/// test asserts it saw reports of every kind).
let verdictsChecked = Mutex<[String: Int]>([:])

/// Asserts `text` (a `zkmargin-verify --json` report, or a library
/// `VerificationReport.json`) is valid against the verdict schema, and
/// returns it parsed.
@discardableResult
func assertVerdict(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONObject? {
    guard case .object(let o)? = try? JSONParser.parse(Array(text.utf8)) else {
        XCTFail("not a JSON object: \(text)", file: file, line: line)
        return nil
    }
    let problems = verdictSchema.problems(.object(o))
    XCTAssertTrue(problems.isEmpty, "the verdict does not match Vectors/schema/verdict@1.schema.json: \(problems.prefix(5))\n\(text)", file: file, line: line)
    let kind: String
    if o["error"] != nil { kind = "unusable" } else if case .bool(true)? = o["valid"] { kind = "valid" } else { kind = "invalid" }
    verdictsChecked.withLock { $0[kind, default: 0] += 1 }
    return o
}
