import Foundation
import MarginCircuits
import XCTest
import ZKGroup
import ZKProofs
@testable import Solvency
import ZKTestSupport

/// Proofs over `ceil`/`floor` helpers (SPEC.md §16.4, "Rounding helpers"),
/// on `RoundingExample` (requirement 0.000008 rounded, 0.000007 unrounded):
/// honest accounts exactly at the rounded margin prove and verify, one
/// quantum short they do not; a prover that runs its own code cannot round
/// a requirement down (a ceil helper one lower), nor commit a helper far
/// outside its bound, which Q·t − E alone would admit modulo the group order.
final class RoundingProofTests: XCTestCase {
    static func account(_ balance: String) throws -> Account {
        try Account.decode(from: Data(RoundingExample.account(balance: balance).utf8))
    }

    func bundle() throws -> RiskBundle {
        try RiskBundle.publish(values: Array(RoundingExample.values.utf8), circuitName: "rounding", circuitSource: RoundingExample.circuit, epoch: "7",
                               issuedAt: testIssuedAt, validUntil: testValidUntil, key: TestKeys.publisher)
    }

    func testAtTheRoundedMarginProvesAndVerifiesAndOneQuantumShortDoesNot() throws {
        let bundle = try bundle()
        let compiled = try bundle.compiled()
        // 0.00000899 floors to 0.000008: exactly at the margin.
        let at = try Self.account("0.00000899")
        XCTAssertEqual(try compiled.evaluate(at).requirements[0].excess, .zero)
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: at, key: TestKeys.custodian, at: testNow)
        let proof = try Prover.prove(bundle: bundle, statement: statement, openings: openings, at: testNow)
        guard case .success = try verdict(proof.encoded(), bundle: bundle, policy: policy()) else { return XCTFail("the honest proof does not verify") }
        let selfProof = try Prover.proveSelfAttested(bundle: bundle, account: at, at: testNow)
        guard case .success = try verdict(selfProof.encoded(), bundle: bundle, policy: policy(selfAttested: true)) else {
            return XCTFail("the honest self-attested proof does not verify")
        }
        // 0.00000799 floors to 0.000007: one quantum short, though the
        // unrounded requirement (0.000007) would be met.
        let short = try Self.account("0.00000799")
        XCTAssertEqual(try compiled.evaluate(short).requirements[0].excess, try Rational(decimal: "-0.000001"))
        let (s2, o2) = try Custodian.attest(bundle: bundle, account: short, key: TestKeys.custodian, at: testNow)
        assertSolvencyError("marginShortfall") { try Prover.prove(bundle: bundle, statement: s2, openings: o2, at: testNow) }
        assertSolvencyError("marginShortfall") { try Prover.proveSelfAttested(bundle: bundle, account: short, at: testNow) }
    }

    /// The account one quantum short: committing each rounded-up ceil helper
    /// one lower would make the requirement hold (1 µUSD of excess), but its
    /// relation Q·t − E is then negative, and no proof can be made.
    func testACeilHelperCommittedOneLowerCannotBeProven() throws {
        let bundle = try bundle()
        let compiled = try bundle.compiled()
        let short = try Self.account("0.00000799")
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: short, key: TestKeys.custodian, at: testNow)
        var values = try compiled.allValues(for: short)
        var lowered: [String] = []
        for (k, h) in compiled.helpers.enumerated() where h.kind == .ceiling {
            let t = compiled.inputs.count + k
            let e = h.branches[0].evaluate(values)
            // Only those that rounded up (A and C); B is exactly on a multiple.
            guard !e.quotientAndRemainder(dividingBy: h.divisor).remainder.isZero else { continue }
            values[t] -= .one
            lowered.append(h.id)
        }
        XCTAssertEqual(lowered.count, 2)
        let requirement = try XCTUnwrap(compiled.constraints.first(where: \.isRequirement))
        XCTAssertEqual(Rational(requirement.value(values)) / requirement.scale, try Rational(decimal: "0.000001"), "the forged requirement holds")
        let relations = compiled.constraints.filter { c in lowered.contains { c.name.hasPrefix("\($0) >= ") } }
        XCTAssertEqual(relations.count, 2)
        for r in relations { XCTAssertTrue(r.value(values).isNegative, r.name) }
        try assertCannotProve(bundle, compiled, statement, openings, short, Array(values[compiled.inputs.count...]))
    }

    /// Modulo the group order n, Q·t − E ≡ r has a solution t for every r
    /// (Q is invertible): t = (E + r + k·n)/Q for the k that makes it an
    /// integer, about k·n/Q, far above any honest value. The relation's
    /// residue is then r, within its width; the bound t − T₀ ∈ [0, 2^w′)
    /// is what refuses it (as it refuses t just above the bound's end, T₁ + 1).
    func testAHelperOutsideItsBoundCannotBeProvenEvenWhereTheRelationHolds() throws {
        let bundle = try bundle()
        let compiled = try bundle.compiled()
        let n = DishonestProver.order(bundle.curve)
        let account = try Self.account("1")
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow)
        let honest = try compiled.allValues(for: account)
        let k0 = try XCTUnwrap(compiled.helpers.firstIndex { $0.kind == .ceiling && $0.id.contains("size[A]") })
        let h = compiled.helpers[k0], t = compiled.inputs.count + k0
        let bound = try XCTUnwrap(compiled.constraints.first { $0.name.hasPrefix("\(h.id) in [") })
        let relation = try XCTUnwrap(compiled.constraints.first { $0.name.hasPrefix("\(h.id) >= ") })
        let e = h.branches[0].evaluate(honest)
        var huge: BigInt? = nil
        for k in 1...1_000_000 where huge == nil {
            let x = e + BigInt(1) + BigInt(k) * n
            if x.quotientAndRemainder(dividingBy: h.divisor).remainder.isZero { huge = BigInt.exactQuotient(x, h.divisor) }
        }
        // The bound's form is t − T₀: its end T₁ = T₀ + 2^w′ − 1.
        let t1 = -bound.constant + BigInt.powerOfTwo(bound.bitWidth) - .one
        for forged in [try XCTUnwrap(huge, "no k makes E + 1 + k·n a multiple of Q"), t1 + .one] {
            var values = honest
            values[t] = forged
            if forged != t1 + .one {
                XCTAssertEqual(DishonestProver.reduce(relation.value(values), n), .one, "the relation holds modulo n, with residue 1")
            }
            XCTAssertFalse(DishonestProver.reduce(bound.value(values), n) < BigInt.powerOfTwo(bound.bitWidth), "the bound refuses t = \(forged)")
            try assertCannotProve(bundle, compiled, statement, openings, account, Array(values[compiled.inputs.count...]))
        }
    }

    func assertCannotProve(_ bundle: RiskBundle, _ compiled: CompiledStatement, _ statement: AttestedStatement, _ openings: Openings,
                           _ account: Account, _ helperValues: [BigInt], file: StaticString = #filePath, line: UInt = #line) throws {
        let plan = try ProofPlan(statement: compiled, mode: .custodian)
        XCTAssertThrowsError(try DishonestProver.proof(bundle: bundle, plan: plan, account: account.label, inputs: .attested(statement),
                                                       inputOpenings: openings.entries.map(\.opening), helperValues: helperValues,
                                                       statementDigest: statement.digest), file: file, line: line) { error in
            guard case RangeProofError.valueOutOfRange = error else { return XCTFail("\(error)", file: file, line: line) }
        }
    }
}

