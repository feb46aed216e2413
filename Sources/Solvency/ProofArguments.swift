import Foundation

/// The proof arguments of `zkmargin-verify`: a file is itself; a directory
/// is an epoch directory (`EpochDirectory`), standing for every
/// `DIR/proofs/<L>.json` in it, sorted by name (other files there, such as
/// temporaries, are skipped). Only the names are listed here: the verifier
/// reads one proof at a time and verifies them in bounded batches
/// (`Verifier.verify`, `BatchLimits`), however many there are.
public enum ProofArguments {
    /// The proof files `arguments` stand for, in order; a directory holding
    /// no proof is refused (`io`), as an unreadable file would be.
    public static func expand(_ arguments: [String]) throws(SolvencyError) -> [String] {
        var out: [String] = []
        for a in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: a, isDirectory: &isDirectory), isDirectory.boolValue else {
                out.append(a)
                continue
            }
            let dir = EpochDirectory(path: a)
            let keys = try dir.keys(in: .proofs)
            guard !keys.isEmpty else { throw .io(path: dir.directory(.proofs), message: "holds no proof (<64 hex digits>.json); a directory argument is an epoch directory") }
            out += keys.map { dir.file(.proofs, key: $0) }
        }
        return out
    }
}
