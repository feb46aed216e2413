import Foundation
import MarginCircuits
import XCTest
import ZKTestSupport
import ZKGroup
@testable import Solvency

/// The property behind "no wrap-around", checked on random small circuits
/// with random (often extreme) bounds and parameters, independently of the
/// compiler's own analysis:
///
/// 1. every constraint is proven at exactly the width its analysis assumed
///    (the chunk's n equals the constraint's bit width);
/// 2. for every value a prover could commit that the *proven* ranges admit
///    (inputs within their declared bounds, or for self-attested proofs
///    within what the proven bound constraints admit; helpers within what
///    their own proven constraints admit), no form reaches n − 2^w in
///    magnitude, n the group order and w the proven width. Then
///    "F mod n ∈ [0, 2^w)" implies "F ∈ [0, 2^w)" over the integers.
///
/// The admitted ranges are computed here by interval arithmetic from the
/// plan's constraints and chunk widths, not taken from the compiler.
final class WrapAroundPropertyTests: XCTestCase {
    func testRandomCircuitsProveEveryConstraintAtItsWidthWithoutWrapAround() throws {
        var rng = SplitMix64(seed: 0x7a6b_6d61_7267_696e)
        let n = [Curve.p256, .secp256k1].map(DishonestProver.order).min()!
        var compiled = 0, refusedByAnalysis = 0, plans = 0, roundingHelpers = 0
        for round in 0..<1500 {
            let circuit = RandomCircuit(&rng)
            let statement: CompiledStatement
            do throws(MarginError) {
                let values = try RiskValues.decode(from: Data(circuit.values.utf8))
                statement = try compile(circuitSource: circuit.source, fileName: "random.zkm", values: values)
            } catch {
                // The analysis may refuse (too wide, could wrap): sound, if
                // unhelpful. Anything else is a bug in this generator.
                guard case .statement = error else { return XCTFail("round \(round): \(error)\n\(circuit.source)\n\(circuit.values)") }
                refusedByAnalysis += 1
                continue
            }
            compiled += 1
            roundingHelpers += statement.helpers.filter { $0.kind == .ceiling || $0.kind == .floor }.count
            for mode in [AttestationMode.custodian, .selfAttested] {
                guard let plan = try? ProofPlan(statement: statement, mode: mode) else { continue }
                plans += 1
                check(plan, statement, n: n, round: round, circuit: circuit)
            }
        }
        // The test must exercise the analysis, not only its refusals.
        XCTAssertGreaterThan(compiled, 300, "compiled \(compiled), refused \(refusedByAnalysis)")
        XCTAssertGreaterThan(refusedByAnalysis, 10, "extreme parameters should sometimes be refused")
        XCTAssertGreaterThan(plans, 450)
        XCTAssertGreaterThan(roundingHelpers, 200, "ceil and floor helpers must be exercised")
    }

