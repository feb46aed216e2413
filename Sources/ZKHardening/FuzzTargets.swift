import Foundation
import MarginCircuits
import Solvency
import StrictJSON
import ZKGroup
import ZKProofs
import ZKTestSupport

/// The fuzz targets. Each takes arbitrary bytes and must neither crash nor
/// break its oracle: decoders reject what they cannot read with an error,
/// the fast and the OpenSSL implementations agree, canonical encodings round
/// trip, and nothing but the honest fixture is ever accepted.
///
/// An oracle failure calls `fatalError`, which libFuzzer reports as a crash
/// and saves the input; a Swift runtime trap (overflow, out-of-bounds, a
/// failed precondition on input-derived data) is a crash too.
///
/// Input layouts: a leading selector byte where a target covers several
/// curves, statements or modes (`selector % count`), then the bytes.
package enum FuzzTarget: String, CaseIterable, Sendable {
    /// byte 0: curve; 33 bytes: a point encoding; optional 32 bytes: a scalar.
    /// Oracle: `Point` (OpenSSL), `AffinePoint` on the fast and the reference
    /// backend and `Commitment` accept exactly the same encodings with the same
    /// error; accepted encodings re-encode to themselves; with a scalar k,
    /// the fast MSM and OpenSSL agree on k·P + k·G.
    case point
    /// byte 0: curve; then a (32 bytes), b (32 bytes) and the rest.
    /// Oracle: canonical decoding ⇔ value < n; +, −, ·, inverse and wide
    /// reduction agree with exact GMP integers mod n.
    case scalar
    /// byte 0: one of four fixed statements; then proof bytes.
    /// Oracle: acceptance implies the bytes are the canonical encoding of
    /// the decoded proof.
    case rangeproof
    /// A circuit source. Oracle: no crash; a circuit that checks compiles or
    /// fails with an error against each shipped example's values.
    case circuit
    /// byte 0: a shipped circuit; then risk values JSON, compiled against it
    /// and evaluated with the example account.
    case values
    /// byte 0: a shipped circuit; then an account JSON, evaluated against
    /// the circuit compiled with its example values.
    case account
    /// byte 0 even: a whole bundle file; odd: a bundle payload, signed here
    /// with the fixture publisher key so the checks behind the signature are
    /// reached. Then the fixture proofs are verified against it.
    /// Oracle: any bundle that lets a fixture proof verify carries exactly
    /// the fixture's payload (the proof binds its digest).
    case bundle
    /// byte 0 even: a statement envelope; odd: a statement payload, signed
    /// here with the fixture custodian key, with the fixture statement's
    /// commitments. It replaces the fixture proof's statement, which is then
    /// verified.
    /// Oracle: acceptance implies the fixture's statement payload and
    /// commitments.
    case statement
    /// A proof file, verified against the fixture bundle and keys.
    /// Oracle: acceptance implies the fixture proof's content.
    case proof
    /// An inclusion proof file (`zkmargin/inclusion@1`), checked for the
    /// attested fixture proof in a fixture epoch index (that proof's leaf
    /// and two others, signed with the fixture custodian key).
    /// Oracle: acceptance implies the fixture's own inclusion proof
    /// (position, count, leaf and path).
    case inclusion

    /// Runs one input. Never throws; crashes only on a bug.
    package func run(_ input: [UInt8]) {
        switch self {
        case .point: PointTarget.run(input)
        case .scalar: ScalarTarget.run(input)
        case .rangeproof: RangeProofTarget.run(input)
        case .circuit: CircuitTargets.circuit(input)
        case .values: CircuitTargets.values(input)
        case .account: CircuitTargets.account(input)
        case .bundle: FileTargets.bundle(input)
        case .statement: FileTargets.statement(input)
        case .proof: FileTargets.proof(input)
        case .inclusion: FileTargets.inclusion(input)
        }
    }

    /// The seed inputs for this target (written to `Vectors/fuzz/<target>/`
    /// by `zkmargin-fuzz make-seeds`).
    package func seeds() -> [(name: String, bytes: [UInt8])] {
        switch self {
        case .point: PointTarget.seeds()
        case .scalar: ScalarTarget.seeds()
        case .rangeproof: RangeProofTarget.seeds()
        case .circuit: CircuitTargets.circuitSeeds()
        case .values: CircuitTargets.valuesSeeds()
        case .account: CircuitTargets.accountSeeds()
        case .bundle: FileTargets.bundleSeeds()
        case .statement: FileTargets.statementSeeds()
        case .proof: FileTargets.proofSeeds()
        case .inclusion: FileTargets.inclusionSeeds()
        }
    }
}

