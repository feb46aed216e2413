import Foundation
import XCTest
@testable import ZKGroup
@testable import ZKProofs
import ZKTestSupport

/// Vectors/rangeproof: deterministic valid proofs (seeded prover randomness),
/// one negative vector per verifier check, each with the error it must
/// raise, the valid proofs against other widths, proofs by dishonest
/// provers for values ≥ 2^w, and the statement shapes `RangeStatement.init`
/// refuses. Run with ZKMARGIN_WRITE_VECTORS=1 to rewrite the files after a
/// deliberate format change; otherwise the files are the reference.
final class RangeProofVectorTests: XCTestCase {

    /// A stable name for each error, as the vectors spell it.
    static func code(_ e: RangeProofError) -> String {
        switch e {
        case .invalidPoint(let field, let reason): return "invalidPoint(\(field)): \(groupCode(reason))"
        case .invalidScalar(let field, let reason): return "invalidScalar(\(field)): \(groupCode(reason))"
        case .proofLength(let expected, let got): return "proofLength(expected: \(expected), got: \(got))"
        case .roundCount(let expected, let got): return "roundCount(expected: \(expected), got: \(got))"
        case .verificationFailed: return "verificationFailed"
        case .valueOutOfRange(let form): return "valueOutOfRange(form: \(form))"
        case .unsupportedBitWidth(let n): return "unsupportedBitWidth(\(n))"
        case .widthCount(let expected, let got): return "widthCount(expected: \(expected), got: \(got))"
        case .widthOutOfRange(let form, let width, let bits): return "widthOutOfRange(form: \(form), width: \(width), bits: \(bits))"
        default: return "\(e)"
        }
    }

    static func groupCode(_ e: GroupError) -> String { e.code }

    /// A committed value: an integer, or 2ᵉ plus an integer.
    struct Value: ExpressibleByIntegerLiteral, Sendable {
        let power: Int?
        let offset: Int
        init(integerLiteral v: Int) { power = nil; offset = v }
        init(power: Int, plus offset: Int) { self.power = power; self.offset = offset }
        static func pow2(_ e: Int, plus k: Int = 0) -> Value { Value(power: e, plus: k) }
        func scalar(_ curve: Curve) -> Scalar {
            power.map { Scalar.powerOfTwo($0, plus: offset, curve: curve) } ?? Scalar(offset, curve: curve)
        }
    }

    /// A statement and its openings. `widths` nil: every width is n.
    struct ValidCase: Sendable {
        let name: String, curve: Curve, bits: Int, widths: [Int]?, seed: String
        let values: [Value]
        let forms: [(terms: [(Int, Int)], constant: Int)]
        let context: String

        init(name: String, curve: Curve, bits: Int, widths: [Int]? = nil, seed: String, values: [Value],
             forms: [(terms: [(Int, Int)], constant: Int)], context: String) {
            self.name = name; self.curve = curve; self.bits = bits; self.widths = widths; self.seed = seed
            self.values = values; self.forms = forms; self.context = context
        }
    }

    static let validCases: [ValidCase] = [
        ValidCase(name: "single-64", curve: .p256, bits: 64, seed: "rp-vector-1", values: [1_000_000],
                  forms: [([(0, 1)], 0)], context: "single value"),
        ValidCase(name: "affine-32", curve: .p256, bits: 32, seed: "rp-vector-2", values: [5000, -1200, 7],
                  forms: [([(0, 1), (1, 1)], -100), ([(1, -3)], 0), ([(2, 1000), (0, -1)], 0)], context: "bundle|account|epoch"),
        ValidCase(name: "single-64", curve: .secp256k1, bits: 64, seed: "rp-vector-3", values: [1_000_000],
                  forms: [([(0, 1)], 0)], context: "single value"),
        ValidCase(name: "affine-8", curve: .secp256k1, bits: 8, seed: "rp-vector-4", values: [200, 55, -3],
                  forms: [([(0, 1), (1, -1)], 0), ([(2, -1)], 250), ([(0, 1)], -200), ([(1, 2), (2, 1)], 0), ([(1, 1)], 0)], context: ""),
    ] + Curve.allCases.enumerated().flatMap { i, curve in [
        // Every form at the top of its width: 2⁶⁴ − 1, 2⁴⁰ − 1, 1, 2⁶³ − 2.
        ValidCase(name: "mixed-64", curve: curve, bits: 64, widths: [64, 40, 1, 63], seed: "rp-vector-\(5 + 2 * i)",
                  values: [.pow2(64, plus: -1), .pow2(40, plus: -1), 1, .pow2(63, plus: -1)],
                  forms: [([(0, 1)], 0), ([(1, 1)], 0), ([(2, 1)], 0), ([(3, 1), (2, -1)], 0)], context: "mixed widths"),
        // n = 256: 2²⁵⁰ − 1 at width 250, 2¹²⁹ − 1 at width 129.
        ValidCase(name: "mixed-256", curve: curve, bits: 256, widths: [250, 129], seed: "rp-vector-\(6 + 2 * i)",
                  values: [.pow2(250, plus: -1), .pow2(129, plus: -1)],
                  forms: [([(0, 1)], 0), ([(1, 1)], 0)], context: "n = 256"),
    ] }

