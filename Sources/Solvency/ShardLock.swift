import Foundation

/// An exclusive lock on one stage of one shard of an epoch directory:
/// `flock(2)` on `DIR/locks/<stage>-<i>-of-<n>.lock`, held until `release`
/// or the process's end (the kernel drops it when the process dies, so a
/// killed or requeued task never leaves a stale lock behind). A second live
/// copy of the same shard is refused at once, naming the holder's pid.
///
/// `flock` is per host on some network file systems; where DIR is shared
/// between nodes, it needs one whose locks are cluster-wide (NFSv4, Lustre
/// mounted with `flock`), which README.md says.
public final class ShardLock: @unchecked Sendable {
    private var fd: Int32
    public let path: String

    /// Takes the lock or throws (`io`) if another process holds it.
    public init(directory: EpochDirectory, stage: String, shard: ShardSpec) throws(SolvencyError) {
        path = "\(directory.directory(.locks))/\(stage)-\(shard.fileStem).lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, message: "cannot open lock: \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            var holder = [UInt8](repeating: 0, count: 32)
            let n = holder.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
            let pid = n > 0 ? String(decoding: holder[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(fd)
            fd = -1
            if code == EWOULDBLOCK {
                throw .io(path: path, message: "shard \(shard) of stage \(stage) is being run by another live process (pid \(pid)); two copies of one shard never run at once")
            }
            throw .io(path: path, message: "cannot lock: \(String(cString: strerror(code)))")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    public func release() {
        guard fd >= 0 else { return }
        _ = flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
