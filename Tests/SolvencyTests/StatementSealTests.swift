import Foundation
import MarginCircuits
import StrictJSON
import XCTest
import ZKGroup
@testable import Solvency
import ZKTestSupport

/// Statements authenticated by one signed root per epoch (SPEC.md §16.18,
/// `StatementSeal`): workers attest with the custodian's public key only
/// (unsealed, refused everywhere), the custodian seals the epoch once, and
/// sealed statements prove and verify like signed ones. Every part of a
/// seal a worker or prover could change is changed here and refused.
final class StatementSealTests: XCTestCase {
    // MARK: Fixtures (threshold, one asset: tiny proofs)

    struct Epoch {
        let bundle: RiskBundle
        let accounts: [Account]
        let unsealed: [AttestedStatement]
        let openings: [Openings]
        let root: SignedEnvelope
        let sealed: [AttestedStatement]
    }

    static let labels = ["alpha/1", "bravo/2", "charlie/3"]

    /// Three accounts attested unsealed, then sealed by the test custodian.
    static func epoch(key: SigningKey = TestKeys.custodian, bundle: RiskBundle? = nil) throws -> Epoch {
        let (b, template) = try smallBundle("threshold")
        let bundle = bundle ?? b
        let accounts = labels.map { Account(label: $0, balances: template.balances, positions: template.positions) }
        var unsealed: [AttestedStatement] = [], openings: [Openings] = []
        for a in accounts {
            let (s, o) = try Custodian.attestUnsealed(bundle: bundle, account: a, custodian: key.verifyingKey, at: testNow)
            unsealed.append(s)
            openings.append(o)
        }
        let (root, sealed) = try StatementSeal.seal(statements: unsealed, key: key, bundle: bundle, at: testNow)
        return Epoch(bundle: bundle, accounts: accounts, unsealed: unsealed, openings: openings, root: root, sealed: sealed)
    }

    static let shared: (epoch: Epoch, proofs: [[UInt8]]) = {
        let e = try! epoch()
        let proofs = e.sealed.indices.map { k in try! Prover.prove(bundle: e.bundle, statement: e.sealed[k], openings: e.openings[k], at: testNow).encoded() }
        return (e, proofs)
    }()

    // MARK: The tree