    /// False statements (form 1's value ≥ 2^{w₁}) and how a dishonest
    /// prover, built from the prover's pieces, made its proof.
    struct DishonestCase: Sendable {
        let statement: ValidCase
        let how: String
        /// a_L holds the value's bits up to these widths; d is built from `dWidths`.
        let bitWidths: [Int], dWidths: [Int]
    }

    static let dishonestCases: [DishonestCase] = Curve.allCases.enumerated().flatMap { i, curve in [
        DishonestCase(
            statement: ValidCase(name: "width-ignored-64", curve: curve, bits: 64, widths: [64, 40], seed: "rp-dishonest-\(1 + 2 * i)",
                                 values: [7, .pow2(40)], forms: [([(0, 1)], 0), ([(1, 1)], 0)], context: "dishonest"),
            how: "the width ignored: a_L and d at n = 64 for every form, under the transcript of widths [64, 40]",
            bitWidths: [64, 64], dWidths: [64, 64]),
        DishonestCase(
            statement: ValidCase(name: "padding-bits-256", curve: curve, bits: 256, widths: [250, 129], seed: "rp-dishonest-\(2 + 2 * i)",
                                 values: [1, .pow2(129, plus: 5)], forms: [([(0, 1)], 0), ([(1, 1)], 0)], context: "dishonest"),
            how: "padding bits set: a_L holds all 256 bits of each value, d is zero beyond the widths [250, 129]",
            bitWidths: [256, 256], dWidths: [250, 129]),
    ] }

    /// Shapes `RangeStatement.init` refuses: (n, widths, form count, error).
    static let refusedStatements: [(bits: Int, widths: [Int], forms: Int, error: String)] = [
        (64, [0], 1, "widthOutOfRange(form: 0, width: 0, bits: 64)"),
        (64, [64, 65], 2, "widthOutOfRange(form: 1, width: 65, bits: 64)"),
        (256, [250, 257], 2, "widthOutOfRange(form: 1, width: 257, bits: 256)"),
        (8, [8, -1, 3], 3, "widthOutOfRange(form: 1, width: -1, bits: 8)"),
        (64, [64], 2, "widthCount(expected: 2, got: 1)"),
        (64, [64, 40, 1], 2, "widthCount(expected: 2, got: 3)"),
        (512, [256], 1, "unsupportedBitWidth(512)"),
        (255, [255], 1, "unsupportedBitWidth(255)"),
    ]

    struct Built {
        let statement: RangeStatement
        let openings: [Opening]
        let proof: [UInt8]
        let json: [String: Any]
    }

    static func build(_ c: ValidCase) throws -> Built {
        var rng = SeededRandom(seed: c.seed)
        let (st, openings) = try statement(c, &rng)
        let proof = try BulletproofsPlus.prove(st, openings: openings, generators: .standard(c.curve), using: &rng).encoded()
        return Built(statement: st, openings: openings, proof: proof, json: try json(c, st, openings, proof))
    }

    /// A dishonest case's statement, openings and proof (the honest prover
    /// refuses the same statement).
    static func build(_ d: DishonestCase) throws -> Built {
        var rng = SeededRandom(seed: d.statement.seed)
        let (st, openings) = try statement(d.statement, &rng)
        let proof = dishonestProof(st, openings: openings, generators: .standard(st.curve),
                                   bitWidths: d.bitWidths, dWidths: d.dWidths, using: &rng).encoded()
        var json = try json(d.statement, st, openings, proof)
        json["how"] = d.how
        json["error"] = "verificationFailed"
        do {
            _ = try BulletproofsPlus.prove(st, openings: openings, generators: .standard(st.curve), using: &rng)
            json["prover_error"] = "none"
        } catch {
            json["prover_error"] = code(error)
        }
        return Built(statement: st, openings: openings, proof: proof, json: json)
    }

