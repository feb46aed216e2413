import XCTest
import ZKGroup
import ZKTestSupport
@testable import ZKProofs

/// Showing that commitments open to zero (the elements outside an
/// anonymity set), and every way a false or moved showing is refused.
final class ZeroOpeningsTests: XCTestCase {
    func commitments(_ values: [Int], curve: Curve) -> ([Commitment], [Opening]) {
        let g = Generators.standard(curve)
        let openings = values.map { Opening.random(value: Scalar(UInt64($0), curve: curve)) }
        return (openings.map { Commitment($0, generators: g) }, openings)
    }

    func testZeroOpeningsVerifyAndNothingElseDoes() {
        for curve in Curve.allCases {
            let g = Generators.standard(curve)
            let context = Array("bundle, statement, account, epoch, claims".utf8)
            let (cs, os) = commitments([5, 0, 0, 7, 0], curve: curve)
            let zero = [1, 2, 4]
            let rho = ZeroOpenings.prove(context: context, commitments: cs, indices: zero, openings: zero.map { os[$0] })
            XCTAssertTrue(ZeroOpenings.verify(context: context, commitments: cs, indices: zero, rho: rho, generators: g))
            // A nonzero value among the claimed zeros: no ρ works (the honest formula, nor any other tried).
            for bad in [[0, 1], [1, 3], [3]] {
                let forged = ZeroOpenings.prove(context: context, commitments: cs, indices: bad, openings: bad.map { os[$0] })
                XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: cs, indices: bad, rho: forged, generators: g), "\(bad)")
            }
            // Moved to another context, another list, other indices, or tampered.
            XCTAssertFalse(ZeroOpenings.verify(context: context + [0], commitments: cs, indices: zero, rho: rho, generators: g))
            XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: Array(cs.reversed()), indices: zero, rho: rho, generators: g))
            XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: cs, indices: [1, 2], rho: rho, generators: g))
            XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: cs, indices: [2, 1, 4], rho: rho, generators: g))
            XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: cs, indices: [1, 2, 5], rho: rho, generators: g))
            XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: cs, indices: zero, rho: rho + Scalar.one(curve), generators: g))
            XCTAssertTrue(ZeroOpenings.verify(context: context, commitments: cs, indices: [], rho: .zero(curve), generators: g))
            XCTAssertFalse(ZeroOpenings.verify(context: context, commitments: cs, indices: [], rho: .one(curve), generators: g))
        }
    }

    /// The weights depend on every commitment of the list, not only on the
    /// ones claimed zero: changing another one changes every weight.
    func testWeightsBindTheWholeList() {
        let (cs, _) = commitments([1, 0, 2], curve: .p256)
        let w = ZeroOpenings.weights(context: [], commitments: cs, indices: [1], curve: .p256)
        var other = cs
        other[2] = commitments([3], curve: .p256).0[0]
        XCTAssertNotEqual(w, ZeroOpenings.weights(context: [], commitments: other, indices: [1], curve: .p256))
        XCTAssertFalse(w.contains { $0.isZero })
    }
}

/// Known answers for `ZeroOpenings` (`Vectors/zero-openings/<curve>.json`):
/// the weights an independent implementation must derive from the
/// transcript, the ρ a prover reveals, and one negative vector per way the
/// verifier refuses.
final class ZeroOpeningsVectorTests: XCTestCase {
    struct Case {
        let name: String
        let values: [Int]
        let zero: [Int]
        let context: String
    }

    static let cases = [
        Case(name: "three-of-five", values: [5, 0, 0, 7, 0], zero: [1, 2, 4], context: "zkmargin test vector: three of five"),
        Case(name: "one-of-one", values: [0], zero: [0], context: ""),
        Case(name: "all-of-four", values: [0, 0, 0, 0], zero: [0, 1, 2, 3], context: "all"),
    ]

    struct Built {
        let commitments: [Commitment]
        let openings: [Opening]
        let weights: [Scalar]
        let rho: Scalar
    }

    static func build(_ c: Case, curve: Curve) -> Built {
        var rng = SeededRandom(seed: "zero-openings/\(curve.rawValue)/\(c.name)")
        let g = Generators.standard(curve)
        let openings = c.values.map { Opening.random(value: Scalar($0, curve: curve), using: &rng) }
        let commitments = openings.map { Commitment($0, generators: g) }
        let context = Array(c.context.utf8)
        let weights = ZeroOpenings.weights(context: context, commitments: commitments, indices: c.zero, curve: curve)
        let rho = ZeroOpenings.prove(context: context, commitments: commitments, indices: c.zero, openings: c.zero.map { openings[$0] })
        return Built(commitments: commitments, openings: openings, weights: weights, rho: rho)
    }