/// A broken oracle: the input found a bug.
func oracleFailure(_ target: FuzzTarget, _ message: String) -> Never {
    fatalError("zkmargin-fuzz \(target.rawValue): oracle violated: \(message)")
}

let fuzzCurves: [Curve] = [.p256, .secp256k1]

// MARK: - Points

enum PointTarget {
    static func run(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let curve = fuzzCurves[Int(selector) % fuzzCurves.count]
        let body = Array(input.dropFirst())
        let encoding = Array(body.prefix(33))
        let viaOpenSSL = Result { () throws(GroupError) in try Point(compressed: encoding, curve: curve) }
        let viaFast = Result { () throws(GroupError) in try AffinePoint(compressed: encoding, curve: curve, backend: .fast) }
        let viaReference = Result { () throws(GroupError) in try AffinePoint(compressed: encoding, curve: curve, backend: .reference) }
        let viaCommitment = Result { () throws(GroupError) in try Commitment(encoded: encoding, curve: curve) }
        switch (viaOpenSSL, viaFast, viaReference, viaCommitment) {
        case let (.success(p), .success(fast), .success(reference), .success(c)):
            guard fast == reference else { oracleFailure(.point, "fast and OpenSSL decompression disagree") }
            guard c.point == p, fast.point == p else { oracleFailure(.point, "decoders return different points") }
            guard (try? p.compressed()) == encoding, fast.compressed() == encoding else {
                oracleFailure(.point, "an accepted encoding does not re-encode to itself")
            }
            if body.count >= 65 {
                let k = Scalar(reducing: body[33..<65], curve: curve)
                let g = Point.generator(curve)
                let fastSum = MSM.compute(scalars: [k, k], points: [p, g], backend: .fast)
                let referenceSum = MSM.compute(scalars: [k, k], points: [p, g], backend: .reference)
                guard fastSum == referenceSum else { oracleFailure(.point, "fast MSM and OpenSSL disagree on k·P + k·G") }
            }
        case let (.failure(a), .failure(b), .failure(c), .failure(d)):
            guard a == b, b == c, c == d else { oracleFailure(.point, "decoders reject with different errors: \(a), \(b), \(c), \(d)") }
        default:
            oracleFailure(.point, "one decoder accepts what another rejects")
        }
    }