    /// The statement of a case, its openings drawn first from `rng`.
    static func statement(_ c: ValidCase, _ rng: inout SeededRandom) throws -> (RangeStatement, [Opening]) {
        let gens = Generators.standard(c.curve)
        let s = { (v: Int) in Scalar(v, curve: c.curve) }
        let openings = c.values.map { Opening.random(value: $0.scalar(c.curve), using: &rng) }
        let cs = openings.map { Commitment($0, generators: gens) }
        let forms = c.forms.map { f in AffineForm(curve: c.curve, terms: f.terms.map { ($0.0, s($0.1)) }, constant: s(f.constant)) }
        let st = try RangeStatement(curve: c.curve, bits: c.bits, widths: c.widths ?? [Int](repeating: c.bits, count: forms.count),
                                    commitments: cs, forms: forms, context: Array(c.context.utf8))
        return (st, openings)
    }

    static func json(_ c: ValidCase, _ st: RangeStatement, _ openings: [Opening], _ proof: [UInt8]) throws -> [String: Any] {
        [
            "name": c.name, "curve": c.curve.rawValue, "bits": c.bits, "widths": st.widths, "seed": c.seed,
            "context": Array(c.context.utf8).hexString,
            "openings": openings.map { ["value": $0.value.bytes.hexString, "blinding": $0.blinding.bytes.hexString] },
            "commitments": try st.commitments.map { try $0.encoded().hexString },
            "forms": st.forms.map { f in [
                "terms": f.terms.map { ["index": $0.index, "coefficient": $0.coefficient.bytes.hexString] as [String: Any] },
                "constant": f.constant.bytes.hexString] as [String: Any] },
            "proof": proof.hexString,
        ]
    }

    /// The statement stored in a vector, read back from the file alone; its
    /// openings open its commitments.
    static func stored(_ v: [String: Any], curve: Curve) throws -> (RangeStatement, [Opening]) {
        let gens = Generators.standard(curve)
        let openings = try (v["openings"] as! [[String: String]]).map {
            Opening(value: try Scalar(canonical: XCTUnwrap([UInt8](hex: $0["value"]!)), curve: curve),
                    blinding: try Scalar(canonical: XCTUnwrap([UInt8](hex: $0["blinding"]!)), curve: curve))
        }
        let cs = try (v["commitments"] as! [String]).map { try Commitment(encoded: XCTUnwrap([UInt8](hex: $0)), curve: curve) }
        XCTAssertEqual(openings.map { Commitment($0, generators: gens) }, cs, "commitment known answers")
        let forms = try (v["forms"] as! [[String: Any]]).map { f in
            AffineForm(curve: curve, terms: try (f["terms"] as! [[String: Any]]).map {
                ($0["index"] as! Int, try Scalar(canonical: XCTUnwrap([UInt8](hex: $0["coefficient"] as! String)), curve: curve))
            }, constant: try Scalar(canonical: XCTUnwrap([UInt8](hex: f["constant"] as! String)), curve: curve))
        }
        let st = try RangeStatement(curve: curve, bits: v["bits"] as! Int, widths: v["widths"] as! [Int], commitments: cs, forms: forms,
                                    context: XCTUnwrap([UInt8](hex: v["context"] as! String)))
        return (st, openings)
    }

    /// Other widths for a valid proof's statement, each of which it must
    /// fail: the first width above 1 narrowed by one, the first below n
    /// widened by one, and the first two distinct widths swapped.
    static func widthVariants(_ st: RangeStatement) -> [(name: String, widths: [Int])] {
        let w = st.widths, n = st.bits
        var out: [(String, [Int])] = []
        if let k = w.firstIndex(where: { $0 > 1 }) {
            var v = w; v[k] -= 1
            out.append(("width of form \(k) narrowed to \(v[k])", v))
        }
        if let k = w.firstIndex(where: { $0 < n }) {
            var v = w; v[k] += 1
            out.append(("width of form \(k) widened to \(v[k])", v))
        }
        if let k = w.indices.dropFirst().first(where: { w[$0] != w[0] }) {
            var v = w; v.swapAt(0, k)
            out.append(("widths of forms 0 and \(k) swapped", v))
        }
        return out
    }

