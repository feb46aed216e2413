import Foundation
import XCTest
@testable import ZKGroup
@testable import ZKProofs
import ZKTestSupport

/// Generator and commitment known answers (Vectors/generators, Vectors/commitments)
/// and the commitment homomorphism on both curves.
final class GeneratorsAndCommitmentsTests: XCTestCase {
    func generatorsJSON(_ curve: Curve) throws -> [String: Any] {
        let gens = Generators.standard(curve)
        let (gs, hs) = gens.vectors(8)
        return [
            "curve": curve.rawValue,
            "suite": curve.hashToCurveSuite,
            "dst": String(decoding: gens.dst, as: UTF8.self),
            "G": try gens.g.compressed().hexString,
            "H": try gens.h.compressed().hexString,
            "Gi": try gs.map { try $0.compressed().hexString },
            "Hi": try hs.map { try $0.compressed().hexString },
        ]
    }

    func commitmentsJSON(_ curve: Curve) throws -> [String: Any] {
        var rng = SeededRandom(seed: "commitment-vectors-\(curve)")
        let gens = Generators.standard(curve)
        var cases = [[String: String]]()
        for v in [0, 1, -1, 97_000_25, Int(Int64.max)] {
            let o = Opening.random(value: Scalar(v, curve: curve), using: &rng)
            cases.append(["value": o.value.bytes.hexString, "blinding": o.blinding.bytes.hexString,
                          "commitment": try Commitment(o, generators: gens).encoded().hexString])
        }
        return ["curve": curve.rawValue, "cases": cases]
    }

    func check(_ family: String, _ curve: Curve, _ make: (Curve) throws -> [String: Any]) throws {
        let relative = "\(family)/\(curve.rawValue).json"
        let fresh = try make(curve)
        if regeneratingVectors { try writeVector(relative, fresh) }
        let stored = try XCTUnwrap(Repository.forTests.vectorObject(relative)) as NSDictionary
        XCTAssertEqual(stored, fresh as NSDictionary, "\(family)/\(curve.rawValue).json differs from what the code computes")
    }

    func testGeneratorKnownAnswers() throws {
        for curve in Curve.allCases { try check("generators", curve, generatorsJSON) }
    }

    func testCommitmentKnownAnswers() throws {
        for curve in Curve.allCases {
            try check("commitments", curve, commitmentsJSON)
            // And the stored commitments open with the stored openings.
            let json = try XCTUnwrap(Repository.forTests.vectorObject("commitments/\(curve.rawValue).json"))
            for c in try XCTUnwrap(json["cases"] as? [[String: String]]) {
                let v = try Scalar(canonical: XCTUnwrap([UInt8](hex: c["value"]!)), curve: curve)
                let r = try Scalar(canonical: XCTUnwrap([UInt8](hex: c["blinding"]!)), curve: curve)
                let expected = try Commitment(encoded: XCTUnwrap([UInt8](hex: c["commitment"]!)), curve: curve)
                XCTAssertEqual(Commitment(Opening(value: v, blinding: r), generators: .standard(curve)), expected)
            }
        }
    }

    func testGeneratorsAreDistinctAndNotTheBasePoint() {
        for curve in Curve.allCases {
            let gens = Generators.standard(curve)
            let (gs, hs) = gens.vectors(64)
            var all = Set([gens.g, gens.h])
            for p in gs + hs { all.insert(p) }
            XCTAssertEqual(all.count, 2 + 128)
            XCTAssertFalse(all.contains { $0.isIdentity })
        }
    }

    func testGeneratorCacheIsConsistentAcrossThreads() {
        let gens = Generators.standard(.p256)
        let reference = gens.vectors(60)
        let results = Mutex2<[[Point]]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let (gs, _) = gens.vectors(20 + 5 * i)
            results.append(Array(gs))
        }
        for gs in results.value { XCTAssertEqual(gs, Array(reference.gs.prefix(gs.count))) }
    }

    func testHomomorphism() {
        for curve in Curve.allCases {
            var rng = SeededRandom(seed: "homomorphism-\(curve)")
            let gens = Generators.standard(curve)
            for _ in 0..<16 {
                let a = Opening.random(value: .random(curve, using: &rng), using: &rng)
                let b = Opening.random(value: .random(curve, using: &rng), using: &rng)
                XCTAssertEqual(Commitment(a, generators: gens) + Commitment(b, generators: gens), Commitment(a + b, generators: gens))
                XCTAssertEqual(Commitment(a, generators: gens) - Commitment(b, generators: gens),
                               Commitment(Opening(value: a.value - b.value, blinding: a.blinding - b.blinding), generators: gens))
            }
        }
    }

    func testEncodingRoundTripAndSecretsRedacted() throws {
        let o = Opening.random(value: Scalar(42, curve: .p256))
        let c = Commitment(o, generators: .standard(.p256))
        XCTAssertEqual(try Commitment(encoded: c.encoded(), curve: .p256), c)
        XCTAssertFalse("\(o)".contains(o.blinding.bytes.hexString))
        XCTAssertEqual("\(o)", "Opening(<redacted>)")
    }
}

/// A tiny lock-protected box for collecting results from concurrent work in tests.
final class Mutex2<T>: @unchecked Sendable {
    private var stored: T
    private let lock = NSLock()
    init(_ v: T) { stored = v }
    var value: T { lock.lock(); defer { lock.unlock() }; return stored }
    func append<E>(_ e: E) where T == [E] { lock.lock(); stored.append(e); lock.unlock() }
}
