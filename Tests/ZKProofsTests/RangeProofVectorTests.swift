import Foundation
import XCTest
@testable import ZKGroup
@testable import ZKProofs
import ZKTestSupport

/// Vectors/rangeproof: deterministic valid proofs (seeded prover randomness)
/// and one negative vector per verifier check, each with the error it must
/// raise. Run with ZKMARGIN_WRITE_VECTORS=1 to rewrite the files after a
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
        default: return "\(e)"
        }
    }

    static func groupCode(_ e: GroupError) -> String { e.code }

    struct ValidCase {
        let name: String, curve: Curve, bits: Int, seed: String
        let values: [Int]
        let forms: [(terms: [(Int, Int)], constant: Int)]
        let context: String
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
    ]

    struct Built {
        let statement: RangeStatement
        let openings: [Opening]
        let proof: [UInt8]
        let json: [String: Any]
    }

    static func build(_ c: ValidCase) throws -> Built {
        var rng = SeededRandom(seed: c.seed)
        let gens = Generators.standard(c.curve)
        let s = { (v: Int) in Scalar(v, curve: c.curve) }
        let openings = c.values.map { Opening.random(value: s($0), using: &rng) }
        let cs = openings.map { Commitment($0, generators: gens) }
        let forms = c.forms.map { f in AffineForm(curve: c.curve, terms: f.terms.map { ($0.0, s($0.1)) }, constant: s(f.constant)) }
        let st = try RangeStatement(curve: c.curve, bits: c.bits, commitments: cs, forms: forms, context: Array(c.context.utf8))
        let proof = try BulletproofsPlus.prove(st, openings: openings, generators: gens, using: &rng).encoded()
        let json: [String: Any] = [
            "name": c.name, "curve": c.curve.rawValue, "bits": c.bits, "seed": c.seed,
            "context": Array(c.context.utf8).hexString,
            "openings": openings.map { ["value": $0.value.bytes.hexString, "blinding": $0.blinding.bytes.hexString] },
            "commitments": try cs.map { try $0.encoded().hexString },
            "forms": forms.map { f in [
                "terms": f.terms.map { ["index": $0.index, "coefficient": $0.coefficient.bytes.hexString] as [String: Any] },
                "constant": f.constant.bytes.hexString] as [String: Any] },
            "proof": proof.hexString,
        ]
        return Built(statement: st, openings: openings, proof: proof, json: json)
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
            if regeneratingVectors {
                var negatives = [[String: Any]]()
                for (i, b) in built.enumerated() {
                    for n in Self.negatives(b) { negatives.append(["valid": i, "name": n.name, "proof": n.proof.hexString, "error": n.error]) }
                }
                let json: [String: Any] = ["curve": curve.rawValue, "valid": built.map(\.json), "invalid": negatives]
                try writeVector(relative, json)
            }
            let stored = try XCTUnwrap(Repository.forTests.vectorObject(relative))
            let valid = try XCTUnwrap(stored["valid"] as? [[String: Any]])
            XCTAssertEqual(valid.count, built.count)
            let gens = Generators.standard(curve)
            var statements = [RangeStatement]()
            for (v, b) in zip(valid, built) {
                // The stored statement, read back from the file alone.
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
                let st = try RangeStatement(curve: curve, bits: v["bits"] as! Int, commitments: cs, forms: forms,
                                            context: XCTUnwrap([UInt8](hex: v["context"] as! String)))
                let proof = try XCTUnwrap([UInt8](hex: v["proof"] as! String))
                try BulletproofsPlus.verify(encoded: proof, for: st, generators: gens)
                // The seeded prover reproduces the stored proof byte for byte.
                XCTAssertEqual(proof, b.proof, "\(v["name"]!): the prover is no longer deterministic under a seed, or the format changed")
                statements.append(st)
            }
            let invalid = try XCTUnwrap(stored["invalid"] as? [[String: Any]])
            XCTAssertGreaterThanOrEqual(invalid.count, 17 * built.count)
            for n in invalid {
                let st = statements[n["valid"] as! Int]
                let bytes = try XCTUnwrap([UInt8](hex: n["proof"] as! String))
                do {
                    try BulletproofsPlus.verify(encoded: bytes, for: st, generators: gens)
                    XCTFail("\(curve): accepted negative vector '\(n["name"]!)'")
                } catch {
                    XCTAssertEqual(Self.code(error), n["error"] as? String, "\(curve): \(n["name"]!)")
                }
            }
        }
    }
}