    /// One mutation per verifier check.
    static func negatives(_ b: Built) -> [(name: String, proof: [UInt8], error: String)] {
        let p = b.proof
        let curve = b.statement.curve
        let k = b.statement.rounds
        let scalarsAt = p.count - 96
        func replacing(_ offset: Int, _ bytes: [UInt8]) -> [UInt8] {
            var q = p
            q.replaceSubrange(offset..<offset + bytes.count, with: bytes)
            return q
        }
        let order = curve.orderBytes
        // r' + n when that still fits 256 bits: the same scalar, non-canonically.
        let rPrime = Array(p[scalarsAt..<scalarsAt + 32])
        var sum = [UInt8](repeating: 0, count: 33)
        var carry = 0
        for i in stride(from: 31, through: 0, by: -1) {
            let t = Int(rPrime[i]) + Int(order[i]) + carry
            sum[i + 1] = UInt8(t & 0xff); carry = t >> 8
        }
        sum[0] = UInt8(carry)
        let nonCanonical = sum[0] == 0 ? Array(sum[1...]) : order
        let prime = curve.primeBytes
        var out: [(String, [UInt8], String)] = [
            ("r' + n (non-canonical encoding of r')", replacing(scalarsAt, nonCanonical), "invalidScalar(r'): scalarNotReduced"),
            ("s' = 2^256 - 1", replacing(scalarsAt + 32, [UInt8](repeating: 0xff, count: 32)), "invalidScalar(s'): scalarNotReduced"),
            ("δ' = n", replacing(scalarsAt + 64, order), "invalidScalar(δ'): scalarNotReduced"),
            ("A = identity (33 zero bytes)", replacing(0, [UInt8](repeating: 0, count: 33)), "invalidPoint(A): identityEncoding"),
            ("A1 prefix 04", replacing(33, [0x04]), "invalidPoint(A1): uncompressedPoint"),
            ("B prefix 07", replacing(66, [0x07]), "invalidPoint(B): hybridPoint"),
            ("L[0] prefix 05", replacing(99, [0x05]), "invalidPoint(L[0]): invalidPointPrefix"),
            ("R[0] x = p", replacing(132 + 1, prime), "invalidPoint(R[0]): coordinateNotReduced"),
            ("truncated by one byte", Array(p.dropLast()), "proofLength(expected: \(p.count), got: \(p.count - 1))"),
            ("one byte appended", p + [0], "proofLength(expected: \(p.count), got: \(p.count + 1))"),
            ("empty", [], "proofLength(expected: \(p.count), got: 0)"),
            ("one round too few", Array(p[0..<99]) + Array(p[165...]), "roundCount(expected: \(k), got: \(k - 1))"),
            ("one round too many", Array(p[0..<165]) + Array(p[99..<165]) + Array(p[165...]), "roundCount(expected: \(k), got: \(k + 1))"),
            ("L[0] and R[0] swapped", Array(p[0..<99]) + Array(p[132..<165]) + Array(p[99..<132]) + Array(p[165...]), "verificationFailed"),
            ("A replaced by A1", replacing(0, Array(p[33..<66])), "verificationFailed"),
            ("r' and s' swapped", replacing(scalarsAt, Array(p[scalarsAt + 32..<scalarsAt + 64]) + rPrime), "verificationFailed"),
        ]
        // A point whose x has no curve point: find one by trial.
        for x in UInt8(1)...UInt8(255) {
            let enc = [0x02] + [UInt8](repeating: 0, count: 31) + [x]
            if case .failure(.notOnCurve) = Result(catching: { () throws(GroupError) in try Point(compressed: enc, curve: curve) }) {
                out.append(("L[1] not on the curve", replacing(99 + 66, enc), "invalidPoint(L[1]): notOnCurve"))
                break
            }
        }
        return out.map { (name: $0.0, proof: $0.1, error: $0.2) }
    }

