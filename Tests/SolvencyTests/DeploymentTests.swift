import Foundation
import StrictJSON
import XCTest
@testable import Solvency
import ZKTestSupport

/// The engine files (deploy/): the Kubernetes Indexed Job, the Slurm batch
/// script and the image they run, checked against the CLI they call.
/// Kubernetes cannot run here, so its manifest is read (with `MiniYAML`,
/// below) and its container's command is run as each completion index would
/// run it; the Slurm script is run with the variables a job array sets
/// (scripts/slurm-e2e.sh runs it on a real cluster).
final class DeploymentTests: XCTestCase {
    var repo: Repository { Repository.forTests }

    // MARK: Flags against --help

    /// The long options `zkmargin SUB --help` (or `zkmargin-verify --help`
    /// when `sub` is nil) lists.
    func helpFlags(_ tool: String, _ sub: String?, file: StaticString = #filePath, line: UInt = #line) throws -> Set<String> {
        let r = try CLI.run(tool, (sub.map { [$0] } ?? []) + ["--help"], in: try temporaryDirectory(self))
        XCTAssertEqual(r.status, 0, "\(tool) \(sub ?? "") --help: \(r.output)", file: file, line: line)
        // An unknown subcommand's --help prints the top-level help (exit 0).
        if let sub, !r.stdout.contains("USAGE: \(tool) \(sub)") {
            XCTFail("\(tool) has no subcommand \(sub)", file: file, line: line)
            return []
        }
        return longOptions(in: r.stdout)
    }

    /// Every `--name` token of a text (the name ends at a character other
    /// than a lower-case letter, digit or hyphen).
    func longOptions(in text: String) -> Set<String> {
        var found: Set<String> = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i + 2 < scalars.count {
            if scalars[i] == "-", scalars[i + 1] == "-", i == 0 || !isNameScalar(scalars[i - 1]), scalars[i + 2].properties.isLowercase {
                var j = i + 2
                while j < scalars.count, isNameScalar(scalars[j]) { j += 1 }
                var name = String(String.UnicodeScalarView(scalars[i..<j]))
                while name.hasSuffix("-") { name.removeLast() }
                found.insert(name)
                i = j
            } else {
                i += 1
            }
        }
        return found
    }

    func isNameScalar(_ u: Unicode.Scalar) -> Bool { ("a"..."z").contains(u) || ("0"..."9").contains(u) || u == "-" }

    func testLongOptionsAreReadAsWholeNames() {
        XCTAssertEqual(longOptions(in: "  --shard <INDEX/COUNT|auto>\n  --shard-count <N>\n--out-dir=x \"--bundle\" a--b --Upper"),
                       ["--shard", "--shard-count", "--out-dir", "--bundle"])
    }

    // MARK: Kubernetes

    struct KubernetesJob {
        let documents: [YAMLValue]
        let job: YAMLValue
        let container: YAMLValue
        let command: [String]
        let completions: Int
        let parallelism: Int
    }

    func kubernetesJob(file: StaticString = #filePath, line: UInt = #line) throws -> KubernetesJob {
        let documents = try MiniYAML.documents(repo.text("deploy/k8s/epoch-job.yaml"))
        let jobs = documents.filter { $0["kind"]?.string == "Job" }
        XCTAssertEqual(jobs.count, 1, "one Job in the manifest", file: file, line: line)
        let job = try XCTUnwrap(jobs.first)
        XCTAssertEqual(job["apiVersion"]?.string, "batch/v1", file: file, line: line)
        let spec = try XCTUnwrap(job["spec"])
        let completions = try XCTUnwrap(spec["completions"]?.string.flatMap { Int($0) }, "spec.completions", file: file, line: line)
        let parallelism = try XCTUnwrap(spec["parallelism"]?.string.flatMap { Int($0) }, "spec.parallelism", file: file, line: line)
        let containers = try XCTUnwrap(spec["template"]?["spec"]?["containers"]?.items, "spec.template.spec.containers", file: file, line: line)
        XCTAssertEqual(containers.count, 1, file: file, line: line)
        let c = containers[0]
        let command = try XCTUnwrap(c["command"]?.items?.compactMap(\.string), file: file, line: line)
            + (c["args"]?.items?.compactMap(\.string) ?? [])
        return KubernetesJob(documents: documents, job: job, container: c, command: command, completions: completions, parallelism: parallelism)
    }