    func check(_ plan: ProofPlan, _ s: CompiledStatement, n: BigInt, round: Int, circuit: RandomCircuit,
               file: StaticString = #filePath, line: UInt = #line) {
        let where_ = "round \(round), \(plan.mode)\n\(circuit.source)\n\(circuit.values)"
        // 1. The proven width of each constraint is its analysed width.
        var proven = [Int](repeating: 0, count: plan.constraints.count)
        for chunk in plan.chunks {
            // The width each form is proven at: what the range statement
            // weights (its bits at and above it count 0), within the proof size.
            for (c, w) in zip(chunk.constraints, chunk.widths) {
                XCTAssertLessThanOrEqual(w, chunk.bits, file: file, line: line)
                proven[c] = w
            }
        }
        for (i, c) in plan.constraints.enumerated() where proven[i] != c.bitWidth {
            XCTFail("\(c.name): analysed at \(c.bitWidth) bits, proven at \(proven[i]) — \(where_)", file: file, line: line)
        }
        func form(_ c: PlannedConstraint) -> AffineForm { AffineForm(terms: c.terms, constant: c.constant) }
        func noWrap(_ lo: BigInt, _ hi: BigInt, width: Int, _ what: String) {
            let bound = n - BigInt.powerOfTwo(width)
            if lo.magnitude > bound || hi.magnitude > bound {
                XCTFail("\(what) reaches 2^\(Swift.max(lo.magnitude.bitWidth, hi.magnitude.bitWidth)), ≥ n − 2^\(width) — \(where_)", file: file, line: line)
            }
        }

        // 2. Admitted ranges. Inputs: declared bounds (custodian), or what
        // the proven bound constraints admit (self-attested).
        var lo = s.inputs.map(\.lowerBound), hi = s.inputs.map(\.upperBound)
        if plan.mode == .selfAttested {
            for j in s.inputs.indices {
                var admittedLo: BigInt? = nil, admittedHi: BigInt? = nil
                for (i, c) in plan.constraints.enumerated() where !c.isRequirement && c.terms.count == 1 && c.terms[0].index == j {
                    let p = BigInt.powerOfTwo(proven[i]) - 1
                    // x − l ∈ [0, 2^w) or u − x ∈ [0, 2^w): the constant is −l or u.
                    if c.terms[0].coefficient == .one {
                        admittedLo = -c.constant
                        admittedHi = Swift.min(admittedHi ?? (-c.constant + p), -c.constant + p)
                    } else if c.terms[0].coefficient == -1 {
                        admittedHi = Swift.min(admittedHi ?? c.constant, c.constant)
                        admittedLo = Swift.max(admittedLo ?? (c.constant - p), c.constant - p)
                    }
                }
                XCTAssertEqual(admittedLo, lo[j], "\(s.inputs[j].id): the proof admits \(String(describing: admittedLo)) below the declared bound — \(where_)", file: file, line: line)
                XCTAssertEqual(admittedHi, hi[j], "\(s.inputs[j].id): the proof admits \(String(describing: admittedHi)) above the declared bound — \(where_)", file: file, line: line)
            }
        }
        // Helpers: a committed t is represented by T = B₀ + r with r ∈
        // [0, 2^w₀) from its first constraint (max; symmetric for min); every
        // constraint on t must then be free of wrap-around, and each gives a
        // true integer inequality that narrows T.
        for (h, helper) in s.helpers.enumerated() {
            let t = s.inputs.count + h
            if helper.kind == .ceiling || helper.kind == .floor {
                guard let (tLo, tHi) = roundingRange(helper, t, plan, proven, lo: lo, hi: hi, noWrap: noWrap) else {
                    return XCTFail("helper \(helper.id): no bound or relation constraint proves it — \(where_)", file: file, line: line)
                }
                lo.append(tLo)
                hi.append(tHi)
                continue
            }
            var branchRanges: [(BigInt, BigInt)] = []
            var widths: [Int] = []
            for b in helper.branches {
                branchRanges.append(interval(b.terms, b.constant, lo: lo, hi: hi))
                let tForm = AffineForm(terms: [AffineTerm(index: t, coefficient: .one)], constant: .zero)
                let expected = helper.kind == .maximum ? difference(tForm, b) : difference(b, tForm)
                guard let i = plan.constraints.indices.first(where: { form(plan.constraints[$0]) == expected }) else {
                    return XCTFail("helper \(helper.id): no constraint proves its branch \(b) — \(where_)", file: file, line: line)
                }
                widths.append(proven[i])
            }
            let isMax = helper.kind == .maximum
            let p0 = BigInt.powerOfTwo(widths[0]) - 1
            var tLo = isMax ? branchRanges[0].0 : branchRanges[0].0 - p0
            var tHi = isMax ? branchRanges[0].1 + p0 : branchRanges[0].1
            for (k, (bl, bh)) in branchRanges.enumerated() {
                let (dLo, dHi) = isMax ? (tLo - bh, tHi - bl) : (bl - tHi, bh - tLo)
                noWrap(dLo, dHi, width: widths[k], "helper \(helper.id) against branch \(k)")
            }
            for (k, (bl, bh)) in branchRanges.enumerated() {
                let p = BigInt.powerOfTwo(widths[k]) - 1
                if isMax { tLo = Swift.max(tLo, bl); tHi = Swift.min(tHi, bh + p) } else { tLo = Swift.max(tLo, bl - p); tHi = Swift.min(tHi, bh) }
            }
            lo.append(tLo)
            hi.append(tHi)
        }
        // Every constraint, requirement or not, over the admitted box.
        for (i, c) in plan.constraints.enumerated() {
            let (fLo, fHi) = interval(c.terms, c.constant, lo: lo, hi: hi)
            noWrap(fLo, fHi, width: proven[i], c.name)
        }
        // The interval arithmetic itself, on random corners of the box.
        var rng = SplitMix64(seed: UInt64(round))
        for _ in 0..<8 {
            let corner = lo.indices.map { rng.next() & 1 == 0 ? lo[$0] : hi[$0] }
            for c in plan.constraints {
                let v = form(c).evaluate(corner)
                let (fLo, fHi) = interval(c.terms, c.constant, lo: lo, hi: hi)
                XCTAssertTrue(v >= fLo && v <= fHi, "\(c.name) = \(v) outside its computed range", file: file, line: line)
            }
        }
    }
}