    static func seeds() -> [(name: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        for (c, curve) in fuzzCurves.enumerated() {
            let g = (try? Point.generator(curve).compressed()) ?? []
            let twoG = (try? (Point.generator(curve) + Point.generator(curve)).compressed()) ?? []
            let k = [UInt8](repeating: 0xA5, count: 32)
            let p = curve.primeBytes
            out.append(("\(curve.rawValue)-generator", [UInt8(c)] + g))
            out.append(("\(curve.rawValue)-2g-times-k", [UInt8(c)] + twoG + k))
            out.append(("\(curve.rawValue)-x-equals-p", [UInt8(c), 0x02] + p))
            out.append(("\(curve.rawValue)-uncompressed-prefix", [UInt8(c), 0x04] + g.dropFirst()))
            out.append(("\(curve.rawValue)-identity", [UInt8(c), 0x00]))
            out.append(("\(curve.rawValue)-x-zero", [UInt8(c), 0x03] + [UInt8](repeating: 0, count: 32)))
        }
        return out
    }
}

// MARK: - Scalars

enum ScalarTarget {
    static func run(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let curve = fuzzCurves[Int(selector) % fuzzCurves.count]
        let body = Array(input.dropFirst())
        let n = BigInt(magnitudeBigEndianBytes: curve.orderBytes)
        func exact(_ s: Scalar) -> BigInt { BigInt(magnitudeBigEndianBytes: s.bytes) }
        func reduced(_ x: BigInt) -> BigInt { x - BigInt.floorDivide(x, n) * n }

        // Wide reduction of everything after the selector.
        let wide = Scalar(reducing: body, curve: curve)
        guard exact(wide) == reduced(BigInt(magnitudeBigEndianBytes: body)) else {
            oracleFailure(.scalar, "Scalar(reducing:) differs from the exact residue")
        }
        let a = Array(body.prefix(32)), b = Array(body.dropFirst(32).prefix(32))
        let aValue = BigInt(magnitudeBigEndianBytes: a)
        let decodedA = try? Scalar(canonical: a, curve: curve)
        guard (decodedA != nil) == (a.count == 32 && aValue < n) else {
            oracleFailure(.scalar, "canonical decoding accepts a value ≥ n or rejects one < n")
        }
        guard let x = decodedA else { return }
        guard x.bytes == a else { oracleFailure(.scalar, "a canonical scalar does not re-encode to itself") }
        let y = Scalar(reducing: b, curve: curve)
        let xv = exact(x), yv = exact(y)
        guard exact(x + y) == reduced(xv + yv), exact(x - y) == reduced(xv - yv), exact(x * y) == reduced(xv * yv) else {
            oracleFailure(.scalar, "+, − or · disagrees with exact arithmetic mod n")
        }
        if let inv = x.inverse() {
            guard exact(x * inv) == BigInt(1) else { oracleFailure(.scalar, "x · x⁻¹ ≠ 1") }
        } else if !xv.isZero {
            oracleFailure(.scalar, "a nonzero scalar has no inverse")
        }
        if let inverses = Scalar.batchInverse([x, y]) {
            guard exact(inverses[0] * x) == BigInt(1), exact(inverses[1] * y) == BigInt(1) else {
                oracleFailure(.scalar, "batch inversion is wrong")
            }
        } else if !xv.isZero && !yv.isZero {
            oracleFailure(.scalar, "batch inversion failed on nonzero scalars")
        }
    }

    static func seeds() -> [(name: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        for (c, curve) in fuzzCurves.enumerated() {
            let n = curve.orderBytes
            var nMinus1 = n; nMinus1[31] &-= 1
            let zero = [UInt8](repeating: 0, count: 32), ones = [UInt8](repeating: 0xFF, count: 32)
            out.append(("\(curve.rawValue)-n-minus-1", [UInt8(c)] + nMinus1 + nMinus1))
            out.append(("\(curve.rawValue)-n", [UInt8(c)] + n + zero))
            out.append(("\(curve.rawValue)-zero", [UInt8(c)] + zero + ones))
            out.append(("\(curve.rawValue)-wide", [UInt8(c)] + ones + ones + ones))
        }
        return out
    }
}

// MARK: - Range proofs

/// Four fixed statements with valid proofs made from a fixed seed.
struct RangeProofFixtures: Sendable {
    let statements: [RangeStatement]
    let proofs: [[UInt8]]

    static let shared = RangeProofFixtures()