    func testKubernetesJobIsAnIndexedJobOverTheShards() throws {
        let k = try kubernetesJob()
        let spec = try XCTUnwrap(k.job["spec"])
        XCTAssertEqual(spec["completionMode"]?.string, "Indexed", "one shard per completion index")
        XCTAssertGreaterThanOrEqual(k.completions, 1)
        XCTAssertTrue((1...k.completions).contains(k.parallelism), "parallelism \(k.parallelism) must be in 1...completions \(k.completions)")
        XCTAssertTrue(spec["backoffLimitPerIndex"] != nil || spec["backoffLimit"] != nil, "a retry limit (backoffLimitPerIndex or backoffLimit)")
        if let perIndex = spec["backoffLimitPerIndex"]?.string { XCTAssertNotNil(Int(perIndex), "backoffLimitPerIndex \(perIndex)") }
        let pod = try XCTUnwrap(spec["template"]?["spec"])
        XCTAssertEqual(pod["restartPolicy"]?.string, "Never", "podFailurePolicy and backoffLimitPerIndex need restartPolicy Never")
        XCTAssertEqual(pod["securityContext"]?["runAsNonRoot"]?.string, "true")
        // An eviction or preemption is retried without counting (Slurm's --requeue).
        let rules = spec["podFailurePolicy"]?["rules"]?.items ?? []
        XCTAssertTrue(rules.contains { $0["action"]?.string == "Ignore" && ($0["onPodConditions"]?.items ?? []).contains { $0["type"]?.string == "DisruptionTarget" } },
                      "a disrupted pod is retried without counting against its index")
        for rule in rules {
            let name = rule["onExitCodes"]?["containerName"]?.string
            if let name { XCTAssertEqual(name, k.container["name"]?.string, "podFailurePolicy names the container") }
            // FailIndex exists only with backoffLimitPerIndex.
            if rule["action"]?.string == "FailIndex" { XCTAssertNotNil(spec["backoffLimitPerIndex"], "FailIndex needs backoffLimitPerIndex") }
            // Exit 0 is success, never a failure rule; a short account exits 0.
            XCTAssertFalse((rule["onExitCodes"]?["values"]?.items ?? []).contains(.scalar("0")), "exit 0 (short accounts included) is success")
        }
    }

    func testKubernetesJobRunsTheProveStageWithFlagsTheCLIHas() throws {
        let k = try kubernetesJob()
        XCTAssertEqual(k.command.first, "zkmargin")
        XCTAssertEqual(k.command.dropFirst().first, "prove", "the Job runs the prove stage")
        let flags = Set(k.command.filter { $0.hasPrefix("--") }.map { String($0.split(separator: "=", maxSplits: 1)[0]) })
        let help = try helpFlags("zkmargin", "prove")
        XCTAssertTrue(flags.isSubset(of: help), "flags not in zkmargin prove --help: \(flags.subtracting(help).sorted())")
        func value(_ flag: String) -> String? {
            guard let i = k.command.firstIndex(of: flag), i + 1 < k.command.count else { return nil }
            return k.command[i + 1]
        }
        XCTAssertEqual(value("--shard"), "auto", "the shard comes from JOB_COMPLETION_INDEX")
        // Kubernetes does not export the completion count: it must be given, and equal completions.
        let env = Dictionary((k.container["env"]?.items ?? []).compactMap { e in e["name"]?.string.map { ($0, e["value"]?.string ?? "") } }) { a, _ in a }
        let count = value("--shard-count") ?? env["ZKMARGIN_SHARD_COUNT"]
        XCTAssertEqual(count, String(k.completions), "--shard-count (or ZKMARGIN_SHARD_COUNT) must equal spec.completions")
        if let c = env["ZKMARGIN_SHARD_COUNT"] { XCTAssertEqual(c, String(k.completions), "ZKMARGIN_SHARD_COUNT") }
        XCTAssertNil(env["JOB_COMPLETION_INDEX"], "Kubernetes sets JOB_COMPLETION_INDEX itself")
        // Threads no more than the CPU limit (zkmargin would start one per core of the node).
        let cpuLimit = k.container["resources"]?["limits"]?["cpu"]?.string
        XCTAssertEqual(env["ZKMARGIN_MSM_THREADS"], cpuLimit, "ZKMARGIN_MSM_THREADS equals the CPU limit")

        // The epoch directory and the bundle are on mounted volumes; the
        // openings on their own claim, mounted at DIR/openings, in the Job's namespace.
        let batch = try XCTUnwrap(value("--batch"))
        let bundle = try XCTUnwrap(value("--bundle"))
        let mounts = (k.container["volumeMounts"]?.items ?? []).compactMap { m -> (name: String, path: String)? in
            guard let n = m["name"]?.string, let p = m["mountPath"]?.string else { return nil }
            return (n, p)
        }
        func mounted(_ path: String) -> Bool { mounts.contains { path == $0.path || path.hasPrefix($0.path + "/") } }
        XCTAssertTrue(mounted(batch), "--batch \(batch) is on a mounted volume")
        XCTAssertTrue(mounted(bundle), "--bundle \(bundle) is on a mounted volume")
        let openingsMount = try XCTUnwrap(mounts.first { $0.path == batch + "/openings" }, "the openings have their own volume at \(batch)/openings")
        let volumes = k.job["spec"]?["template"]?["spec"]?["volumes"]?.items ?? []
        let claim = try XCTUnwrap(volumes.first { $0["name"]?.string == openingsMount.name }?["persistentVolumeClaim"]?["claimName"]?.string)
        let epochClaim = volumes.first { v in v["name"]?.string == mounts.first { batch.hasPrefix($0.path + "/") }?.name }?["persistentVolumeClaim"]?["claimName"]?.string
        XCTAssertNotEqual(claim, epochClaim, "the openings are not on the shared epoch volume")
        let namespace = k.job["metadata"]?["namespace"]?.string
        XCTAssertNotNil(namespace, "the Job names its (the custodian's) namespace")
        let claims = k.documents.filter { $0["kind"]?.string == "PersistentVolumeClaim" && $0["metadata"]?["name"]?.string == claim }
        XCTAssertEqual(claims.count, 1, "the openings claim \(claim) is defined in the manifest")
        XCTAssertEqual(claims.first?["metadata"]?["namespace"]?.string, namespace, "in the Job's namespace")
    }

