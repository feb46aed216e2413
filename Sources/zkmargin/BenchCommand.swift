import ArgumentParser
import ZKMarginCLI
import Foundation
import StrictJSON
import Solvency
import ZKBenchmarks
import ZKGroup

/// `zkmargin bench …`: performance measurements. Build in release
/// (`swift run -c release zkmargin bench rangeproof`); debug figures are meaningless.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure proving and verification speed (build with -c release).",
        discussion: """
        Timings are medians of several runs on this machine. Progress goes to standard \
        error when it is a terminal; results go to standard output.

        Examples:
          swift run -c release zkmargin bench rangeproof
          swift run -c release zkmargin bench rangeproof --curve secp256k1 --json
          swift run -c release zkmargin bench circuits --sizes 10,100
        """,
        subcommands: [RangeProofBench.self, GroupBench.self, CircuitsBench.self]
    )
}

/// Writes progress lines to standard error, only on a terminal.
struct Progress {
    let enabled = isatty(STDERR_FILENO) == 1
    func callAsFunction(_ line: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
    }
    func finish() { if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
}

struct RangeProofBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rangeproof",
        abstract: "Bulletproofs+ size, prove and verify for 64-bit ranges, m = 1…64, and batch verification."
    )

    @OptionGroup var curveOption: CurveOption

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "Runs per size (the median is reported); large m use fewer.")
    var iterations = 7

    @Option(help: "Aggregation sizes m to measure, comma-separated.")
    var sizes = "1,2,4,8,16,32,64"

    @Option(help: "Batch sizes, comma-separated (0 to skip batch verification).")
    var batch = "100,1000"

    @Flag(inversion: .prefixedNo, help: "Measure again on all cores (wall-clock) after the single-core run.")
    var allCores = true

    func run() throws {
        let curve = curveOption.value
        let ms = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let batches = batch.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
        guard !ms.isEmpty, ms.allSatisfy({ $0 >= 1 && $0 <= 4096 }) else { throw ValidationError("--sizes takes values from 1 to 4096") }
        let progress = Progress()
        let iterations = max(1, self.iterations)
        func measure() throws -> (sizes: [RangeProofBenchmark.SizeResult], batches: [RangeProofBenchmark.BatchResult]) {
            (try RangeProofBenchmark.sizes(curve: curve, bits: 64, ms: ms,
                                           iterations: { m in max(1, min(iterations, 64 / m)) }, progress: progress.callAsFunction),
             try RangeProofBenchmark.batches(curve: curve, bits: 64, counts: batches, iterations: 3, progress: progress.callAsFunction))
        }
        // The headline figures on one core, as single-threaded C benches
        // measure; then, if there are several, wall-clock on all of them.
        MSM.limitThreads(1)
        let single = try measure()
        MSM.limitThreads(nil)
        let cores = MSM.threads
        let all = allCores && cores > 1 ? try measure() : nil
        progress.finish()
        if json {
            func sizesJSON(_ rs: [RangeProofBenchmark.SizeResult]) -> JSONValue {
                .array(rs.map {
                    .object(JSONObject([("m", .integer($0.m)), ("bytes", .integer($0.bytes)),
                                        ("prove_ms", .timing($0.proveMilliseconds)), ("verify_ms", .timing($0.verifyMilliseconds))]))
                })
            }
            func batchJSON(_ bs: [RangeProofBenchmark.BatchResult]) -> JSONValue {
                .array(bs.map { .object(JSONObject([("proofs", .integer($0.proofs)), ("verify_ms_per_proof", .timing($0.verifyMillisecondsPerProof))])) })
            }
            var fields: [(String, JSONValue)] = [
                ("curve", .string(curve.rawValue)),
                ("bits", .integer(64)),
                ("threads", .integer(1)),
                ("results", sizesJSON(single.sizes)),
                ("batch", batchJSON(single.batches)),
            ]
            if let all {
                fields.append(("all_cores", .object(JSONObject([("threads", .integer(cores)), ("results", sizesJSON(all.sizes)),
                                                                 ("batch", batchJSON(all.batches))]))))
            }
            printJSON(JSONObject(fields))
        } else {
            print("Bulletproofs+ on \(curve), 64-bit ranges (medians; one core" + (all.map { _ in ", then wall-clock on \(cores) cores)" } ?? ")"))
            var header = pad("m", 6) + pad("bytes", 8) + pad("prove ms", 12) + pad("verify ms", 12)
            if all != nil { header += pad("prove \(cores)c", 12) + pad("verify \(cores)c", 12) }
            print(header)
            for (i, r) in single.sizes.enumerated() {
                var line = pad("\(r.m)", 6) + pad("\(r.bytes)", 8) + pad(fmt(r.proveMilliseconds), 12) + pad(fmt(r.verifyMilliseconds), 12)
                if let a = all?.sizes[i] { line += pad(fmt(a.proveMilliseconds), 12) + pad(fmt(a.verifyMilliseconds), 12) }
                print(line)
            }
            for (i, b) in single.batches.enumerated() {
                let wall = all.map { " (\(fmt($0.batches[i].verifyMillisecondsPerProof)) on \(cores) cores)" } ?? ""
                print("batch of \(b.proofs) single proofs: \(fmt(b.verifyMillisecondsPerProof)) ms per proof on one core\(wall), decoding included")
            }
        }
    }
}

