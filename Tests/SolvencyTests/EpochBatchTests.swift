import Foundation
import MarginCircuits
import StrictJSON
import XCTest
import ZKGroup
import ZKProofs
@testable import Solvency
import ZKTestSupport

/// Batch epochs (issue 16): shard assignment, seeded openings, batch
/// attest and prove over an epoch directory, resumption, locking.
final class EpochBatchTests: XCTestCase {
    // MARK: Shards

    func testShardAssignmentMatchesIndependentVectors() throws {
        guard case .object(let root) = try Repository.forTests.vector("epoch/vectors.json"),
              case .array(let shards)? = root["shards"] else { return XCTFail("Vectors/epoch/vectors.json: no shards") }
        XCTAssertGreaterThanOrEqual(shards.count, 5)
        for case .object(let v) in shards {
            guard case .string(let label)? = v["label"], case .string(let hex)? = v["key"], case .object(let counts)? = v["shards"] else {
                return XCTFail("malformed shard vector")
            }
            let key = AccountKey(label: label)
            XCTAssertEqual(key.hex, hex, label)
            XCTAssertEqual(AccountKey(hex: hex), key)
            for (count, expected) in counts.entries {
                guard case .number(let e) = expected, let n = Int(count) else { return XCTFail("malformed count") }
                XCTAssertEqual(key.shard(of: n), Int(e), "\(label) mod \(n)")
                XCTAssertTrue(try ShardSpec(index: Int(e)!, count: n).contains(key))
            }
        }
    }

    func testAccountKeyFromFileNamesIsStrict() {
        let hex = AccountKey(label: "x").hex
        XCTAssertNotNil(AccountKey(hex: hex))
        XCTAssertNil(AccountKey(hex: hex.uppercased()), "file names are lower-case hex")
        XCTAssertNil(AccountKey(hex: String(hex.dropLast())))
        XCTAssertNil(AccountKey(hex: String(hex.dropLast()) + "g"))
    }

    func testShardTextAndItsRefusals() throws {
        XCTAssertEqual(try ShardSpec(parsing: "3/8"), try ShardSpec(index: 3, count: 8))
        XCTAssertEqual(try ShardSpec(parsing: "0/1"), ShardSpec.whole)
        for bad in ["8/8", "-1/8", "1/0", "a/b", "1/2/3", " 1/2", "1/ 2", "1", "", "/", "+1/2", "1/2000000", "0x1/2"] {
            assertSolvencyError("invalidArgument") { try ShardSpec(parsing: bad) }
        }
    }