    /// The container's command, run as each completion index of the Job
    /// (JOB_COMPLETION_INDEX set, as Kubernetes does) over a small epoch at
    /// the manifest's paths: every index exits 0 and together they prove
    /// every solvent account.
    func testKubernetesJobCommandProvesTheEpochAcrossItsIndices() throws {
        let k = try kubernetesJob()
        let root = try temporaryDirectory(self)
        let value = { (flag: String) -> String in k.command[k.command.firstIndex(of: flag)! + 1] }
        // The pod's paths, under a temporary root.
        let local = { (path: String) -> String in root + path }
        let (labels, short) = try writeSmallEpoch(bundle: local(value("--bundle")), attestInto: local(value("--batch")), in: root)
        let args = Array(k.command.dropFirst()).map { $0.hasPrefix("/") ? local($0) : $0 }
        let env = Dictionary((k.container["env"]?.items ?? []).compactMap { e in e["name"]?.string.map { ($0, e["value"]?.string ?? "") } }) { a, _ in a }
        for index in 0..<k.completions {
            let r = try CLI.runWithEnvironment(k.command[0], args, in: root, environment: env.merging(["JOB_COMPLETION_INDEX": String(index)]) { $1 })
            XCTAssertEqual(r.status, 0, "completion index \(index): \(r.output)")
            XCTAssertTrue(FileIO.exists("\(local(value("--batch")))/reports/prove-\(index)-of-\(k.completions).json"), "index \(index) reported")
        }
        let proofs = try EpochDirectory(path: local(value("--batch"))).keys(in: .proofs)
        XCTAssertEqual(Set(proofs), Set(labels.filter { !short.contains($0) }.map(AccountKey.init(label:))))
    }

