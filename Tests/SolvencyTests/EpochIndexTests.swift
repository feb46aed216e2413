import Foundation
import MarginCircuits
import StrictJSON
import Synchronization
import XCTest
import ZKGroup
@testable import Solvency
import ZKTestSupport

/// The epoch index (`zkmargin index`, SPEC.md §16.19) and verifying a
/// whole epoch directory (`zkmargin-verify [--index] DIR`): every
/// inclusion proof verifies, and each way of not being in the index is
/// refused with its code.
final class EpochIndexTests: XCTestCase {
    /// Labels with "/", non-ASCII and spaces: files are named by digest.
    static let labels = ["acct/0001", "Zürich desk", "acct/0003", "trader 4"]

    /// One account's statement and proof, made once per run (proofs are
    /// the slow part).
    struct Made: Sendable {
        let statement: AttestedStatement
        let proof: [UInt8]
    }

    static let cache = Mutex<[String: Made]>([:])

    static func bundle() throws -> RiskBundle { try smallBundle("threshold").bundle }

    /// A statement and proof for `label` (`round` > 0: another statement
    /// for the same account, as a second attestation would make).
    static func made(_ label: String, round: Int = 0, key: SigningKey = TestKeys.custodian) throws -> Made {
        let id = "\(label)/\(round)/\(key.verifyingKey.id)"
        if let m = cache.withLock({ $0[id] }) { return m }
        let bundle = try bundle()
        let account = try Account.decode(from: Data(#"{"account": \#(jsonQuoted(label)), "balances": {"USDC": "\#(5000 + round)"}}"#.utf8))
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: key, at: testNow)
        let proof = try Prover.prove(bundle: bundle, statement: statement, openings: openings, at: testNow).encoded()
        let m = Made(statement: statement, proof: proof)
        cache.withLock { $0[id] = m }
        return m
    }

    /// An epoch directory with a proof per label, and the bundle file.
    struct Epoch {
        let root: String
        let dir: EpochDirectory
        let bundlePath: String
        var indexPath: String { root + "/index.json" }
        func proof(_ label: String) -> String { dir.file(.proofs, label: label) }
        func inclusion(_ label: String) -> String { dir.file(.inclusion, label: label) }
    }

    func makeEpoch(labels: [String] = EpochIndexTests.labels) throws -> Epoch {
        let root = try temporaryDirectory(self)
        let dir = EpochDirectory(path: root + "/epoch")
        try dir.create([.statements, .proofs])
        let bundlePath = root + "/bundle.json"
        try FileIO.write(try Self.bundle().encoded(), to: bundlePath, mode: 0o644)
        for label in labels {
            let m = try Self.made(label)
            try FileIO.write(m.statement.encoded(), to: dir.file(.statements, label: label), mode: 0o644)
            try FileIO.write(m.proof, to: dir.file(.proofs, label: label), mode: 0o644)
        }
        return Epoch(root: root, dir: dir, bundlePath: bundlePath)
    }

    @discardableResult
    func index(_ e: Epoch, key: SigningKey = TestKeys.custodian, skipInvalid: Bool = false) throws -> EpochIndexBuilder.Outcome {
        try EpochIndexBuilder.build(bundle: try Self.bundle(), directory: e.dir, key: key, out: e.indexPath,
                                    publisherKey: TestKeys.publisher.verifyingKey, at: testNow, issuedAt: testNow, skipInvalid: skipInvalid)
    }

    /// `zkmargin-verify [--index] DIR` through the library.
    func verify(_ e: Epoch, _ arguments: [String]? = nil, index: String?? = .none, trust: VerificationPolicy = policy(),
                inclusionDirectory: String? = nil) throws -> VerificationRun {
        try Workflow.verify(bundlePaths: [e.bundlePath], proofPaths: try ProofArguments.expand(arguments ?? [e.dir.path]), policy: trust,
                            indexPath: index ?? e.indexPath, inclusionDirectory: inclusionDirectory)
    }

    /// The code of each verdict, by file ("VALID" for a valid one).
    func codes(_ run: VerificationRun) -> [String: String] {
        var out: [String: String] = [:]
        for (_, v) in run.verdicts {
            switch v.result {
            case .success: out[v.name] = "VALID"
            case .failure(let e): out[v.name] = e.code
            }
        }
        return out
    }

    func assertOnly(_ run: VerificationRun, _ file: String, is code: String, mentioning text: String? = nil,
                    line: UInt = #line) {
        for (name, c) in codes(run) {
            XCTAssertEqual(c, name == file ? code : "VALID", name, line: line)
        }
        if let text, let v = run.verdicts.first(where: { $0.verdict.name == file }), case .failure(let e) = v.verdict.result {
            XCTAssertTrue(e.description.contains(text), "\(e.description) does not mention \(text)", line: line)
        }
    }

    // MARK: Building

    func testIndexSignsRootAndCountAndEveryInclusionProofVerifies() throws {
        let e = try makeEpoch()
        let outcome = try index(e)
        let idx = try XCTUnwrap(outcome.index)
        XCTAssertEqual(outcome.included, 4)
        XCTAssertTrue(outcome.invalid.isEmpty)
        XCTAssertEqual(idx.count, 4)
        XCTAssertEqual(idx.bundleDigest, try Self.bundle().digest)
        XCTAssertEqual(idx.custodianKeyID, TestKeys.custodian.verifyingKey.id)
        XCTAssertEqual(try EpochIndex.load(path: e.indexPath), idx)
        // The payload has exactly these members: never a label.
        let payload = try idx.envelope.payload.jsonObject()
        XCTAssertEqual(payload.keys, ["format", "custodian", "bundle", "epoch", "issued_at", "count", "root"])
        let text = String(decoding: try FileIO.read(e.indexPath), as: UTF8.self)
        for label in Self.labels { XCTAssertFalse(text.contains(label)) }
        // Each inclusion proof shows its account's leaf; the tree is the
        // sorted leaves' RFC 9162 tree.
        var leaves: [EpochIndexLeaf] = []
        for label in Self.labels {
            let m = try Self.made(label)
            let leaf = EpochIndexLeaf(account: label, statementDigest: m.statement.digest, proofBytes: m.proof)
            let inclusion = try InclusionProof(encoded: FileIO.read(e.inclusion(label)))
            XCTAssertEqual(inclusion.leaf, leaf)
            XCTAssertNoThrow(try inclusion.check(leaf, in: idx))
            leaves.append(leaf)
        }
        let sorted = leaves.sorted()
        XCTAssertEqual(idx.root, MerkleTree.root(leafHashes: sorted.map(\.hash)))
        for (k, leaf) in sorted.enumerated() {
            let label = Self.labels.first { AccountKey(label: $0).digest == leaf.labelDigest }!
            XCTAssertEqual(try InclusionProof(encoded: FileIO.read(e.inclusion(label))).position, k)
        }
        // The whole directory verifies with the index.
        let run = try verify(e)
        XCTAssertTrue(run.allValid, "\(codes(run))")
        XCTAssertEqual(run.verdicts.count, 4)
        let json = run.json(hint: { _ in nil })
        guard let o = assertVerdict(json), case .object(let i)? = o["index"] else { return XCTFail(json) }
        XCTAssertEqual(i["count"], .number("4"))
        XCTAssertEqual(i["root"], .string(idx.root.hexString))
        XCTAssertEqual(o.keys, ["format", "valid", "at", "requested", "bundles", "index", "proofs"])
        XCTAssertTrue(run.lines(hint: { _ in nil }).last!.hasPrefix("epoch index "))
    }

    /// Two leaves for one label digest are refused, whatever else differs.
    func testDuplicateLabelDigestsAreRefused() throws {
        let a = EpochIndexLeaf(labelDigest: AccountKey(label: "a").digest, statementDigest: SHA256.hash([1]), proofDigest: SHA256.hash([2]))
        let b = EpochIndexLeaf(labelDigest: AccountKey(label: "a").digest, statementDigest: SHA256.hash([3]), proofDigest: SHA256.hash([4]))
        let c = EpochIndexLeaf(labelDigest: AccountKey(label: "c").digest, statementDigest: SHA256.hash([1]), proofDigest: SHA256.hash([2]))
        assertSolvencyError("invalidArgument") { try EpochIndex.tree([a, c, b]) }
        assertSolvencyError("invalidArgument") { try EpochIndex.tree([a, a]) }
        assertSolvencyError("invalidArgument") { try EpochIndex.tree([]) }
        XCTAssertEqual(try EpochIndex.tree([c, a]).leaves, [a, c].sorted())
    }

    /// A proof filed under another account's name (the only way one
    /// directory can hold an account twice) is invalid: nothing is signed
    /// unless asked to skip it, and then it is named and left out.
    func testIndexRefusesAProofUnderAnotherAccountsName() throws {
        let e = try makeEpoch()
        let intruder = e.dir.file(.proofs, label: "acct/9999")
        try FileIO.write(try Self.made("acct/0001").proof, to: intruder, mode: 0o644)
        let refused = try index(e)
        XCTAssertNil(refused.index)
        XCTAssertEqual(refused.invalid.map(\.file), [intruder])
        XCTAssertEqual(refused.invalid.first?.error.code, "proofMismatch")
        XCTAssertFalse(FileIO.exists(e.indexPath))
        XCTAssertFalse(FileIO.exists(e.inclusion("acct/0001")))
        let skipped = try index(e, skipInvalid: true)
        XCTAssertEqual(skipped.included, 4)
        XCTAssertEqual(skipped.invalid.map(\.file), [intruder])
        XCTAssertEqual(skipped.index?.count, 4)
        // The index is looked up by the account the statement names: the
        // copy is the very file the index names for acct/0001.
        XCTAssertTrue(try verify(e).allValid)
    }

    /// Statements by another custodian, or invalid proofs, are not indexed.
    func testIndexRefusesAnotherCustodiansStatementAndATamperedProof() throws {
        let e = try makeEpoch(labels: Array(Self.labels.prefix(2)))
        let foreign = e.proof("acct/0003")
        try FileIO.write(try Self.made("acct/0003", key: TestKeys.otherCustodian).proof, to: foreign, mode: 0o644)
        let outcome = try index(e)
        XCTAssertNil(outcome.index)
        XCTAssertEqual(outcome.invalid.map(\.file), [foreign])
        XCTAssertEqual(outcome.invalid.first?.error.code, "wrongSigner")
    }

    func testStaleInclusionProofsAreRemovedOnReindex() throws {
        let e = try makeEpoch()
        try index(e)
        XCTAssertTrue(FileIO.exists(e.inclusion("trader 4")))
        XCTAssertEqual(unlink(e.proof("trader 4")), 0)
        XCTAssertEqual(try index(e).included, 3)
        XCTAssertFalse(FileIO.exists(e.inclusion("trader 4")))
    }

    // MARK: Directories

    /// `zkmargin-verify DIR` gives each proof the verdict it gets alone.
    func testDirectoryVerdictsEqualFileByFile() throws {
        let e = try makeEpoch()
        // One invalid: a proof whose account label was edited.
        let bad = e.proof("acct/0003")
        try FileIO.write(try editJSON(try Self.made("acct/0003").proof) { $0["account"] = .string("acct/0004") }, to: bad, mode: 0o644)
        let whole = try Workflow.verify(bundlePaths: [e.bundlePath], proofPaths: try ProofArguments.expand([e.dir.path]), policy: policy())
        XCTAssertEqual(whole.verdicts.map(\.verdict.name), Self.labels.map { e.proof($0) }.sorted())
        var alone: [String: String] = [:]
        for label in Self.labels {
            let run = try Workflow.verify(bundlePaths: [e.bundlePath], proofPaths: [e.proof(label)], policy: policy())
            alone.merge(codes(run)) { a, _ in a }
        }
        XCTAssertEqual(codes(whole), alone)
        XCTAssertEqual(alone[bad], "statementMismatch")
        // Tiny batches: the same verdicts.
        let tiny = try Workflow.verify(bundlePaths: [e.bundlePath], proofPaths: try ProofArguments.expand([e.dir.path]), policy: policy(),
                                       limits: BatchLimits(maximumPoints: 1, maximumBytes: 1))
        XCTAssertEqual(codes(tiny), alone)
        // A directory without proofs is unusable; other files are skipped.
        let empty = EpochDirectory(path: e.root + "/empty")
        try empty.create([.proofs])
        try FileIO.write([1], to: empty.directory(.proofs) + "/notes.txt", mode: 0o644)
        assertSolvencyError("io") { try ProofArguments.expand([empty.path]) }
    }

    // MARK: What --index refuses

    func testTamperedIndexPayloadOrRootIsUnusable() throws {
        let e = try makeEpoch()
        try index(e)
        let original = try FileIO.read(e.indexPath)
        for edit: (inout JSONObject) -> Void in [{ $0["count"] = .number("5") }, { $0["root"] = .string(String(repeating: "0", count: 64)) },
                                                 { $0["epoch"] = .string("2025-11-26T12:00:00Z") }] {
            try FileIO.write(try tamperPayload(original, edit), to: e.indexPath, mode: 0o644)
            assertSolvencyError("signatureInvalid") { try verify(e) }
        }
    }

    /// A root re-signed by the custodian that is not the tree's: every
    /// proof is refused.
    func testResignedWrongRootRefusesEveryProof() throws {
        let e = try makeEpoch()
        try index(e)
        let resigned = try resign(try FileIO.read(e.indexPath), kind: .epochIndex, key: TestKeys.custodian) {
            $0["root"] = .string(SHA256.hash([0]).hexString)
        }
        try FileIO.write(resigned, to: e.indexPath, mode: 0o644)
        // The inclusion files name the old index's digest.
        let run = try verify(e)
        XCTAssertEqual(Set(codes(run).values), ["notInIndex"])
        XCTAssertTrue(run.verdicts.allSatisfy { "\($0.verdict.result)".contains("another epoch index") })
    }

    func testWrongSignerRevokedKeyAndNoCustodianKeyAreUnusable() throws {
        let e = try makeEpoch(labels: Array(Self.labels.prefix(2)))
        // The statements are TestKeys.custodian's: under another key every
        // proof is invalid, and nothing is signed, skipping or not.
        for skip in [false, true] {
            let none = try index(e, key: TestKeys.otherCustodian, skipInvalid: skip)
            XCTAssertNil(none.index)
            XCTAssertEqual(none.invalid.map(\.error.code), ["wrongSigner", "wrongSigner"])
        }
        XCTAssertFalse(FileIO.exists(e.indexPath))
        try index(e)
        let other = try resign(try FileIO.read(e.indexPath), kind: .epochIndex, key: TestKeys.otherCustodian) {
            $0["custodian"] = .string(TestKeys.otherCustodian.verifyingKey.id)
        }
        try FileIO.write(other, to: e.root + "/other.json", mode: 0o644)
        assertSolvencyError("wrongSigner") { try verify(e, index: e.root + "/other.json") }
        // Trusting both custodians: the index vouches, but the statements
        // are another custodian's.
        let both = VerificationPolicy(trust: TrustStore(entries: [
            .init(name: nil, role: .publisher, key: TestKeys.publisher.verifyingKey),
            .init(name: "A", role: .custodian, key: TestKeys.custodian.verifyingKey),
            .init(name: "B", role: .custodian, key: TestKeys.otherCustodian.verifyingKey),
        ]), at: testNow)
        let run = try verify(e, index: e.root + "/other.json", trust: both)
        XCTAssertEqual(Set(codes(run).values), ["notInIndex"])
        let revoked = VerificationPolicy(trust: TrustStore(entries: [
            .init(name: nil, role: .publisher, key: TestKeys.publisher.verifyingKey),
            .init(name: "A", role: .custodian, key: TestKeys.custodian.verifyingKey, revokedAt: testNow.addingTimeInterval(-1)),
        ]), at: testNow)
        assertSolvencyError("keyRevoked") { try verify(e, trust: revoked) }
        assertSolvencyError("custodianKeyRequired") { try verify(e, trust: policy(custodian: nil)) }
        // Refused at its signer, before its signature: a tampered one too.
        try FileIO.write(try tamperPayload(try FileIO.read(e.indexPath)) { $0["count"] = .number("9") }, to: e.root + "/tampered.json", mode: 0o644)
        assertSolvencyError("custodianKeyRequired") { try verify(e, index: e.root + "/tampered.json", trust: policy(custodian: nil)) }
        assertSolvencyError("signatureInvalid") { try verify(e, index: e.root + "/tampered.json") }
    }

    func testIndexForAnotherBundleIsUnusable() throws {
        let e = try makeEpoch(labels: Array(Self.labels.prefix(1)))
        try index(e)
        let moved = try resign(try FileIO.read(e.indexPath), kind: .epochIndex, key: TestKeys.custodian) {
            $0["bundle"] = .string(SHA256.hash([9]).hexString)
        }
        try FileIO.write(moved, to: e.indexPath, mode: 0o644)
        assertSolvencyError("field") { try verify(e) }
        let epoch = try resign(try FileIO.read(e.indexPath), kind: .epochIndex, key: TestKeys.custodian) {
            $0["bundle"] = .string(try! Self.bundle().digestHex)
            $0["epoch"] = .string("2025-11-26T12:00:00Z")
        }
        try FileIO.write(epoch, to: e.indexPath, mode: 0o644)
        assertSolvencyError("field") { try verify(e) }
    }

    /// The proof file changed by one byte (still a valid proof: a trailing
    /// newline) is not the file the index names.
    func testChangedProofFileIsNotInIndex() throws {
        let e = try makeEpoch()
        try index(e)
        let p = e.proof("Zürich desk")
        try FileIO.write(try FileIO.read(p) + [0x0a], to: p, mode: 0o644)
        XCTAssertTrue(try Workflow.verify(bundlePaths: [e.bundlePath], proofPaths: [p], policy: policy()).allValid, "still a valid proof")
        assertOnly(try verify(e), p, is: "notInIndex", mentioning: "another proof file")
    }

    /// Another statement for the same account (a second attestation): its
    /// proof is valid, and refused, so a holder cannot shop between them.
    func testProofFromAnotherStatementIsNotInIndex() throws {
        let e = try makeEpoch()
        try index(e)
        let p = e.proof("acct/0001")
        try FileIO.write(try Self.made("acct/0001", round: 1).proof, to: p, mode: 0o644)
        assertOnly(try verify(e), p, is: "notInIndex", mentioning: "another statement")
        // Without the index it verifies: the index is what stops it.
        XCTAssertTrue(try Workflow.verify(bundlePaths: [e.bundlePath], proofPaths: [p], policy: policy()).allValid)
    }

    func testInclusionProofForAnotherAccountIsRefused() throws {
        let e = try makeEpoch()
        try index(e)
        try FileIO.write(try FileIO.read(e.inclusion("acct/0003")), to: e.inclusion("acct/0001"), mode: 0o644)
        assertOnly(try verify(e), e.proof("acct/0001"), is: "notInIndex", mentioning: "another account")
    }

    /// Every edit of an inclusion file: refused, `notInIndex`.
    func testEditedInclusionProofsAreRefused() throws {
        let e = try makeEpoch()
        try index(e)
        let label = "trader 4"
        let path = e.inclusion(label)
        let original = try FileIO.read(path)
        let o = try original.jsonObject()
        guard case .array(let siblings)? = o["path"], case .number(let position)? = o["position"] else { return XCTFail() }
        XCTAssertEqual(siblings.count, 2)
        let edits: [(String, (inout JSONObject) -> Void)] = [
            ("truncated path", { $0["path"] = .array(Array(siblings.dropLast())) }),
            ("extended path", { $0["path"] = .array(siblings + [siblings[0]]) }),
            ("empty path", { $0["path"] = .array([]) }),
            ("swapped siblings", { $0["path"] = .array(siblings.reversed()) }),
            ("flipped bit", { $0["path"] = .array([Self.flipLastBit(siblings[0]), siblings[1]]) }),
            ("another sibling", { $0["path"] = .array([.string(SHA256.hash([7]).hexString), siblings[1]]) }),
            ("another position", { $0["position"] = .number(position == "0" ? "1" : "0") }),
            ("position past count", { $0["position"] = .number("4") }),
            ("another count", { $0["count"] = .number("5") }),
            ("another index", { $0["index"] = .string(SHA256.hash([1]).hexString) }),
            ("another statement", { $0["statement"] = .string(SHA256.hash([2]).hexString) }),
            ("another proof", { $0["proof"] = .string(SHA256.hash([3]).hexString) }),
            ("unknown member", { $0["note"] = .string("x") }),
            ("upper-case hex", { $0["index"] = .string(try! Self.indexDigest(e).uppercased()) }),
            ("another format", { $0["format"] = .string("zkmargin/inclusion@2") }),
            ("a path member that is not hex", { $0["path"] = .array([.number("1"), siblings[1]]) }),
        ]
        for (what, edit) in edits {
            try FileIO.write(try editJSON(original, edit), to: path, mode: 0o644)
            let run = try verify(e)
            assertOnly(run, e.proof(label), is: "notInIndex")
            XCTAssertFalse(run.allValid, what)
        }
        try FileIO.write(Array("{".utf8), to: path, mode: 0o644)
        assertOnly(try verify(e), e.proof(label), is: "notInIndex", mentioning: "cannot be used")
        XCTAssertEqual(unlink(path), 0)
        assertOnly(try verify(e), e.proof(label), is: "notInIndex", mentioning: "does not exist")
        // The original again: valid.
        try FileIO.write(original, to: path, mode: 0o644)
        XCTAssertTrue(try verify(e).allValid)
    }

    static func flipLastBit(_ v: JSONValue) -> JSONValue {
        guard case .string(let s) = v, var bytes = [UInt8](hex: s) else { return v }
        bytes[31] ^= 1
        return .string(bytes.hexString)
    }

    static func indexDigest(_ e: Epoch) throws -> String { try EpochIndex.load(path: e.indexPath).digest.hexString }

    /// A proof added after the index was signed has no inclusion proof.
    func testProofMissingFromIndexIsRefused() throws {
        let e = try makeEpoch(labels: Array(Self.labels.prefix(3)))
        try index(e)
        let late = e.proof("trader 4")
        try FileIO.write(try Self.made("trader 4").proof, to: late, mode: 0o644)
        assertOnly(try verify(e), late, is: "notInIndex", mentioning: "no inclusion proof")
    }

    /// Proofs given as files: their epoch directory's inclusion/ by default,
    /// or --inclusion-dir.
    func testProofFilesAndInclusionDirectory() throws {
        let e = try makeEpoch()
        try index(e)
        let p = e.proof("acct/0003")
        XCTAssertTrue(try verify(e, [p]).allValid)
        let loose = e.root + "/loose.json"
        try FileIO.write(try FileIO.read(p), to: loose, mode: 0o644)
        assertOnly(try verify(e, [loose]), loose, is: "notInIndex")
        XCTAssertTrue(try verify(e, [loose], inclusionDirectory: e.dir.directory(.inclusion)).allValid)
    }

    /// Self-attested proofs are never in an index.
    func testSelfAttestedProofIsNotInIndex() throws {
        let e = try makeEpoch(labels: Array(Self.labels.prefix(1)))
        try index(e)
        let (bundle, account) = try smallBundle("threshold")
        let selfProof = try Prover.proveSelfAttested(bundle: bundle, account: account, at: testNow).encoded()
        let p = e.root + "/self.json"
        try FileIO.write(selfProof, to: p, mode: 0o644)
        assertOnly(try verify(e, [p], trust: policy(selfAttested: true)), p, is: "notInIndex", mentioning: "self-attested")
    }

    // MARK: The command lines

    /// `zkmargin index` and `zkmargin-verify --index … DIR` as a user runs
    /// them: exit statuses, the verdict JSON, invalid proofs named.
    func testCommandLines() throws {
        let e = try makeEpoch()
        try writeTestKeys(to: e.root)
        let at = RFC3339.format(testNow)
        func index(_ extra: [String] = [], out: String = "index.json") throws -> CLI.Run {
            try CLI.run("zkmargin", ["index", "--bundle", "bundle.json", "--dir", "epoch", "--key", "custodian.pem", "--publisher-key", "publisher.pub.pem",
                                     "--at", at, "--out", out] + extra, in: e.root)
        }
        let made = try index()
        XCTAssertEqual(made.status, 0, made.output)
        XCTAssertTrue(made.stdout.contains("epoch index of 4 accounts"), made.stdout)
        let ok = try verifyWithCLI(e.root, ["epoch"], extra: ["--index", "index.json", "--json"])
        XCTAssertEqual(ok.status, 0, ok.output)
        guard let o = assertVerdict(ok.stdout), case .array(let proofs)? = o["proofs"] else { return XCTFail(ok.stdout) }
        XCTAssertEqual(proofs.count, 4)
        XCTAssertNotNil(o["index"])
        let text = try verifyWithCLI(e.root, ["epoch"], extra: ["--index", "index.json"])
        XCTAssertEqual(text.status, 0, text.output)
        XCTAssertTrue(text.stdout.contains("epoch index "), text.stdout)
        // One byte more in one proof: exit 1, named, notInIndex.
        let p = e.proof("acct/0003")
        try FileIO.write(try FileIO.read(p) + [0x0a], to: p, mode: 0o644)
        let bad = try verifyWithCLI(e.root, ["epoch"], extra: ["--index", "index.json", "--json"])
        XCTAssertEqual(bad.status, 1, bad.output)
        guard let b = assertVerdict(bad.stdout), case .array(let verdicts)? = b["proofs"] else { return XCTFail(bad.stdout) }
        let refused = verdicts.compactMap { v -> String? in
            guard case .object(let x) = v, case .object(let err)? = x["error"], case .string(let file)? = x["file"] else { return nil }
            XCTAssertEqual(err["code"], .string("notInIndex"))
            return file
        }
        XCTAssertEqual(refused, ["epoch/proofs/\(AccountKey(label: "acct/0003").hex).json"])
        // A proof under another account's name: nothing signed, named, exit 1.
        let intruder = e.dir.file(.proofs, label: "acct/9999")
        try FileIO.write(try Self.made("acct/0001").proof, to: intruder, mode: 0o644)
        let refusedIndex = try index(out: "second.json")
        XCTAssertEqual(refusedIndex.status, 1, refusedIndex.output)
        XCTAssertTrue(refusedIndex.stderr.contains(AccountKey(label: "acct/9999").hex), refusedIndex.stderr)
        XCTAssertTrue(refusedIndex.stderr.contains("--skip-invalid"), refusedIndex.stderr)
        XCTAssertFalse(FileIO.exists(e.root + "/second.json"))
        let skipped = try index(["--skip-invalid"], out: "second.json")
        XCTAssertEqual(skipped.status, 0, skipped.output)
        XCTAssertTrue(skipped.stdout.contains("left out 1 invalid proof"), skipped.stdout)
        // Unusable input (2): a directory without proofs, a public key for
        // --key; usage (64): no --dir.
        try FileManager.default.createDirectory(atPath: e.root + "/empty", withIntermediateDirectories: true)
        let empty = try CLI.run("zkmargin", ["index", "--bundle", "bundle.json", "--dir", "empty", "--key", "custodian.pem", "--at", at, "--out", "x.json"], in: e.root)
        XCTAssertEqual(empty.status, 2, empty.output)
        XCTAssertTrue(empty.stderr.hasPrefix("zkmargin index: error: empty/proofs: holds no proof"), empty.stderr)
        let publicKey = try CLI.run("zkmargin", ["index", "--bundle", "bundle.json", "--dir", "epoch", "--key", "custodian.pub.pem", "--at", at, "--out", "x.json"], in: e.root)
        XCTAssertEqual(publicKey.status, 2, publicKey.output)
        let noDir = try CLI.run("zkmargin", ["index", "--bundle", "bundle.json", "--key", "custodian.pem", "--out", "x.json"], in: e.root)
        XCTAssertEqual(noDir.status, 64, noDir.output)
        let emptyVerify = try verifyWithCLI(e.root, ["empty"])
        XCTAssertEqual(emptyVerify.status, 2, emptyVerify.output)
        XCTAssertFalse(FileIO.exists(e.root + "/x.json"))
        // Usage: --index needs a custodian key; --inclusion-dir needs --index.
        let noKey = try CLI.run("zkmargin-verify", ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--index", "index.json", "epoch"], in: e.root)
        XCTAssertEqual(noKey.status, 64, noKey.output)
        XCTAssertTrue(noKey.stderr.contains("--custodian-key"), noKey.stderr)
        XCTAssertEqual(try verifyWithCLI(e.root, ["epoch"], extra: ["--inclusion-dir", "x"]).status, 64)
        let help = try CLI.run("zkmargin", ["index", "--help"], in: e.root)
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("zkmargin index --bundle"), help.stdout)
    }

    /// The whole epoch through the command lines: batch attest and prove
    /// (a short account gets no proof), index, verify the directory.
    func testIndexAfterBatchAttestAndProve() throws {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        try FileManager.default.createDirectory(atPath: dir + "/Circuits", withIntermediateDirectories: true)
        try FileIO.write(try Repository.forTests.read("Circuits/threshold.zkm"), to: dir + "/Circuits/threshold.zkm", mode: 0o644)
        try FileIO.write(Array(smallValues["threshold"]!.values.utf8), to: dir + "/values.json", mode: 0o644)
        let accounts = ["desk/a", "desk/b", "desk/c"].map { #"{"account": "\#($0)", "balances": {"USDC": "5000"}}"# }
            + [#"{"account": "desk/short", "balances": {"USDC": "10"}}"#]
        try FileIO.write(Array(accounts.joined(separator: "\n").utf8), to: dir + "/accounts.jsonl", mode: 0o644)
        func run(_ tool: String, _ arguments: [String], status: Int32 = 0, line: UInt = #line) throws -> CLI.Run {
            let r = try CLI.run(tool, arguments, in: dir)
            XCTAssertEqual(r.status, status, "\(tool) \(arguments.joined(separator: " ")): \(r.output)", line: line)
            return r
        }
        _ = try run("zkmargin", ["publish", "--values", "values.json", "--key", "publisher.pem", "--out", "bundle.json"])
        _ = try run("zkmargin", ["attest", "--bundle", "bundle.json", "--accounts", "accounts.jsonl", "--key", "custodian.pem", "--out-dir", "epoch"])
        _ = try run("zkmargin", ["prove", "--bundle", "bundle.json", "--batch", "epoch"])
        let indexed = try run("zkmargin", ["index", "--bundle", "bundle.json", "--dir", "epoch", "--key", "custodian.pem",
                                           "--publisher-key", "publisher.pub.pem", "--out", "epoch/index.json"])
        XCTAssertTrue(indexed.stdout.contains("epoch index of 3 accounts"), indexed.stdout)
        let verified = try run("zkmargin-verify", ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem",
                                                   "--index", "epoch/index.json", "--json", "epoch"])
        guard let o = assertVerdict(verified.stdout), case .array(let proofs)? = o["proofs"] else { return XCTFail(verified.stdout) }
        XCTAssertEqual(proofs.count, 3)
        XCTAssertFalse(FileIO.exists(EpochDirectory(path: dir + "/epoch").file(.inclusion, label: "desk/short")))
    }

    // MARK: The second verifier

    /// interop/python/verify.py, written from SPEC.md §16.19, gives every
    /// proof of the directory the verdict zkmargin-verify gives, with and
    /// without each fault, and refuses the same unusable indexes.
    func testPythonVerifierAgreesOnTheIndex() throws {
        guard let python = InteropTests.python else { throw InteropTests.PythonMissing() }
        let e = try makeEpoch()
        try writeTestKeys(to: e.root)
        try index(e)
        let script = Repository.forTests.path("interop/python/verify.py")
        func both(_ what: String, _ arguments: [String], line: UInt = #line) throws {
            let common = ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem",
                          "--at", RFC3339.format(testNow), "--json"] + arguments
            let swift = try CLI.run("zkmargin-verify", common, in: e.root)
            let py = try CLI.execute(python, ["-B", script] + common, in: e.root)
            XCTAssertEqual(swift.status, py.status, "\(what): \(swift.output)\n\(py.output)", line: line)
            func verdicts(_ text: String) -> [String] {
                guard case .object(let o)? = try? JSONParser.parse(Array(text.utf8)) else { return ["not JSON: \(text)"] }
                if case .object(let err)? = o["error"] { return ["unusable \(err["code"].map { "\($0)" } ?? "")"] }
                guard case .array(let proofs)? = o["proofs"] else { return [] }
                return proofs.map { v in
                    guard case .object(let x) = v else { return "?" }
                    if case .object(let err)? = x["error"], case .string(let code)? = err["code"] { return "\(x["file"].map { "\($0)" } ?? ""): \(code)" }
                    return "\(x["file"].map { "\($0)" } ?? ""): VALID"
                }
            }
            XCTAssertEqual(verdicts(swift.stdout), verdicts(py.stdout), what, line: line)
            _ = assertVerdict(py.stdout)
        }
        try both("valid", ["--index", "index.json", "epoch"])
        let p = e.proof("acct/0003")
        let original = try FileIO.read(p)
        try FileIO.write(original + [0x0a], to: p, mode: 0o644)
        try both("a changed proof file", ["--index", "index.json", "epoch"])
        try FileIO.write(original, to: p, mode: 0o644)
        let inclusion = try FileIO.read(e.inclusion("acct/0001"))
        try FileIO.write(try FileIO.read(e.inclusion("trader 4")), to: e.inclusion("acct/0001"), mode: 0o644)
        try both("another account's inclusion proof", ["--index", "index.json", "epoch"])
        try FileIO.write(try editJSON(inclusion) { o in
            if case .array(let a)? = o["path"] { o["path"] = .array(Array(a.dropLast())) }
        }, to: e.inclusion("acct/0001"), mode: 0o644)
        try both("a truncated path", ["--index", "index.json", "epoch"])
        XCTAssertEqual(unlink(e.inclusion("acct/0001")), 0)
        try both("no inclusion proof", ["--index", "index.json", "epoch"])
        try both("a proof given as a file, with --inclusion-dir", ["--index", "index.json", "--inclusion-dir", "epoch/inclusion", p])
        try both("no index", ["epoch"])
        try FileIO.write(try tamperPayload(try FileIO.read(e.indexPath)) { $0["count"] = .number("9") }, to: e.indexPath, mode: 0o644)
        try both("a tampered index", ["--index", "index.json", "epoch"])
    }

    // MARK: Files

    func testInclusionProofDecodingIsStrict() throws {
        let leaf = EpochIndexLeaf(labelDigest: SHA256.hash([1]), statementDigest: SHA256.hash([2]), proofDigest: SHA256.hash([3]))
        let good = InclusionProof(indexDigest: SHA256.hash([4]), position: 2, count: 3, leaf: leaf, path: [SHA256.hash([5])])
        XCTAssertEqual(try InclusionProof(encoded: good.encoded()), good)
        let bytes = good.encoded()
        for (code, edit) in [("field", { (o: inout JSONObject) in o["position"] = .number("3") }),
                             ("field", { (o: inout JSONObject) in o["count"] = .number("0") }),
                             ("field", { (o: inout JSONObject) in o["position"] = .number("-0") }),
                             ("field", { (o: inout JSONObject) in o["path"] = .array(Array(repeating: .string(SHA256.hash([5]).hexString), count: 41)) }),
                             ("field", { (o: inout JSONObject) in o["account"] = .string("00") }),
                             ("field", { (o: inout JSONObject) in o["extra"] = .null }),
                             ("unknownFormat", { (o: inout JSONObject) in o["format"] = .string("other") }),
                             ("wrongFileKind", { (o: inout JSONObject) in o["format"] = .string("zkmargin/proof@2") })] {
            assertSolvencyError(code) { try InclusionProof(encoded: try editJSON(bytes, edit)) }
        }
        assertSolvencyError("malformed") { try InclusionProof(encoded: []) }
    }

    /// The level-by-level tree is RFC 9162's, for every size up to 70.
    func testMerkleLevelsMatchTheRecursiveTree() {
        for n in 1...70 {
            let hashes = (0..<n).map { SHA256.hash([UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)]) }
            let (root, paths) = MerkleTree.rootAndPaths(leafHashes: hashes)
            let levels = MerkleLevels(leafHashes: hashes)
            XCTAssertEqual(levels.root, root, "\(n)")
            XCTAssertEqual(levels.count, n)
            for m in 0..<n {
                XCTAssertEqual(levels.path(m), paths[m], "leaf \(m) of \(n)")
                XCTAssertEqual(levels.leafHash(m), hashes[m])
            }
        }
    }
}