    func testVectors() throws {
        for curve in Curve.allCases {
            let relative = "rangeproof/\(curve.rawValue).json"
            let built = try Self.validCases.filter { $0.curve == curve }.map(Self.build)
            let dishonest = try Self.dishonestCases.filter { $0.statement.curve == curve }.map(Self.build)
            if regeneratingVectors {
                var negatives = [[String: Any]]()
                for (i, b) in built.enumerated() {
                    for n in Self.negatives(b) { negatives.append(["valid": i, "name": n.name, "proof": n.proof.hexString, "error": n.error]) }
                    for v in Self.widthVariants(b.statement) {
                        negatives.append(["valid": i, "name": v.name, "proof": b.proof.hexString, "widths": v.widths, "error": "verificationFailed"])
                    }
                }
                let refused = Self.refusedStatements.map { ["bits": $0.bits, "widths": $0.widths, "forms": $0.forms, "error": $0.error] as [String: Any] }
                let json: [String: Any] = ["curve": curve.rawValue, "valid": built.map(\.json), "invalid": negatives,
                                           "dishonest": dishonest.map(\.json), "refused_statements": refused]
                try writeVector(relative, json)
            }
            let stored = try XCTUnwrap(Repository.forTests.vectorObject(relative))
            let valid = try XCTUnwrap(stored["valid"] as? [[String: Any]])
            XCTAssertEqual(valid.count, built.count)
            XCTAssertGreaterThanOrEqual(valid.filter { Set($0["widths"] as! [Int]).count > 1 }.count, 2, "mixed widths")
            XCTAssertTrue(valid.contains { $0["bits"] as? Int == 256 }, "n = 256")
            let gens = Generators.standard(curve)
            var statements = [RangeStatement]()
            for (v, b) in zip(valid, built) {
                let (st, _) = try Self.stored(v, curve: curve)
                let proof = try XCTUnwrap([UInt8](hex: v["proof"] as! String))
                try BulletproofsPlus.verify(encoded: proof, for: st, generators: gens)
                // The seeded prover reproduces the stored proof byte for byte.
                XCTAssertEqual(proof, b.proof, "\(v["name"]!): the prover is no longer deterministic under a seed, or the format changed")
                statements.append(st)
            }
            let invalid = try XCTUnwrap(stored["invalid"] as? [[String: Any]])
            XCTAssertGreaterThanOrEqual(invalid.count, 17 * built.count)
            XCTAssertGreaterThanOrEqual(invalid.filter { $0["widths"] != nil }.count, built.count)
            for n in invalid {
                var st = statements[n["valid"] as! Int]
                if let widths = n["widths"] as? [Int] {
                    st = try RangeStatement(curve: curve, bits: st.bits, widths: widths, commitments: st.commitments, forms: st.forms, context: st.context)
                }
                let bytes = try XCTUnwrap([UInt8](hex: n["proof"] as! String))
                do {
                    try BulletproofsPlus.verify(encoded: bytes, for: st, generators: gens)
                    XCTFail("\(curve): accepted negative vector '\(n["name"]!)'")
                } catch {
                    XCTAssertEqual(Self.code(error), n["error"] as? String, "\(curve): \(n["name"]!)")
                }
            }
            try checkDishonest(stored, built: dishonest, curve: curve)
            try checkRefusedStatements(stored, curve: curve)
        }
    }

    /// Each dishonest proof fails with its error, the honest prover refuses
    /// its statement and openings, and the seeded dishonest prover
    /// reproduces it.
    func checkDishonest(_ stored: [String: Any], built: [Built], curve: Curve) throws {
        let dishonest = try XCTUnwrap(stored["dishonest"] as? [[String: Any]])
        XCTAssertEqual(dishonest.count, built.count)
        let gens = Generators.standard(curve)
        for (d, b) in zip(dishonest, built) {
            let name = "\(curve): dishonest '\(d["name"]!)'"
            let (st, openings) = try Self.stored(d, curve: curve)
            let proof = try XCTUnwrap([UInt8](hex: d["proof"] as! String))
            XCTAssertEqual(proof, b.proof, name)
            XCTAssertThrowsError(try BulletproofsPlus.verify(encoded: proof, for: st, generators: gens), name) {
                XCTAssertEqual(Self.code($0 as! RangeProofError), d["error"] as? String, name)
            }
            var rng = SeededRandom(seed: "unused")
            XCTAssertThrowsError(try BulletproofsPlus.prove(st, openings: openings, generators: gens, using: &rng), name) {
                XCTAssertEqual(Self.code($0 as! RangeProofError), d["prover_error"] as? String, name)
            }
        }
    }

    func checkRefusedStatements(_ stored: [String: Any], curve: Curve) throws {
        let refused = try XCTUnwrap(stored["refused_statements"] as? [[String: Any]])
        XCTAssertEqual(refused.count, Self.refusedStatements.count)
        let c = Commitment(point: Generators.standard(curve).g)
        for r in refused {
            let forms = [AffineForm](repeating: .variable(0, curve: curve), count: r["forms"] as! Int)
            XCTAssertThrowsError(try RangeStatement(curve: curve, bits: r["bits"] as! Int, widths: r["widths"] as! [Int],
                                                    commitments: [c], forms: forms, context: [])) {
                XCTAssertEqual(Self.code($0 as! RangeProofError), r["error"] as? String)
            }
        }
    }
}