    /// Writes the test keys and accounts.jsonl (six accounts, two short) into
    /// `keys` and a bundle valid now at `bundle`; with `dir`, attests them
    /// there, signed (the flow that needs no seal).
    func writeSmallEpoch(bundle: String, attestInto dir: String? = nil, in keys: String) throws -> (labels: [String], short: Set<String>) {
        try writeTestKeys(to: keys)
        let b = try RiskBundle.publish(values: repo.example("cross-margin", "values.json"), circuitName: "cross-margin",
                                       circuitSource: repo.circuitSource("cross-margin"), curve: .p256, epoch: nil,
                                       issuedAt: Date(), validUntil: Date().addingTimeInterval(86_400), key: TestKeys.publisher)
        try FileManager.default.createDirectory(atPath: (bundle as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileIO.write(b.encoded(), to: bundle, mode: 0o644)
        var lines: [String] = []
        var labels: [String] = []
        var short: Set<String> = []
        for (i, name) in ["solvent", "short", "borrowed-solvent", "borrowed-short", "at-margin", "solvent"].enumerated() {
            guard case .object(var o) = try repo.vector("examples/cross-margin/\(name).json") else { throw SolvencyError.malformed("test", "examples/cross-margin/\(name).json is not an object") }
            let label = ["fund 7/ü/\(i)", "../\(i)", "客户/\(i)", "a\\b \(i)", "-rf \(i)", "\(i)"][i]
            o["account"] = .string(label)
            labels.append(label)
            if name.hasSuffix("short") { short.insert(label) }
            lines.append(String(decoding: JSONValue.object(o).compactEncoded(), as: UTF8.self))
        }
        try FileIO.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: "\(keys)/accounts.jsonl", mode: 0o644)
        guard let dir else { return (labels, short) }
        let a = try CLI.run("zkmargin", ["attest", "--bundle", bundle, "--accounts", "\(keys)/accounts.jsonl", "--key", "\(keys)/custodian.pem", "--out-dir", dir], in: keys)
        XCTAssertEqual(a.status, 0, a.output)
        return (labels, short)
    }

    // MARK: Slurm

    /// The script's `exec` lines: (tool, subcommand or nil, long options),
    /// with the options of the `publisher=(…)` array where a line passes it.
    func sbatchCommands(_ text: String) -> [(tool: String, sub: String?, flags: Set<String>, line: String)] {
        let joined = text.replacingOccurrences(of: "\\\n", with: " ")
        let lines = joined.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        // Options kept in arrays (`publisher=(--publisher-key …)`) count where a line passes the array.
        var arrays: [String: Set<String>] = [:]
        for line in lines {
            guard let eq = line.range(of: "=("), let start = line.range(of: "&& ")?.upperBound ?? Optional(line.startIndex),
                  start <= eq.lowerBound else { continue }
            let name = String(line[start..<eq.lowerBound])
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0 == "_" }) { arrays[name, default: []].formUnion(longOptions(in: String(line[eq.upperBound...]))) }
        }
        var out: [(String, String?, Set<String>, String)] = []
        for line in lines where line.hasPrefix("exec ") {
            let words = line.split(separator: " ").map(String.init)
            guard words.count >= 2 else { continue }
            var flags = longOptions(in: line)
            for (name, options) in arrays where line.contains("${\(name)[@]") { flags.formUnion(options) }
            switch words[1] {
            case "\"$zkmargin\"": out.append(("zkmargin", words.count > 2 ? words[2] : nil, flags, line))
            case "\"$verifier\"": out.append(("zkmargin-verify", nil, flags, line))
            default: out.append((words[1], nil, flags, line))
            }
        }
        return out
    }

    func testSlurmScriptIsARequeueableArrayJobWithFlagsTheCLIHas() throws {
        let text = try repo.text("deploy/slurm/epoch.sbatch")
        let directives = text.split(separator: "\n").filter { $0.hasPrefix("#SBATCH ") }.map { $0.dropFirst(8).trimmingCharacters(in: .whitespaces) }
        XCTAssertTrue(directives.contains("--requeue"), "#SBATCH --requeue: a task killed by a node failure or preemption runs again")
        XCTAssertTrue(directives.contains("--open-mode=append"), "a requeued task keeps its earlier log")
        XCTAssertFalse(directives.contains { $0.hasPrefix("--array") }, "the submitter chooses --array (the shard count)")
        XCTAssertTrue(directives.contains { $0.hasPrefix("--output=") && $0.contains("%a") }, "one log per array task")

        let commands = sbatchCommands(text)
        XCTAssertEqual(Set(commands.map { $0.sub ?? $0.tool }), ["attest", "seal", "prove", "index", "zkmargin-verify"])
        var helps: [String: Set<String>] = [:]
        for c in commands {
            XCTAssertTrue(["zkmargin", "zkmargin-verify"].contains(c.tool), "unexpected command: \(c.line)")
            let key = c.tool + " " + (c.sub ?? "")
            if helps[key] == nil { helps[key] = try helpFlags(c.tool, c.sub) }
            XCTAssertTrue(c.flags.isSubset(of: helps[key]!), "\(key): flags not in --help: \(c.flags.subtracting(helps[key]!).sorted()) in \(c.line)")
            if c.sub == "attest" || c.sub == "prove" {
                XCTAssertTrue(c.line.contains("--shard auto"), "\(c.line): the shard comes from the array task")
                XCTAssertFalse(c.flags.contains("--shard-count"), "Slurm exports the task count: \(c.line)")
            }
            if c.sub == "prove" { XCTAssertFalse(c.flags.contains("--key"), "the workers never get the private key: \(c.line)") }
        }
        XCTAssertTrue(commands.contains { $0.sub == "attest" && $0.flags.contains("--custodian-key") && !$0.flags.contains("--key") },
                      "attest on workers with the custodian's public key only")
    }

    /// The script itself, run as the tasks of `sbatch --array=4-8:2` would
    /// run it (Slurm's variables set), over a small epoch: attest (signed,
    /// ZKMARGIN_KEY) then prove; every task exits 0 and every solvent
    /// account is proven. Then its refusals.
    func testSlurmScriptRunsAsArrayTasks() throws {
        let dir = try temporaryDirectory(self)
        let script = repo.path("deploy/slurm/epoch.sbatch")
        guard let bin = CLI.binaries else { throw XCTSkip("zkmargin executables not found next to the test bundle; run `swift build` first") }
        let (_, short) = try writeSmallEpoch(bundle: "\(dir)/bundle.json", in: dir)
        var env = ["ZKMARGIN_BIN": bin, "ZKMARGIN_BUNDLE": "\(dir)/bundle.json", "ZKMARGIN_DIR": "\(dir)/epoch",
                   "ZKMARGIN_ACCOUNTS": "\(dir)/accounts.jsonl", "ZKMARGIN_CUSTODIAN_KEY": "\(dir)/custodian.pub.pem",
                   "ZKMARGIN_PUBLISHER_KEY": "\(dir)/publisher.pub.pem",
                   "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_MAX": "8", "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "3",
                   "SLURM_JOB_ID": "17"]
        func sbatch(_ stage: [String], _ extra: [String: String]) throws -> CLI.Run {
            try CLI.execute("/bin/bash", [script] + stage, in: dir, environment: env.merging(extra) { $1 })
        }
        for stage in ["attest", "prove"] {
            for id in ["4", "6", "8"] {
                let r = try sbatch([stage], ["SLURM_ARRAY_TASK_ID": id] .merging(stage == "attest" ? ["ZKMARGIN_KEY": "\(dir)/custodian.pem"] : [:]) { $1 })
                XCTAssertEqual(r.status, 0, "\(stage) task \(id): \(r.output)")
                XCTAssertTrue(r.output.contains("\(stage) \((Int(id)! - 4) / 2)/3"), "\(stage) task \(id) is shard \((Int(id)! - 4) / 2)/3: \(r.output)")
            }
        }
        let proofs = try EpochDirectory(path: "\(dir)/epoch").keys(in: .proofs)
        XCTAssertEqual(Set(proofs), Set(try EpochDirectory(path: "\(dir)/epoch").keys(in: .statements)).filter { k in !short.contains { AccountKey(label: $0) == k } })
        XCTAssertEqual(proofs.count, 4)

        // Refusals, each a usage error (64) before zkmargin runs.
        env["ZKMARGIN_BIN"] = "/nonexistent"
        let refusals: [([String], [String: String], String)] = [
            (["prove"], ["SLURM_ARRAY_TASK_ID": "4", "ZKMARGIN_KEY": "\(dir)/custodian.pem"], "must not hold it"),
            (["seal"], ["SLURM_ARRAY_TASK_ID": "4", "ZKMARGIN_KEY": "\(dir)/custodian.pem"], "is one job, not an array"),
            (["index"], ["SLURM_ARRAY_TASK_ID": "4", "ZKMARGIN_KEY": "\(dir)/custodian.pem"], "is one job, not an array"),
            (["verify"], ["SLURM_ARRAY_TASK_ID": "4"], "is one job, not an array"),
            (["bogus"], [:], "usage:"),
            ([], [:], "usage:"),
            (["attest"], ["SLURM_ARRAY_TASK_ID": "4", "ZKMARGIN_ACCOUNTS": ""], "ZKMARGIN_ACCOUNTS is not set"),
            (["attest"], ["SLURM_ARRAY_TASK_ID": "4", "ZKMARGIN_CUSTODIAN_KEY": ""], "ZKMARGIN_CUSTODIAN_KEY is not set"),
            (["prove"], ["SLURM_ARRAY_TASK_ID": "4", "ZKMARGIN_BUNDLE": ""], "ZKMARGIN_BUNDLE is not set"),
        ]
        for (stage, extra, message) in refusals {
            let r = try sbatch(stage, extra)
            XCTAssertEqual(r.status, 64, "\(stage) \(extra): \(r.output)")
            XCTAssertTrue(r.stderr.contains(message), "\(stage) \(extra): \(r.stderr)")
        }
        // Without a Slurm array task, an array stage says how to submit it.
        let noArray = try CLI.execute("/bin/bash", [script, "prove"], in: dir,
                                      environment: env.filter { !$0.key.hasPrefix("SLURM_") }.merging(["SLURM_ARRAY_TASK_ID": ""]) { $1 })
        XCTAssertEqual(noArray.status, 64, noArray.output)
        XCTAssertTrue(noArray.stderr.contains("runs as a job array"), noArray.stderr)
    }

    // MARK: The image

    func testDockerfileBuildsBothBinariesOnBookwormForANonRootUser() throws {
        let lines = try repo.text("deploy/Dockerfile").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("#") }
        let from = lines.filter { $0.hasPrefix("FROM ") }
        XCTAssertEqual(from.count, 2, "multi-stage: build, then runtime")
        let arg = lines.first { $0.hasPrefix("ARG SWIFT_IMAGE=") }.map { String($0.dropFirst("ARG SWIFT_IMAGE=".count)) }
        let buildImage = from.first.map { $0.replacingOccurrences(of: "${SWIFT_IMAGE}", with: arg ?? "") } ?? ""
        XCTAssertTrue(buildImage.hasPrefix("FROM swift:6.") && buildImage.contains("-bookworm") && buildImage.hasSuffix(" AS build"), buildImage)
        XCTAssertEqual(from.last, "FROM debian:bookworm-slim")
        let text = lines.joined(separator: "\n")
        for needed in ["libssl-dev", "libgmp-dev", "--product zkmargin ", "--product zkmargin-verify",
                       "libssl3", "libgmp10", "COPY --from=build"] {
            XCTAssertTrue(text.contains(needed), "the Dockerfile has \(needed)")
        }
        let user = try XCTUnwrap(lines.last { $0.hasPrefix("USER ") }, "the image sets a USER")
        let uid = user.dropFirst(5).split(separator: ":")[0]
        XCTAssertFalse(["root", "0"].contains(uid), "runs as a non-root user, not \(uid)")
        let k = try kubernetesJob()
        XCTAssertEqual(k.job["spec"]?["template"]?["spec"]?["securityContext"]?["runAsUser"]?.string, String(uid), "the Job runs as the image's user")
    }

    // MARK: MiniYAML

    func testMiniYAMLReadsTheManifestSubset() throws {
        let docs = try MiniYAML.documents("""
            # a comment
            a: 1   # trailing comment
            b:
              c: "x: #y"
              d: 'it''s'
              e: [2, "64", 'z']
              f: []
            list:
              - plain
              - name: n
                value: "v"
              -
                deep: true
            same-indent:
            - one
            - - nested
            empty:
            ---
            kind: Job
            """)
        XCTAssertEqual(docs.count, 2)
        let d = docs[0]
        XCTAssertEqual(d["a"]?.string, "1")
        XCTAssertEqual(d["b"]?["c"]?.string, "x: #y")
        XCTAssertEqual(d["b"]?["d"]?.string, "it's")
        XCTAssertEqual(d["b"]?["e"]?.items?.compactMap(\.string), ["2", "64", "z"])
        XCTAssertEqual(d["b"]?["f"]?.items?.count, 0)
        XCTAssertEqual(d["list"]?.items?.count, 3)
        XCTAssertEqual(d["list"]?.items?[0].string, "plain")
        XCTAssertEqual(d["list"]?.items?[1]["name"]?.string, "n")
        XCTAssertEqual(d["list"]?.items?[1]["value"]?.string, "v")
        XCTAssertEqual(d["list"]?.items?[2]["deep"]?.string, "true")
        XCTAssertEqual(d["same-indent"]?.items?[0].string, "one")
        XCTAssertEqual(d["same-indent"]?.items?[1].items?[0].string, "nested")
        XCTAssertEqual(d["empty"], .scalar(""))
        XCTAssertEqual(docs[1]["kind"]?.string, "Job")
    }

    func testMiniYAMLRefusesWhatItDoesNotRead() {
        let refused: [(String, String)] = [
            ("a:\n\tb: 1", "tab"),
            ("a: &anchor 1", "anchors"),
            ("a: *alias", "anchors"),
            ("a: |\n  text", "block scalars"),
            ("a: >\n  text", "block scalars"),
            ("a: {b: 1}", "flow mappings"),
            ("a: !!str 1", "tags"),
            ("a: 1\na: 2", "duplicate key"),
            ("a: 1\n  b: 2", "indentation"),
            ("a:\n  - x\n  y: 1", "unexpected indentation"),
            ("- x\ny: 1", "unexpected indentation"),
            ("just text", "key: value"),
            ("a: \"open", "quote"),
            ("a: [1, [2]]", "nested"),
            ("a: 'x' y", "after a quoted"),
            ("%YAML 1.2\n---\na: 1", "directives"),
            ("? complex\n: key", "complex keys"),
            ("a: 1\n...", "directives"),
        ]
        for (text, message) in refused {
            XCTAssertThrowsError(try MiniYAML.documents(text), text) { error in
                XCTAssertTrue("\(error)".contains(message), "\(text): \(error)")
            }
        }
    }
}