extension RoundingProofTests {
    /// `zkmargin check` prints the exact rounded figures and exits 0 at the
    /// rounded margin, 1 one quantum short.
    func testCheckCommandAtAndBelowTheRoundedMargin() throws {
        let dir = try temporaryDirectory(self)
        try FileIO.write(Array(RoundingExample.circuit.utf8), to: "\(dir)/rounding.zkm", mode: 0o644)
        try FileIO.write(Array(RoundingExample.values.utf8), to: "\(dir)/values.json", mode: 0o644)
        for (balance, status, text) in [("0.00000899", Int32(0), "maintenance  0.000008     0.000008       0  ok"), ("0.00000799", 1, "short by 0.000001 USD")] {
            try FileIO.write(Array(RoundingExample.account(balance: balance).utf8), to: "\(dir)/account.json", mode: 0o644)
            let r = try CLI.run("zkmargin", ["check", "--values", "values.json", "--circuit", "rounding.zkm", "--account", "account.json"], in: dir)
            XCTAssertEqual(r.status, status, r.output)
            XCTAssertTrue(r.stdout.contains(text), r.stdout)
        }
    }
}

// MARK: Why each rounding helper needs its bound

extension RoundingProofTests {
    /// x's quantum is 3^-90 of its units: Q = 3^90 is coprime to the
    /// requirement's coefficient on t (10^30), so for a forged t ≡ (E + r)/Q
    /// the requirement reads 10^30·t ≡ (10^30/Q)·(E + r), a residue r chooses
    /// freely, not a small multiple of anything.
    static let forgeryCircuit = """
        set assets
        set reserves
        private x[a in assets] from balance in [0, 1e43] scale 1
        private y[b in reserves] from balance in [0, 1e40] scale 1
        require r: y["V"] >= ceil(x["U"] / 8727963568087712425891397479476727340041449, 1) * 1e30
        """