    private init() {
        var source = SeededRandom(seed: "zkmargin fuzz rangeproof fixtures")
        var statements: [RangeStatement] = []
        var proofs: [[UInt8]] = []
        // (curve, bits, committed values, forms as (terms, constant))
        let specs: [(Curve, Int, [Int], [([(Int, Int)], Int)])] = [
            (.p256, 8, [200], [([(0, 1)], 0)]),
            (.p256, 16, [100, 5], [([(0, 1), (1, 2)], -3), ([(1, 1)], 0)]),
            (.secp256k1, 8, [7], [([(0, 3)], 1)]),
            (.p256, 8, [1, 2, 3], [([(0, 1)], 0), ([(1, 1)], 0), ([(2, 1), (0, 1)], 0)]),
        ]
        for (k, (curve, bits, values, forms)) in specs.enumerated() {
            let generators = Generators.standard(curve)
            let openings = values.map { Opening.random(value: Scalar($0, curve: curve), using: &source) }
            let commitments = openings.map { Commitment($0, generators: generators) }
            let affine = forms.map { terms, constant in
                AffineForm(curve: curve, terms: terms.map { ($0.0, Scalar($0.1, curve: curve)) }, constant: Scalar(constant, curve: curve))
            }
            do {
                let statement = try RangeStatement(curve: curve, bits: bits, commitments: commitments, forms: affine,
                                                   context: Array("zkmargin fuzz statement \(k)".utf8))
                let proof = try BulletproofsPlus.prove(statement, openings: openings, generators: generators, using: &source)
                statements.append(statement)
                proofs.append(proof.encoded())
            } catch {
                preconditionFailure("range proof fixture \(k) cannot be built: \(error)")
            }
        }
        self.statements = statements
        self.proofs = proofs
    }
}

enum RangeProofTarget {
    static func run(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let fixtures = RangeProofFixtures.shared
        let index = Int(selector) % fixtures.statements.count
        let statement = fixtures.statements[index]
        let bytes = Array(input.dropFirst())
        let generators = Generators.standard(statement.curve)
        guard let proof = try? RangeProof(encoded: bytes, for: statement) else { return }
        guard proof.encoded() == bytes else { oracleFailure(.rangeproof, "a decoded proof does not re-encode to its bytes") }
        let single = (try? BulletproofsPlus.verify(proof, for: statement, generators: generators)) != nil
        let batch = (try? BulletproofsPlus.verifyBatch([(proof, statement)], generators: generators)) != nil
        guard single == batch else { oracleFailure(.rangeproof, "single and batch verification disagree") }
    }

    static func seeds() -> [(name: String, bytes: [UInt8])] {
        let fixtures = RangeProofFixtures.shared
        var out: [(String, [UInt8])] = []
        for (k, proof) in fixtures.proofs.enumerated() {
            out.append(("statement-\(k)-valid", [UInt8(k)] + proof))
            out.append(("statement-\(k)-truncated", [UInt8(k)] + proof.dropLast(32)))
        }
        return out
    }
}

// MARK: - Circuits, risk values, accounts

/// The shipped circuits with their example values and accounts.
struct CircuitExamples: Sendable {
    struct Example: Sendable {
        let name: String
        let source: String
        let valuesJSON: [UInt8]
        let values: RiskValues
        let compiled: CompiledStatement
        let accounts: [(name: String, json: [UInt8])]
    }

    let examples: [Example]

    static let shared: CircuitExamples = {
        guard let root = Repository.locate()?.root else {
            preconditionFailure("zkmargin-fuzz: run from the repository (or set ZKMARGIN_ROOT): Circuits/ and Vectors/ not found")
        }
        do { return try CircuitExamples(root: root) } catch {
            preconditionFailure("zkmargin-fuzz: cannot load the shipped circuits and examples: \(error)")
        }
    }()

    init(root: URL) throws {
        let fm = FileManager.default
        var examples: [Example] = []
        let repository = Repository(root: root)
        for name in try repository.shippedCircuits() {
            let file = "\(name).zkm"
            let dir = repository.url("Vectors/examples/\(name)")
            let source = try repository.circuitSource(name)
            let valuesJSON = try repository.example(name, "values.json")
            let values = try RiskValues.decode(from: Data(valuesJSON))
            let compiled = try compile(circuitSource: source, fileName: file, values: values)
            let accounts = try fm.contentsOfDirectory(atPath: dir.path).filter { $0 != "values.json" && $0.hasSuffix(".json") }.sorted()
                .map { ($0, Array(try Data(contentsOf: dir.appendingPathComponent($0)))) }
            examples.append(Example(name: name, source: source, valuesJSON: valuesJSON, values: values, compiled: compiled, accounts: accounts))
        }
        guard !examples.isEmpty else { throw FixtureError("no circuit with examples under \(root.path)") }
        self.examples = examples
    }

    func example(_ selector: UInt8) -> Example { examples[Int(selector) % examples.count] }
}

enum CircuitTargets {
    static func circuit(_ input: [UInt8]) {
        guard let source = String(validating: input, as: UTF8.self) else { return }
        guard let circuit = try? Circuit(source: source, fileName: "fuzz.zkm") else { return }
        for example in CircuitExamples.shared.examples {
            guard let compiled = try? compile(circuit, values: example.values) else { continue }
            for account in example.accounts {
                guard let decoded = try? Account.decode(from: Data(account.json)) else { continue }
                _ = try? compiled.evaluate(decoded)
            }
        }
    }