/// A YAML value as `MiniYAML` reads it: every scalar is its text.
indirect enum YAMLValue: Equatable {
    case scalar(String)
    case sequence([YAMLValue])
    case mapping(keys: [String], values: [String: YAMLValue])

    subscript(key: String) -> YAMLValue? {
        if case .mapping(_, let values) = self { return values[key] }
        return nil
    }

    var string: String? { if case .scalar(let s) = self { s } else { nil } }
    var items: [YAMLValue]? { if case .sequence(let s) = self { s } else { nil } }
}

/// The YAML of deploy/k8s, read without a YAML library: documents separated
/// by `---`, block mappings and sequences by indentation (spaces only), a
/// sequence item that starts a mapping (`- name: x`), flow sequences of
/// scalars (`[a, "b"]`), plain, single- and double-quoted scalars, `#`
/// comments. Everything else (anchors and aliases, tags, block scalars `|`
/// and `>`, flow mappings, complex keys, directives, duplicate keys, tabs) is
/// refused with the line number, never guessed at: a manifest this cannot
/// read is a manifest the test cannot vouch for.
enum MiniYAML {
    struct Failure: Error, CustomStringConvertible {
        let line: Int
        let message: String
        var description: String { "line \(line): \(message)" }
    }

    struct Line {
        let number: Int
        var indent: Int
        var text: String
    }