    func testSlurmArrayOffsetsAndStep() throws {
        // --array=10-24:2 runs tasks 10, 12, … 24: shards 0 … 7 of 8.
        for (id, index) in [(10, 0), (14, 2), (24, 7)] {
            let env = ["SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "8"]
            XCTAssertEqual(try ShardSpec.fromEnvironment(env).0, try ShardSpec(index: index, count: 8))
        }
        // No step or minimum exported: 1 and 0.
        XCTAssertEqual(try ShardSpec.fromEnvironment(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"]).0, try ShardSpec(index: 3, count: 4))
        // Slurm wins over a Kubernetes index; --shard-count must agree with it.
        let both = ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "4", "JOB_COMPLETION_INDEX": "3"]
        XCTAssertEqual(try ShardSpec.fromEnvironment(both, countOverride: 4).0, try ShardSpec(index: 1, count: 4))
        assertSolvencyError("invalidArgument") { try ShardSpec.fromEnvironment(both, countOverride: 5) }
        for bad: [String: String] in [
            ["SLURM_ARRAY_TASK_ID": "13", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "8"],  // off the step
            ["SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "8"],                                 // below the minimum
            ["SLURM_ARRAY_TASK_ID": "10", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_STEP": "0", "SLURM_ARRAY_TASK_COUNT": "8"],  // step 0
            ["SLURM_ARRAY_TASK_ID": "8", "SLURM_ARRAY_TASK_COUNT": "8"],                                                               // index = count
            ["SLURM_ARRAY_TASK_ID": "1"],                                                                                              // no count
            ["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "8"],
            ["SLURM_ARRAY_TASK_ID": "-1", "SLURM_ARRAY_TASK_COUNT": "8"],
            [:],
        ] {
            assertSolvencyError("invalidArgument") { try ShardSpec.fromEnvironment(bad) }
        }
    }

    func testKubernetesCompletionIndex() throws {
        XCTAssertEqual(try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "5"], countOverride: 8).0, try ShardSpec(index: 5, count: 8))
        XCTAssertEqual(try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "5", "ZKMARGIN_SHARD_COUNT": "6"]).0, try ShardSpec(index: 5, count: 6))
        // --shard-count wins over the variable.
        XCTAssertEqual(try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "0", "ZKMARGIN_SHARD_COUNT": "6"], countOverride: 2).0, try ShardSpec(index: 0, count: 2))
        assertSolvencyError("invalidArgument") { try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "5"]) }
        assertSolvencyError("invalidArgument") { try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "8"], countOverride: 8) }
        assertSolvencyError("invalidArgument") { try ShardSpec.fromEnvironment(["JOB_COMPLETION_INDEX": "1", "ZKMARGIN_SHARD_COUNT": "two"]) }
    }

    // MARK: Seeded openings

    func testSeededBlindingsMatchIndependentVectors() throws {
        guard case .object(let root) = try Repository.forTests.vector("epoch/vectors.json"),
              case .array(let cases)? = root["seeded_blindings"] else { return XCTFail("no seeded_blindings") }
        XCTAssertEqual(cases.count, 8)
        for case .object(let v) in cases {
            guard case .string(let curveName)? = v["curve"], let curve = Curve(name: curveName),
                  case .string(let seed)? = v["seed"], case .string(let bundle)? = v["bundle"],
                  case .string(let account)? = v["account"], case .number(let index)? = v["index"],
                  case .string(let expected)? = v["blinding"] else { return XCTFail("malformed seed vector") }
            let r = OpeningSeed.blinding(seed: [UInt8](hex: seed)!, curve: curve, bundleDigest: [UInt8](hex: bundle)!, account: account, index: Int(index)!)
            XCTAssertEqual(r.bytes.hexString, expected, "\(curveName) \(account) \(index)")
        }
    }

    func testSeededOpeningsAreSmallRoundTripAndProve() throws {
        let bundle = try makeBundle()
        let account = try Repository.forTests.exampleAccount("cross-margin")
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow, seeded: true)
        let (_, listed) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow)
        let bytes = openings.encoded()
        let object = try JSONParser.parse(bytes)
        guard case .object(let o) = object else { return XCTFail() }
        XCTAssertEqual(o["format"], .string("zkmargin/openings@3"))
        XCTAssertNil(o["openings"], "no blinding per input")
        XCTAssertLessThan(bytes.count * 2, listed.encoded().count, "a seed and the values are far smaller than a blinding per input")
        let read = try Openings(encoded: bytes)
        XCTAssertEqual(read.encoded(), bytes)
        for (a, b) in zip(read.entries, openings.entries) {
            XCTAssertEqual(a.value, b.value)
            XCTAssertEqual(a.opening.blinding, b.opening.blinding)
        }
        // Nothing secret in what is printed or dumped.
        guard case .string(let seedHex)? = o["seed"] else { return XCTFail() }
        for text in renderings(read) { XCTAssertFalse(text.contains(seedHex), text) }
        let proof = try Prover.prove(bundle: bundle, statement: statement, openings: read, at: testNow)
        XCTAssertTrue(try verdict(proof.encoded(), bundle: bundle, policy: policy()).get().attested)
    }

    func testSeededOpeningsRefusals() throws {
        let bundle = try makeBundle()
        let account = try Repository.forTests.exampleAccount("cross-margin")
        let (statement, openings) = try Custodian.attest(bundle: bundle, account: account, key: TestKeys.custodian, at: testNow, seeded: true)
        let bytes = openings.encoded()
        let generators = Generators.standard(bundle.curve)
        let named = statement
        func edited(_ edit: (inout JSONObject) -> Void) throws -> Openings {
            try Openings(encoded: try editJSON(bytes, edit))
        }
        // Another seed opens nothing.
        let otherSeed = try edited { $0["seed"] = .string(String(repeating: "11", count: 32)) }
        assertSolvencyError("openingsMismatch") { try otherSeed.check(against: named, generators: generators) }
        // One value changed, one dropped, one added.
        guard case .array(let values)? = try JSONParser.parse(bytes).objectValue?["values"] else { return XCTFail() }
        let bumped = try edited { $0["values"] = .array([.string("1")] + values.dropFirst()) }
        if values.first != .string("1") {
            assertSolvencyError("openingsMismatch") { try bumped.check(against: named, generators: generators) }
        }
        let shorter = try edited { $0["values"] = .array(Array(values.dropLast())) }
        assertSolvencyError("openingsMismatch") { try shorter.check(against: named, generators: generators) }
        let longer = try edited { $0["values"] = .array(values + [.string("0")]) }
        assertSolvencyError("openingsMismatch") { try longer.check(against: named, generators: generators) }
        // The seed derives per bundle and account: the same file relabelled opens nothing.
        let relabelled = try edited { $0["account"] = .string(account.label + "x") }
        assertSolvencyError("openingsMismatch") { try relabelled.check(against: named, generators: generators) }
        // Strict fields.
        for edit: (inout JSONObject) -> Void in [
            { $0["seed"] = .string("00") }, { $0["seed"] = nil }, { $0["values"] = .string("0") },
            { $0["values"] = .array([.number("1")]) }, { $0["values"] = .array([.string("1.5")]) }, { $0["extra"] = .null },
        ] {
            assertSolvencyError("field") { try edited(edit) }
        }
    }

    // MARK: Batch attest and prove

    /// Six accounts with labels that are hostile as file names, two of
    /// them short, as JSON Lines (with a blank line).
    func writeAccounts(_ dir: String, shortLabel: String? = nil, extra: [String] = []) throws -> (path: String, labels: [String], short: Set<String>) {
        let names = ["solvent", "short", "borrowed-solvent", "borrowed-short", "at-margin", "solvent"]
        let labels = ["../../etc/passwd", "fund 7/ü/sub", "a\\b", "客户/7", "-rf *", ".."]
        var lines: [String] = []
        var short: Set<String> = []
        for (name, label) in zip(names, labels) {
            var o = try Repository.forTests.vector("examples/cross-margin/\(name).json").objectValue!
            let isShort = name.hasSuffix("short") || label == shortLabel
            if label == shortLabel { o = try Repository.forTests.vector("examples/cross-margin/short.json").objectValue! }
            if isShort { short.insert(label) }
            o["account"] = .string(label)
            lines.append(String(decoding: JSONValue.object(o).compactEncoded(), as: UTF8.self))
        }
        let path = "\(dir)/accounts.jsonl"
        try FileIO.write(Array((lines.joined(separator: "\n") + "\n\n" + extra.joined(separator: "\n")).utf8), to: path, mode: 0o644)
        return (path, labels, short)
    }

    func testBatchEpochInShardsProvesEverySolventAccountOnce() throws {
        let dir = try temporaryDirectory(self)
        let bundle = try makeBundle()
        let (path, labels, short) = try writeAccounts(dir)
        let epoch = EpochDirectory(path: "\(dir)/epoch")
        var attested = 0
        for i in 0..<3 {
            let r = try EpochBatch.attest(bundle: bundle, accounts: AccountsFile(path: path), directory: epoch, shard: try ShardSpec(index: i, count: 3),
                                          authority: .sign(TestKeys.custodian), at: testNow)
            XCTAssertFalse(r.hasFailures)
            XCTAssertEqual(r.written, r.accounts)
            attested += r.accounts
        }
        XCTAssertEqual(attested, labels.count, "the shards partition the accounts")
        XCTAssertEqual(Set(try epoch.keys(in: .statements)), Set(labels.map(AccountKey.init(label:))))
        XCTAssertEqual(FileIO.mode(of: epoch.directory(.openings)), 0o700)
        for l in labels { XCTAssertEqual(FileIO.mode(of: epoch.file(.openings, label: l)), 0o600) }
        // Nothing escaped the directory.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["accounts.jsonl", "epoch"])

        var shortSeen: [String] = []
        for i in 0..<2 {
            let r = try EpochBatch.prove(bundle: bundle, directory: epoch, shard: try ShardSpec(index: i, count: 2), at: testNow)
            XCTAssertFalse(r.hasFailures, "\(r.failed.map(\.message))")
            shortSeen += r.short.map(\.account)
            XCTAssertTrue(r.short.allSatisfy { $0.requirement == "maintenance" })
            let reportText = String(decoding: try FileIO.read("\(epoch.directory(.reports))/\(r.fileName)"), as: UTF8.self)
            // No secret in the report: no value or seed of any opening.
            for l in labels {
                guard case .object(let o) = try JSONParser.parse(try FileIO.read(epoch.file(.openings, label: l))),
                      case .string(let seed)? = o["seed"] else { return XCTFail("openings@3 expected") }
                XCTAssertFalse(reportText.contains(seed))
            }
            XCTAssertFalse(reportText.contains("shortfall"))
        }
        XCTAssertEqual(Set(shortSeen), short)
        let proven = try epoch.keys(in: .proofs)
        XCTAssertEqual(Set(proven), Set(labels.filter { !short.contains($0) }.map(AccountKey.init(label:))))
        for key in proven {
            let bytes = try FileIO.read(epoch.file(.proofs, key: key))
            let accepted = try verdict(bytes, bundle: bundle, policy: policy()).get()
            XCTAssertEqual(AccountKey(label: accepted.account), key, "each proof is filed under its own label's digest")
        }
    }

    func testDuplicateLabelIsRefusedBeforeAnythingIsWritten() throws {
        let dir = try temporaryDirectory(self)
        let bundle = try makeBundle()
        let again = #"{"account": "a\\b", "balances": {"USDC": "1"}}"#
        let (path, _, _) = try writeAccounts(dir, extra: [again])
        let e = assertSolvencyError("field") {
            try EpochBatch.attest(bundle: bundle, accounts: AccountsFile(path: path), directory: EpochDirectory(path: "\(dir)/epoch"), shard: .whole,
                                  authority: .sign(TestKeys.custodian), at: testNow)
        }
        XCTAssertTrue("\(e!)".contains("lines 3 and 8"), "\(e!)")
        XCTAssertFalse(FileIO.exists("\(dir)/epoch"), "nothing written")
    }

    func testAnUnreadableLineFailsThatAccountOnly() throws {
        let dir = try temporaryDirectory(self)
        let bundle = try makeBundle()
        let (path, labels, _) = try writeAccounts(dir, extra: [#"{"account": "unknown-asset", "balances": {"DOGE": "1"}}"#,
                                                                #"{"account": "too-rich", "balances": {"USDC": "987654321987654321987654321"}}"#,
                                                                #"{"account": "not-a-number", "balances": {"USDC": "12e"}}"#])
        let epoch = EpochDirectory(path: "\(dir)/epoch")
        let r = try EpochBatch.attest(bundle: bundle, accounts: AccountsFile(path: path), directory: epoch, shard: .whole,
                                      authority: .sign(TestKeys.custodian), at: testNow)
        XCTAssertEqual(r.written, labels.count, "the other accounts are attested")
        XCTAssertEqual(r.failed.map(\.line), [8, 9, 10])
        XCTAssertEqual(r.failed.map(\.account), ["unknown-asset", "too-rich", "not-a-number"])
        XCTAssertTrue(r.hasFailures)
        // The value that was refused is not in the report (nor in its message).
        let report = String(decoding: try FileIO.read("\(epoch.directory(.reports))/\(r.fileName)"), as: UTF8.self)
        XCTAssertTrue(report.contains("account.balances"), report)
        XCTAssertFalse(report.contains("987654321"), report)
        // A line that is not an account at all stops the run before anything is written.
        try FileIO.write(Array("{\"account\": \"x\"}\nnot json\n".utf8), to: path, mode: 0o644)
        assertSolvencyError("field") {
            try EpochBatch.attest(bundle: bundle, accounts: AccountsFile(path: path), directory: EpochDirectory(path: "\(dir)/other"), shard: .whole,
                                  authority: .sign(TestKeys.custodian), at: testNow)
        }
    }

    func testRerunKeepsCheckedWorkAndRedoesHalfWrittenFiles() throws {
        let dir = try temporaryDirectory(self)
        let bundle = try makeBundle()
        let (path, labels, short) = try writeAccounts(dir)
        let epoch = EpochDirectory(path: "\(dir)/epoch")
        let accounts = AccountsFile(path: path)
        _ = try EpochBatch.attest(bundle: bundle, accounts: accounts, directory: epoch, shard: .whole, authority: .sign(TestKeys.custodian), at: testNow)
        _ = try EpochBatch.prove(bundle: bundle, directory: epoch, shard: .whole, at: testNow)
        let solvent = labels.filter { !short.contains($0) }

        // A killed task: one proof cut in half, a temporary file left behind.
        let cut = epoch.file(.proofs, label: solvent[0])
        let whole = try FileIO.read(cut)
        try FileIO.write(Array(whole.prefix(whole.count / 2)), to: cut, mode: 0o644)
        try FileIO.write(Array(whole.prefix(100)), to: "\(epoch.directory(.proofs))/.\(AccountKey(label: solvent[1]).hex).json.0011223344556677.tmp", mode: 0o644)
        // A proof of another account filed under this one's name.
        try FileIO.write(try FileIO.read(epoch.file(.proofs, label: solvent[3])), to: epoch.file(.proofs, label: solvent[2]), mode: 0o644)

        let again = try EpochBatch.attest(bundle: bundle, accounts: accounts, directory: epoch, shard: .whole, authority: .sign(TestKeys.custodian), at: testNow)
        XCTAssertEqual(again.kept, labels.count)
        XCTAssertEqual(again.written, 0)
        // Another custodian's run keeps none of the first one's statements.
        let otherEpoch = EpochDirectory(path: "\(dir)/other")
        try FileManager.default.copyItem(atPath: epoch.path, toPath: otherEpoch.path)
        let other = try EpochBatch.attest(bundle: bundle, accounts: accounts, directory: otherEpoch, shard: .whole,
                                          authority: .sign(TestKeys.otherCustodian), at: testNow)
        XCTAssertEqual(other.kept, 0)
        XCTAssertEqual(other.written, labels.count)
        let r = try EpochBatch.prove(bundle: bundle, directory: epoch, shard: .whole, at: testNow)
        XCTAssertEqual(r.written, 2, "the cut proof and the misfiled one are made again")
        XCTAssertEqual(r.kept, solvent.count - 2)
        XCTAssertEqual(Set(r.short.map(\.account)), short)
        for l in solvent {
            XCTAssertEqual(try verdict(try FileIO.read(epoch.file(.proofs, label: l)), bundle: bundle, policy: policy()).get().account, l)
        }

        // Openings that no longer open the statement (a task killed between
        // the two renames): the account is attested again, and its old
        // proof, of the old statement, replaced.
        let oldStatement = try AttestedStatement.load(path: epoch.file(.statements, label: solvent[0]))
        try FileManager.default.removeItem(atPath: epoch.file(.openings, label: solvent[0]))
        let third = try EpochBatch.attest(bundle: bundle, accounts: accounts, directory: epoch, shard: .whole, authority: .sign(TestKeys.custodian), at: testNow)
        XCTAssertEqual(third.written, 1)
        let newStatement = try AttestedStatement.load(path: epoch.file(.statements, label: solvent[0]))
        XCTAssertNotEqual(newStatement.digest, oldStatement.digest)
        let fourth = try EpochBatch.prove(bundle: bundle, directory: epoch, shard: .whole, at: testNow)
        XCTAssertEqual(fourth.written, 1)
        let proof = try MarginProof(encoded: try FileIO.read(epoch.file(.proofs, label: solvent[0])))
        guard case .attested(let embedded) = proof.inputs else { return XCTFail() }
        XCTAssertEqual(embedded.digest, newStatement.digest)
    }

    func testAnAccountThatBecameShortLosesItsOldProof() throws {
        let dir = try temporaryDirectory(self)
        let bundle = try makeBundle()
        let (path, labels, _) = try writeAccounts(dir)
        let epoch = EpochDirectory(path: "\(dir)/epoch")
        _ = try EpochBatch.attest(bundle: bundle, accounts: AccountsFile(path: path), directory: epoch, shard: .whole, authority: .sign(TestKeys.custodian), at: testNow)
        _ = try EpochBatch.prove(bundle: bundle, directory: epoch, shard: .whole, at: testNow)
        let victim = labels[0]
        XCTAssertTrue(FileIO.exists(epoch.file(.proofs, label: victim)))
        // The custodian re-attests it with the balances of a short account.
        let (path2, _, short2) = try writeAccounts(dir, shortLabel: victim)
        XCTAssertTrue(short2.contains(victim))
        try FileManager.default.removeItem(atPath: epoch.file(.statements, label: victim))
        _ = try EpochBatch.attest(bundle: bundle, accounts: AccountsFile(path: path2), directory: epoch, shard: .whole, authority: .sign(TestKeys.custodian), at: testNow)
        let r = try EpochBatch.prove(bundle: bundle, directory: epoch, shard: .whole, at: testNow)
        XCTAssertTrue(r.short.contains { $0.account == victim })
        XCTAssertFalse(FileIO.exists(epoch.file(.proofs, label: victim)), "a short account keeps no proof of an earlier statement")
    }

    func testOneLiveCopyPerShardAndOneSplitPerStage() throws {
        let dir = try temporaryDirectory(self)
        let bundle = try makeBundle()
        let (path, _, _) = try writeAccounts(dir)
        let epoch = EpochDirectory(path: "\(dir)/epoch")
        let accounts = AccountsFile(path: path)
        let shard = try ShardSpec(index: 1, count: 2)
        _ = try EpochBatch.attest(bundle: bundle, accounts: accounts, directory: epoch, shard: shard, authority: .sign(TestKeys.custodian), at: testNow)
        let held = try ShardLock(directory: epoch, stage: "prove", shard: shard)
        let e = assertSolvencyError("io") { try EpochBatch.prove(bundle: bundle, directory: epoch, shard: shard, at: testNow) }
        XCTAssertTrue("\(e!)".contains("another live process (pid \(getpid()))"), "\(e!)")
        // Another shard is not blocked, and the lock is free once released.
        XCTAssertNoThrow(try EpochBatch.prove(bundle: bundle, directory: epoch, shard: try ShardSpec(index: 0, count: 2), at: testNow))
        held.release()
        XCTAssertNoThrow(try EpochBatch.prove(bundle: bundle, directory: epoch, shard: shard, at: testNow))
        // A task with another count would share accounts with the first split.
        assertSolvencyError("invalidArgument") {
            try EpochBatch.attest(bundle: bundle, accounts: accounts, directory: epoch, shard: try ShardSpec(index: 0, count: 3),
                                  authority: .sign(TestKeys.custodian), at: testNow)
        }
        assertSolvencyError("invalidArgument") { try EpochBatch.prove(bundle: bundle, directory: epoch, shard: .whole, at: testNow) }
    }

    func testWorkersWithThePublicKeyOnlyNeedOneSealBeforeProving() throws {
        let dir = try temporaryDirectory(self)
        let bundle = try makeBundle()
        let (path, labels, short) = try writeAccounts(dir)
        let epoch = EpochDirectory(path: "\(dir)/epoch")
        let accounts = AccountsFile(path: path)
        let a = try EpochBatch.attest(bundle: bundle, accounts: accounts, directory: epoch, shard: .whole,
                                      authority: .unsealed(TestKeys.custodian.verifyingKey), at: testNow)
        XCTAssertEqual(a.written, labels.count)
        for l in labels { XCTAssertTrue(try AttestedStatement.load(path: epoch.file(.statements, label: l), allowingUnsealed: true).isUnsealed) }
        // A rerun keeps unsealed statements whose openings open them.
        XCTAssertEqual(try EpochBatch.attest(bundle: bundle, accounts: accounts, directory: epoch, shard: .whole,
                                             authority: .unsealed(TestKeys.custodian.verifyingKey), at: testNow).kept, labels.count)
        // Nothing is proven from an unsealed statement: each account fails and says why.
        let early = try EpochBatch.prove(bundle: bundle, directory: epoch, shard: .whole, at: testNow)
        XCTAssertEqual(early.failed.count, labels.count)
        XCTAssertTrue(early.failed.allSatisfy { $0.code == "statementUnsealed" }, "\(early.failed.map(\.code))")
        XCTAssertTrue(try epoch.keys(in: .proofs).isEmpty)
        // One seal on the key's machine; the statements keep their digests, so the openings still open them.
        _ = try StatementSealRun.run(epoch, bundle: bundle, key: TestKeys.custodian, at: testNow)
        XCTAssertEqual(try EpochBatch.attest(bundle: bundle, accounts: accounts, directory: epoch, shard: .whole,
                                             authority: .unsealed(TestKeys.custodian.verifyingKey), at: testNow).kept, labels.count)
        let r = try EpochBatch.prove(bundle: bundle, directory: epoch, shard: .whole, custodianKey: TestKeys.custodian.verifyingKey, at: testNow)
        XCTAssertFalse(r.hasFailures, "\(r.failed.map(\.message))")
        XCTAssertEqual(Set(r.short.map(\.account)), short)
        for l in labels where !short.contains(l) {
            let accepted = try verdict(try FileIO.read(epoch.file(.proofs, label: l)), bundle: bundle, policy: policy()).get()
            XCTAssertEqual(accepted.account, l)
        }
        // Another custodian's key given by mistake: every account refused, and
        // the proofs already made are left alone.
        let proofs = try epoch.keys(in: .proofs)
        let other = try EpochBatch.prove(bundle: bundle, directory: epoch, shard: .whole, custodianKey: TestKeys.otherCustodian.verifyingKey, at: testNow)
        XCTAssertEqual(other.kept, 0)
        XCTAssertTrue(other.short.isEmpty)
        XCTAssertEqual(other.failed.count, labels.count)
        XCTAssertTrue(other.failed.allSatisfy { $0.code == "wrongSigner" }, "\(other.failed.map(\.code))")
        XCTAssertEqual(try epoch.keys(in: .proofs), proofs)
    }

    // MARK: The commands

    func testBatchCommandsExitZeroWithShortAccountsAndTwoOnFailures() throws {
        let dir = try temporaryDirectory(self)
        try writeTestKeys(to: dir)
        // A bundle valid now (the commands check it at the current time).
        let bundle = try RiskBundle.publish(values: Repository.forTests.example("cross-margin", "values.json"), circuitName: "cross-margin",
                                            circuitSource: Repository.forTests.circuitSource("cross-margin"), curve: .p256, epoch: nil,
                                            issuedAt: Date(), validUntil: Date().addingTimeInterval(86_400), key: TestKeys.publisher)
        try FileIO.write(bundle.encoded(), to: "\(dir)/bundle.json", mode: 0o644)
        let (_, labels, short) = try writeAccounts(dir)
        for i in 0..<2 {
            let a = try CLI.run("zkmargin", ["attest", "--bundle", "bundle.json", "--accounts", "accounts.jsonl", "--key", "custodian.pem",
                                             "--out-dir", "epoch", "--shard", "\(i)/2"], in: dir)
            XCTAssertEqual(a.status, 0, a.output)
        }
        let env = ["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "6", "SLURM_ARRAY_TASK_COUNT": "2"]
        for id in ["6", "7"] {
            let p = try CLI.runWithEnvironment("zkmargin", ["prove", "--bundle", "bundle.json", "--batch", "epoch", "--shard", "auto"], in: dir,
                                               environment: env.merging(["SLURM_ARRAY_TASK_ID": id]) { $1 })
            XCTAssertEqual(p.status, 0, p.output)
            XCTAssertTrue(p.stdout.contains("prove \(Int(id)! - 6)/2:"), p.stdout)
        }
        XCTAssertEqual(try EpochDirectory(path: "\(dir)/epoch").keys(in: .proofs).count, labels.count - short.count)
        let v = try CLI.run("zkmargin-verify", ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem"]
                            + (try EpochDirectory(path: "\(dir)/epoch").keys(in: .proofs)).map { "epoch/proofs/\($0.hex).json" }, in: dir)
        XCTAssertEqual(v.status, 0, v.output)

        // A failure (openings gone) exits 2 and names the account.
        try FileManager.default.removeItem(atPath: "\(dir)/epoch/openings/\(AccountKey(label: labels[0]).hex).json")
        try FileManager.default.removeItem(atPath: "\(dir)/epoch/proofs/\(AccountKey(label: labels[0]).hex).json")
        let failed = try CLI.run("zkmargin", ["prove", "--bundle", "bundle.json", "--batch", "epoch"], in: dir)
        XCTAssertEqual(failed.status, 64, "a split of 2 was recorded: the whole-epoch run is refused\n\(failed.output)")
        let again = try CLI.run("zkmargin", ["prove", "--bundle", "bundle.json", "--batch", "epoch", "--shard", "\(AccountKey(label: labels[0]).shard(of: 2))/2"], in: dir)
        XCTAssertEqual(again.status, 2, again.output)
        XCTAssertTrue(again.stderr.contains(jsonQuoted(labels[0])), again.stderr)

        // Usage errors.
        for args in [
            ["attest", "--bundle", "bundle.json", "--accounts", "accounts.jsonl", "--key", "custodian.pem"],
            ["attest", "--bundle", "bundle.json", "--accounts", "accounts.jsonl", "--account", "x.json", "--key", "custodian.pem", "--out-dir", "e"],
            ["attest", "--bundle", "bundle.json", "--account", "x.json", "--key", "custodian.pem", "--out", "s.json", "--openings", "o.json", "--shard", "0/2"],
            ["prove", "--bundle", "bundle.json", "--batch", "epoch", "--out", "p.json"],
            ["prove", "--bundle", "bundle.json", "--batch", "epoch", "--challenge", "00"],
            ["prove", "--bundle", "bundle.json", "--batch", "epoch", "--shard", "0/2", "--shard-count", "2"],
            ["prove", "--bundle", "bundle.json", "--batch", "epoch", "--shard", "2/2"],
            ["prove", "--bundle", "bundle.json", "--statement", "s.json", "--openings", "o.json", "--out", "p.json", "--shard", "0/2"],
        ] {
            let r = try CLI.run("zkmargin", args, in: dir)
            XCTAssertEqual(r.status, 64, "\(args)\n\(r.output)")
        }
    }
}

private extension JSONValue {
    var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
}
