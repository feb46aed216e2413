import Foundation
import XCTest
import ZKTestSupport

/// Where things may live in `Sources/`, read from the files themselves.
final class LayoutTests: XCTestCase {
    /// The only Swift files that may import the C libraries (OpenSSL's
    /// libcrypto as `CLibCrypto`, GMP as `CGMP`): a folder (ending in `/`)
    /// or a file, relative to the repository root. Everything else reaches
    /// them through ZKGroup, or MarginCircuits' integers.
    static let cLibraryImportAllowList: [String] = [
        "Sources/ZKGroup/",
        "Sources/MarginCircuits/BigInt.swift",
        "Sources/MarginCircuits/Rational.swift",
    ]

    /// The targets of the shipped library products, from Package.swift.
    static func shippedLibraryTargets() throws -> [String] {
        let manifest = try Repository.forTests.text("Package.swift")
        let library = try NSRegularExpression(pattern: #"\.library\(\s*name:\s*"[^"]+",\s*targets:\s*\[([^\]]*)\]"#)
        let quoted = try NSRegularExpression(pattern: #""([^"]+)""#)
        var targets: [String] = []
        let whole = NSRange(manifest.startIndex..., in: manifest)
        for match in library.matches(in: manifest, range: whole) {
            let list = String(manifest[Range(match.range(at: 1), in: manifest)!])
            for name in quoted.matches(in: list, range: NSRange(list.startIndex..., in: list)) {
                targets.append(String(list[Range(name.range(at: 1), in: list)!]))
            }
        }
        return targets
    }

    /// `import CLibCrypto`, `@preconcurrency internal import CGMP`,
    /// `import struct CLibCrypto.EVP_PKEY`, …: the module a line imports, if
    /// it is one of the C libraries.
    static func importedCLibrary(_ line: Substring) -> String? {
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        while let first = words.first, first.hasPrefix("@") || ["public", "package", "internal", "fileprivate", "private"].contains(first) {
            words.removeFirst()
        }
        guard words.first == "import", words.count >= 2 else { return nil }
        var module = words[1]
        if ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let"].contains(module), words.count >= 3 { module = words[2] }
        let name = module.split(separator: ".").first.map(String.init) ?? ""
        return ["CLibCrypto", "CGMP"].contains(name) ? name : nil
    }

    func testOnlyTheAllowListImportsTheCLibraries() throws {
        let repository = Repository.forTests
        var offenders: [String] = []
        var allowedImporters = Set<String>()
        for file in repository.files(under: "Sources", suffix: ".swift") {
            for line in try repository.text(file).split(separator: "\n", omittingEmptySubsequences: true) {
                guard let module = Self.importedCLibrary(line) else { continue }
                if let entry = Self.cLibraryImportAllowList.first(where: { $0.hasSuffix("/") ? file.hasPrefix($0) : file == $0 }) {
                    allowedImporters.insert(entry)
                } else {
                    offenders.append("\(file): import \(module)")
                }
            }
        }
        XCTAssertEqual(offenders, [], "C libraries imported outside \(Self.cLibraryImportAllowList): go through ZKGroup (or extend the list, with a reason)")
        // A stale entry hides nothing, but the list should say what is true.
        let stale = Self.cLibraryImportAllowList.filter { !allowedImporters.contains($0) }
        XCTAssertEqual(stale, [], "allowed to import a C library but no longer does: shrink cLibraryImportAllowList")
    }

    func testTheImportCheckReadsEveryForm() {
        for line in ["import CLibCrypto", "  import CGMP", "@preconcurrency import CLibCrypto", "internal import CGMP",
                     "@_implementationOnly import CLibCrypto", "import struct CLibCrypto.EVP_PKEY", "import CGMP.gmp"] {
            XCTAssertNotNil(Self.importedCLibrary(Substring(line)), line)
        }
        for line in ["import Foundation", "// import CLibCrypto", "import CLibCryptoExtras", "let x = \"import CGMP\""] {
            XCTAssertNil(Self.importedCLibrary(Substring(line)), line)
        }
    }

    /// Every JSON the project writes goes through StrictJSON's writer (and
    /// every JSON it reads through its reader).
    func testNoJSONSerializationInSources() throws {
        let repository = Repository.forTests
        let offenders = try repository.files(under: "Sources").filter { try repository.text($0).contains("JSONSerialization") }
        XCTAssertEqual(offenders, [], "use StrictJSON (JSONParser, JSONValue.encoded()) instead of JSONSerialization")
    }

    /// README.md's "Layout" names every folder of `Sources/` and `Tests/`,
    /// and no folder that is gone.
    func testTheReadmeLayoutMatchesTheTree() throws {
        let repository = Repository.forTests
        let readme = try repository.text("README.md")
        guard let start = readme.range(of: "## Layout\n"), let end = readme.range(of: "\n## ", range: start.upperBound..<readme.endIndex) else {
            return XCTFail("README.md has no Layout section")
        }
        let layout = readme[start.upperBound..<end.lowerBound]
        // Names written `Name/` at the start of a line or after a space.
        let named = Set(layout.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { $0.hasSuffix("/") }.map { String($0.dropLast()) })
        var folders = Set<String>()
        for parent in ["Sources", "Tests"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: repository.path(parent)) {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: repository.path("\(parent)/\(name)"), isDirectory: &isDirectory), isDirectory.boolValue {
                    folders.insert(name)
                }
            }
        }
        XCTAssertEqual(folders.subtracting(named).sorted(), [], "folders missing from README.md's Layout")
        let topLevel: Set<String> = ["Sources", "Tests", "Circuits", "Vectors", "scripts", "deploy"]
        XCTAssertEqual(named.subtracting(folders).subtracting(topLevel).sorted(), [], "README.md's Layout names folders that do not exist")
    }

    /// Test support and benchmarks stay out of the shipped libraries: none
    /// names `SeededRandom` or imports ZKTestSupport or ZKBenchmarks.
    func testShippedLibrariesHoldNoTestSupportOrBenchmarks() throws {
        let repository = Repository.forTests
        let targets = try Self.shippedLibraryTargets()
        XCTAssertEqual(Set(targets), ["StrictJSON", "ZKGroup", "ZKProofs", "MarginCircuits", "Solvency"],
                       "the shipped libraries changed: check this test still reads Package.swift right")
        var offenders: [String] = []
        for target in targets {
            let files = repository.files(under: "Sources/\(target)", suffix: ".swift")
            XCTAssertFalse(files.isEmpty, "no sources for \(target)")
            for file in files {
                let text = try repository.text(file)
                for word in ["SeededRandom", "import ZKTestSupport", "import ZKBenchmarks"] where text.contains(word) {
                    offenders.append("\(file): \(word)")
                }
            }
        }
        XCTAssertEqual(offenders, [], "test support or benchmark code in a shipped library")
    }
}
