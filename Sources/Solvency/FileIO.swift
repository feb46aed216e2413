public import Foundation
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
/// a single byte is written: `open` creates the temporary file with mode
/// 0600 & ~umask (never wider than 0600, whatever the umask) and `fchmod`
/// sets exactly 0600, so no other user can read it even briefly. An output
/// with `replace: false` is never put over an existing file: it is linked
/// into place (`link` fails if the name exists, atomically), not renamed.
public enum FileIO {
    /// Mode for files anyone may read (bundles, statements, proofs, public keys).
    public static let publicMode: mode_t = 0o644
    /// Mode for secrets (openings, private keys).
    public static let secretMode: mode_t = 0o600
    /// Largest file read: 16 MiB. A 1000-instrument cross-margin proof is
    /// about 0.4 MB, its bundle about 0.1 MB; a bundle of 5000 instruments ×
    /// 16 scenario losses about 2 MB. A larger file is refused from its
    /// size alone, before a byte of it is read.
    public static let maximumFileSize = 16 << 20

    /// A file to write: its path, contents and mode, and whether it may
    /// replace an existing file.
    public struct Output: Sendable {
        public let path: String
        public let bytes: [UInt8]
        public let mode: mode_t
        /// False: refuse (`alreadyExists`, code `io`) if `path` exists.
        public let replace: Bool
        public init(path: String, bytes: [UInt8], mode: mode_t, replace: Bool = true) {
            self.path = path
            self.bytes = bytes
            self.mode = mode
            self.replace = replace
        }
    }

    /// Reads a whole file.
    ///
    /// The result is sized from `fstat` up front, so that reading a secret
    /// file (openings, a private key) leaves exactly two heap copies: the
    /// read buffer, wiped here, and the result, which the caller wipes
    /// (`secureZero`). Growing the result while reading would free
    /// intermediate copies without wiping them.
    public static func read(_ path: String) throws(SolvencyError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, message: "cannot read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        var expected = 0
        if fstat(fd, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { throw .io(path: path, message: "is a directory") }
            if (st.st_mode & S_IFMT) == S_IFREG {
                guard Int(st.st_size) <= maximumFileSize else { throw .io(path: path, message: "larger than \(maximumFileSize >> 20) MiB (\(st.st_size) bytes); refused unread") }
                expected = Int(st.st_size)
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(expected + 1)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        defer { secureZero(&buffer) }
        while true {
            let n = buffer.withUnsafeMutableBytes { sysRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, message: "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<n])
            guard out.count <= maximumFileSize else {
                secureZero(&out)
                throw .io(path: path, message: "larger than \(maximumFileSize >> 20) MiB")
            }
        }
        return out
    }

    /// Writes one file atomically.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(SolvencyError) {
        try write([Output(path: path, bytes: bytes, mode: mode)])
    }

    /// Writes several files: every temporary file first, then the renames,
    /// so a failure while writing leaves none of them changed.
    ///
    /// Outputs with `replace: false` are checked first (nothing is written
    /// if one exists) and put in place with `link`, which fails rather than
    /// replace a file that appeared meanwhile; on file systems without hard
    /// links they fall back to the check and `rename`.
    public static func write(_ outputs: [Output]) throws(SolvencyError) {
        for o in outputs where !o.replace && exists(o.path) {
            throw .alreadyExists(path: o.path, what: "it")
        }
        var temps: [(temp: String, output: Output)] = []
        func cleanUp() { for t in temps { unlink(t.temp) } }
        for o in outputs {
            do {
                temps.append((try writeTemporary(o), o))
            } catch {
                cleanUp()
                throw error
            }
        }
        for (i, t) in temps.enumerated() {
            do {
                try commit(temp: t.temp, to: t.output.path, replace: t.output.replace)
            } catch {
                for rest in temps[i...] { unlink(rest.temp) }
                throw error
            }
        }
        // Make the renames durable too.
        for dir in Set(outputs.map { directory(of: $0.path) }) {
            let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 { _ = fsync(fd); close(fd) }
        }
    }

    /// Moves a finished temporary file to its name.
    private static func commit(temp: String, to path: String, replace: Bool) throws(SolvencyError) {
        if !replace {
            if link(temp, path) == 0 {
                unlink(temp)
                return
            }
            let code = errno
            if code == EEXIST { throw .alreadyExists(path: path, what: "it") }
            // No hard links here (EPERM, ENOTSUP, …): check, then rename.
            guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EMLINK || code == ENOSYS else {
                throw .io(path: path, message: "cannot write: \(String(cString: strerror(code)))")
            }
            if exists(path) { throw .alreadyExists(path: path, what: "it") }
        }
        guard rename(temp, path) == 0 else {
            throw .io(path: path, message: "cannot write: \(String(cString: strerror(errno)))")
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
        var failure: Int32 = ok ? 0 : errno
        var offset = 0
        while ok && offset < o.bytes.count {
            let n = o.bytes.withUnsafeBytes { sysWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { ok = false; failure = n < 0 ? errno : ENOSPC; break }
            offset += n
        }
        if ok && fsync(fd) != 0 { ok = false; failure = errno }
        if close(fd) != 0 && ok { ok = false; failure = errno }
        guard ok else {
            unlink(temp)
            throw .io(path: o.path, message: "cannot write: \(String(cString: strerror(failure)))")
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
