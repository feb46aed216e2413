import Foundation
import MarginCircuits
import StrictJSON
import XCTest
import ZKGroup
@testable import Solvency
import ZKTestSupport

/// Statements authenticated by one signed root per epoch (SPEC.md §16.17,
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

    /// The seal of the proof's statement, edited.
    func editSeal(_ proof: [UInt8], _ edit: (inout JSONObject) throws -> Void) throws -> [UInt8] {
        try editStatement(proof) { env in
            guard case .object(var seal)? = env["seal"] else { throw SolvencyError.malformed("test", "no seal") }
            try edit(&seal)
            env["seal"] = .object(seal)
        }
    }

    func bytes(_ o: JSONObject, _ key: String) -> [UInt8] {
        guard case .string(let t)? = o[key] else { return [] }
        return Base64.decode(t) ?? []
    }

    /// The root payload edited and signed again by `key` (the custodian,
    /// unless said otherwise): what a custodian's own mistakes, or a
    /// stolen key, would produce.
    func resignedRoot(_ seal: inout JSONObject, key: SigningKey = TestKeys.custodian, _ edit: (inout JSONObject) -> Void) throws {
        var root = try bytes(seal, "root").jsonObject()
        edit(&root)
        let payload = JSONValue.object(root).compactEncoded()
        seal["root"] = .string(Base64.encode(payload))
        seal["signature"] = .string(Base64.encode(key.signature(for: payload)))
    }

    /// The position of a sealed statement.
    func sealPosition(_ s: AttestedStatement) -> Int {
        guard case .seal(let seal) = s.authentication else { return -1 }
        return seal.position
    }

    func testEveryTamperedPartOfASealIsRefused() throws {
        let (e, proofs) = Self.shared
        // A statement at position 0 or 1 of 3 (both have paths of 2 hashes).
        let k = e.sealed.firstIndex { self.sealPosition($0) < 2 }!
        let proof = proofs[k]
        let position = self.sealPosition(e.sealed[k])
        XCTAssertEqual(MerkleTree.pathLength(index: position, count: 3), MerkleTree.pathLength(index: position, count: 4))
        let cases: [(String, String, [UInt8])] = [
            ("a byte of the root payload", "signatureInvalid", try editSeal(proof) { s in
                var b = bytes(s, "root"); b[b.count / 2] ^= 0x01; s["root"] = .string(Base64.encode(b)) }),
            ("a byte of the root signature", "signatureInvalid", try editSeal(proof) { s in
                var b = bytes(s, "signature"); b[b.count - 3] ^= 0x01; s["signature"] = .string(Base64.encode(b)) }),
            ("the root signed by another key", "signatureInvalid", try editSeal(proof) { s in
                try resignedRoot(&s, key: TestKeys.otherCustodian) { _ in } }),
            ("another leaf's position (same path length)", "sealInvalid", try editSeal(proof) { s in
                s["position"] = .number(String(position == 0 ? 1 : 0)) }),
            ("a position past the count", "field", try editSeal(proof) { s in s["position"] = .number("3") }),
            ("a negative position", "field", try editSeal(proof) { s in s["position"] = .number("-1") }),
            ("a byte of a path sibling", "sealInvalid", try editSeal(proof) { s in
                var b = bytes(s, "path"); b[0] ^= 0x80; s["path"] = .string(Base64.encode(b)) }),
            ("a path one sibling short", "field", try editSeal(proof) { s in
                s["path"] = .string(Base64.encode(Array(bytes(s, "path").dropLast(32)))) }),
            ("a path one sibling long", "field", try editSeal(proof) { s in
                s["path"] = .string(Base64.encode(bytes(s, "path") + [UInt8](repeating: 7, count: 32))) }),
            ("a path not of whole hashes", "field", try editSeal(proof) { s in
                s["path"] = .string(Base64.encode(Array(bytes(s, "path").dropLast(1)))) }),
            ("the path as a list", "field", try editSeal(proof) { s in s["path"] = .array([]) }),
            ("another count in the root, not signed again", "signatureInvalid", try editSeal(proof) { s in
                var root = try bytes(s, "root").jsonObject()
                root["statements"] = .number("4")
                s["root"] = .string(Base64.encode(JSONValue.object(root).compactEncoded())) }),
            ("another count signed, for which the path has another length", "field", try editSeal(proof) { s in
                try resignedRoot(&s) { $0["statements"] = .number("2") } }),
            ("another bundle in the signed root", "statementMismatch", try editSeal(proof) { s in
                try resignedRoot(&s) { $0["bundle"] = .string(String(repeating: "ab", count: 32)) } }),
            ("another epoch in the signed root", "statementMismatch", try editSeal(proof) { s in
                try resignedRoot(&s) { $0["epoch"] = .string("2025-11-26T12:00:00Z") } }),
            ("another custodian named in the root", "field", try editSeal(proof) { s in
                try resignedRoot(&s) { $0["custodian"] = .string(TestKeys.otherCustodian.verifyingKey.id) } }),
            ("the root payload in the statement format", "wrongFileKind", try editSeal(proof) { s in
                try resignedRoot(&s) { $0["format"] = .string("zkmargin/statement@2") } }),
            ("an unknown member in the root", "field", try editSeal(proof) { s in
                try resignedRoot(&s) { $0["note"] = .string("x") } }),
            ("an unknown member in the seal", "field", try editSeal(proof) { s in s["note"] = .string("x") }),
            ("no root", "field", try editSeal(proof) { s in s["root"] = nil }),
            ("a seal and a signature", "field", try editStatement(proof) { env in
                env["signature"] = .string(Base64.encode(TestKeys.custodian.signature(for: [1]))) }),
            ("the payload changed under the seal", "sealInvalid", try editStatement(proof) { env in
                guard case .string(let t)? = env["payload"], let p = Base64.decode(t), case .object(var o) = try JSONParser.parse(p) else { return }
                o["issued_at"] = .string("2025-11-25T12:30:00Z")
                env["payload"] = .string(Base64.encode(JSONValue.object(o).compactEncoded()))
            }),
        ]
        // The root hash alone does not fix the count (as in RFC 9162: a
        // path of 2 hashes from leaf 0 fits 3 leaves and 4): the count is
        // the custodian's signed claim, and only the custodian can sign
        // another. Such a root, signed by the custodian, is accepted.
        let recounted = try editSeal(proof) { s in try resignedRoot(&s) { $0["statements"] = .number("4") } }
        XCTAssertNoThrow(try verdict(recounted, bundle: e.bundle, policy: policy()).get())
        for (what, code, tampered) in cases {
            assertInvalid(tampered, bundle: e.bundle, code: code, contains: nil)
            if case .success = try verdict(tampered, bundle: e.bundle, policy: policy()) { XCTFail(what) }
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
