import Foundation
#if canImport(Glibc)
import Glibc
private let sysRead = Glibc.read
private let sysWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let sysRead = Darwin.read
private let sysWrite = Darwin.write
#endif
import ZKGroup

/// Reading and atomic writing of zkmargin files.
///
/// Every file is written to a temporary file in the same directory (created
/// with O_EXCL and its final mode), flushed with fsync, then renamed over
/// the destination: a reader sees the old file or the whole new one, never
/// half of one. Secret files (openings, private keys) get mode 0600 before
/// a single byte is written.
public enum FileIO {
    /// Mode for files anyone may read (bundles, statements, proofs, public keys).
    public static let publicMode: mode_t = 0o644
    /// Mode for secrets (openings, private keys).
    public static let secretMode: mode_t = 0o600
    /// Largest file read (a 1000-instrument proof is well under 1 MiB).
    public static let maximumFileSize = 64 << 20

    /// A file to write: its path, contents and mode.
    public struct Output: Sendable {
        public let path: String
        public let bytes: [UInt8]
        public let mode: mode_t
        public init(path: String, bytes: [UInt8], mode: mode_t) {
            self.path = path
            self.bytes = bytes
            self.mode = mode
        }
    }

    /// Reads a whole file.
    public static func read(_ path: String) throws(SolvencyError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, message: "cannot read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { throw .io(path: path, message: "is a directory") }
        var out = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { sysRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, message: "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<n])
            guard out.count <= maximumFileSize else { throw .io(path: path, message: "larger than \(maximumFileSize >> 20) MiB") }
        }
        secureZero(&buffer)
        return out
    }

    /// Writes one file atomically.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(SolvencyError) {
        try write([Output(path: path, bytes: bytes, mode: mode)])
    }

    /// Writes several files: every temporary file first, then the renames,
    /// so a failure while writing leaves none of them changed.
    public static func write(_ outputs: [Output]) throws(SolvencyError) {
        var temps: [(temp: String, path: String)] = []
        func cleanUp() { for t in temps { unlink(t.temp) } }
        for o in outputs {
            do {
                temps.append((try writeTemporary(o), o.path))
            } catch {
                cleanUp()
                throw error
            }
        }
        for (i, t) in temps.enumerated() {
            guard rename(t.temp, t.path) == 0 else {
                let message = String(cString: strerror(errno))
                for rest in temps[i...] { unlink(rest.temp) }
                throw .io(path: t.path, message: "cannot write: \(message)")
            }
        }
        // Make the renames durable too.
        for dir in Set(outputs.map { directory(of: $0.path) }) {
            let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 { _ = fsync(fd); close(fd) }
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let d = String(path[..<slash])
        return d.isEmpty ? "/" : d
    }

    private static func writeTemporary(_ o: Output) throws(SolvencyError) -> String {
        let dir = directory(of: o.path)
        let base = o.path.split(separator: "/").last.map(String.init) ?? o.path
        guard !base.isEmpty, base != ".", base != ".." else { throw .io(path: o.path, message: "not a file name") }
        var st = stat()
        if stat(o.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { throw .io(path: o.path, message: "is a directory") }
        var random = [UInt8](repeating: 0, count: 8)
        var source = SystemRandom()
        source.fill(&random)
        let temp = (dir == "." && !o.path.hasPrefix("./") ? "" : dir + "/") + ".\(base).\(random.hexString).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, o.mode)
        guard fd >= 0 else { throw .io(path: o.path, message: "cannot write: \(String(cString: strerror(errno)))") }
        var ok = fchmod(fd, o.mode) == 0
        var offset = 0
        while ok && offset < o.bytes.count {
            let n = o.bytes.withUnsafeBytes { sysWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { ok = false; break }
            offset += n
        }
        let message = String(cString: strerror(errno))
        if ok { ok = fsync(fd) == 0 }
        if close(fd) != 0 { ok = false }
        guard ok else {
            unlink(temp)
            throw .io(path: o.path, message: "cannot write: \(message)")
        }
        return temp
    }

    /// The permission bits of a file, or nil if it does not exist.
    public static func mode(of path: String) -> mode_t? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return st.st_mode & 0o777
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }
}