    /// The level-by-level tree the seal run uses gives RFC 9162's root and
    /// paths (MerkleTree, checked against the CT vectors), and
    /// `pathLength` is their length, for every size up to 70.
    func testLeveledTreeIsTheRFC9162Tree() {
        for n in 1...70 {
            let leaves = (0..<n).map { MerkleTree.leafHash([UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)]) }
            let (root, paths) = MerkleTree.rootAndPaths(leafHashes: leaves)
            let tree = LeveledMerkleTree(leafHashes: leaves)
            XCTAssertEqual(tree.root, root, "n = \(n)")
            for k in 0..<n {
                XCTAssertEqual(tree.path(k), paths[k], "n = \(n), leaf \(k)")
                XCTAssertEqual(MerkleTree.pathLength(index: k, count: n), paths[k].count, "n = \(n), leaf \(k)")
                XCTAssertEqual(MerkleTree.root(fromPath: tree.path(k), leafHash: leaves[k], index: k, count: n), root)
            }
        }
    }

    // MARK: Sealed statements work

    func testSealedStatementsProveAndVerify() throws {
        let (e, proofs) = Self.shared
        for (k, s) in e.sealed.enumerated() {
            XCTAssertTrue(s.isSealed)
            XCTAssertEqual(s.digest, e.unsealed[k].digest, "sealing changes no digest")
            // The file round-trips, and so does a proof embedding it.
            let decoded = try AttestedStatement(encoded: s.encoded())
            XCTAssertEqual(decoded, s)
            XCTAssertEqual(try MarginProof(encoded: proofs[k]).encoded(), proofs[k])
            let accepted = try verdict(proofs[k], bundle: e.bundle, policy: policy()).get()
            XCTAssertEqual(accepted.account, Self.labels[k])
            XCTAssertEqual(accepted.custodianKeyID, TestKeys.custodian.verifyingKey.id)
        }
        // The root file is a signed envelope of its own kind.
        let root = try SignedEnvelope(decoding: e.root.encoded(), kind: .statementRoot)
        XCTAssertEqual(root.signer, TestKeys.custodian.verifyingKey)
        assertSolvencyError("wrongFileKind") { try AttestedStatement(encoded: e.root.encoded()) }
        // The largest proof publish budgets for covers a sealed statement.
        let compiled = try e.bundle.compiled()
        XCTAssertGreaterThanOrEqual(try MarginProof.largestEncodedSize(bundle: e.bundle, compiled: compiled, plan: ProofPlan(statement: compiled, mode: .custodian)),
                                    proofs[0].count)
        // Resealing (a root over other statements) changes the seal, not the
        // statement: the proofs made before still verify, and so do new ones.
        let (_, resealed) = try StatementSeal.seal(statements: Array(e.sealed.prefix(2)), key: TestKeys.custodian, bundle: e.bundle, at: testNow)
        XCTAssertEqual(resealed[0].digest, e.sealed[0].digest)
        XCTAssertNotEqual(resealed[0].encoded(), e.sealed[0].encoded())
        let again = try Prover.prove(bundle: e.bundle, statement: resealed[0], openings: e.openings[0], at: testNow).encoded()
        XCTAssertNoThrow(try verdict(again, bundle: e.bundle, policy: policy()).get())
    }

    // MARK: Unsealed statements are refused

    func testUnsealedStatementIsRefusedByProveAndVerify() throws {
        let (e, proofs) = Self.shared
        let unsealed = e.unsealed[0]
        XCTAssertTrue(unsealed.isUnsealed)
        let json = try unsealed.encoded().jsonObject()
        XCTAssertNil(json["signature"])
        XCTAssertNil(json["seal"])
        assertSolvencyError("statementUnsealed") { try AttestedStatement(encoded: unsealed.encoded()) }
        XCTAssertTrue(try AttestedStatement(encoded: unsealed.encoded(), allowingUnsealed: true).isUnsealed)
        assertSolvencyError("statementUnsealed") { try Prover.prove(bundle: e.bundle, statement: unsealed, openings: e.openings[0], at: testNow) }
        // A proof whose statement has its seal removed.
        let stripped = try editStatement(proofs[0]) { $0["seal"] = nil }
        assertInvalid(stripped, bundle: e.bundle, code: "statementUnsealed")
        // From files, as zkmargin prove reads them.
        let dir = try temporaryDirectory(self)
        try FileIO.write(unsealed.encoded(), to: "\(dir)/s.json", mode: 0o644)
        try FileIO.write(e.openings[0].encoded(), to: "\(dir)/o.json", mode: 0o600)
        try FileIO.write(e.bundle.encoded(), to: "\(dir)/b.json", mode: 0o644)
        assertSolvencyError("statementUnsealed") {
            try Workflow.prove(bundlePath: "\(dir)/b.json", statementPath: "\(dir)/s.json", openingsPath: "\(dir)/o.json", out: "\(dir)/p.json", at: testNow)
        }
        XCTAssertFalse(FileIO.exists("\(dir)/p.json"))
    }

    // MARK: Every part of a seal

    static func bytes(_ o: JSONObject, _ key: String) -> [UInt8] {
        guard case .string(let t)? = o[key] else { return [] }
        return Base64.decode(t) ?? []
    }

    /// The root payload edited and signed again by `key` (the custodian,
    /// unless said otherwise): what a custodian's own mistakes, or a
    /// stolen key, would produce.
    static func resignedRoot(_ seal: inout JSONObject, key: SigningKey = TestKeys.custodian, _ edit: (inout JSONObject) -> Void) throws {
        var root = try bytes(seal, "root").jsonObject()
        edit(&root)
        let payload = JSONValue.object(root).compactEncoded()
        seal["root"] = .string(Base64.encode(payload))
        seal["signature"] = .string(Base64.encode(key.signature(for: payload)))
    }

    /// The position of a sealed statement.
    static func sealPosition(_ s: AttestedStatement) -> Int {
        guard case .seal(let seal) = s.authentication else { return -1 }
        return seal.position
    }

    /// Every tampering of a sealed statement envelope `env` (at `position`
    /// 0 or 1 of 3 leaves; `other` another sealed statement of the same
    /// root), with the error code both verifiers must give: each part of
    /// the seal, the root payload and the statement under it.
    static func tamperedStatements(_ env: JSONObject, position: Int, other: JSONObject) throws -> [(name: String, code: String, envelope: JSONObject)] {
        precondition(position < 2)
        func seal(_ edit: (inout JSONObject) throws -> Void) throws -> JSONObject {
            var e = env
            guard case .object(var s)? = e["seal"] else { throw SolvencyError.malformed("test", "no seal") }
            try edit(&s)
            e["seal"] = .object(s)
            return e
        }
        var out: [(String, String, JSONObject)] = [
            ("root-payload-byte", "signatureInvalid", try seal { s in
                var b = bytes(s, "root"); b[b.count / 2] ^= 0x01; s["root"] = .string(Base64.encode(b)) }),
            ("root-signature-byte", "signatureInvalid", try seal { s in
                var b = bytes(s, "signature"); b[b.count - 3] ^= 0x01; s["signature"] = .string(Base64.encode(b)) }),
            ("root-signed-by-another-key", "signatureInvalid", try seal { s in
                try resignedRoot(&s, key: TestKeys.otherCustodian) { _ in } }),
            ("another-position-same-path-length", "sealInvalid", try seal { s in s["position"] = .number(String(1 - position)) }),
            ("position-past-the-count", "field", try seal { s in s["position"] = .number("3") }),
            ("negative-position", "field", try seal { s in s["position"] = .number("-1") }),
            ("position-minus-zero", "field", try seal { s in s["position"] = .number("-0") }),
            ("path-sibling-byte", "sealInvalid", try seal { s in
                var b = bytes(s, "path"); b[0] ^= 0x80; s["path"] = .string(Base64.encode(b)) }),
            ("path-one-sibling-short", "field", try seal { s in s["path"] = .string(Base64.encode(Array(bytes(s, "path").dropLast(32)))) }),
            ("path-one-sibling-long", "field", try seal { s in
                s["path"] = .string(Base64.encode(bytes(s, "path") + [UInt8](repeating: 7, count: 32))) }),
            ("path-not-whole-hashes", "field", try seal { s in s["path"] = .string(Base64.encode(Array(bytes(s, "path").dropLast(1)))) }),
            ("path-as-a-list", "field", try seal { s in s["path"] = .array([]) }),
            ("count-changed-not-signed", "signatureInvalid", try seal { s in
                var root = try bytes(s, "root").jsonObject()
                root["statements"] = .number("4")
                s["root"] = .string(Base64.encode(JSONValue.object(root).compactEncoded())) }),
            ("count-signed-path-of-another-length", "field", try seal { s in try resignedRoot(&s) { $0["statements"] = .number("2") } }),
            ("root-for-another-bundle", "statementMismatch", try seal { s in
                try resignedRoot(&s) { $0["bundle"] = .string(String(repeating: "ab", count: 32)) } }),
            ("root-for-another-epoch", "statementMismatch", try seal { s in
                try resignedRoot(&s) { $0["epoch"] = .string("2025-11-26T12:00:00Z") } }),
            ("root-names-another-custodian", "field", try seal { s in
                try resignedRoot(&s) { $0["custodian"] = .string(TestKeys.otherCustodian.verifyingKey.id) } }),
            ("root-in-the-statement-format", "wrongFileKind", try seal { s in try resignedRoot(&s) { $0["format"] = .string("zkmargin/statement@2") } }),
            ("root-with-an-unknown-member", "field", try seal { s in try resignedRoot(&s) { $0["note"] = .string("x") } }),
            ("seal-with-an-unknown-member", "field", try seal { s in s["note"] = .string("x") }),
            ("seal-without-root", "field", try seal { s in s["root"] = nil }),
            ("seal-of-another-statement", "sealInvalid", { var e = env; e["seal"] = other["seal"]; return e }()),
        ]
        var both = env
        both["signature"] = .string(Base64.encode(TestKeys.custodian.signature(for: [1])))
        out.append(("seal-and-signature", "field", both))
        var unsealed = env
        unsealed["seal"] = nil
        out.append(("unsealed", "statementUnsealed", unsealed))
        var changed = env
        if case .string(let t)? = env["payload"], let p = Base64.decode(t), case .object(var o) = try JSONParser.parse(p) {
            o["issued_at"] = .string("2025-11-25T12:30:00Z")
            changed["payload"] = .string(Base64.encode(JSONValue.object(o).compactEncoded()))
        }
        out.append(("payload-changed-under-the-seal", "sealInvalid", changed))
        return out.map { (name: $0.0, code: $0.1, envelope: $0.2) }
    }

    func testEveryTamperedPartOfASealIsRefused() throws {
        let (e, proofs) = Self.shared
        // A statement at position 0 or 1 of 3 (both have paths of 2 hashes).
        let k = e.sealed.firstIndex { Self.sealPosition($0) < 2 }!
        let position = Self.sealPosition(e.sealed[k])
        XCTAssertEqual(MerkleTree.pathLength(index: position, count: 3), MerkleTree.pathLength(index: position, count: 4))
        let env = try e.sealed[k].encoded().jsonObject()
        let other = try e.sealed[(k + 1) % 3].encoded().jsonObject()
        // The root hash alone does not fix the count (as in RFC 9162: a
        // path of 2 hashes from leaf 0 fits 3 leaves and 4): the count is
        // the custodian's signed claim, and only the custodian can sign
        // another. Such a root, signed by the custodian, is accepted.
        let recounted = try editStatement(proofs[k]) { env in
            guard case .object(var s)? = env["seal"] else { return }
            try Self.resignedRoot(&s) { $0["statements"] = .number("4") }
            env["seal"] = .object(s)
        }
        XCTAssertNoThrow(try verdict(recounted, bundle: e.bundle, policy: policy()).get())
        for c in try Self.tamperedStatements(env, position: position, other: other) {
            // Read alone, and inside the proof.
            assertSolvencyError(c.code) { try AttestedStatement(encoded: JSONValue.object(c.envelope).encoded()) }
            let tampered = try editStatement(proofs[k]) { $0 = c.envelope }
            assertInvalid(tampered, bundle: e.bundle, code: c.code, contains: nil)
            if case .success = try verdict(tampered, bundle: e.bundle, policy: policy()) { XCTFail(c.name) }
        }
    }

    // MARK: Vectors/seal/

    /// Vectors/seal/cases.json: sealed statements, read alone, and the
    /// error code each must give (null: valid). Written from a fresh epoch
    /// with ZKMARGIN_WRITE_VECTORS=1 (ECDSA signatures are randomized, so
    /// the file is not reproduced byte for byte); every run checks that the
    /// reference still gives each case its code, and
    /// interop/python/test_vectors.py (family `seal`) that verify.py does.
    func testSealVectors() throws {
        let path = "Vectors/seal/cases.json"
        if ProcessInfo.processInfo.environment["ZKMARGIN_WRITE_VECTORS"] == "1" {
            let (e, _) = Self.shared
            var cases: [(String, String?, JSONObject)] = []
            for s in e.sealed { cases.append(("sealed-position-\(Self.sealPosition(s))-of-3", nil, try s.encoded().jsonObject())) }
            let single = try StatementSeal.seal(statements: [e.unsealed[0]], key: TestKeys.custodian, bundle: e.bundle, at: testNow).sealed[0]
            cases.append(("sealed-alone-empty-path", nil, try single.encoded().jsonObject()))
            let (signed, _) = try Custodian.attest(bundle: e.bundle, account: e.accounts[0], key: TestKeys.custodian, at: testNow)
            cases.append(("signed", nil, try signed.encoded().jsonObject()))
            let k = e.sealed.firstIndex { Self.sealPosition($0) < 2 }!
            let env = try e.sealed[k].encoded().jsonObject()
            for c in try Self.tamperedStatements(env, position: Self.sealPosition(e.sealed[k]), other: try e.sealed[(k + 1) % 3].encoded().jsonObject()) {
                cases.append((c.name, c.code, c.envelope))
            }
            var relabelled = env
            relabelled["format"] = .string("zkmargin/statement-root@1")
            cases.append(("envelope-in-the-root-format", "wrongFileKind", relabelled))
            let doc = JSONValue.object(JSONObject([
                ("description", .string("Custodian statements (zkmargin/statement@2), each read alone as SPEC.md §16.18 says, and the error code it must give (null: valid)")),
                ("cases", .array(cases.map { c in .object(JSONObject([("name", .string(c.0)), ("error", c.1.map { .string($0) } ?? .null), ("statement", .object(c.2))])) })),
            ]))
            try FileManager.default.createDirectory(at: Repository.forTests.url("Vectors/seal"), withIntermediateDirectories: true)
            try Data(doc.encoded()).write(to: Repository.forTests.url(path))
        }
        guard case .object(let doc) = try JSONParser.parse(try Repository.forTests.read(path)), case .array(let cases)? = doc["cases"] else {
            return XCTFail("\(path): unexpected shape")
        }
        XCTAssertGreaterThanOrEqual(cases.count, 25)
        for c in cases {
            guard case .object(let o) = c, case .string(let name)? = o["name"], case .object(let statement)? = o["statement"] else { return XCTFail("\(path): a case") }
            let expected: String? = if case .string(let code)? = o["error"] { code } else { nil }
            let found: String?
            do {
                _ = try AttestedStatement(encoded: JSONValue.object(statement).encoded())
                found = nil
            } catch { found = error.code }
            XCTAssertEqual(found, expected, "\(path): \(name)")
        }
    }

    // MARK: Both verifiers

    /// zkmargin-verify (the binary) and interop/python/verify.py, each in
    /// one run with --json over sealed proofs, the same proofs with each
    /// part of a seal tampered with, and a proof whose statement is
    /// unsealed: the same verdict and the same error code for every one.
    func testBothVerifiersAgreeOnSealedStatements() throws {
        guard let python = InteropTests.python else { throw InteropTests.PythonMissing() }
        let (e, proofs) = Self.shared
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        try FileIO.write(e.bundle.encoded(), to: "\(dir)/bundle.json", mode: 0o644)
        var files: [(name: String, code: String?)] = []
        for (k, p) in proofs.enumerated() {
            try FileIO.write(p, to: "\(dir)/sealed-\(k).json", mode: 0o644)
            files.append(("sealed-\(k).json", nil))
        }
        let k = e.sealed.firstIndex { Self.sealPosition($0) < 2 }!
        let env = try e.sealed[k].encoded().jsonObject()
        for c in try Self.tamperedStatements(env, position: Self.sealPosition(e.sealed[k]), other: try e.sealed[(k + 1) % 3].encoded().jsonObject()) {
            try FileIO.write(try editStatement(proofs[k]) { $0 = c.envelope }, to: "\(dir)/\(c.name).json", mode: 0o644)
            files.append(("\(c.name).json", c.code))
        }
        // A root the custodian signed with another count its path also fits: valid in both.
        let recounted = try editStatement(proofs[k]) { env in
            guard case .object(var s)? = env["seal"] else { return }
            try Self.resignedRoot(&s) { $0["statements"] = .number("4") }
            env["seal"] = .object(s)
        }
        try FileIO.write(recounted, to: "\(dir)/recounted.json", mode: 0o644)
        files.append(("recounted.json", nil))
        let options = ["--json", "--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem",
                       "--at", RFC3339.format(testNow)] + files.map(\.name)
        let runs = [("zkmargin-verify", try CLI.run("zkmargin-verify", options, in: dir)),
                    ("verify.py", try CLI.execute(python, [Repository.forTests.path("interop/python/verify.py")] + options, in: dir))]
        for (tool, r) in runs {
            XCTAssertEqual(r.status, 1, "\(tool): \(r.stderr)")
            guard case .object(let verdict) = try JSONParser.parse(Array(r.stdout.utf8)), case .array(let entries)? = verdict["proofs"],
                  entries.count == files.count else { return XCTFail("\(tool): \(r.stdout)\(r.stderr)") }
            for (entry, file) in zip(entries, files) {
                guard case .object(let o) = entry else { return XCTFail(tool) }
                var code: String? = nil
                if case .object(let error)? = o["error"], case .string(let c)? = error["code"] { code = c }
                XCTAssertEqual(o["valid"], .bool(file.code == nil), "\(tool): \(file.name)")
                XCTAssertEqual(code, file.code, "\(tool): \(file.name)")
            }
        }
    }

    /// A sealed statement moved under another account's seal: the seal of
    /// bravo/2 on alpha/1's statement, and alpha/1's statement at bravo/2's
    /// position with bravo/2's path. Both refused.
    func testASealMovedToAnotherStatementIsRefused() throws {
        let (e, proofs) = Self.shared
        let other = try e.sealed[1].encoded().jsonObject()
        let moved = try editStatement(proofs[0]) { $0["seal"] = other["seal"] }
        assertInvalid(moved, bundle: e.bundle, code: "sealInvalid")
        assertSolvencyError("sealInvalid") {
            var s = try e.sealed[0].encoded().jsonObject()
            s["seal"] = other["seal"]
            return try AttestedStatement(encoded: JSONValue.object(s).encoded())
        }
        // Another account's statement with its own seal, in this proof: the
        // proof names alpha/1, the statement bravo/2.
        let swapped = try editStatement(proofs[0]) { env in env = other }
        assertInvalid(swapped, bundle: e.bundle, code: "statementMismatch")
    }

    /// The trust store applies to a sealed statement's signer as to a
    /// signed one's: an untrusted key, a revoked one, one out of its period.
    func testTrustStoreChecksApplyToASealedStatementsSigner() throws {
        let (e, proofs) = Self.shared
        let publisher = TrustStore.Entry(name: "venue", role: .publisher, key: TestKeys.publisher.verifyingKey)
        func store(_ custodian: TrustStore.Entry) -> VerificationPolicy {
            VerificationPolicy(trust: TrustStore(entries: [publisher, custodian]), at: testNow)
        }
        let key = TestKeys.custodian.verifyingKey
        XCTAssertNoThrow(try verdict(proofs[0], bundle: e.bundle, policy: store(.init(name: "custody", role: .custodian, key: key))).get())
        assertInvalid(proofs[0], bundle: e.bundle, policy: store(.init(name: "custody", role: .custodian, key: key, revokedAt: testNow.addingTimeInterval(-1))),
                      code: "keyRevoked")
        assertInvalid(proofs[0], bundle: e.bundle, policy: store(.init(name: "custody", role: .custodian, key: key, validUntil: testNow.addingTimeInterval(-60))),
                      code: "keyOutOfPeriod")
        assertInvalid(proofs[0], bundle: e.bundle, policy: store(.init(name: "custody", role: .custodian, key: key, validFrom: testNow.addingTimeInterval(60))),
                      code: "keyOutOfPeriod")
        assertInvalid(proofs[0], bundle: e.bundle, policy: store(.init(name: "other", role: .custodian, key: TestKeys.otherCustodian.verifyingKey)),
                      code: "wrongSigner")
        // A whole epoch sealed by another custodian's key.
        let foreign = try Self.epoch(key: TestKeys.otherCustodian)
        let proof = try Prover.prove(bundle: foreign.bundle, statement: foreign.sealed[0], openings: foreign.openings[0], at: testNow).encoded()
        assertInvalid(proof, bundle: foreign.bundle, code: "wrongSigner")
    }

    /// What the seal refuses to sign: another key's statements, another
    /// bundle's, one account twice, a statement dated after the seal.
    func testSealRefusesWhatItMustNotSign() throws {
        let (e, _) = Self.shared
        assertSolvencyError("wrongSigner") {
            try StatementSeal.seal(statements: e.unsealed, key: TestKeys.otherCustodian, bundle: e.bundle, at: testNow)
        }
        let other = try makeBundle("threshold", epoch: "2025-11-26", values: Array(smallValues["threshold"]!.values.utf8))
        assertSolvencyError("statementForAnotherBundle") {
            try StatementSeal.seal(statements: e.unsealed, key: TestKeys.custodian, bundle: other, at: testNow)
        }
        let (twice, _) = try Custodian.attestUnsealed(bundle: e.bundle, account: e.accounts[0], custodian: TestKeys.custodian.verifyingKey, at: testNow)
        assertSolvencyError("statementMismatch") {
            try StatementSeal.seal(statements: e.unsealed + [twice], key: TestKeys.custodian, bundle: e.bundle, at: testNow)
        }
        assertSolvencyError("statementMismatch") {
            try StatementSeal.seal(statements: e.unsealed, key: TestKeys.custodian, bundle: e.bundle, at: testNow.addingTimeInterval(-1))
        }
        assertSolvencyError("invalidArgument") { try StatementSeal.seal(statements: [], key: TestKeys.custodian, bundle: e.bundle, at: testNow) }
    }

    // MARK: zkmargin seal

    /// An epoch directory of unsealed statements, as batch workers leave it.
    func unsealedDirectory() throws -> (dir: String, epoch: Epoch) {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        let e = Self.shared.epoch
        // A bundle valid now (the seal signs at the current time).
        let bundle = try RiskBundle.publish(values: Array(smallValues["threshold"]!.values.utf8), circuitName: "threshold",
                                            circuitSource: Repository.forTests.circuitSource("threshold"), curve: .p256, epoch: "2025-11-25T12:00:00Z",
                                            issuedAt: Date().addingTimeInterval(-3600), validUntil: Date().addingTimeInterval(3600), key: TestKeys.publisher)
        try FileIO.write(bundle.encoded(), to: "\(dir)/bundle.json", mode: 0o644)
        let epochDir = EpochDirectory(path: "\(dir)/epoch")
        try epochDir.create([.statements, .openings])
        var openings: [Openings] = [], unsealed: [AttestedStatement] = []
        for a in e.accounts {
            let (s, o) = try Custodian.attestUnsealed(bundle: bundle, account: a, custodian: TestKeys.custodian.verifyingKey, at: Date().addingTimeInterval(-60))
            try FileIO.write(s.encoded(), to: epochDir.file(.statements, label: a.label), mode: 0o644)
            try FileIO.write(o.encoded(), to: epochDir.file(.openings, label: a.label), mode: 0o600)
            openings.append(o)
            unsealed.append(s)
        }
        return (dir, Epoch(bundle: bundle, accounts: e.accounts, unsealed: unsealed, openings: openings, root: e.root, sealed: []))
    }

    func testSealCommandSealsAnEpochDirectory() throws {
        let (dir, e) = try unsealedDirectory()
        let epochDir = EpochDirectory(path: "\(dir)/epoch")
        let help = try CLI.run("zkmargin", ["seal", "--help"], in: dir)
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("zkmargin seal --bundle"), help.stdout)
        XCTAssertTrue(help.stdout.contains("sealed again under the new root"), help.stdout)
        // Openings are never read: the seal works with DIR/openings unreadable.
        chmod(epochDir.directory(.openings), 0)
        defer { chmod(epochDir.directory(.openings), 0o700) }
        let r = try CLI.run("zkmargin", ["seal", "--bundle", "bundle.json", "--dir", "epoch", "--key", "custodian.pem", "--publisher-key", "publisher.pub.pem"], in: dir)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("sealed 3 statements"), r.stdout)
        chmod(epochDir.directory(.openings), 0o700)
        let root = try SignedEnvelope(decoding: try FileIO.read("\(dir)/epoch/statement-root.json"), kind: .statementRoot)
        XCTAssertEqual(root.signer, TestKeys.custodian.verifyingKey)
        let loaded = try StatementRoot.load(path: "\(dir)/epoch/statement-root.json", custodian: TestKeys.custodian.verifyingKey)
        XCTAssertEqual(loaded.root.statements, 3)
        XCTAssertEqual(loaded.root.bundleDigest, e.bundle.digest)
        XCTAssertEqual(loaded.root.payload, root.payload)
        assertSolvencyError("wrongSigner") { try StatementRoot.load(path: "\(dir)/epoch/statement-root.json", custodian: TestKeys.otherCustodian.verifyingKey) }
        assertSolvencyError("wrongFileKind") { try StatementRoot.load(path: epochDir.file(.statements, label: e.accounts[0].label)) }
        for (k, a) in e.accounts.enumerated() {
            let s = try AttestedStatement.load(path: epochDir.file(.statements, label: a.label))
            XCTAssertTrue(s.isSealed)
            XCTAssertEqual(s.digest, e.unsealed[k].digest)
            guard case .seal(let seal) = s.authentication else { return XCTFail() }
            XCTAssertEqual(seal.rootPayload, root.payload)
            // Proved from the files, and verified by zkmargin-verify.
            _ = try Workflow.prove(bundlePath: "\(dir)/bundle.json", statementPath: epochDir.file(.statements, label: a.label),
                                   openingsPath: epochDir.file(.openings, label: a.label), out: "\(dir)/proof-\(k).json")
        }
        let v = try CLI.run("zkmargin-verify", ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem",
                                                "proof-0.json", "proof-1.json", "proof-2.json"], in: dir)
        XCTAssertEqual(v.status, 0, v.output)
        // A second run reseals under a new root; the proofs stay valid.
        let again = try CLI.run("zkmargin", ["seal", "--bundle", "bundle.json", "--dir", "epoch", "--key", "custodian.pem"], in: dir)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.stdout.contains("3 resealed"), again.stdout)
        let v2 = try CLI.run("zkmargin-verify", ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem",
                                                 "proof-0.json"], in: dir)
        XCTAssertEqual(v2.status, 0, v2.output)
    }

    /// The seal run over 300 statements (a tree of uneven levels: 256 +
    /// 44): a file changed between the two passes stops the run; run
    /// again, every statement comes out sealed under the one root written
    /// to DIR/statement-root.json, at its place in label-digest order, with
    /// progress reported for both passes.
    func testSealRunOverAnEpochOfThreeHundredStatements() throws {
        let dir = try temporaryDirectory(self)
        let (e, _) = Self.shared
        let epochDir = EpochDirectory(path: dir)
        try epochDir.create([.statements])
        let template = e.accounts[0]
        var digests: [String: [UInt8]] = [:]
        for n in 0..<300 {
            let label = "acct/\(n)"
            let (s, _) = try Custodian.attestUnsealed(bundle: e.bundle, account: Account(label: label, balances: template.balances, positions: [:]),
                                                     custodian: TestKeys.custodian.verifyingKey, at: testNow)
            try FileIO.write(s.encoded(), to: epochDir.file(.statements, label: label), mode: 0o644)
            digests[label] = s.digest
        }
        let keys = try epochDir.keys(in: .statements)
        // A worker writing during the run: the file changed after pass 1 is refused.
        let first = epochDir.file(.statements, key: keys[0])
        let original = try FileIO.read(first)
        XCTAssertThrowsError(try StatementSealRun.run(epochDir, bundle: e.bundle, key: TestKeys.custodian, at: testNow) { pass, done, total in
            if pass == 1, done == total { try? FileIO.write(original + [0x20], to: first, mode: 0o644) }
        }) { error in
            XCTAssertEqual((error as? SolvencyError)?.code, "io")
            XCTAssertTrue("\(error)".contains("changed while it was being sealed"), "\(error)")
        }
        try FileIO.write(original, to: first, mode: 0o644)
        var calls: [Int: Int] = [:]
        let summary = try StatementSealRun.run(epochDir, bundle: e.bundle, key: TestKeys.custodian, at: testNow) { pass, done, total in
            XCTAssertEqual(total, 300)
            calls[pass] = done
        }
        XCTAssertEqual(calls, [1: 300, 2: 300])
        XCTAssertEqual(summary.statements, 300)
        XCTAssertEqual(summary.unsealed, 300)
        XCTAssertEqual(summary.signedRoot.statements, 300)
        let root = try SignedEnvelope(decoding: try FileIO.read("\(dir)/\(StatementSealRun.rootFileName)"), kind: .statementRoot)
        XCTAssertEqual(root, summary.root)
        for (position, key) in keys.enumerated() where position % 29 == 0 || position == keys.count - 1 {
            let s = try AttestedStatement.load(path: epochDir.file(.statements, key: key))
            XCTAssertEqual(s.digest, digests[s.account])
            guard case .seal(let seal) = s.authentication else { return XCTFail("not sealed") }
            XCTAssertEqual(seal.position, position)
            XCTAssertEqual(seal.rootPayload, root.payload)
        }
    }

    func testSealCommandRefusesAForeignOrMisnamedStatementAndWritesNothing() throws {
        let (dir, e) = try unsealedDirectory()
        let epochDir = EpochDirectory(path: "\(dir)/epoch")
        let before = try e.accounts.map { try FileIO.read(epochDir.file(.statements, label: $0.label)) }
        func seal(_ key: String = "custodian.pem") throws -> CLI.Run {
            try CLI.run("zkmargin", ["seal", "--bundle", "bundle.json", "--dir", "epoch", "--key", key], in: dir)
        }
        // Another custodian's key.
        let foreign = try seal("other-custodian.pem")
        XCTAssertEqual(foreign.status, 2, foreign.output)
        XCTAssertTrue(foreign.stderr.contains("wrong") || foreign.stderr.contains("signed by key"), foreign.stderr)
        // A statement under another account's file name.
        let misnamed = epochDir.file(.statements, label: "zulu/9")
        try FileIO.write(before[0], to: misnamed, mode: 0o644)
        let r = try seal()
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertTrue(r.stderr.contains("file named for another account"), r.stderr)
        XCTAssertFalse(FileIO.exists("\(dir)/epoch/statement-root.json"))
        for (k, a) in e.accounts.enumerated() { XCTAssertEqual(try FileIO.read(epochDir.file(.statements, label: a.label)), before[k]) }
        // No statements at all.
        try FileManager.default.removeItem(atPath: epochDir.directory(.statements))
        XCTAssertEqual(try seal().status, 2)
    }
}