/// What a rounding helper's proven constraints admit: its bound t − T₀ ∈
/// [0, 2^w′) pins t to [T₀, T₀ + 2^w′ − 1]; there its relation Q·t − E (E − Q·t
/// for floor) must not wrap, and then narrows t over the integers. Nil when
/// the plan lacks either constraint.
func roundingRange(_ helper: CompiledHelper, _ t: Int, _ plan: ProofPlan, _ proven: [Int], lo: [BigInt], hi: [BigInt],
                   noWrap: (BigInt, BigInt, Int, String) -> Void) -> (BigInt, BigInt)? {
    let up = helper.kind == .ceiling, q = helper.divisor, e = helper.branches[0]
    let (eLo, eHi) = interval(e.terms, e.constant, lo: lo, hi: hi)
    guard let b = plan.constraints.indices.first(where: { plan.constraints[$0].terms == [AffineTerm(index: t, coefficient: .one)] }) else { return nil }
    let tq = AffineForm(terms: [AffineTerm(index: t, coefficient: q)], constant: .zero)
    let relation = up ? difference(tq, e) : difference(e, tq)
    guard let r = plan.constraints.indices.first(where: { AffineForm(terms: plan.constraints[$0].terms, constant: plan.constraints[$0].constant) == relation }) else { return nil }
    var tLo = -plan.constraints[b].constant, tHi = tLo + BigInt.powerOfTwo(proven[b]) - 1
    let (dLo, dHi) = up ? (q * tLo - eHi, q * tHi - eLo) : (eLo - q * tHi, eHi - q * tLo)
    noWrap(dLo, dHi, proven[r], "helper \(helper.id)'s relation")
    let p = BigInt.powerOfTwo(proven[r]) - 1
    if up {
        tLo = Swift.max(tLo, BigInt.ceilingDivide(eLo, q))
        tHi = Swift.min(tHi, BigInt.floorDivide(eHi + p, q))
    } else {
        tLo = Swift.max(tLo, BigInt.ceilingDivide(eLo - p, q))
        tHi = Swift.min(tHi, BigInt.floorDivide(eHi, q))
    }
    return (tLo, tHi)
}

/// [min, max] of Σ c·x + k over the box lo ≤ x ≤ hi.
func interval(_ terms: [AffineTerm], _ constant: BigInt, lo: [BigInt], hi: [BigInt]) -> (BigInt, BigInt) {
    var a = constant, b = constant
    for t in terms {
        let (x, y) = (t.coefficient * lo[t.index], t.coefficient * hi[t.index])
        a += Swift.min(x, y)
        b += Swift.max(x, y)
    }
    return (a, b)
}

/// x − y as a normalised form (terms sorted by index, no zero coefficient).
func difference(_ x: AffineForm, _ y: AffineForm) -> AffineForm {
    var m: [Int: BigInt] = [:]
    for t in x.terms { m[t.index, default: .zero] += t.coefficient }
    for t in y.terms { m[t.index, default: .zero] -= t.coefficient }
    let terms = m.keys.sorted().compactMap { i in m[i]!.isZero ? nil : AffineTerm(index: i, coefficient: m[i]!) }
    return AffineForm(terms: terms, constant: x.constant - y.constant)
}

/// A random circuit over two sets with signed and non-negative parameters,
/// two private inputs with random bounds and scales, and one to three
/// requirements built so that abs, max and ceil sit on the requirement side
/// and min and floor on the equity side (the checker's convexity rule).
struct RandomCircuit {
    var source = ""
    var values = ""

