public import MarginCircuits
public import StrictJSON
import ZKGroup

/// The canonical compiled statement (`zkmargin/compiled@1`, SPEC.md §16.3):
/// what a bundle's circuit compiles to, with the range proofs' plans for
/// both attestation modes, as deterministic JSON, so that an independent
/// implementation can compare its own compilation byte for byte.
///
/// Integers of any size are decimal strings, rationals `p/q` in lowest
/// terms (`p` alone when q = 1), indices and widths JSON numbers. The
/// digest is the SHA-256 of the statement's compact encoding
/// (`JSONValue.compactEncoded`); `zkmargin compile --json` prints
/// `{"sha256": digest, "statement": statement}` pretty-printed.
public enum CompiledExport {
    public static let formatName = "zkmargin/compiled@1"

    /// The statement object.
    public static func statement(_ compiled: CompiledStatement, circuitSource: String) -> JSONValue {
        let excludedInputs = Set(compiled.excludedInputs)
        let inputs: [JSONValue] = compiled.inputs.enumerated().map { j, x in
            .object(JSONObject([
                ("id", .string(x.id)),
                ("element", compiled.element(ofInput: j).map { .string($0) } ?? .null),
                ("lower", .string(x.lowerBound.description)),
                ("upper", .string(x.upperBound.description)),
                ("scale", .string(rationalText(x.scale))),
                ("excluded", .bool(excludedInputs.contains(j))),
            ]))
        }
        let helpers: [JSONValue] = compiled.helpers.map { h in
            var o = JSONObject([
                ("id", .string(h.id)),
                ("kind", .string(kindText(h.kind))),
                ("unit", .string(rationalText(h.unit))),
                ("lower", .string(h.lowerBound.description)),
                ("upper", .string(h.upperBound.description)),
                ("branches", .array(h.branches.map { .object(form($0.terms, $0.constant)) })),
            ])
            // Only rounding helpers have a divisor (max/min objects are unchanged).
            if h.kind == .ceiling || h.kind == .floor { o["divisor"] = .string(h.divisor.description) }
            return .object(o)
        }
        let constraints: [JSONValue] = compiled.constraints.map { c in
            var o = JSONObject([
                ("name", .string(c.name)),
                ("requirement", .bool(c.isRequirement)),
                ("width", .number(String(c.bitWidth))),
                ("scale", .string(rationalText(c.scale))),
            ])
            for (k, v) in form(c.terms, c.constant).entries { o[k] = v }
            return .object(o)
        }
        var plans: [JSONValue] = []
        for mode in [AttestationMode.custodian, .selfAttested] {
            var o = JSONObject([("attestation", .string(mode.rawValue))])
            do {
                let plan = try ProofPlan(statement: compiled, mode: mode)
                o["committed_inputs"] = .array(plan.committedInputs.map { .number(String($0)) })
                o["bounds"] = .array(plan.constraints[compiled.constraints.count...].map { c in
                    var b = JSONObject([("name", .string(c.name)), ("width", .number(String(c.bitWidth)))])
                    for (k, v) in form(c.terms, c.constant).entries { b[k] = v }
                    return .object(b)
                })
                o["chunks"] = .array(plan.chunks.map { chunk in
                    .object(JSONObject([
                        ("n", .number(String(chunk.bits))),
                        ("constraints", .array(chunk.constraints.map { .number(String($0)) })),
                        ("widths", .array(chunk.widths.map { .number(String($0)) })),
                        ("commitments", .array(chunk.commitments.map { .number(String($0)) })),
                    ]))
                })
            } catch {
                o["refused"] = .bool(true)
            }
            plans.append(.object(o))
        }
        return .object(JSONObject([
            ("format", .string(formatName)),
            ("circuit", .string(compiled.circuitName)),
            ("circuit_sha256", .string(SHA256.hash(Array(circuitSource.utf8)).hexString)),
            ("excluded", .array(compiled.excludedElements.map { .string($0) })),
            ("inputs", .array(inputs)),
            ("helpers", .array(helpers)),
            ("constraints", .array(constraints)),
            ("plans", .array(plans)),
        ]))
    }

    /// SHA-256 of the statement's compact encoding, lower-case hex.
    public static func digest(_ statement: JSONValue) -> String { SHA256.hash(statement.compactEncoded()).hexString }

    /// What `zkmargin compile --json` prints: `{"sha256", "statement"}`,
    /// pretty-printed (`JSONValue.encoded`).
    public static func document(_ compiled: CompiledStatement, circuitSource: String) -> [UInt8] {
        let s = statement(compiled, circuitSource: circuitSource)
        return JSONValue.object(JSONObject([("sha256", .string(digest(s))), ("statement", s)])).encoded()
    }

    /// A helper kind as §16.11 spells it.
    static func kindText(_ kind: CompiledHelper.Kind) -> String {
        switch kind {
        case .maximum: return "max"
        case .minimum: return "min"
        case .ceiling: return "ceil"
        case .floor: return "floor"
        }
    }

    /// `p/q` in lowest terms, `p` when q = 1.
    static func rationalText(_ r: Rational) -> String {
        r.denominator == .one ? r.numerator.description : "\(r.numerator.description)/\(r.denominator.description)"
    }

    /// `terms` as `[[index, "coefficient"], …]` and the constant.
    static func form(_ terms: [AffineTerm], _ constant: BigInt) -> JSONObject {
        JSONObject([
            ("terms", .array(terms.map { .array([.number(String($0.index)), .string($0.coefficient.description)]) })),
            ("constant", .string(constant.description)),
        ])
    }
}

extension Workflow {
    /// The compiled statement of a bundle (`zkmargin compile --bundle`),
    /// for the anonymity set `hidingAmong` if given (as a verifier compiles
    /// it for a proof that excludes the other position elements), and the
    /// circuit's source.
    public static func compiledStatement(bundlePath: String, hidingAmong: AnonymitySet? = nil) throws(SolvencyError) -> (CompiledStatement, String) {
        let bundle = try RiskBundle.load(path: bundlePath)
        return (try scoped(bundle.compiled(), hidingAmong), bundle.circuitSource)
    }

    /// The compiled statement of risk values and their circuit (found as for
    /// `publish`, or `circuitPath`), for `hidingAmong` if given.
    public static func compiledStatement(valuesPath: String, circuitPath: String? = nil, hidingAmong: AnonymitySet? = nil) throws(SolvencyError) -> (CompiledStatement, String) {
        let loaded = try loadValues(path: valuesPath, circuitPath: circuitPath)
        let compiled: CompiledStatement
        do {
            compiled = try MarginCircuits.compile(circuitSource: loaded.circuit.source, fileName: loaded.circuit.path, values: loaded.values)
        } catch { throw .circuit(error) }
        return (try scoped(compiled, hidingAmong), loaded.circuit.source)
    }

    private static func scoped(_ compiled: CompiledStatement, _ kept: AnonymitySet?) throws(SolvencyError) -> CompiledStatement {
        guard let kept else { return compiled }
        do { return try compiled.hidingAmong(kept.elements) } catch { throw .circuit(error) }
    }
}
