#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock(2)` on a file, held until `release` (or deinit, or the end of the process in any way,
/// kill -9 included: the kernel drops it, so a crash leaves no stale lock).
public final class FileLock {
    public let path: String
    private var fd: Int32

    /// Why a lock file could not be opened or locked (not: another process holds it).
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Takes the lock on `path` (created if missing). `wait`: block until it is free; otherwise return nil when
    /// another process holds it, after `retries` more tries 25 ms apart (a holder that only peeks with
    /// `isHeld` keeps it for microseconds, so a few retries tell a peek from a real holder).
    public static func acquire(path: String, wait: Bool, retries: Int = 0) throws(Failure) -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        var attempt = 0
        while flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0 {
            let error = errno
            if error == EINTR { continue }
            guard error == EWOULDBLOCK, attempt < retries else {
                close(fd)
                if error == EWOULDBLOCK { return nil }
                throw Failure(path: path, reason: String(cString: strerror(error)))
            }
            attempt += 1
            usleep(25_000)
        }
        return FileLock(path: path, fd: fd)
    }

    /// Whether some process holds an exclusive lock on `path` now. Peeks with a shared lock.
    public static func isHeld(path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