    /// Without the bound constraint, the relation Q·t − E ≡ r and the
    /// requirement F ≡ A − a·t are two congruences in t with residues r ∈
    /// [0, 2^143) and F ∈ [0, 2^133) to choose: 2^276 pairs for n ≈ 2^256
    /// values of t, so forging values exist, and a 2-dimensional lattice
    /// reduction finds one. Range proofs of every constraint but the bound
    /// then verify for an account 10^30 − 1 short; with the bound no proof
    /// can be made, and the verifier refuses the forged file.
    func testWithoutItsBoundARoundingHelperCouldForgeAProof() throws {
        let bundle = try RiskBundle.publish(values: Array(#"{"venue": "Test", "quote": "USD", "circuit": "forgery", "assets": ["U"], "reserves": ["V"]}"#.utf8),
                                            circuitName: "forgery", circuitSource: Self.forgeryCircuit, epoch: "7",
                                            issuedAt: testIssuedAt, validUntil: testValidUntil, key: TestKeys.publisher)
        let compiled = try bundle.compiled()
        let account = try Account.decode(from: Data(#"{"account": "fund-f", "balances": {"U": "5000000000000000000000000000000000000000000", "V": "1"}}"#.utf8))
        XCTAssertEqual(try compiled.evaluate(account).requirements[0].excess, Rational(1) - Rational(BigInt.powerOfTen(30)))
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow)
        assertSolvencyError("marginShortfall") { try Prover.prove(bundle: bundle, statement: statement, openings: openings, at: testNow) }

        let n = DishonestProver.order(bundle.curve)
        var values = try compiled.allValues(for: account)
        let h = compiled.helpers[0], t = compiled.inputs.count
        let bound = try XCTUnwrap(compiled.constraints.firstIndex { $0.name.hasPrefix("\(h.id) in [") })
        let relation = compiled.constraints[bound + 1], requirement = compiled.constraints[bound + 2]
        XCTAssertEqual(relation.bitWidth, 143)
        let a = -(try XCTUnwrap(requirement.terms.first { $0.index == t })).coefficient
        let e = h.branches[0].evaluate(values)
        let rest = requirement.value(values) + a * values[t]            // the requirement without its t term
        let qInverse = Self.inverse(h.divisor, modulo: n)
        let c = DishonestProver.reduce(a * qInverse, n)
        // c·r + F ≡ rest − c·E, with r < 2^w (relation) and F < 2^wF (requirement).
        let (r, f) = try XCTUnwrap(Self.smallSolution(c: c, target: DishonestProver.reduce(rest - c * e, n), n: n,
                                                      rBits: relation.bitWidth, fBits: requirement.bitWidth), "no forging residues found")
        values[t] = DishonestProver.reduce((e + r) * qInverse, n)
        XCTAssertEqual(DishonestProver.reduce(relation.value(values), n), r)
        XCTAssertEqual(DishonestProver.reduce(requirement.value(values), n), f)
        XCTAssertFalse(DishonestProver.reduce(compiled.constraints[bound].value(values), n) < BigInt.powerOfTwo(compiled.constraints[bound].bitWidth))

        // A plan without the bound: the forgery's range proofs verify.
        let plan = try ProofPlan(statement: compiled, mode: .custodian)
        let unbound = ProofPlan(mode: plan.mode, inputCount: plan.inputCount, helperCount: plan.helperCount, constraints: plan.constraints,
                                claims: plan.claims, chunks: plan.constraints.indices.filter { $0 != bound }.map { i in
            let c = plan.constraints[i]
            return ProofPlan.Chunk(bits: ProofPlan.proofSize(forWidth: c.bitWidth), constraints: [i],
                                   commitments: Set(c.terms.map(\.index)).sorted(), widths: [c.bitWidth])
        })
        let helperValues = Array(values[compiled.inputs.count...])
        let inputOpenings = openings.entries.map(\.opening)
        let forgery = try DishonestProver.proof(bundle: bundle, plan: unbound, account: account.label, inputs: .attested(statement),
                                                inputOpenings: inputOpenings, helperValues: helperValues, statementDigest: statement.digest)
        XCTAssertNoThrow(try DishonestProver.verifyRangeProofs(forgery, plan: unbound, bundle: bundle, statement: statement),
                         "without the bound the forgery verifies")

        // With it: the forged file is refused, and no proof can be made.
        assertInvalid(forgery.encoded(), bundle: bundle, code: "proofMismatch")
        try assertCannotProve(bundle, compiled, statement, openings, account, helperValues)
    }

    /// x⁻¹ mod n (n prime, x not a multiple of n), by the extended Euclidean algorithm.
    static func inverse(_ x: BigInt, modulo n: BigInt) -> BigInt {
        var (r0, r1) = (DishonestProver.reduce(x, n), n)
        var (s0, s1) = (BigInt.one, BigInt.zero)
        while !r1.isZero {
            let q = BigInt.floorDivide(r0, r1)
            (r0, r1) = (r1, r0 - q * r1)
            (s0, s1) = (s1, s0 - q * s1)
        }
        return DishonestProver.reduce(s0, n)
    }

    /// (r, F) with c·r + F ≡ target (mod n), 0 ≤ r < 2^rBits, 0 ≤ F < 2^fBits,
    /// when the box holds more than n points: the lattice {(r, F): c·r + F ≡
    /// 0} with F weighted by 2^(rBits − fBits) (a square box), reduced by
    /// Lagrange's algorithm, and the point of the coset (0, target) nearest
    /// the box's centre by Babai's rounding (trying the neighbouring ones).
    static func smallSolution(c: BigInt, target: BigInt, n: BigInt, rBits: Int, fBits: Int) -> (BigInt, BigInt)? {
        let w = BigInt.powerOfTwo(rBits - fBits)
        func dot(_ u: (BigInt, BigInt), _ v: (BigInt, BigInt)) -> BigInt { u.0 * v.0 + u.1 * v.1 }
        func rounded(_ p: BigInt, _ q: BigInt) -> BigInt { q.isNegative ? rounded(-p, -q) : BigInt.floorDivide(p + p + q, q + q) }
        // Basis (r, w·F): (1, w·(n − c)) and (0, w·n).
        var b1 = (BigInt.one, w * (n - c)), b2 = (BigInt.zero, w * n)
        while true {
            if dot(b2, b2) < dot(b1, b1) { swap(&b1, &b2) }
            let mu = rounded(dot(b1, b2), dot(b1, b1))
            if mu.isZero { break }
            b2 = (b2.0 - mu * b1.0, b2.1 - mu * b1.1)
        }
        // Target offset v ≈ (2^(rBits−1), w·(2^(fBits−1) − target)).
        let v = (BigInt.powerOfTwo(rBits - 1), w * (BigInt.powerOfTwo(fBits - 1) - target))
        let det = b1.0 * b2.1 - b1.1 * b2.0
        let alpha = rounded(v.0 * b2.1 - v.1 * b2.0, det), beta = rounded(b1.0 * v.1 - b1.1 * v.0, det)
        for da in [0, -1, 1] {
            for db in [0, -1, 1] {
                let (i, j) = (alpha + BigInt(da), beta + BigInt(db))
                let r = i * b1.0 + j * b2.0
                let f = target + BigInt.exactQuotient(i * b1.1 + j * b2.1, w)
                if !r.isNegative, r < BigInt.powerOfTwo(rBits), !f.isNegative, f < BigInt.powerOfTwo(fBits) { return (r, f) }
            }
        }
        return nil
    }
}