    static func values(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let example = CircuitExamples.shared.example(selector)
        guard let values = try? RiskValues.decode(from: Data(input.dropFirst())),
              let compiled = try? compile(circuitSource: example.source, fileName: "\(example.name).zkm", values: values) else { return }
        for account in example.accounts {
            guard let decoded = try? Account.decode(from: Data(account.json)) else { continue }
            _ = try? compiled.evaluate(decoded)
        }
    }

    static func account(_ input: [UInt8]) {
        guard let selector = input.first else { return }
        let example = CircuitExamples.shared.example(selector)
        guard let account = try? Account.decode(from: Data(input.dropFirst())) else { return }
        _ = try? example.compiled.evaluate(account)
    }

    static func circuitSeeds() -> [(name: String, bytes: [UInt8])] {
        CircuitExamples.shared.examples.map { ($0.name, Array($0.source.utf8)) }
    }

    static func valuesSeeds() -> [(name: String, bytes: [UInt8])] {
        CircuitExamples.shared.examples.enumerated().map { k, e in (e.name, [UInt8(k)] + e.valuesJSON) }
    }

    static func accountSeeds() -> [(name: String, bytes: [UInt8])] {
        CircuitExamples.shared.examples.enumerated().flatMap { k, e in
            e.accounts.map { ("\(e.name)-\($0.name.replacingOccurrences(of: ".json", with: ""))", [UInt8(k)] + $0.json) }
        }
    }
}

// MARK: - Signed files and proofs

enum FileTargets {
    static let fixtures: FuzzFixtures = {
        guard let root = Repository.locate()?.root else {
            preconditionFailure("zkmargin-fuzz: run from the repository (or set ZKMARGIN_ROOT): Circuits/ and Vectors/ not found")
        }
        do { return try FuzzFixtures(root: root) } catch {
            preconditionFailure("zkmargin-fuzz: \(error)")
        }
    }()

    /// The fixture proof decoded once: what an accepted proof must equal.
    static let honestProofs: Set<[UInt8]> = {
        var out: Set<[UInt8]> = []
        for (name, file) in fixtures.proofFiles {
            guard let p = try? MarginProof(encoded: file) else { preconditionFailure("zkmargin-fuzz: the fixture proof \(name) does not decode") }
            out.insert(p.encoded())
        }
        return out
    }()

    /// The fixture proof as JSON, and its statement's signed payload: parsed
    /// once, not on every input.
    static let fixtureProofObject: JSONObject = {
        guard let o = try? parseJSONObject(fixtures.proofFile, what: "proof") else {
            preconditionFailure("zkmargin-fuzz: the fixture proof is not a JSON object")
        }
        return o
    }()
    static let fixtureStatement: AttestedStatement = {
        guard let s = try? AttestedStatement(encoded: fixtures.statementFile) else {
            preconditionFailure("zkmargin-fuzz: the fixture statement does not decode")
        }
        return s
    }()
    static var fixtureStatementPayload: [UInt8] { fixtureStatement.envelope.payload }
    /// The fixture statement's commitments (the bytes its payload's digest covers).
    static let fixtureStatementCommitments: [UInt8] = fixtureStatement.commitments.flatMap { (try? $0.encoded()) ?? [] }

    /// Verifies the fixture proofs against `bundle`; true if any is accepted.
    static func anyFixtureProofAccepted(by bundle: RiskBundle) -> Bool {
        guard let report = try? Verifier.verify(bundle: bundle, proofs: fixtures.proofFiles, policy: fixtures.policy) else { return false }
        return report.verdicts.contains(where: \.isValid)
    }

    static func bundle(_ input: [UInt8]) {
        guard let mode = input.first else { return }
        let body = Array(input.dropFirst())
        let bundle: RiskBundle
        if mode % 2 == 0 {
            guard let b = try? RiskBundle(encoded: body) else { return }
            bundle = b
        } else {
            let envelope = SignedEnvelope(kind: .bundle, payload: body, key: fixtures.publisherKey)
            guard let b = try? RiskBundle(envelope: envelope) else { return }
            bundle = b
        }
        if anyFixtureProofAccepted(by: bundle), bundle.envelope.payload != fixtures.bundle.envelope.payload {
            oracleFailure(.bundle, "a fixture proof verifies against a bundle with a different payload")
        }
    }

