package import Foundation
import ZKTestSupport

/// Files in and out of the fuzz corpora.
package enum FuzzInputs {
    /// The repository root, or an error saying how to point at it.
    package static func root() throws -> URL {
        guard let root = Repository.locate()?.root else {
            throw FixtureError("run from the repository root (or set ZKMARGIN_ROOT): Circuits/ and Vectors/ not found")
        }
        return root
    }

    /// The seed corpus folder of `target`: `Vectors/fuzz/<target>/`.
    package static func corpus(_ target: FuzzTarget, root: URL) -> URL {
        root.appendingPathComponent("Vectors/fuzz/\(target.rawValue)", isDirectory: true)
    }

    /// Every regular file named, or inside a named folder (not recursive),
    /// sorted by path.
    package static func files(in paths: [String]) throws -> [URL] {
        let fm = FileManager.default
        var out: [URL] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { throw FixtureError("\(path): no such file or folder") }
            if isDirectory.boolValue {
                out += try fm.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted()
                    .map { URL(fileURLWithPath: path).appendingPathComponent($0) }
            } else {
                out.append(URL(fileURLWithPath: path))
            }
        }
        return out
    }

    /// Writes the target's seeds as `seed-<name>` files; returns how many.
    package static func writeSeeds(for target: FuzzTarget, root: URL) throws -> Int {
        let dir = corpus(target, root: root)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let seeds = target.seeds()
        for seed in seeds {
            try Data(seed.bytes).write(to: dir.appendingPathComponent("seed-\(seed.name)"), options: .atomic)
        }
        return seeds.count
    }
}
