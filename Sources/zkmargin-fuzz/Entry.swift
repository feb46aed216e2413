import Foundation
import ZKHardening

// Two builds of one program.
//
// `scripts/fuzz.sh TARGET SECONDS` builds it with `--sanitize=fuzzer
// --sanitize=address -Xswiftc -DZKMARGIN_LIBFUZZER`: libFuzzer supplies
// `main` and calls `LLVMFuzzerTestOneInput` with each input, and the target
// is chosen by the environment variable ZKMARGIN_FUZZ_TARGET.
//
// An ordinary build is a driver for the same targets:
//   zkmargin-fuzz replay TARGET FILE|DIR...   run inputs (crash files, corpora)
//   zkmargin-fuzz make-seeds [TARGET...]      write Vectors/fuzz/<target>/ seeds
//   zkmargin-fuzz make-fixtures               write fresh Vectors/fuzz/fixtures/
//   zkmargin-fuzz make-hostile DIR            write the soundness review's hostile files
//   zkmargin-fuzz list                        name the targets

#if ZKMARGIN_LIBFUZZER

private let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["ZKMARGIN_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("zkmargin-fuzz: set ZKMARGIN_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    // Build the fixtures (and fail early on a bad target) before the first input.
    for seed in selectedTarget.seeds().prefix(1) { selectedTarget.run(seed.bytes) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget.run(input)
    return 0
}

#else

@main
struct FuzzDriver {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            switch arguments.first {
            case "replay" where arguments.count >= 3:
                guard let target = FuzzTarget(rawValue: arguments[1]) else { usage("unknown target '\(arguments[1])'") }
                let files = try FuzzInputs.files(in: Array(arguments.dropFirst(2)))
                for file in files {
                    target.run(Array(try Data(contentsOf: file)))
                }
                print("\(target.rawValue): \(files.count) input\(files.count == 1 ? "" : "s") ran without a crash")
            case "make-seeds":
                let root = try FuzzInputs.root()
                let targets = arguments.dropFirst().map { name in
                    guard let t = FuzzTarget(rawValue: name) else { usage("unknown target '\(name)'") }
                    return t
                }
                for target in targets.isEmpty ? FuzzTarget.allCases : targets {
                    let written = try FuzzInputs.writeSeeds(for: target, root: root)
                    print("\(target.rawValue): \(written) seed\(written == 1 ? "" : "s") in Vectors/fuzz/\(target.rawValue)/")
                }
            case "make-fixtures":
                let root = try FuzzInputs.root()
                try FuzzFixtures.generate(root: root)
                print("wrote \(FuzzFixtures.directory(root: root).path); now run `zkmargin-fuzz make-seeds`")
            case "make-hostile" where arguments.count == 2:
                let root = try FuzzInputs.root()
                let dir = URL(fileURLWithPath: arguments[1], isDirectory: true)
                let cases = try HostileFiles.write(to: dir, fixtures: FuzzFixtures(root: root))
                // One case per line: name, finding, expected exit status, what, then the verifier's arguments.
                let lines = cases.map { c in ([c.name, c.finding, String(c.expectedStatus), c.what] + c.arguments).joined(separator: "\t") }
                try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("cases.tsv"))
                print("wrote \(cases.count) hostile cases in \(dir.path) (cases.tsv lists them)")
            case "list":
                for target in FuzzTarget.allCases { print(target.rawValue) }
            case "-h", "--help", "help":
                print(helpText)
            default:
                usage(arguments.isEmpty ? "no command" : "unknown command '\(arguments.joined(separator: " "))'")
            }
        } catch {
            FileHandle.standardError.write(Data("zkmargin-fuzz: \(error)\n".utf8))
            exit(2)
        }
    }

    static let helpText = """
    zkmargin-fuzz: the fuzz targets of zkmargin, outside libFuzzer.

    USAGE:
      zkmargin-fuzz replay TARGET FILE|DIR...   run each input through TARGET (a crash is a bug)
      zkmargin-fuzz make-seeds [TARGET...]      (re)write the seed corpora in Vectors/fuzz/<target>/
      zkmargin-fuzz make-fixtures               write new keys, bundle, statement and proofs in Vectors/fuzz/fixtures/
      zkmargin-fuzz make-hostile DIR            write the hostile files of the soundness review and DIR/cases.tsv
                                                (scripts/hostile.sh measures zkmargin-verify on them)
      zkmargin-fuzz list                        print the target names

    Fuzzing itself: scripts/fuzz.sh TARGET SECONDS (builds this program with libFuzzer and AddressSanitizer).
    Run from the repository root, or set ZKMARGIN_ROOT.
    """

    static func usage(_ message: String) -> Never {
        FileHandle.standardError.write(Data("zkmargin-fuzz: \(message)\n\n\(helpText)\n".utf8))
        exit(2)
    }
}

#endif