    static func statement(_ input: [UInt8]) {
        guard let mode = input.first else { return }
        let body = Array(input.dropFirst())
        let statementObject: JSONObject
        if mode % 2 == 0 {
            guard let o = try? parseJSONObject(body, what: "statement") else { return }
            statementObject = o
        } else {
            statementObject = SignedEnvelope(kind: .statement, payload: body, key: fixtures.custodianKey, commitments: fixtureStatementCommitments).json
        }
        var proof = fixtureProofObject
        proof["statement"] = .object(statementObject)
        let file = JSONValue.object(proof).encoded()
        guard let report = try? Verifier.verify(bundle: fixtures.bundle, proofs: [("proof.json", file)], policy: fixtures.policy),
              report.allValid else { return }
        guard let accepted = try? MarginProof(encoded: file), case .attested(let s) = accepted.inputs,
              s.envelope.payload == fixtureStatementPayload, s.envelope.commitmentsBase64 == fixtureStatement.envelope.commitmentsBase64 else {
            oracleFailure(.statement, "a proof verifies with a statement payload other than the fixture's")
        }
    }

    static func proof(_ input: [UInt8]) {
        guard let report = try? Verifier.verify(bundle: fixtures.bundle, proofs: [("fuzz.json", input)], policy: fixtures.policy),
              report.allValid else { return }
        guard let accepted = try? MarginProof(encoded: input),
              honestProofs.contains(accepted.encoded()) else {
            oracleFailure(.proof, "a proof other than the fixture's is accepted")
        }
    }

    static func bundleSeeds() -> [(name: String, bytes: [UInt8])] {
        [("bundle-file", [0] + fixtures.bundleFile), ("bundle-payload", [1] + fixtures.bundle.envelope.payload)]
    }

    static func statementSeeds() -> [(name: String, bytes: [UInt8])] {
        [("statement-envelope", [0] + fixtures.statementFile), ("statement-payload", [1] + fixtureStatementPayload)]
    }

    static func proofSeeds() -> [(name: String, bytes: [UInt8])] {
        [("proof-attested", fixtures.proofFile), ("proof-self-attested", fixtures.selfAttestedProofFile),
         ("proof-hiding", fixtures.hidingProofFile)]
    }

    /// A fixture epoch index: the attested fixture proof's leaf and two
    /// made-up ones, and that leaf's honest inclusion proof.
    static let fixtureIndex: (index: EpochIndex, leaf: EpochIndexLeaf, honest: InclusionProof) = {
        let leaf = EpochIndexLeaf(account: fixtureStatement.account, statementDigest: fixtureStatement.digest, proofBytes: fixtures.proofFile)
        let others = [UInt8(1), 2].map { EpochIndexLeaf(labelDigest: SHA256.hash([$0]), statementDigest: SHA256.hash([$0, 1]), proofDigest: SHA256.hash([$0, 2])) }
        guard let (sorted, tree) = try? EpochIndex.tree([leaf] + others), let k = sorted.firstIndex(of: leaf),
              let index = try? EpochIndex.sign(bundle: fixtures.bundle, tree: tree, issuedAt: FuzzFixtures.verificationTime, key: fixtures.custodianKey) else {
            preconditionFailure("zkmargin-fuzz: the fixture epoch index cannot be made")
        }
        return (index, leaf, InclusionProof(indexDigest: index.digest, position: k, count: tree.count, leaf: leaf, path: tree.path(k)))
    }()

    static func inclusion(_ input: [UInt8]) {
        let f = fixtureIndex
        guard let decoded = try? InclusionProof(encoded: input), (try? decoded.check(f.leaf, in: f.index)) != nil else { return }
        guard decoded == f.honest else { oracleFailure(.inclusion, "an inclusion proof other than the fixture's is accepted") }
    }

    static func inclusionSeeds() -> [(name: String, bytes: [UInt8])] {
        [("inclusion", fixtureIndex.honest.encoded())]
    }
}
