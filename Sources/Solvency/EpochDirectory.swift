public import Foundation
import ZKGroup

/// One epoch's files for many accounts, in one directory:
///
/// ```
/// DIR/statements/<L>.json   the custodian's statements (public, 0644)
/// DIR/openings/<L>.json     their openings (secret: directory 0700, files 0600)
/// DIR/proofs/<L>.json       the proofs (public)
/// DIR/inclusion/<L>.json    each proof's inclusion in the epoch index
/// DIR/reports/              one report per shard and stage (no secret in them)
/// DIR/locks/                one lock file per shard and stage
/// ```
///
/// `<L>` is the lower-case hex SHA-256 of the account label's UTF-8
/// bytes: labels may hold "/", "..", NUL, non-ASCII and anything else a
/// venue or custodian uses, and none of it reaches the file system. Two
/// labels never share a file (SHA-256 collisions aside); the batch
/// commands refuse an input that names one label twice.
///
/// `openings/` never leaves the custodian: it opens every commitment.
public struct EpochDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    public static let directoryMode: mode_t = 0o755
    public static let secretDirectoryMode: mode_t = 0o700

    public enum Area: String, Sendable, CaseIterable {
        case statements, openings, proofs, inclusion, reports, locks

        /// The openings directory is the custodian's secret.
        public var mode: mode_t { self == .openings ? EpochDirectory.secretDirectoryMode : EpochDirectory.directoryMode }
    }

    public func directory(_ area: Area) -> String { "\(path)/\(area.rawValue)" }

    /// The file an account's `area` entry lives in.
    public func file(_ area: Area, label: String) -> String { file(area, key: AccountKey(label: label)) }

    public func file(_ area: Area, key: AccountKey) -> String { "\(directory(area))/\(key.hex).json" }

    /// Creates DIR and the given areas (with their modes; an existing
    /// openings directory wider than 0700 is narrowed to it, and one owned
    /// by someone else is refused).
    public func create(_ areas: [Area]) throws(SolvencyError) {
        try Self.makeDirectory(path, mode: Self.directoryMode)
        for area in areas {
            let d = directory(area)
            try Self.makeDirectory(d, mode: area.mode)
            if area == .openings {
                var st = stat()
                guard lstat(d, &st) == 0 else { throw .io(path: d, message: "cannot read: \(String(cString: strerror(errno)))") }
                guard (st.st_mode & S_IFMT) == S_IFDIR else { throw .io(path: d, message: "is not a directory (a symbolic link?); the openings directory must be a real directory of the custodian's") }
                guard st.st_uid == geteuid() else { throw .io(path: d, message: "belongs to another user; the openings directory must be the custodian's own") }
                if st.st_mode & 0o077 != 0, chmod(d, Self.secretDirectoryMode) != 0 {
                    throw .io(path: d, message: "cannot restrict to mode 0700: \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    private static func makeDirectory(_ d: String, mode: mode_t) throws(SolvencyError) {
        if mkdir(d, mode) == 0 { _ = chmod(d, mode); return }
        guard errno == EEXIST else { throw .io(path: d, message: "cannot create directory: \(String(cString: strerror(errno)))") }
        var st = stat()
        guard stat(d, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { throw .io(path: d, message: "exists and is not a directory") }
    }

    /// The account keys that have a file in `area` (names of the form
    /// `<64 hex digits>.json`; temporary files and anything else are
    /// skipped), sorted.
    public func keys(in area: Area) throws(SolvencyError) -> [AccountKey] {
        let d = directory(area)
        guard let dir = opendir(d) else {
            if errno == ENOENT { return [] }
            throw .io(path: d, message: "cannot list: \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var out: [AccountKey] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.utf8.count == 69, name.hasSuffix(".json"), let key = AccountKey(hex: String(name.prefix(64))) else { continue }
            out.append(key)
        }
        return out.sorted()
    }
}

/// An account's name in an epoch directory and its shard: the SHA-256 of
/// its label's UTF-8 bytes.
public struct AccountKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// SHA-256 of the label's UTF-8 bytes.
    public let digest: [UInt8]

    public init(label: String) { digest = SHA256.hash(Array(label.utf8)) }

    /// From 64 lower-case hex digits (a file name); nil otherwise.
    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
              let bytes = [UInt8](hex: hex) else { return nil }
        digest = bytes
    }

    public var hex: String { digest.hexString }
    public var description: String { hex }

    public static func < (a: AccountKey, b: AccountKey) -> Bool { a.digest.lexicographicallyPrecedes(b.digest) }

    /// The shard of `count` this account belongs to: the digest read as a
    /// 256-bit big-endian integer, modulo `count`. Stable across runs,
    /// machines and implementations.
    public func shard(of count: Int) -> Int {
        precondition(count > 0 && count <= ShardSpec.maximumCount)
        var r: UInt64 = 0
        let m = UInt64(count)
        for byte in digest { r = (r << 8 | UInt64(byte)) % m }
        return Int(r)
    }
}