struct GroupBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "Microseconds per group operation: scalar multiplications, MSM per point, decoding, hash-to-curve."
    )

    @OptionGroup var curveOption: CurveOption

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        let results = GroupMicrobench.run(curve: curveOption.value)
        if json {
            // The operations in the order they were measured (the table's order).
            printJSON(JSONObject([
                ("curve", .string(curveOption.value.rawValue)),
                ("microseconds", .object(JSONObject(results.map { ($0.name, .timing($0.microseconds)) }))),
            ]))
        } else {
            print("Group operations on \(curveOption.value) (medians, µs)")
            for r in results { print(r.name.padding(toLength: 40, withPad: " ", startingAt: 0) + pad(fmt(r.microseconds), 12)) }
        }
    }
}

struct CircuitsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "circuits",
        abstract: "Attest, prove, verify and proof size of the shipped circuits on venue-sized books.",
        discussion: """
        For each circuit and size: a synthetic book (parameters printed with the results) \
        and an account holding every 7th instrument; four flows, attested and \
        self-attested, each hiding among every instrument and among the held ones only \
        (--hide-among). Times are medians in milliseconds; the verify time includes \
        compiling the bundle's circuit (the narrower circuit of an anonymity set is \
        compiled once per process and reused, as by a verifier checking many \
        proofs). The OpenSSL P-256 k·P time measured in the same run is \
        printed so that figures from a loaded machine can be scaled (× 47 µs ÷ k·P).

        Run from the repository root (the circuits are read from Circuits/).

        Examples:
          swift run -c release zkmargin bench circuits
          swift run -c release zkmargin bench circuits --circuits tiered-margin \\
              --sizes 350 --iterations 1
          swift run -c release zkmargin bench circuits \\
              --values Vectors/examples/cross-margin/values.json --json
        """
    )

    @OptionGroup var curveOption: CurveOption

    @Option(help: ArgumentHelp("Measure these risk values (and their circuit) instead of synthetic books.", valueName: "FILE"))
    var values: String?

    @Option(help: "Circuits of Circuits/ to measure, comma-separated.")
    var circuits = "cross-margin,options-standard,portfolio-margin,tiered-margin"

    @Option(help: "Instrument counts of the synthetic books, comma-separated.")
    var sizes = "10,100,1000"

    @Option(help: "Runs per flow (the median is reported).")
    var iterations = 3

    @Option(help: "Flows to measure: attested, self, or both, comma-separated.")
    var flows = "attested,self"

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        let progress = Progress()
        let modes = flows.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !modes.isEmpty, modes.allSatisfy({ $0 == "attested" || $0 == "self" }) else { throw ValidationError("--flows takes attested, self or both") }
        var books: [CircuitBenchmark.Book] = []
        if let values {
            let bytes = try FileIO.read(values)
            let circuit = try Workflow.locateCircuit(Workflow.circuitReference(inValues: bytes), valuesPath: values)
            books.append(try CircuitBenchmark.book(values: bytes, circuitSource: circuit.source))
        } else {
            let ns = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !ns.isEmpty, ns.allSatisfy({ (1...100_000).contains($0) }) else { throw ValidationError("--sizes takes instrument counts from 1 to 100000") }
            for name in circuits.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                let circuit = try Workflow.locateCircuit(name, valuesPath: nil)
                for n in ns { books.append(CircuitBenchmark.syntheticBook(circuit: name, circuitSource: circuit.source, instruments: n)) }
            }
        }
        let kP = GroupMicrobench.scalarMultiplicationMicroseconds(curve: curveOption.value)
        var rows: [CircuitBenchmark.Row] = []
        for book in books {
            rows += try CircuitBenchmark.measure(book, curve: curveOption.value, iterations: iterations, modes: modes, progress: progress.callAsFunction)
        }
        let kPAfter = GroupMicrobench.scalarMultiplicationMicroseconds(curve: curveOption.value)
        progress.finish()
        let parameters: [(String, String)] = values == nil ? CircuitBenchmark.syntheticParameters
            : [("values", values!), ("account", "every 7th instrument held (size ±1, entry price 1), 10^9 of every asset")]
        if json {
            func ms(_ x: Double?) -> JSONValue { x.map(JSONValue.timing) ?? .null }
            printJSON(JSONObject([
                ("curve", .string(curveOption.value.rawValue)),
                ("kP_us", .object(JSONObject([("before", .timing(kP)), ("after", .timing(kPAfter))]))),
                ("parameters", .object(JSONObject(parameters.map { ($0.0, .string($0.1)) }))),
                ("results", .array(rows.map { r in
                    .object(JSONObject([
                        ("circuit", .string(r.circuit)), ("instruments", .integer(r.instruments)), ("mode", .string(r.mode)),
                        ("anonymity_set", r.anonymitySet.map(JSONValue.integer) ?? .string("all")),
                        ("inputs", .integer(r.inputs)), ("helpers", .integer(r.helpers)), ("constraints", .integer(r.constraints)),
                        ("attest_ms", ms(r.attestMilliseconds)), ("prove_ms", .timing(r.proveMilliseconds)), ("verify_ms", .timing(r.verifyMilliseconds)),
                        ("proof_bytes", .integer(r.proofBytes)), ("range_proofs", .integer(r.rangeProofs)),
                    ]))
                })),
            ]))
        } else {
            print("Circuits on \(curveOption.value): medians of \(max(1, iterations)) runs, ms; OpenSSL k·P \(fmt(kP)) µs before, \(fmt(kPAfter)) after")
            for (k, v) in parameters { print("  \(k): \(v)") }
            print(pad("circuit", 18) + pad("instr.", 8) + pad("mode", 10) + pad("set", 6) + pad("in/help/cons", 18)
                  + pad("attest", 11) + pad("prove", 11) + pad("verify", 11) + pad("bytes", 10))
            for r in rows {
                print(pad(r.circuit, 18) + pad("\(r.instruments)", 8) + pad(r.mode, 10) + pad(r.anonymitySet.map(String.init) ?? "all", 6)
                      + pad("\(r.inputs)/\(r.helpers)/\(r.constraints)", 18) + pad(r.attestMilliseconds.map(fmt) ?? "-", 11)
                      + pad(fmt(r.proveMilliseconds), 11) + pad(fmt(r.verifyMilliseconds), 11) + pad("\(r.proofBytes)", 10))
            }
        }
    }
}

/// One line of JSON on standard output, from the strict writer.
func printJSON(_ object: JSONObject) {
    print(String(decoding: JSONValue.object(object).compactEncoded(), as: UTF8.self))
}

extension JSONValue {
    static func integer(_ n: Int) -> JSONValue { .number(String(n)) }

    /// A timing rounded to three decimals, written in the shortest form
    /// that reads back as the same double (`5212` for 5212.0, `0.013`).
    /// Timings are finite; a non-finite one would be `null`.
    static func timing(_ x: Double) -> JSONValue {
        let r = round3(x)
        guard r.isFinite else { return .null }
        if r == r.rounded(), abs(r) < 1e15 { return .number(String(Int64(r))) }
        return .number(r.description)
    }
}

func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
func fmt(_ x: Double) -> String { String(format: "%.3f", x) }
func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : String(repeating: " ", count: width - s.count) + s }