    static func documents(_ source: String) throws -> [YAMLValue] {
        var groups: [[Line]] = [[]]
        for (n, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = n + 1
            let body = try stripComment(String(raw), line: number)
            let content = body.drop { $0 == " " }
            if content.hasPrefix("\t") || body.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
                throw Failure(line: number, message: "a tab in the indentation")
            }
            let text = String(content).trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            if text == "---" { groups.append([]); continue }
            if text.hasPrefix("%") || text == "..." { throw Failure(line: number, message: "directives and document ends are not read") }
            groups[groups.count - 1].append(Line(number: number, indent: body.count - content.count, text: text))
        }
        return try groups.filter { !$0.isEmpty }.map { lines in
            var parser = Parser(lines: lines)
            let (value, next) = try parser.block(0, indent: lines[0].indent)
            if next < lines.count { throw Failure(line: lines[next].number, message: "unexpected indentation") }
            return value
        }
    }

    /// The line without its comment (a `#` at the start or after a space,
    /// outside quotes).
    static func stripComment(_ line: String, line number: Int) throws -> String {
        var quote: Character? = nil
        var previous: Character = " "
        var out = ""
        for ch in line {
            if let q = quote {
                if ch == q { quote = nil }
            } else if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == "#" && (previous == " " || previous == "\t") {
                break
            }
            out.append(ch)
            previous = ch
        }
        while out.hasSuffix(" ") { out.removeLast() }
        return out
    }

    struct Parser {
        var lines: [Line]

        static func isItem(_ text: String) -> Bool { text == "-" || text.hasPrefix("- ") }

        mutating func block(_ start: Int, indent: Int) throws -> (YAMLValue, Int) {
            let first = lines[start]
            if first.text.hasPrefix("? ") || first.text == "?" { throw Failure(line: first.number, message: "complex keys are not read") }
            return Self.isItem(first.text) ? try sequence(start, indent: indent) : try mapping(start, indent: indent)
        }

        mutating func sequence(_ start: Int, indent: Int) throws -> (YAMLValue, Int) {
            var items: [YAMLValue] = []
            var i = start
            while i < lines.count, lines[i].indent == indent, Self.isItem(lines[i].text) {
                let line = lines[i]
                let rest = String(line.text.dropFirst()).drop { $0 == " " }
                if rest.isEmpty {
                    i += 1
                    guard i < lines.count, lines[i].indent > indent else { throw Failure(line: line.number, message: "an empty sequence item") }
                    let (v, next) = try block(i, indent: lines[i].indent)
                    items.append(v)
                    i = next
                } else if try Self.isItem(String(rest)) || MiniYAML.entry(String(rest), line: line.number) != nil {
                    // `- key: value` or `- - x`: a block starting at the item's text.
                    lines[i].indent = indent + (line.text.count - rest.count)
                    lines[i].text = String(rest)
                    let (v, next) = try block(i, indent: lines[i].indent)
                    items.append(v)
                    i = next
                } else {
                    items.append(try MiniYAML.value(String(rest), line: line.number))
                    i += 1
                }
            }
            // What follows (a sibling key of a mapping whose value this is,
            // or a stray line) is the caller's to judge.
            if i < lines.count, lines[i].indent > indent { throw Failure(line: lines[i].number, message: "unexpected indentation") }
            return (.sequence(items), i)
        }

        mutating func mapping(_ start: Int, indent: Int) throws -> (YAMLValue, Int) {
            var keys: [String] = []
            var values: [String: YAMLValue] = [:]
            var i = start
            while i < lines.count, lines[i].indent == indent {
                let line = lines[i]
                if Self.isItem(line.text) { throw Failure(line: line.number, message: "a sequence item where a mapping key is expected") }
                guard let kv = try MiniYAML.entry(line.text, line: line.number) else {
                    throw Failure(line: line.number, message: "expected key: value")
                }
                let (key, rest) = kv
                if values[key] != nil { throw Failure(line: line.number, message: "duplicate key \(key)") }
                i += 1
                var v: YAMLValue
                if !rest.isEmpty {
                    v = try MiniYAML.value(rest, line: line.number)
                } else if i < lines.count, lines[i].indent > indent {
                    (v, i) = try block(i, indent: lines[i].indent)
                } else if i < lines.count, lines[i].indent == indent, Self.isItem(lines[i].text) {
                    (v, i) = try sequence(i, indent: indent)
                } else {
                    v = .scalar("")
                }
                keys.append(key)
                values[key] = v
            }
            if i < lines.count, lines[i].indent > indent { throw Failure(line: lines[i].number, message: "unexpected indentation") }
            return (.mapping(keys: keys, values: values), i)
        }
    }

    /// `key: value` split at the first `:` followed by a space or the end,
    /// outside quotes; nil when the text is not a mapping entry.
    static func entry(_ text: String, line: Int) throws -> (String, String)? {
        var quote: Character? = nil
        var index = text.startIndex
        while index < text.endIndex {
            let ch = text[index]
            if let q = quote {
                if ch == q { quote = nil }
            } else if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == ":" {
                let after = text.index(after: index)
                if after == text.endIndex || text[after] == " " {
                    let rawKey = text[..<index].trimmingCharacters(in: .whitespaces)
                    if rawKey.isEmpty { return nil }
                    let key = try scalar(rawKey, line: line)
                    return (key, text[after...].trimmingCharacters(in: .whitespaces))
                }
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// A value on a key's line or an item's: a flow sequence or a scalar.
    static func value(_ text: String, line: Int) throws -> YAMLValue {
        guard text.hasPrefix("[") else { return .scalar(try scalar(text, line: line)) }
        guard text.hasSuffix("]") else { throw Failure(line: line, message: "a flow sequence that does not end on its line") }
        let inner = text.dropFirst().dropLast()
        if inner.trimmingCharacters(in: .whitespaces).isEmpty { return .sequence([]) }
        var parts: [String] = []
        var current = ""
        var quote: Character? = nil
        for ch in inner {
            if let q = quote {
                if ch == q { quote = nil }
            } else if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == "[" || ch == "{" {
                throw Failure(line: line, message: "nested flow collections are not read")
            } else if ch == "," {
                parts.append(current); current = ""; continue
            }
            current.append(ch)
        }
        parts.append(current)
        return .sequence(try parts.map { .scalar(try scalar($0.trimmingCharacters(in: .whitespaces), line: line)) })
    }

    /// A plain or quoted scalar's text.
    static func scalar(_ text: String, line: Int) throws -> String {
        guard let first = text.first else { return "" }
        switch first {
        case "&", "*": throw Failure(line: line, message: "anchors and aliases are not read")
        case "|", ">": throw Failure(line: line, message: "block scalars are not read")
        case "{": throw Failure(line: line, message: "flow mappings are not read")
        case "!": throw Failure(line: line, message: "tags are not read")
        case "@", "`", "%": throw Failure(line: line, message: "a reserved indicator starts a scalar")
        case "\"", "'":
            var out = ""
            var index = text.index(after: text.startIndex)
            while index < text.endIndex {
                let ch = text[index]
                if ch == first {
                    let next = text.index(after: index)
                    if first == "'", next < text.endIndex, text[next] == "'" { out.append("'"); index = text.index(after: next); continue }
                    guard next == text.endIndex else { throw Failure(line: line, message: "text after a quoted scalar") }
                    return out
                }
                if first == "\"", ch == "\\" {
                    index = text.index(after: index)
                    guard index < text.endIndex else { break }
                    switch text[index] {
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    default: throw Failure(line: line, message: "an escape this reader does not know: \\\(text[index])")
                    }
                } else {
                    out.append(ch)
                }
                index = text.index(after: index)
            }
            throw Failure(line: line, message: "a quote that does not end on its line")
        default:
            return text
        }
    }
}