    init(_ rng: inout SplitMix64) {
        // Bounds: small, byte-sized (the span 2^w − 1 of finding F2), large, signed.
        let bounds = ["[0, 255]", "[-128, 127]", "[0, 65535]", "[0, 1e12]", "[-1e9, 1e9]", "[-1, 1]", "[0, 1e18]", "[-1e15, 1e15]", "[0, 4294967295]"]
        let scales = ["1", "1e-8", "1e-12", "1e3", "1e-2"]
        source = """
            set xs
            set ys
            param a[i in xs]
            param p[i in xs] >= 0
            param m[i in xs, j in ys]
            param q[i in xs, j in ys] >= 0
            param k >= 0
            private u[i in xs] from balance in \(rng.pick(bounds)) scale \(rng.pick(scales))
            private v[i in xs] from size in \(rng.pick(bounds)) scale \(rng.pick(scales))

            """
        for r in 0..<(1 + rng.below(3)) {
            source += "require r\(r): sum(i in xs: \(concave(&rng, depth: 0))) + k >= sum(i in xs: \(convex(&rng, depth: 0)))\n"
        }
        // Parameters: zero, ordinary, tiny and extreme magnitudes (1.2e35, 2.3e36 are the review's).
        let ordinary = ["0", "1", "0.005", "97000", "0.0000002481900353", "3", "0.5", "2500"]
        let extreme = ["0.000000000000000000000000000001", "120000000000000000000000000000000000", "2300000000000000000000000000000000000",
                       "123456789.123456789", "1000000000000", "340282366920938463463374607431768211456"]
        func number(_ rng: inout SplitMix64, signed: Bool) -> String {
            let x = rng.below(4) == 0 ? rng.pick(extreme) : rng.pick(ordinary)
            return signed && rng.below(2) == 0 && x != "0" ? "-" + x : x
        }
        let xs = (0..<(1 + rng.below(3))).map { "x\($0)" }
        let ys = (0..<(1 + rng.below(3))).map { "y\($0)" }
        var elements: [String] = []
        for x in xs {
            let m = ys.map { "\"\($0)\": \"\(number(&rng, signed: true))\"" }.joined(separator: ", ")
            let q = ys.map { "\"\($0)\": \"\(number(&rng, signed: false))\"" }.joined(separator: ", ")
            elements.append(#"{"id": "\#(x)", "a": "\#(number(&rng, signed: true))", "p": "\#(number(&rng, signed: false))", "m": {\#(m)}, "q": {\#(q)}}"#)
        }
        values = """
            {"venue": "Random", "quote": "USD", "circuit": "random", "parameters": {"k": "\(number(&rng, signed: false))"},
             "xs": [\(elements.joined(separator: ", "))], "ys": [\(ys.map { "\"\($0)\"" }.joined(separator: ", "))]}
            """
    }

    /// Rounding quanta: coarse, fine, not a power of ten, extreme.
    static let quanta = ["0.01", "1", "0.000001", "3", "0.0007", "1e-30", "1e20"]

    /// Affine in the inputs of element i.
    func affine(_ rng: inout SplitMix64) -> String {
        rng.pick(["u[i]", "v[i]", "u[i] * a[i]", "v[i] * a[i] - u[i]", "-v[i]", "v[i] * p[i] + 1", "u[i] * p[i]"])
    }

    /// An expression that larger helper values can only make larger (the requirement side).
    func convex(_ rng: inout SplitMix64, depth: Int) -> String {
        let leaf = depth >= 2
        switch rng.below(leaf ? 4 : 8) {
        case 0: return affine(&rng)
        case 1: return "abs(\(affine(&rng))) * p[i]"
        case 2: return "max(-v[i], 0) * p[i]"
        case 3: return "ceil(\(leaf ? affine(&rng) : convex(&rng, depth: depth + 1)), \(rng.pick(RandomCircuit.quanta)))"
        case 4: return "max(\(convex(&rng, depth: depth + 1)), \(convex(&rng, depth: depth + 1)))"
        case 5: return "max(j in ys: v[i] * m[i, j] - q[i, j])"
        case 6: return "p[i] * (\(convex(&rng, depth: depth + 1)))"
        default: return "\(convex(&rng, depth: depth + 1)) + \(convex(&rng, depth: depth + 1))"
        }
    }

    /// An expression that larger helper values can only make smaller (the equity side).
    func concave(_ rng: inout SplitMix64, depth: Int) -> String {
        let leaf = depth >= 2
        switch rng.below(leaf ? 3 : 6) {
        case 0: return affine(&rng)
        case 1: return "min(\(affine(&rng)), \(affine(&rng)))"
        case 2: return "floor(\(leaf ? affine(&rng) : concave(&rng, depth: depth + 1)), \(rng.pick(RandomCircuit.quanta)))"
        case 3: return "-(\(convex(&rng, depth: depth + 1)))"
        case 4: return "p[i] * (\(concave(&rng, depth: depth + 1)))"
        default: return "\(concave(&rng, depth: depth + 1)) + \(concave(&rng, depth: depth + 1))"
        }
    }
}
