package import Foundation
package import MarginCircuits

/// A checkout of this repository: the one place the tests and the hardening
/// tools find `Circuits/`, `Vectors/` and `Sources/`.
package struct Repository: Sendable {
    /// The folder holding `Circuits/` and `Vectors/`.
    package let root: URL

    package init(root: URL) { self.root = root }

    /// Where the repository is: the folder `ZKMARGIN_ROOT` names if it is set,
    /// else `start` or its nearest ancestor holding `Circuits/` and
    /// `Vectors/`. The tools start from the working directory.
    package static func locate(from start: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> Repository? {
        if let env = ProcessInfo.processInfo.environment["ZKMARGIN_ROOT"], !env.isEmpty {
            return Repository(root: URL(fileURLWithPath: env, isDirectory: true))
        }
        let fm = FileManager.default
        var dir = start.standardizedFileURL
        for _ in 0..<32 {
            if fm.fileExists(atPath: dir.appendingPathComponent("Circuits").path),
               fm.fileExists(atPath: dir.appendingPathComponent("Vectors").path) {
                return Repository(root: dir)
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
        return nil
    }

    /// The checkout the tests read: `locate(from:)` starting at the folder
    /// this file was compiled from, so `swift test` finds it whatever the
    /// working directory (and `ZKMARGIN_ROOT` still wins, as for the tools).
    package static let forTests: Repository = {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()   // Sources/ZKTestSupport
        guard let found = locate(from: here) else {
            preconditionFailure("no repository (Circuits/ and Vectors/) above \(here.path); set ZKMARGIN_ROOT")
        }
        return found
    }()

    // MARK: Files

    /// The file or folder at `relative` (a path from the root, e.g. `"Vectors/scalar/p256.json"`).
    package func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// `url(relative).path`.
    package func path(_ relative: String) -> String { url(relative).path }

    /// The bytes of the file at `relative`.
    package func read(_ relative: String) throws -> [UInt8] { Array(try Data(contentsOf: url(relative))) }

    /// The UTF-8 text of the file at `relative`.
    package func text(_ relative: String) throws -> String { String(decoding: try read(relative), as: UTF8.self) }

    /// The source of `Circuits/<name>.zkm`.
    package func circuitSource(_ name: String) throws -> String { try text("Circuits/\(name).zkm") }

    /// `Vectors/examples/<circuit>/<file>`, e.g. `example("cross-margin", "values.json")`.
    package func example(_ circuit: String, _ file: String) throws -> [UInt8] {
        try read("Vectors/examples/\(circuit)/\(file)")
    }

    /// `Vectors/examples/<circuit>/<name>.json`, decoded: `"solvent"`, `"short"`, `"at-margin"`, ….
    package func exampleAccount(_ circuit: String, _ name: String = "solvent") throws -> Account {
        try Account.decode(from: Data(try example(circuit, "\(name).json")))
    }

    /// Every circuit in `Circuits/` with example values and a solvent
    /// account in `Vectors/examples/`, sorted by name: what the fuzz
    /// targets and the tamper harness run on.
    package func shippedCircuits() throws -> [String] {
        let fm = FileManager.default
        let names = try fm.contentsOfDirectory(atPath: path("Circuits"))
            .filter { $0.hasSuffix(".zkm") }
            .map { String($0.dropLast(4)) }
        return names.filter { name in
            fm.fileExists(atPath: path("Vectors/examples/\(name)/values.json"))
                && fm.fileExists(atPath: path("Vectors/examples/\(name)/solvent.json"))
        }.sorted()
    }

    /// Every file under the folder `relative` whose name ends in `suffix`,
    /// as paths from the root (`"Sources/ZKGroup/Scalar.swift"`), sorted.
    package func files(under relative: String, suffix: String = "") -> [String] {
        let base = url(relative).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var out: [String] = []
        for case let file as URL in walker where file.lastPathComponent.hasSuffix(suffix) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            out.append(relative + "/" + String(file.standardizedFileURL.path.dropFirst(base.path.count + 1)))
        }
        return out.sorted()
    }
}
