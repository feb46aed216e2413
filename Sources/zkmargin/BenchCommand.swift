import ArgumentParser
import ZKMarginCLI
import Foundation
import StrictJSON
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
        """,
        subcommands: [RangeProofBench.self, GroupBench.self]
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

    func run() throws {
        let curve = curveOption.value
        let ms = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let batches = batch.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 }
        guard !ms.isEmpty, ms.allSatisfy({ $0 >= 1 && $0 <= 4096 }) else { throw ValidationError("--sizes takes values from 1 to 4096") }
        let progress = Progress()
        let iterations = max(1, self.iterations)
        let results = try RangeProofBenchmark.sizes(curve: curve, bits: 64, ms: ms,
                                                    iterations: { m in max(1, min(iterations, 64 / m)) }, progress: progress.callAsFunction)
        let batchResults = try RangeProofBenchmark.batches(curve: curve, bits: 64, counts: batches, iterations: 3, progress: progress.callAsFunction)
        progress.finish()
        if json {
            let object = JSONObject([
                ("curve", .string(curve.rawValue)),
                ("bits", .integer(64)),
                ("results", .array(results.map {
                    .object(JSONObject([("m", .integer($0.m)), ("bytes", .integer($0.bytes)),
                                        ("prove_ms", .timing($0.proveMilliseconds)), ("verify_ms", .timing($0.verifyMilliseconds))]))
                })),
                ("batch", .array(batchResults.map {
                    .object(JSONObject([("proofs", .integer($0.proofs)), ("verify_ms_per_proof", .timing($0.verifyMillisecondsPerProof))]))
                })),
            ])
            printJSON(object)
        } else {
            print("Bulletproofs+ on \(curve), 64-bit ranges (medians)")
            print(pad("m", 6) + pad("bytes", 8) + pad("prove ms", 12) + pad("verify ms", 12))
            for r in results {
                print(pad("\(r.m)", 6) + pad("\(r.bytes)", 8) + pad(fmt(r.proveMilliseconds), 12) + pad(fmt(r.verifyMilliseconds), 12))
            }
            for b in batchResults {
                print("batch of \(b.proofs) single proofs: \(fmt(b.verifyMillisecondsPerProof)) ms per proof (decoding included)")
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