    /// Mutations of a valid case that must not verify: (name, context,
    /// indices, ρ, commitments as hex).
    static func negatives(_ c: Case, _ b: Built, curve: Curve) throws -> [[String: Any]] {
        let context = Array(c.context.utf8)
        let hex = try b.commitments.map { try $0.encoded().hexString }
        var out: [[String: Any]] = []
        func add(_ name: String, context ctx: [UInt8] = context, indices: [Int] = c.zero, rho: Scalar = b.rho, commitments: [String]? = nil) {
            out.append(["name": name, "context": ctx.hexString, "indices": indices, "rho": rho.bytes.hexString, "commitments": commitments ?? hex])
        }
        add("rho plus one", rho: b.rho + Scalar.one(curve))
        add("rho zero", rho: .zero(curve))
        add("context changed", context: context + [0x00])
        if c.values.count > 1 { add("commitments reversed", commitments: Array(hex.reversed())) }
        add("a commitment appended", commitments: hex + [hex[0]])
        if c.zero.count > 1 {
            add("an index dropped", indices: Array(c.zero.dropLast()))
            add("indices not ascending", indices: Array(c.zero.reversed()))
        }
        add("an index repeated", indices: c.zero + [c.zero.last!])
        add("an index out of range", indices: c.zero + [c.values.count])
        if let nonzero = c.values.indices.first(where: { c.values[$0] != 0 }) {
            // The honest formula over an index whose value is 5: what a
            // holder of that element would try.
            let indices = (c.zero + [nonzero]).sorted()
            let forged = ZeroOpenings.prove(context: context, commitments: b.commitments, indices: indices, openings: indices.map { b.openings[$0] })
            add("a nonzero value claimed zero", indices: indices, rho: forged)
        }
        return out
    }

    func testVectors() throws {
        for curve in Curve.allCases {
            let relative = "zero-openings/\(curve.rawValue).json"
            let built = Self.cases.map { Self.build($0, curve: curve) }
            if regeneratingVectors {
                var valid: [[String: Any]] = []
                var invalid: [[String: Any]] = []
                for (i, (c, b)) in zip(Self.cases, built).enumerated() {
                    valid.append([
                        "name": c.name, "context": Array(c.context.utf8).hexString,
                        "openings": b.openings.map { ["value": $0.value.bytes.hexString, "blinding": $0.blinding.bytes.hexString] },
                        "commitments": try b.commitments.map { try $0.encoded().hexString },
                        "indices": c.zero, "weights": b.weights.map { $0.bytes.hexString }, "rho": b.rho.bytes.hexString,
                    ])
                    invalid += try Self.negatives(c, b, curve: curve).map { $0.merging(["valid": i]) { a, _ in a } }
                }
                try writeVector(relative, ["curve": curve.rawValue, "protocol": ZeroOpenings.protocolLabel, "valid": valid, "invalid": invalid])
            }
            let stored = try XCTUnwrap(Repository.forTests.vectorObject(relative))
            XCTAssertEqual(stored["protocol"] as? String, ZeroOpenings.protocolLabel)
            let g = Generators.standard(curve)
            let valid = try XCTUnwrap(stored["valid"] as? [[String: Any]])
            XCTAssertEqual(valid.count, Self.cases.count)
            func commitments(_ list: Any?) throws -> [Commitment] {
                try (list as! [String]).map { try Commitment(encoded: XCTUnwrap([UInt8](hex: $0)), curve: curve) }
            }
            func scalar(_ text: Any?) throws -> Scalar { try Scalar(canonical: XCTUnwrap([UInt8](hex: text as! String)), curve: curve) }
            for (v, b) in zip(valid, built) {
                let name = "\(curve): \(v["name"]!)"
                let cs = try commitments(v["commitments"])
                let context = try XCTUnwrap([UInt8](hex: v["context"] as! String))
                let indices = v["indices"] as! [Int]
                // The stored openings open the stored commitments, and the
                // code derives the stored weights and ρ from them.
                let openings = try (v["openings"] as! [[String: String]]).map { Opening(value: try scalar($0["value"]), blinding: try scalar($0["blinding"])) }
                XCTAssertEqual(try openings.map { try Commitment($0, generators: g).encoded() }, try cs.map { try $0.encoded() }, name)
                XCTAssertEqual(ZeroOpenings.weights(context: context, commitments: cs, indices: indices, curve: curve), try (v["weights"] as! [String]).map(scalar), name)
                let rho = try scalar(v["rho"])
                XCTAssertEqual(rho, b.rho, "\(name): the seeded openings no longer give the stored ρ")
                XCTAssertTrue(ZeroOpenings.verify(context: context, commitments: cs, indices: indices, rho: rho, generators: g), name)
            }
            let invalid = try XCTUnwrap(stored["invalid"] as? [[String: Any]])
            XCTAssertGreaterThanOrEqual(invalid.count, 20)
            for n in invalid {
                let ok = ZeroOpenings.verify(context: try XCTUnwrap([UInt8](hex: n["context"] as! String)), commitments: try commitments(n["commitments"]),
                                             indices: n["indices"] as! [Int], rho: try scalar(n["rho"]), generators: g)
                XCTAssertFalse(ok, "\(curve): accepted negative vector '\(n["name"]!)' of valid[\(n["valid"]!)]")
            }
        }
    }
}
